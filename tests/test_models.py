from __future__ import annotations

from datetime import datetime, timezone

from wamedia.models import MediaRecord, MediaType, Stats, Status


def test_enums_are_text():
    assert Status.SUCCESS == "success" and MediaType.AUDIO == "audio"
    assert [t.folder for t in MediaType] == ["imagens", "videos", "audios", "documentos",
                                              "stickers"]


def test_stats_speaks_the_original_keys():
    s = Stats(total=5, downloaded=2, pending=2, failed=1, bytes=1536 * 1024,
              by_type={"image": 4, "audio": 1}, client_id="1", instance_id="X")
    assert dict(s) == {
        "cliente_id": "1", "instance_id": "X", "total_midias": 5, "midias_baixadas": 2,
        "midias_pendentes": 2, "midias_falhadas": 1, "por_tipo": {"image": 4, "audio": 1},
        "tamanho_total_bytes": 1572864, "tamanho_total_mb": 1.5,
    }
    assert s["tamanho_total_mb"] == 1.5 and s.total == 5


def test_record_to_dict_is_plain():
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    d = MediaRecord("M", MediaType.IMAGE, Status.PENDING, message_timestamp=when).to_dict()
    assert d["status"] == "pending" and d["media_type"] == "image"
    assert d["message_timestamp"] == "2024-01-01T00:00:00+00:00"
