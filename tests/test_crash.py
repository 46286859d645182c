"""A process killed mid-download, and several processes on one instance."""

from __future__ import annotations

import json
import multiprocessing
import signal
import subprocess
import sys
import time

from wamedia import MediaManager, SQLiteIndex, WAPISource
from wamedia.models import Status
from wamedia.testing import FakeWAPI

from .samples import media, wapi_webhook

CHILD = """
import json, sys
from wamedia import MediaManager, WAPISource
root, base_url, token, payload = sys.argv[1:5]
m = MediaManager(1, "X", root, source=WAPISource(token=token, base_url=base_url),
                 lease_seconds=1)
m.process_message(json.loads(payload))
"""


def test_killed_mid_download_leaves_a_retryable_row_and_no_partial_file(tmp_path):
    with FakeWAPI(token="crash-token-123456", stall_seconds=30) as api:
        data, mime = media("video", 3_000_000)
        payload = wapi_webhook("KILLED", "video", data=data)
        key = api.add(payload["msgContent"]["videoMessage"]["mediaKey"], data, mime)
        api.fail(key, "stall", times=1)
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), api.base_url,
                                  api.token, json.dumps(payload)])
        index_path = tmp_path / "cliente_1" / "instance_X" / "media_database.db"
        deadline = time.monotonic() + 30
        temp = []
        while time.monotonic() < deadline and not temp:
            temp = list(tmp_path.rglob(".KILLED.mp4.*.part"))
            time.sleep(0.02)
        assert temp, "the child never started writing"
        child.send_signal(signal.SIGKILL)
        child.wait(10)

        idx = SQLiteIndex(index_path)
        assert idx.get("KILLED").status == Status.DOWNLOADING  # its lease is still running
        idx.close()
        assert not list(tmp_path.rglob("KILLED.mp4"))
        time.sleep(1.1)  # the dead process's lease runs out

        restarted = MediaManager(1, "X", tmp_path, source=WAPISource(
            token=api.token, base_url=api.base_url), lease_seconds=1)
        restarted.close(wait=True)  # it resumed the row when it opened
        final = MediaManager(1, "X", tmp_path)
        record = final.get("KILLED")
        assert record.status == Status.SUCCESS and record.attempts == 2
        with final.open("KILLED") as f:
            assert f.read() == data
        report = final.verify(repair=True)
        assert report.temp and not final.verify().temp  # the dead writer's leftover, removed
        assert report.missing == report.mismatched == []
        final.close()


def _ingest(root, base_url, token, payloads, queue):
    try:
        m = MediaManager(1, "X", root, source=WAPISource(token=token, base_url=base_url))
        for payload in payloads:
            m.process_message(payload)
        m.close()
        queue.put(None)
    except Exception as exc:
        queue.put(repr(exc))


def test_several_processes_never_download_twice(tmp_path):
    with FakeWAPI(token="multi-token-123456", latency=0.01) as api:
        payloads, keys = [], []
        for i in range(30):
            data, mime = media("image", 20_000)
            payload = wapi_webhook(f"MP{i}", data=data)
            keys.append(api.add(payload["msgContent"]["imageMessage"]["mediaKey"], data, mime))
            payloads.append(payload)
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        procs = [ctx.Process(target=_ingest, args=(str(tmp_path), api.base_url, api.token,
                                                  payloads[::step], queue))
                 for step in (1, -1, 1)]
        for p in procs:
            p.start()
        results = [queue.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(30)
        assert results == [None, None, None]
        assert all(api.downloads[k] == 1 for k in keys), api.downloads
        m = MediaManager(1, "X", tmp_path)
        s = m.stats()
        assert (s.total, s.downloaded) == (30, 30)
        assert m.verify(deep=True).ok == 30
        m.close()


def test_a_forked_child_downloads_with_its_own_pool_and_connections(tmp_path, api, publish):
    import os

    m = MediaManager(1, "X", tmp_path, source=WAPISource(token=api.token,
                                                         base_url=api.base_url))
    first, _, _ = publish("PARENT")
    assert m.process_message(first).status == Status.SUCCESS  # pools and sockets in use
    second, third = publish("CHILD")[0], publish("AFTER")[0]
    pid = os.fork()  # as gunicorn --preload does: the parent idle, its pools warm
    if pid == 0:
        code = 1
        try:
            m.process_message(second, wait=False)
            m.close(wait=True)
            code = 0 if m.get("CHILD").status == Status.SUCCESS else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert m.process_message(third).status == Status.SUCCESS  # the parent's pools still work
    m.close(wait=True)
    again = MediaManager(1, "X", tmp_path)
    assert {again.get(i).status for i in ("PARENT", "CHILD", "AFTER")} == {Status.SUCCESS}
    again.close()
