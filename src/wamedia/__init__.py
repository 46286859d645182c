"""wamedia: WhatsApp media from webhooks to verified files and a queryable index, per tenant.

    from wamedia import MediaManager, WAPISource
    m = MediaManager(client_id=1, instance_id="3B6XIW",
                     source=WAPISource(token="...", base_url="https://api.w-api.app/v1"))
    record = m.process_message(webhook_json)   # parse, record, download, verify, store
"""

from . import crypto, errors, models
from .compat import criar_media_manager, process_webhook_media
from .errors import (
    ConfigError,
    DownloadError,
    ExpiredMedia,
    IntegrityError,
    MediaNotFound,
    PayloadError,
    StorageError,
    ValidationError,
    WamediaError,
)
from .index import Index, SQLiteIndex
from .manager import MediaManager
from .models import MediaRecord, MediaRef, MediaType, PurgeReport, Stats, Status, VerifyReport
from .registry import open_manager
from .sources import CDNSource, Source, WAPISource
from .storage import LocalStorage, Storage

__all__ = [
    "CDNSource",
    "ConfigError",
    "DownloadError",
    "ExpiredMedia",
    "Index",
    "IntegrityError",
    "LocalStorage",
    "MediaManager",
    "MediaNotFound",
    "MediaRecord",
    "MediaRef",
    "MediaType",
    "PayloadError",
    "PurgeReport",
    "SQLiteIndex",
    "Source",
    "Stats",
    "Status",
    "Storage",
    "StorageError",
    "ValidationError",
    "VerifyReport",
    "WAPISource",
    "WamediaError",
    "criar_media_manager",
    "crypto",
    "errors",
    "models",
    "open_manager",
    "process_webhook_media",
]
__version__ = "0.1.0"
