"""On a real PostgreSQL: the schema migrates, and a claim never passes an uncommitted arrival.

The window and ``cmdesk daemon`` poll at once. One inserts an item and keeps its transaction
open; the other inserts a later item (a larger id) and commits; then one of them claims. Without
``cmdesk/arrival_order.py`` the claim sees only the later item, moves the mark past it, and the
first item, committed afterwards, is never announced. With it, the later insert and the claim
wait for the open transaction, and every item is announced exactly once.

A throw-away cluster (``tests/pg_cluster.py``) serves the module; each test has its own
database. The open transaction lasts until the claim has returned or is seen waiting for the
lock in ``pg_stat_activity``, so the test neither sleeps nor depends on timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.orm import Session

from cmdesk import migrations
from cmdesk.adapters.base import InboxNotice
from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.inbox import ingest
from cmdesk.listening import alert_claims
from cmdesk.listening import store as listening_store
from cmdesk.listening.alert_claims import AlertWordClaims
from cmdesk.models import Base
from cmdesk.services import notification_claims
from cmdesk.services.notification_claims import InboxClaim, NotificationClaims
from tests.conftest import NOW
from tests.core.helpers import channel, workspace
from tests.pg_cluster import PgCluster, pg_bin_dir, running_cluster

pytestmark = pytest.mark.skipif(
    pg_bin_dir() is None,
    reason="PostgreSQL's server programs (initdb, pg_ctl, postgres) are not installed "
    "(Debian: apt-get install postgresql)",
)

C = TypeVar("C")
#: Longest any step of a race may take before the test gives up (a hang is a failure).
LIMIT_S = 15.0
WAITING = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
    " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    with running_cluster() as started:
        yield started


@pytest.fixture
def pg_url(cluster: PgCluster) -> str:
    return cluster.create_database()


def _context(url: str, clock: FakeClock) -> AppContext:
    return build_context(url, clock=clock, credentials=MemoryCredentialStore())


@pytest.fixture
def window(pg_url: str, clock: FakeClock) -> Iterator[AppContext]:
    context = _context(pg_url, clock)
    yield context
    context.close()


@pytest.fixture
def daemon(pg_url: str, clock: FakeClock, window: AppContext) -> Iterator[AppContext]:
    """A second process's context on the same database (made after the window migrated it)."""
    context = _context(pg_url, clock)
    yield context
    context.close()


@pytest.fixture
def monitor(cluster: PgCluster, pg_url: str) -> Iterator[Callable[[], int]]:
    """How many sessions of the test's database wait for an advisory lock right now."""
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        lock = threading.Lock()

        def waiting() -> int:
            with lock:
                row = conn.execute(WAITING, (name,)).fetchone()
            return int(row[0]) if row else 0

        yield waiting


@pytest.fixture
def without_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code as it was before ``hold_arrivals``: inserts and claims do not take turns."""
    for module in (ingest, listening_store, notification_claims, alert_claims):
        monkeypatch.setattr(module, "hold_arrivals", lambda _s: None)


def _notice(n: int, text: str = "Loved the reading") -> InboxNotice:
    return InboxNotice(
        remote_id=f"r{n}",
        kind="reply",
        url=f"https://x.social/@fan/{n}",
        author_handle="@fan@x.social",
        author_name="Fan",
        created_at=NOW,
        text=f"{text} #{n}",
    )


def _until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LIMIT_S
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.01)


@dataclass
class Race(Generic[C]):
    """What happened: the ids of the held and the later insert, the claim, whether it waited."""

    held: int
    later: int
    claim: C
    claim_waited: bool


def race(
    holder: AppContext,
    insert: Callable[[Session], int],
    later: Callable[[], int],
    claim: Callable[[], C],
    waiting: Callable[[], int],
) -> Race[C]:
    """Insert in a transaction held open while another insert commits, then claim meanwhile."""
    inserted, claimed = threading.Event(), threading.Event()
    out: dict[str, Any] = {"waited": False}
    errors: list[BaseException] = []

    def hold() -> None:
        with holder.db.session() as s:
            out["held"] = insert(s)
            inserted.set()
            # Commit once the claim is done, or is queued behind us with the later insert.
            while not claimed.is_set():
                if waiting() >= 2:
                    out["waited"] = True
                    break
                time.sleep(0.01)

    def run(name: str, step: Callable[[], object], then: threading.Event | None = None) -> None:
        try:
            out[name] = step()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            if then is not None:
                then.set()

    threads = [threading.Thread(target=run, args=("_", hold, inserted), daemon=True)]
    threads[0].start()
    _until(inserted.is_set, "the first insert")
    threads.append(threading.Thread(target=run, args=("later", later), daemon=True))
    threads[1].start()
    # The later insert has committed (no lock) or queues for the lock (with it): claim now.
    _until(lambda: not threads[1].is_alive() or waiting() >= 1, "the later insert")
    threads.append(threading.Thread(target=run, args=("claim", claim, claimed), daemon=True))
    threads[2].start()
    for t in threads:
        t.join(LIMIT_S)
        assert not t.is_alive(), "a transaction of the race hung"
    if errors:
        raise errors[0]
    return Race(out["held"], out["later"], out["claim"], out["waited"])


def _inbox_race(
    window: AppContext, daemon: AppContext, waiting: Callable[[], int]
) -> tuple[NotificationClaims, Race[InboxClaim]]:
    """The race on inbox items: the window holds item 1 open, the daemon stores 2 and claims."""
    cid = channel(window, workspace(window))
    claims = NotificationClaims(daemon.db, daemon.clock, daemon.hub)
    claims.start_listening()

    def insert(s: Session, n: int) -> int:
        ids, _bad = ingest.store(s, cid, [_notice(n)], NOW)
        return ids[0]

    def later() -> int:
        with daemon.db.session() as s:
            return insert(s, 2)

    result = race(window, lambda s: insert(s, 1), later, claims.claim_inbox, waiting)
    assert result.held < result.later  # the scenario: the larger id could commit first
    return claims, result


def test_migrations_reach_head_and_match_the_models_on_postgresql(window: AppContext) -> None:
    assert migrations.current_revision(window.db.engine) == migrations.head_revision()
    with window.db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == [], f"models and migrations differ on PostgreSQL: {diff}"
    wid = workspace(window, "Panadería")
    assert [w.name for w in window.workspaces.list()] == ["Panadería"]
    assert [c.name for c in window.channels.list(wid)] == []


def test_a_claim_waits_for_an_inbox_item_still_being_inserted(
    window: AppContext, daemon: AppContext, monitor: Callable[[], int]
) -> None:
    claims, result = _inbox_race(window, daemon, monitor)
    after = claims.claim_inbox()
    announced = [*result.claim.item_ids, *after.item_ids]
    assert sorted(announced) == [result.held, result.later], "an item was lost or told twice"
    assert result.claim_waited, "the claim did not wait for the insert in progress"
    assert result.held in result.claim.item_ids
    assert window.settings.get("inbox_notified_through") == result.later


def test_without_the_lock_the_same_race_loses_the_item(
    window: AppContext, daemon: AppContext, monitor: Callable[[], int], without_lock: None
) -> None:
    # The control: proves the race above really reproduces the bug the lock prevents.
    claims, result = _inbox_race(window, daemon, monitor)
    assert not result.claim_waited
    assert result.claim.item_ids == (result.later,)
    assert claims.claim_inbox().item_ids == ()  # committed below the mark: never announced


def test_an_alert_word_claim_waits_for_a_listened_post_still_being_inserted(
    window: AppContext, daemon: AppContext, monitor: Callable[[], int]
) -> None:
    wid = workspace(window)
    search = window.listening.add(wid, channel(window, wid), "hashtag", "roscon")
    claims = AlertWordClaims(daemon.db, daemon.clock, daemon.hub)
    words = ["boycott"]
    claims.claim(words)  # the first claim only sets the marks

    def insert(s: Session, n: int) -> int:
        return listening_store.store(s, search, [_notice(n, "Time to boycott")], NOW)[0]

    def later() -> int:
        with daemon.db.session() as s:
            return insert(s, 2)

    result = race(window, lambda s: insert(s, 1), later, lambda: claims.claim(words), monitor)
    assert result.held < result.later
    found = [m.item_id for m in (*result.claim.matches, *claims.claim(words).matches)]
    assert sorted(found) == [result.held, result.later], "a post was lost or told twice"
    assert result.claim_waited
    assert all(m.source == "listening" and m.word == "boycott" for m in result.claim.matches)
