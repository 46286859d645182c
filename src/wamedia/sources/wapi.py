"""W-API: the gateway decrypts for us.

``POST {base}/message/download-media?instanceId=ID`` with a bearer token and
``{mediaKey, directPath, type, mimetype}`` answers ``{"error": false, "fileLink": ...}``;
a GET of ``fileLink`` streams the plaintext bytes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from .._secrets import mask, redact, register
from ..errors import ConfigError, DownloadError
from ..models import MediaRecord
from .base import Download, Refresher
from .http import HostPolicy, HttpSource, get_following, raise_for_status, transport_error

__all__ = ["WAPISource"]

DEFAULT_BASE_URL = "https://api.w-api.app/v1"


class WAPISource(HttpSource):
    """Downloads through W-API's download endpoint.

    The ``fileLink`` it returns must be on ``base_url``'s host, on one of
    ``allowed_hosts``, or (when ``allowed_hosts`` is None) on a public DNS name; the
    token is sent only to ``base_url``'s host. ``refresh`` works as on CDNSource.

    >>> WAPISource(token="secret-token-123", base_url="https://api.w-api.app/v1")
    WAPISource(base_url='https://api.w-api.app/v1', token='secr…')
    """

    name = "wapi"

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        session: requests.Session | None = None,
        allowed_hosts: list[str] | None = None,
        refresh: Refresher | None = None,
        pool_size: int = 64,
        min_speed: float = 1024,
        speed_window: float = 30.0,
    ):
        if not token or not isinstance(token, str):
            raise ConfigError("WAPISource needs the instance's bearer token (token=...)")
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ConfigError(f"base_url must be an http(s) URL, got {base_url!r}")
        register(token)
        self._token = token
        super().__init__(base_url=base_url, timeout=timeout, session=session,
                         pool_size=pool_size, min_speed=min_speed, speed_window=speed_window)
        base_host = urlsplit(self.base_url).hostname or ""
        self.policy = HostPolicy([base_host, *(allowed_hosts or [])],
                                 any_public_name=allowed_hosts is None)
        self._base_host = base_host
        self.refresher = refresh

    def __repr__(self) -> str:
        return f"WAPISource(base_url={self.base_url!r}, token={mask(self._token)!r})"

    def open(self, media: MediaRecord, *, instance_id: str) -> Download:
        direct_path = media.direct_path or _direct_path_of(media.url)
        if not media.media_key or not direct_path:
            raise DownloadError("W-API needs the message's mediaKey and directPath",
                                retryable=False)
        link = self._file_link(media, direct_path, instance_id)
        headers = self._auth if urlsplit(link).hostname == self._base_host else {}
        response = get_following(self.session, link, self.policy, timeout=self.timeout,
                                 headers=headers, what="W-API file")
        return self.body(response, "W-API file")

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _file_link(self, media: MediaRecord, direct_path: str, instance_id: str) -> str:
        body = {
            "mediaKey": media.media_key,
            "directPath": direct_path,
            "type": str(media.media_type),
            "mimetype": media.mimetype,
        }
        try:
            response = self.session.post(
                f"{self.base_url}/message/download-media", params={"instanceId": instance_id},
                json=body, headers=self._auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise transport_error(exc, "W-API download-media") from exc
        raise_for_status(response, "W-API download-media")
        try:
            answer: Any = response.json()
        except ValueError as exc:
            raise DownloadError("W-API download-media answered something that is not JSON"
                                ) from exc
        finally:
            response.close()
        if not isinstance(answer, dict):
            raise DownloadError("W-API download-media answered an unexpected shape")
        link = answer.get("fileLink") or answer.get("link") or answer.get("url")
        if answer.get("error") or not isinstance(link, str):
            reason = answer.get("message") or answer.get("error") or "no fileLink"
            raise DownloadError(redact(f"W-API download-media: {reason}"))
        return link


def _direct_path_of(url: str | None) -> str | None:
    """The directPath inside a WhatsApp media URL, for messages that carry only the URL.

    >>> _direct_path_of("https://mmg.whatsapp.net/v/t62.7118-24/1.enc?ccb=11-4&oe=6800&mms3=true")
    '/v/t62.7118-24/1.enc?ccb=11-4&oe=6800'
    """
    if not url:
        return None
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("mms3="))
    return parts.path + (f"?{query}" if query else "") if parts.path else None
