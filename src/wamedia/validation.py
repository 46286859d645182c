"""Checks on the bytes while they stream: size limits, magic number against the declared
type, SHA-256 against the payload's fileSha256."""

from __future__ import annotations

import base64
import hashlib
import mimetypes

import filetype

from .errors import DownloadError, IntegrityError, ValidationError
from .models import MediaType

__all__ = ["HEAD_BYTES", "StreamCheck", "check_type", "extension_for"]

HEAD_BYTES = 8192  # what filetype reads to recognise a format

_CONTAINERS_FOR_AUDIO = {"video/mp4", "video/webm", "video/3gpp", "video/quicktime",
                         "application/ogg"}
_LOTTIE = {"application/gzip", "application/zip", "application/x-gzip"}
_OFFICE_ZIP = {"application/zip"}
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/amr": ".amr",
    "video/mp4": ".mp4",
    "video/3gpp": ".3gp",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/json": ".json",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/x-was": ".was",
    "application/was": ".was",
}


def _base(mime: str | None) -> str:
    return (mime or "").split(";", 1)[0].strip().lower()


def extension_for(mime: str | None) -> str:
    """The file extension for a MIME type ('' when none is known).

    >>> extension_for("audio/ogg; codecs=opus"), extension_for("application/x-unknown")
    ('.ogg', '')
    """
    base = _base(mime)
    ext = _EXTENSIONS.get(base) or mimetypes.guess_extension(base) or ""
    return ext.lower() if ext[1:].isalnum() and len(ext) <= 9 else ""


def check_type(media_type: MediaType, declared: str | None, head: bytes) -> str:
    """Compare the bytes' magic number with the declared type; returns the extension to
    store them under, or raises ValidationError.

    Documents with no magic number (txt, csv, json...) pass unless their declared type
    has one (a "PDF" that is an HTML error page does not).
    """
    kind = filetype.guess(head) if head else None
    detected = kind.mime if kind else None
    declared_base = _base(declared)
    if not head and media_type is not MediaType.DOCUMENT:
        raise ValidationError(f"declared {media_type} but the body is empty")
    if not _compatible(media_type, declared_base, detected):
        seen = detected or "of no recognised format"
        raise ValidationError(
            f"declared {media_type} ({declared_base or 'no mimetype'}) but the bytes are {seen}"
        )
    if kind is not None and not (detected in _OFFICE_ZIP and declared_base != detected):
        return "." + kind.extension
    return extension_for(declared_base) or (".bin" if media_type is MediaType.DOCUMENT else "")


def _compatible(media_type: MediaType, declared: str, detected: str | None) -> bool:
    family = (detected or "").split("/")[0]
    if media_type is MediaType.IMAGE:
        return family == "image"
    if media_type is MediaType.STICKER:
        return family == "image" or detected in _LOTTIE
    if media_type is MediaType.VIDEO:
        return family == "video" or detected == "image/gif"
    if media_type is MediaType.AUDIO:
        return family == "audio" or detected in _CONTAINERS_FOR_AUDIO
    # documents: only a declared type that has a signature must match it
    declared_family = declared.split("/")[0]
    if declared_family in ("image", "video", "audio"):
        return family == declared_family or (
            declared_family == "audio" and detected in _CONTAINERS_FOR_AUDIO
        )
    if declared == "application/pdf":
        return detected == "application/pdf"
    return True


_EOCD = b"PK\x05\x06"  # a ZIP's end-of-central-directory record
_TAIL = 22 + 65535  # that record, with the longest comment it may carry


def _ends_with_zip(tail: bytes) -> bool:
    r"""True when ``tail`` ends with a ZIP end-of-central-directory record whose comment
    length reaches exactly to the end: how a ZIP appended to a media file looks.

    >>> _ends_with_zip(b"JFIF..." + b"PK\x05\x06" + bytes(16) + b"\x00\x00")
    True
    >>> _ends_with_zip(b"JFIF... PK\x05\x06 in the middle of image data")
    False
    """
    at = tail.rfind(_EOCD)
    while at >= 0:
        if at + 22 <= len(tail):
            comment = int.from_bytes(tail[at + 20:at + 22], "little")
            if at + 22 + comment == len(tail):
                return True
        at = tail.rfind(_EOCD, 0, at)
    return False


class StreamCheck:
    """Follows a download chunk by chunk: enforces ``max_bytes`` and the declared length
    as the bytes arrive, hashes them, and checks the result at the end."""

    def __init__(
        self,
        *,
        max_bytes: int,
        declared_length: int | None = None,
        file_sha256: str | None = None,
        forbid_archive: bool = False,
    ):
        self.max_bytes = max_bytes
        self.declared_length = declared_length
        self.expected_sha256 = base64.b64decode(file_sha256) if file_sha256 else None
        self.forbid_archive = forbid_archive
        self.size = 0
        self._hash = hashlib.sha256()
        self._tail = b""  # the last bytes, where a ZIP archive keeps its directory
        if declared_length is not None and declared_length > max_bytes:
            raise ValidationError(
                f"declared size {declared_length} bytes is over the limit of {max_bytes}"
            )

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise ValidationError(f"body is over the limit of {self.max_bytes} bytes")
        if self.declared_length is not None and self.size > self.declared_length:
            raise ValidationError(
                f"body is larger than the declared {self.declared_length} bytes"
            )
        self._hash.update(chunk)
        if self.forbid_archive:
            self._tail = (self._tail + chunk)[-_TAIL:] if len(chunk) < _TAIL else chunk[-_TAIL:]

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes seen so far."""
        return self._hash.hexdigest()

    def finish(self) -> None:
        """Raise if the whole body does not match what the payload declared."""
        if self.forbid_archive and _ends_with_zip(self._tail):
            raise ValidationError("a ZIP archive is hidden at the end of the media "
                                  "(a polyglot file)")
        if self.expected_sha256 is not None:
            if self._hash.digest() != self.expected_sha256:
                if self.declared_length is not None and self.size < self.declared_length:
                    raise DownloadError(
                        f"body cut short: {self.size} of {self.declared_length} bytes"
                    )
                raise IntegrityError("SHA-256 of the downloaded bytes does not match fileSha256")
        elif self.declared_length is not None and self.size < self.declared_length:
            raise DownloadError(f"body cut short: {self.size} of {self.declared_length} bytes")
