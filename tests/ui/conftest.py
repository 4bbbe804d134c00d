"""Fixtures for the UI tests: Qt offscreen, a fake clock and plans in a temporary database."""

from __future__ import annotations

import os

# Before anything imports Qt: without a display Qt would abort the whole test process.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore

#: Friday 20 March 2026: after the US moved to summer time (8 March) and before Europe does
#: (29 March), so the month shown in both demo zones contains a daylight-saving change.
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def make_ctx(tmp_path: Path, fake_clock: FakeClock) -> Iterator[Callable[[], AppContext]]:
    """Build contexts on one database under ``tmp_path``; all are closed after the test."""
    made: list[AppContext] = []

    def make() -> AppContext:
        ctx = build_context(
            f"sqlite:///{tmp_path}/t.sqlite3", clock=fake_clock, credentials=MemoryCredentialStore()
        )
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def empty_ctx(make_ctx: Callable[[], AppContext]) -> AppContext:
    return make_ctx()


@pytest.fixture
def demo_ctx(make_ctx: Callable[[], AppContext]) -> AppContext:
    ctx = make_ctx()
    ctx.demo.create_demo()
    return ctx
