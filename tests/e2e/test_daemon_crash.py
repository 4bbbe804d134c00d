"""The daemon killed with SIGKILL at random moments, twenty times: nothing lost, nothing twice.

A few hundred posts (some of them threads) are due on a Mastodon and a Bluesky channel, both
local fake servers in this process. ``cmdesk daemon`` runs as a real child process and is killed
with SIGKILL after a random moment, again and again, then left to finish. The servers are the
judges: every part of every post exists exactly once on each network, and no delivery is stuck.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from sqlalchemy import text

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import KeyringCredentialStore
from cmdesk.dto import PostInput
from cmdesk.status import PostStatus
from tests.fakes.bluesky_server import FakeBluesky
from tests.fakes.keyring_backend import FileKeyring
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon

ROOT = Path(__file__).resolve().parents[2]
POSTS = 400
THREAD_EVERY = 8  # every eighth post is a thread of three
KILLS = 20

pytestmark = pytest.mark.slow


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    keyring_file = tmp_path / "keyring.json"
    monkeypatch.setenv("CMDESK_TEST_KEYRING_FILE", str(keyring_file))
    keyring.set_keyring(FileKeyring())
    return {
        **os.environ,
        "CMDESK_DATA_DIR": str(tmp_path / "data"),
        "CMDESK_TEST_KEYRING_FILE": str(keyring_file),
        "PYTHON_KEYRING_BACKEND": "tests.fakes.keyring_backend.FileKeyring",
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def servers() -> Iterator[tuple[FakeMastodon, FakeBluesky]]:
    with FakeMastodon() as masto, FakeBluesky() as sky:
        yield masto, sky


def _plan(ctx: AppContext, masto: FakeMastodon, sky: FakeBluesky) -> dict[str, list[str]]:
    """The due posts; returns every text part that must exist once on each network."""
    wid = ctx.workspaces.create("Crash test", "UTC").subject
    assert wid is not None
    m = ctx.connections.connect(
        wid, "mastodon", "Masto", base_url=masto.url, credentials={"access_token": DEFAULT_TOKEN}
    ).subject
    b = ctx.connections.connect(
        wid,
        "bluesky",
        "Sky",
        base_url=sky.entryway_url,
        handle=sky.handle,
        credentials={"identifier": sky.handle, "app_password": sky.password},
    ).subject
    assert m is not None and b is not None
    due = datetime.now(UTC)
    parts_by_post: dict[str, list[str]] = {}
    for i in range(POSTS):
        body = f"Crash-test post {i:03d}"
        pid = ctx.plan.create_post(
            wid, PostInput(text=body, channel_ids=(m, b)), scheduled_at=due
        ).subject
        assert pid is not None
        parts = [body]
        if i % THREAD_EVERY == 0:
            parts = [f"{body} part {k}/3" for k in (1, 2, 3)]
            for cid in (m, b):
                ctx.plan.set_variant(pid, cid, text=None, thread_parts=parts)
        ctx.plan.schedule_post(pid)
        parts_by_post[body] = parts
    return parts_by_post


def _daemon(env: dict[str, str], db_url: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cmdesk", "--db", db_url, "daemon", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _wait_started(log: Path, before: int, proc: subprocess.Popen[bytes]) -> None:
    """Until the daemon's log says it started (the count of such lines passes ``before``)."""
    deadline = time.monotonic() + 60
    while not log.exists() or log.read_text(errors="replace").count("daemon started") <= before:
        assert time.monotonic() < deadline and proc.poll() is None, "daemon did not start"
        time.sleep(0.02)


def _unfinished(ctx: AppContext) -> int:
    with ctx.db.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM target WHERE state NOT IN ('published', 'cancelled')")
            ).scalar_one()
        )


def test_sigkill_twenty_times_then_every_post_is_out_exactly_once(
    env: dict[str, str], servers: tuple[FakeMastodon, FakeBluesky], tmp_path: Path
) -> None:
    masto, sky = servers
    env["CMDESK_BLUESKY_PLC_URL"] = sky.plc_url
    os.environ["CMDESK_BLUESKY_PLC_URL"] = sky.plc_url
    db_url = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    # The plan is written with a clock a few minutes back, so "now" is still in its future.
    ctx = build_context(
        db_url,
        clock=FakeClock(datetime.now(UTC) - timedelta(minutes=3)),
        credentials=KeyringCredentialStore(),
    )
    try:
        expected = _plan(ctx, masto, sky)
        log = tmp_path / "daemon.log"
        rng = random.Random(20261123)
        kills_mid_work = 0
        for _ in range(KILLS):
            started = log.read_text(errors="replace").count("daemon started") if log.exists() else 0
            proc = _daemon(env, db_url, log)
            _wait_started(log, started, proc)
            # A random moment of its working life (start-up time, which varies, is not counted).
            time.sleep(rng.uniform(0.05, 0.8))
            if _unfinished(ctx):
                kills_mid_work += 1
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        started_before = log.read_text(errors="replace").count("daemon started")
        final = _daemon(env, db_url, log)
        _wait_started(log, started_before, final)
        deadline = time.monotonic() + 180
        while _unfinished(ctx) and time.monotonic() < deadline:
            time.sleep(0.5)
        final.send_signal(signal.SIGTERM)
        assert final.wait(60) == 0
        assert _unfinished(ctx) == 0, "deliveries left unfinished"
        statuses = {
            state: n
            for state, n in ctx.db.engine.connect().execute(
                text("SELECT state, count(*) FROM target GROUP BY state")
            )
        }
        assert statuses == {"published": 2 * POSTS}
        posts = [ctx.plan.get_post(p.id) for p in ctx.plan.list_posts(ctx.workspaces.list()[0].id)]
        assert {p.status for p in posts} == {PostStatus.PUBLISHED}
    finally:
        ctx.close()

    wanted = Counter(part for parts in expected.values() for part in parts)
    on_mastodon = Counter(masto.source(s["id"])[0] for s in masto.statuses)
    on_bluesky = Counter(record["text"] for record in sky.posts.values())
    assert on_mastodon == wanted, "Mastodon: missing or duplicated parts"
    assert on_bluesky == wanted, "Bluesky: missing or duplicated parts"
    assert kills_mid_work >= 10, (
        f"only {kills_mid_work} of {KILLS} kills landed while work was under way"
    )
    assert "maximum number of running instances" not in log.read_text(errors="replace")
    # Threads are chains: each part answers the one before it.
    by_text = {masto.source(s["id"])[0]: s for s in masto.statuses}
    for parts in expected.values():
        for previous, part in itertools.pairwise(parts):
            assert by_text[part]["in_reply_to_id"] == by_text[previous]["id"]
    # Nothing secret was ever logged.
    logged = log.read_text(errors="replace")
    assert DEFAULT_TOKEN not in logged and sky.password not in logged
    assert "published" in logged
    json.dumps(statuses)  # the summary is plain data
