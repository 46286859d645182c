"""Background work shared by every manager of a process: one download pool and one
retention sweeper, so 200 tenants do not mean 6,400 threads. Both are recreated in a
forked child (gunicorn --preload, Celery prefork), whose parent's threads do not exist."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ._secrets import log

__all__ = ["DownloadPool", "RetentionSweeper", "pool", "sweeper"]


class DownloadPool:
    """A thread pool as large as the largest ``workers`` any manager asked for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self.size = 0

    def submit(self, fn: Callable[..., Any], *args: Any, workers: int) -> Future:
        with self._lock:
            if self._executor is None or workers > self.size:
                old = self._executor
                self.size = max(workers, self.size)
                self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="wamedia")
                if old is not None:
                    old.shutdown(wait=False)  # its queued work still runs
            return self._executor.submit(fn, *args)

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        self._executor = None
        self.size = 0


class RetentionSweeper:
    """One daemon thread that purges old files for every manager with ``retention_days``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._due: dict[int, tuple[weakref.ref, float, float]] = {}
        self._thread: threading.Thread | None = None

    def register(self, manager: Any, interval: float) -> None:
        with self._lock:
            self._due[id(manager)] = (weakref.ref(manager), interval, time.monotonic())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wamedia-retention",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def unregister(self, manager: Any) -> None:
        with self._lock:
            self._due.pop(id(manager), None)

    def _run(self) -> None:
        while True:
            with self._lock:
                entries = list(self._due.items())
            now = time.monotonic()
            next_due = now + 3600
            for key, (ref, interval, due) in entries:
                manager = ref()
                if manager is None:
                    with self._lock:
                        self._due.pop(key, None)
                    continue
                if due <= now:
                    self._sweep(manager)
                    due = time.monotonic() + interval
                    with self._lock:
                        if key in self._due:
                            self._due[key] = (ref, interval, due)
                next_due = min(next_due, due)
            self._wake.wait(max(0.01, next_due - time.monotonic()))
            self._wake.clear()

    @staticmethod
    def _sweep(manager: Any) -> None:
        try:
            report = manager.purge_older_than(manager.retention_days)
            if report.files:
                log.info("retention purged %d files (%d bytes) for %s", report.files,
                         report.bytes, manager.prefix)
        except Exception:
            log.exception("retention sweep failed for %s", manager.prefix)

    def _after_fork(self) -> None:
        due, self._due, self._thread = self._due, {}, None
        self._lock, self._wake = threading.Lock(), threading.Event()
        for ref, interval, _ in due.values():
            manager = ref()
            if manager is not None:
                self.register(manager, interval)


pool = DownloadPool()
sweeper = RetentionSweeper()
os.register_at_fork(after_in_child=pool._after_fork)
os.register_at_fork(after_in_child=sweeper._after_fork)
