"""Ingest through FakeWAPI (50 ms per request, 64 KiB media): throughput against a
sequential run, webhook hand-off latency while workers are busy, several processes.

The fake gateway runs in a process of its own, as a real gateway would be elsewhere:
sharing our interpreter lock would measure the fake, not wamedia.
"""

from __future__ import annotations

import base64
import hashlib
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

from _common import Result

from wamedia import MediaManager, WAPISource
from wamedia.testing import FakeWAPI

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
ARRIVALS_PER_SECOND = 100
TOKEN = "bench-token-0123456789"


def _serve(media: list[tuple[str, bytes]], latency: float, conn) -> None:
    with FakeWAPI(token=TOKEN, latency=latency) as api:
        for key, data in media:
            api.add(key, data, "image/jpeg")
        conn.send(api.base_url)
        conn.recv()  # until told to stop
        conn.send(dict(api.downloads))


class RemoteGateway:
    """FakeWAPI in another process, serving ``media``; ``downloads`` is filled on exit."""

    def __init__(self, media: list[tuple[str, bytes]], latency: float):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(media, latency, child))
        self.downloads: dict[str, int] = {}

    def __enter__(self) -> RemoteGateway:
        self.process.start()
        if not self.conn.poll(60):
            raise RuntimeError("the fake gateway did not start")
        self.base_url = self.conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.send("stop")
        self.downloads = self.conn.recv() if self.conn.poll(30) else {}
        self.process.join(30)


def make_media(count: int, prefix: str, size: int = 64 * 1024
               ) -> tuple[list[tuple[str, bytes]], list[dict]]:
    """Media to serve and the webhooks that announce them."""
    media, hooks = [], []
    for i in range(count):
        data = JPEG + os.urandom(size - len(JPEG))
        key = base64.b64encode(os.urandom(32)).decode()
        media.append((key, data))
        hooks.append({"event": "webhookReceived", "messageId": f"{prefix}{i:06d}",
                      "chat": {"id": "5511988887777"}, "moment": 1_718_000_000 + i,
                      "sender": {"id": "5511988887777", "pushName": "Ana"},
                      "msgContent": {"imageMessage": {
                          "mimetype": "image/jpeg", "mediaKey": key, "directPath": f"/v/{i}",
                          "fileLength": str(size),
                          "fileSha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
                      }}})
    return media, hooks


def _worker(root: str, base_url: str, payloads: list[dict], queue) -> None:
    try:
        m = MediaManager(1, "MP", root, source=WAPISource(token=TOKEN, base_url=base_url))
        for payload in payloads:
            m.process_message(payload, wait=False)
        m.close()
        queue.put(None)
    except Exception as exc:
        queue.put(repr(exc))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1e3


def run() -> list[Result]:
    root = Path(tempfile.mkdtemp(prefix="wamedia-bench-"))
    results = []
    seq_media, sequential = make_media(20, "SEQ")
    par_media, batch = make_media(600, "PAR")
    pace_media, paced_batch = make_media(500, "PACE")
    mp_media, shared = make_media(200, "MP")
    with RemoteGateway(seq_media + par_media + pace_media + mp_media, latency=0.05) as api:
        source = WAPISource(token=TOKEN, base_url=api.base_url)

        m = MediaManager(1, "SEQ", root, source=source)
        started = time.perf_counter()
        for payload in sequential:
            m.process_message(payload, wait=True)
        baseline = len(sequential) / (time.perf_counter() - started)
        m.close()

        m = MediaManager(1, "PAR", root, source=source)  # default settings
        burst = []
        started = time.perf_counter()
        for payload in batch:
            t = time.perf_counter()
            m.process_message(payload, wait=False)
            burst.append(time.perf_counter() - t)
        m.close(wait=True)
        elapsed = time.perf_counter() - started
        check = MediaManager(1, "PAR", root)
        done = check.stats().downloaded
        check.close()
        ours = done / elapsed
        results.append(Result("ingest, 64 KiB via FakeWAPI 50 ms", ours, "media/s", baseline,
                              ">= 150/s and >= 15x sequential",
                              ours >= 150 and ours / baseline >= 15 and done == len(batch)))

        # Webhooks arrive one by one, as a web server hands them over, at 100/s: each is
        # handed off while the downloads of the previous ones are in flight.
        m = MediaManager(1, "PACE", root, source=source)
        paced, in_flight = [], []
        next_at = time.perf_counter()
        for payload in paced_batch:
            next_at += 1 / ARRIVALS_PER_SECOND
            time.sleep(max(0.0, next_at - time.perf_counter()))
            t = time.perf_counter()
            m.process_message(payload, wait=False)
            paced.append(time.perf_counter() - t)
            in_flight.append(len(m._queued))
        m.close(wait=True)
        p99 = _percentile(paced, 0.99)
        busy = sum(in_flight) / len(in_flight)
        results.append(Result("hand-off wait=False p50", _percentile(paced, 0.5), "ms", None,
                              "", None, {"arrivals_per_s": ARRIVALS_PER_SECOND,
                                         "downloads_in_flight": busy}))
        results.append(Result("hand-off wait=False p99", p99, "ms", None, "< 5 ms", p99 < 5,
                              {"arrivals_per_s": ARRIVALS_PER_SECOND}))
        results.append(Result("hand-off p99, 600 in a tight loop", _percentile(burst, 0.99),
                              "ms", None, "(informative: both cores saturated)"))

        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(str(root), api.base_url, shared[::step],
                                                  queue))
                 for step in (1, -1, 1, -1)]
        started = time.perf_counter()
        for p in procs:
            p.start()
        errors = [e for e in (queue.get(timeout=300) for _ in procs) if e]
        for p in procs:
            p.join(60)
        elapsed = time.perf_counter() - started
    m = MediaManager(1, "MP", root)
    s = m.stats()
    m.close()
    mp_keys = {key for key, _ in mp_media}
    twice = sum(1 for key, n in api.downloads.items() if key in mp_keys and n > 1)
    ok = not errors and s.total == s.downloaded == 200 and twice == 0
    results.append(Result("4 processes, one instance", s.downloaded / elapsed, "media/s",
                          None, "no lost, duplicated or locked", ok,
                          {"errors": errors, "downloaded_twice": twice, "rows": s.total}))
    return results
