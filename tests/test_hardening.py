"""Hostile input and faults: nothing is lost, nothing gets in, workers stay healthy."""

from __future__ import annotations

import errno
import io
import json
import logging
import sqlite3
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wamedia import LocalStorage, MediaManager, SQLiteIndex, WAPISource
from wamedia.errors import PayloadError, StorageError
from wamedia.models import MediaRef, Status
from wamedia.storage import Storage
from wamedia.testing import _FakeServer
from wamedia.webhooks import parse, sign, verify_signature, verify_token

from .samples import KINDS, media, wapi_webhook
from .test_webhooks_baileys import evolution, image_node

# -- fuzzing the parsers ---------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12),
                                                                inner, max_size=5),
    max_leaves=20,
)
field_values = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                         st.floats(), st.text(max_size=30), st.binary(max_size=40),
                         st.lists(st.integers(-5, 300), max_size=40),
                         st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
MEDIA_FIELDS = ["mimetype", "mediaKey", "directPath", "url", "fileSha256", "fileEncSha256",
                "fileLength", "seconds", "width", "height", "ptt", "caption", "fileName",
                "mediaKeyTimestamp", "base64"]


def only_refs_or_payload_error(payload) -> None:
    try:
        refs = parse(payload)
    except PayloadError:
        return
    assert isinstance(refs, list) and all(isinstance(r, MediaRef) for r in refs)
    for ref in refs:
        assert ref.message_id and isinstance(ref.message_id, str)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_parses_or_is_a_payload_error(value):
    only_refs_or_payload_error(value)
    only_refs_or_payload_error(json.dumps(value))


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(list(KINDS)),
       fields=st.dictionaries(st.sampled_from(MEDIA_FIELDS), field_values, max_size=8),
       top=st.dictionaries(st.sampled_from(["messageId", "moment", "isGroup", "fromMe",
                                            "sender", "chat"]), field_values, max_size=4))
def test_wapi_shaped_payloads_with_odd_values(kind, fields, top):
    payload = wapi_webhook("M1", kind)
    payload["msgContent"][KINDS[kind]].update(fields)
    payload.update(top)
    only_refs_or_payload_error(payload)


@settings(max_examples=300, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(MEDIA_FIELDS), field_values, max_size=8),
       key=st.dictionaries(st.sampled_from(["id", "remoteJid", "participant", "fromMe"]),
                           field_values, max_size=4),
       timestamp=field_values)
def test_baileys_shaped_payloads_with_odd_values(fields, key, timestamp):
    payload = evolution({"imageMessage": image_node(**fields)})
    payload["data"]["key"].update(key)
    payload["data"]["messageTimestamp"] = timestamp
    only_refs_or_payload_error(payload)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message_id=st.text(min_size=1, max_size=80))
def test_any_message_id_is_stored_inside_the_tenant(tmp_path_factory, message_id):
    root = tmp_path_factory.mktemp("fuzz")
    m = MediaManager(1, "X", root)
    data, _ = media("image", 100)
    payload = wapi_webhook("placeholder", base64=__import__("base64").b64encode(data).decode())
    payload["messageId"] = message_id
    record = m.process_message(payload)
    assert record.status == Status.SUCCESS
    assert record.file_path.startswith("cliente_1/instance_X/imagens/")
    assert (root / record.file_path).resolve().is_relative_to(root.resolve() / "cliente_1")
    with m.open(message_id) as f:
        assert f.read() == data
    m.close()


# -- hostile servers -------------------------------------------------------------------


class Hostile(_FakeServer):
    """A gateway that answers download-media properly, then serves a hostile body."""

    def __init__(self, mode: str, body: bytes = b""):
        super().__init__()
        self.mode, self.body = mode, body

    def route(self, h, method, body):
        if method == "POST":
            return self.send(h, 200, {"error": False, "fileLink": f"{self.origin}/file"})
        if self.mode == "endless":  # chunked, for ever (bounded here to 10 s)
            h.send_response(200)
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"\xff\xd8\xff" + b"A" * 65533
            deadline = time.monotonic() + 10
            try:
                while time.monotonic() < deadline:
                    h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                pass
            h.close_connection = True
            return None
        if self.mode == "slowloris":  # one byte every 20 ms (bounded here to 10 s)
            h.send_response(200)
            h.send_header("Content-Length", "100000")
            h.end_headers()
            deadline = time.monotonic() + 10
            try:
                for b in (b"\xff\xd8\xff" + b"A" * 99997):
                    if time.monotonic() > deadline:
                        break
                    h.wfile.write(bytes([b]))
                    h.wfile.flush()
                    time.sleep(0.02)
            except OSError:
                pass
            h.close_connection = True
            return None
        return self.send(h, 200, self.body, content_type="text/html")  # "wrongtype"


def hostile_manager(tmp_path, server, **options):
    source = WAPISource(token="hostile-token-123456", base_url=f"{server.origin}/v1",
                        min_speed=20_000, speed_window=0.5)
    return MediaManager(1, "X", tmp_path, source=source, retries=0, **options)


def webhook_for(message_id, kind="image", **node):
    return wapi_webhook(message_id, kind, **node)


def nothing_stored(root):
    return [p for p in root.rglob("*") if p.is_file()
            and not p.name.startswith("media_database.db")] == []


@pytest.mark.parametrize("mode, limit, reason", [
    ("endless", 2_000_000, "over the limit"),
    ("slowloris", 2 * 2**30, "too slow"),
])
def test_endless_and_slow_bodies_are_cut_off(tmp_path, mode, limit, reason):
    with Hostile(mode) as server:
        m = hostile_manager(tmp_path, server, max_bytes=limit)
        started = time.monotonic()
        record = m.process_message(webhook_for("H1"))
        assert time.monotonic() - started < 9  # the server would go on for 10 s
        assert record.status == Status.FAILED and reason in record.last_error
        assert nothing_stored(tmp_path) and m.verify().temp == []
        m.close()


def polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.sh", "echo pwned")
    return media("image", 5000)[0] + archive.getvalue()


def test_a_zip_hidden_in_an_image_is_refused(tmp_path, api):
    payload = webhook_for("POLY")
    api.add(payload["msgContent"]["imageMessage"]["mediaKey"], polyglot(), "image/jpeg")
    m = MediaManager(1, "X", tmp_path, source=WAPISource(token=api.token,
                                                         base_url=api.base_url))
    record = m.process_message(payload)
    assert record.status == Status.FAILED and "polyglot" in record.last_error
    assert record.next_attempt_at is None and nothing_stored(tmp_path)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    docx = webhook_for("DOCX", "document", mimetype="application/vnd.openxmlformats-"
                       "officedocument.wordprocessingml.document", fileName="a.docx")
    api.add(docx["msgContent"]["documentMessage"]["mediaKey"], archive.getvalue())
    record = m.process_message(docx)
    assert record.status == Status.SUCCESS and record.file_path.endswith(".docx")
    m.close()


def test_a_wrong_content_type_does_not_matter_but_the_bytes_do(tmp_path):
    good, _ = media("image", 3000)
    with Hostile("wrongtype", good) as server:  # an image served as text/html
        m = hostile_manager(tmp_path, server)
        assert m.process_message(webhook_for("CT")).status == Status.SUCCESS
        m.close()
    with Hostile("wrongtype", b"<!doctype html><h1>502 Bad Gateway</h1>") as server:
        m = hostile_manager(tmp_path / "2", server)
        record = m.process_message(webhook_for("HTML"))
        assert record.status == Status.FAILED and "declared image" in record.last_error
        m.close()


def test_workers_stay_healthy_after_hostile_media(tmp_path, api, publish):
    with Hostile("endless") as server:
        bad = MediaManager(1, "X", tmp_path, max_bytes=500_000, workers=2, retries=0,
                           source=[WAPISource(token="t" * 16, base_url=f"{server.origin}/v1")])
        for i in range(4):
            bad.process_message(webhook_for(f"E{i}"), wait=False)
        bad.close(wait=True)
    good = MediaManager(1, "X", tmp_path, workers=2,
                        source=WAPISource(token=api.token, base_url=api.base_url))
    for i in range(4):
        good.process_message(publish(f"G{i}")[0], wait=False)
    good.close(wait=True)
    s = MediaManager(1, "X", tmp_path).stats()
    assert (s.downloaded, s.failed) == (4, 4)


# -- faults ----------------------------------------------------------------------------


class FaultyStorage(Storage):
    """LocalStorage that fails the way disks do: after some bytes of a write."""

    def __init__(self, root, fail_after: int, error: OSError):
        self.inner = LocalStorage(root)
        self.fail_after, self.error, self.enabled = fail_after, error, True

    def writer(self, key):
        inner, storage = self.inner.writer(key), self
        original = inner.write

        def write(data):
            if storage.enabled and inner.bytes_written + len(data) > storage.fail_after:
                inner.abort()
                raise StorageError(f"cannot write {key!r}: {storage.error.strerror}")
            return original(data)

        inner.write = write
        return inner

    def open(self, key):
        return self.inner.open(key)

    def size(self, key):
        return self.inner.size(key)

    def delete(self, key):
        return self.inner.delete(key)

    def list(self, prefix):
        return self.inner.list(prefix)

    def list_temp(self, prefix):
        return self.inner.list_temp(prefix)

    def url(self, key, expires=3600):
        return self.inner.url(key, expires)


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   OSError(errno.EIO, "Input/output error")])
def test_storage_failing_mid_write(tmp_path, api, publish, error):
    storage = FaultyStorage(tmp_path, 10_000, error)
    m = MediaManager(1, "X", tmp_path, storage=storage, retries=0,
                     source=WAPISource(token=api.token, base_url=api.base_url))
    payload, _, _ = publish("DISK", size=300_000)
    record = m.process_message(payload)
    assert record.status == Status.FAILED and error.strerror in record.last_error
    assert record.next_attempt_at is not None  # a disk can be freed: it will heal
    assert nothing_stored(tmp_path) and m.verify().temp == []
    storage.enabled = False
    m.index.update("DISK", Status.FAILED, next_attempt_at=record.created_at)
    assert m.download("DISK").status == Status.SUCCESS
    m.close()


def test_a_locked_index_is_a_clear_error_and_loses_nothing(tmp_path, api, publish):
    path = MediaManager.index_path(tmp_path, 1, "X")
    m = MediaManager(1, "X", tmp_path, index=SQLiteIndex(path, timeout=0.3),
                     source=WAPISource(token=api.token, base_url=api.base_url))
    payload, _, _ = publish("LOCKED")
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked"):
            m.process_message(payload)
    finally:
        blocker.rollback()
        blocker.close()
    assert m.process_message(payload).status == Status.SUCCESS  # the gateway's retry
    m.close()


# -- secrets and tenants ---------------------------------------------------------------


def test_the_token_never_leaks(tmp_path, api, publish, caplog):
    secret = "super-secret-token-do-not-log"
    with caplog.at_level(logging.DEBUG):
        m = MediaManager(1, "X", tmp_path, source=WAPISource(token=secret,
                                                             base_url=api.base_url))
        payload, _, _ = publish("LEAK")
        with pytest.raises(Exception) as info:
            m.process_message(payload)  # the fake rejects this token
        logging.getLogger("wamedia").error("oops %s", secret)
        record = m.get("LEAK")
        text = "\n".join([caplog.text, str(info.value), repr(info.value), repr(m),
                          repr(m.sources), json.dumps(record.to_dict())])
        m.close()
    assert secret not in text and "supe…" in text


def test_one_tenant_never_reaches_another(tmp_path, api, publish):
    source = WAPISource(token=api.token, base_url=api.base_url)
    other = MediaManager(2, "Y", tmp_path, source=source)
    theirs = other.process_message(publish("THEIRS")[0])
    mine = MediaManager(1, "X", tmp_path, source=source)
    mine.process_message(publish("MINE")[0])
    # a row in my index that points at their file (a tampered or odd legacy row)
    mine.index.update("MINE", Status.SUCCESS, file_path=theirs.file_path)
    with pytest.raises(KeyError):
        mine.open("MINE")
    with pytest.raises(KeyError):
        mine.open("THEIRS")
    assert mine.verify().missing == ["MINE"]
    mine.index.update("MINE", Status.SUCCESS,
                      download_timestamp=theirs.created_at.replace(year=2000))
    assert mine.purge_older_than(days=1).files == 0
    assert (tmp_path / theirs.file_path).exists()
    from wamedia.backup import backup

    report = backup(mine, str(tmp_path / "offsite"))
    assert report.missing == ["MINE"] and report.copied == 0
    assert not (tmp_path / "offsite" / "cliente_2").exists()
    assert all(k.startswith("cliente_1/instance_X/") for k in mine.storage.list("cliente_1/"))
    other.close()
    mine.close()


def test_webhook_signatures():
    body = b'{"event": "webhookReceived"}'
    good = sign(body, "shared-secret")
    assert verify_signature(body, good, "shared-secret")
    assert verify_signature(body, good.split("=", 1)[1], "shared-secret")  # bare hex
    assert not verify_signature(body + b" ", good, "shared-secret")
    assert not verify_signature(body, good, "other-secret")
    assert not verify_signature(body, None, "shared-secret")
    assert not verify_signature(body, "sha256=zz", "shared-secret")
    assert not verify_signature(body, good, "")
    assert verify_token("abc123", "abc123") and not verify_token("abc124", "abc123")
    assert not verify_token(None, "abc123")
