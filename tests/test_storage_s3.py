"""FsspecStorage against a real S3 API (moto's server on loopback), through s3fs."""

from __future__ import annotations

import hashlib
import io
import os

import boto3
import pytest
import requests

from wamedia import MediaManager
from wamedia.models import Status
from wamedia.storage import FsspecStorage, open_storage

from .contract.storage import KEY, StorageContract


class TestS3Storage(StorageContract):
    @pytest.fixture
    def storage(self, bucket, s3_endpoint):
        return FsspecStorage(f"s3://{bucket}/media", endpoint_url=s3_endpoint,
                             skip_instance_cache=True, use_listings_cache=False)


class TestMemoryStorage(StorageContract):
    @pytest.fixture
    def storage(self, request):
        return FsspecStorage(f"memory://wamedia-{abs(hash(request.node.nodeid))}",
                             skip_instance_cache=True)


def s3(endpoint):
    return boto3.client("s3", endpoint_url=endpoint)


def test_large_uploads_stream_in_parts_and_abort_cleanly(bucket, s3_endpoint):
    storage = FsspecStorage(f"s3://{bucket}/media", endpoint_url=s3_endpoint,
                            skip_instance_cache=True, default_block_size=5 * 2**20)
    data = os.urandom(12 * 2**20)
    writer = storage.writer(KEY)
    for start in range(0, len(data) - 2**20, 2**20):  # all but the last MiB
        writer.write(data[start:start + 2**20])
    client = s3(s3_endpoint)
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads")  # parts went up
    assert "Contents" not in client.list_objects_v2(Bucket=bucket)  # nothing visible
    writer.abort()
    assert not client.list_multipart_uploads(Bucket=bucket).get("Uploads")
    assert "Contents" not in client.list_objects_v2(Bucket=bucket)

    storage.put(KEY, io.BytesIO(data))
    head = client.head_object(Bucket=bucket, Key=f"media/{KEY}")
    assert head["ContentLength"] == len(data)
    with storage.open(KEY) as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest()


def test_presigned_url_is_fetched_over_http(bucket, s3_endpoint):
    storage = FsspecStorage(f"s3://{bucket}/media", endpoint_url=s3_endpoint,
                            skip_instance_cache=True)
    storage.put(KEY, b"\xff\xd8\xffpresigned")
    url = storage.url(KEY, expires=60)
    assert "Signature" in url or "X-Amz-Signature" in url
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.content == b"\xff\xd8\xffpresigned"


def test_storage_options_reach_s3(bucket, s3_endpoint):
    storage = FsspecStorage(f"s3://{bucket}/media", endpoint_url=s3_endpoint,
                            skip_instance_cache=True,
                            s3_additional_kwargs={"StorageClass": "STANDARD_IA"})
    storage.put(KEY, b"x")
    head = s3(s3_endpoint).head_object(Bucket=bucket, Key=f"media/{KEY}")
    assert head.get("StorageClass") == "STANDARD_IA"


def test_manager_with_an_s3_url(tmp_path, bucket, api, publish):
    from wamedia import WAPISource

    m = MediaManager(1, "X", tmp_path, storage=f"s3://{bucket}/wa",
                     source=WAPISource(token=api.token, base_url=api.base_url))
    payload, data, _ = publish("S3-OK", "video", size=300_000)
    record = m.process_message(payload)
    assert record.status == Status.SUCCESS
    body = s3(os.environ["AWS_ENDPOINT_URL"]).get_object(
        Bucket=bucket, Key=f"wa/{record.file_path}")["Body"].read()
    assert body == data
    assert (tmp_path / "cliente_1" / "instance_X" / "media_database.db").exists()  # local
    with m.open("S3-OK") as f:
        assert f.read() == data
    assert requests.get(m.url("S3-OK"), timeout=10).content == data

    bad, _, bad_key = publish("S3-BAD", "image", size=200_000)
    api.fail(bad_key, "truncate")
    assert m.process_message(bad).status == Status.FAILED
    listed = s3(os.environ["AWS_ENDPOINT_URL"]).list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"wa/{record.file_path}"]  # nothing of the failure
    assert not s3(os.environ["AWS_ENDPOINT_URL"]).list_multipart_uploads(
        Bucket=bucket).get("Uploads")
    report = m.verify(deep=True)
    assert report.ok == 1 and report.clean
    m.close()


def test_unknown_protocols_say_what_to_install():
    from wamedia.errors import ConfigError

    with pytest.raises(ConfigError, match=r"gcsfs|fsspec backend"):
        open_storage("gs://bucket/prefix")
