"""Workspaces (brands or clients): create, rename, change time zone, list, delete."""

from __future__ import annotations

import re

from sqlalchemy import select

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.credentials import CredentialStore
from cmdesk.db import Database
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import Workspace
from cmdesk.services.base import Service
from cmdesk.timeutil import validate_zone

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("A workspace needs a name.", field="name")
    if len(name) > 120:
        raise ValidationError("A workspace name has at most 120 characters.", field="name")
    return name


def check_hhmm(value: str, field: str) -> str:
    if not _HHMM.match(value):
        raise ValidationError(
            f"{value!r} is not a time of day: use HH:MM, e.g. 09:30.", field=field
        )
    return value


def check_color(value: str) -> str:
    if not _COLOR.match(value):
        raise ValidationError(f"{value!r} is not a colour: use #RRGGBB.", field="color")
    return value


class WorkspaceService(Service):
    """Brands and clients, each with its own time zone."""

    def __init__(
        self, db: Database, clock: Clock, hub: EventHub, credentials: CredentialStore | None = None
    ) -> None:
        super().__init__(db, clock, hub)
        self.credentials = credentials

    def list(self) -> list[WorkspaceDTO]:
        with self._read() as s:
            return repo.list_workspaces(s)

    def get(self, workspace_id: int) -> WorkspaceDTO:
        with self._read() as s:
            return repo.workspace_dto(repo.get_workspace(s, workspace_id))

    def find(self, name: str) -> WorkspaceDTO | None:
        with self._read() as s:
            w = s.scalars(select(Workspace).where(Workspace.name == name)).first()
            return repo.workspace_dto(w) if w else None

    def create(
        self,
        name: str,
        timezone: str,
        *,
        color: str = "#3367d6",
        description: str = "",
        objectives: str = "",
        default_post_time: str = "09:00",
        week_start: int = 0,
        is_demo: bool = False,
    ) -> ChangeSet:
        name = _check_name(name)
        validate_zone(timezone)
        check_hhmm(default_post_time, "default_post_time")
        check_color(color)
        if week_start not in range(7):
            raise ValidationError("The week starts on a weekday from 0 (Monday) to 6 (Sunday).")
        now = self.clock.now()
        with self._write() as s:
            if s.scalars(select(Workspace.id).where(Workspace.name == name)).first():
                raise ValidationError(
                    f"There is already a workspace called {name!r}.", field="name"
                )
            w = Workspace(
                name=name,
                timezone=timezone,
                color=color,
                description=description,
                objectives=objectives,
                kpi_targets={},
                default_post_time=default_post_time,
                week_start=week_start,
                is_demo=is_demo,
                created_at=now,
                updated_at=now,
            )
            s.add(w)
            s.flush()
            wid = w.id
        return self._emit(ChangeSet.of(created=[("workspace", wid)], subject=wid))

    def update(
        self,
        workspace_id: int,
        *,
        name: str | None = None,
        timezone: str | None = None,
        color: str | None = None,
        objectives: str | None = None,
        default_post_time: str | None = None,
        week_start: int | None = None,
    ) -> ChangeSet:
        """Change a workspace's settings.

        A new time zone keeps every post's instant: a post planned for 09:00 in Madrid still goes
        out at that moment, shown in the new zone's time.
        """
        with self._write() as s:
            w = repo.get_workspace(s, workspace_id)
            if name is not None:
                new_name = _check_name(name)
                clash = s.scalars(
                    select(Workspace.id).where(Workspace.name == new_name, Workspace.id != w.id)
                ).first()
                if clash:
                    raise ValidationError(
                        f"There is already a workspace called {new_name!r}.", field="name"
                    )
                w.name = new_name
            if timezone is not None:
                w.timezone = validate_zone(timezone)
            if color is not None:
                w.color = check_color(color)
            if objectives is not None:
                w.objectives = objectives
            if default_post_time is not None:
                w.default_post_time = check_hhmm(default_post_time, "default_post_time")
            if week_start is not None:
                if week_start not in range(7):
                    raise ValidationError("The week starts on a weekday from 0 to 6.")
                w.week_start = week_start
            w.updated_at = self.clock.now()
        return self._emit(ChangeSet.of(updated=[("workspace", workspace_id)], subject=workspace_id))

    def delete(self, workspace_id: int) -> ChangeSet:
        """Delete a workspace with its whole plan (the caller confirms with the person first).

        The secrets of its channels are removed from the credential store after the commit.
        """
        with self._write() as s:
            w = repo.get_workspace(s, workspace_id)
            refs = [c.credential_ref for c in w.channels if c.credential_ref]
            s.delete(w)
        if self.credentials is not None:
            for ref in refs:
                self.credentials.delete_secret(ref)
        return self._emit(ChangeSet.of(deleted=[("workspace", workspace_id)], subject=workspace_id))
