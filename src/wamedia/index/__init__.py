"""Index backends: SQLite per instance by default."""

from .base import Index
from .sqlite import SQLiteIndex

__all__ = ["Index", "SQLiteIndex"]
