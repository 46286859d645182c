"""W-API payloads into MediaRef. Shapes follow W-API's published `webhookReceived`
examples (event, instanceId, messageId, sender{id,pushName}, chat{id}, moment, msgContent)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest

from wamedia.errors import PayloadError
from wamedia.models import MediaType
from wamedia.webhooks import detect, parse, wapi

from .samples import KINDS, wapi_webhook


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind(kind):
    [ref] = parse(wapi_webhook("3EB0A1", kind))
    assert ref.media_type == MediaType(kind)
    assert ref.message_id == "3EB0A1" and ref.family == "wapi"
    assert ref.chat_id == "5511988887777" and ref.sender_name == "Ana"
    assert ref.timestamp == datetime(2024, 6, 10, 6, 13, 20, tzinfo=timezone.utc)
    assert ref.media_key and ref.direct_path.startswith("/v/")
    assert ref.media_key_timestamp == 1718000000


def test_wrapped_in_payload_and_as_text():
    wrapped = wapi_webhook("M", wrapped=True)
    assert parse(wrapped)[0].message_id == "M"
    assert parse(json.dumps(wrapped))[0].message_id == "M"
    assert parse(json.dumps(wrapped).encode())[0].message_id == "M"
    assert detect(wrapped) is wapi


def test_all_the_fields():
    payload = wapi_webhook("M", "audio", fileLength="12345", seconds="7", ptt=True,
                           caption="hi", fileEncSha256="q83vEjRWeJA=")
    payload.update(isGroup="true", fromMe=1, chat={"id": "120363@g.us"})
    [ref] = parse(payload)
    assert ref.file_length == 12345 and ref.seconds == 7 and ref.is_ptt is True
    assert ref.is_group is True and ref.from_me is True and ref.chat_id == "120363@g.us"
    assert ref.file_enc_sha256 == "q83vEjRWeJA="
    assert ref.mimetype == "audio/ogg; codecs=opus"


def test_document_keeps_its_name_and_caption():
    [ref] = parse(wapi_webhook("M", "document", caption="contract"))
    assert ref.file_name == "M.pdf" and ref.caption == "contract"


@pytest.mark.parametrize("wrapper", ["ephemeralMessage", "viewOnceMessage",
                                     "viewOnceMessageV2", "viewOnceMessageV2Extension"])
def test_wrappers_are_unwrapped(wrapper):
    payload = wapi_webhook("M", "image")
    payload["msgContent"] = {wrapper: {"message": payload["msgContent"]}}
    assert parse(payload)[0].media_type == MediaType.IMAGE


def test_document_with_caption():
    payload = wapi_webhook("M", "document", caption="see attached")
    payload["msgContent"] = {"documentWithCaptionMessage": {"message": payload["msgContent"]}}
    [ref] = parse(payload)
    assert ref.media_type == MediaType.DOCUMENT and ref.caption == "see attached"


def test_video_note_and_gif_are_video():
    payload = wapi_webhook("M", "video", gifPlayback=True)
    assert parse(payload)[0].media_type == MediaType.VIDEO
    payload["msgContent"] = {"ptvMessage": payload["msgContent"]["videoMessage"]}
    assert parse(payload)[0].media_type == MediaType.VIDEO


def test_a_quoted_media_is_not_the_messages_own():
    quoted = wapi_webhook("Q", "image")["msgContent"]
    payload = wapi_webhook("M")
    payload["msgContent"] = {"extendedTextMessage": {
        "text": "look at this", "contextInfo": {"stanzaId": "Q", "quotedMessage": quoted}}}
    assert parse(payload) == []


@pytest.mark.parametrize("payload", [
    {"event": "webhookConnected", "instanceId": "X"},
    {"event": "webhookStatus", "status": "READ", "ids": ["1"]},
    {"messageId": "M", "msgContent": {"conversation": "hello"}},
    {"messageId": "M", "msgContent": {"locationMessage": {"degreesLatitude": 1}}},
    [],
])
def test_non_media_is_empty(payload):
    assert parse(payload) == []


def test_lists_of_payloads():
    assert [r.message_id for r in parse([wapi_webhook("A"), wapi_webhook("B")])] == ["A", "B"]


@pytest.mark.parametrize("payload, field", [
    (b"{not json", "JSON"),
    (b"\xff\xfe", "UTF-8"),
    ("42", "JSON object"),
    ({"msgContent": {"imageMessage": {"mimetype": "image/jpeg"}}}, "messageId"),
    ({"messageId": "M", "msgContent": {"imageMessage": "oops"}}, "msgContent.imageMessage"),
    ({"messageId": "M", "msgContent": {"imageMessage": {"fileLength": "12kb"}}}, "fileLength"),
    ({"messageId": "M", "msgContent": {"imageMessage": {"fileLength": -1}}}, "fileLength"),
    ({"messageId": "M", "msgContent": {"imageMessage": {"mediaKey": "no*base64"}}}, "mediaKey"),
    ({"messageId": "M", "moment": "yesterday", "msgContent": {"imageMessage": {}}}, "moment"),
    ({"messageId": "M", "sender": [1], "msgContent": {"imageMessage": {}}}, "sender"),
])
def test_malformed_payloads_name_the_field(payload, field):
    with pytest.raises(PayloadError, match=field):
        parse(payload)


def test_binary_fields_in_every_encoding():
    raw = bytes(range(32))
    std = base64.b64encode(raw).decode()
    for encoded in (std, base64.urlsafe_b64encode(raw).decode().rstrip("="), list(raw),
                    {"type": "Buffer", "data": list(raw)},
                    {str(i): b for i, b in enumerate(raw)}):
        payload = wapi_webhook("M", mediaKey=encoded)
        assert parse(payload)[0].media_key == std


@pytest.mark.parametrize("moment, expected", [
    (1718000000, 1718000000),
    (1718000000123, 1718000000.123),
    ("1718000000", 1718000000),
    ("2024-06-10T06:13:20Z", 1718000000),
    ({"low": 1718000000, "high": 0, "unsigned": False}, 1718000000),
])
def test_times_in_every_form(moment, expected):
    payload = wapi_webhook("M")
    payload["moment"] = moment
    assert parse(payload)[0].timestamp.timestamp() == pytest.approx(expected)


def test_inline_base64_media_is_carried():
    payload = wapi_webhook("M", base64="data:image/jpeg;base64," + base64.b64encode(
        b"\xff\xd8\xff").decode())
    assert parse(payload)[0].inline == b"\xff\xd8\xff"
