"""Fixtures for the whole suite: an isolated data folder, an in-memory keyring, a fake clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.events import ChangeSet
from tests.fakes.keyring_backend import MemoryKeyring

# Child processes started by tests get the same harmless back end and never a real keyring.
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.fakes.keyring_backend.MemoryKeyring"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data folder and a memory keyring; no env leaks in."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("CMDESK_DATA_DIR", str(data))
    monkeypatch.delenv("CMDESK_DATABASE_URL", raising=False)
    keyring.set_keyring(MemoryKeyring())
    MemoryKeyring.store.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'plan.sqlite3'}"


@pytest.fixture
def ctx(db_url: str, clock: FakeClock) -> Iterator[AppContext]:
    context = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    yield context
    context.close()


@pytest.fixture
def events(ctx: AppContext) -> list[ChangeSet]:
    """Every change set the services emit during the test."""
    seen: list[ChangeSet] = []
    ctx.hub.subscribe(seen.append)
    return seen
