"""The Source interface: where the bytes of a media come from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..models import MediaRecord, MediaRef

__all__ = ["Download", "Refresher", "Source"]

# Given a record whose media is gone, returns fresh fields (media_key, direct_path, url,
# file_enc_sha256, file_sha256...) as a mapping or a MediaRef, or None when it has none.
Refresher = Callable[[MediaRecord], "Mapping[str, Any] | MediaRef | None"]


class Download(ABC):
    """An open download: iterate ``chunks()`` once, then ``close()`` (or use ``with``).

    ``content_type`` and ``length`` are what the server said, when it said it;
    ``verified_at_end`` is True when the last chunk is only yielded after the bytes were
    authenticated (a MAC), so a failure seen earlier may really be a tampered body."""

    content_type: str | None = None
    length: int | None = None
    verified_at_end = False

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
    refresher: Refresher | None = None

    @abstractmethod
    def open(self, media: MediaRecord, *, instance_id: str) -> Download:
        """Start downloading ``media``."""

    def refresh(self, media: MediaRecord, *, instance_id: str
                ) -> Mapping[str, Any] | MediaRef | None:
        """Fresh fields for a media this source reported gone (404/410), or None.

        The default calls the ``refresh=`` callback the source was given, if any.
        """
        return None if self.refresher is None else self.refresher(media)

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
