"""Media decryption against an independent implementation written here with the bare
`cryptography` primitives (not the code under test), and every kind of tampering."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wamedia.crypto import decrypt_media, decrypt_stream, encrypt_media
from wamedia.errors import IntegrityError

INFO = {"image": b"WhatsApp Image Keys", "video": b"WhatsApp Video Keys",
        "audio": b"WhatsApp Audio Keys", "document": b"WhatsApp Document Keys",
        "sticker": b"WhatsApp Image Keys"}
SIZES = [0, 1, 15, 16, 17, (1 << 20) + 7]


def reference_encrypt(plain: bytes, key: bytes, kind: str, pad: bytes | None = None):
    """WhatsApp's scheme from its description: HKDF to 112 bytes, AES-256-CBC, PKCS#7,
    a 10-byte HMAC over iv + ciphertext. ``pad`` replaces the padding (to forge bad ones)."""
    expanded = HKDF(hashes.SHA256(), 112, None, INFO[kind]).derive(key)
    iv, cipher_key, mac_key = expanded[:16], expanded[16:48], expanded[48:80]
    n = 16 - len(plain) % 16
    body = plain + (pad if pad is not None else bytes([n]) * n)
    enc = Cipher(algorithms.AES(cipher_key), modes.CBC(iv)).encryptor()
    ciphertext = enc.update(body) + enc.finalize()
    mac = hmac.new(mac_key, iv + ciphertext, hashlib.sha256).digest()[:10]
    return ciphertext + mac


def reference_decrypt(blob: bytes, key: bytes, kind: str) -> bytes:
    expanded = HKDF(hashes.SHA256(), 112, None, INFO[kind]).derive(key)
    iv, cipher_key = expanded[:16], expanded[16:48]
    dec = Cipher(algorithms.AES(cipher_key), modes.CBC(iv)).decryptor()
    padded = dec.update(blob[:-10]) + dec.finalize()
    return padded[: -padded[-1]]


def b64sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.mark.parametrize("kind", list(INFO))
@pytest.mark.parametrize("size", SIZES)
def test_round_trip_against_the_reference(kind, size):
    key, plain = os.urandom(32), os.urandom(size)
    blob = reference_encrypt(plain, key, kind)
    assert decrypt_media(blob, key, kind, b64sha(blob), b64sha(plain)) == plain
    ours, sha, enc_sha = encrypt_media(plain, key, kind)
    assert ours == blob and sha == b64sha(plain) and enc_sha == b64sha(blob)
    assert reference_decrypt(ours, key, kind) == plain


@pytest.mark.parametrize("read_size", [1, 3, 10, 11, 16, 4096])
def test_stream_in_any_read_size(read_size):
    key, plain = os.urandom(32), os.urandom(70_001)
    blob = reference_encrypt(plain, key, "document")

    class Dribble:
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def read(self, _n):
            return self.data.read(read_size)

    out = io.BytesIO()
    size = decrypt_stream(Dribble(blob), out, base64.b64encode(key).decode(), "document",
                          file_enc_sha256=b64sha(blob), file_sha256=b64sha(plain))
    assert out.getvalue() == plain and size == len(plain)


def test_media_key_in_base64_and_base64url():
    key = bytes(range(251, 256)) * 6 + b"\xfb\xfc"
    blob = reference_encrypt(b"x" * 40, key, "image")
    for encoded in (base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode()):
        assert decrypt_media(blob, encoded, "image") == b"x" * 40


KEY = bytes(range(32))
PLAIN = os.urandom(1000)
BLOB = reference_encrypt(PLAIN, KEY, "video")


def flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 1
    return bytes(out)


@pytest.mark.parametrize("blob, key, kind, enc_sha, sha, reason", [
    (flip(BLOB, 5), KEY, "video", None, None, "MAC"),                  # ciphertext changed
    (flip(BLOB, -1), KEY, "video", None, None, "MAC"),                 # MAC changed
    (BLOB[:-1], KEY, "video", None, None, "cut short|MAC"),            # one byte short
    (BLOB[:-16], KEY, "video", None, None, "MAC"),                     # a block short
    (BLOB[:9], KEY, "video", None, None, "cut short"),                 # less than a MAC
    (b"", KEY, "video", None, None, "cut short"),
    (BLOB, flip(KEY, 0), "video", None, None, "MAC"),                  # wrong key
    (BLOB, KEY, "image", None, None, "MAC"),                           # wrong type
    (BLOB, KEY[:31], "video", None, None, "32 bytes"),
    (BLOB, KEY, "video", b64sha(b"other"), None, "fileEncSha256"),
    (BLOB, KEY, "video", None, b64sha(b"other"), "fileSha256"),
    (BLOB, KEY, "video", "not base64!", None, "base64"),
    (BLOB, KEY, "thumbnail", None, None, "unknown media type"),
])
def test_tampering_is_an_integrity_error(blob, key, kind, enc_sha, sha, reason):
    with pytest.raises(IntegrityError, match=reason):
        decrypt_media(blob, key, kind, enc_sha, sha)


def test_bad_padding_under_a_valid_mac():
    blob = reference_encrypt(b"y" * 12, KEY, "audio", pad=b"\x00\x00\x00\x07")
    with pytest.raises(IntegrityError, match="padding"):
        decrypt_media(blob, KEY, "audio")


def test_a_whole_block_count_is_required_even_with_a_valid_mac():
    expanded = HKDF(hashes.SHA256(), 112, None, INFO["image"]).derive(KEY)
    iv, mac_key = expanded[:16], expanded[48:80]
    odd = os.urandom(20)
    blob = odd + hmac.new(mac_key, iv + odd, hashlib.sha256).digest()[:10]
    with pytest.raises(IntegrityError, match="blocks"):
        decrypt_media(blob, KEY, "image")
