"""``cmdesk listen add|list|sync|remove`` against the fake Mastodon server, in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cmdesk.bootstrap import build_context
from cmdesk.cli import main
from tests.fakes.mastodon_listening import FakeListeningMastodon
from tests.fakes.mastodon_server import DEFAULT_TOKEN


@pytest.fixture
def masto() -> Iterator[FakeListeningMastodon]:
    with FakeListeningMastodon() as fake:
        yield fake


def test_listen_commands(
    db_url: str, masto: FakeListeningMastodon, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = build_context(db_url)  # the keyring the command line reads too (a memory one)
    try:
        wid = ctx.workspaces.create("Brand", "UTC").subject
        assert wid is not None
        ctx.channels.add(
            wid,
            "mastodon",
            "Masto",
            handle=f"@alice@{masto.host}",
            base_url=masto.url,
            credentials={"access_token": DEFAULT_TOKEN},
        )
    finally:
        ctx.close()
    masto.post_public("bob", "fresh bread", tags=("bakery",))

    def run(*argv: str) -> str:
        capsys.readouterr()
        assert main(["--db", db_url, *argv]) == 0
        return capsys.readouterr().out

    assert "listening for #bakery on Masto" in run(
        "listen", "add", "--channel", "Masto", "--hashtag", "#bakery"
    )
    assert "“sourdough starter”" in run(
        "listen", "add", "--channel", "Masto", "--query", "sourdough starter"
    )
    synced = json.loads(run("--json", "listen", "sync"))
    assert synced == {"1": 1, "2": 0}
    listed = run("listen", "list")
    # The query found nothing on its first read: the list says search may not be available.
    assert "#bakery  on Masto  1 posts" in listed and "may not be available" in listed
    posts = json.loads(run("--json", "listen", "list", "--results"))
    assert [p["text"] for p in posts] == ["fresh bread #bakery"]
    assert "Saved search 2 removed." in run("listen", "remove", "2")
    assert main(["--db", db_url, "listen", "add", "--channel", "Nope", "--hashtag", "x"]) != 0
    assert "no channel called 'Nope'" in capsys.readouterr().err
