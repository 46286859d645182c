"""Peak memory while one 512 MiB media is downloaded (W-API) or decrypted (CDN), measured
in a fresh interpreter so the figure is the download's own."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile

from _common import Result, run_child

from wamedia.testing import FakeCDN, FakeWAPI

SIZE = 512 * 2**20
LIMIT_MIB = 64

CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from _common import rss_mib
from wamedia import CDNSource, MediaManager, WAPISource
kind, base_url, token, root, payload = sys.argv[2:7]
source = (WAPISource(token=token, base_url=base_url) if kind == "wapi"
          else CDNSource(base_url=base_url, allowed_hosts=["127.0.0.1"]))
m = MediaManager(1, "MEM", root, source=source)
before, _ = rss_mib()
record = m.process_message(json.loads(payload))
_, peak = rss_mib()
print(json.dumps({"status": str(record.status), "size": record.file_size,
                  "before": before, "peak": peak, "error": record.last_error}))
"""


def _video(size: int) -> bytes:
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return header + os.urandom(size - len(header))


def _webhook(message_id: str, node: dict) -> str:
    return json.dumps({"messageId": message_id, "chat": {"id": "5511"},
                       "sender": {"id": "5511"}, "msgContent": {"videoMessage": node}})


def run() -> list[Result]:
    here = os.path.dirname(os.path.abspath(__file__))
    results = []
    data = _video(SIZE)
    with FakeWAPI(token="memory-token-0123456789") as api:
        key = api.add(os.urandom(32), data, "video/mp4")
        node = {"mimetype": "video/mp4", "mediaKey": key, "directPath": "/v/big",
                "fileLength": str(SIZE),
                "fileSha256": base64.b64encode(hashlib.sha256(data).digest()).decode()}
        out = run_child(CHILD, here, "wapi", api.base_url, api.token, tempfile.mkdtemp(),
                        _webhook("BIG-WAPI", node))
    growth = out["peak"] - out["before"]
    results.append(Result("peak RSS growth, 512 MiB via W-API", growth, "MiB", None,
                          f"< {LIMIT_MIB} MiB",
                          growth < LIMIT_MIB and out["status"] == "success", out))
    with FakeCDN() as cdn:
        node = cdn.add(data, "video", mimetype="video/mp4")
        del data
        out = run_child(CHILD, here, "cdn", cdn.base_url, "", tempfile.mkdtemp(),
                        _webhook("BIG-CDN", node))
    growth = out["peak"] - out["before"]
    results.append(Result("peak RSS growth, 512 MiB via CDN", growth, "MiB", None,
                          f"< {LIMIT_MIB} MiB",
                          growth < LIMIT_MIB and out["status"] == "success", out))
    return results

