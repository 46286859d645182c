"""purge, verify and automatic retention on real files."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from wamedia import MediaManager
from wamedia.models import Status


def age(manager, message_id, days):
    when = datetime.now(timezone.utc) - timedelta(days=days)
    manager.index.update(message_id, Status.SUCCESS, expect=[Status.SUCCESS],
                         download_timestamp=when)


def test_purge_removes_old_files_and_keeps_rows(manager, publish):
    sizes = {}
    for mid, days in (("OLD1", 45), ("OLD2", 31), ("NEW", 2)):
        payload, data, _ = publish(mid)
        manager.process_message(payload)
        age(manager, mid, days)
        sizes[mid] = len(data)
    report = manager.purge_older_than(days=30)
    assert (report.files, report.bytes) == (2, sizes["OLD1"] + sizes["OLD2"])
    assert sorted(report.message_ids) == ["OLD1", "OLD2"]
    assert manager.get("OLD1").status == Status.PURGED
    assert not (manager.root / manager.get("OLD1").file_path).exists()
    assert (manager.root / manager.get("NEW").file_path).exists()
    s = manager.stats()
    assert (s.downloaded, s.purged, s.bytes) == (1, 2, sizes["NEW"])
    assert manager.purge_older_than(days=30).files == 0
    # a duplicate webhook of a purged media does not bring it back
    payload, _, _ = publish("OLD1")
    assert manager.process_message(payload).status == Status.PURGED


def test_verify_finds_and_repairs(manager, publish):
    for mid in ("OK", "GONE", "RESIZED", "ALTERED"):
        manager.process_message(publish(mid)[0])
    root = manager.root
    path = {mid: root / manager.get(mid).file_path for mid in ("OK", "GONE", "RESIZED",
                                                               "ALTERED")}
    path["GONE"].unlink()
    path["RESIZED"].write_bytes(b"short")
    altered = bytearray(path["ALTERED"].read_bytes())
    altered[-1] ^= 0xFF
    path["ALTERED"].write_bytes(bytes(altered))
    stray = root / manager.prefix / "imagens" / "stray.jpg"
    stray.write_bytes(b"nobody's")
    leftover = root / manager.prefix / "imagens" / ".X.jpg.abc123.part"
    leftover.write_bytes(b"half")

    shallow = manager.verify()
    assert shallow.missing == ["GONE"] and shallow.mismatched == ["RESIZED"]
    assert shallow.ok == 2 and not shallow.clean
    assert shallow.orphans == [f"{manager.prefix}imagens/stray.jpg"]
    assert shallow.temp == [f"{manager.prefix}imagens/.X.jpg.abc123.part"]

    deep = manager.verify(deep=True)
    assert sorted(deep.mismatched) == ["ALTERED", "RESIZED"] and deep.ok == 1

    fixed = manager.verify(repair=True, deep=True)
    assert sorted(fixed.repaired) == sorted(["GONE", "RESIZED", "ALTERED",
                                             f"{manager.prefix}imagens/.X.jpg.abc123.part"])
    assert not leftover.exists() and stray.exists()  # orphans are reported, never deleted
    assert manager.get("GONE").status == Status.PENDING
    assert manager.retry_pending() == 3
    manager.close()
    again = MediaManager(1, "3B6XIW", root)
    report = again.verify(deep=True)
    assert report.missing == report.mismatched == report.temp == []
    assert report.ok == 4 and report.orphans == [f"{again.prefix}imagens/stray.jpg"]
    assert report.to_dict()["clean"] is False
    again.close()


def test_retention_sweeps_in_the_background(tmp_path, source, publish):
    m = MediaManager(1, "X", tmp_path, source=source, retention_days=1,
                     retention_interval=0.05)
    m.process_message(publish("AGED")[0])
    m.process_message(publish("FRESH")[0])
    age(m, "AGED", 3)
    deadline = time.monotonic() + 10
    while m.get("AGED").status != Status.PURGED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert m.get("AGED").status == Status.PURGED
    assert m.get("FRESH").status == Status.SUCCESS
    m.close()
