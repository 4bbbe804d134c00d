"""How fast the inbox takes in notifications (and, as parts are added, opens and scrolls).

Parts, chosen with ``--only`` (repeatable; all by default):

* ``ingest`` (:mod:`bench_inbox_ingest`): 10,000 Mastodon notifications polled, sanitised and
  stored. Target (issue 5): at or under 2 s.
* ``open`` (:mod:`bench_inbox_open`): the Inbox page opened and scrolled on 50,000 items (run
  it under a display: ``xvfb-run -a``). Target (issue 5): open at or under 300 ms, every
  scrolling step within a frame.

Usage::

    .venv/bin/python benchmarks/bench_inbox.py --only ingest
    .venv/bin/python benchmarks/bench_inbox.py --only ingest --notifications 10000 --repeat 3 --json
    xvfb-run -a .venv/bin/python benchmarks/bench_inbox.py --only open --items 50000 --runs 7
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_inbox_ingest import bench_ingest  # noqa: E402
from bench_inbox_open import bench_open  # noqa: E402
from machine import machine  # noqa: E402

#: Each part takes the parsed arguments and returns its results (JSON-able).
PARTS: Mapping[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "ingest": lambda a: bench_ingest(a.notifications, a.repeat),
    "open": lambda a: bench_open(a.items, a.runs, a.scroll_rows),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    parser.add_argument("--notifications", type=int, default=10_000, help="ingest: how many")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--items", type=int, default=50_000, help="open: inbox items")
    parser.add_argument("--runs", type=int, default=7, help="open: times the page is opened")
    parser.add_argument("--scroll-rows", type=int, default=10_000, help="open: rows scrolled")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": machine()}
    for name in args.only or sorted(PARTS):
        results[name] = PARTS[name](args)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, value in results.items():
            print(f"{name}: {value}")
    ingest = results.get("ingest")
    return 1 if ingest and ingest["stored"] != ingest["notifications"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
