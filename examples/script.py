"""Replay a JSONL file of saved webhooks (one payload per line) into wamedia.

    python examples/script.py webhooks.jsonl --client 1 --instance 3B6XIW \
        --token "$WAMEDIA_WAPI_TOKEN" [--base-url URL] [--root media_storage]
"""

from __future__ import annotations

import argparse
import sys

from wamedia import MediaManager, PayloadError, WAPISource


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl")
    parser.add_argument("--client", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", default="https://api.w-api.app/v1")
    parser.add_argument("--root", default="media_storage")
    args = parser.parse_args(argv)

    source = WAPISource(token=args.token, base_url=args.base_url)
    rejected = 0
    with (MediaManager(args.client, args.instance, args.root, source=source) as manager,
          open(args.jsonl, encoding="utf-8") as lines):
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                manager.process_webhook(line, wait=False)
            except PayloadError as exc:
                rejected += 1
                print(f"line {number}: {exc}", file=sys.stderr)
    # leaving the block drained the queue: every download has finished here
    stats = MediaManager(args.client, args.instance, args.root).stats()
    print(f"{stats.downloaded} stored, {stats.failed} failed, {stats.expired} expired, "
          f"{rejected} rejected lines, {stats.bytes / 2**20:.2f} MiB")
    return 1 if rejected or stats.failed else 0


if __name__ == "__main__":
    sys.exit(main())
