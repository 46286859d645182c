"""WhatsApp's message JSON, shared by every gateway that forwards it (W-API's ``msgContent``,
Baileys' and Evolution's ``message``): finding the media in it and reading its fields."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from .._time import from_epoch, from_text
from ..errors import PayloadError
from ..models import MediaRef, MediaType

MEDIA_KINDS: dict[str, MediaType] = {
    "imageMessage": MediaType.IMAGE,
    "videoMessage": MediaType.VIDEO,
    "ptvMessage": MediaType.VIDEO,  # round video notes
    "audioMessage": MediaType.AUDIO,
    "documentMessage": MediaType.DOCUMENT,
    "stickerMessage": MediaType.STICKER,
}

# Messages that carry another message under "message": view-once, disappearing, documents
# with a caption, edits, lottie stickers, albums, copies sent from our other devices.
WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
    "lottieStickerMessage",
    "groupMentionedMessage",
    "botInvokeMessage",
    "associatedChildMessage",
    "deviceSentMessage",
)

# Business messages whose header carries a media: (message kind, path to the header).
CONTAINERS = (
    ("buttonsMessage", ()),
    ("templateMessage", ("hydratedTemplate",)),
    ("templateMessage", ("hydratedFourRowTemplate",)),
    ("templateMessage", ("fourRowTemplate",)),
    ("interactiveMessage", ("header",)),
)

_DEFAULT_MIME = {
    MediaType.IMAGE: "image/jpeg",
    MediaType.VIDEO: "video/mp4",
    MediaType.AUDIO: "audio/ogg; codecs=opus",
    MediaType.DOCUMENT: "application/octet-stream",
    MediaType.STICKER: "image/webp",
}
_MAX_DEPTH = 6


def load(payload: Any) -> Any:
    """JSON text or bytes to Python values; anything else is returned as given."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"payload is not UTF-8 text: {exc}") from exc
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except ValueError as exc:
            raise PayloadError(f"payload is not valid JSON: {exc}") from exc
    return payload


def find_media(message: Any, path: str) -> Iterator[tuple[MediaType, Mapping[str, Any], str]]:
    """Each media node of a message with its type and field path, wrappers unwrapped.

    A quoted message (``contextInfo.quotedMessage``) is not the message's own media, so
    only the message's top-level keys and its wrappers are looked at.
    """
    yield from _walk(message, path, 0)


def _walk(message: Any, path: str, depth: int) -> Iterator[tuple[MediaType, Mapping, str]]:
    if not isinstance(message, Mapping) or depth > _MAX_DEPTH:
        return
    for key, kind in MEDIA_KINDS.items():
        node = message.get(key)
        if node is None:
            continue
        if not isinstance(node, Mapping):
            raise PayloadError(f"{path}.{key} must be an object, got {type(node).__name__}")
        yield kind, node, f"{path}.{key}"
    for key in WRAPPERS:
        wrapper = message.get(key)
        if isinstance(wrapper, Mapping):
            yield from _walk(wrapper.get("message"), f"{path}.{key}.message", depth + 1)
    for key, inner in CONTAINERS:
        node = message.get(key)
        for step in inner:
            node = node.get(step) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping):
            yield from _walk(node, ".".join((path, key, *inner)), depth + 1)


def media_fields(kind: MediaType, node: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The MediaRef fields a WhatsApp media node carries."""
    field = _Field(node, path)
    mimetype = field.text("mimetype") or _DEFAULT_MIME[kind]
    return {
        "media_type": kind,
        "mimetype": mimetype,
        "file_name": field.text("fileName") or (field.text("title") if kind is
                                                 MediaType.DOCUMENT else None),
        "caption": field.text("caption"),
        "media_key": field.b64("mediaKey"),
        "direct_path": field.text("directPath"),
        "url": field.text("url") or field.text("URL"),
        "file_sha256": field.b64("fileSha256", "fileSHA256"),
        "file_enc_sha256": field.b64("fileEncSha256", "fileEncSHA256"),
        "file_length": field.integer("fileLength"),
        "width": field.integer("width"),
        "height": field.integer("height"),
        "seconds": field.integer("seconds"),
        "is_ptt": kind is MediaType.AUDIO and field.flag("ptt", "PTT"),
        "media_key_timestamp": field.integer("mediaKeyTimestamp"),
        "inline": field.inline("base64"),
    }


class _Field:
    """Reads one node's fields leniently (numbers as text, bytes in any of the usual
    encodings) and strictly (a value that cannot be read raises PayloadError naming it)."""

    def __init__(self, node: Mapping[str, Any], path: str):
        self.node = node
        self.path = path

    def _get(self, *names: str) -> tuple[str, Any]:
        for name in names:
            value = self.node.get(name)
            if value is not None and value != "":
                return name, value
        return names[0], None

    def text(self, *names: str) -> str | None:
        name, value = self._get(*names)
        if value is None:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise PayloadError(f"{self.path}.{name} must be text, got {type(value).__name__}")

    def integer(self, *names: str) -> int | None:
        name, value = self._get(*names)
        return None if value is None else to_int(value, f"{self.path}.{name}")

    def flag(self, *names: str) -> bool:
        _, value = self._get(*names)
        return to_bool(value)

    def b64(self, *names: str) -> str | None:
        name, value = self._get(*names)
        return None if value is None else to_b64(value, f"{self.path}.{name}")

    def inline(self, *names: str) -> bytes | None:
        name, value = self._get(*names)
        if value is None:
            return None
        if isinstance(value, str) and value.startswith("data:") and "," in value:
            value = value.split(",", 1)[1]
        return base64.b64decode(to_b64(value, f"{self.path}.{name}"))


def to_int(value: Any, where: str) -> int:
    """An integer from a number, numeric text or a protobuf Long ``{low, high}``."""
    if isinstance(value, bool):
        raise PayloadError(f"{where} must be a number, got a boolean")
    if isinstance(value, Mapping) and "low" in value:
        low = to_int(value["low"], f"{where}.low") & 0xFFFFFFFF
        high = to_int(value.get("high", 0), f"{where}.high")
        number = (high << 32) | low
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,20}(\.0+)?\s*", value):
        number = int(float(value)) if "." in value else int(value)
    else:
        raise PayloadError(f"{where} must be a whole number, got {value!r:.40}")
    if number < 0:
        raise PayloadError(f"{where} must not be negative, got {number}")
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def to_b64(value: Any, where: str) -> str:
    """Standard base64 text from base64/base64url text, a byte array, a Node ``Buffer``
    (``{"type": "Buffer", "data": [...]}``) or an index-keyed object ``{"0": 12, ...}``."""
    if isinstance(value, Mapping):
        if value.get("type") == "Buffer" and "data" in value:
            value = value["data"]  # a list of bytes, or base64 from Baileys' BufferJSON
        elif value and all(isinstance(k, str) and k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        else:
            raise PayloadError(f"{where} is an object that holds no bytes")
    if isinstance(value, (list, tuple)):
        try:
            return base64.b64encode(bytes(value)).decode("ascii")
        except (TypeError, ValueError) as exc:
            raise PayloadError(f"{where} must hold bytes 0..255") from exc
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if not isinstance(value, str):
        raise PayloadError(f"{where} must be base64 text or bytes, got {type(value).__name__}")
    text = re.sub(r"\s+", "", value).replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadError(f"{where} is not valid base64") from exc
    return base64.b64encode(raw).decode("ascii")


def to_time(value: Any, where: str) -> datetime | None:
    """Epoch seconds or milliseconds, ISO-8601 text, or a Long."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, str) and not re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
            return from_text(value)
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            return from_epoch(float(value))
        return from_epoch(to_int(value, where))
    except (ValueError, OverflowError, OSError) as exc:
        raise PayloadError(f"{where} is not a time: {value!r:.40}") from exc


def text_of(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    raise PayloadError(f"{where} must be text, got {type(value).__name__}")


def build_refs(
    message: Any, path: str, common: Callable[[], dict[str, Any]], family: str,
    inline: bytes | None = None,
) -> list[MediaRef]:
    """One MediaRef per media in ``message``; ``common`` (message id, chat, sender...) is
    read only when there is media, so non-media events never fail on missing fields.
    ``inline`` is media bytes the payload carried beside the message."""
    found = list(find_media(message, path))
    if not found:
        return []
    shared = common()
    refs = []
    for i, (kind, node, node_path) in enumerate(found):
        fields = media_fields(kind, node, node_path)
        if i == 0 and inline is not None and fields["inline"] is None:
            fields["inline"] = inline
        message_id = shared["message_id"] if i == 0 else f"{shared['message_id']}_{i}"
        refs.append(MediaRef(**(shared | fields | {"message_id": message_id, "family": family})))
    return refs
