"""The headless command line, as a script or a server would use it, against local fake networks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from tests.fakes.bluesky_server import FakeBluesky
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon

ROOT = Path(__file__).resolve().parents[2]


class Cli:
    """Runs ``cmdesk`` commands on one database with a file keyring shared between them."""

    def __init__(self, tmp: Path, plc_url: str) -> None:
        self.db = f"sqlite:///{tmp / 'plan.sqlite3'}"
        self.data = tmp / "data"
        self.env = {
            **os.environ,
            "CMDESK_DATA_DIR": str(self.data),
            "CMDESK_TEST_KEYRING_FILE": str(tmp / "keyring.json"),
            "PYTHON_KEYRING_BACKEND": "tests.fakes.keyring_backend.FileKeyring",
            "CMDESK_BLUESKY_PLC_URL": plc_url,
            "PYTHONPATH": str(ROOT),
        }
        self.keyring_file = tmp / "keyring.json"

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cmdesk", "--db", self.db, *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def json(self, *args: str, stdin: str = "") -> object:
        out = self(*args, "--json", stdin=stdin)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def add_mastodon(self, server: FakeMastodon, name: str = "Masto") -> None:
        out = self(
            "channel",
            "add",
            "mastodon",
            "--name",
            name,
            "--base-url",
            server.url,
            "--token-stdin",
            stdin=DEFAULT_TOKEN,
        )
        assert out.returncode == 0, out.stderr

    def sql(self, query: str) -> list[tuple[object, ...]]:
        engine = create_engine(self.db)
        with engine.begin() as conn:
            result = conn.execute(text(query))
            rows = [tuple(r) for r in result] if result.returns_rows else []
        engine.dispose()
        return rows


@pytest.fixture
def servers() -> Iterator[tuple[FakeMastodon, FakeBluesky]]:
    with FakeMastodon() as masto, FakeBluesky() as sky:
        yield masto, sky


@pytest.fixture
def cli(tmp_path: Path, servers: tuple[FakeMastodon, FakeBluesky]) -> Cli:
    runner = Cli(tmp_path, servers[1].plc_url)
    assert runner("workspace", "add", "Harbor", "--timezone", "America/New_York").returncode == 0
    return runner


def test_channels_are_added_checked_listed_and_removed(
    cli: Cli, servers: tuple[FakeMastodon, FakeBluesky]
) -> None:
    masto, sky = servers
    added = cli(
        "channel",
        "add",
        "mastodon",
        "--name",
        "Masto",
        "--base-url",
        masto.url,
        "--token-stdin",
        stdin=DEFAULT_TOKEN + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert "Connected 'Masto'" in added.stdout and "alice" in added.stdout
    sky_added = cli(
        "channel",
        "add",
        "bluesky",
        "--name",
        "Sky",
        "--service",
        sky.entryway_url,
        "--handle",
        sky.handle,
        "--password-stdin",
        stdin=sky.password + "\n",
    )
    assert sky_added.returncode == 0, sky_added.stderr
    listed = cli.json("channel", "list")
    assert isinstance(listed, list)
    assert {c["name"]: c["network"] for c in listed} == {"Masto": "mastodon", "Sky": "bluesky"}
    assert all(c["has_credential"] and c["health"] == "ok" for c in listed)
    assert cli("channel", "check", "Masto").returncode == 0
    # The secrets are in the keyring file only: not in the database, not in any output.
    database = cli.db.removeprefix("sqlite:///")
    blob = b"".join(p.read_bytes() for p in Path(database).parent.glob("plan.sqlite3*"))
    assert DEFAULT_TOKEN.encode() not in blob and sky.password.encode() not in blob
    assert DEFAULT_TOKEN in cli.keyring_file.read_text()
    removed = cli("channel", "remove", "Masto")
    assert removed.returncode == 0
    assert DEFAULT_TOKEN not in cli.keyring_file.read_text()
    assert [c["name"] for c in cli.json("channel", "list")] == ["Sky"]  # type: ignore[union-attr]


def test_bad_sign_ins_are_refused_and_nothing_is_stored(
    cli: Cli, servers: tuple[FakeMastodon, FakeBluesky], tmp_path: Path
) -> None:
    masto, sky = servers
    wrong = cli(
        "channel",
        "add",
        "mastodon",
        "--name",
        "M",
        "--base-url",
        masto.url,
        "--token-stdin",
        stdin="not-a-token\n",
    )
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "Reconnect" in wrong.stderr or "sign" in wrong.stderr.lower()
    bad_password = cli(
        "channel",
        "add",
        "bluesky",
        "--name",
        "S",
        "--service",
        sky.entryway_url,
        "--handle",
        sky.handle,
        "--password-stdin",
        stdin="wrong-password\n",
    )
    assert bad_password.returncode == 1 and "password" in bad_password.stderr.lower()
    not_mastodon = cli(
        "channel",
        "add",
        "mastodon",
        "--name",
        "M",
        "--base-url",
        sky.url,
        "--token-stdin",
        stdin=DEFAULT_TOKEN + "\n",
    )
    assert not_mastodon.returncode == 1 and "Mastodon" in not_mastodon.stderr
    assert cli.json("channel", "list") == []
    assert not cli.keyring_file.exists() or json.loads(cli.keyring_file.read_text()) == {}


def test_post_add_daemon_publishes_and_post_list_shows_it(
    cli: Cli, servers: tuple[FakeMastodon, FakeBluesky], tmp_path: Path
) -> None:
    masto, sky = servers
    cli.add_mastodon(masto)
    cli(
        "channel",
        "add",
        "bluesky",
        "--name",
        "Sky",
        "--service",
        sky.entryway_url,
        "--handle",
        sky.handle,
        "--password-stdin",
        stdin=sky.password,
    )
    picture = tmp_path / "shelf.png"
    Image.new("RGB", (640, 480), (200, 120, 40)).save(picture)
    # This very minute: still allowed (the current minute is not "past"), so it is due at once.
    soon = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M%z")
    added = cli(
        "post",
        "add",
        "--channel",
        "Masto",
        "--channel",
        "Sky",
        "--at",
        soon,
        "--text",
        "New shelf of staff picks #books",
        "--media",
        str(picture),
        "--alt",
        "A wooden shelf",
    )
    assert added.returncode == 0, added.stderr
    # The daemon publishes it at its minute, then stops cleanly on SIGTERM.
    daemon = subprocess.Popen(
        [sys.executable, "-m", "cmdesk", "--db", cli.db, "daemon"],
        cwd=ROOT,
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 150
        while (
            time.monotonic() < deadline
            and cli.sql("SELECT count(*) FROM target WHERE state = 'published'")[0][0] < 2
        ):
            time.sleep(0.5)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, log = daemon.communicate(timeout=60)
    assert daemon.returncode == 0
    assert log.count(": published") == 2  # one line per attempt
    (post,) = cli.json("post", "list")  # type: ignore[misc]
    assert post["status"] == "published"
    assert {t["state"] for t in post["targets"]} == {"published"}
    assert all(t["remote_url"] for t in post["targets"])
    (status,) = masto.statuses
    assert status["media_attachments"][0]["description"] == "A wooden shelf"
    (record,) = sky.posts.values()
    assert record["embed"]["images"][0]["alt"] == "A wooden shelf"
    text_out = cli("post", "list")
    assert "published" in text_out.stdout and "Masto: published" in text_out.stdout


def test_a_post_the_network_would_refuse_keeps_its_place_as_a_draft(
    cli: Cli, servers: tuple[FakeMastodon, FakeBluesky]
) -> None:
    masto, _ = servers
    cli.add_mastodon(masto)
    too_long = "word " * 200
    out = cli("post", "add", "--channel", "Masto", "--at", "2030-01-01T09:00", "--text", too_long)
    assert out.returncode == 1
    assert "saved as a draft but not scheduled" in out.stderr and "Masto" in out.stderr
    (post,) = cli.json("post", "list")  # type: ignore[misc]
    assert post["status"] == "draft" and post["scheduled_at"].startswith("2030-01-01T14:00")


def test_bad_arguments_get_one_clear_line(
    cli: Cli, servers: tuple[FakeMastodon, FakeBluesky]
) -> None:
    masto, _ = servers
    cli.add_mastodon(masto)
    cases = [
        (
            ("post", "add", "--channel", "Nope", "--at", "2030-01-01T09:00", "--text", "x"),
            "no channel called 'Nope'",
        ),
        (
            ("post", "add", "--channel", "Masto", "--at", "tomorrow", "--text", "x"),
            "not an ISO 8601",
        ),
        (
            ("post", "add", "--channel", "Masto", "--at", "2020-01-01T09:00", "--text", "x"),
            "already passed",
        ),
        (
            (
                "post",
                "add",
                "--channel",
                "Masto",
                "--at",
                "2030-01-01T09:00",
                "--text",
                "x",
                "--media",
                "/nonexistent.png",
            ),
            "not a file",
        ),
        (("post", "confirm", "999", "--sent"), "does not exist"),
    ]
    for args, message in cases:
        out = cli(*args)
        assert out.returncode == 1, args
        assert message in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)


def test_confirm_settles_an_uncertain_delivery(
    cli: Cli, servers: tuple[FakeMastodon, FakeBluesky]
) -> None:
    masto, _ = servers
    cli.add_mastodon(masto)
    assert (
        cli(
            "post", "add", "--channel", "Masto", "--at", "2030-01-01T09:00", "--text", "Hello"
        ).returncode
        == 0
    )
    cli.sql("UPDATE target SET state = 'needs_confirmation', last_error = 'unclear'")
    nothing = cli("post", "confirm", "1", "--sent")
    assert nothing.returncode == 0, nothing.stderr
    (post,) = cli.json("post", "list")  # type: ignore[misc]
    assert post["targets"][0]["state"] == "published"
    again = cli("post", "confirm", "1", "--not-sent")
    assert again.returncode == 1 and "no delivery waiting" in again.stderr


def test_a_missed_post_is_decided_from_the_command_line(
    cli: Cli, servers: tuple[FakeMastodon, FakeBluesky]
) -> None:
    masto, _ = servers
    cli.add_mastodon(masto)
    for _ in range(3):
        assert (
            cli(
                "post", "add", "--channel", "Masto", "--at", "2030-01-01T09:00", "--text", "x"
            ).returncode
            == 0
        )
    cli.sql("UPDATE target SET state = 'missed'")
    cli.sql("UPDATE post SET status = 'missed'")
    assert cli("post", "archive", "1").returncode == 0
    moved = cli("post", "move", "2", "--at", "2031-05-01T10:00", "--schedule")
    assert moved.returncode == 0 and "2031-05-01 10:00 (America/New_York)" in moved.stdout
    now = cli.json("post", "now", "3")
    assert now["status"] == "scheduled" and now["targets"][0]["state"] == "queued"  # type: ignore[index]
    states = {p["id"]: p["status"] for p in cli.json("post", "list")}  # type: ignore[union-attr]
    assert states == {1: "archived", 2: "scheduled", 3: "scheduled"}
