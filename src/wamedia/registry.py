"""Managers cached per (absolute root, client, instance), shared by every thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .layout import safe_id

__all__ = ["find_manager", "forget", "open_manager"]

_lock = threading.RLock()
_managers: dict[tuple[str, str, str], Any] = {}


def _key(root: str | os.PathLike[str], client_id: object,
         instance_id: object) -> tuple[str, str, str]:
    return (str(Path(root).absolute()), safe_id(client_id, what="client_id"),
            safe_id(instance_id, what="instance_id"))


def open_manager(client_id: int | str, instance_id: str, *,
                 root: str | os.PathLike[str] = "media_storage", **opts: Any):
    """The open manager for a tenant, created on first use with ``opts`` (see
    MediaManager) and returned as it is afterwards.

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> open_manager(1, "X", root=root) is open_manager("1", "X", root=root)
    True
    """
    from .manager import MediaManager

    key = _key(root, client_id, instance_id)
    with _lock:
        manager = _managers.get(key)
        if manager is None or manager.closed:
            manager = _managers[key] = MediaManager(client_id, instance_id, root, **opts)
        return manager


def find_manager(client_id: int | str, instance_id: str):
    """The most recently opened manager of a tenant, whatever its root."""
    client, instance = safe_id(client_id), safe_id(instance_id)
    with _lock:
        for (_, c, i), manager in reversed(_managers.items()):
            if (c, i) == (client, instance) and not manager.closed:
                return manager
    raise ConfigError(
        f"no manager is open for client {client_id!r}, instance {instance_id!r}: call "
        "criar_media_manager(...) or open_manager(...) first"
    )


def forget(manager: Any) -> None:
    with _lock:
        for key, cached in list(_managers.items()):
            if cached is manager:
                del _managers[key]
