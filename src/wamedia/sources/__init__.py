"""Sources: where the bytes come from (W-API's download endpoint; WhatsApp's CDN)."""

from .base import Download, Refresher, Source
from .cdn import CDNSource
from .wapi import WAPISource

__all__ = ["CDNSource", "Download", "Refresher", "Source", "WAPISource"]
