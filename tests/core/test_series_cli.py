"""``cmdesk post repeat|evergreen|stop-repeating`` and ``cmdesk series list`` in a real process."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

from cmdesk.bootstrap import build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import post, workspace
from tests.core.test_cli import run


def _plan(tmp_path: Path) -> tuple[str, int, int]:
    url = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    # The subprocess runs on the real clock: the posts are in the coming year.
    now = datetime.now(UTC)
    ctx = build_context(url, clock=FakeClock(now), credentials=MemoryCredentialStore())
    try:
        wid = workspace(ctx)
        start = at_wall_time(date(now.year + 1, 3, 2), time(9), "Europe/Madrid")
        first = post(ctx, wid, title="Monday tip", at=start)
        second = post(ctx, wid, title="Guide", text="Read our guide")
    finally:
        ctx.close()
    return url, first, second


def test_repeat_evergreen_list_and_stop(tmp_path: Path) -> None:
    url, first, second = _plan(tmp_path)
    out = run(
        "post",
        "repeat",
        str(first),
        "--rrule",
        "FREQ=WEEKLY;BYDAY=MO",
        "--count",
        "5",
        "--db",
        url,
        data=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "Every Monday at 09:00, 5 times (5 posts planned so far)" in out.stdout
    out = run(
        "post",
        "evergreen",
        str(second),
        "--every",
        "30",
        "--variation",
        "Again",
        "--db",
        url,
        data=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    out = run("series", "list", "--json", "--db", url, data=tmp_path)
    found = json.loads(out.stdout)
    assert [s["kind"] for s in found] == ["recurring", "evergreen"]
    assert found[1]["variations"] == ["Read our guide", "Again"]
    out = run("post", "stop-repeating", str(first), "--db", url, data=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "4 later occurrences" in out.stdout


def test_a_bad_rule_is_one_clear_line(tmp_path: Path) -> None:
    url, first, _ = _plan(tmp_path)
    out = run(
        "post", "repeat", str(first), "--rrule", "FREQ=WEEKLY;BYDAY=XX", "--db", url, data=tmp_path
    )
    assert out.returncode != 0
    assert "The repeat rule is not valid: invalid 'BYDAY': XX" in out.stderr
    assert "Traceback" not in out.stderr
    out = run(
        "post",
        "repeat",
        str(first),
        "--rrule",
        "FREQ=DAILY",
        "--until",
        "someday",
        "--db",
        url,
        data=tmp_path,
    )
    assert "is not a date like 2026-12-31" in out.stderr


def test_series_rule_pause_and_resume(tmp_path: Path) -> None:
    url, first, _ = _plan(tmp_path)
    run(
        "post",
        "repeat",
        str(first),
        "--rrule",
        "FREQ=WEEKLY",
        "--count",
        "3",
        "--db",
        url,
        data=tmp_path,
    )
    out = run(
        "series",
        "rule",
        "1",
        "--rrule",
        "FREQ=WEEKLY;BYDAY=WE",
        "--count",
        "2",
        "--db",
        url,
        data=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "Every Wednesday at 09:00, 2 times; 1 posts added, 2 moved to the trash" in out.stdout
    out = run("series", "pause", "1", "--db", url, data=tmp_path)
    assert out.stdout.strip().endswith("(stopped).")
    out = run("series", "resume", "1", "--db", url, data=tmp_path)
    assert "(stopped)" not in out.stdout
