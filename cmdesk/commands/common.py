"""What the subcommands share: the context, workspace and channel lookup, secrets, output."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.dto import ChannelDTO, WorkspaceDTO
from cmdesk.errors import ValidationError
from cmdesk.timeutil import local_to_utc


@contextmanager
def context(args: argparse.Namespace) -> Iterator[AppContext]:
    ctx = build_context(args.db)
    try:
        yield ctx
    finally:
        ctx.close()


def workspace(ctx: AppContext, name: str | None) -> WorkspaceDTO:
    """The workspace called ``name``, or the only one when no name is given."""
    if name:
        found = ctx.workspaces.find(name)
        if found is None:
            known = ", ".join(w.name for w in ctx.workspaces.list()) or "none yet"
            raise ValidationError(f"There is no workspace called {name!r} (workspaces: {known}).")
        return found
    all_ = ctx.workspaces.list()
    if len(all_) == 1:
        return all_[0]
    if not all_:
        raise ValidationError(
            "There is no workspace yet. Create one: cmdesk workspace add NAME --timezone ZONE"
        )
    names = ", ".join(w.name for w in all_)
    raise ValidationError(f"Say which workspace with --workspace (one of: {names}).")


def channel(ctx: AppContext, name: str, workspace_id: int | None) -> ChannelDTO:
    found = ctx.channels.find(name, workspace_id)
    if found is None:
        known = ", ".join(c.name for c in ctx.channels.list(workspace_id)) or "none yet"
        raise ValidationError(f"There is no channel called {name!r} (channels: {known}).")
    return found


def read_secret(prompt: str) -> str:
    """A secret from standard input (one line), or typed at a hidden prompt on a terminal."""
    if sys.stdin is None:
        raise ValidationError("No standard input to read the secret from.")
    typed = sys.stdin.isatty()
    secret = (getpass.getpass(prompt) if typed else sys.stdin.readline()).strip()
    if not secret:
        raise ValidationError("The secret read from standard input is empty.")
    return secret


def parse_when(text: str, tz: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is read in the workspace's zone."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{text!r} is not an ISO 8601 date and time, e.g. 2026-12-01T09:30 or "
            "2026-12-01T09:30+01:00."
        ) from None
    return local_to_utc(parsed, tz)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def emit_json(value: Any) -> None:
    print(json.dumps(_plain(value), indent=2, ensure_ascii=False))
