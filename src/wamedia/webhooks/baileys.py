"""Baileys ``WAMessage`` JSON, as Baileys-based gateways forward it: Evolution API
(``{"event": "messages.upsert", "instance": ..., "data": {key, message, ...}}``), the
raw ``messages.upsert`` event (``{"messages": [...], "type": "notify"}``) and single
messages. Binary fields may be base64, byte arrays, Node Buffers or index-keyed objects.

    {"key": {"remoteJid": "5511...@s.whatsapp.net", "fromMe": false, "id": "3EB0..."},
     "pushName": "Ana", "messageTimestamp": 1718000000,
     "message": {"imageMessage": {"url": ..., "directPath": ..., "mediaKey": ..., ...}}}
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..errors import PayloadError
from ..models import MediaRef
from ._proto import build_refs, text_of, to_b64, to_bool, to_time

__all__ = ["matches", "parse"]


def _is_message(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("key"), Mapping) and (
        "message" in value)


def _listed(value: Any) -> list[Mapping[str, Any]] | None:
    """A message, a list of them, or a ``{"messages": ...}`` holder, as a list."""
    if _is_message(value):
        return [value]
    if isinstance(value, list) and value and all(_is_message(v) for v in value):
        return list(value)
    if isinstance(value, Mapping) and "messages" in value:
        return _listed(value["messages"])
    return None


def messages(payload: Any) -> list[tuple[str, Mapping[str, Any]]] | None:
    """Each WAMessage of a payload with the prefix of its fields' paths (``""``,
    ``"data."``, ``"data.messages[2]."``...), or None when the shape is not ours."""
    if not isinstance(payload, Mapping):
        return None
    for prefix, holder in (("", payload), ("data.", payload.get("data"))):
        if _is_message(holder):
            return [(prefix, holder)]
        found = _listed(holder)
        if found is not None:
            inner = prefix.rstrip(".") if isinstance(holder, list) else f"{prefix}messages"
            return [(f"{inner}[{i}].", m) for i, m in enumerate(found)]
    return None


def matches(payload: Any) -> bool:
    return messages(payload) is not None


def parse(payload: Mapping[str, Any]) -> list[MediaRef]:
    family = "evolution" if "instance" in payload and "data" in payload else "baileys"
    refs: list[MediaRef] = []
    for prefix, msg in messages(payload) or []:
        content = msg.get("message")
        inline = None
        if isinstance(content, Mapping) and content.get("base64"):  # Evolution's webhook_base64
            inline = base64.b64decode(to_b64(content["base64"], f"{prefix}message.base64"))
        refs += build_refs(content, f"{prefix}message",
                           lambda m=msg, p=prefix: _common(m, p), family, inline)
    return refs


def _common(msg: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    key = msg["key"]
    message_id = text_of(key.get("id"), f"{prefix}key.id")
    if not message_id:
        raise PayloadError(f"{prefix}key.id is missing from a media message")
    chat_id = text_of(key.get("remoteJid"), f"{prefix}key.remoteJid")
    participant = text_of(key.get("participant") or msg.get("participant"),
                          f"{prefix}key.participant")
    return {
        "message_id": message_id,
        "chat_id": chat_id,
        "sender_id": participant or chat_id,
        "sender_name": text_of(msg.get("pushName") or msg.get("verifiedBizName"),
                               f"{prefix}pushName"),
        "is_group": chat_id.endswith("@g.us"),
        "from_me": to_bool(key.get("fromMe")),
        "timestamp": to_time(msg.get("messageTimestamp"), f"{prefix}messageTimestamp"),
    }
