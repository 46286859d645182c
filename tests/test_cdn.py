"""CDNSource through the manager against FakeCDN: decrypt, verify, refresh, fall back."""

from __future__ import annotations

import pytest
import requests

from wamedia import CDNSource, MediaManager, WAPISource
from wamedia.errors import DownloadError
from wamedia.models import MediaRecord, MediaType, Status
from wamedia.sources import Download, Source
from wamedia.testing import FakeCDN

from .samples import KINDS, media
from .test_wapi_source import Gateway


def baileys_webhook(message_id: str, kind: str, node: dict) -> dict:
    return {"key": {"remoteJid": "5511988887777@s.whatsapp.net", "fromMe": False,
                    "id": message_id},
            "pushName": "Ana", "messageTimestamp": 1718000000,
            "message": {KINDS[kind]: node}}


@pytest.fixture
def cdn():
    with FakeCDN() as fake:
        yield fake


@pytest.fixture
def cdn_source(cdn):
    return CDNSource(base_url=cdn.base_url, allowed_hosts=cdn.hosts)


@pytest.fixture
def cdn_manager(tmp_path, cdn_source):
    m = MediaManager(1, "X", tmp_path, source=cdn_source, retries=1)
    yield m
    m.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_decrypted_and_verified(cdn, cdn_manager, kind):
    data, mime = media(kind, 100_003)
    record = cdn_manager.process_message(baileys_webhook(f"C-{kind}", kind,
                                                        cdn.add(data, kind, mimetype=mime)))
    assert record.status == Status.SUCCESS and record.delivered_by == "cdn"
    assert record.file_size == len(data) and record.family == "baileys"
    with cdn_manager.open(f"C-{kind}") as f:
        assert f.read() == data


def test_tampered_ciphertext_is_never_stored(cdn, cdn_manager, tmp_path):
    data, mime = media("image", 50_000)
    node = cdn.add(data, "image", mimetype=mime)
    cdn.fail(node["mediaKey"], "corrupt")
    record = cdn_manager.process_message(baileys_webhook("EVIL", "image", node))
    assert record.status == Status.FAILED and "MAC" in record.last_error
    assert record.next_attempt_at is None
    assert not list((tmp_path / "cliente_1").rglob("EVIL*"))
    assert cdn_manager.verify().temp == []


def test_a_wrong_declared_hash_fails(cdn, cdn_manager):
    data, mime = media("video", 20_000)
    node = cdn.add(data, "video", mimetype=mime) | {"fileEncSha256": "q83vEjRWeJA="}
    record = cdn_manager.process_message(baileys_webhook("HASH", "video", node))
    assert record.status == Status.FAILED and "fileEncSha256" in record.last_error


def test_a_cut_body_is_retried(cdn, cdn_manager):
    data, mime = media("audio", 300_000)
    node = cdn.add(data, "audio", mimetype=mime)
    cdn.fail(node["mediaKey"], "truncate", times=1)
    record = cdn_manager.process_message(baileys_webhook("CUT", "audio", node))
    assert record.status == Status.SUCCESS and cdn.downloads[node["mediaKey"]] == 2


def test_expired_media_is_refreshed_once(tmp_path, cdn):
    data, mime = media("image", 10_000)
    stale = cdn.add(data, "image", mimetype=mime)
    cdn.remove(stale["directPath"])
    asked = []

    def reupload(record: MediaRecord):
        asked.append(record.message_id)
        fresh = cdn.add(data, "image", mimetype=mime)
        return {"media_key": fresh["mediaKey"], "direct_path": fresh["directPath"],
                "file_enc_sha256": fresh["fileEncSha256"]}

    source = CDNSource(base_url=cdn.base_url, allowed_hosts=cdn.hosts, refresh=reupload)
    m = MediaManager(1, "X", tmp_path, source=source)
    record = m.process_message(baileys_webhook("OLD", "image", stale))
    assert asked == ["OLD"]
    assert record.status == Status.SUCCESS and record.media_key != stale["mediaKey"]
    with m.open("OLD") as f:
        assert f.read() == data
    m.close()


def test_a_refresh_that_does_not_help_is_recorded(tmp_path, cdn):
    data, mime = media("image", 10_000)
    stale = cdn.add(data, "image", mimetype=mime)
    cdn.remove(stale["directPath"])
    source = CDNSource(base_url=cdn.base_url, allowed_hosts=cdn.hosts,
                       refresh=lambda r: {"direct_path": "/v/still-gone.enc"})
    m = MediaManager(1, "X", tmp_path, source=source)
    record = m.process_message(baileys_webhook("GONE", "image", stale))
    assert record.status == Status.EXPIRED and "after refreshing" in record.last_error
    assert record.direct_path == "/v/still-gone.enc"
    without = MediaManager(2, "X", tmp_path, source=CDNSource(base_url=cdn.base_url,
                                                             allowed_hosts=cdn.hosts))
    assert without.process_message(baileys_webhook("GONE", "image", stale)).status == "expired"
    m.close()
    without.close()


def test_the_cdn_falls_back_to_the_gateway(tmp_path, cdn, api):
    data, mime = media("document", 30_000)
    node = cdn.add(data, "document", mimetype=mime)
    cdn.remove(node["directPath"])
    api.add(node["mediaKey"], data, mime)
    m = MediaManager(1, "X", tmp_path, source=[
        CDNSource(base_url=cdn.base_url, allowed_hosts=cdn.hosts),
        WAPISource(token=api.token, base_url=api.base_url)])
    record = m.process_message(baileys_webhook("CHAIN", "document", node))
    assert record.status == Status.SUCCESS and record.delivered_by == "wapi"
    m.close()


def test_urls_outside_the_allowlist_are_never_fetched(tmp_path, cdn):
    data, mime = media("image", 5_000)
    node = cdn.add(data, "image", mimetype=mime)
    del node["directPath"]  # only the url is left, and it points at loopback
    m = MediaManager(1, "X", tmp_path, source=CDNSource())  # WhatsApp's hosts only
    record = m.process_message(baileys_webhook("SSRF", "image", node))
    assert record.status == Status.FAILED and "not allowed" in record.last_error
    assert record.next_attempt_at is None and sum(cdn.requests.values()) == 0
    m.close()


def test_redirects_off_the_allowlist_are_refused(tmp_path):
    with Gateway() as target, Gateway() as cdn_host:
        port = target.origin.rsplit(":", 1)[1]
        cdn_host.redirect_to = f"http://localhost:{port}/ok"
        source = CDNSource(base_url=cdn_host.origin, allowed_hosts=["127.0.0.1"])
        record = MediaRecord("R", MediaType.IMAGE, Status.DOWNLOADING,
                             media_key="A" * 43 + "=", direct_path="/media/file/1")
        with pytest.raises(DownloadError, match="not allowed"):
            source.open(record, instance_id="X")
        assert sum(target.requests.values()) == 0


def test_a_source_needs_a_media_key():
    record = MediaRecord("R", MediaType.IMAGE, Status.DOWNLOADING, direct_path="/v/x")
    with pytest.raises(DownloadError, match="mediaKey") as info:
        CDNSource().open(record, instance_id="X")
    assert not info.value.retryable


class RaisingSource(Source):
    """A user's own source whose transport raises its own exceptions."""

    name = "custom"

    def __init__(self, status: int):
        self.status = status

    def open(self, media: MediaRecord, *, instance_id: str) -> Download:
        response = requests.Response()
        response.status_code = self.status
        raise requests.HTTPError(f"{self.status} from upstream", response=response)


@pytest.mark.parametrize("status, expected", [(410, Status.EXPIRED), (404, Status.EXPIRED),
                                              (503, Status.FAILED)])
def test_status_is_read_from_foreign_errors(tmp_path, cdn, status, expected):
    data, _ = media("image", 1_000)
    m = MediaManager(1, "X", tmp_path, source=RaisingSource(status), retries=0)
    record = m.process_message(baileys_webhook("F", "image", cdn.add(data, "image")))
    assert record.status == expected and str(status) in record.last_error
    m.close()
