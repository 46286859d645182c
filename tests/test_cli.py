"""The `wamedia` command, through its main function and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from wamedia import MediaManager
from wamedia.cli import main
from wamedia.models import Status

from .samples import wapi_webhook


@pytest.fixture
def run(capsys, monkeypatch):
    """Call the CLI in-process; returns (exit code, stdout, stderr)."""
    for name in ("WAMEDIA_ROOT", "WAMEDIA_CLIENT", "WAMEDIA_INSTANCE", "WAMEDIA_WAPI_TOKEN",
                 "WAMEDIA_WAPI_URL", "WAMEDIA_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def call(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture
def webhooks(tmp_path, api, publish):
    """A JSONL file of five good webhooks, one that expires and one broken line."""
    lines = [json.dumps(publish(f"CLI{i}", kind)[0])
             for i, kind in enumerate(["image", "video", "audio", "document", "sticker"])]
    gone, _, key = publish("CLIGONE")
    api.fail(key, 404)
    lines += [json.dumps(gone), '{"messageId": "X", "msgContent": {"imageMessage": 7}}', ""]
    path = tmp_path / "hooks.jsonl"
    path.write_text("\n".join(lines))
    return path


def tenant(root, api):
    return ["--root", root, "--client", "1", "--instance", "X", "--token", api.token,
            "--base-url", api.base_url]


def test_ingest_then_look(run, tmp_path, api, webhooks):
    root = tmp_path / "media"
    code, out, _err = run(*tenant(root, api), "--json", "ingest", webhooks)
    assert code == 1  # one line rejected, one media expired
    report = json.loads(out)
    assert (report["lines"], report["rejected"], report["downloaded"]) == (7, 1, 5)
    assert report["expired"] == 1 and "line 7" in report["errors"][0]

    code, out, _ = run(*tenant(root, api), "--json", "stats")
    assert code == 0 and json.loads(out)["total_midias"] == 6
    code, out, _ = run("--root", root, "--json", "stats")  # every tenant under the root
    assert json.loads(out) == [{"tenant": "cliente_1/instance_X", "total": 6, "success": 5,
                                "pending": 0, "failed": 0, "expired": 1, "purged": 0,
                                "mib": 0.02}]
    code, out, _ = run(*tenant(root, api), "--json", "search", "--type", "video")
    assert [r["message_id"] for r in json.loads(out)] == ["CLI1"]
    code, out, _ = run(*tenant(root, api), "search", "--status", "expired")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["message_id", "media_type", "status"]  # plain text
    assert lines[1].startswith("CLIGONE") and len(lines) == 2
    code, out, _ = run(*tenant(root, api), "--json", "show", "CLI3")
    assert code == 0 and json.loads(out)["file_path"].endswith("documentos/CLI3.pdf")
    assert api.token not in out


def test_errors_are_one_line_with_an_exit_code(run, tmp_path, api):
    code, _out, err = run("--root", tmp_path, "--client", "1", "--instance", "X", "show", "M")
    assert code == 3 and err.startswith("wamedia: error: no index") and "Traceback" not in err
    assert err.count("\n") == 1
    code, _, err = run("--bogus")
    assert code == 2 and "No such option" in err
    code, _, err = run("--root", tmp_path, "search", "--limit", "0")
    assert code == 2
    code, _, err = run("--root", tmp_path, "stats", "--client")
    assert code == 2


def test_show_unknown_and_debug_traceback(run, tmp_path, api, webhooks):
    root = tmp_path / "media"
    run(*tenant(root, api), "ingest", webhooks)
    code, _, err = run(*tenant(root, api), "show", "NOPE")
    assert code == 3 and "no media 'NOPE'" in err and "Traceback" not in err
    code, _, err = run(*tenant(root, api), "--debug", "show", "NOPE")
    assert code == 3 and "Traceback" in err and api.token not in err


def test_empty_root(run, tmp_path):
    code, out, _ = run("--root", tmp_path / "nothing", "--json", "stats")
    assert code == 0 and json.loads(out) == []


def test_corrupt_database_is_reported_and_left_alone(run, tmp_path):
    index = tmp_path / "cliente_1" / "instance_X" / "media_database.db"
    index.parent.mkdir(parents=True)
    index.write_bytes(b"garbage" * 500)
    code, _, err = run("--root", tmp_path, "--client", "1", "--instance", "X", "stats")
    assert code == 4 and "cannot open index" in err and "Traceback" not in err
    assert index.read_bytes() == b"garbage" * 500
    code, _out, err = run("--root", tmp_path, "stats")
    assert code == 4


def test_verify_purge_retry(run, tmp_path, api, webhooks):
    root = tmp_path / "media"
    run(*tenant(root, api), "ingest", webhooks)
    m = MediaManager(1, "X", root)
    (root / m.get("CLI0").file_path).unlink()
    old = datetime.now(timezone.utc) - timedelta(days=40)
    m.index.update("CLI1", Status.SUCCESS, download_timestamp=old)
    m.close()

    code, out, _ = run(*tenant(root, api), "--json", "verify")
    assert code == 1 and json.loads(out)["missing"] == ["CLI0"]
    code, out, _ = run(*tenant(root, api), "--json", "verify", "--repair")
    assert code == 0 and json.loads(out)["repaired"] == ["CLI0"]
    code, out, _ = run(*tenant(root, api), "--json", "retry")
    assert code == 0 and json.loads(out)["scheduled"] == 1 and json.loads(out)["downloaded"] == 1
    code, out, _ = run(*tenant(root, api), "--json", "verify", "--deep")
    assert code == 0 and json.loads(out)["clean"] is True

    code, out, _ = run(*tenant(root, api), "--json", "purge", "--days", "30", "--dry-run")
    assert json.loads(out)["files"] == 1
    assert MediaManager(1, "X", root).get("CLI1").status == Status.SUCCESS
    code, out, _ = run(*tenant(root, api), "--json", "purge", "--days", "30")
    assert json.loads(out)["files"] == 1
    assert MediaManager(1, "X", root).get("CLI1").status == Status.PURGED


def test_retry_needs_a_token(run, tmp_path, api, webhooks):
    root = tmp_path / "media"
    run(*tenant(root, api), "ingest", webhooks)
    code, _, err = run("--root", root, "--client", "1", "--instance", "X", "retry")
    assert code == 3 and "token" in err


def test_backup_and_restore_to_a_folder(run, tmp_path, api, webhooks):
    root = tmp_path / "media"
    run(*tenant(root, api), "ingest", webhooks)
    code, out, _ = run(*tenant(root, api), "--json", "backup", tmp_path / "offsite")
    assert code == 0 and json.loads(out)["copied"] == 5
    code, out, _ = run("--root", tmp_path / "again", "--client", "1", "--instance", "X",
                       "--json", "restore", tmp_path / "offsite")
    assert code == 0 and json.loads(out) == {"total": 6, "downloaded": 5, "clean": True}


def test_settings_from_environment_and_config_file(run, tmp_path, api, webhooks,
                                                   monkeypatch):
    root = tmp_path / "media"
    config = tmp_path / "wamedia.toml"
    config.write_text(f'root = "{root}"\nclient = "1"\ninstance = "X"\n'
                      f'base_url = "{api.base_url}"\n')
    monkeypatch.setenv("WAMEDIA_WAPI_TOKEN", api.token)
    code, out, _ = run("--config", config, "--json", "ingest", webhooks)
    assert json.loads(out)["downloaded"] == 5
    monkeypatch.setenv("WAMEDIA_CONFIG", str(config))
    code, out, _ = run("--json", "stats")
    assert code == 0 and json.loads(out)["midias_baixadas"] == 5
    code, out, _ = run("--instance", "OTHER", "stats")  # a flag beats the file
    assert code == 3 and "instance OTHER" in _


def test_subprocess_plain_output_and_exit_codes(tmp_path, api, publish):
    root = tmp_path / "media"
    m = MediaManager(1, "X", root)
    m.process_message(wapi_webhook("SUB1"))  # no source: recorded as pending
    m.close()
    env = {"PATH": "/usr/bin:/bin", "WAMEDIA_ROOT": str(root)}
    done = subprocess.run([sys.executable, "-m", "wamedia.cli", "stats"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.splitlines()[1].split()[:4] == ["cliente_1/instance_X", "1", "0", "1"]
    assert "\x1b[" not in done.stdout  # no terminal codes when not a terminal
    done = subprocess.run([sys.executable, "-m", "wamedia.cli", "--client", "1",
                           "--instance", "X", "--token", "tok-secret-123456", "retry"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1) and "tok-secret-123456" not in done.stdout + done.stderr


def test_on_a_terminal_tables_and_progress_bars(run, tmp_path, api, webhooks, monkeypatch):
    import sys as _sys

    root = tmp_path / "media"
    monkeypatch.setattr(_sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(_sys.stderr, "isatty", lambda: True, raising=False)
    code, out, _ = run(*tenant(root, api), "--json", "ingest", webhooks)
    assert code == 1 and json.loads(out)["downloaded"] == 5  # the bar went to stderr
    code, out, _ = run(*tenant(root, api), "search", "--type", "audio")
    assert code == 0 and "CLI2" in out and any(c in out for c in "┃│┏━")  # a rich table


def test_demo_command(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("demo", "--count", "20")
    assert code == 0 and "stored     18 files" in out
    assert (tmp_path / "demo_media" / "cliente_1" / "instance_DEMO").is_dir()
    code, _, err = run("demo", "--count", "5")
    assert code == 2 and "5 is not in the range" in err
