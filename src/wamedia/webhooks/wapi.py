"""W-API webhooks: ``msgContent`` holds WhatsApp's message JSON, at the top level or
under ``payload``.

    {"event": "webhookReceived", "messageId": "3EB0...", "isGroup": false, "fromMe": false,
     "chat": {"id": "5511999999999"}, "sender": {"id": "5511999999999", "pushName": "Ana"},
     "moment": 1718000000, "msgContent": {"imageMessage": {"mimetype": "image/jpeg", ...}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PayloadError
from ..models import MediaRef
from ._proto import build_refs, text_of, to_bool, to_time

FAMILY = "wapi"


def body(payload: Any) -> Mapping[str, Any] | None:
    """The W-API message object of a payload, or None when it is not one."""
    if not isinstance(payload, Mapping):
        return None
    inner = payload.get("payload")
    if isinstance(inner, Mapping) and "msgContent" in inner:
        return inner
    return payload if "msgContent" in payload else None


def matches(payload: Any) -> bool:
    return body(payload) is not None


def parse(payload: Mapping[str, Any]) -> list[MediaRef]:
    msg = body(payload)
    if msg is None:
        return []
    return build_refs(msg.get("msgContent"), "msgContent", lambda: _common(msg), FAMILY)


def _common(msg: Mapping[str, Any]) -> dict[str, Any]:
    message_id = text_of(msg.get("messageId") or msg.get("id"), "messageId")
    if not message_id:
        raise PayloadError("messageId is missing from a W-API media message")
    sender = msg.get("sender") or {}
    chat = msg.get("chat") or {}
    if isinstance(sender, str):
        sender = {"id": sender}
    if isinstance(chat, str):
        chat = {"id": chat}
    if not isinstance(sender, Mapping) or not isinstance(chat, Mapping):
        raise PayloadError("sender and chat must be objects in a W-API message")
    sender_id = text_of(sender.get("id"), "sender.id")
    return {
        "message_id": message_id,
        "chat_id": text_of(chat.get("id"), "chat.id") or sender_id,
        "sender_id": sender_id,
        "sender_name": text_of(sender.get("pushName") or sender.get("name"), "sender.pushName"),
        "is_group": to_bool(msg.get("isGroup")),
        "from_me": to_bool(msg.get("fromMe")),
        "timestamp": to_time(msg.get("moment") or msg.get("timestamp"), "moment"),
    }
