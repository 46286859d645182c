from __future__ import annotations

import os

import pytest

from wamedia import LocalStorage
from wamedia.errors import StorageError

from .contract.storage import KEY, StorageContract


class TestLocalStorage(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path):
        return LocalStorage(tmp_path / "root")


def test_symlink_out_of_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    (root / "cliente_1").mkdir(parents=True)
    os.symlink(outside, root / "cliente_1" / "instance_X")
    with pytest.raises(StorageError):
        LocalStorage(root).put(KEY, b"x")
    assert list(outside.iterdir()) == []


def test_disk_error_midway_leaves_no_temp_file(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    writer = storage.writer(KEY)
    writer.write(b"part")

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer._file, "write", disk_full)
    with pytest.raises(StorageError, match="No space left"):
        writer.write(b"more")
    assert list(storage.list_temp("cliente_1/")) == []
    assert not storage.exists(KEY)


def test_temp_leftovers_are_listed_apart(tmp_path):
    storage = LocalStorage(tmp_path)
    abandoned = storage.writer(KEY)
    abandoned.write(b"x")
    assert list(storage.list("cliente_1/")) == []
    assert len(list(storage.list_temp("cliente_1/"))) == 1
    abandoned.abort()
    assert list(storage.list_temp("cliente_1/")) == []


def test_url_is_a_file_uri(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put(KEY, b"x")
    assert storage.url(KEY) == (tmp_path / KEY).as_uri()
