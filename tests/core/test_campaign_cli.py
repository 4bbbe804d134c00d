"""``cmdesk campaign ...`` and ``cmdesk tag ...`` in-process, against a temporary database."""

from __future__ import annotations

import json

import pytest

from cmdesk.bootstrap import build_context
from cmdesk.cli import main
from cmdesk.dto import PostInput


def test_campaign_and_tag_commands(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = build_context(db_url)
    try:
        wid = ctx.workspaces.create("Brand", "Europe/Madrid").subject
        assert wid is not None
        pid = ctx.plan.create_post(wid, PostInput(title="A post")).subject
    finally:
        ctx.close()

    def run(*argv: str) -> str:
        capsys.readouterr()
        assert main(["--db", db_url, *argv]) == 0, capsys.readouterr().err
        return capsys.readouterr().out

    def fails(*argv: str) -> str:
        capsys.readouterr()
        assert main(["--db", db_url, *argv]) != 0
        return capsys.readouterr().err

    assert "Campaign 1 added: Spring" in run(
        "campaign", "add", "Spring", "--start", "2026-03-01", "--end", "2026-03-31",
        "--color", "#AA0000", "--objective", "Sell",
    )  # fmt: skip
    assert "before it starts" in fails("campaign", "add", "Late", "--start", "2026-03-05",
                                       "--end", "2026-03-01")  # fmt: skip
    assert "not a date" in fails("campaign", "add", "Bad", "--start", "March")
    run("campaign", "edit", "spring", "--end", "", "--notes", "n")
    (listed,) = json.loads(run("--json", "campaign", "list"))
    assert (listed["name"], listed["ends_on"], listed["notes"]) == ("Spring", None, "n")
    assert "Product" in run("tag", "add", "Product", "--pillar", "--color", "#00aa00")
    run("tag", "add", "promo")
    run("tag", "add", "promotion")
    run("tag", "assign", str(pid), "--campaign", "Spring", "--pillar", "Product",
        "--add", "promo", "--add", "promotion")  # fmt: skip
    assert "merged into 'promo' (1 posts)" in run("tag", "merge", "promotion", "promo")
    labels = json.loads(run("--json", "tag", "list"))
    assert [(t["kind"], t["name"], t["posts"]) for t in labels] == [
        ("pillar", "Product", 1),
        ("tag", "promo", 1),
    ]
    assert "no pillar called 'promo'" in fails("tag", "assign", str(pid), "--pillar", "promo")
    run("tag", "assign", str(pid), "--campaign", "", "--remove", "promo")
    assert "0/0 published" in run("campaign", "list")
    assert "removed; its posts stay" in run("campaign", "remove", "Spring")
    assert "No campaigns yet" in run("campaign", "list")
