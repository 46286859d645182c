from __future__ import annotations

import multiprocessing
import os
import sqlite3
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wamedia import SQLiteIndex
from wamedia.errors import ConfigError, StorageError
from wamedia.index.sqlite import SCHEMA_VERSION
from wamedia.models import MediaType, Status

from .contract.index import IndexContract, put, ref


class TestSQLiteIndex(IndexContract):
    @pytest.fixture
    def index(self, tmp_path):
        idx = SQLiteIndex(tmp_path / "media_database.db")
        yield idx
        idx.close()


# The original system's table, as it created it.
ORIGINAL_DDL = """
CREATE TABLE IF NOT EXISTS midias (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT UNIQUE NOT NULL,
    sender_name TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    is_group BOOLEAN DEFAULT FALSE,
    from_me BOOLEAN DEFAULT FALSE,
    media_type TEXT NOT NULL,
    mimetype TEXT NOT NULL,
    file_name TEXT,
    file_path TEXT,
    file_size INTEGER,
    caption TEXT,
    width INTEGER,
    height INTEGER,
    duration_seconds INTEGER,
    is_ptt BOOLEAN DEFAULT FALSE,
    download_status TEXT DEFAULT 'pending',
    download_timestamp DATETIME,
    message_timestamp DATETIME,
    media_key TEXT,
    direct_path TEXT,
    file_sha256 TEXT,
    file_enc_sha256 TEXT,
    media_key_timestamp INTEGER,
    cliente_id TEXT,
    instance_id TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_message_id ON midias(message_id);
CREATE INDEX IF NOT EXISTS idx_media_type ON midias(media_type);
CREATE INDEX IF NOT EXISTS idx_download_status ON midias(download_status);
"""


def original_database(path, rows):
    db = sqlite3.connect(path)
    db.executescript(ORIGINAL_DDL)
    db.executemany(
        "INSERT INTO midias (message_id, sender_name, sender_id, chat_id, is_group, media_type,"
        " mimetype, file_path, file_size, download_status, download_timestamp,"
        " message_timestamp, cliente_id, instance_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.commit()
    db.close()


def test_original_database_migrates_in_place(tmp_path):
    path = tmp_path / "media_database.db"
    original_database(path, [
        ("A", "Ana", "5511", "5511", 0, "image", "image/jpeg",
         "media_storage/cliente_1/instance_X/imagens/A.jpg", 2048, "success",
         "2024-06-10T09:00:00.123456", "2024-06-10T08:59:00", "1", "X"),
        ("B", "Bia", "5522", "grp@g.us", 1, "audio", "audio/ogg", None, None, "pending",
         None, "2024-06-11T10:00:00", "1", "X"),
        ("C", "Caio", "5533", "5533", 0, "video", "video/mp4", None, None, "failed",
         None, "2024-06-12 10:00:00", "1", "X"),
    ])
    idx = SQLiteIndex(path)
    assert idx.stats().total == 3
    a = idx.get("A")
    assert (a.status, a.file_size, a.sender_name) == (Status.SUCCESS, 2048, "Ana")
    assert a.file_path == "cliente_1/instance_X/imagens/A.jpg"  # the base folder dropped
    expected = datetime(2024, 6, 10, 9, 0, 0, 123456).astimezone().astimezone(timezone.utc)
    assert a.download_timestamp == expected  # naive text was local time
    assert idx.get("B").is_group is True
    s = idx.stats()
    assert (s.downloaded, s.pending, s.failed, s.bytes) == (1, 1, 1, 2048)
    assert [r.message_id for r in idx.search()] == ["C", "B", "A"]
    put(idx, ref("D"))
    assert idx.stats().total == 4
    idx.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT COUNT(*) FROM midias").fetchone()[0] == 4
    db.close()
    # The original's own queries still work on the migrated table.
    db = sqlite3.connect(path)
    db.execute("INSERT INTO midias (message_id, sender_name, sender_id, chat_id, media_type,"
               " mimetype) VALUES ('E', 'x', 'y', 'z', 'image', 'image/png')")
    db.commit()
    db.close()
    assert SQLiteIndex(path).stats().total == 5  # counted by the triggers too


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "media_database.db"
    SQLiteIndex(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ConfigError, match="upgrade wamedia"):
        SQLiteIndex(path)


def test_a_corrupt_file_is_a_storage_error(tmp_path):
    path = tmp_path / "media_database.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="cannot open index"):
        SQLiteIndex(path)
    assert path.read_bytes() == b"this is not a database" * 100


def test_wal_mode(tmp_path):
    SQLiteIndex(tmp_path / "i.db").close()
    db = sqlite3.connect(tmp_path / "i.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def recount(path):
    db = sqlite3.connect(path)
    rows = db.execute("SELECT download_status, media_type, file_size FROM midias").fetchall()
    db.close()
    by_status, by_type, stored = {}, {}, 0
    for status, kind, size in rows:
        by_status[status] = by_status.get(status, 0) + 1
        by_type[kind] = by_type.get(kind, 0) + 1
        stored += (size or 0) if status == "success" else 0
    return by_status, by_type, stored


operations = st.lists(
    st.tuples(
        st.sampled_from(["upsert", "claim", "success", "fail", "expire", "purge", "pending"]),
        st.integers(0, 5),
        st.sampled_from(list(MediaType)),
        st.integers(0, 10_000),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_counters_always_equal_a_recount(tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("h") / "media_database.db"
    idx = SQLiteIndex(path)
    for op, n, kind, size in ops:
        mid = f"M{n}"
        if op == "upsert":
            put(idx, ref(mid, media_type=kind, file_length=size))
        elif op == "claim":
            idx.claim(mid, lease_seconds=60, force=True)
        else:
            status = {"success": Status.SUCCESS, "fail": Status.FAILED,
                      "expire": Status.EXPIRED, "purge": Status.PURGED,
                      "pending": Status.PENDING}[op]
            idx.update(mid, status, file_size=size)
    by_status, by_type, stored = recount(path)
    s = idx.stats()
    assert s.by_status == by_status
    assert s.by_type == {k: v for k, v in by_type.items()}
    assert s.bytes == stored
    assert s.total == sum(by_status.values())
    idx.close()


def _writer(path, worker, count, queue):
    try:
        idx = SQLiteIndex(path)
        for i in range(count):
            put(idx, ref(f"w{worker}-{i}"))
            put(idx, ref("shared"))  # every process races on this one
            claimed = idx.claim(f"w{worker}-{i}", lease_seconds=60)
            idx.update(claimed.message_id, Status.SUCCESS, file_size=10)
            idx.claim("shared", lease_seconds=60)
        idx.close()
        queue.put(None)
    except Exception as exc:  # report to the parent instead of dying silently
        queue.put(repr(exc))


def test_several_processes_write_one_index(tmp_path):
    path = tmp_path / "media_database.db"
    SQLiteIndex(path).close()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(path, w, 60, queue)) for w in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert results == [None] * 4
    idx = SQLiteIndex(path)
    s = idx.stats()
    assert s.total == 4 * 60 + 1
    assert s.downloaded == 4 * 60 and s.bytes == 4 * 60 * 10
    assert idx.get("shared").attempts == 1  # claimed once, whoever won
    assert recount(path)[0] == s.by_status


def test_forked_child_gets_its_own_connection(tmp_path):
    idx = SQLiteIndex(tmp_path / "media_database.db")
    put(idx, ref("parent"))
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            put(idx, ref("child"))
            code = 0 if idx.get("parent") is not None else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert idx.get("child") is not None and idx.stats().total == 2


def test_the_log_is_checkpointed_in_the_background(tmp_path):
    import time

    from wamedia.index.sqlite import CHECKPOINT_EVERY

    path = tmp_path / "media_database.db"
    idx = SQLiteIndex(path)
    size = path.stat().st_size
    for i in range(CHECKPOINT_EVERY + 10):  # the writer itself never checkpoints
        put(idx, ref(f"M{i}"))
    deadline = time.monotonic() + 10
    while path.stat().st_size == size and time.monotonic() < deadline:
        time.sleep(0.02)
    assert path.stat().st_size > size  # pages moved from the log into the database file
    assert idx.stats().total == CHECKPOINT_EVERY + 10
    idx.close()


def test_reads_do_not_wait_for_a_write_transaction(tmp_path):
    import threading

    idx = SQLiteIndex(tmp_path / "media_database.db")
    put(idx, ref("A"))
    inside, release = threading.Event(), threading.Event()

    def hold_the_writer():
        with idx._write(transaction=True):
            inside.set()
            release.wait(10)

    writer = threading.Thread(target=hold_the_writer)
    writer.start()
    assert inside.wait(10)
    assert idx.get("A").message_id == "A"  # served by a reader connection meanwhile
    assert idx.stats().total == 1
    release.set()
    writer.join(10)
    idx.close()
