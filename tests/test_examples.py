"""Every example runs against FakeWAPI, so the documentation cannot rot."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wamedia import MediaManager

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_django_example(tmp_path):
    pytest.importorskip("django", reason="the Django example needs Django (test extras)")
    env = os.environ | {"WAMEDIA_ROOT": str(tmp_path / "media"),
                        "EXAMPLE_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "manage.py", "test", "whatsapp", "-v", "2"],
                          cwd=EXAMPLES / "django", env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Ran 2 tests" in done.stderr


@pytest.fixture
def flask_app(tmp_path, api):
    pytest.importorskip("flask", reason="the Flask example needs Flask (test extras)")
    spec = importlib.util.spec_from_file_location("flask_example", EXAMPLES / "flask" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.create_app({"WAMEDIA_ROOT": str(tmp_path), "WAMEDIA_WAPI_TOKEN": api.token,
                             "WAMEDIA_WAPI_URL": api.base_url,
                             "API_KEYS": {"key-of-1": [("1", "3B6XIW")]}})
    yield app
    MediaManager(1, "3B6XIW", tmp_path).close()


def test_flask_example(flask_app, tmp_path, publish):
    from wamedia import open_manager

    client = flask_app.test_client()
    payload, data, _ = publish("FL1", "document")
    response = client.post("/webhook/1/3B6XIW", data=json.dumps(payload),
                           content_type="application/json")
    assert response.status_code == 202 and response.get_json() == {"media": ["FL1"]}
    open_manager(1, "3B6XIW", root=tmp_path).close(wait=True)

    assert client.get("/media/1/3B6XIW/FL1").status_code == 404          # no key
    other = {"X-Api-Key": "nope"}
    assert client.get("/media/1/3B6XIW/FL1", headers=other).status_code == 404
    mine = {"X-Api-Key": "key-of-1"}
    response = client.get("/media/1/3B6XIW/FL1", headers=mine)
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    assert client.get("/media/1/3B6XIW/NOPE", headers=mine).status_code == 404
    assert client.get("/media/2/OTHER/FL1", headers=mine).status_code == 404
    bad = client.post("/webhook/1/3B6XIW", data=b"{not json")
    assert bad.status_code == 400


def test_flask_example_checks_signatures(flask_app, publish):
    from wamedia.webhooks import sign

    flask_app.config["WEBHOOK_SECRET"] = "gateway-shared-secret"
    client = flask_app.test_client()
    body = json.dumps(publish("SIG1")[0]).encode()
    assert client.post("/webhook/1/3B6XIW", data=body).status_code == 401
    forged = {"X-Hub-Signature-256": sign(body, "guess")}
    assert client.post("/webhook/1/3B6XIW", data=body, headers=forged).status_code == 401
    signed = {"X-Hub-Signature-256": sign(body, "gateway-shared-secret")}
    assert client.post("/webhook/1/3B6XIW", data=body, headers=signed).status_code == 202


def test_script_example(tmp_path, api, publish):
    lines = [json.dumps(publish(f"SC{i}", "image")[0]) for i in range(4)]
    (tmp_path / "hooks.jsonl").write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "script.py"), str(tmp_path / "hooks.jsonl"),
         "--client", "1", "--instance", "3B6XIW", "--token", api.token,
         "--base-url", api.base_url, "--root", str(tmp_path / "media")],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("4 stored, 0 failed")
    assert MediaManager(1, "3B6XIW", tmp_path / "media").stats().downloaded == 4
