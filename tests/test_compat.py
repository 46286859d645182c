"""The original Portuguese entry points."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from wamedia import criar_media_manager, process_webhook_media
from wamedia.errors import ConfigError
from wamedia.models import Status


@pytest.fixture
def legacy(tmp_path, api):
    m = criar_media_manager(7, "INST", api.token, base_path=str(tmp_path),
                            base_url=api.base_url)
    yield m
    m.close()


def test_criar_media_manager_is_cached(legacy, tmp_path, api):
    assert criar_media_manager("7", "INST", api.token, base_path=str(tmp_path)) is legacy
    assert (tmp_path / "cliente_7" / "instance_INST" / "media_database.db").exists()


def test_the_original_methods(legacy, publish, api):
    payload, data, _ = publish("P1")
    record = legacy.processar_mensagem_whatsapp(payload)
    assert record.status == Status.SUCCESS
    stats = legacy.obter_estatisticas()
    assert isinstance(stats, dict)
    assert stats["total_midias"] == 1 and stats["midias_baixadas"] == 1
    assert stats["midias_pendentes"] == 0 and stats["midias_falhadas"] == 0
    assert stats["por_tipo"] == {"image": 1} and stats["tamanho_total_bytes"] == len(data)
    assert stats["tamanho_total_mb"] == round(len(data) / 2**20, 2)
    assert (stats["cliente_id"], stats["instance_id"]) == ("7", "INST")
    legacy.index.update("P1", Status.SUCCESS, download_timestamp=datetime.now(timezone.utc)
                        - timedelta(days=31))
    assert legacy.limpar_arquivos_antigos(dias=30) == 1
    assert legacy.limpar_arquivos_antigos() == 0


def test_reprocessar_midias_pendentes(legacy, publish, api):
    payload, _, key = publish("P2")
    api.fail(key, 500)
    assert legacy.processar_mensagem_whatsapp(payload).status == Status.FAILED
    api.clear(key)
    legacy.index.update("P2", Status.FAILED, next_attempt_at=datetime.now(timezone.utc))
    assert legacy.reprocessar_midias_pendentes() == 1


def test_process_webhook_media_does_not_block(legacy, publish):
    payload, _, _ = publish("P3")
    [record] = process_webhook_media(payload, 7, "INST")
    assert record.status in (Status.PENDING, Status.DOWNLOADING)
    legacy.close()
    assert legacy.closed


def test_process_webhook_media_without_a_manager():
    with pytest.raises(ConfigError, match="criar_media_manager"):
        process_webhook_media({"messageId": "x"}, 999, "nobody")
