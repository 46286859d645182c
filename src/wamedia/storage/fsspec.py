"""Any fsspec URL as storage: ``s3://bucket/prefix`` (through s3fs), ``gs://``, ``memory://``...

On S3, writes stream as a multipart upload (``autocommit=False``: parts of
``block_size``, so memory stays bounded) that becomes visible only when ``commit()``
completes it after verification; an abort cancels the upload, so a failed download never
leaves an object behind. Other filesystems write a temporary ``.name.<random>.part`` file
and move it into place on commit.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import ConfigError, MediaNotFound, StorageError
from .base import Storage, Writer, check_key

__all__ = ["FsspecStorage"]

_MULTIPART = {"s3", "s3a"}  # uploads that stay invisible until committed
SMALL = 5 * 2**20  # up to this, one PUT on commit; past it, a multipart upload
_TEMP_SUFFIX = ".part"
_INSTALL_HINTS = {"s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs",
                  "az": "adlfs", "abfs": "adlfs"}


class FsspecStorage(Storage):
    """Storage on an fsspec filesystem; ``options`` go to it unchanged.

    For S3 (s3fs): ``endpoint_url`` (MinIO and other S3 APIs), ``key``/``secret``,
    ``client_kwargs={"region_name": ...}``, and for every write
    ``s3_additional_kwargs={"StorageClass": "STANDARD_IA", "ServerSideEncryption":
    "aws:kms", ...}``. Credentials otherwise come from the usual AWS environment.

    >>> s = FsspecStorage("memory://wamedia-doctest")
    >>> s.put("cliente_1/instance_X/imagens/A.jpg", b"bytes")
    5
    >>> s.size("cliente_1/instance_X/imagens/A.jpg")
    5
    """

    def __init__(self, url: str, **options: Any):
        try:
            import fsspec
        except ImportError as exc:
            raise ConfigError("fsspec storage needs fsspec: pip install 'wamedia[s3]'") from exc
        protocol = url.split("://", 1)[0] if "://" in url else "file"
        try:
            self.fs, root = fsspec.core.url_to_fs(url, **options)
        except ImportError as exc:
            package = _INSTALL_HINTS.get(protocol, f"the fsspec backend for {protocol}://")
            raise ConfigError(f"{protocol}:// storage needs {package}: "
                              f"pip install 'wamedia[s3]' (or {package})") from exc
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"cannot use storage {url!r}: {exc}") from exc
        self.location = url
        self.root = root.rstrip("/")
        self.multipart = protocol in _MULTIPART

    def __repr__(self) -> str:
        return f"FsspecStorage({self.location!r})"

    def path(self, key: str) -> str:
        return f"{self.root}/{'/'.join(check_key(key))}"

    def writer(self, key: str) -> Writer:
        if self.multipart:
            return _MultipartWriter(self, key)
        return _TempFileWriter(self, key)

    def open(self, key: str) -> BinaryIO:
        try:
            return self.fs.open(self.path(key), "rb")
        except FileNotFoundError as exc:
            raise MediaNotFound(f"no stored file {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key!r}: {exc}") from exc

    def size(self, key: str) -> int:
        try:
            info = self.fs.info(self.path(key))
        except FileNotFoundError as exc:
            raise MediaNotFound(f"no stored file {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot stat {key!r}: {exc}") from exc
        if info.get("type") != "file":
            raise MediaNotFound(f"{key!r} is not a file")
        return int(info["size"])

    def delete(self, key: str) -> bool:
        if not self.exists(key):
            return False
        try:
            self.fs.rm_file(self.path(key))
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StorageError(f"cannot delete {key!r}: {exc}") from exc
        return True

    def list(self, prefix: str) -> Iterator[str]:
        return (k for k in self._find(prefix) if not _is_temp(k))

    def list_temp(self, prefix: str) -> Iterator[str]:
        return (k for k in self._find(prefix) if _is_temp(k))

    def _find(self, prefix: str) -> list[str]:
        folder = f"{self.root}/{prefix}".rstrip("/")
        try:
            paths = self.fs.find(folder)
        except FileNotFoundError:
            return []
        # a prefix is a folder: "cliente_1/" must not list "cliente_10/"
        return sorted(p[len(self.root) + 1:] for p in paths if p.startswith(folder + "/"))

    def url(self, key: str, expires: int = 3600) -> str:
        path = self.path(key)
        try:
            return self.fs.sign(path, expiration=expires)
        except NotImplementedError:
            return self.fs.unstrip_protocol(path)

    def close(self) -> None:
        """Nothing to release: fsspec keeps its clients per process."""


class _MultipartWriter(Writer):
    """Small files are kept in memory and sent in one PUT on commit; past ``SMALL`` bytes
    a multipart upload starts, completed on commit and aborted on abort."""

    def __init__(self, storage: FsspecStorage, key: str):
        self.key = key
        self.bytes_written = 0
        self._storage = storage
        self._buffer: io.BytesIO | None = io.BytesIO()
        self._file: Any = None

    def write(self, data: bytes) -> int:
        if self._buffer is None and self._file is None:
            raise StorageError(f"write to {self.key!r} after commit or abort")
        try:
            if self._file is None and self.bytes_written + len(data) > SMALL:
                self._file = self._storage.fs.open(self._storage.path(self.key), "wb",
                                                   autocommit=False)
                self._file.write(self._buffer.getbuffer())
                self._buffer = None
            (self._file or self._buffer).write(data)
        except OSError as exc:
            self.abort()
            raise StorageError(f"cannot write {self.key!r}: {exc}") from exc
        self.bytes_written += len(data)
        return len(data)

    def commit(self) -> None:
        buffer, file = self._buffer, self._file
        if buffer is None and file is None:
            raise StorageError(f"{self.key!r} was already committed or aborted")
        self._buffer = self._file = None
        try:
            if file is None:
                self._storage.fs.pipe_file(self._storage.path(self.key), buffer.getvalue())
            else:
                file.close()
                file.commit()
        except OSError as exc:
            if file is not None:
                _discard(file)
            raise StorageError(f"cannot commit {self.key!r}: {exc}") from exc

    def abort(self) -> None:
        file, self._buffer, self._file = self._file, None, None
        if file is not None:
            _discard(file)

    def __del__(self) -> None:  # an abandoned writer must not leave an upload open
        if getattr(self, "_file", None) is not None:
            self.abort()


class _TempFileWriter(Writer):
    """A temporary file beside the final one, moved into place on commit."""

    def __init__(self, storage: FsspecStorage, key: str):
        folder, _, name = key.rpartition("/")
        self._storage = storage
        self._temp = f"{folder}/.{name}.{uuid.uuid4().hex[:12]}{_TEMP_SUFFIX}".lstrip("/")
        self.key = key
        self.bytes_written = 0
        try:
            self._file: Any = storage.fs.open(storage.path(self._temp), "wb")
        except OSError as exc:
            raise StorageError(f"cannot write {key!r}: {exc}") from exc

    def write(self, data: bytes) -> int:
        if self._file is None:
            raise StorageError(f"write to {self.key!r} after commit or abort")
        try:
            self._file.write(data)
        except OSError as exc:
            self.abort()
            raise StorageError(f"cannot write {self.key!r}: {exc}") from exc
        self.bytes_written += len(data)
        return len(data)

    def commit(self) -> None:
        if self._file is None:
            raise StorageError(f"{self.key!r} was already committed or aborted")
        file, self._file = self._file, None
        fs = self._storage.fs
        try:
            file.close()
            fs.mv(self._storage.path(self._temp), self._storage.path(self.key))
        except OSError as exc:
            self._remove_temp()
            raise StorageError(f"cannot commit {self.key!r}: {exc}") from exc

    def abort(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            with contextlib.suppress(Exception):
                file.close()
            self._remove_temp()

    def _remove_temp(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._storage.fs.rm_file(self._storage.path(self._temp))

    def __del__(self) -> None:  # an abandoned writer must not leave its temp file
        if getattr(self, "_file", None) is not None:
            self.abort()


def _is_temp(key: str) -> bool:
    name = key.rsplit("/", 1)[-1]
    return name.startswith(".") and name.endswith(_TEMP_SUFFIX)


def _discard(file: Any) -> None:
    with contextlib.suppress(Exception):  # the upload may be gone already: nothing shows
        file.discard()
    with contextlib.suppress(AttributeError):
        file.closed = True  # so that close() uploads nothing of what was discarded
