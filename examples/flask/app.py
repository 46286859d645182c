"""A Flask webhook receiver that hands WhatsApp media to wamedia without blocking.

    WAMEDIA_WAPI_TOKEN=... WAMEDIA_ROOT=/srv/media flask --app app run

POST /webhook/<client>/<instance>          the gateway's webhook: 202 at once
GET  /media/<client>/<instance>/<message>  the stored file, for an API key of that tenant
"""

from __future__ import annotations

import os

from flask import Flask, abort, jsonify, redirect, request, send_file

from wamedia import MediaNotFound, PayloadError, WAPISource, open_manager
from wamedia.errors import ConfigError
from wamedia.webhooks import verify_signature


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        WAMEDIA_ROOT=os.environ.get("WAMEDIA_ROOT", "media_storage"),
        WAMEDIA_WAPI_TOKEN=os.environ.get("WAMEDIA_WAPI_TOKEN", ""),
        WAMEDIA_WAPI_URL=os.environ.get("WAMEDIA_WAPI_URL", "https://api.w-api.app/v1"),
        API_KEYS={},  # api key -> list of (client, instance) it may read
        WEBHOOK_SECRET=os.environ.get("WEBHOOK_SECRET", ""),  # HMAC key, if the gateway signs
    )
    app.config.update(config or {})

    def manager(client: str, instance: str):
        return open_manager(client, instance, root=app.config["WAMEDIA_ROOT"],
                            source=WAPISource(token=app.config["WAMEDIA_WAPI_TOKEN"],
                                              base_url=app.config["WAMEDIA_WAPI_URL"]))

    @app.post("/webhook/<client>/<instance>")
    def webhook(client: str, instance: str):
        secret = app.config["WEBHOOK_SECRET"]
        if secret and not verify_signature(request.get_data(),
                                           request.headers.get("X-Hub-Signature-256"), secret):
            abort(401)
        try:
            records = manager(client, instance).process_webhook(request.get_data(),
                                                                wait=False)
        except PayloadError as exc:
            return jsonify(error=str(exc)), 400
        except ConfigError as exc:
            return jsonify(error=str(exc)), 404
        return jsonify(media=[r.message_id for r in records]), 202

    @app.get("/media/<client>/<instance>/<message_id>")
    def media(client: str, instance: str, message_id: str):
        allowed = app.config["API_KEYS"].get(request.headers.get("X-Api-Key", ""), [])
        if (client, instance) not in allowed:
            abort(404)  # not yours: do not even say whether it exists
        m = manager(client, instance)
        try:
            url = m.url(message_id)
            if url.startswith("http"):
                return redirect(url)  # presigned S3 URL: let the client fetch it
            record = m.get(message_id)
            return send_file(m.open(message_id), mimetype=record.mimetype,
                             download_name=record.file_path.rsplit("/", 1)[-1])
        except MediaNotFound:
            abort(404)

    return app
