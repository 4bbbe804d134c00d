"""``cmdesk inbox``: sync, list (with --json and --state), reply and done, against a fake server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.core.test_cli import ROOT, run
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon


def keyring_env(data: Path) -> dict[str, str]:
    """A keyring file the separate CLI processes share (the memory one dies with each process)."""
    return {
        "CMDESK_TEST_KEYRING_FILE": str(data / "keyring.json"),
        "PYTHON_KEYRING_BACKEND": "tests.fakes.keyring_backend.FileKeyring",
    }


def run_with_input(*args: str, data: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CMDESK_DATA_DIR": str(data), **keyring_env(data)}
    return subprocess.run(
        [sys.executable, "-m", "cmdesk", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_inbox_commands_end_to_end(tmp_path: Path) -> None:
    with FakeMastodon() as server:
        assert run("workspace", "add", "Brand", "--timezone", "UTC", data=tmp_path).returncode == 0
        added = run_with_input(
            "channel",
            "add",
            "mastodon",
            "--name",
            "Masto",
            "--base-url",
            server.url,
            "--token-stdin",
            data=tmp_path,
            stdin=DEFAULT_TOKEN + "\n",
        )
        assert added.returncode == 0, added.stderr
        server.mention("bob", "@alice when do you open?")
        server.mention("carol", "@alice <b>love</b> it")
        synced = run("inbox", "sync", data=tmp_path, env=keyring_env(tmp_path))
        assert synced.returncode == 0, synced.stderr
        assert synced.stdout.strip() == "Masto: 2 new"
        listed = json.loads(run("--json", "inbox", "list", data=tmp_path).stdout)
        assert [i["author_handle"] for i in listed] == [
            f"@carol@{server.host}",
            f"@bob@{server.host}",
        ]
        assert all(i["state"] == "new" for i in listed)
        bob = listed[1]["id"]
        replied = run(
            "inbox",
            "reply",
            str(bob),
            "--text",
            "At nine!",
            data=tmp_path,
            env=keyring_env(tmp_path),
        )
        assert replied.returncode == 0, replied.stderr
        assert f"Replied to @bob@{server.host}" in replied.stdout
        assert [s for s in server.statuses if s["in_reply_to_id"] == listed[1]["remote_id"]]
        done = run("inbox", "done", str(listed[0]["id"]), data=tmp_path)
        assert done.returncode == 0 and "Marked 1 inbox item done" in done.stdout
        new = run("inbox", "list", "--state", "new", data=tmp_path)
        assert new.stdout.strip() == "Nothing in the inbox with that state."
        text = run("inbox", "list", "--state", "replied", data=tmp_path).stdout
        assert "replied" in text and "when do you open?" in text
        again = run("inbox", "sync", data=tmp_path, env=keyring_env(tmp_path))
        assert again.stdout.strip() == "Masto: 0 new"


def test_inbox_errors_are_one_clear_line(tmp_path: Path) -> None:
    assert run("workspace", "add", "Brand", "--timezone", "UTC", data=tmp_path).returncode == 0
    missing = run("inbox", "done", "99", data=tmp_path)
    assert missing.returncode != 0 and "no longer exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    empty = run("inbox", "reply", "1", "--text", "hi", data=tmp_path)
    assert empty.returncode != 0 and "Traceback" not in empty.stderr
