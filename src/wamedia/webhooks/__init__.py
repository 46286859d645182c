"""Webhook payloads from every supported gateway into :class:`~wamedia.models.MediaRef`.

    >>> refs = parse({"messageId": "M1", "chat": {"id": "5511"}, "sender": {"id": "5511"},
    ...               "msgContent": {"imageMessage": {"mimetype": "image/png"}}})
    >>> refs[0].media_type, refs[0].family
    (<MediaType.IMAGE: 'image'>, 'wapi')
    >>> parse({"event": "webhookConnected"})
    []

Parsers only read; they never fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from ..errors import PayloadError
from ..models import MediaRef
from . import baileys, wapi
from ._proto import load
from .auth import sign, verify_signature, verify_token

__all__ = ["FAMILIES", "detect", "parse", "sign", "verify_signature", "verify_token"]

FAMILIES: list[ModuleType] = [wapi, baileys]


def detect(payload: Any) -> ModuleType | None:
    """The parser module whose shape ``payload`` has, or None for an unknown shape."""
    for family in FAMILIES:
        if family.matches(payload):
            return family
    return None


def parse(payload: dict | list | str | bytes) -> list[MediaRef]:
    """Every media in a webhook payload (an object, a list of them, or JSON text).

    Returns ``[]`` for non-media messages and other events; raises PayloadError for a
    malformed payload, naming the field.
    """
    data = load(payload)
    if isinstance(data, list):
        return [ref for item in data for ref in parse(item)]
    if not isinstance(data, Mapping):
        raise PayloadError(f"a webhook payload must be a JSON object, got {type(data).__name__}")
    family = detect(data)
    return [] if family is None else family.parse(data)
