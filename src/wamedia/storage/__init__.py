"""Storage backends: local disk by default; any fsspec URL (``s3://...``) with
``pip install 'wamedia[s3]'``."""

from __future__ import annotations

import os
from typing import Any

from .base import Storage, Writer, check_key
from .local import LocalStorage

__all__ = ["FsspecStorage", "LocalStorage", "Storage", "Writer", "check_key", "open_storage"]


def open_storage(location: str | os.PathLike[str], **options: Any) -> Storage:
    """A Storage for a folder path or a URL (``file://``, ``s3://``, any fsspec protocol).

    >>> open_storage("/srv/media")
    LocalStorage('/srv/media')
    """
    text = os.fspath(location)
    if text.startswith("file://") and not options:
        return LocalStorage(text[len("file://"):])
    if "://" in text:
        from .fsspec import FsspecStorage

        return FsspecStorage(text, **options)
    return LocalStorage(text, **options)


def __getattr__(name: str) -> Any:  # fsspec is imported only when it is used
    if name == "FsspecStorage":
        from .fsspec import FsspecStorage

        return FsspecStorage
    raise AttributeError(name)
