"""WhatsApp media encryption, decrypted as a stream and verified three ways.

For a 32-byte ``mediaKey``::

    keys       = HKDF-SHA256(mediaKey, salt=None, info="WhatsApp <Type> Keys", 112 bytes)
    iv         = keys[0:16]    cipherKey = keys[16:48]    macKey = keys[48:80]
    file.enc   = AES-256-CBC(cipherKey, iv, PKCS#7(plaintext)) + mac
    mac        = HMAC-SHA256(macKey, iv + ciphertext)[:10]
    fileEncSha256 = SHA-256(file.enc)      fileSha256 = SHA-256(plaintext)

Any mismatch (MAC, either hash, padding, length, key size) raises IntegrityError.
Plaintext is produced as the ciphertext arrives; a caller that writes it somewhere must
discard it when the final check raises (Storage writers do: nothing is committed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
from typing import BinaryIO, Protocol

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import IntegrityError

__all__ = ["MediaDecryptor", "decrypt_media", "decrypt_stream", "encrypt_media", "media_keys"]

MAC_SIZE = 10
CHUNK = 1 << 20

_INFO = {
    "image": b"WhatsApp Image Keys",
    "sticker": b"WhatsApp Image Keys",
    "video": b"WhatsApp Video Keys",
    "gif": b"WhatsApp Video Keys",
    "ptv": b"WhatsApp Video Keys",
    "audio": b"WhatsApp Audio Keys",
    "ptt": b"WhatsApp Audio Keys",
    "document": b"WhatsApp Document Keys",
}


class _Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def _raw(value: bytes | str | None, what: str) -> bytes | None:
    if value is None or isinstance(value, (bytes, bytearray)):
        return None if value is None else bytes(value)
    text = value.strip().replace("-", "+").replace("_", "/")  # base64url too
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise IntegrityError(f"{what} is not valid base64") from exc


def media_keys(media_key: bytes | str, media_type: str) -> tuple[bytes, bytes, bytes]:
    """``(iv, cipher_key, mac_key)`` for a mediaKey (bytes or base64) and media type."""
    key = _raw(media_key, "mediaKey")
    if key is None or len(key) != 32:
        raise IntegrityError(f"mediaKey must be 32 bytes, got {0 if key is None else len(key)}")
    info = _INFO.get(str(media_type).lower().removesuffix("message"))  # "imageMessage" too
    if info is None:
        raise IntegrityError(f"unknown media type {media_type!r} for decryption")
    expanded = HKDF(algorithm=hashes.SHA256(), length=112, salt=None, info=info).derive(key)
    return expanded[:16], expanded[16:48], expanded[48:80]


class MediaDecryptor:
    """Push ciphertext in with ``update``; ``finalize`` returns the last plaintext and
    raises IntegrityError unless the MAC, the padding and both hashes check out.

    Memory stays bounded: only the last 10 bytes (a possible MAC) and one AES block are
    held back between calls.
    """

    def __init__(self, media_key: bytes | str, media_type: str, *,
                 file_enc_sha256: bytes | str | None = None,
                 file_sha256: bytes | str | None = None):
        iv, cipher_key, mac_key = media_keys(media_key, media_type)
        self._decryptor = Cipher(algorithms.AES(cipher_key), modes.CBC(iv)).decryptor()
        self._unpadder = padding.PKCS7(128).unpadder()
        self._mac = hmac.new(mac_key, iv, hashlib.sha256)
        self._enc_hash = hashlib.sha256()
        self._plain_hash = hashlib.sha256()
        self._expected_enc = _raw(file_enc_sha256, "fileEncSha256")
        self._expected_plain = _raw(file_sha256, "fileSha256")
        self._tail = b""  # the last bytes seen: the MAC, if the stream ends here
        self.ciphertext_size = 0
        self.plaintext_size = 0

    def update(self, data: bytes) -> bytes:
        if not data:
            return b""
        self._enc_hash.update(data)
        if len(data) <= MAC_SIZE:
            joined = self._tail + data
            body, self._tail = joined[:-MAC_SIZE], joined[-MAC_SIZE:]
            return self._decrypt(body)
        view = memoryview(data)
        out = self._decrypt(self._tail) + self._decrypt(view[:-MAC_SIZE])
        self._tail = bytes(view[-MAC_SIZE:])
        return out

    def _decrypt(self, ciphertext: bytes | memoryview) -> bytes:
        if not len(ciphertext):
            return b""
        self.ciphertext_size += len(ciphertext)
        self._mac.update(ciphertext)
        plain = self._unpadder.update(self._decryptor.update(ciphertext))
        self._plain_hash.update(plain)
        self.plaintext_size += len(plain)
        return plain

    def finalize(self) -> bytes:
        if len(self._tail) < MAC_SIZE or self.ciphertext_size == 0:
            raise IntegrityError("encrypted media is cut short: no room for body and MAC")
        if self.ciphertext_size % 16:
            raise IntegrityError("encrypted media is cut short: not a whole number of blocks")
        if not hmac.compare_digest(self._mac.digest()[:MAC_SIZE], self._tail):
            raise IntegrityError("media MAC does not match: wrong mediaKey or tampered bytes")
        if self._expected_enc is not None and self._enc_hash.digest() != self._expected_enc:
            raise IntegrityError("SHA-256 of the encrypted media does not match fileEncSha256")
        try:
            plain = self._unpadder.update(self._decryptor.finalize()) + self._unpadder.finalize()
        except ValueError as exc:
            raise IntegrityError("media padding is invalid") from exc
        self._plain_hash.update(plain)
        self.plaintext_size += len(plain)
        if self._expected_plain is not None and self._plain_hash.digest() != self._expected_plain:
            raise IntegrityError("SHA-256 of the decrypted media does not match fileSha256")
        return plain


def decrypt_stream(src: BinaryIO, dst: _Writable, media_key: bytes | str, media_type: str, *,
                   file_enc_sha256: bytes | str | None = None,
                   file_sha256: bytes | str | None = None, chunk_size: int = CHUNK) -> int:
    """Decrypt ``src.read`` into ``dst.write`` in bounded memory; returns the plaintext
    size. Raises IntegrityError at the end if anything does not check out."""
    decryptor = MediaDecryptor(media_key, media_type, file_enc_sha256=file_enc_sha256,
                               file_sha256=file_sha256)
    while chunk := src.read(chunk_size):
        plain = decryptor.update(chunk)
        if plain:
            dst.write(plain)
    last = decryptor.finalize()
    if last:
        dst.write(last)
    return decryptor.plaintext_size


def decrypt_media(data: bytes, media_key: bytes | str, media_type: str,
                  file_enc_sha256: bytes | str | None = None,
                  file_sha256: bytes | str | None = None) -> bytes:
    """Decrypt and verify a whole ``.enc`` body in memory.

    >>> enc, sha, enc_sha = encrypt_media(b"hello", bytes(32), "image")
    >>> decrypt_media(enc, bytes(32), "image", enc_sha, sha)
    b'hello'
    """
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(data), out, media_key, media_type,
                   file_enc_sha256=file_enc_sha256, file_sha256=file_sha256)
    return out.getvalue()


def encrypt_media(data: bytes, media_key: bytes | str, media_type: str
                  ) -> tuple[bytes, str, str]:
    """Encrypt like a WhatsApp client (for tests and fakes): returns
    ``(enc, fileSha256, fileEncSha256)``, the hashes in base64."""
    iv, cipher_key, mac_key = media_keys(media_key, media_type)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(cipher_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()
    mac = hmac.new(mac_key, iv + ciphertext, hashlib.sha256).digest()[:MAC_SIZE]
    enc = ciphertext + mac
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return enc, b64(hashlib.sha256(data).digest()), b64(hashlib.sha256(enc).digest())
