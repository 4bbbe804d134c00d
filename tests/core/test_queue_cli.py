"""``cmdesk queue add|slots|set`` in-process, against a database on disk."""

from __future__ import annotations

import json

import pytest

from cmdesk.bootstrap import build_context
from cmdesk.cli import main
from cmdesk.dto import PostInput
from cmdesk.status import PostStatus


def test_queue_commands(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = build_context(db_url)
    try:
        wid = ctx.workspaces.create("Brand", "Europe/Madrid").subject
        assert wid is not None
        cid = ctx.channels.add(wid, "mastodon", "@bakery", handle="@bakery@example.social").subject
        assert cid is not None
        pid = ctx.plan.create_post(wid, PostInput(text="Fresh bread", channel_ids=(cid,))).subject
        assert pid is not None
    finally:
        ctx.close()

    assert main(["--db", db_url, "queue", "slots", "@bakery"]) == 0
    assert "has no posting slots" in capsys.readouterr().out
    assert main(["--db", db_url, "queue", "add", str(pid)]) == 1
    assert "Give @bakery posting slots in Channels" in capsys.readouterr().err

    assert main(["--db", db_url, "queue", "set", "@bakery", "wed 13:30", "mon 9:00"]) == 0
    assert "2 posting slots a week" in capsys.readouterr().out
    assert main(["--db", db_url, "queue", "set", "@bakery", "mon 09:00", "mon 09:00"]) == 1
    assert "given twice" in capsys.readouterr().err
    assert main(["--db", db_url, "--json", "queue", "slots", "@bakery"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["weekday"], r["time"]) for r in rows] == [("mon", "09:00"), ("wed", "13:30")]

    assert main(["--db", db_url, "queue", "add", str(pid)]) == 0
    out = capsys.readouterr().out
    assert "@bakery:" in out and "(Europe/Madrid)" in out
    assert (" 09:00 " in out) or (" 13:30 " in out)
    ctx = build_context(db_url)
    try:
        assert ctx.plan.get_post(pid).status == PostStatus.SCHEDULED
    finally:
        ctx.close()
    assert main(["--db", db_url, "--json", "queue", "add", str(pid)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["timezone"] == "Europe/Madrid" and data["slots"][0]["channel"] == "@bakery"
