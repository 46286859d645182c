"""MediaManager: the facade that knows a tenant's sources, storage and index together."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from ._secrets import log
from ._time import in_seconds, utc_now
from .compat import CompatMixin
from .errors import (
    ConfigError,
    DownloadError,
    ExpiredMedia,
    MediaNotFound,
    StorageError,
    ValidationError,
    WamediaError,
)
from .index import Index, SQLiteIndex
from .layout import media_key, tenant_prefix
from .models import MediaRecord, MediaRef, MediaType, PurgeReport, Stats, Status, VerifyReport
from .sources import Download, Source
from .sources.http import error_from
from .storage import LocalStorage, Storage
from .validation import HEAD_BYTES, StreamCheck, check_type
from .webhooks import parse
from .workers import pool, sweeper

__all__ = ["DEFAULT_MAX_BYTES", "INDEX_FILE", "MediaManager"]

DEFAULT_MAX_BYTES = 2 * 2**30  # WhatsApp's own limit for documents
INDEX_FILE = "media_database.db"
RETRY_BASE, RETRY_CAP = 60.0, 6 * 3600.0  # between calls: seconds, exponential with jitter
IN_CALL_WAIT_CAP = 30.0  # Retry-After honoured inside a call up to this; longer is scheduled

Hook = Callable[[MediaRecord], Any]
_REFRESHABLE = ("media_key", "direct_path", "url", "file_enc_sha256", "file_sha256",
                "media_key_timestamp")

_live: weakref.WeakSet[MediaManager] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for manager in list(_live):
        manager._after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)


class MediaManager(CompatMixin):
    """Webhook media of one tenant (client + WhatsApp instance), from payload to stored file.

    >>> import tempfile
    >>> with MediaManager(1, "3B6XIW", root=tempfile.mkdtemp()) as m:
    ...     m.stats().total
    0

    ``source`` is a Source or a list tried in order; ``storage`` a Storage or a path
    (default: ``LocalStorage(root)``); ``index`` an Index (default: SQLite at
    ``{root}/cliente_{client}/instance_{instance}/media_database.db``). Without a source,
    media are recorded as pending and can be downloaded once a manager with one opens.
    """

    def __init__(
        self,
        client_id: int | str,
        instance_id: str,
        root: str | os.PathLike[str] = "media_storage",
        *,
        source: Source | Iterable[Source] | None = None,
        storage: Storage | str | os.PathLike[str] | None = None,
        index: Index | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        workers: int = 32,
        lease_seconds: float = 300.0,
        max_attempts: int = 8,
        retries: int = 3,
        retention_days: float | None = None,
        retention_interval: float = 3600.0,
        on_saved: Hook | None = None,
        on_failed: Hook | None = None,
    ):
        self.prefix = tenant_prefix(client_id, instance_id)  # validates both ids
        self.client_id = str(client_id)
        self.instance_id = str(instance_id)
        self.root = Path(root).absolute()
        if isinstance(source, Source) or source is None:
            self.sources: list[Source] = [] if source is None else [source]
        else:
            self.sources = list(source)
        if not all(isinstance(s, Source) for s in self.sources):
            raise ConfigError("source must be a Source (e.g. WAPISource) or a list of them")
        self.source = source
        self.storage = _storage(storage, self.root)
        self.index = index or SQLiteIndex(self.index_path(self.root, client_id, instance_id))
        if max_bytes <= 0 or workers <= 0 or lease_seconds <= 0 or max_attempts <= 0:
            raise ConfigError("max_bytes, workers, lease_seconds and max_attempts must be > 0")
        self.max_bytes = max_bytes
        self.workers = workers
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.retries = retries
        self.retention_days = retention_days
        self.on_saved = on_saved
        self.on_failed = on_failed
        self.closed = False
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue: deque[tuple[str, bool]] = deque()  # waiting for a worker
        self._queued: set[str] = set()  # in the queue or running
        self._running = 0
        self._active: dict[str, threading.Event] = {}  # being downloaded, by any thread
        _live.add(self)
        if self.sources:
            self.retry_pending()  # resume what a previous process left due
        if retention_days is not None:
            sweeper.register(self, retention_interval)

    @staticmethod
    def index_path(root: str | os.PathLike[str], client_id: int | str,
                   instance_id: str) -> Path:
        """Where the default index of a tenant lives (where the original kept it)."""
        return Path(root).absolute() / tenant_prefix(client_id, instance_id) / INDEX_FILE

    def __repr__(self) -> str:
        return (f"MediaManager(client_id={self.client_id!r}, instance_id={self.instance_id!r},"
                f" root={str(self.root)!r}, sources={self.sources!r})")

    # -- ingest -----------------------------------------------------------------------

    def process_message(self, webhook: Any, *, wait: bool = True) -> MediaRecord | None:
        """Record and download the media of a webhook payload; returns its record.

        None for non-media messages and other events; PayloadError for a malformed
        payload. With ``wait=True`` the final record (success, failed or expired:
        download problems are recorded, not raised); with ``wait=False`` the pending
        record, downloaded in the background.
        """
        records = self.process_webhook(webhook, wait=wait)
        return records[0] if records else None

    def process_webhook(self, webhook: Any, *, wait: bool = False) -> list[MediaRecord]:
        """Every media of a payload, recorded (and downloaded when ``wait``)."""
        self._check_open()
        return [self.process_ref(ref, wait=wait) for ref in parse(webhook)]

    def process_ref(self, ref: MediaRef, *, wait: bool = True) -> MediaRecord:
        """Record one parsed media and download it (see ``process_message``)."""
        record, _ = self.index.upsert(ref, client_id=self.client_id,
                                      instance_id=self.instance_id)
        if record.status not in (Status.PENDING, Status.DOWNLOADING):
            return record  # done, or failed/expired with nothing new to try
        if ref.inline is not None:
            return self._download(record.message_id, inline=ref.inline)
        if not self.sources:
            return record
        if wait:
            return self._download(record.message_id)
        self._schedule(record.message_id)
        return record

    def retry_pending(self, limit: int = 1000, force: bool = False) -> int:
        """Schedule due media (pending, failed whose next attempt has come, downloads whose
        lease ran out) in the background; ``force`` also takes permanent failures and
        expired media. Returns how many were scheduled."""
        self._check_open()
        if not self.sources:
            raise ConfigError("this manager has no source to download with (source=...)")
        scheduled = 0
        for message_id in self.index.due(limit=limit, force=force):
            scheduled += self._schedule(message_id, force=force)
        return scheduled

    def download(self, message_id: str, *, force: bool = False) -> MediaRecord:
        """Download one recorded media now, in this thread; returns its final record."""
        self._check_open()
        if self.get(message_id) is None:
            raise MediaNotFound(f"no media {message_id!r} in {self.prefix}")
        return self._download(message_id, force=force)

    def _schedule(self, message_id: str, *, force: bool = False) -> bool:
        """Queue a background download; at most ``workers`` of this manager run at once
        on the shared pool, so one busy tenant cannot starve the others."""
        with self._lock:
            if message_id in self._queued:
                return False
            self._queued.add(message_id)
            self._queue.append((message_id, force))
            self._pump()
        return True

    def _pump(self) -> None:  # called holding self._lock
        while self._queue and self._running < self.workers:
            message_id, force = self._queue.popleft()
            self._running += 1
            pool.submit(self._work, message_id, force, workers=self.workers)

    def _work(self, message_id: str, force: bool) -> None:
        try:
            self._download(message_id, force)
        except ConfigError:
            pass  # recorded and logged with the media; nobody is waiting to be told
        except Exception:
            log.exception("background download of %s failed", message_id)
        finally:
            with self._lock:
                self._running -= 1
                self._queued.discard(message_id)
                self._pump()
                self._idle.notify_all()

    def _after_fork(self) -> None:
        """In a forked child: the parent's threads and locks are not here."""
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue, self._queued, self._active, self._running = deque(), set(), {}, 0

    # -- one download -----------------------------------------------------------------

    def _download(self, message_id: str, force: bool = False, *,
                  inline: bytes | None = None) -> MediaRecord:
        """Claim and download one media; a thread of this process that finds another
        already at it waits for that one instead of asking the index."""
        with self._lock:
            busy = self._active.get(message_id)
            if busy is None:
                done = self._active[message_id] = threading.Event()
        if busy is not None:
            busy.wait()
            return self._current(message_id)
        try:
            record = self.index.claim(message_id, lease_seconds=self.lease_seconds,
                                      force=force)
            if record is None:  # another process holds it, or it is already done
                return self._current(message_id)
            return self._run(record, inline)
        finally:
            with self._lock:
                del self._active[message_id]
            done.set()

    def _current(self, message_id: str) -> MediaRecord:
        current = self.index.get(message_id)
        if current is None:
            raise MediaNotFound(f"no media {message_id!r} in {self.prefix}")
        return current

    def _run(self, record: MediaRecord, inline: bytes | None) -> MediaRecord:
        """Try each source in order (or the inline bytes); record the first success, or
        the failure with every source's reason."""
        started = time.monotonic()
        errors: list[WamediaError] = []
        if inline is not None:
            tries: list[tuple[str, Source | None]] = [("inline", None)]
        else:
            tries = [(source.name, source) for source in self.sources]
        for name, source in tries:
            try:
                if source is None:
                    key, check = self._fetch(record, name, lambda _: _Inline(inline or b""))
                else:
                    record, key, check = self._from_source(record, source)
            except WamediaError as exc:
                errors.append(exc)
                log.debug("media %s: %s failed: %s", record.message_id, name, exc)
                continue
            return self._succeeded(record, key, check, name, started)
        return self._failed(record, errors, started)

    def _from_source(self, record: MediaRecord, source: Source
                     ) -> tuple[MediaRecord, str, StreamCheck]:
        """Download from one source; when it says the media is gone, ask it once for
        fresh fields (a re-upload) and try again before giving up."""
        def opener(r: MediaRecord) -> Any:
            return source.open(r, instance_id=self.instance_id)

        try:
            return (record, *self._fetch(record, source.name, opener))
        except ExpiredMedia as gone:
            fresh = self._refreshed(record, source)
            if fresh is None:
                raise
            log.info("media %s: %s refreshed the media after: %s", record.message_id,
                     source.name, gone)
            try:
                return (fresh, *self._fetch(fresh, source.name, opener))
            except WamediaError as again:
                again.args = (f"{again} (after refreshing; before that: {gone})",)
                raise

    def _refreshed(self, record: MediaRecord, source: Source) -> MediaRecord | None:
        try:
            fields = source.refresh(record, instance_id=self.instance_id)
        except Exception as exc:
            log.warning("media %s: refresh by %s failed: %s", record.message_id, source.name,
                        exc)
            return None
        if isinstance(fields, MediaRef):
            fields = {name: getattr(fields, name) for name in _REFRESHABLE}
        update = {k: v for k, v in (fields or {}).items() if k in _REFRESHABLE and v}
        if not update:
            return None
        return self.index.update(record.message_id, Status.DOWNLOADING, **update)

    def _fetch(self, record: MediaRecord, name: str,
               opener: Callable[[MediaRecord], Any]) -> tuple[str, StreamCheck]:
        """One source, retried inside the call for transient errors."""
        for attempt in range(self.retries + 1):
            try:
                return self._stream(record, lambda: opener(record))
            except WamediaError as exc:
                error = exc
            except Exception as exc:  # a custom source's own exceptions, read for a status
                log.warning("media %s: %s raised %r", record.message_id, name, exc,
                            exc_info=True)
                error = error_from(exc, name)
            if (not isinstance(error, DownloadError) or not error.retryable
                    or attempt == self.retries):
                raise error
            delay = error.retry_after
            if delay is None:
                delay = min(8.0, 0.25 * 2**attempt) * random.uniform(0.5, 1.0)
            if delay > IN_CALL_WAIT_CAP:
                raise error
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _stream(self, record: MediaRecord, opener: Callable[[], Any]) -> tuple[str, StreamCheck]:
        check = StreamCheck(max_bytes=self.max_bytes, declared_length=record.file_size,
                            file_sha256=record.file_sha256,
                            forbid_archive=_archive_forbidden(record))
        renew_every = self.lease_seconds / 3
        next_renew = time.monotonic() + renew_every
        with opener() as download:
            chunks = download.chunks()
            head = b""
            for chunk in chunks:
                check.update(chunk)
                head += chunk
                if len(head) >= HEAD_BYTES:
                    break
            try:
                ext = check_type(MediaType(record.media_type), record.mimetype, head)
            except ValidationError:
                if download.verified_at_end:  # garbage from a bad MAC: say so instead
                    for chunk in chunks:
                        check.update(chunk)
                raise
            key = media_key(self.client_id, self.instance_id, record.media_type,
                            record.message_id, ext)
            with self.storage.writer(key) as writer:
                writer.write(head)
                for chunk in chunks:
                    check.update(chunk)
                    writer.write(chunk)
                    if time.monotonic() >= next_renew:
                        self.index.renew(record.message_id, lease_seconds=self.lease_seconds)
                        next_renew = time.monotonic() + renew_every
                check.finish()
        return key, check

    def _succeeded(self, record: MediaRecord, key: str, check: StreamCheck, source: str,
                   started: float) -> MediaRecord:
        final = self.index.update(
            record.message_id, Status.SUCCESS, file_path=key, file_size=check.size,
            sha256=check.sha256, delivered_by=source, download_timestamp=utc_now(),
            last_error=None, next_attempt_at=None,
        ) or record
        log.info("media %s type=%s status=success bytes=%d duration=%.3fs source=%s",
                 record.message_id, record.media_type, check.size,
                 time.monotonic() - started, source)
        self._call(self.on_saved, final)
        return final

    def _failed(self, record: MediaRecord, errors: list[WamediaError],
                started: float) -> MediaRecord:
        if not errors:
            errors = [ConfigError("this manager has no source to download with")]
        reason = "; ".join(str(e) for e in errors)[:2000]
        if all(isinstance(e, ExpiredMedia) for e in errors):
            status, next_at = Status.EXPIRED, None
        else:
            status = Status.FAILED
            next_at = self._next_attempt(record, errors)
        final = self.index.update(record.message_id, status, last_error=reason,
                                  next_attempt_at=next_at) or record
        log.warning("media %s type=%s status=%s bytes=0 duration=%.3fs reason=%s",
                    record.message_id, record.media_type, status,
                    time.monotonic() - started, reason)
        self._call(self.on_failed, final)
        config = next((e for e in errors if isinstance(e, ConfigError)), None)
        if config is not None:
            raise config
        return final

    def _next_attempt(self, record: MediaRecord, errors: list[WamediaError]) -> datetime | None:
        """When to try again; None when retrying cannot help (or attempts ran out)."""
        if record.attempts >= self.max_attempts or not any(
            e.retryable or isinstance(e, (ConfigError, ExpiredMedia)) for e in errors
        ):
            return None
        waits = [e.retry_after for e in errors
                 if isinstance(e, DownloadError) and e.retry_after is not None]
        if waits:
            return in_seconds(max(waits))
        delay = min(RETRY_CAP, RETRY_BASE * 2 ** max(0, record.attempts - 1))
        return in_seconds(delay * random.uniform(0.5, 1.0))

    @staticmethod
    def _call(hook: Hook | None, record: MediaRecord) -> None:
        if hook is None:
            return
        try:
            hook(record)
        except Exception:
            log.exception("hook %r failed for media %s", hook, record.message_id)

    # -- read -------------------------------------------------------------------------

    def get(self, message_id: str) -> MediaRecord | None:
        """The record of one media, or None."""
        return self.index.get(message_id)

    def search(
        self,
        *,
        media_type: MediaType | str | Iterable[str] | None = None,
        status: Status | str | Iterable[str] | None = None,
        chat_id: str | None = None,
        sender_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[MediaRecord]:
        """Records matching every filter given, newest message first. ``text`` looks in
        captions and file names; ``since``/``until`` bound the message time."""
        return self.index.search(media_type=media_type, status=status, chat_id=chat_id,
                                 sender_id=sender_id, since=since, until=until, text=text,
                                 limit=limit, offset=offset)

    def stats(self) -> Stats:
        """Counts and bytes in O(1); also a mapping with the original's keys."""
        return dataclasses.replace(self.index.stats(), client_id=self.client_id,
                                   instance_id=self.instance_id)

    def open(self, message_id: str) -> BinaryIO:
        """The stored file of a media, opened for binary reading."""
        return self.storage.open(self._stored_key(message_id))

    def url(self, message_id: str, expires: int = 3600) -> str:
        """A URL of the stored file: presigned on S3, ``file://`` on local disk."""
        return self.storage.url(self._stored_key(message_id), expires)

    def _stored_key(self, message_id: str) -> str:
        record = self.index.get(message_id)
        if record is None or record.status != Status.SUCCESS or not record.file_path:
            raise MediaNotFound(f"no stored file for media {message_id!r} in {self.prefix}")
        return self.key_of(record)

    def key_of(self, record: MediaRecord) -> str:
        """The storage key of a record's file (rows the original system wrote after the
        migration may hold a path that begins with its base folder)."""
        path = (record.file_path or "").replace("\\", "/")
        at = path.find(self.prefix)
        key = path[at:] if at > 0 else path
        if not key.startswith(self.prefix):  # never another tenant's file
            raise MediaNotFound(f"the file of {record.message_id!r} ({path!r}) is not in "
                                f"{self.prefix}")
        return key

    # -- maintenance ------------------------------------------------------------------

    def purge_older_than(self, days: float = 30) -> PurgeReport:
        """Delete files downloaded more than ``days`` ago; their rows stay as ``purged``."""
        cutoff = utc_now() - timedelta(days=days)
        files = freed = 0
        purged: list[str] = []
        skipped: set[str] = set()
        while True:
            batch = [r for r in self.index.downloaded_before(cutoff, limit=500 + len(skipped))
                     if r.message_id not in skipped]
            if not batch:
                break
            for record in batch:
                try:
                    self.storage.delete(self.key_of(record))
                except (StorageError, MediaNotFound) as exc:
                    log.warning("purge: cannot delete %s: %s", record.file_path, exc)
                    skipped.add(record.message_id)
                    continue
                if self.index.update(record.message_id, Status.PURGED,
                                     expect=[Status.SUCCESS]):
                    files += 1
                    freed += record.file_size or 0
                    purged.append(record.message_id)
        return PurgeReport(files=files, bytes=freed, message_ids=purged)

    def verify(self, repair: bool = False, deep: bool = False) -> VerifyReport:
        """Compare rows with files: sizes always, SHA-256 with ``deep``.

        ``repair`` deletes temp leftovers and makes missing or mismatched media pending
        again; orphan files are reported, never deleted.
        """
        report = VerifyReport()
        claimed: set[str] = set()
        for record in self._all_records():
            if not record.file_path:
                continue
            try:
                key = self.key_of(record)
                claimed.add(key)
                if record.status != Status.SUCCESS:
                    continue
                size = self.storage.size(key)
            except MediaNotFound:
                if record.status != Status.SUCCESS:
                    continue
                report.missing.append(record.message_id)
                continue
            if size != record.file_size or (deep and record.sha256
                                             and self._sha256(key) != record.sha256):
                report.mismatched.append(record.message_id)
            else:
                report.ok += 1
        report.orphans = [k for k in self.storage.list(self.prefix)
                          if k not in claimed and not _is_index_file(k)]
        report.temp = list(self.storage.list_temp(self.prefix))
        if repair:
            for message_id in report.missing + report.mismatched:
                if self.index.update(message_id, Status.PENDING, expect=[Status.SUCCESS],
                                     last_error="verify: stored file missing or different",
                                     next_attempt_at=None):
                    report.repaired.append(message_id)
            for key in report.temp:
                self.storage.delete(key)
                report.repaired.append(key)
        return report

    def _all_records(self, batch: int = 1000) -> Iterator[MediaRecord]:
        offset = 0
        while True:
            rows = self.index.search(limit=batch, offset=offset)
            yield from rows
            if len(rows) < batch:
                return
            offset += batch

    def _sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self.storage.open(key) as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    # -- life -------------------------------------------------------------------------

    def close(self, wait: bool = True) -> None:
        """Stop taking work. ``wait=True`` drains every queued download; ``wait=False``
        finishes the running ones and leaves the queued ones pending for a later manager."""
        if self.closed:
            return
        self.closed = True
        sweeper.unregister(self)
        with self._lock:
            if not wait:  # queued rows stay pending in the index for a later manager
                self._queued.difference_update(mid for mid, _ in self._queue)
                self._queue.clear()
            while self._running or self._queue:
                self._idle.wait()
        self.index.close()
        self.storage.close()
        from .registry import forget

        forget(self)

    def _check_open(self) -> None:
        if self.closed:
            raise ConfigError("this MediaManager is closed")

    def __enter__(self) -> MediaManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Inline(Download):
    """Media bytes that came inside the payload, read like a download."""

    def __init__(self, data: bytes):
        self.data = data

    def chunks(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), 1 << 20):
            yield self.data[start:start + (1 << 20)]


def _storage(storage: Storage | str | os.PathLike[str] | None, root: Path) -> Storage:
    if storage is None:
        return LocalStorage(root)
    if isinstance(storage, Storage):
        return storage
    if isinstance(storage, (str, os.PathLike)):
        from .storage import open_storage

        return open_storage(storage)
    raise ConfigError(f"storage must be a Storage, a path or a URL, got {type(storage).__name__}")


def _archive_forbidden(record: MediaRecord) -> bool:
    """Media, and documents declared as PDF or media, must not carry a ZIP archive;
    other documents may be one (docx, xlsx, apk...)."""
    if record.media_type != MediaType.DOCUMENT:
        return True
    declared = (record.mimetype or "").split(";")[0].strip().lower()
    return declared == "application/pdf" or declared.split("/")[0] in ("image", "video",
                                                                       "audio")


def _is_index_file(key: str) -> bool:
    return key.rsplit("/", 1)[-1].startswith(INDEX_FILE)
