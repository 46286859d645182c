from __future__ import annotations

import pytest

from wamedia import MediaManager, WAPISource
from wamedia.testing import FakeWAPI

from .samples import media, wapi_webhook


@pytest.fixture
def api():
    with FakeWAPI(token="test-token-0123456789") as fake:
        yield fake


@pytest.fixture
def source(api):
    return WAPISource(token=api.token, base_url=api.base_url)


@pytest.fixture
def manager(tmp_path, source):
    m = MediaManager(1, "3B6XIW", tmp_path / "media", source=source, retries=2)
    yield m
    m.close()


@pytest.fixture
def publish(api):
    """Put media on the fake gateway; returns the webhook that announces it and its bytes."""

    def make(message_id: str, kind: str = "image", size: int = 4096, **kw):
        data, mime = media(kind, size)
        payload = wapi_webhook(message_id, kind, data=data, **kw)
        node = next(iter(payload["msgContent"].values()))
        api.add(node["mediaKey"], data, mime)
        return payload, data, node["mediaKey"]

    return make
