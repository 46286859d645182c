"""Baileys and Evolution API payloads into MediaRef.

The fixtures reproduce shapes published in the wild; each names where its shape was seen:
- Evolution API v2 `messages.upsert` (event/instance/data/destination/date_time/sender/
  server_url/apikey wrapper, `data.messageType`, `data.message.<kind>Message`): the
  Evolution API documentation's webhook examples.
- `mediaKey` as an index-keyed object (`{"0": 63, "1": 7, ...}`): a public CRM's notes on
  receiving Evolution stickers (JSON.stringify of a Uint8Array).
- `data.messages` as a list: a public Evolution webhook integration's test suite.
- `{"type": "Buffer", "data": ...}`: Baileys' `BufferJSON.replacer` (base64 text) and Node's
  `Buffer.toJSON()` (byte list).
- Raw `messages.upsert` (`{"messages": [...], "type": "notify"}`): Baileys' event emitter.
- `messageTimestamp` as a Long (`{"low", "high", "unsigned"}`): protobufjs' toJSON of uint64.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from wamedia.errors import PayloadError
from wamedia.models import MediaType
from wamedia.webhooks import baileys, detect, parse

KEY = bytes(range(32))
SHA = hashlib.sha256(b"plain").digest()
ENC_SHA = hashlib.sha256(b"enc").digest()
B64 = base64.b64encode


def image_node(**extra):
    node = {
        "url": "https://mmg.whatsapp.net/o1/v/t62.7118-24/f1/m233/up-oil-image-1.enc"
               "?ccb=9-4&oh=01_Q5AaI&oe=68A0B1C2&_nc_sid=e6ed6c&mms3=true",
        "mimetype": "image/jpeg",
        "caption": "nota fiscal",
        "fileSha256": B64(SHA).decode(),
        "fileLength": "183732",
        "height": 1280,
        "width": 960,
        "mediaKey": B64(KEY).decode(),
        "fileEncSha256": B64(ENC_SHA).decode(),
        "directPath": "/o1/v/t62.7118-24/f1/m233/up-oil-image-1.enc?ccb=9-4&oh=01_Q5AaI"
                      "&oe=68A0B1C2&_nc_sid=e6ed6c",
        "mediaKeyTimestamp": "1718000000",
        "jpegThumbnail": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA==",
    }
    node.update(extra)
    return node


def evolution(message: dict, *, remote="5511988887777@s.whatsapp.net", participant=None,
              from_me=False, message_type="imageMessage"):
    key = {"remoteJid": remote, "fromMe": from_me, "id": "3EB0B430B6F8F1D0E0F0A1"}
    if participant:
        key["participant"] = participant
    return {
        "event": "messages.upsert",
        "instance": "loja-centro",
        "data": {"key": key, "pushName": "Ana Souza", "message": message,
                 "messageType": message_type, "messageTimestamp": 1718000000,
                 "instanceId": "8d3e4c1a-6b0f-4a35-9d1e-7c2b5e9f0a11", "source": "android"},
        "destination": "https://example.com/webhook",
        "date_time": "2024-06-10T03:13:20.511Z",
        "sender": "5511900000000@s.whatsapp.net",
        "server_url": "https://evolution.example.com",
        "apikey": "B6D711FCDE4D4FD5936544120E713976",
    }


def test_evolution_image():
    [ref] = parse(evolution({"imageMessage": image_node()}))
    assert detect(evolution({})) is baileys
    assert ref.family == "evolution" and ref.media_type == MediaType.IMAGE
    assert ref.message_id == "3EB0B430B6F8F1D0E0F0A1"
    assert ref.chat_id == ref.sender_id == "5511988887777@s.whatsapp.net"
    assert ref.sender_name == "Ana Souza" and not ref.is_group and not ref.from_me
    assert ref.media_key == B64(KEY).decode() and ref.file_sha256 == B64(SHA).decode()
    assert ref.file_length == 183732 and (ref.width, ref.height) == (960, 1280)
    assert ref.caption == "nota fiscal" and ref.url.startswith("https://mmg.whatsapp.net/")
    assert ref.direct_path.startswith("/o1/v/t62.7118-24/")
    assert ref.timestamp.timestamp() == 1718000000


def test_group_message_names_the_participant():
    payload = evolution({"imageMessage": image_node()}, remote="120363025246125888@g.us",
                        participant="5511977776666@s.whatsapp.net")
    [ref] = parse(payload)
    assert ref.is_group and ref.chat_id == "120363025246125888@g.us"
    assert ref.sender_id == "5511977776666@s.whatsapp.net"


@pytest.mark.parametrize("encoded", [
    {str(i): b for i, b in enumerate(KEY)},              # JSON.stringify(Uint8Array)
    {"type": "Buffer", "data": list(KEY)},               # Buffer.toJSON()
    {"type": "Buffer", "data": B64(KEY).decode()},       # Baileys BufferJSON.replacer
    list(KEY),
])
def test_binary_fields_as_gateways_send_them(encoded):
    node = image_node(mediaKey=encoded, fileSha256=encoded)
    [ref] = parse(evolution({"stickerMessage": node}, message_type="stickerMessage"))
    assert ref.media_type == MediaType.STICKER
    assert ref.media_key == ref.file_sha256 == B64(KEY).decode()


def test_raw_messages_upsert_event():
    msg = {"key": {"remoteJid": "5511988887777@s.whatsapp.net", "fromMe": True, "id": "A1"},
           "messageTimestamp": {"low": 1718000000, "high": 0, "unsigned": True},
           "message": {"audioMessage": {"mimetype": "audio/ogg; codecs=opus", "seconds": 12,
                                        "ptt": True, "mediaKey": B64(KEY).decode(),
                                        "directPath": "/v/t62.7117-24/a.enc"}}}
    text = {"key": {"remoteJid": "x@s.whatsapp.net", "id": "A2"},
            "message": {"conversation": "hi"}}
    refs = parse({"messages": [msg, text], "type": "notify"})
    assert [r.message_id for r in refs] == ["A1"]
    assert refs[0].is_ptt and refs[0].seconds == 12 and refs[0].from_me
    assert refs[0].family == "baileys" and refs[0].timestamp.timestamp() == 1718000000
    assert parse(msg)[0].message_id == "A1"  # a bare WAMessage too


def test_data_messages_list():
    payload = {"event": "messages.upsert", "data": {"messages": [
        {"key": {"remoteJid": "5511@s.whatsapp.net", "fromMe": False, "id": f"M{i}"},
         "message": {"videoMessage": {"mimetype": "video/mp4", "gifPlayback": i == 1}}}
        for i in range(3)]}}
    refs = parse(payload)
    assert [r.message_id for r in refs] == ["M0", "M1", "M2"]
    assert {r.media_type for r in refs} == {MediaType.VIDEO}


@pytest.mark.parametrize("wrap", [
    lambda m: {"ephemeralMessage": {"message": m}},
    lambda m: {"viewOnceMessage": {"message": m}},
    lambda m: {"viewOnceMessageV2": {"message": m}},
    lambda m: {"viewOnceMessageV2Extension": {"message": m}},
    lambda m: {"ephemeralMessage": {"message": {"viewOnceMessageV2": {"message": m}}}},
])
def test_wrapped_media(wrap):
    [ref] = parse(evolution(wrap({"imageMessage": image_node()})))
    assert ref.media_type == MediaType.IMAGE and ref.media_key == B64(KEY).decode()


def test_document_with_caption_and_video_note():
    doc = {"documentWithCaptionMessage": {"message": {"documentMessage": {
        "mimetype": "application/pdf", "fileName": "boleto.pdf", "caption": "pague até sexta",
        "title": "boleto.pdf", "mediaKey": B64(KEY).decode(), "directPath": "/v/d.enc"}}}}
    [ref] = parse(evolution(doc, message_type="documentWithCaptionMessage"))
    assert ref.media_type == MediaType.DOCUMENT and ref.file_name == "boleto.pdf"
    assert ref.caption == "pague até sexta"
    [note] = parse(evolution({"ptvMessage": {"mimetype": "video/mp4", "seconds": 5}}))
    assert note.media_type == MediaType.VIDEO and note.seconds == 5


def test_quoted_media_and_non_media_are_not_ours():
    reply = {"extendedTextMessage": {"text": "olha isso", "contextInfo": {
        "stanzaId": "Q1", "quotedMessage": {"imageMessage": image_node()}}}}
    assert parse(evolution(reply, message_type="extendedTextMessage")) == []
    assert parse(evolution({"protocolMessage": {"type": "REVOKE"}})) == []
    assert parse(evolution({"reactionMessage": {"text": "👍"}})) == []
    assert parse({"event": "connection.update", "instance": "x",
                  "data": {"state": "open"}}) == []
    assert parse({"event": "messages.update", "data": [{"key": {"id": "1"}, "update": {}}]}) == []
    assert parse(evolution(None)) == []


def test_evolution_base64_media_is_inline():
    message = {"imageMessage": image_node(), "base64": B64(b"\xff\xd8\xffjpeg").decode()}
    [ref] = parse(evolution(message))
    assert ref.inline == b"\xff\xd8\xffjpeg"


@pytest.mark.parametrize("payload, field", [
    (evolution({"imageMessage": image_node(mediaKey="%%%")}), "data.message.imageMessage.mediaKey"),
    ({"key": {"remoteJid": "x"}, "message": {"imageMessage": {}}}, "key.id"),
    ({"key": {"id": "1"}, "message": {"imageMessage": []}}, "message.imageMessage"),
    ({"messages": [{"key": {"id": "1"}, "messageTimestamp": "soon",
                    "message": {"imageMessage": {}}}]}, r"messages\[0\].messageTimestamp"),
])
def test_malformed_names_the_field(payload, field):
    with pytest.raises(PayloadError, match=field):
        parse(payload)


@pytest.mark.parametrize("message, kind", [
    ({"buttonsMessage": {"contentText": "pick", "imageMessage": image_node()}}, "image"),
    ({"templateMessage": {"hydratedTemplate": {"hydratedContentText": "hi",
                                               "documentMessage": image_node(
                                                   mimetype="application/pdf")}}},
     "document"),
    ({"interactiveMessage": {"header": {"hasMediaAttachment": True,
                                        "videoMessage": image_node(mimetype="video/mp4")},
                             "body": {"text": "promo"}}}, "video"),
])
def test_business_messages_with_a_media_header(message, kind):
    [ref] = parse(evolution(message))
    assert ref.media_type == MediaType(kind) and ref.media_key == B64(KEY).decode()
