"""``cmdesk hashtags`` and ``cmdesk template``: add, list (and --json), remove, clear refusals."""

from __future__ import annotations

import json

import pytest

from cmdesk.bootstrap import build_context
from cmdesk.cli import main


def test_hashtag_and_template_commands(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = build_context(db_url)
    try:
        ctx.workspaces.create("Brand", "Europe/Madrid")
    finally:
        ctx.close()

    def run(*argv: str) -> str:
        capsys.readouterr()
        assert main(["--db", db_url, *argv]) == 0
        return capsys.readouterr().out

    def refused(*argv: str) -> str:
        capsys.readouterr()
        assert main(["--db", db_url, *argv]) != 0
        return capsys.readouterr().err

    assert "No hashtag groups yet" in run("hashtags", "list")
    out = run("hashtags", "add", "Bakery", "bakery,", "#Sourdough", "#bakery", "pan")
    assert "Hashtag group 'Bakery' saved: #bakery #Sourdough #pan" in out
    assert "'#half-price' is not a hashtag" in refused("hashtags", "add", "Sale", "#half-price")
    assert "already a hashtag group" in refused("hashtags", "add", "bakery", "#x")
    assert run("hashtags", "list") == "Bakery: #bakery #Sourdough #pan\n"
    listed = json.loads(run("--json", "hashtags", "list"))
    assert [(g["name"], g["hashtags"]) for g in listed] == [
        ("Bakery", ["#bakery", "#Sourdough", "#pan"])
    ]
    assert "Hashtag group 'Bakery' removed." in run("hashtags", "remove", "BAKERY")
    assert "no hashtag group called 'Bakery'" in refused("hashtags", "remove", "Bakery")

    out = run("template", "add", "CTA", "--text", "Book now: {link} ({price})")
    assert "Template 'CTA' saved." in out and "inserted as typed): {price}" in out
    assert (
        run("template", "list") == "CTA: Book now: {link} ({price})  (inserted as typed: {price})\n"
    )
    snippets = json.loads(run("--json", "template", "list"))
    assert snippets[0]["text"] == "Book now: {link} ({price})"
    assert snippets[0]["unknown_placeholders"] == ["{price}"]
    assert "Write the template's text." in refused("template", "add", "Empty", "--text", " ")
    assert "Template 'CTA' removed." in run("template", "remove", "cta")
    assert "No templates yet" in run("template", "list")
