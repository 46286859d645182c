"""The Storage interface: a few primitives per backend, conveniences derived here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from ..errors import MediaNotFound, StorageError

__all__ = ["Storage", "Writer", "check_key"]

CHUNK = 1 << 20


def check_key(key: str) -> list[str]:
    """The segments of a safe key; StorageError for one that could leave its root.

    >>> check_key("cliente_1/instance_X/imagens/A.jpg")
    ['cliente_1', 'instance_X', 'imagens', 'A.jpg']
    """
    parts = key.split("/") if isinstance(key, str) else []
    if not parts or "\\" in key or "\x00" in key or any(p in ("", ".", "..") for p in parts):
        raise StorageError(f"refusing unsafe storage key {key!r}")
    return parts


class Writer(ABC):
    """A write in progress. Nothing is visible under the final key until ``commit()``;
    ``abort()`` (or an exception inside ``with``) leaves nothing behind."""

    key: str
    bytes_written: int = 0

    @abstractmethod
    def write(self, data: bytes) -> int: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def abort(self) -> None: ...

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class Storage(ABC):
    """Where media files live, addressed by ``/``-separated keys relative to a root.

    A backend implements ``writer``, ``open``, ``size``, ``delete``, ``list`` and ``url``;
    ``exists`` and ``put`` are derived from them.
    """

    @abstractmethod
    def writer(self, key: str) -> Writer:
        """Start an atomic write of ``key``."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary file object to read ``key``; MediaNotFound when absent."""

    @abstractmethod
    def size(self, key: str) -> int:
        """Size in bytes of ``key``; MediaNotFound when absent."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove ``key``; False when it was not there."""

    @abstractmethod
    def list(self, prefix: str) -> Iterator[str]:
        """Every committed key under ``prefix`` (a folder ending with ``/``)."""

    @abstractmethod
    def url(self, key: str, expires: int = 3600) -> str:
        """A URL to fetch ``key``: presigned on S3, ``file://`` on local disk."""

    def list_temp(self, prefix: str) -> Iterator[str]:
        """Leftovers of interrupted writes under ``prefix`` (backends that have any)."""
        return iter(())

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except MediaNotFound:
            return False
        return True

    def put(self, key: str, data: bytes | BinaryIO | Iterable[bytes]) -> int:
        """Write ``data`` (bytes, a readable binary file or an iterable of chunks) atomically;
        returns the byte count."""
        with self.writer(key) as w:
            for chunk in _chunks(data):
                w.write(chunk)
        return w.bytes_written

    def close(self) -> None:
        """Release connections; the default holds none."""

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(data: bytes | BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data)
    elif hasattr(data, "read"):
        while chunk := data.read(CHUNK):
            yield chunk
    else:
        yield from data
