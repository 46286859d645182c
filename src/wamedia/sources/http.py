"""HTTP plumbing shared by the sources: pooled sessions, host allowlists, status mapping
and streamed bodies. Connection failures are retried by urllib3 (nothing was sent yet);
everything after that is retried by the manager, which restarts the whole download."""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .._secrets import redact
from .._time import utc_now
from ..errors import ConfigError, DownloadError, ExpiredMedia, WamediaError
from .base import Download, Source

__all__ = ["HostPolicy", "HttpDownload", "HttpSource", "error_from", "get_following",
           "raise_for_status", "shared_session", "status_of"]

CHUNK = 256 * 1024
MAX_REDIRECTS = 5

_sessions: dict[tuple[Any, ...], requests.Session] = {}
_sessions_lock = threading.Lock()


def _forget_sessions() -> None:  # a forked child must open its own connections
    global _sessions_lock
    _sessions.clear()
    _sessions_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_sessions)


def shared_session(key: tuple[Any, ...], pool_size: int = 64) -> requests.Session:
    """One pooled session per source configuration and process."""
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = new_session(pool_size)
        return session


def new_session(pool_size: int = 64) -> requests.Session:
    retry = Retry(total=None, connect=3, read=0, status=0, other=0, redirect=0,
                  backoff_factor=0.2, raise_on_status=False, respect_retry_after_header=False)
    adapter = HTTPAdapter(pool_connections=16, pool_maxsize=pool_size, max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class HostPolicy:
    """Which URLs a source may fetch.

    ``hosts`` are exact names or ``*.suffix`` patterns; IP literals and ``localhost``
    pass only when listed. With ``any_public_name`` any other DNS name passes too.
    Userinfo (``user@host``) and schemes other than http(s) never pass.

    >>> HostPolicy(["*.whatsapp.net"]).allows("https://mmg.whatsapp.net/v/t62/x")
    True
    >>> HostPolicy(["*.whatsapp.net"]).allows("https://mmg.whatsapp.net@evil.example/x")
    False
    """

    def __init__(self, hosts: Iterable[str] = (), *, any_public_name: bool = False):
        self.hosts = {h.lower().rstrip(".") for h in hosts}
        self.any_public_name = any_public_name

    def allows(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".")
            parts.port  # noqa: B018  (raises on a malformed port)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
            return False
        if host in self.hosts or any(
            p.startswith("*.") and host.endswith(p[1:]) for p in self.hosts
        ):
            return True
        return self.any_public_name and not _is_ip(host) and host != "localhost" and "." in host

    def check(self, url: str) -> None:
        if not self.allows(url):
            raise DownloadError(f"refusing to fetch from a host that is not allowed: "
                                f"{_origin(url)}", retryable=False)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.replace(".", "").isdigit()  # 2130706433, 0x7f.1 and friends
    return True


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return redact(f"{parts.scheme}://{parts.hostname}")


def raise_for_status(response: requests.Response, what: str) -> None:
    """Map an HTTP error status to our errors (401/403 ConfigError, 404/410 ExpiredMedia,
    429/5xx retryable DownloadError, other 4xx permanent)."""
    status = response.status_code
    if status < 400:
        return
    response.close()
    if status in (401, 403):
        raise ConfigError(f"{what}: HTTP {status}: the token was rejected")
    if status in (404, 410):
        raise ExpiredMedia(f"{what}: HTTP {status}: the media is no longer available",
                           status=status)
    retry_after = _retry_after(response.headers)
    raise DownloadError(f"{what}: HTTP {status}", status=status, retry_after=retry_after,
                        retryable=status == 429 or status >= 500 or status == 408)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - utc_now()).total_seconds())
        except (TypeError, ValueError):
            return None


def status_of(exc: BaseException) -> int | None:
    """The HTTP status an exception carries, whatever raised it: ``status``,
    ``status_code`` or ``code`` on the exception or on its ``response``."""
    for holder in (exc, getattr(exc, "response", None)):
        for attribute in ("status", "status_code", "code"):
            value = getattr(holder, attribute, None)
            if isinstance(value, int) and 100 <= value <= 599:
                return value
    return None


def error_from(exc: Exception, what: str) -> Exception:
    """Any exception a source raised, as one of ours: its HTTP status decides which."""
    if isinstance(exc, WamediaError):
        return exc
    status = status_of(exc)
    message = redact(f"{what}: {type(exc).__name__}: {exc}")
    if status in (401, 403):
        return ConfigError(message)
    if status in (404, 410):
        return ExpiredMedia(message, status=status)
    if status is not None and 400 <= status < 500 and status not in (408, 429):
        return DownloadError(message, status=status, retryable=False)
    return DownloadError(message, status=status)


def transport_error(exc: Exception, what: str) -> DownloadError:
    """A requests/urllib3 exception as a retryable DownloadError, secrets masked."""
    return DownloadError(redact(f"{what}: {type(exc).__name__}: {exc}"))


def get_following(
    session: requests.Session,
    url: str,
    policy: HostPolicy,
    *,
    timeout: Any,
    headers: Mapping[str, str] | None = None,
    what: str = "download",
) -> requests.Response:
    """GET ``url`` as a stream, following redirects only to hosts the policy allows.
    Headers (credentials) are dropped when a redirect changes the host."""
    headers = dict(headers or {})
    for _ in range(MAX_REDIRECTS + 1):
        policy.check(url)
        try:
            response = session.get(url, stream=True, allow_redirects=False, timeout=timeout,
                                   headers=headers)
        except requests.RequestException as exc:
            raise transport_error(exc, what) from exc
        if not response.is_redirect:
            raise_for_status(response, what)
            return response
        target = urljoin(url, response.headers.get("Location", ""))
        response.close()
        if urlsplit(target).hostname != urlsplit(url).hostname:
            headers = {}
        url = target
    raise DownloadError(f"{what}: more than {MAX_REDIRECTS} redirects", retryable=False)


class HttpDownload(Download):
    """A streamed HTTP body; a broken stream becomes a retryable DownloadError.

    Bytes are handed on as they arrive, so a transfer slower than ``min_speed`` bytes/s
    over any ``speed_window`` seconds (a stalled or slow-loris server) is abandoned
    instead of holding a worker for ever.
    """

    def __init__(self, response: requests.Response, *, what: str = "download",
                 min_speed: float = 1024, speed_window: float = 30.0):
        self.response = response
        self.what = what
        self.min_speed = min_speed
        self.speed_window = speed_window
        self.content_type = response.headers.get("Content-Type")
        length = response.headers.get("Content-Length")
        self.length = int(length) if length and length.isdigit() else None

    def chunks(self) -> Iterator[bytes]:
        raw = self.response.raw
        window_start, window_bytes = time.monotonic(), 0
        try:
            while chunk := raw.read1(CHUNK, decode_content=True):
                yield chunk
                window_bytes += len(chunk)
                elapsed = time.monotonic() - window_start
                if elapsed >= self.speed_window:
                    if window_bytes < self.min_speed * elapsed:
                        raise DownloadError(
                            f"{self.what} too slow: {window_bytes} bytes in {elapsed:.1f} s")
                    window_start, window_bytes = time.monotonic(), 0
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise transport_error(exc, f"{self.what} interrupted") from exc

    def close(self) -> None:
        self.response.close()


class HttpSource(Source):
    """What the HTTP sources share: this process's pooled session for their configuration
    (unless one was given) and the transfer limits of the bodies they stream."""

    def __init__(self, *, base_url: str, timeout: Any, session: requests.Session | None,
                 pool_size: int, min_speed: float, speed_window: float):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = session
        self._pool_size = pool_size
        self._limits = {"min_speed": min_speed, "speed_window": speed_window}

    @property
    def session(self) -> requests.Session:
        """The session given, or this process's shared one (a forked child gets its own)."""
        return self._session or shared_session((self.name, self.base_url), self._pool_size)

    def body(self, response: requests.Response, what: str) -> HttpDownload:
        """``response`` streamed under this source's transfer limits."""
        return HttpDownload(response, what=what, **self._limits)
