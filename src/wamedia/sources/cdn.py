"""WhatsApp's CDN, straight: fetch the encrypted body and decrypt it ourselves, verifying
the MAC, fileEncSha256 and fileSha256 on the way. No gateway to trust."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import requests

from ..crypto import MediaDecryptor
from ..errors import ConfigError, DownloadError
from ..models import MediaRecord
from .base import Download, Refresher
from .http import HostPolicy, HttpDownload, HttpSource, get_following

__all__ = ["DEFAULT_CDN_HOSTS", "CDNSource"]

DEFAULT_CDN_HOSTS = ("mmg.whatsapp.net", "*.whatsapp.net")


class CDNSource(HttpSource):
    """Downloads ``https://mmg.whatsapp.net{directPath}`` (or the message's ``url``) and
    decrypts it with the message's mediaKey.

    Only ``allowed_hosts`` are fetched, redirects included: by default WhatsApp's own
    (``mmg.whatsapp.net``, ``*.whatsapp.net``). ``refresh``, if given, is called with
    the record when the CDN answers 404/410 and may return fresh fields (a dict with
    ``media_key``/``direct_path``/``url``..., or a MediaRef), for example from a
    gateway's re-upload request; the manager then tries once more.

    >>> CDNSource()
    CDNSource(base_url='https://mmg.whatsapp.net')
    """

    name = "cdn"

    def __init__(
        self,
        *,
        base_url: str = "https://mmg.whatsapp.net",
        allowed_hosts: Iterable[str] = DEFAULT_CDN_HOSTS,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        session: requests.Session | None = None,
        refresh: Refresher | None = None,
        pool_size: int = 64,
        min_speed: float = 1024,
        speed_window: float = 30.0,
    ):
        super().__init__(base_url=base_url, timeout=timeout, session=session,
                         pool_size=pool_size, min_speed=min_speed, speed_window=speed_window)
        self.policy = HostPolicy(allowed_hosts)
        if not self.policy.allows(self.base_url + "/"):
            raise ConfigError(f"base_url {self.base_url!r} is not among allowed_hosts")
        self.refresher = refresh

    def __repr__(self) -> str:
        return f"CDNSource(base_url={self.base_url!r})"

    def url_of(self, media: MediaRecord) -> str:
        """The URL to fetch: the directPath on ``base_url``, else the message's url."""
        if media.direct_path:
            path = media.direct_path if media.direct_path.startswith("/") else "/" + (
                media.direct_path)
            return self.base_url + path
        if media.url:
            return media.url
        raise DownloadError("the message has neither directPath nor url", retryable=False)

    def open(self, media: MediaRecord, *, instance_id: str) -> Download:
        if not media.media_key:
            raise DownloadError("the message carries no mediaKey to decrypt with",
                                retryable=False)
        decryptor = MediaDecryptor(media.media_key, str(media.media_type),
                                   file_enc_sha256=media.file_enc_sha256,
                                   file_sha256=media.file_sha256)
        response = get_following(self.session, self.url_of(media), self.policy,
                                 timeout=self.timeout, what="WhatsApp CDN")
        return _Decrypting(self.body(response, "WhatsApp CDN"), decryptor)


class _Decrypting(Download):
    verified_at_end = True

    def __init__(self, body: HttpDownload, decryptor: MediaDecryptor):
        self.body = body
        self.decryptor = decryptor
        self.content_type = None

    def chunks(self) -> Iterator[bytes]:
        for chunk in self.body.chunks():
            plain = self.decryptor.update(chunk)
            if plain:
                yield plain
        last = self.decryptor.finalize()
        if last:
            yield last

    def close(self) -> None:
        self.body.close()

