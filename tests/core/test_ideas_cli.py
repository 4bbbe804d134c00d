"""``cmdesk idea ...`` and ``cmdesk feed ...`` in-process, feeds served on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cmdesk.bootstrap import build_context
from cmdesk.cli import main
from tests.core.test_feeds import RSS2
from tests.fakes.feed_server import Answer, FeedServer, running


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running() as srv:
        yield srv


def test_idea_and_feed_commands(
    db_url: str, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = build_context(db_url)
    try:
        ctx.workspaces.create("Brand", "Europe/Madrid")
    finally:
        ctx.close()
    server.put("/rss", Answer(RSS2))
    server.put("/gone", Answer(b"gone", "text/plain", 410))

    def run(*argv: str, code: int = 0) -> str:
        capsys.readouterr()
        assert main(["--db", db_url, *argv]) == code
        return capsys.readouterr().out

    assert "1: Rye week" in run("idea", "add", "Rye week", "--link", "https://example.com/rye")
    assert main(["--db", db_url, "idea", "add", "Bad", "--link", "javascript:x"]) != 0
    assert "2 new ideas" in run("feed", "add", server.url("/rss"))
    listed = json.loads(run("idea", "list", "--json"))
    assert [i["title"] for i in listed] == ["Rye week", "Croissant day", "Sourdough & rye"]
    assert "Bakery news" in run("idea", "list", "--feed", "1")
    out = run("idea", "draft", "1", "--at", "2099-03-29T09:00")
    assert "Draft post 1 made from idea 1" in out
    assert "used" in run("idea", "list", "--state", "used")
    assert "Idea 2 discarded" in run("idea", "discard", "2")
    assert "nothing new" not in run("feed", "refresh", "1")  # no validators: read again, 0 new
    feeds = json.loads(run("feed", "list", "--json"))
    assert feeds[0]["title"] == "Bakery news" and feeds[0]["new_count"] == 1
    assert "gone for good" in run("feed", "add", server.url("/gone"), code=1)
    assert "(paused)" in run("feed", "list")
    assert "Feed 2: removed" in run("feed", "remove", "2")
    check = build_context(db_url)
    try:
        post = check.plan.get_post(1)
        assert post.title == "Rye week" and post.scheduled_at is not None
    finally:
        check.close()
