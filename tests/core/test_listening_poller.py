"""The inbox poller's tick also reads saved searches, each backing off on its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cmdesk.adapters.base import NetworkUnavailable, RateLimited, TransientError
from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.inbox_poller import InboxPoller
from cmdesk.services.inbox import InboxService
from cmdesk.services.listening import ListeningService


class Scripted:
    """Stands in for the inbox and the listening service: each id answers from its script."""

    def __init__(self, scripts: dict[int, list[Any]]) -> None:
        self.scripts = scripts
        self.calls: list[int] = []

    def pollable_channels(self) -> list[int]:
        return []

    def syncable_searches(self) -> list[int]:
        return sorted(self.scripts)

    def sync_search(self, sid: int) -> int:
        self.calls.append(sid)
        step = self.scripts[sid].pop(0) if self.scripts[sid] else 0
        if isinstance(step, Exception):
            raise step
        return int(step)


def _poller(ctx: AppContext, fake: Scripted, clock: FakeClock) -> InboxPoller:
    inbox: InboxService = fake  # type: ignore[assignment]
    listening: ListeningService = fake  # type: ignore[assignment]
    poller = InboxPoller(inbox, ctx.settings, ctx.hub, clock=clock, listening=listening)
    poller._minutes = 5
    return poller


def test_a_failing_search_backs_off_while_others_are_read(
    ctx: AppContext, clock: FakeClock
) -> None:
    fake = Scripted({1: [TransientError("down")] * 3, 2: [4, 1, 0]})
    poller = _poller(ctx, fake, clock)
    assert poller.tick() == {}
    assert poller.waiting_until(("search", 1)) == clock.now() + timedelta(minutes=5)
    assert fake.calls == [1, 2]
    poller.tick()  # search 1 waits; 2 is read again
    assert fake.calls == [1, 2, 2]
    clock.advance(timedelta(minutes=5))
    poller.tick()
    assert poller.waiting_until(("search", 1)) == clock.now() + timedelta(minutes=10)


def test_a_rate_limit_is_waited_out_and_offline_stops_the_tick(
    ctx: AppContext, clock: FakeClock
) -> None:
    until = clock.now() + timedelta(minutes=15)
    fake = Scripted(
        {1: [RateLimited("slow down", retry_at=until), 2], 2: [NetworkUnavailable("x")]}
    )
    poller = _poller(ctx, fake, clock)
    assert poller.listen() == {1: 0}
    assert poller.waiting_until(("search", 1)) == until
    clock.set(until)
    assert poller.listen() == {1: 2, 2: 0}
    assert poller.waiting_until(("search", 1)) is None
