"""SQLite index: the original ``midias`` table, migrated in place, with O(1) counters.

One connection per index and process, serialised by a lock: SQLite allows one writer
at a time anyway, and it keeps the number of open files bounded when a process serves
hundreds of tenants. WAL lets other processes read while one writes; ``BEGIN IMMEDIATE``
takes the write lock up front so two writers never deadlock on an upgrade.
Counters are kept by triggers, in the same transaction as the row they count, so
statistics never drift from the rows whoever writes them (this code, the original
system, a hand-typed UPDATE).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from .._secrets import log
from .._time import from_text, in_seconds, to_text, utc_now
from ..errors import ConfigError, StorageError
from ..models import MediaRecord, MediaRef, MediaType, Stats, Status
from .base import Index

__all__ = ["SCHEMA_VERSION", "SQLiteIndex"]

SCHEMA_VERSION = 1
CHECKPOINT_EVERY = 200  # writes between two background WAL checkpoints

# Column definitions, in the original's order first, then ours. Ids and names are TEXT,
# flags BOOLEAN, sizes INTEGER and times DATETIME, as the original declared them.
_COLUMNS: list[tuple[str, str]] = [
    ("message_id", "TEXT UNIQUE NOT NULL"),
    ("sender_name", "TEXT NOT NULL DEFAULT ''"),
    ("sender_id", "TEXT NOT NULL DEFAULT ''"),
    ("chat_id", "TEXT NOT NULL DEFAULT ''"),
    ("is_group", "BOOLEAN DEFAULT 0"),
    ("from_me", "BOOLEAN DEFAULT 0"),
    ("media_type", "TEXT NOT NULL"),
    ("mimetype", "TEXT NOT NULL DEFAULT 'application/octet-stream'"),
    ("file_name", "TEXT"),
    ("file_path", "TEXT"),
    ("file_size", "INTEGER"),
    ("caption", "TEXT"),
    ("width", "INTEGER"),
    ("height", "INTEGER"),
    ("duration_seconds", "INTEGER"),
    ("is_ptt", "BOOLEAN DEFAULT 0"),
    ("download_status", "TEXT DEFAULT 'pending'"),
    ("download_timestamp", "DATETIME"),
    ("message_timestamp", "DATETIME"),
    ("media_key", "TEXT"),
    ("direct_path", "TEXT"),
    ("file_sha256", "TEXT"),
    ("file_enc_sha256", "TEXT"),
    ("media_key_timestamp", "INTEGER"),
    ("cliente_id", "TEXT"),
    ("instance_id", "TEXT"),
    ("created_at", "DATETIME DEFAULT CURRENT_TIMESTAMP"),
    ("updated_at", "DATETIME DEFAULT CURRENT_TIMESTAMP"),
    ("attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("last_error", "TEXT"),
    ("next_attempt_at", "DATETIME"),
    ("lease_until", "DATETIME"),
    ("url", "TEXT"),
    ("family", "TEXT"),
    ("delivered_by", "TEXT"),
    ("sha256", "TEXT"),
    ("tags", "TEXT"),
]
_COLUMN_NAMES = {name for name, _ in _COLUMNS}
_TIME_COLUMNS = [name for name, decl in _COLUMNS if decl.startswith("DATETIME")]

_DDL_TABLE = "CREATE TABLE midias (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  {}\n)".format(
    ",\n  ".join(f"{name} {decl}" for name, decl in _COLUMNS)
)
_DDL_INDEXES = [
    "CREATE INDEX IF NOT EXISTS idx_message_id ON midias(message_id)",
    "CREATE INDEX IF NOT EXISTS idx_media_type ON midias(media_type)",
    "CREATE INDEX IF NOT EXISTS idx_download_status ON midias(download_status)",
    "CREATE INDEX IF NOT EXISTS idx_sender_id ON midias(sender_id)",
    "CREATE INDEX IF NOT EXISTS idx_chat_id ON midias(chat_id)",
    "CREATE INDEX IF NOT EXISTS idx_message_timestamp ON midias(message_timestamp)",
    "CREATE INDEX IF NOT EXISTS idx_midias_chat_time ON midias(chat_id, message_timestamp)",
    "CREATE INDEX IF NOT EXISTS idx_midias_due ON midias(download_status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS idx_midias_downloaded"
    " ON midias(download_status, download_timestamp)",
]

# A row counts in (status, type); its bytes count only while it is a success.
_COUNT_IN = """
  INSERT INTO midias_counters (download_status, media_type, n, bytes)
  VALUES (COALESCE(NEW.download_status, 'pending'), COALESCE(NEW.media_type, ''), 1,
          CASE WHEN NEW.download_status = 'success' THEN COALESCE(NEW.file_size, 0) ELSE 0 END)
  ON CONFLICT (download_status, media_type)
  DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes;"""
_COUNT_OUT = """
  UPDATE midias_counters SET n = n - 1,
    bytes = bytes - CASE WHEN OLD.download_status = 'success'
                         THEN COALESCE(OLD.file_size, 0) ELSE 0 END
  WHERE download_status = COALESCE(OLD.download_status, 'pending')
    AND media_type = COALESCE(OLD.media_type, '');"""
_DDL_COUNTERS = [
    """CREATE TABLE IF NOT EXISTS midias_counters (
         download_status TEXT NOT NULL, media_type TEXT NOT NULL,
         n INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
         PRIMARY KEY (download_status, media_type)) WITHOUT ROWID""",
    "DROP TRIGGER IF EXISTS midias_count_insert",
    "DROP TRIGGER IF EXISTS midias_count_delete",
    "DROP TRIGGER IF EXISTS midias_count_update",
    f"CREATE TRIGGER midias_count_insert AFTER INSERT ON midias BEGIN {_COUNT_IN} END",
    f"CREATE TRIGGER midias_count_delete AFTER DELETE ON midias BEGIN {_COUNT_OUT} END",
    f"""CREATE TRIGGER midias_count_update AFTER UPDATE OF download_status, media_type, file_size
        ON midias
        WHEN OLD.download_status IS NOT NEW.download_status
          OR OLD.media_type IS NOT NEW.media_type
          OR OLD.file_size IS NOT NEW.file_size
        BEGIN {_COUNT_OUT} {_COUNT_IN} END""",
    "DELETE FROM midias_counters",
    """INSERT INTO midias_counters (download_status, media_type, n, bytes)
       SELECT COALESCE(download_status, 'pending'), COALESCE(media_type, ''), COUNT(*),
              SUM(CASE WHEN download_status = 'success' THEN COALESCE(file_size, 0) ELSE 0 END)
       FROM midias GROUP BY 1, 2""",
]

# Reading a row: MediaRecord's fields in order, each read from its column; the few that
# need converting are converted in place (this is the lookup hot path).
_FIELDS = MediaRecord._fields
_SELECT_LIST = ", ".join("download_status" if f == "status" else f for f in _FIELDS)
_SELECT = f"SELECT {_SELECT_LIST} FROM midias"
_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)
_MEDIA_TYPES = {t.value: t for t in MediaType}
_STATUSES = {s.value: s for s in Status}


def _flag(value: Any) -> bool:
    return bool(value) and value not in ("0", "false", "False")


def _time(value: Any, _parse: Any = datetime.fromisoformat) -> datetime | None:
    if value.__class__ is str and len(value) == 32:  # the form we write: parse directly
        return _parse(value)
    return from_text(value)


_CONVERT: dict[str, Any] = {
    # a value the original wrote that we do not know is kept as it is
    "media_type": lambda v: _MEDIA_TYPES.get(v, v),
    "status": lambda v: _STATUSES.get(v, v),
    "is_group": _flag,
    "from_me": _flag,
    "is_ptt": _flag,
    "cliente_id": str,
    "instance_id": str,
    **{name: _time for name in _TIME_COLUMNS},
}
_CONVERTERS = [(i, _CONVERT[f]) for i, f in enumerate(_FIELDS) if f in _CONVERT]


def _record(row: tuple[Any, ...]) -> MediaRecord:
    values = list(row)
    for i, convert in _CONVERTERS:
        value = values[i]
        if value is not None:
            values[i] = convert(value)
    return MediaRecord._make(values)


_GET = f"{_SELECT} WHERE message_id = ?"


def _due_clause(force: bool) -> str:
    clause = (
        "download_status = 'pending'"
        " OR (download_status = 'failed' AND next_attempt_at <= :now)"
        " OR (download_status = 'downloading' AND (lease_until IS NULL OR lease_until <= :now))"
    )
    if force:
        clause += " OR download_status IN ('failed', 'expired')"
    return f"({clause})"


class SQLiteIndex(Index):
    """The ``midias`` table in one SQLite file (by default one per instance).

    >>> import tempfile, os
    >>> idx = SQLiteIndex(os.path.join(tempfile.mkdtemp(), "media_database.db"))
    >>> idx.stats().total
    0
    >>> idx.close()
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0,
                 readers: int = 4):
        self.path = Path(path).absolute()
        self.timeout = timeout
        self.readers = readers
        self._reset()
        self._release(self._acquire())  # open (and migrate) now, so a bad file fails here

    def __repr__(self) -> str:
        return f"SQLiteIndex({str(self.path)!r})"

    # -- connections ------------------------------------------------------------------
    #
    # One writer connection per process, its statements serialised by a lock: our own
    # threads then never meet in SQLite's busy handler, whose sleeps (1, 2, 5, 10 ms...)
    # would show in every webhook hand-off. Reads use a small pool of their own, grown
    # only under contention, so a long search never holds up a write (WAL allows both).

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        self._pool_lock = threading.Lock()
        self._returned = threading.Condition(self._pool_lock)
        self._idle: list[sqlite3.Connection] = []
        self._opened = 0
        self._waiting = 0
        self._writes = 0
        self._checkpointing = threading.Lock()

    def _check_fork(self) -> None:
        if self._pid != os.getpid():  # the parent's connections must not be used here
            self._reset()

    def _acquire(self) -> sqlite3.Connection:
        """A reader connection from the pool."""
        self._check_fork()
        try:
            return self._idle.pop()  # the lookup hot path: atomic, no lock
        except IndexError:
            pass
        with self._pool_lock:
            while not self._idle and self._opened >= self.readers:
                self._waiting += 1
                self._returned.wait(0.05)  # re-checks even if a release raced past us
                self._waiting -= 1
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            return self._connect()
        except BaseException:
            with self._pool_lock:
                self._opened -= 1
            raise

    def _release(self, conn: sqlite3.Connection) -> None:
        self._idle.append(conn)
        if self._waiting:
            with self._pool_lock:
                self._returned.notify()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            self._migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"cannot open index {str(self.path)!r}: {exc}") from exc
        except OSError as exc:
            raise StorageError(f"cannot open index {str(self.path)!r}: {exc}") from exc
        return conn

    def _read(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        conn = self._acquire()
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"index {str(self.path)!r}: {exc}") from exc
        finally:
            self._release(conn)

    def _write_one(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """One writing statement (autocommit: atomic on its own); its RETURNING rows."""
        with self._write() as conn:
            return conn.execute(sql, params).fetchall()

    @contextmanager
    def _write(self, transaction: bool = False) -> Iterator[sqlite3.Connection]:
        """The writer connection, held alone; ``transaction`` wraps what is done with it
        in BEGIN IMMEDIATE ... COMMIT."""
        self._check_fork()
        with self._write_lock, _translated(self.path):
            if self._writer is None:
                self._writer = self._connect()
                # Checkpoints run in the background (see _checkpoint), not in a commit.
                self._writer.execute("PRAGMA wal_autocheckpoint=0")
            conn = self._writer
            if not transaction:
                yield conn
            else:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            self._writes += 1
            if self._writes % CHECKPOINT_EVERY == 0:
                threading.Thread(target=self._checkpoint, name="wamedia-checkpoint",
                                 daemon=True).start()

    def _checkpoint(self) -> None:
        """Move the write-ahead log into the database file. Left to SQLite, the commit
        that crosses 1,000 pages would do it, fsync included, inside a webhook hand-off;
        here a reader connection does it beside the writers (PASSIVE never blocks them)."""
        if not self._checkpointing.acquire(blocking=False):
            return
        try:
            self._read("PRAGMA wal_checkpoint(PASSIVE)")
        except StorageError as exc:
            log.warning("checkpoint of %s failed: %s", self.path, exc)
        finally:
            self._checkpointing.release()

    def snapshot(self, path: str | os.PathLike[str]) -> None:
        """A consistent copy through SQLite's online backup, safe while others write."""
        target = sqlite3.connect(path)
        conn = self._acquire()
        try:
            conn.backup(target)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot snapshot {str(self.path)!r}: {exc}") from exc
        finally:
            self._release(conn)
            target.close()

    def close(self) -> None:
        """Close the connections; the index reopens what it needs if used again."""
        if self._pid != os.getpid():
            self._reset()
            return
        with self._checkpointing, self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        with self._pool_lock:
            idle, self._idle = self._idle, []
            self._opened -= len(idle)
        for conn in idle:
            conn.close()

    # -- schema -----------------------------------------------------------------------

    def _migrate(self, conn: sqlite3.Connection) -> None:
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"index {str(self.path)!r} has schema {version}, newer than this wamedia "
                    f"({SCHEMA_VERSION}): upgrade wamedia"
                )
            if version < SCHEMA_VERSION:
                self._upgrade(conn)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        existing = {row[1] for row in conn.execute("PRAGMA table_info(midias)")}
        if not existing:
            conn.execute(_DDL_TABLE)
        else:  # the original system's table: add our columns, normalise its values
            for name, decl in _COLUMNS:
                if name not in existing:
                    conn.execute(f"ALTER TABLE midias ADD COLUMN {name} {_addable(decl)}")
            conn.execute(
                "UPDATE midias SET download_status = 'pending' WHERE download_status IS NULL"
            )
            # the original stored paths that began with its base folder: keep the key
            conn.execute(
                "UPDATE midias SET file_path = substr(replace(file_path, '\\', '/'),"
                " instr(replace(file_path, '\\', '/'), 'cliente_'))"
                " WHERE instr(replace(file_path, '\\', '/'), 'cliente_') > 1"
            )
            self._normalise_times(conn)
        for ddl in _DDL_INDEXES + _DDL_COUNTERS:
            conn.execute(ddl)

    @staticmethod
    def _normalise_times(conn: sqlite3.Connection) -> None:
        """Rewrite naive local-time text as fixed-width UTC text, so SQL can compare it."""
        for column in _TIME_COLUMNS:
            rows = conn.execute(
                f"SELECT id, {column} FROM midias WHERE {column} IS NOT NULL"
            ).fetchall()
            updates = []
            for row_id, value in rows:
                try:
                    text = to_text(from_text(value))
                except (ValueError, TypeError, OverflowError):
                    text = None  # unreadable: better unknown than wrongly ordered
                if text != value:
                    updates.append((text, row_id))
            conn.executemany(f"UPDATE midias SET {column} = ? WHERE id = ?", updates)

    # -- rows -------------------------------------------------------------------------

    def upsert(
        self, ref: MediaRef, *, client_id: str, instance_id: str
    ) -> tuple[MediaRecord, bool]:
        now = to_text(utc_now())
        values = _ref_columns(ref) | {
            "cliente_id": str(client_id),
            "instance_id": str(instance_id),
            "download_status": Status.PENDING.value,
            "created_at": now,
            "updated_at": now,
        }
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        created = self._change(f"INSERT INTO midias ({names}) VALUES ({marks})"
                               " ON CONFLICT(message_id) DO NOTHING", values, ref.message_id)
        if created is not None:
            return created, True
        # A duplicate: revive a failed row if its source changed.
        with self._write(transaction=True) as db:
            current = self._get(db, ref.message_id)
            if current.status in (Status.FAILED, Status.EXPIRED) and _source_changed(
                current, values
            ):
                refresh = {
                    k: values[k]
                    for k in ("media_key", "direct_path", "url", "file_sha256",
                              "file_enc_sha256", "media_key_timestamp", "mimetype", "file_size")
                    if values.get(k) is not None
                }
                sets = ", ".join(f"{k} = :{k}" for k in refresh)
                db.execute(
                    f"UPDATE midias SET {sets}, download_status = 'pending',"
                    " next_attempt_at = NULL, updated_at = :now WHERE message_id = :id",
                    refresh | {"now": now, "id": ref.message_id},
                )
                return self._get(db, ref.message_id), True
            return current, False

    def _change(self, sql: str, params: Any, message_id: str) -> MediaRecord | None:
        """Run one statement that changes at most the row of ``message_id``, and return
        that row as it now is (None when nothing changed). One round trip with RETURNING:
        the lock is held for a single call, which keeps hand-offs fast under load."""
        if not _RETURNING:
            with self._write(transaction=True) as db:
                changed = db.execute(sql, params).rowcount
                return self._get(db, message_id) if changed else None
        rows = self._write_one(f"{sql} RETURNING {_SELECT_LIST}", params)
        return _record(rows[0]) if rows else None

    def _get(self, db: sqlite3.Connection, message_id: str) -> MediaRecord:
        return _record(db.execute(f"{_SELECT} WHERE message_id = ?", (message_id,)).fetchone())

    def get(self, message_id: str) -> MediaRecord | None:
        rows = self._read(_GET, (message_id,))
        return _record(rows[0]) if rows else None

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
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("media_type", media_type), ("download_status", status)):
            if value is not None:
                options = [value] if isinstance(value, str) else list(value)
                where.append(f"{column} IN ({', '.join('?' * len(options))})")
                params += [str(v) for v in options]
        for column, value in (("chat_id", chat_id), ("sender_id", sender_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("message_timestamp >= ?")
            params.append(to_text(since))
        if until is not None:
            where.append("message_timestamp < ?")
            params.append(to_text(until))
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(caption LIKE ? ESCAPE '\\' OR file_name LIKE ? ESCAPE '\\')")
            params += [pattern, pattern]
        sql = _SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY message_timestamp DESC, id DESC LIMIT ? OFFSET ?"
        params += [-1 if limit is None else int(limit), int(offset)]
        return [_record(row) for row in self._read(sql, params)]

    def claim(
        self, message_id: str, *, lease_seconds: float, force: bool = False
    ) -> MediaRecord | None:
        now = to_text(utc_now())
        return self._change(
            "UPDATE midias SET download_status = 'downloading', lease_until = :lease,"
            " attempts = attempts + 1, updated_at = :now"
            f" WHERE message_id = :id AND {_due_clause(force)}",
            {"id": message_id, "now": now, "lease": to_text(in_seconds(lease_seconds))},
            message_id,
        )

    def renew(self, message_id: str, *, lease_seconds: float) -> bool:
        with self._write(transaction=True) as db:
            return db.execute(
                "UPDATE midias SET lease_until = ? WHERE message_id = ?"
                " AND download_status = 'downloading'",
                (to_text(in_seconds(lease_seconds)), message_id),
            ).rowcount == 1

    def update(
        self,
        message_id: str,
        status: Status,
        *,
        expect: Iterable[Status] | None = None,
        **fields: Any,
    ) -> MediaRecord | None:
        unknown = set(fields) - _COLUMN_NAMES
        if unknown:
            raise ConfigError(f"unknown index columns: {', '.join(sorted(unknown))}")
        values = {k: to_text(v) if isinstance(v, datetime) else v for k, v in fields.items()}
        values["download_status"] = Status(status).value
        if status != Status.DOWNLOADING:
            values["lease_until"] = None
        values["updated_at"] = to_text(utc_now())
        sets = ", ".join(f"{k} = :{k}" for k in values)
        sql = f"UPDATE midias SET {sets} WHERE message_id = :_id"
        if expect is not None:
            allowed = [Status(s).value for s in expect]
            sql += " AND download_status IN ({})".format(", ".join(f"'{s}'" for s in allowed))
        return self._change(sql, values | {"_id": message_id}, message_id)

    def due(self, *, limit: int = 1000, force: bool = False) -> list[str]:
        rows = self._read(
            f"SELECT message_id FROM midias WHERE {_due_clause(force)} ORDER BY id LIMIT :limit",
            {"now": to_text(utc_now()), "limit": int(limit)},
        )
        return [row[0] for row in rows]

    def downloaded_before(self, cutoff: datetime, *, limit: int = 1000) -> list[MediaRecord]:
        rows = self._read(
            f"{_SELECT} WHERE download_status = 'success' AND download_timestamp < ?"
            " ORDER BY download_timestamp LIMIT ?",
            (to_text(cutoff), int(limit)),
        )
        return [_record(row) for row in rows]

    def stats(self) -> Stats:
        rows = self._read("SELECT download_status, media_type, n, bytes FROM midias_counters")
        by_status: dict[str, int] = {}
        by_type: dict[str, int] = {}
        stored = 0
        for status, media_type, n, size in rows:
            if n:
                by_status[status] = by_status.get(status, 0) + n
                by_type[media_type] = by_type.get(media_type, 0) + n
            if status == Status.SUCCESS.value:
                stored += size
        return Stats(
            total=sum(by_status.values()),
            downloaded=by_status.get("success", 0),
            pending=by_status.get("pending", 0) + by_status.get("downloading", 0),
            failed=by_status.get("failed", 0),
            expired=by_status.get("expired", 0),
            purged=by_status.get("purged", 0),
            bytes=stored,
            by_type=by_type,
            by_status=by_status,
        )


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(f"index {str(path)!r}: {exc}") from exc


def _addable(decl: str) -> str:
    """ALTER TABLE cannot add UNIQUE columns or non-constant defaults."""
    return decl.replace("UNIQUE ", "").replace("DEFAULT CURRENT_TIMESTAMP", "")


def _ref_columns(ref: MediaRef) -> dict[str, Any]:
    return {
        "message_id": ref.message_id,
        "sender_name": ref.sender_name or "",
        "sender_id": ref.sender_id or "",
        "chat_id": ref.chat_id or "",
        "is_group": int(ref.is_group),
        "from_me": int(ref.from_me),
        "media_type": MediaType(ref.media_type).value,
        "mimetype": ref.mimetype or "application/octet-stream",
        "file_name": ref.file_name,
        "file_size": ref.file_length,
        "caption": ref.caption,
        "width": ref.width,
        "height": ref.height,
        "duration_seconds": ref.seconds,
        "is_ptt": int(ref.is_ptt),
        "message_timestamp": to_text(ref.timestamp),
        "media_key": ref.media_key,
        "direct_path": ref.direct_path,
        "file_sha256": ref.file_sha256,
        "file_enc_sha256": ref.file_enc_sha256,
        "media_key_timestamp": ref.media_key_timestamp,
        "url": ref.url,
        "family": ref.family or None,
    }


def _source_changed(current: MediaRecord, values: dict[str, Any]) -> bool:
    return any(
        values.get(k) is not None and values[k] != getattr(current, k)
        for k in ("media_key", "direct_path", "url")
    )
