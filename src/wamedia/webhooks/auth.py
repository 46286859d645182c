"""Checking that a webhook really comes from your gateway, before parsing it.

Gateways sign the raw body with a shared secret (an HMAC in a header such as
``X-Hub-Signature-256: sha256=<hex>``) or send a shared token. Compare in constant time,
on the raw bytes, before JSON parsing:

    # Django
    ok = verify_signature(request.body, request.headers.get("X-Hub-Signature-256"), SECRET)
    # Flask
    ok = verify_signature(request.get_data(), request.headers.get("X-Hub-Signature-256"),
                          SECRET)
    ok = verify_token(request.headers.get("X-Webhook-Token"), TOKEN)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

__all__ = ["sign", "verify_signature", "verify_token"]


def sign(body: bytes | str, secret: bytes | str, *, algorithm: str = "sha256") -> str:
    """The ``<algorithm>=<hex>`` signature of ``body``, as a sender would compute it.

    >>> sign(b'{"a": 1}', "s3cret")[:15]
    'sha256=1a9fab6c'
    """
    digest = hmac.new(_bytes(secret), _bytes(body), getattr(hashlib, algorithm)).hexdigest()
    return f"{algorithm}={digest}"


def verify_signature(body: bytes | str, signature: str | None, secret: bytes | str, *,
                     algorithm: str = "sha256") -> bool:
    """True when ``signature`` is the HMAC of ``body`` under ``secret``: hex with or
    without an ``sha256=`` prefix, or base64. Constant time; False for anything missing.

    >>> verify_signature(b"{}", sign(b"{}", "k"), "k"), verify_signature(b"{}", "x", "k")
    (True, False)
    """
    if not signature or not secret:
        return False
    expected = hmac.new(_bytes(secret), _bytes(body), getattr(hashlib, algorithm)).digest()
    value = signature.strip()
    if value.lower().startswith(f"{algorithm}="):
        value = value[len(algorithm) + 1:]
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            given = decode(value)
        except (ValueError, binascii.Error):
            continue
        if hmac.compare_digest(given, expected):
            return True
    return False


def verify_token(received: str | None, expected: str) -> bool:
    """True when a shared-secret token matches, compared in constant time."""
    if not received or not expected:
        return False
    return hmac.compare_digest(_bytes(received), _bytes(expected))


def _bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
