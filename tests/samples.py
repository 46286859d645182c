"""Small, real-looking media bytes and webhook payloads for the tests."""

from __future__ import annotations

import base64
import hashlib
import os

# Each begins with its format's real signature, so filetype recognises it.
HEADERS = {
    "image": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
              "image/jpeg"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    "video": (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video/mp4"),
    "audio": (b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead", "audio/ogg; codecs=opus"),
    "document": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    "sticker": (b"RIFF\x00\x10\x00\x00WEBPVP8L", "image/webp"),
}
KINDS = {"image": "imageMessage", "video": "videoMessage", "audio": "audioMessage",
         "document": "documentMessage", "sticker": "stickerMessage"}


def media(kind: str = "image", size: int = 4096) -> tuple[bytes, str]:
    """Bytes of ``size`` that sniff as ``kind``, and their MIME type."""
    header, mime = HEADERS[kind]
    return header + os.urandom(max(0, size - len(header))), mime


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def wapi_webhook(message_id: str, kind: str = "image", *, media_key: str | None = None,
                 data: bytes | None = None, mimetype: str | None = None, wrapped: bool = False,
                 **node: object) -> dict:
    """A W-API ``webhookReceived`` payload for one media; ``data`` fills size and hash."""
    content: dict[str, object] = {
        "mimetype": mimetype or HEADERS[kind][1],
        "mediaKey": media_key or b64(os.urandom(32)),
        "directPath": f"/v/t62.7118-24/{message_id}.enc?ccb=11-4",
        "mediaKeyTimestamp": "1718000000",
    }
    if data is not None:
        content["fileLength"] = str(len(data))
        content["fileSha256"] = b64(hashlib.sha256(data).digest())
    if kind == "document":
        content["fileName"] = f"{message_id}.pdf"
    content.update(node)
    payload = {
        "event": "webhookReceived",
        "instanceId": "3B6XIW",
        "connectedPhone": "5511900000000",
        "isGroup": False,
        "messageId": message_id,
        "fromMe": False,
        "chat": {"id": "5511988887777", "profilePicture": ""},
        "sender": {"id": "5511988887777", "pushName": "Ana", "verifiedBizName": ""},
        "moment": 1718000000,
        "msgContent": {KINDS[kind]: content},
    }
    return {"payload": payload} if wrapped else payload
