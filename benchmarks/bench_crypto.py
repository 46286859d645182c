"""Decrypt + verify throughput against the bare primitives over the same bytes."""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import time

from _common import Result
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from wamedia.crypto import decrypt_stream, encrypt_media, media_keys

SIZE = 128 * 2**20
CHUNK = 2**20


class _Sink:
    def write(self, data: bytes) -> int:
        return len(data)


def bare(enc: bytes, key: bytes) -> None:
    """AES-256-CBC decrypt + HMAC-SHA256 + two SHA-256, 1 MiB reads, nothing else."""
    iv, cipher_key, mac_key = media_keys(key, "video")
    dec = Cipher(algorithms.AES(cipher_key), modes.CBC(iv)).decryptor()
    mac = hmac.new(mac_key, iv, hashlib.sha256)
    enc_hash, plain_hash = hashlib.sha256(), hashlib.sha256()
    ciphertext = memoryview(enc)[:-10]
    for start in range(0, len(ciphertext), CHUNK):
        chunk = ciphertext[start:start + CHUNK]
        enc_hash.update(chunk)
        mac.update(chunk)
        plain_hash.update(dec.update(chunk))
    enc_hash.update(enc[-10:])
    plain_hash.update(dec.finalize())
    assert hmac.compare_digest(mac.digest()[:10], enc[-10:])


def run() -> list[Result]:
    key = os.urandom(32)
    plain = os.urandom(SIZE)
    enc, sha, enc_sha = encrypt_media(plain, key, "video")
    del plain
    best_bare = best_ours = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        bare(enc, key)
        best_bare = min(best_bare, time.perf_counter() - t)
        t = time.perf_counter()
        decrypt_stream(io.BytesIO(enc), _Sink(), key, "video", file_enc_sha256=enc_sha,
                       file_sha256=sha)
        best_ours = min(best_ours, time.perf_counter() - t)
    mb = len(enc) / 1e6
    ours, baseline = mb / best_ours, mb / best_bare
    return [Result("decrypt + verify 128 MiB", ours, "MB/s", baseline,
                   ">= 0.7x bare primitives", ours / baseline >= 0.7)]
