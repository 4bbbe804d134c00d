"""The window's speed: start-up to a painted month, switching months, a drop, and memory.

The plan has 10,000 posts over a year centred on today (about 800 in the month shown), made by
``datagen.py``; publishing is paused in it so the engine sends nothing while the window is timed.

* **start-up**: from just before the process is spawned (``python -m ui``-like: the same
  ``ui.app.run`` as ``cmdesk gui``) to the first paint of the month grid with its posts; each run
  is a new process. Its baseline, measured in the same run, is a process that only imports
  PySide6, shows an empty window and exits at its first paint: what no Qt application can beat.
* **month switch**: Next or Previous on the calendar, the month loaded from the service and the
  grid repainted (``repaint()`` forces the paint into the timing).
* **drop**: a post dropped on another day through the month model's ``dropMimeData`` (what a real
  drag ends in: one undoable service call), then the grid repainted.
* **memory**: the resident set size after all of the above (peak and current).

Run under a display (``xvfb-run -a .venv/bin/python benchmarks/bench_gui.py``); without one the
offscreen platform is used and said so. ``--json`` prints the results as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTS = 10_000
TARGETS = {"startup_s": 1.0, "month_switch_ms": 50.0, "drop_ms": 30.0, "rss_mb": 250.0}


# --- the parent: data, processes, results -------------------------------------------------------


def make_plan(folder: Path, posts: int = POSTS) -> str:
    """A plan of ``posts`` posts over a year centred on today, with publishing paused."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import datagen

    from cmdesk.bootstrap import build_context
    from cmdesk.credentials import MemoryCredentialStore

    url = f"sqlite:///{folder / 'plan.sqlite3'}"
    start = datetime.now(UTC).date() - timedelta(days=182)
    datagen.generate(url, posts=posts, channels=8, workspaces=1, start=start, days=365)
    ctx = build_context(url, credentials=MemoryCredentialStore())
    try:
        ctx.settings.set("publishing_paused", True)
    finally:
        ctx.close()
    return url


def child_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ, CMDESK_DATA_DIR=str(folder / "data"), PYTHONPATH=str(ROOT))
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def time_process(args: list[str], env: dict[str, str]) -> float:
    """Seconds from just before the spawn to the paint time the child prints."""
    started = time.time()
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("painted ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"child failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return float(lines[-1].split()[1]) - started


def measure(runs: int, folder: Path, url: str, posts: int) -> dict[str, object]:
    env = child_env(folder)
    # As installed: pip compiles the bytecode at install time; a checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every changed module at every start.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "cmdesk"), str(ROOT / "ui")],
        check=True,
    )
    me = [sys.executable, str(Path(__file__).resolve())]
    startup, baseline = [], []
    for _ in range(runs):  # interleaved, so both see the same machine load
        baseline.append(time_process([*me, "--child", "baseline"], env))
        startup.append(time_process([*me, "--child", "startup", "--db", url], env))
    out = subprocess.run(
        [*me, "--child", "interact", "--db", url, "--runs", str(runs * 3)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"interaction child failed:\n{out.stderr[-2000:]}")
    interact = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "platform": env.get("QT_QPA_PLATFORM", "xcb"),
        "posts": posts,
        "startup_s": statistics.median(startup),
        "startup_runs": [round(s, 3) for s in startup],
        "baseline_s": statistics.median(baseline),
        "startup_ratio": statistics.median(startup) / statistics.median(baseline),
        **interact,
    }


# --- the children --------------------------------------------------------------------------------


def child_baseline() -> int:
    """An empty Qt window's first paint: the floor for any start-up."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()

    class Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and obj is window:
                print("painted", time.time(), flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    watcher = Painted()
    window.installEventFilter(watcher)
    window.resize(1280, 820)
    window.show()
    return app.exec()


def child_startup(db_url: str) -> int:
    """``cmdesk gui`` itself, stopped at the first paint of the month grid with posts in it."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    done = False

    class Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            nonlocal done
            if done or event.type() != QEvent.Type.Paint or not isinstance(obj, QWidget):
                return False
            grid = obj.parent()
            if grid is not None and grid.objectName() == "monthGrid":
                model = grid.model()  # type: ignore[attr-defined]
                if model is not None and model.post_count() > 0:
                    done = True
                    print("painted", time.time(), flush=True)
                    QTimer.singleShot(0, app.quit)
            return False

    watcher = Painted()
    app.installEventFilter(watcher)
    from ui.app import run

    code = run(db_url)
    return 0 if done else (code or 1)


def child_interact(db_url: str, runs: int) -> int:
    """Month switches, drops and memory, in one window."""
    from PySide6.QtWidgets import QApplication

    from cmdesk.bootstrap import build_context
    from cmdesk.credentials import MemoryCredentialStore
    from ui.app import application
    from ui.main_window import MainWindow
    from ui.models.mime import encode_posts
    from ui.views.calendar_page import CalendarPage

    app = application(["bench"])
    ctx = build_context(db_url, credentials=MemoryCredentialStore())
    window = MainWindow(ctx)
    window.resize(1360, 860)
    window.show()
    QApplication.processEvents()
    page = window.page("calendar")
    assert isinstance(page, CalendarPage)
    grid = page.month_grid
    switches = []
    painted = PaintCounter(grid.viewport())
    for i in range(runs):
        started = time.perf_counter()
        page.step(1 if i % 2 == 0 else -1)
        painted.wait_for_paint()
        switches.append((time.perf_counter() - started) * 1000)
    page.go_today()
    QApplication.processEvents()
    drops = time_drops(app, page, runs, encode_posts)
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    rss = {k: int(v.split()[0]) / 1024 for k, v in _fields(status, ("VmRSS", "VmHWM")).items()}
    print(
        json.dumps(
            {
                "month_posts": page.month_model.post_count(),
                "month_switch_ms": statistics.median(switches),
                "drop_ms": statistics.median(drops),
                "rss_mb": rss["VmRSS"],
                "peak_rss_mb": rss["VmHWM"],
            }
        )
    )
    window.close()
    ctx.close()
    return 0


def time_drops(app: object, page: object, runs: int, encode: object) -> list[float]:
    """Drop the month's later posts back and forth between two future days; ms per drop."""
    from PySide6.QtCore import Qt

    from cmdesk.status import PostStatus

    model = page.month_model  # type: ignore[attr-defined]
    grid = page.month_grid  # type: ignore[attr-defined]
    ws = page.workspace  # type: ignore[attr-defined]
    today = datetime.now(UTC).date()
    days = [today + timedelta(days=n) for n in (2, 3)]
    candidates = [
        p
        for d in (today + timedelta(days=n) for n in range(4, 9))
        for p in model.posts_on(d)
        if p.status in (PostStatus.DRAFT, PostStatus.APPROVED, PostStatus.SCHEDULED)
    ]
    if model.index_for_date(days[1]).isValid() is False or not candidates:
        raise SystemExit("no post to drop in the month shown (run near the end of a month?)")
    times = []
    painted = PaintCounter(grid.viewport())
    for i in range(runs):
        post = candidates[i % len(candidates)]
        day = days[i % 2]
        index = model.index_for_date(day)
        mime = encode(ws.id, [post.id])  # type: ignore[operator]
        painted.wait_for_paint()  # nothing left over from the previous drop
        started = time.perf_counter()
        ok = model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, index)
        painted.wait_for_paint()
        times.append((time.perf_counter() - started) * 1000)
        if not ok:
            raise SystemExit(f"drop refused: {page.drops.last_refusal}")  # type: ignore[attr-defined]
    return times


class PaintCounter:
    """Counts the paints of a widget, to time work up to the moment it is on screen.

    The view paints what changed when the event loop next runs; waiting for that paint (rather
    than forcing a full ``repaint()``) times what the person sees, including a view that only
    repaints the two days a drop changed.
    """

    def __init__(self, widget: object) -> None:
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class Filter(QObject):
            def eventFilter(self, obj: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    counter.paints += 1
                return False

        self.paints = 0
        self._filter = Filter()
        widget.installEventFilter(self._filter)  # type: ignore[attr-defined]

    def wait_for_paint(self, timeout: float = 2.0) -> None:
        from PySide6.QtWidgets import QApplication

        before = self.paints
        deadline = time.perf_counter() + timeout
        while self.paints == before and time.perf_counter() < deadline:
            QApplication.processEvents()
        # Change sets arrive through queued signals: let anything still queued run too.
        QApplication.processEvents()


def _fields(text: str, names: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in names:
            found[key] = value.strip()
    return found


# --- command line --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=("baseline", "startup", "interact"))
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    if args.child == "baseline":
        return child_baseline()
    if args.child == "startup":
        return child_startup(args.db)
    if args.child == "interact":
        return child_interact(args.db, args.runs)
    with tempfile.TemporaryDirectory(prefix="cmdesk-bench-gui-") as tmp:
        folder = Path(tmp)
        results = measure(args.runs, folder, make_plan(folder, args.posts), args.posts)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"platform {results['platform']}, {args.posts} posts, {results['month_posts']} in the month"
    )
    for key, target in TARGETS.items():
        value = float(results[key])  # type: ignore[arg-type]
        verdict = "met" if value <= target else "NOT met"
        print(f"{key:16} median {value:8.3f}   target <= {target:g}   {verdict}")
    print(f"start-up runs {results['startup_runs']}")
    print(
        f"empty-window baseline {results['baseline_s']:.3f} s; "
        f"start-up / baseline {results['startup_ratio']:.2f}"
    )
    print(f"peak rss {results['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
