"""Shared helpers for the benchmarks: timing, memory, the 100,000-row index, results."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

KINDS = ["image", "video", "audio", "document", "sticker"]
STATUSES = ["success", "success", "success", "pending", "failed", "expired"]


@dataclass
class Result:
    """One line of the report: a figure, its baseline from the same run, and the target."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""
    ok: bool | None = None
    notes: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    def to_dict(self) -> dict:
        return asdict(self) | {"ratio": self.ratio}


def rate(fn: Callable[[], object], *, count: int, seconds: float = 2.0) -> float:
    """Calls per second of ``fn``, best of up to three bounded rounds."""
    best = 0.0
    deadline = time.monotonic() + seconds * 3
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(count):
            fn()
        best = max(best, count / (time.perf_counter() - started))
        if time.monotonic() > deadline:
            break
    return best


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process, in MiB."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def run_child(code: str, *args: str, timeout: float = 600) -> dict:
    """Run ``code`` in a fresh interpreter (so its memory is its own); it prints JSON."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         timeout=timeout, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_index(path: Path, rows: int = 100_000) -> None:
    """``rows`` realistic rows written straight into a fresh index (triggers count them)."""
    from wamedia import SQLiteIndex

    SQLiteIndex(path).close()
    db = sqlite3.connect(path)
    base = 1_700_000_000

    def stamp(seconds: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime(seconds))

    db.executemany(
        "INSERT INTO midias (message_id, sender_name, sender_id, chat_id, is_group, media_type,"
        " mimetype, file_path, file_size, caption, download_status, download_timestamp,"
        " message_timestamp, media_key, direct_path, file_sha256, cliente_id, instance_id,"
        " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        ((f"3EB0{i:016X}", f"User {i % 997}", f"55119{i % 997:08d}@s.whatsapp.net",
          f"chat-{i % 500}", i % 500 < 100, KINDS[i % 5], "image/jpeg",
          f"cliente_1/instance_X/imagens/3EB0{i:016X}.jpg", 65_536 + i % 1000,
          f"caption {i}" if i % 7 == 0 else None, STATUSES[i % 6], stamp(base + i * 30),
          stamp(base + i * 30), "a2V5", "/v/t62/x.enc", "c2hh", "1", "X",
          stamp(base + i * 30), stamp(base + i * 30))
         for i in range(rows)),
    )
    db.commit()
    db.close()


def report(results: list[Result], out: Path) -> bool:
    width = max(len(r.name) for r in results) + 2
    print(f"\n{'benchmark':<{width}}{'value':>14} {'unit':<10}{'baseline':>12}{'ratio':>9}"
          f"  target")
    for r in results:
        base = f"{r.baseline:,.1f}" if r.baseline else ""
        ratio = f"{r.ratio:.2f}x" if r.ratio else ""
        mark = {True: "ok", False: "MISSED", None: ""}[r.ok]
        print(f"{r.name:<{width}}{r.value:>14,.2f} {r.unit:<10}{base:>12}{ratio:>9}  "
              f"{r.target} {mark}")
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
               "sqlite": sqlite3.sqlite_version, "platform": sys.platform}
    out.write_text(json.dumps({"machine": machine, "results": [r.to_dict() for r in results]},
                              indent=2))
    print(f"\nwritten to {out}")
    return all(r.ok is not False for r in results)
