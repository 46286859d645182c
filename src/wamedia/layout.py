"""Where a tenant's files live, and ids made safe to use in a path.

Keys are ``/``-separated and relative to the storage root::

    cliente_{client}/instance_{instance}/{imagens|videos|audios|documentos|stickers}/{message}{ext}
"""

from __future__ import annotations

import hashlib
import re

from .errors import ConfigError
from .models import MediaType

__all__ = ["media_key", "safe_id", "tenant_prefix"]

_PLAIN_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_id(value: object, *, what: str = "id") -> str:
    """An id as a single, harmless path segment.

    Plain ids are kept as they are, so existing folders keep their names; anything else
    becomes its sanitised form plus 12 hex digits of its SHA-256, so distinct ids stay
    distinct and no id can climb out of its folder.

    >>> safe_id(1), safe_id("3EB0C767D26A1D8E")
    ('1', '3EB0C767D26A1D8E')
    >>> safe_id("../../etc/passwd")
    'etc_passwd-3754d6cb3a38'
    """
    text = str(value) if value is not None else ""
    if not text:
        raise ConfigError(f"{what} must not be empty")
    if _PLAIN_ID.fullmatch(text):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    cleaned = _UNSAFE.sub("_", text).strip("._")[:64] or "id"
    return f"{cleaned}-{digest}"


def tenant_prefix(client_id: object, instance_id: object) -> str:
    """The tenant's folder, ending with ``/`` so ``cliente_1/`` never lists ``cliente_10``.

    >>> tenant_prefix(1, "3B6XIW")
    'cliente_1/instance_3B6XIW/'
    """
    client = safe_id(client_id, what="client_id")
    instance = safe_id(instance_id, what="instance_id")
    return f"cliente_{client}/instance_{instance}/"


def media_key(
    client_id: object, instance_id: object, media_type: MediaType | str, message_id: str, ext: str
) -> str:
    """The storage key of one media; ``ext`` comes from the validated bytes, never the payload.

    >>> media_key(1, "X", "image", "ABC", ".jpg")
    'cliente_1/instance_X/imagens/ABC.jpg'
    """
    folder = MediaType(media_type).folder
    name = safe_id(message_id, what="message_id")
    if ext and not re.fullmatch(r"\.[a-z0-9]{1,8}", ext):
        raise ConfigError(f"unsafe file extension {ext!r}")
    return f"{tenant_prefix(client_id, instance_id)}{folder}/{name}{ext}"
