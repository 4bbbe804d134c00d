"""How long CSV and iCalendar exchange take on a busy plan.

The plan comes from ``benchmarks/datagen.py`` (fixed seed). Timed, each ``--repeat`` times after
``--warmup`` runs, medians reported:

* ``export_csv``: ``ctx.exchange.export_csv`` of every post of the workspace (``--posts``, 10,000
  by default) to a file;
* ``export_ics``: ``ctx.exchange.export_ics`` of the scheduled and published ones;
* ``check_csv``: ``ctx.exchange.check_csv`` of a file of ``--rows`` new posts (5,000 by default:
  the plan's future posts, exported, ids cleared, into a fresh workspace with channels of the same
  names; labels created as needed);
* ``import_csv``: ``ctx.exchange.import_csv`` of that file (which checks it again, then writes all
  rows in one transaction), each run into a fresh workspace.

Usage::

    python benchmarks/bench_exchange.py
    python benchmarks/bench_exchange.py --posts 2000 --rows 500 --repeat 3 --json
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datagen
from machine import machine

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore


def _timed(fn: Callable[[], Any], repeat: int, warmup: int) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    runs: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(runs), 1), "min_ms": round(min(runs), 1)}


def _fresh_workspace(ctx: AppContext, source: int, n: int) -> int:
    """A new workspace in the source's zone with channels of the same names and networks."""
    tz = ctx.workspaces.get(source).timezone
    wid = ctx.workspaces.create(f"Import {n}", tz).subject
    assert wid is not None
    for c in ctx.channels.list(source):
        # As Mastodon channels: generated texts run to 400 characters, past Bluesky's 300, and
        # some generated networks have no adapter here. Each text is still measured per channel.
        ctx.channels.add(wid, "mastodon", c.name, handle=c.handle)
    return wid


def _import_file(ctx: AppContext, wid: int, rows: int, folder: Path) -> Path:
    """``rows`` future, importable posts of the plan as CSV, ids cleared."""
    text, _count = ctx.exchange.render_csv(wid)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    keep = {"idea", "draft", "in_review", "approved", "scheduled"}
    status = header.index("status")
    chosen = [r for r in reader if r[status] in keep][:rows]
    if len(chosen) < rows:
        raise SystemExit(f"the plan has only {len(chosen)} future posts; ask for more --posts")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["", *r[1:]] for r in chosen])
    path = folder / "import.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    info = datagen.generate(url, posts=args.posts, channels=args.channels)
    ctx = build_context(url, clock=FakeClock(info.now), credentials=MemoryCredentialStore())
    try:
        wid = info.workspaces[0][0]
        results: dict[str, Any] = {"posts": args.posts, "rows": args.rows}
        results["export_csv"] = _timed(
            lambda: ctx.exchange.export_csv(wid, folder / "out.csv"), args.repeat, args.warmup
        )
        results["export_ics"] = _timed(
            lambda: ctx.exchange.export_ics(wid, folder / "out.ics"), args.repeat, args.warmup
        )
        results["events"] = ctx.exchange.render_ics(wid)[1]
        path = _import_file(ctx, wid, args.rows, folder)
        target = _fresh_workspace(ctx, wid, 0)
        plan = ctx.exchange.check_csv(target, path, create_missing=True)
        if not plan.ok:
            raise SystemExit(
                "the generated file has problems:\n" + "\n".join(map(str, plan.problems[:5]))
            )
        results["check_csv"] = _timed(
            lambda: ctx.exchange.check_csv(target, path, create_missing=True),
            args.repeat,
            args.warmup,
        )
        counter = iter(range(1, 10_000))

        def one_import() -> None:
            fresh = _fresh_workspace(ctx, wid, next(counter))
            created = ctx.exchange.import_csv(fresh, path, create_missing=True)
            assert len(created.ids("post", "created")) == args.rows

        results["import_csv"] = _timed(one_import, args.repeat, args.warmup)
        results["machine"] = machine()
        return results
    finally:
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--posts", type=int, default=10_000)
    p.add_argument("--channels", type=int, default=4)
    p.add_argument("--rows", type=int, default=5_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cmdesk-bench-") as tmp:
        results = run(args, Path(tmp))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.posts} posts, {args.rows} rows to import")
        for key in ("export_csv", "export_ics", "check_csv", "import_csv"):
            r = results[key]
            print(f"  {key:<11} median {r['median_ms']:>9.1f} ms  (min {r['min_ms']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
