"""Sources: where the bytes come from (W-API's download endpoint; WhatsApp's CDN)."""

from .base import Download, Source
from .wapi import WAPISource

__all__ = ["Download", "Source", "WAPISource"]
