"""Local disk storage: temp file in the target folder, fsync, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import MediaNotFound, StorageError
from .base import Storage, Writer, check_key

__all__ = ["LocalStorage"]

_TEMP_SUFFIX = ".part"


class LocalStorage(Storage):
    """Files under ``root``; keys that would leave it are refused.

    >>> import tempfile
    >>> s = LocalStorage(tempfile.mkdtemp())
    >>> s.put("cliente_1/instance_X/imagens/A.jpg", b"bytes")
    5
    >>> list(s.list("cliente_1/"))
    ['cliente_1/instance_X/imagens/A.jpg']
    """

    def __init__(self, root: str | os.PathLike[str] = "media_storage", *, fsync: bool = True):
        self.root = Path(root).absolute()
        self.fsync = fsync

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        """The file behind ``key``; StorageError for a key that could escape the root."""
        target = self.root.joinpath(*check_key(key))
        real_root = os.path.realpath(self.root)
        if os.path.commonpath([real_root, os.path.realpath(target)]) != real_root:
            raise StorageError(f"refusing storage key {key!r}: it leaves the root")
        return target

    def writer(self, key: str) -> Writer:
        return _LocalWriter(self, key)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise MediaNotFound(f"no stored file {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key!r}: {exc.strerror}") from exc

    def size(self, key: str) -> int:
        try:
            st = os.stat(self.path(key))
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise MediaNotFound(f"no stored file {key!r}") from exc
        if not stat.S_ISREG(st.st_mode):
            raise MediaNotFound(f"{key!r} is not a file")
        return st.st_size

    def delete(self, key: str) -> bool:
        try:
            os.unlink(self.path(key))
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError as exc:
            raise StorageError(f"cannot delete {key!r}: {exc.strerror}") from exc
        return True

    def list(self, prefix: str) -> Iterator[str]:
        return (k for k in self._walk(prefix) if not _is_temp(k))

    def list_temp(self, prefix: str) -> Iterator[str]:
        return (k for k in self._walk(prefix) if _is_temp(k))

    def url(self, key: str, expires: int = 3600) -> str:
        return self.path(key).as_uri()

    def _walk(self, prefix: str) -> Iterator[str]:
        base = self.path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        for folder, dirs, files in os.walk(base):
            dirs.sort()
            rel = Path(folder).relative_to(self.root).as_posix()
            for name in sorted(files):
                yield name if rel == "." else f"{rel}/{name}"


def _is_temp(key: str) -> bool:
    name = key.rsplit("/", 1)[-1]
    return name.startswith(".") and name.endswith(_TEMP_SUFFIX)


class _LocalWriter(Writer):
    def __init__(self, storage: LocalStorage, key: str):
        self.key = key
        self.bytes_written = 0
        self._storage = storage
        self._final = storage.path(key)
        try:
            self._final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                dir=self._final.parent, prefix=f".{self._final.name}.", suffix=_TEMP_SUFFIX
            )
        except OSError as exc:
            raise StorageError(f"cannot write {key!r}: {exc.strerror or exc}") from exc
        self._tmp = tmp
        self._file: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> int:
        if self._file is None:
            raise StorageError(f"write to {self.key!r} after commit or abort")
        try:
            n = self._file.write(data)
        except OSError as exc:
            self.abort()
            raise StorageError(f"cannot write {self.key!r}: {exc.strerror or exc}") from exc
        self.bytes_written += n
        return n

    def commit(self) -> None:
        if self._file is None:
            raise StorageError(f"{self.key!r} was already committed or aborted")
        try:
            self._file.flush()
            if self._storage.fsync:
                os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            os.replace(self._tmp, self._final)
        except OSError as exc:
            self.abort()
            raise StorageError(f"cannot commit {self.key!r}: {exc.strerror or exc}") from exc
        if self._storage.fsync:
            _fsync_dir(self._final.parent)

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)

    def __del__(self) -> None:  # an abandoned writer must not leave its temp file
        if getattr(self, "_file", None) is not None:
            self.abort()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
