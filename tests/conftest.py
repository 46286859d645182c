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


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 API: moto in server mode on 127.0.0.1, for the whole session."""
    import os

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in _S3_ENV}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint)
    yield endpoint
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.stop()


_S3_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
           "AWS_ENDPOINT_URL")


@pytest.fixture
def bucket(s3_endpoint, request):
    """A fresh, empty bucket; its name."""
    import re
    import uuid

    import boto3

    name = re.sub(r"[^a-z0-9-]", "-", request.node.name.lower())[:40].strip("-")
    name = f"{name}-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return name
