"""Time in one form: aware UTC datetimes in Python, fixed-width ISO-8601 UTC text in the index."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_text(value: datetime | None) -> str | None:
    """Fixed-width text, so that text order is time order in SQL comparisons.

    >>> to_text(datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    '2024-05-01T12:00:00.000000+00:00'
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.astimezone()  # a naive datetime is local time
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(value: Any) -> datetime | None:
    """Read a stored timestamp; naive text (the original system's) is local time.

    >>> from_text("2024-05-01T12:00:00.000000+00:00").hour
    12
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return from_epoch(value)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.astimezone(UTC)


def from_epoch(value: float) -> datetime:
    """Epoch seconds, or milliseconds when the number is beyond 1e12."""
    seconds = value / 1000 if value > 1e12 else value
    return datetime.fromtimestamp(seconds, UTC)


def in_seconds(seconds: float) -> datetime:
    return utc_now() + timedelta(seconds=seconds)
