"""Secrets never leave in logs, reprs or errors: registered tokens are masked everywhere
wamedia writes text, and a filter on the ``wamedia`` logger masks what others log there."""

from __future__ import annotations

import logging
import threading

_lock = threading.Lock()
_secrets: set[str] = set()

log = logging.getLogger("wamedia")
log.addHandler(logging.NullHandler())  # a library only logs where the app says


def mask(secret: str | None) -> str:
    """A token as it may be shown: its first four characters at most.

    >>> mask("abcdef123456"), mask("xy")
    ('abcd…', '…')
    """
    if not secret:
        return ""
    return (secret[:4] if len(secret) >= 12 else "") + "…"


def register(secret: str | None) -> None:
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every registered secret masked."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


log.addFilter(RedactingFilter())
