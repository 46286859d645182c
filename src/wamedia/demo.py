"""``python -m wamedia.demo``: the main job end to end, on embedded defaults.

Starts a FakeWAPI gateway on 127.0.0.1 (50 ms per request), feeds it a batch of realistic
webhooks of all five kinds, a few of them broken, hands them off without waiting, lets the
background workers download, verify and store them, and prints what happened.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

from . import MediaManager, PayloadError, WAPISource
from .testing import FakeWAPI

_SIGNATURES = {
    "image": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg", "imageMessage"),
    "video": (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video/mp4", "videoMessage"),
    "audio": (b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead", "audio/ogg; codecs=opus",
              "audioMessage"),
    "document": (b"%PDF-1.7\n", "application/pdf", "documentMessage"),
    "sticker": (b"RIFF\x00\x10\x00\x00WEBPVP8L", "image/webp", "stickerMessage"),
}


def _webhook(i: int, kind: str, api: FakeWAPI, size: int) -> dict:
    signature, mime, node_name = _SIGNATURES[kind]
    data = signature + os.urandom(size - len(signature))
    key = base64.b64encode(os.urandom(32)).decode()
    api.add(key, data, mime)
    node = {"mimetype": mime, "mediaKey": key, "directPath": f"/v/t62.7118-24/{i}.enc",
            "fileLength": str(len(data)),
            "fileSha256": base64.b64encode(hashlib.sha256(data).digest()).decode()}
    if kind == "document":
        node["fileName"] = f"invoice-{i}.pdf"
    if kind == "audio":
        node["ptt"] = i % 2 == 0
    return {"event": "webhookReceived", "instanceId": "DEMO", "messageId": f"3EB0DEMO{i:04d}",
            "isGroup": i % 3 == 0, "fromMe": False, "moment": int(time.time()) - i,
            "chat": {"id": "120363000000000000@g.us" if i % 3 == 0 else "5511988887777"},
            "sender": {"id": "5511988887777", "pushName": "Ana"},
            "msgContent": {node_name: node}}


def main(root: str = "demo_media", count: int = 60) -> int:
    if count < 20:
        raise ValueError("the demo needs at least 20 webhooks (a few of them are broken)")
    kinds = list(_SIGNATURES)
    shutil.rmtree(root, ignore_errors=True)
    with FakeWAPI(token="demo-token-not-a-secret", latency=0.05) as api:
        payloads = [_webhook(i, kinds[i % 5], api, 64 * 1024) for i in range(count)]
        first_key = lambda p: next(iter(p["msgContent"].values()))["mediaKey"]  # noqa: E731
        api.fail(first_key(payloads[3]), 410)            # the gateway no longer has it
        api.fail(first_key(payloads[7]), 500, times=1)   # a transient error, retried
        api.fail(first_key(payloads[11]), "truncate", times=1)  # a body cut short, retried
        api.fail(first_key(payloads[13]), "corrupt")     # wrong bytes: never stored
        payloads.append(payloads[0])                     # a duplicate webhook
        payloads.append({"event": "webhookStatus", "status": "READ"})  # not media
        broken = [b'{"messageId": "X", "msgContent": {"imageMessage": "oops"}}']

        source = WAPISource(token=api.token, base_url=api.base_url)
        manager = MediaManager(client_id=1, instance_id="DEMO", root=root, source=source)
        started = time.perf_counter()
        handoff = []
        for payload in payloads:
            t = time.perf_counter()
            manager.process_webhook(payload, wait=False)
            handoff.append(time.perf_counter() - t)
        rejected = 0
        for payload in broken:
            try:
                manager.process_webhook(payload)
            except PayloadError as exc:
                rejected += 1
                print(f"rejected payload: {exc}")
        manager.close(wait=True)
        elapsed = time.perf_counter() - started

    manager = MediaManager(client_id=1, instance_id="DEMO", root=root)
    stats = manager.stats()
    print()
    print(f"{'type':<10}{'success':>9}{'failed':>8}{'expired':>9}{'pending':>9}")
    for kind in kinds:
        row = [len(manager.search(media_type=kind, status=s, limit=None))
               for s in ("success", "failed", "expired", ("pending", "downloading"))]
        print(f"{kind:<10}" + "".join(f"{n:>{w}}" for n, w in zip(row, (9, 8, 9, 9), strict=True)))
    print(f"{'total':<10}{stats.downloaded:>9}{stats.failed:>8}{stats.expired:>9}"
          f"{stats.pending:>9}")
    print()
    for record in manager.search(status=["failed", "expired"]):
        print(f"{record.message_id} {record.status}: {record.last_error}")
    handoff.sort()
    print()
    print(f"stored     {stats.downloaded} files, {stats.bytes / 2**20:.2f} MiB "
          f"in {Path(root).absolute() / manager.prefix}")
    print(f"throughput {stats.downloaded / elapsed:.1f} media/s "
          f"(50 ms per request, 2 requests per media)")
    print(f"hand-off   p50 {handoff[len(handoff) // 2] * 1000:.2f} ms, "
          f"max {handoff[-1] * 1000:.2f} ms per webhook")
    report = manager.verify(deep=True)
    print(f"verify     {report.ok} ok, {len(report.missing)} missing, "
          f"{len(report.mismatched)} mismatched, {len(report.orphans)} orphans")
    print(f"original   {dict(manager.stats())}")
    manager.close()
    expected_ok = count - 2
    return 0 if stats.downloaded == expected_ok and report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
