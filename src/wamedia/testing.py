"""Fake gateway servers on 127.0.0.1 that speak the real wire protocols, for tests, the
demo and benchmarks. Nothing else in wamedia imports this module.

    with FakeWAPI(token="t") as api:
        api.add(media_key, data)
        source = WAPISource(token=api.token, base_url=api.base_url)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeCDN", "FakeWAPI"]

TRUNCATE = "truncate"  # send half the body, then drop the connection
CORRUPT = "corrupt"  # send the right length of the wrong bytes
STALL = "stall"  # send half the body, then nothing for `stall_seconds`, then the rest


@dataclass
class _Failure:
    status: int | str
    times: int | None
    retry_after: float | str | None


def _b64(key: str | bytes) -> str:
    if isinstance(key, bytes):
        return base64.b64encode(key).decode("ascii")
    return key


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


class _FakeServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with an ephemeral port."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.requests: Counter[str] = Counter()
        self.downloads: Counter[str] = Counter()  # bodies served, per media key
        self._lock = threading.Lock()
        self._failures: dict[str, _Failure] = {}
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def fail(self, media_key: str | bytes, status: int | str, times: int | None = None,
             retry_after: float | str | None = None) -> None:
        """Answer ``status`` for ``media_key`` (``times`` times, or until cleared)."""
        with self._lock:
            self._failures[_b64(media_key)] = _Failure(status, times, retry_after)

    def clear(self, media_key: str | bytes) -> None:
        with self._lock:
            self._failures.pop(_b64(media_key), None)

    def _take_failure(self, key: str) -> _Failure | None:
        with self._lock:
            failure = self._failures.get(key)
            if failure is None:
                return None
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    del self._failures[key]
            return failure

    def send_failure(self, h: BaseHTTPRequestHandler, failure: _Failure) -> None:
        headers = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        self.send(h, int(failure.status), {"error": True, "message": "injected"},
                  headers=headers)

    def send_body(self, h: BaseHTTPRequestHandler, data: bytes, content_type: str,
                  failure: _Failure | None, stall_seconds: float = 30.0) -> None:
        """The body, or the body fault ``failure`` names."""
        if failure is not None and failure.status == TRUNCATE:
            return self.send_truncated(h, data, content_type)
        if failure is not None and failure.status == STALL:
            return self.send_stalled(h, data, content_type, stall_seconds)
        if failure is not None and failure.status == CORRUPT:
            data = bytes(b ^ 0x5A for b in data)
        return self.send(h, 200, data, content_type=content_type)

    @property
    def origin(self) -> str:
        assert self._httpd is not None, "start the server first (use it with `with`)"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        name="wamedia-fake-server")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        if self.latency:
            time.sleep(self.latency)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        path = urlsplit(h.path).path
        with self._lock:
            self.requests[f"{method} {path}"] += 1
        self.route(h, method, body)

    def route(self, h: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        raise NotImplementedError

    @staticmethod
    def send(h: BaseHTTPRequestHandler, status: int, body: bytes | dict,
             content_type: str = "application/json", headers: dict | None = None) -> None:
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    @staticmethod
    def send_truncated(h: BaseHTTPRequestHandler, data: bytes, content_type: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(socket.SHUT_RDWR)


    @staticmethod
    def send_stalled(h: BaseHTTPRequestHandler, data: bytes, content_type: str,
                     seconds: float) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        time.sleep(seconds)
        h.wfile.write(data[len(data) // 2:])


class FakeWAPI(_FakeServer):
    """W-API's download contract on 127.0.0.1.

    ``POST /v1/message/download-media?instanceId=ID`` (bearer token) with
    ``{mediaKey, directPath, type, mimetype}`` answers ``{"error": false, "fileLink": ...}``;
    ``GET /media/file/<id>`` serves the bytes. ``fail()`` injects 401/404/410/429/500,
    ``"truncate"`` (half a body), ``"corrupt"`` (wrong bytes) or ``"stall"`` (half a body,
    then a pause of ``stall_seconds``), ``times`` times or forever.
    """

    def __init__(self, token: str = "fake-wapi-token", latency: float = 0.0,
                 stall_seconds: float = 30.0):
        super().__init__(latency)
        self.token = token
        self.stall_seconds = stall_seconds
        self._media: dict[str, tuple[bytes, str]] = {}  # mediaKey -> (bytes, mimetype)
        self._links: dict[str, str] = {}  # file id in a fileLink -> mediaKey
        self._body_faults: dict[str, _Failure] = {}  # mediaKey -> fault of its next GET

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def add(self, media_key: str | bytes, data: bytes, mimetype: str = "application/octet-stream"
            ) -> str:
        """Serve ``data`` for ``media_key`` (base64 text or bytes); returns the key as text."""
        key = _b64(media_key)
        with self._lock:
            self._media[key] = (data, mimetype)
        return key

    def route(self, h: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        url = urlsplit(h.path)
        if method == "POST" and url.path == "/v1/message/download-media":
            return self._download_media(h, body, parse_qs(url.query))
        if method == "GET" and url.path.startswith("/media/file/"):
            return self._file(h, url.path.rsplit("/", 1)[-1])
        self.send(h, 404, {"error": True, "message": "not found"})

    def _download_media(self, h: BaseHTTPRequestHandler, body: bytes, query: dict) -> None:
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            return self.send(h, 401, {"error": True, "message": "invalid token"})
        if not query.get("instanceId"):
            return self.send(h, 400, {"error": True, "message": "instanceId is required"})
        try:
            request = json.loads(body)
            key = request["mediaKey"]
        except (ValueError, KeyError, TypeError):
            return self.send(h, 400, {"error": True, "message": "mediaKey is required"})
        failure = self._take_failure(key)
        if failure is not None and isinstance(failure.status, int):
            return self.send_failure(h, failure)
        if key not in self._media:
            return self.send(h, 404, {"error": True, "message": "media not found"})
        file_id = hashlib.sha256(key.encode()).hexdigest()[:32]
        with self._lock:
            self._links[file_id] = key
            if failure is not None:  # a body fault: it shows on the GET of the fileLink
                self._body_faults[key] = failure
        self.send(h, 200, {"error": False, "fileLink": f"{self.origin}/media/file/{file_id}"})

    def _file(self, h: BaseHTTPRequestHandler, file_id: str) -> None:
        with self._lock:
            key = self._links.get(file_id, "")
            data, mimetype = self._media.get(key, (None, ""))
            failure = self._body_faults.pop(key, None)
            if data is not None:
                self.downloads[key] += 1
        if data is None:
            return self.send(h, 404, {"error": True, "message": "file not found"})
        self.send_body(h, data, mimetype, failure, self.stall_seconds)


class FakeCDN(_FakeServer):
    """WhatsApp's media CDN on 127.0.0.1: ``GET {directPath}`` serves the encrypted body.

    ``add(data, media_type)`` encrypts ``data`` with a fresh mediaKey, as a WhatsApp client
    would, and returns the message fields that announce it (mediaKey, directPath, url,
    fileSha256, fileEncSha256, fileLength, mimetype), ready to put in a webhook.
    ``fail(media_key, ...)`` works as on FakeWAPI; ``"corrupt"`` flips the ciphertext.
    """

    def __init__(self, latency: float = 0.0, stall_seconds: float = 30.0):
        super().__init__(latency)
        self.stall_seconds = stall_seconds
        self._files: dict[str, tuple[bytes, str]] = {}  # directPath -> (enc, mediaKey)

    @property
    def base_url(self) -> str:
        return self.origin

    @property
    def hosts(self) -> list[str]:
        """The host names to allow in a CDNSource pointed at this fake."""
        return ["127.0.0.1"]

    def add(self, data: bytes, media_type: str = "image", *, mimetype: str | None = None,
            media_key: bytes | None = None) -> dict[str, Any]:
        from .crypto import encrypt_media

        key = media_key or os.urandom(32)
        enc, file_sha256, file_enc_sha256 = encrypt_media(data, key, media_type)
        name = hashlib.sha256(enc).hexdigest()[:24]
        direct_path = f"/v/t62.7118-24/{name}.enc?ccb=11-4&oh=01&oe=6800"
        key_b64 = _b64(key)
        with self._lock:
            self._files[urlsplit(direct_path).path] = (enc, key_b64)
        return {
            "url": f"{self.origin}{direct_path}&mms3=true",
            "mimetype": mimetype or _MIMETYPES.get(media_type, "application/octet-stream"),
            "mediaKey": key_b64,
            "directPath": direct_path,
            "fileSha256": file_sha256,
            "fileEncSha256": file_enc_sha256,
            "fileLength": str(len(data)),
            "mediaKeyTimestamp": str(int(time.time())),
        }

    def remove(self, direct_path: str) -> None:
        """Forget a file, as the CDN does when media expires (then GET answers 404)."""
        with self._lock:
            self._files.pop(urlsplit(direct_path).path, None)

    def route(self, h: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        with self._lock:
            enc, key = self._files.get(urlsplit(h.path).path, (None, ""))
        if method != "GET" or enc is None:
            return self.send(h, 404, b"Not Found", "text/plain")
        failure = self._take_failure(key)
        if failure is not None and isinstance(failure.status, int):
            return self.send_failure(h, failure)
        with self._lock:
            self.downloads[key] += 1
        self.send_body(h, enc, "application/octet-stream", failure, self.stall_seconds)


_MIMETYPES = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg; codecs=opus",
              "document": "application/pdf", "sticker": "image/webp"}
