"""The example against wamedia's FakeWAPI (a real HTTP server on 127.0.0.1)."""

import base64
import hashlib
import os

from django.contrib.auth.models import User
from django.test import TransactionTestCase, override_settings

from wamedia.testing import FakeWAPI

from .media import manager
from .models import MessageMedia, TenantAccess

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(5000)


def webhook(message_id, media_key):
    return {"event": "webhookReceived", "messageId": message_id, "moment": 1718000000,
            "chat": {"id": "5511988887777"}, "sender": {"id": "5511988887777"},
            "msgContent": {"imageMessage": {
                "mimetype": "image/jpeg", "mediaKey": media_key, "directPath": "/v/x",
                "fileLength": str(len(JPEG)),
                "fileSha256": base64.b64encode(hashlib.sha256(JPEG).digest()).decode()}}}


class WebhookToFileTest(TransactionTestCase):
    def setUp(self):
        self.api = FakeWAPI(token="django-token-0123456789").start()
        self.addCleanup(self.api.stop)
        self.key = self.api.add(os.urandom(32), JPEG, "image/jpeg")
        settings = override_settings(WAMEDIA={"ROOT": os.environ["WAMEDIA_ROOT"],
                                              "TOKEN": self.api.token,
                                              "BASE_URL": self.api.base_url})
        settings.enable()
        self.addCleanup(settings.disable)
        manager("1", "3B6XIW").close()  # a manager cached with other settings goes away

    def test_webhook_is_answered_at_once_and_the_file_served_to_its_tenant(self):
        response = self.client.post("/webhook/1/3B6XIW", webhook("DJ1", self.key),
                                    content_type="application/json")
        self.assertEqual(response.status_code, 202)
        self.assertEqual(response.json(), {"media": ["DJ1"]})
        manager("1", "3B6XIW").close(wait=True)  # let the download finish

        saved = MessageMedia.objects.get(message_id="DJ1")
        self.assertEqual((saved.media_type, saved.file_size), ("image", len(JPEG)))

        owner = User.objects.create_user("ana", password="pw")
        TenantAccess.objects.create(user=owner, client_id="1", instance_id="3B6XIW")
        User.objects.create_user("bia", password="pw")
        self.assertEqual(self.client.get("/media/1/3B6XIW/DJ1").status_code, 404)
        self.client.login(username="bia", password="pw")
        self.assertEqual(self.client.get("/media/1/3B6XIW/DJ1").status_code, 404)
        self.client.login(username="ana", password="pw")
        response = self.client.get("/media/1/3B6XIW/DJ1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), JPEG)
        self.assertEqual(self.client.get("/media/1/3B6XIW/NOPE").status_code, 404)

    def test_a_malformed_payload_is_a_400(self):
        response = self.client.post("/webhook/1/3B6XIW", {"messageId": "X",
                                                          "msgContent": {"imageMessage": 1}},
                                    content_type="application/json")
        self.assertEqual(response.status_code, 400)
