"""The Index interface: what wamedia knows about each media of one tenant."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..models import MediaRecord, MediaRef, MediaType, Stats, Status

__all__ = ["Index"]


class Index(ABC):
    """Rows keyed by message id, with statuses, leases and O(1) statistics.

    Every method is safe to call from several threads, and from several processes
    sharing one index.
    """

    @abstractmethod
    def upsert(
        self, ref: MediaRef, *, client_id: str, instance_id: str
    ) -> tuple[MediaRecord, bool]:
        """Record ``ref`` as pending. Returns the row and whether it is fresh: new, or a
        failed/expired row revived because its mediaKey/directPath/url changed. A
        ``success`` or ``purged`` row is returned untouched."""

    @abstractmethod
    def get(self, message_id: str) -> MediaRecord | None: ...

    @abstractmethod
    def search(
        self,
        *,
        media_type: MediaType | str | Iterable[str] | None = None,
        status: Status | str | Iterable[str] | None = None,
        chat_id: str | None = None,
        sender_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[MediaRecord]:
        """Rows matching every filter given, newest message first."""

    @abstractmethod
    def claim(
        self, message_id: str, *, lease_seconds: float, force: bool = False
    ) -> MediaRecord | None:
        """Atomically take a due row for download (``downloading``, lease set, attempts + 1).

        Due: pending; failed whose next attempt has come; downloading whose lease ran out.
        ``force`` also takes failed rows with no next attempt and expired rows. Returns
        None when the row is not due (someone else holds it, or it is done)."""

    @abstractmethod
    def renew(self, message_id: str, *, lease_seconds: float) -> bool:
        """Extend the lease of a row being downloaded; False if it is no longer ours."""

    @abstractmethod
    def update(
        self,
        message_id: str,
        status: Status,
        *,
        expect: Iterable[Status] | None = None,
        **fields: Any,
    ) -> MediaRecord | None:
        """Move a row to ``status`` and set ``fields`` (column names); the lease is cleared
        unless the row stays ``downloading``.
        With ``expect``, only rows currently in one of those statuses change."""

    @abstractmethod
    def due(self, *, limit: int = 1000, force: bool = False) -> list[str]:
        """Message ids that ``claim`` would take now, oldest first."""

    @abstractmethod
    def downloaded_before(self, cutoff: datetime, *, limit: int = 1000) -> list[MediaRecord]:
        """``success`` rows downloaded before ``cutoff``, oldest first."""

    @abstractmethod
    def stats(self) -> Stats:
        """Counts per status and type and stored bytes, in O(1)."""

    def snapshot(self, path: str | os.PathLike[str]) -> None:
        """Write a consistent copy of the index to a local file (for backups)."""
        raise NotImplementedError(f"{type(self).__name__} cannot take snapshots")

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
