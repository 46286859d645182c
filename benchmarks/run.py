"""``make bench``: every benchmark, a table of figures with same-run baselines, JSON.

    python benchmarks/run.py                 # all
    python benchmarks/run.py index crypto    # some: index, ingest, crypto, memory

Exits 1 when a target is missed. Heavy loads live here, never in the unit tests.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_crypto
import bench_index
import bench_ingest
import bench_memory
from _common import report, rss_mib

BENCHES = {"index": bench_index, "ingest": bench_ingest, "crypto": bench_crypto,
           "memory": bench_memory}


def main(names: list[str]) -> int:
    unknown = set(names) - set(BENCHES)
    if unknown:
        print(f"unknown benchmarks: {', '.join(sorted(unknown))}; known: {', '.join(BENCHES)}")
        return 2
    results = []
    for name in names or list(BENCHES):
        started = time.perf_counter()
        print(f"running {name}...", flush=True)
        results += BENCHES[name].run()
        print(f"  {name} took {time.perf_counter() - started:.1f} s", flush=True)
    ok = report(results, Path(__file__).parent / "results" / "latest.json")
    print(f"peak RSS of the runner: {rss_mib()[1]:.0f} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
