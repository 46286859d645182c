"""The Storage contract: every backend inherits these tests and supplies a `storage` fixture."""

from __future__ import annotations

import io

import pytest

from wamedia.errors import MediaNotFound, StorageError

KEY = "cliente_1/instance_X/imagens/M1.jpg"


class StorageContract:
    def test_put_then_read_back(self, storage):
        assert storage.put(KEY, b"hello") == 5
        with storage.open(KEY) as f:
            assert f.read() == b"hello"
        assert storage.size(KEY) == 5
        assert storage.exists(KEY)
        assert list(storage.list("cliente_1/")) == [KEY]

    def test_put_accepts_files_and_chunk_iterables(self, storage):
        storage.put(KEY, io.BytesIO(b"x" * 3_000_000))
        assert storage.size(KEY) == 3_000_000
        storage.put(KEY, iter([b"a", b"b", b"c"]))
        with storage.open(KEY) as f:
            assert f.read() == b"abc"

    def test_missing_key(self, storage):
        with pytest.raises(MediaNotFound):
            storage.open(KEY)
        with pytest.raises(MediaNotFound):
            storage.size(KEY)
        with pytest.raises(KeyError):  # MediaNotFound is a KeyError too
            storage.size(KEY)
        assert not storage.exists(KEY)
        assert storage.delete(KEY) is False

    def test_delete(self, storage):
        storage.put(KEY, b"x")
        assert storage.delete(KEY) is True
        assert not storage.exists(KEY)

    def test_stream_failing_midway_leaves_nothing(self, storage):
        def chunks():
            yield b"first part"
            raise ConnectionError("peer went away")

        with pytest.raises(ConnectionError):
            storage.put(KEY, chunks())
        assert not storage.exists(KEY)
        assert list(storage.list("cliente_1/")) == []
        assert list(storage.list_temp("cliente_1/")) == []

    def test_failed_rewrite_keeps_the_previous_file(self, storage):
        storage.put(KEY, b"old")
        with pytest.raises(ValueError), storage.writer(KEY) as w:
            w.write(b"new and partial")
            raise ValueError("verification failed")
        with storage.open(KEY) as f:
            assert f.read() == b"old"

    def test_nothing_visible_before_commit(self, storage):
        w = storage.writer(KEY)
        w.write(b"data")
        assert not storage.exists(KEY)
        assert list(storage.list("cliente_1/")) == []
        w.commit()
        assert storage.exists(KEY)

    def test_prefix_is_a_folder(self, storage):
        storage.put("cliente_1/instance_X/imagens/a.jpg", b"1")
        storage.put("cliente_10/instance_X/imagens/b.jpg", b"2")
        assert list(storage.list("cliente_1/")) == ["cliente_1/instance_X/imagens/a.jpg"]

    @pytest.mark.parametrize("key", [
        "../escape.jpg", "/etc/passwd", "cliente_1/../../x", "a//b", "a/./b", "a\\b",
        "a/\x00b", "", "cliente_1/instance_X/..",
    ])
    def test_unsafe_keys_are_refused(self, storage, key):
        with pytest.raises(StorageError):
            storage.put(key, b"x")

    def test_url_names_the_file(self, storage):
        from urllib.parse import urlsplit

        storage.put(KEY, b"x")
        assert urlsplit(storage.url(KEY)).path.endswith("/imagens/M1.jpg")
