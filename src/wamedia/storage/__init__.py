"""Storage backends: local disk by default, any fsspec URL (``s3://...``) when installed."""

from __future__ import annotations

import os

from ..errors import ConfigError
from .base import Storage, Writer
from .local import LocalStorage

__all__ = ["LocalStorage", "Storage", "Writer", "open_storage"]


def open_storage(location: str | os.PathLike[str]) -> Storage:
    """A Storage for a folder path or a ``file://`` URL."""
    text = os.fspath(location)
    if text.startswith("file://"):
        return LocalStorage(text[len("file://"):])
    if "://" in text:
        raise ConfigError(f"no storage backend for {text.split('://')[0]}:// URLs yet")
    return LocalStorage(text)
