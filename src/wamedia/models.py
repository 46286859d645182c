"""The values wamedia passes around: media types, statuses, references, records, statistics."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple

__all__ = ["MediaRecord", "MediaRef", "MediaType", "PurgeReport", "Stats", "Status", "VerifyReport"]


class MediaType(str, Enum):
    """The five kinds of WhatsApp media; ``folder`` is the original system's folder name."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    STICKER = "sticker"

    @property
    def folder(self) -> str:
        """The tenant sub-folder: ``imagens``, ``videos``, ``audios``, ``documentos``, ``stickers``.

        >>> MediaType("document").folder
        'documentos'
        """
        return _FOLDERS[self]

    def __str__(self) -> str:
        return self.value


_FOLDERS = {
    MediaType.IMAGE: "imagens",
    MediaType.VIDEO: "videos",
    MediaType.AUDIO: "audios",
    MediaType.DOCUMENT: "documentos",
    MediaType.STICKER: "stickers",
}


class Status(str, Enum):
    """Where a media is in its life: pending → downloading → success | failed | expired → purged."""

    PENDING = "pending"
    DOWNLOADING = "downloading"
    SUCCESS = "success"
    FAILED = "failed"
    EXPIRED = "expired"
    PURGED = "purged"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class MediaRef:
    """What a webhook says about one media, whatever gateway sent it.

    Binary fields (``media_key``, ``file_sha256``, ``file_enc_sha256``) are standard
    base64 text; ``timestamp`` is a timezone-aware UTC datetime. ``inline`` holds the
    bytes when the payload carried them (base64 in the webhook), so no download is needed.
    """

    message_id: str
    media_type: MediaType
    mimetype: str = "application/octet-stream"
    file_name: str | None = None
    caption: str | None = None
    media_key: str | None = None
    direct_path: str | None = None
    url: str | None = None
    file_sha256: str | None = None
    file_enc_sha256: str | None = None
    file_length: int | None = None
    chat_id: str = ""
    sender_id: str = ""
    sender_name: str = ""
    is_group: bool = False
    from_me: bool = False
    timestamp: datetime | None = None
    width: int | None = None
    height: int | None = None
    seconds: int | None = None
    is_ptt: bool = False
    media_key_timestamp: int | None = None
    family: str = ""
    inline: bytes | None = field(default=None, repr=False)


class MediaRecord(NamedTuple):
    """One row of the index; field names are the ``midias`` columns (``status`` is
    ``download_status``). ``file_path`` is the storage key of the stored file.

    A named tuple: immutable, and built straight from a database row, which keeps
    lookups close to bare SQLite speed. ``_replace(**changes)`` makes a changed copy.
    """

    message_id: str
    media_type: MediaType
    status: Status
    mimetype: str = "application/octet-stream"
    sender_name: str = ""
    sender_id: str = ""
    chat_id: str = ""
    is_group: bool = False
    from_me: bool = False
    file_name: str | None = None
    file_path: str | None = None
    file_size: int | None = None
    caption: str | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: int | None = None
    is_ptt: bool = False
    download_timestamp: datetime | None = None
    message_timestamp: datetime | None = None
    media_key: str | None = None
    direct_path: str | None = None
    file_sha256: str | None = None
    file_enc_sha256: str | None = None
    media_key_timestamp: int | None = None
    cliente_id: str | None = None
    instance_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    url: str | None = None
    family: str | None = None
    delivered_by: str | None = None
    sha256: str | None = None
    tags: str | None = None
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-friendly values (enums as text, datetimes as ISO-8601)."""
        out: dict[str, Any] = {}
        for name, value in zip(self._fields, self, strict=True):
            if isinstance(value, Enum):
                value = value.value
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out


@dataclass(frozen=True)
class Stats(Mapping[str, Any]):
    """Counts for one tenant, read in O(1) from counters kept beside the rows.

    Attributes are English; as a mapping it offers the original system's keys:

    >>> s = Stats(total=3, downloaded=2, pending=1, bytes=3 * 2**20, by_type={"image": 3})
    >>> s["total_midias"], s["midias_baixadas"], s["tamanho_total_mb"]
    (3, 2, 3.0)
    """

    total: int = 0
    downloaded: int = 0
    pending: int = 0
    failed: int = 0
    expired: int = 0
    purged: int = 0
    bytes: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    client_id: str | None = None
    instance_id: str | None = None

    def _legacy(self) -> dict[str, Any]:
        return {
            "cliente_id": self.client_id,
            "instance_id": self.instance_id,
            "total_midias": self.total,
            "midias_baixadas": self.downloaded,
            "midias_pendentes": self.pending,
            "midias_falhadas": self.failed,
            "por_tipo": dict(self.by_type),
            "tamanho_total_bytes": self.bytes,
            "tamanho_total_mb": round(self.bytes / 2**20, 2),
        }

    def __getitem__(self, key: str) -> Any:
        return self._legacy()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._legacy())

    def __len__(self) -> int:
        return len(self._legacy())


@dataclass(frozen=True)
class PurgeReport:
    """What ``purge_older_than`` removed: ``files`` deleted and ``bytes`` freed."""

    files: int = 0
    bytes: int = 0
    message_ids: list[str] = field(default_factory=list, repr=False)


@dataclass
class VerifyReport:
    """What ``verify`` found: rows whose file is ``missing`` or ``mismatched`` (size, or hash
    with ``deep``), ``orphans`` (files no row claims), ``temp`` leftovers of interrupted
    writes, what was ``repaired`` and how many rows were ``ok``."""

    missing: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    temp: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    ok: int = 0

    @property
    def clean(self) -> bool:
        """True when nothing is missing, mismatched, orphaned or left over."""
        return not (self.missing or self.mismatched or self.orphans or self.temp)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"clean": self.clean}
