"""Channels: connected accounts. Secrets go to the credential store; the database keeps a reference."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select, update

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.credentials import CredentialStore, new_reference
from cmdesk.db import Database
from cmdesk.dto import ChannelDTO
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import Channel, Target
from cmdesk.services.base import Service
from cmdesk.status import TargetState

HEALTH = ("ok", "needs_reauth", "disabled")


class ChannelService(Service):
    """Add, list, rename, mark the health of and remove channels."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hub: EventHub,
        credentials: CredentialStore,
        networks: Callable[[], Iterable[str]],
    ) -> None:
        super().__init__(db, clock, hub)
        self.credentials = credentials
        self._networks = networks  # the adapter registry's networks, built-in and plug-ins

    def list(
        self, workspace_id: int | None = None, *, include_removed: bool = False
    ) -> list[ChannelDTO]:
        with self._read() as s:
            return repo.list_channels(s, workspace_id, include_removed=include_removed)

    def get(self, channel_id: int) -> ChannelDTO:
        with self._read() as s:
            return repo.channel_dto(repo.get_channel(s, channel_id))

    def credential_ref(self, channel_id: int) -> str | None:
        """The reference under which the channel's secret is stored (not the secret)."""
        with self._read() as s:
            return repo.get_channel(s, channel_id).credential_ref

    def find(self, name: str, workspace_id: int | None = None) -> ChannelDTO | None:
        """A live channel by name (in one workspace, or the only one of that name anywhere)."""
        with self._read() as s:
            q = select(Channel).where(Channel.name == name, Channel.removed_at.is_(None))
            if workspace_id is not None:
                q = q.where(Channel.workspace_id == workspace_id)
            found = list(s.scalars(q))
            if len(found) > 1:
                raise ValidationError(
                    f"Several workspaces have a channel called {name!r}: say which workspace."
                )
            return repo.channel_dto(found[0]) if found else None

    def add(
        self,
        workspace_id: int,
        network: str,
        name: str,
        *,
        handle: str = "",
        base_url: str = "",
        credentials: Mapping[str, Any] | None = None,
        is_demo: bool = False,
        color: str = "",
        limits: Mapping[str, Any] | None = None,
    ) -> ChangeSet:
        """Add a channel; its credentials (token, app password ...) go to the credential store only.

        ``credentials`` is the adapter's secret as a JSON-able mapping. It is stored first: if the
        keyring refuses it, no channel is created that could never publish. ``limits`` are what
        the adapter read from the server when the connection was checked.
        """
        name = name.strip()
        if not name:
            raise ValidationError("A channel needs a name.", field="name")
        known = sorted(self._networks())
        if network not in known:
            raise ValidationError(
                f"Unknown network {network!r}. Known: {', '.join(known)}.", field="network"
            )
        ref: str | None = None
        if credentials is not None:
            if not any(str(v).strip() for v in credentials.values()):
                raise ValidationError("The sign-in details are empty.", field="secret")
            ref = new_reference("channel")
            self.credentials.set_secret(ref, json.dumps(dict(credentials)))
        now = self.clock.now()
        try:
            with self._write() as s:
                repo.get_workspace(s, workspace_id)
                clash = s.scalars(
                    select(Channel.id).where(
                        Channel.workspace_id == workspace_id,
                        Channel.name == name,
                    )
                ).first()
                if clash:
                    raise ValidationError(
                        f"This workspace already has a channel called {name!r}.", field="name"
                    )
                c = Channel(
                    workspace_id=workspace_id,
                    network=network,
                    name=name,
                    handle=handle,
                    base_url=base_url.rstrip("/"),
                    credential_ref=ref,
                    limits=dict(limits or {}),
                    health="ok",
                    health_detail="",
                    color=color,
                    is_demo=is_demo,
                    created_at=now,
                    updated_at=now,
                )
                s.add(c)
                s.flush()
                cid = c.id
        except BaseException:
            if ref is not None:
                self.credentials.delete_secret(ref)
            raise
        return self._emit(ChangeSet.of(created=[("channel", cid)], subject=cid))

    def update_connection(
        self,
        channel_id: int,
        *,
        handle: str | None = None,
        limits: Mapping[str, Any] | None = None,
        credentials: Mapping[str, Any] | None = None,
    ) -> ChangeSet:
        """Record a successful check or reconnection: account, limits, new sign-in; health ok."""
        with self._write() as s:
            c = repo.get_channel(s, channel_id)
            if credentials is not None:
                if c.credential_ref is None:
                    c.credential_ref = new_reference("channel")
                self.credentials.set_secret(c.credential_ref, json.dumps(dict(credentials)))
            if handle is not None:
                c.handle = handle
            if limits is not None:
                c.limits = dict(limits)
            c.health = "ok"
            c.health_detail = ""
            c.updated_at = self.clock.now()
        return self._emit(ChangeSet.of(updated=[("channel", channel_id)], subject=channel_id))

    def set_health(self, channel_id: int, health: str, detail: str = "") -> ChangeSet:
        if health not in HEALTH:
            raise ValidationError(f"Health is one of {', '.join(HEALTH)}.")
        with self._write() as s:
            c = repo.get_channel(s, channel_id)
            c.health = health
            c.health_detail = detail
            c.updated_at = self.clock.now()
        return self._emit(ChangeSet.of(updated=[("channel", channel_id)], subject=channel_id))

    def rename(self, channel_id: int, name: str) -> ChangeSet:
        name = name.strip()
        if not name:
            raise ValidationError("A channel needs a name.", field="name")
        with self._write() as s:
            c = repo.get_channel(s, channel_id)
            clash = s.scalars(
                select(Channel.id).where(
                    Channel.workspace_id == c.workspace_id, Channel.name == name, Channel.id != c.id
                )
            ).first()
            if clash:
                raise ValidationError(f"This workspace already has a channel called {name!r}.")
            c.name = name
            c.updated_at = self.clock.now()
        return self._emit(ChangeSet.of(updated=[("channel", channel_id)], subject=channel_id))

    def remove(self, channel_id: int) -> ChangeSet:
        """Remove a channel: its queued deliveries are cancelled, its history kept, its secret deleted.

        The channel row stays (marked removed) so that published posts keep their links.
        """
        now = self.clock.now()
        with self._write() as s:
            c = repo.get_channel(s, channel_id)
            ref = c.credential_ref
            c.removed_at = now
            c.credential_ref = None
            c.updated_at = now
            cancelled = s.execute(
                update(Target)
                .where(
                    Target.channel_id == channel_id,
                    Target.state.in_([TargetState.PENDING.value, TargetState.QUEUED.value]),
                )
                .values(state=TargetState.CANCELLED.value, last_error="The channel was removed.")
                .returning(Target.id, Target.post_id)
            ).all()
        if ref:
            self.credentials.delete_secret(ref)
        return self._emit(
            ChangeSet.of(
                updated=[("channel", channel_id)]
                + [("target", t) for t, _ in cancelled]
                + [("post", p) for _, p in cancelled],
                subject=channel_id,
            )
        )
