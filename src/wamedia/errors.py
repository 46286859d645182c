"""Every error wamedia raises, under one root.

    WamediaError
    ├── PayloadError      (ValueError)  a webhook payload is malformed; names the field
    ├── ConfigError       (ValueError)  the setup is wrong: bad id, rejected token, unknown option
    ├── MediaNotFound     (KeyError)    no such media (or no stored file) for this tenant
    ├── DownloadError                   the bytes could not be fetched; `retryable` says if trying
    │   └── ExpiredMedia                later can help; 404/410: the gateway no longer has it
    ├── ValidationError   (ValueError)  the bytes are not what was declared (type, size limit)
    │   └── IntegrityError              MAC or hash mismatch, bad padding, truncated ciphertext
    └── StorageError      (OSError)     the storage backend failed to read, write or delete

Backend errors (requests, sqlite3, OSError) are translated at the boundary with
``raise ... from exc``. No message ever contains a token: sources mask them first.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DownloadError",
    "ExpiredMedia",
    "IntegrityError",
    "MediaNotFound",
    "PayloadError",
    "StorageError",
    "ValidationError",
    "WamediaError",
]


class WamediaError(Exception):
    """Root of every wamedia error.

    ``retryable`` tells the manager whether the same download may succeed later.
    """

    retryable = False


class PayloadError(WamediaError, ValueError):
    """A webhook payload is malformed (the message names the field)."""


class ConfigError(WamediaError, ValueError):
    """The configuration is wrong: an empty id, a rejected token, an unknown option."""


class MediaNotFound(WamediaError, KeyError):
    """No media (or no stored file) with that message id for this tenant."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "media not found"


class DownloadError(WamediaError):
    """The bytes could not be fetched.

    ``status`` is the HTTP status when there was one; ``retry_after`` the seconds the
    server asked us to wait (429/503), so the manager can schedule the next attempt.
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        if retryable is not None:
            self.retryable = retryable


class ExpiredMedia(DownloadError):
    """The source answered 404 or 410: the media is gone there, retrying will not help."""

    retryable = False


class ValidationError(WamediaError, ValueError):
    """The bytes do not match what was declared: type, size limit or hash."""


class IntegrityError(ValidationError):
    """A MAC or hash does not match, the padding is bad or the ciphertext is cut short."""


class StorageError(WamediaError, OSError):
    """The storage backend failed; nothing was committed under the final name."""

    retryable = True
