"""process_message end to end against FakeWAPI: every outcome, recorded with its reason."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from wamedia import MediaManager, WAPISource
from wamedia.errors import ConfigError, MediaNotFound, PayloadError
from wamedia.models import Status
from wamedia.testing import FakeWAPI

from .samples import KINDS, media, wapi_webhook

FOLDERS = {"image": "imagens", "video": "videos", "audio": "audios",
           "document": "documentos", "sticker": "stickers"}


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and not p.name.startswith("media_database.db"))


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_stored_verified_and_indexed(manager, publish, kind):
    payload, data, _ = publish(f"MSG-{kind}", kind)
    record = manager.process_message(payload)
    assert record.status == Status.SUCCESS
    assert record.file_path.startswith(f"cliente_1/instance_3B6XIW/{FOLDERS[kind]}/MSG-{kind}.")
    assert record.file_size == len(data)
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.delivered_by == "wapi" and record.attempts == 1
    assert record.download_timestamp > datetime.now(timezone.utc) - timedelta(minutes=1)
    with manager.open(f"MSG-{kind}") as f:
        assert f.read() == data
    assert manager.url(f"MSG-{kind}").startswith("file://")
    assert manager.stats().bytes == len(data)


def test_extension_comes_from_the_bytes_not_the_payload(manager, publish):
    payload, _, _ = publish("DOC", "document")
    payload["msgContent"]["documentMessage"]["fileName"] = "../../evil.sh"
    record = manager.process_message(payload)
    assert record.file_path == "cliente_1/instance_3B6XIW/documentos/DOC.pdf"
    assert record.file_name == "../../evil.sh"  # kept as data, never used as a path


def test_non_media_and_malformed(manager):
    assert manager.process_message({"event": "webhookConnected"}) is None
    assert manager.process_message({"messageId": "M", "msgContent": {"conversation": "x"}}) is None
    with pytest.raises(PayloadError):
        manager.process_message(b"{broken")
    assert manager.stats().total == 0


def test_duplicates_download_once(manager, publish, api):
    payload, _, key = publish("DUP")
    first = manager.process_message(payload)
    again = manager.process_message(payload)
    assert first.status == again.status == Status.SUCCESS and again.id == first.id
    assert api.downloads[key] == 1


def test_concurrent_duplicates_download_once(tmp_path, publish):
    with FakeWAPI(token="t" * 16, latency=0.05) as slow:
        payload = wapi_webhook("RACE", data=media()[0])
        node = payload["msgContent"]["imageMessage"]
        data, mime = media()
        payload = wapi_webhook("RACE", data=data, mediaKey=node["mediaKey"])
        slow.add(node["mediaKey"], data, mime)
        m = MediaManager(1, "X", tmp_path, source=WAPISource(token=slow.token,
                                                             base_url=slow.base_url))
        results = []
        threads = [threading.Thread(target=lambda: results.append(m.process_message(payload)))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        m.close()
        assert slow.downloads[node["mediaKey"]] == 1
        assert {r.status for r in results} == {Status.SUCCESS}


def test_wait_false_returns_pending_and_close_drains(manager, publish):
    payloads = [publish(f"BG{i}")[0] for i in range(10)]
    records = [manager.process_message(p, wait=False) for p in payloads]
    assert {r.status for r in records} <= {Status.PENDING, Status.DOWNLOADING}
    manager.close(wait=True)
    m = MediaManager(1, "3B6XIW", manager.root)
    assert m.stats().downloaded == 10
    m.close()


def test_rejected_token_is_recorded_then_raised(tmp_path, api, publish):
    payload, _, _ = publish("TOK")
    m = MediaManager(1, "X", tmp_path, source=WAPISource(token="wrong-token-123456",
                                                         base_url=api.base_url))
    with pytest.raises(ConfigError, match="token was rejected") as info:
        m.process_message(payload)
    assert "wrong-token-123456" not in str(info.value)
    record = m.get("TOK")
    assert record.status == Status.FAILED and "401" in record.last_error
    assert record.next_attempt_at is not None  # fixing the token lets it heal
    m.close()


@pytest.mark.parametrize("status", [404, 410])
def test_gone_media_is_expired_not_retried(manager, publish, api, status):
    payload, _, key = publish("GONE")
    api.fail(key, status)
    record = manager.process_message(payload)
    assert record.status == Status.EXPIRED and str(status) in record.last_error
    assert record.next_attempt_at is None
    assert manager.retry_pending() == 0
    assert files_under(manager.root) == []


def test_transient_errors_are_retried_within_the_call(manager, publish, api):
    payload, _, key = publish("FLAKY")
    api.fail(key, 500, times=2)
    record = manager.process_message(payload)
    assert record.status == Status.SUCCESS and record.attempts == 1


def test_short_retry_after_is_honoured(manager, publish, api):
    payload, _, key = publish("SLOWDOWN")
    api.fail(key, 429, times=1, retry_after=0.2)
    started = time.monotonic()
    assert manager.process_message(payload).status == Status.SUCCESS
    assert time.monotonic() - started >= 0.2


def test_long_retry_after_becomes_the_next_attempt(manager, publish, api):
    payload, _, key = publish("LATER")
    api.fail(key, 429, retry_after=3600)
    record = manager.process_message(payload)
    assert record.status == Status.FAILED and "429" in record.last_error
    wait = (record.next_attempt_at - datetime.now(timezone.utc)).total_seconds()
    assert 3500 < wait <= 3600


def test_failure_then_retry_pending_heals(manager, publish, api):
    payload, _data, key = publish("HEAL")
    api.fail(key, 503)
    record = manager.process_message(payload)
    assert record.status == Status.FAILED and "503" in record.last_error
    assert record.attempts == 1 and record.next_attempt_at > datetime.now(timezone.utc)
    assert manager.retry_pending() == 0  # not due yet
    api.clear(key)
    manager.index.update("HEAL", Status.FAILED, next_attempt_at=datetime.now(timezone.utc))
    assert manager.retry_pending() == 1
    manager.close()
    m = MediaManager(1, "3B6XIW", manager.root)
    healed = m.get("HEAL")
    assert healed.status == Status.SUCCESS and healed.attempts == 2 and healed.last_error is None
    m.close()


def test_truncated_body_is_retried_and_never_stored_partially(manager, publish, api):
    payload, _, key = publish("CUT", size=200_000)
    api.fail(key, "truncate", times=1)
    assert manager.process_message(payload).status == Status.SUCCESS
    payload, _, key = publish("CUT2", size=200_000)
    api.fail(key, "truncate")
    record = manager.process_message(payload)
    assert record.status == Status.FAILED and "interrupted" in record.last_error
    assert record.next_attempt_at is not None
    assert not (manager.root / "cliente_1/instance_3B6XIW/imagens/CUT2.jpg").exists()
    assert manager.verify().temp == []


def test_bytes_that_do_not_match_file_sha256(manager, api):
    declared, mime = media("image")
    served, _ = media("image")
    payload = wapi_webhook("TAMPERED", data=declared)
    api.add(payload["msgContent"]["imageMessage"]["mediaKey"], served, mime)
    record = manager.process_message(payload)
    assert record.status == Status.FAILED and "fileSha256" in record.last_error
    assert record.next_attempt_at is None  # cannot heal by retrying
    assert files_under(manager.root) == []


@pytest.mark.parametrize("served", [
    media("document")[0],                                  # a PDF declared as an image
    b"<html><body>Error 500: try again</body></html>",     # an error page with 200
    b"",                                                   # nothing at all
])
def test_bytes_that_are_not_the_declared_type(manager, api, served):
    payload = wapi_webhook("WRONG", "image")
    api.add(payload["msgContent"]["imageMessage"]["mediaKey"], served, "image/jpeg")
    record = manager.process_message(payload)
    assert record.status == Status.FAILED and "declared image" in record.last_error
    assert record.next_attempt_at is None
    assert files_under(manager.root) == []


def test_size_limits(tmp_path, source, api, publish):
    m = MediaManager(1, "X", tmp_path, source=source, max_bytes=10_000)
    payload, _, key = publish("HUGE", size=50_000)
    record = m.process_message(payload)
    assert record.status == Status.FAILED and "over the limit" in record.last_error
    assert api.downloads[key] == 0  # refused on the declared size, before any byte
    payload, _, key = publish("LIAR", size=50_000)
    del payload["msgContent"]["imageMessage"]["fileLength"]
    record = m.process_message(payload)
    assert record.status == Status.FAILED and "over the limit" in record.last_error
    payload, _, key = publish("BIGGER", size=5_000)
    payload["msgContent"]["imageMessage"]["fileLength"] = "100"
    record = m.process_message(payload)
    assert "larger than the declared" in record.last_error and record.next_attempt_at is None
    assert files_under(tmp_path) == []
    m.close()


def test_attempts_run_out(tmp_path, source, api, publish):
    m = MediaManager(1, "X", tmp_path, source=source, max_attempts=2, retries=0)
    payload, _, key = publish("TIRED")
    api.fail(key, 500)
    assert m.process_message(payload).next_attempt_at is not None
    m.index.update("TIRED", Status.FAILED, next_attempt_at=datetime.now(timezone.utc))
    record = m.download("TIRED")
    assert record.attempts == 2 and record.next_attempt_at is None
    assert m.index.due() == [] and m.index.due(force=True) == ["TIRED"]
    api.clear(key)
    assert m.retry_pending(force=True) == 1
    m.close()
    assert MediaManager(1, "X", tmp_path).get("TIRED").status == Status.SUCCESS


def test_a_failed_media_with_a_fresh_key_is_downloaded_again(manager, api, publish):
    payload, data, key = publish("REFRESH")
    api.fail(key, 410)
    assert manager.process_message(payload).status == Status.EXPIRED
    node = payload["msgContent"]["imageMessage"]
    node["mediaKey"] = api.add(b"k" * 32, data, "image/jpeg")
    assert manager.process_message(payload).status == Status.SUCCESS


def test_retry_pending_limit(tmp_path, api, publish):
    offline = MediaManager(1, "X", tmp_path)  # no source: media wait as pending
    for i in range(5):
        assert offline.process_message(publish(f"P{i}")[0]).status == Status.PENDING
    with pytest.raises(ConfigError, match="no source"):
        offline.retry_pending()
    offline.close()
    m = MediaManager(1, "X", tmp_path, source=WAPISource(token=api.token, base_url=api.base_url))
    m.close()  # opening resumed every due row; close drains them
    assert MediaManager(1, "X", tmp_path).stats().downloaded == 5


def test_close_without_wait_leaves_queued_media_pending(tmp_path):
    with FakeWAPI(token="t" * 16, latency=0.1) as slow:
        source = WAPISource(token=slow.token, base_url=slow.base_url)
        m = MediaManager(1, "X", tmp_path, source=source, workers=1)
        for i in range(6):
            data, mime = media()
            payload = wapi_webhook(f"Q{i}", data=data)
            slow.add(payload["msgContent"]["imageMessage"]["mediaKey"], data, mime)
            m.process_message(payload, wait=False)
        m.close(wait=False)
        stats = MediaManager(1, "X", tmp_path).stats()
        assert stats.pending >= 3 and stats.downloaded + stats.pending == 6
        assert stats.by_status.get("downloading", 0) == 0
        resumed = MediaManager(1, "X", tmp_path, source=source, workers=4)
        resumed.close(wait=True)
        assert MediaManager(1, "X", tmp_path).stats().downloaded == 6


def test_inline_media_needs_no_download(manager, api):
    data, _ = media("image")
    import base64

    payload = wapi_webhook("INLINE", base64=base64.b64encode(data).decode())
    record = manager.process_message(payload)
    assert record.status == Status.SUCCESS and record.delivered_by == "inline"
    assert sum(api.requests.values()) == 0


def test_sources_are_tried_in_order(tmp_path, api, publish):
    payload, _data, key = publish("CHAIN")
    with FakeWAPI(token="other-token-123456") as empty:
        first = WAPISource(token=empty.token, base_url=empty.base_url)
        second = WAPISource(token=api.token, base_url=api.base_url)
        m = MediaManager(1, "X", tmp_path, source=[first, second])
        record = m.process_message(payload)
        assert record.status == Status.SUCCESS
        assert empty.requests["POST /v1/message/download-media"] == 1
        assert api.downloads[key] == 1
        m.close()


def test_hooks(tmp_path, source, api, publish):
    saved, failed = [], []
    m = MediaManager(1, "X", tmp_path, source=source, on_saved=saved.append,
                     on_failed=failed.append)
    ok, _, _ = publish("OK")
    bad, _, key = publish("BAD")
    api.fail(key, 410)
    m.process_message(ok)
    m.process_message(bad)
    assert [r.message_id for r in saved] == ["OK"] and saved[0].status == Status.SUCCESS
    assert [r.message_id for r in failed] == ["BAD"]
    m.close()


def test_one_log_line_per_outcome_and_no_token(manager, publish, api, caplog):
    ok, data, _ = publish("LOG1")
    bad, _, key = publish("LOG2")
    api.fail(key, 500)
    with caplog.at_level(logging.INFO, logger="wamedia"):
        manager.process_message(ok)
        manager.process_message(bad)
    lines = [r.getMessage() for r in caplog.records if r.name == "wamedia"]
    outcome = [line for line in lines if line.startswith("media ")]
    assert len(outcome) == 2
    assert f"media LOG1 type=image status=success bytes={len(data)}" in outcome[0]
    assert "media LOG2 type=image status=failed" in outcome[1] and "HTTP 500" in outcome[1]
    assert all(api.token not in line for line in lines)
    assert api.token not in repr(manager)


def test_open_and_url_need_a_stored_file(manager):
    with pytest.raises(MediaNotFound):
        manager.open("nothing")
    with pytest.raises(KeyError):
        manager.url("nothing")


def test_closed_manager_refuses_work(manager, publish):
    manager.close()
    with pytest.raises(ConfigError, match="closed"):
        manager.process_message(publish("LATE")[0])


def test_inline_media_of_the_wrong_type_fails(manager):
    import base64

    payload = wapi_webhook("INLINE-BAD", base64=base64.b64encode(b"<html>").decode())
    record = manager.process_message(payload)
    assert record.status == Status.FAILED and "declared image" in record.last_error
