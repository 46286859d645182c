"""backup and restore against a real S3 API (moto's server on loopback) and a folder."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from wamedia import MediaManager, WAPISource
from wamedia.backup import backup, restore
from wamedia.errors import ConfigError
from wamedia.models import Status


def digests(manager):
    out = {}
    for record in manager.search(status="success", limit=None):
        with manager.open(record.message_id) as f:
            out[record.message_id] = hashlib.sha256(f.read()).hexdigest()
    return out


@pytest.fixture
def filled(tmp_path, api, publish):
    m = MediaManager(1, "X", tmp_path / "live", source=WAPISource(token=api.token,
                                                                  base_url=api.base_url))
    for i, kind in enumerate(["image", "video", "audio", "document", "sticker"]):
        m.process_message(publish(f"B{i}", kind, size=20_000 + i)[0])
    bad, _, key = publish("GONE", "image")
    api.fail(key, 410)
    m.process_message(bad)
    yield m
    m.close()


def test_backup_wipe_restore(tmp_path, bucket, filled):
    url = f"s3://{bucket}/backups"
    seen = []
    report = backup(filled, url, progress=lambda done, total, key: seen.append((done, total)))
    assert (report.copied, report.skipped) == (5, 0) and report.bytes > 100_000
    assert report.index == "cliente_1/instance_X/media_database.db"
    assert seen[-1] == (5, 5)
    before_files, before_stats = digests(filled), dict(filled.stats())
    filled.close()
    shutil.rmtree(tmp_path / "live")

    restored = restore(url, client_id=1, instance_id="X", root=tmp_path / "live")
    assert digests(restored) == before_files
    assert dict(restored.stats()) == before_stats
    assert restored.get("GONE").status == Status.EXPIRED
    report = restored.verify(deep=True)
    assert report.clean and report.ok == 5
    restored.close()


def test_second_backup_copies_only_what_is_new(bucket, filled, publish):
    url = f"s3://{bucket}/backups"
    backup(filled, url)
    again = backup(filled, url)
    assert (again.copied, again.skipped, again.bytes) == (0, 5, 0)
    filled.process_message(publish("NEW", "image")[0])
    third = backup(filled, url)
    assert (third.copied, third.skipped) == (1, 5)


def test_backup_to_a_folder_and_restore_into_s3(tmp_path, bucket, filled):
    folder = tmp_path / "offsite"
    assert backup(filled, str(folder)).copied == 5
    assert (folder / "cliente_1" / "instance_X" / "media_database.db").exists()
    restored = restore(str(folder), client_id=1, instance_id="X", root=tmp_path / "fresh",
                       storage=f"s3://{bucket}/media")
    assert digests(restored) == digests(filled)
    assert restored.verify().clean
    restored.close()


def test_restore_never_overwrites_a_live_index(tmp_path, filled):
    backup(filled, str(tmp_path / "offsite"))
    with pytest.raises(ConfigError, match="does not overwrite"):
        restore(str(tmp_path / "offsite"), client_id=1, instance_id="X",
                root=tmp_path / "live")


def test_restore_of_a_missing_backup(tmp_path):
    with pytest.raises(ConfigError, match="no backup"):
        restore(str(tmp_path / "nothing"), client_id=1, instance_id="X", root=tmp_path / "r")
    assert not (tmp_path / "r" / "cliente_1" / "instance_X" / "media_database.db").exists()


def test_backup_is_consistent_while_writes_go_on(tmp_path, bucket, filled, publish):
    import threading

    stop = threading.Event()

    def keep_writing():
        i = 0
        while not stop.is_set() and i < 200:
            filled.index.upsert(_ref(f"W{i}"), client_id="1", instance_id="X")
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        backup(filled, f"s3://{bucket}/live")
    finally:
        stop.set()
        writer.join(30)
    shutil.rmtree(tmp_path / "live")
    restored = restore(f"s3://{bucket}/live", client_id=1, instance_id="X",
                       root=tmp_path / "live")
    s = restored.stats()
    assert s.total == s.downloaded + s.pending + s.failed + s.expired + s.purged
    assert s.downloaded == 5
    restored.close()


def _ref(message_id):
    from wamedia.models import MediaRef, MediaType

    return MediaRef(message_id=message_id, media_type=MediaType.IMAGE)
