"""Index benchmarks on 100,000 rows: lookup by id, statistics, search."""

from __future__ import annotations

import random
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from _common import Result, build_index, rate

from wamedia import MediaManager

ORIGINAL_STATS = [  # the original system's six queries, one connection per call
    "SELECT COUNT(*) FROM midias",
    "SELECT COUNT(*) FROM midias WHERE download_status = 'success'",
    "SELECT COUNT(*) FROM midias WHERE download_status = 'pending'",
    "SELECT COUNT(*) FROM midias WHERE download_status = 'failed'",
    "SELECT media_type, COUNT(*) FROM midias GROUP BY media_type",
    "SELECT SUM(file_size) FROM midias WHERE download_status = 'success'",
]


def original_stats(path: Path) -> None:
    db = sqlite3.connect(path)
    for sql in ORIGINAL_STATS:
        db.execute(sql).fetchall()
    db.close()


def run() -> list[Result]:
    root = Path(tempfile.mkdtemp(prefix="wamedia-bench-"))
    manager = MediaManager(1, "X", root)
    path = manager.index.path
    build_index(path)
    ids = [f"3EB0{random.randrange(100_000):016X}" for _ in range(20_000)]

    bare = sqlite3.connect(path)
    lookups = iter(ids * 10)
    baseline = rate(lambda: bare.execute("SELECT * FROM midias WHERE message_id = ?",
                                         (next(lookups),)).fetchone(), count=20_000)
    lookups = iter(ids * 10)
    ours = rate(lambda: manager.get(next(lookups)), count=20_000)
    results = [Result("lookup by message id", ours, "lookups/s", baseline,
                      ">= 0.7x bare sqlite3", ours / baseline >= 0.7)]

    baseline = rate(lambda: original_stats(path), count=20)
    ours = rate(manager.stats, count=20_000)
    assert manager.stats().total == 100_000
    results.append(Result("stats() on 100k rows", ours, "calls/s", baseline,
                          ">= 100x six-query scan", ours / baseline >= 100))

    since = datetime.fromtimestamp(1_700_000_000 + 10_000 * 30, timezone.utc)
    until = datetime.fromtimestamp(1_700_000_000 + 90_000 * 30, timezone.utc)
    chats = iter([f"chat-{random.randrange(500)}" for _ in range(50_000)])
    ours = rate(lambda: manager.search(media_type="image", chat_id=next(chats), since=since,
                                       until=until, limit=50), count=2_000)
    plan = bare.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM midias WHERE media_type IN (?) AND chat_id = ?"
        " AND message_timestamp >= ? AND message_timestamp < ?"
        " ORDER BY message_timestamp DESC, id DESC LIMIT 50",
        ("image", "chat-1", "2023", "2025")).fetchall()
    detail = " / ".join(row[-1] for row in plan)
    results.append(Result("search type+chat+range, 50 rows", ours, "queries/s", None,
                          "uses an index", "USING INDEX" in detail, {"plan": detail}))
    print(f"search plan: {detail}")
    bare.close()
    manager.close()
    return results
