"""Backup and restore of one tenant: a consistent snapshot of its index plus its files.

    report = backup(manager, "s3://bucket/backups")      # new and changed files only
    manager = restore("s3://bucket/backups", client_id=1, instance_id="3B6XIW",
                      root="media_storage")

The backup keeps the tenant's layout under the URL
(``cliente_{client}/instance_{instance}/...``), with the index as
``media_database.db`` beside the folders, so one URL holds many tenants. Uses the public
API only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, MediaNotFound
from .layout import tenant_prefix
from .manager import INDEX_FILE, MediaManager
from .models import MediaRecord, Status
from .storage import Storage, open_storage

__all__ = ["BackupReport", "backup", "restore"]

Progress = Callable[[int, int, str], Any]  # (done, total, key)


@dataclass
class BackupReport:
    """What a backup or restore did: files ``copied`` and ``skipped`` (already there with
    the same size), ``bytes`` copied, and where the index snapshot went."""

    copied: int = 0
    skipped: int = 0
    bytes: int = 0
    index: str = ""
    missing: list[str] = field(default_factory=list)  # rows whose file could not be read


def backup(manager: MediaManager, url: str, *, progress: Progress | None = None,
           **storage_options: Any) -> BackupReport:
    """Copy a consistent snapshot of the manager's index and its new or changed files to
    ``url`` (any storage URL or folder)."""
    target = open_storage(url, **storage_options)
    report = BackupReport(index=f"{manager.prefix}{INDEX_FILE}")
    with tempfile.TemporaryDirectory(prefix="wamedia-backup-") as tmp:
        snapshot = Path(tmp) / INDEX_FILE
        manager.index.snapshot(snapshot)  # SQLite's online backup: consistent while live
        with open(snapshot, "rb") as f:
            target.put(report.index, f)
    records = list(_stored(manager))
    for done, record in enumerate(records, 1):
        try:
            key = manager.key_of(record)
            if _same_size(target, key, record.file_size):
                report.skipped += 1
            else:
                with manager.open(record.message_id) as f:
                    report.bytes += target.put(key, f)
                report.copied += 1
        except MediaNotFound:
            key = record.file_path or ""
            report.missing.append(record.message_id)
        if progress is not None:
            progress(done, len(records), key)
    return report


def restore(url: str, *, client_id: int | str, instance_id: str,
            root: str | os.PathLike[str] = "media_storage", storage: Storage | str | None = None,
            progress: Progress | None = None, **manager_options: Any) -> MediaManager:
    """Rebuild a tenant from a backup and return its manager.

    The index must not exist yet under ``root`` (restore never overwrites a live one);
    files go to ``storage`` (default: local disk under ``root``), skipping those already
    there with the right size.
    """
    source = open_storage(url)
    prefix = tenant_prefix(client_id, instance_id)
    index_path = Path(root).absolute() / prefix / INDEX_FILE
    if index_path.exists():
        raise ConfigError(f"{index_path} exists: restore does not overwrite a live index; "
                          "move it away first")
    index_path.parent.mkdir(parents=True, exist_ok=True)
    partial = index_path.with_name(f".{INDEX_FILE}.restoring")
    try:
        with source.open(f"{prefix}{INDEX_FILE}") as f, open(partial, "wb") as out:
            while chunk := f.read(1 << 20):
                out.write(chunk)
    except MediaNotFound as exc:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"no backup of {prefix} at {url}") from exc
    os.replace(partial, index_path)
    manager = MediaManager(client_id, instance_id, root, storage=storage, **manager_options)
    records = list(_stored(manager))
    for done, record in enumerate(records, 1):
        key = manager.key_of(record)  # a row pointing elsewhere stops the restore
        if not _same_size(manager.storage, key, record.file_size):
            with source.open(key) as f:
                manager.storage.put(key, f)
        if progress is not None:
            progress(done, len(records), key)
    return manager


def _stored(manager: MediaManager, batch: int = 1000) -> Iterator[MediaRecord]:
    offset = 0
    while True:
        rows = manager.search(status=Status.SUCCESS, limit=batch, offset=offset)
        yield from (r for r in rows if r.file_path)
        if len(rows) < batch:
            return
        offset += batch


def _same_size(storage: Storage, key: str, size: int | None) -> bool:
    try:
        return storage.size(key) == size
    except MediaNotFound:
        return False
