"""The ``wamedia`` command: look at and act on stored media without writing Python.

Settings come from flags, then ``WAMEDIA_*`` environment variables, then a TOML file
(``--config`` or ``WAMEDIA_CONFIG``), then defaults. The token is never printed.

Exit codes: 0 done; 1 done, but problems were found (verify not clean, media failed);
2 bad usage; 3 configuration error; 4 storage or index error; 5 other wamedia error.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from . import MediaManager, SQLiteIndex, WAPISource
from ._secrets import register
from .errors import ConfigError, StorageError, WamediaError
from .models import Status

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

EXIT_PROBLEMS, EXIT_CONFIG, EXIT_STORAGE, EXIT_OTHER = 1, 3, 4, 5
SETTINGS = ("root", "client", "instance", "token", "base_url")


class Context:
    """Settings of one invocation and how to print."""

    def __init__(self, settings: dict[str, Any], as_json: bool, debug: bool):
        self.settings = settings
        self.as_json = as_json
        self.debug = debug
        register(settings.get("token"))

    @property
    def root(self) -> Path:
        return Path(self.settings.get("root") or "media_storage")

    def tenant(self) -> tuple[str, str]:
        client, instance = self.settings.get("client"), self.settings.get("instance")
        if not client or not instance:
            raise ConfigError("say which tenant: --client and --instance "
                              "(or WAMEDIA_CLIENT and WAMEDIA_INSTANCE)")
        return str(client), str(instance)

    def source(self) -> WAPISource:
        token = self.settings.get("token")
        if not token:
            raise ConfigError("downloading needs the W-API token: --token or "
                              "WAMEDIA_WAPI_TOKEN (or token in the config file)")
        options = {"base_url": self.settings["base_url"]} if self.settings.get("base_url") else {}
        return WAPISource(token=token, **options)

    def manager(self, *, download: bool = False, must_exist: bool = True,
                **options: Any) -> MediaManager:
        client, instance = self.tenant()
        if must_exist:
            probe = MediaManager.index_path(self.root, client, instance)
            if not probe.exists():
                raise ConfigError(f"no index for client {client}, instance {instance} "
                                  f"under {self.root} ({probe})")
        source = self.source() if download else None
        return MediaManager(client, instance, self.root, source=source, **options)

    def emit(self, data: Any, table: Callable[[], tuple[list[str], Iterable[Sequence[Any]]]]
             | None = None, title: str = "") -> None:
        """Print ``data`` as JSON, as a rich table on a terminal, or as plain text."""
        if self.as_json:
            click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
            return
        if table is None:
            for key, value in data.items():
                click.echo(f"{key}: {value}")
            return
        headers, rows = table()
        rows = [[("" if v is None else str(v)) for v in row] for row in rows]
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.table import Table

            t = Table(title=title or None)
            for h in headers:
                t.add_column(h)
            for row in rows:
                t.add_row(*row)
            Console().print(t)
            return
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
        click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        for row in rows:
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _progress(label: str, total: int):
    """A rich progress bar on a terminal; silence elsewhere."""
    if not sys.stderr.isatty():
        return None, lambda *_: None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)  # stdout stays data
    task = bar.add_task(label, total=total)
    return bar, lambda *_: bar.advance(task)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", envvar="WAMEDIA_ROOT", help="Folder of the media and indexes "
              "[default: media_storage].")
@click.option("--client", envvar="WAMEDIA_CLIENT", help="Client id.")
@click.option("--instance", envvar="WAMEDIA_INSTANCE", help="WhatsApp instance id.")
@click.option("--token", envvar="WAMEDIA_WAPI_TOKEN", help="W-API bearer token (never shown).")
@click.option("--base-url", envvar="WAMEDIA_WAPI_URL", help="W-API base URL.")
@click.option("--config", "config_file", envvar="WAMEDIA_CONFIG",
              type=click.Path(dir_okay=False), help="TOML file with the settings above.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="wamedia")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, as_json: bool, debug: bool,
        **flags: Any) -> None:
    """WhatsApp media: stats, search, retry, purge, verify, ingest, backup.

    \b
    Example:
      wamedia --root /srv/media --client 1 --instance 3B6XIW stats
    """
    settings: dict[str, Any] = {}
    if config_file:
        try:
            with open(config_file, "rb") as f:
                loaded = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {config_file}: {exc}") from exc
        settings.update({k.replace("-", "_"): v for k, v in loaded.items()
                         if k.replace("-", "_") in SETTINGS})
    settings.update({k: v for k, v in flags.items() if v is not None})
    ctx.obj = Context(settings, as_json, debug)


@cli.command()
@pass_ctx
def stats(c: Context) -> None:
    """Counts and sizes: of one tenant, or of every tenant under the root.

    \b
    Example: wamedia --client 1 --instance 3B6XIW stats
    """
    if c.settings.get("client") and c.settings.get("instance"):
        with c.manager() as m:
            s = m.stats()
        c.emit(dict(s) | {"expired": s.expired, "purged": s.purged},
               lambda: (["key", "value"], dict(s).items()), "wamedia stats")
        return
    rows = []
    for path in sorted(c.root.glob("cliente_*/instance_*/media_database.db")):
        index = SQLiteIndex(path)
        try:
            s = index.stats()
        finally:
            index.close()
        rows.append({"tenant": f"{path.parent.parent.name}/{path.parent.name}",
                     "total": s.total, "success": s.downloaded, "pending": s.pending,
                     "failed": s.failed, "expired": s.expired, "purged": s.purged,
                     "mib": round(s.bytes / 2**20, 2)})
    headers = ["tenant", "total", "success", "pending", "failed", "expired", "purged", "mib"]
    c.emit(rows, lambda: (headers, ([r[h] for h in headers] for r in rows)),
           f"tenants under {c.root}")


RECORD_COLUMNS = ["message_id", "media_type", "status", "file_size", "chat_id",
                  "message_timestamp", "last_error"]


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO date/time: {value}") from exc
    return parsed if parsed.tzinfo else parsed.astimezone()


@cli.command()
@click.option("--type", "media_type", type=click.Choice(
    ["image", "video", "audio", "document", "sticker"]))
@click.option("--status", type=click.Choice([s.value for s in Status]))
@click.option("--chat", "chat_id")
@click.option("--sender", "sender_id")
@click.option("--since", help="ISO date/time (message time).")
@click.option("--until", help="ISO date/time (message time).")
@click.option("--text", help="In captions and file names.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@pass_ctx
def search(c: Context, since: str | None, until: str | None, **filters: Any) -> None:
    """Media matching every filter, newest first.

    \b
    Example: wamedia search --type image --status failed --limit 20
    """
    with c.manager() as m:
        found = m.search(since=_time(since), until=_time(until), **filters)
    c.emit([r.to_dict() for r in found],
           lambda: (RECORD_COLUMNS, ([getattr(r, k) for k in RECORD_COLUMNS] for r in found)))


@cli.command()
@click.argument("message_id")
@pass_ctx
def show(c: Context, message_id: str) -> None:
    """Everything known about one media.

    \b
    Example: wamedia show 3EB0C767D26A1D8E
    """
    with c.manager() as m:
        record = m.get(message_id)
    if record is None:
        raise ConfigError(f"no media {message_id!r} for this tenant")
    data = record.to_dict()
    c.emit(data, lambda: (["field", "value"], data.items()))


@cli.command()
@click.option("--limit", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--force", is_flag=True, help="Also permanent failures and expired media.")
@pass_ctx
def retry(c: Context, limit: int, force: bool) -> None:
    """Download again the media whose next attempt is due, and wait for them.

    \b
    Example: WAMEDIA_WAPI_TOKEN=... wamedia retry --limit 500
    """
    with c.manager() as m:
        before = m.stats()
        due = len(m.index.due(limit=limit, force=force))
    with c.manager(download=True) as m:  # it resumes due media as it opens
        m.retry_pending(limit=limit, force=force)
    with c.manager() as m:
        after = m.stats()
    data = {"scheduled": due, "downloaded": after.downloaded - before.downloaded,
            "failed": after.failed, "expired": after.expired, "pending": after.pending}
    c.emit(data)
    if data["downloaded"] < due:
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.option("--days", type=click.FloatRange(0), default=30, show_default=True)
@click.option("--dry-run", is_flag=True, help="Say what would go; delete nothing.")
@pass_ctx
def purge(c: Context, days: float, dry_run: bool) -> None:
    """Delete files downloaded more than DAYS ago; their rows stay as purged.

    \b
    Example: wamedia purge --days 90 --dry-run
    """
    with c.manager() as m:
        if dry_run:
            from datetime import timedelta, timezone

            cutoff = datetime.now(timezone.utc) - timedelta(days=days)
            old = [r for r in m.search(status="success", limit=None)
                   if r.download_timestamp and r.download_timestamp < cutoff]
            c.emit({"dry_run": True, "files": len(old),
                    "bytes": sum(r.file_size or 0 for r in old)})
            return
        report = m.purge_older_than(days)
    c.emit({"files": report.files, "bytes": report.bytes})


@cli.command()
@click.option("--repair", is_flag=True, help="Remove temp leftovers; re-queue missing files.")
@click.option("--deep", is_flag=True, help="Compare SHA-256, not only sizes.")
@pass_ctx
def verify(c: Context, repair: bool, deep: bool) -> None:
    """Compare the index with the stored files. Exit 1 when something is wrong.

    \b
    Example: wamedia verify --deep --repair
    """
    with c.manager() as m:
        report = m.verify(repair=repair, deep=deep)
    data = report.to_dict()
    c.emit(data, lambda: (["check", "count", "items"],
                          [[k, len(v), ", ".join(v[:5]) + (" ..." if len(v) > 5 else "")]
                           for k, v in data.items() if isinstance(v, list)]
                          + [["ok", report.ok, ""]]))
    if not report.clean and not (repair and not report.orphans):
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("jsonl", type=click.File("r", encoding="utf-8"))
@click.option("--no-download", is_flag=True, help="Record as pending only.")
@pass_ctx
def ingest(c: Context, jsonl: Any, no_download: bool) -> None:
    """Replay saved webhooks, one JSON payload per line.

    \b
    Example: wamedia ingest webhooks.jsonl
    """
    lines = [line for line in jsonl if line.strip()]
    rejected: list[str] = []
    bar, advance = _progress("ingest", len(lines))
    with c.manager(download=not no_download, must_exist=False) as m:
        if bar is not None:
            bar.start()
        try:
            for number, line in enumerate(lines, 1):
                try:
                    m.process_webhook(line, wait=False)
                except WamediaError as exc:
                    rejected.append(f"line {number}: {exc}")
                advance()
        finally:
            if bar is not None:
                bar.stop()
    with c.manager() as m:
        s = m.stats()
    c.emit({"lines": len(lines), "rejected": len(rejected), "total": s.total,
            "downloaded": s.downloaded, "failed": s.failed, "expired": s.expired,
            "pending": s.pending, "errors": rejected[:20]})
    if rejected or s.failed:
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("url")
@pass_ctx
def backup(c: Context, url: str) -> None:
    """Copy the index (a consistent snapshot) and new files to URL (s3://... or a folder).

    \b
    Example: wamedia backup s3://my-backups/wamedia
    """
    from .backup import backup as run_backup

    with c.manager() as m:
        records = m.stats().downloaded
        bar, advance = _progress("backup", records)
        if bar is not None:
            bar.start()
        try:
            report = run_backup(m, url, progress=advance)
        finally:
            if bar is not None:
                bar.stop()
    c.emit({"copied": report.copied, "skipped": report.skipped, "bytes": report.bytes,
            "index": report.index, "missing": report.missing})
    if report.missing:
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("url")
@pass_ctx
def restore(c: Context, url: str) -> None:
    """Rebuild the tenant from a backup at URL (its index must not exist yet).

    \b
    Example: wamedia --root /srv/media restore s3://my-backups/wamedia
    """
    from .backup import restore as run_restore

    client, instance = c.tenant()
    with run_restore(url, client_id=client, instance_id=instance, root=c.root) as m:
        s = m.stats()
        report = m.verify()
    c.emit({"total": s.total, "downloaded": s.downloaded, "clean": report.clean})


@cli.command()
@click.option("--count", type=click.IntRange(20, 10_000), default=60, show_default=True)
def demo(count: int) -> None:
    """Run the end-to-end demo on a fake gateway (what `make demo` runs)."""
    from .demo import main as run_demo

    sys.exit(run_demo(count=count))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the command, turn errors into one line and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="wamedia",
                 standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("wamedia: aborted", err=True)
        return EXIT_OTHER
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except WamediaError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"wamedia: error: {exc}", err=True)
        if isinstance(exc, ConfigError):
            return EXIT_CONFIG
        return EXIT_STORAGE if isinstance(exc, StorageError) else EXIT_OTHER
    except Exception as exc:  # a bug: still one line, the traceback on request
        if debug:
            traceback.print_exc()
        click.echo(f"wamedia: error: unexpected {type(exc).__name__}: {exc} "
                   "(--debug shows the traceback)", err=True)
        return EXIT_OTHER
    return 0


if __name__ == "__main__":
    sys.exit(main())
