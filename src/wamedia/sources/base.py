"""The Source interface: where the bytes of a media come from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from ..models import MediaRecord

__all__ = ["Download", "Source"]


class Download(ABC):
    """An open download: iterate ``chunks()`` once, then ``close()`` (or use ``with``).

    ``content_type`` and ``length`` are what the server said, when it said it."""

    content_type: str | None = None
    length: int | None = None

    @abstractmethod
    def chunks(self) -> Iterator[bytes]:
        """The media's plaintext bytes; raises DownloadError if the stream breaks."""

    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Download:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Source(ABC):
    """Fetches the bytes of one media.

    ``open`` raises ConfigError when the setup is wrong (rejected token), ExpiredMedia
    when the media is gone (404/410), DownloadError otherwise. ``name`` is recorded in
    the index as ``delivered_by``.
    """

    name: str = "source"

    @abstractmethod
    def open(self, media: MediaRecord, *, instance_id: str) -> Download:
        """Start downloading ``media``."""

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
