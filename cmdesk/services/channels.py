"""Channels: connected accounts. Secrets go to the credential store; the database keeps a reference."""

from __future__ import annotations

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

#: Networks cmdesk knows how to name; adapters (a later layer) say which can publish.
KNOWN_NETWORKS = ("mastodon", "bluesky", "telegram", "discord", "wordpress", "demo")
HEALTH = ("ok", "needs_reauth", "disabled")


class ChannelService(Service):
    """Add, list, rename, mark the health of and remove channels."""

    def __init__(
        self, db: Database, clock: Clock, hub: EventHub, credentials: CredentialStore
    ) -> None:
        super().__init__(db, clock, hub)
        self.credentials = credentials

    def list(
        self, workspace_id: int | None = None, *, include_removed: bool = False
    ) -> list[ChannelDTO]:
        with self._read() as s:
            return repo.list_channels(s, workspace_id, include_removed=include_removed)

    def get(self, channel_id: int) -> ChannelDTO:
        with self._read() as s:
            return repo.channel_dto(repo.get_channel(s, channel_id))

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
        secret: str | None = None,
        is_demo: bool = False,
        color: str = "",
    ) -> ChangeSet:
        """Add a channel; the secret (token, app password) goes to the credential store only.

        The secret is stored first: if the keyring refuses it, no channel is created that could
        never publish.
        """
        name = name.strip()
        if not name:
            raise ValidationError("A channel needs a name.", field="name")
        if network not in KNOWN_NETWORKS:
            raise ValidationError(
                f"Unknown network {network!r}. Known: {', '.join(KNOWN_NETWORKS)}.", field="network"
            )
        ref: str | None = None
        if secret is not None:
            if not secret.strip():
                raise ValidationError("The secret is empty.", field="secret")
            ref = new_reference("channel")
            self.credentials.set_secret(ref, secret.strip())
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
                    limits={},
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
