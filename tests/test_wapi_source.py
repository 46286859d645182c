"""WAPISource on the wire: status mapping, host allowlist, redirects, secrets."""

from __future__ import annotations

import logging

import pytest

from wamedia import WAPISource
from wamedia.errors import ConfigError, DownloadError, ExpiredMedia
from wamedia.models import MediaRecord, MediaType, Status
from wamedia.sources.http import HostPolicy
from wamedia.testing import _FakeServer

TOKEN = "super-secret-token-0123456789"
RECORD = MediaRecord("M1", MediaType.IMAGE, Status.DOWNLOADING, mimetype="image/jpeg",
                     media_key="a2V5a2V5", direct_path="/v/t62/x")


class Gateway(_FakeServer):
    """A W-API look-alike whose answers each test chooses."""

    def __init__(self, link=None, file_status=200, redirect_to=None, latency=0.0):
        super().__init__(latency)
        self.link, self.file_status, self.redirect_to = link, file_status, redirect_to

    def route(self, h, method, body):
        if method == "POST":
            link = self.link or f"{self.origin}/media/file/1"
            return self.send(h, 200, {"error": False, "fileLink": link})
        if h.path.startswith("/media/file/") and self.redirect_to:
            h.send_response(302)
            h.send_header("Location", self.redirect_to)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return None
        if h.path.startswith("/ok"):
            return self.send(h, 200, b"\xff\xd8\xffdata", "image/jpeg")
        return self.send(h, self.file_status, b"\xff\xd8\xffdata", "image/jpeg")


def fetch(source):
    with source.open(RECORD, instance_id="I") as download:
        return b"".join(download.chunks())


def test_streams_the_file(api):
    api.add("a2V5a2V5", b"\xff\xd8\xffbytes", "image/jpeg")
    source = WAPISource(token=api.token, base_url=api.base_url)
    assert fetch(source) == b"\xff\xd8\xffbytes"
    assert api.requests["POST /v1/message/download-media"] == 1


@pytest.mark.parametrize("status, error", [(401, ConfigError), (403, ConfigError),
                                           (404, ExpiredMedia), (410, ExpiredMedia)])
def test_status_mapping(api, status, error):
    api.add("a2V5a2V5", b"x")
    api.fail("a2V5a2V5", status)
    with pytest.raises(error):
        fetch(WAPISource(token=api.token, base_url=api.base_url))


@pytest.mark.parametrize("status, retryable", [(500, True), (503, True), (429, True),
                                               (400, False)])
def test_retryable_or_not(api, status, retryable):
    api.add("a2V5a2V5", b"x")
    api.fail("a2V5a2V5", status, retry_after=7)
    with pytest.raises(DownloadError) as info:
        fetch(WAPISource(token=api.token, base_url=api.base_url))
    assert info.value.retryable is retryable and info.value.status == status
    assert info.value.retry_after == 7


def test_the_token_never_shows(api, caplog):
    source = WAPISource(token=TOKEN, base_url=api.base_url)
    assert TOKEN not in repr(source) and "supe…" in repr(source)
    api.add("a2V5a2V5", b"x")
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as info:
        fetch(source)
    assert TOKEN not in str(info.value)
    logging.getLogger("wamedia").warning("leaked %s", TOKEN)
    assert TOKEN not in caplog.text


def test_missing_media_fields_is_permanent(api):
    bare = MediaRecord("M", MediaType.IMAGE, Status.DOWNLOADING)
    with pytest.raises(DownloadError) as info:
        WAPISource(token=TOKEN, base_url=api.base_url).open(bare, instance_id="I")
    assert not info.value.retryable


@pytest.mark.parametrize("link", [
    "http://169.254.169.254/latest/meta-data/",   # cloud metadata
    "http://10.0.0.1/x", "http://[::1]/x", "http://2130706433/x",
    "file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/x",
    "http://user:pass@example.com/x", "http://localhost/x",
])
def test_file_links_to_other_hosts_are_refused(link):
    with Gateway(link=link) as gw:
        with pytest.raises(DownloadError, match="not allowed") as info:
            fetch(WAPISource(token=TOKEN, base_url=f"{gw.origin}/v1"))
        assert not info.value.retryable
        assert gw.requests.get("GET /media/file/1") is None


def test_redirects_only_to_allowed_hosts():
    with Gateway() as target, Gateway() as gw:
        port = target.origin.rsplit(":", 1)[1]
        gw.redirect_to = f"http://localhost:{port}/ok"  # another host name
        with pytest.raises(DownloadError, match="not allowed"):
            fetch(WAPISource(token=TOKEN, base_url=f"{gw.origin}/v1"))
        assert sum(target.requests.values()) == 0
        allowed = WAPISource(token=TOKEN, base_url=f"{gw.origin}/v1",
                             allowed_hosts=["localhost"])
        assert fetch(allowed) == b"\xff\xd8\xffdata"
        assert target.requests["GET /ok"] == 1


def test_redirect_loops_end():
    with Gateway() as gw:
        gw.redirect_to = f"{gw.origin}/media/file/1"
        with pytest.raises(DownloadError, match="redirects"):
            fetch(WAPISource(token=TOKEN, base_url=f"{gw.origin}/v1"))


def test_read_timeout_is_retryable():
    with Gateway(latency=1.0) as gw:
        source = WAPISource(token=TOKEN, base_url=f"{gw.origin}/v1", timeout=(1, 0.2))
        with pytest.raises(DownloadError) as info:
            fetch(source)
        assert info.value.retryable


def test_connection_refused_is_retryable():
    source = WAPISource(token=TOKEN, base_url="http://127.0.0.1:9/v1", timeout=(0.5, 0.5))
    with pytest.raises(DownloadError) as info:
        fetch(source)
    assert info.value.retryable and TOKEN not in str(info.value)


def test_bad_configuration():
    with pytest.raises(ConfigError):
        WAPISource(token="")
    with pytest.raises(ConfigError):
        WAPISource(token=TOKEN, base_url="ftp://x")


@pytest.mark.parametrize("url, allowed", [
    ("https://mmg.whatsapp.net/v/x", True),
    ("https://media-gru1-1.cdn.whatsapp.net/v/x", True),
    ("https://whatsapp.net.evil.com/v/x", False),
    ("https://evilwhatsapp.net/v/x", False),
    ("https://mmg.whatsapp.net@evil.com/v/x", False),
    ("https://mmg.whatsapp.net:99999/v/x", False),
    ("javascript:alert(1)", False),
])
def test_host_policy(url, allowed):
    assert HostPolicy(["*.whatsapp.net"]).allows(url) is allowed


def test_a_message_with_only_a_url_still_downloads(api):
    api.add("a2V5a2V5", b"\xff\xd8\xffbytes", "image/jpeg")
    only_url = RECORD._replace(direct_path=None,
                               url="https://mmg.whatsapp.net/v/t62/x.enc?ccb=9-4&mms3=true")
    source = WAPISource(token=api.token, base_url=api.base_url)
    with source.open(only_url, instance_id="I") as download:
        assert b"".join(download.chunks()) == b"\xff\xd8\xffbytes"


def test_retry_after_as_an_http_date(api):
    from email.utils import format_datetime

    from wamedia._time import in_seconds

    api.add("a2V5a2V5", b"x")
    api.fail("a2V5a2V5", 503, retry_after=format_datetime(in_seconds(120), usegmt=True))
    with pytest.raises(DownloadError) as info:
        fetch(WAPISource(token=api.token, base_url=api.base_url))
    assert 100 < info.value.retry_after <= 120
