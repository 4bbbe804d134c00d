"""Campaigns, content pillars and tags of a workspace: edit them, count them, label posts.

Each call is one transaction and emits one change set (kinds ``campaign`` and ``tag``; ``post``
too when posts lost or changed a label). Deleting a campaign or a label keeps the posts: they only
lose that label. Merging a tag into another moves its posts over and removes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.campaigns import queries, rules
from cmdesk.campaigns.dto import (
    CampaignBand,
    CampaignInput,
    CampaignStats,
    LabelChange,
    LabelStats,
    PostLabels,
)
from cmdesk.dto import CampaignDTO, TagDTO
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.models import Campaign, Post, PostTag, Tag
from cmdesk.services.base import Service


class CampaignService(Service):
    """Campaigns, pillars and tags (see the module docstring)."""

    # --- campaigns -------------------------------------------------------------------------

    def list_campaigns(self, workspace_id: int) -> list[CampaignStats]:
        """Every campaign of the workspace with its post counts, the newest start first."""
        with self._read() as s:
            repo.get_workspace(s, workspace_id)
            counts = queries.campaign_counts(s, workspace_id)
            campaigns = repo.list_campaigns(s, workspace_id)
        campaigns.sort(key=lambda c: (c.starts_on or date.max, c.name.lower()), reverse=True)
        return [CampaignStats(c, *counts.get(c.id, (0, 0, 0))) for c in campaigns]

    def get_campaign(self, campaign_id: int) -> CampaignDTO:
        with self._read() as s:
            return repo.campaign_dto(self._campaign(s, campaign_id))

    def create_campaign(self, workspace_id: int, data: CampaignInput) -> ChangeSet:
        """Add a campaign; the change set's ``subject`` is its id."""
        clean = rules.check_campaign(data)
        with self._write() as s:
            repo.get_workspace(s, workspace_id)
            rules.check_campaign_name_free(s, workspace_id, clean.name)
            row = Campaign(workspace_id=workspace_id)
            _fill_campaign(row, clean)
            s.add(row)
            s.flush()
            cid = row.id
        return self._emit(
            ChangeSet.of(created=[("campaign", cid)], subject=cid, description="new campaign")
        )

    def update_campaign(self, campaign_id: int, data: CampaignInput) -> ChangeSet:
        clean = rules.check_campaign(data)
        with self._write() as s:
            row = self._campaign(s, campaign_id)
            rules.check_campaign_name_free(s, row.workspace_id, clean.name, except_id=row.id)
            _fill_campaign(row, clean)
        return self._emit(
            ChangeSet.of(
                updated=[("campaign", campaign_id)], subject=campaign_id, description="campaign"
            )
        )

    def delete_campaign(self, campaign_id: int) -> ChangeSet:
        """Remove a campaign; its posts stay in the plan without a campaign."""
        with self._write() as s:
            row = self._campaign(s, campaign_id)
            posts = list(s.scalars(select(Post.id).where(Post.campaign_id == campaign_id)))
            s.execute(update(Post).where(Post.campaign_id == campaign_id).values(campaign_id=None))
            s.delete(row)
        return self._emit(
            ChangeSet.of(
                deleted=[("campaign", campaign_id)],
                updated=[("post", p) for p in posts],
                description="delete campaign",
            )
        )

    def bands(self, workspace_id: int, first: date, last: date) -> list[CampaignBand]:
        """The campaigns running on some day of ``[first, last]``, clipped to it, for the calendar."""
        if last < first:
            return []
        with self._read() as s:
            rows = queries.to_dtos(queries.campaigns_overlapping(s, workspace_id, first, last))
        return queries.bands(rows, first, last)

    # --- pillars and tags ------------------------------------------------------------------

    def list_labels(self, workspace_id: int) -> list[LabelStats]:
        """Pillars, then tags, each by name, with how many posts carry them."""
        with self._read() as s:
            repo.get_workspace(s, workspace_id)
            counts = queries.label_counts(s, workspace_id)
            tags = repo.list_tags(s, workspace_id)
        tags.sort(key=lambda t: (t.kind != "pillar", t.name.lower()))
        return [LabelStats(t, counts.get(t.id, 0)) for t in tags]

    def get_label(self, tag_id: int) -> TagDTO:
        with self._read() as s:
            return repo.tag_dto(self._tag(s, tag_id))

    def create_label(
        self, workspace_id: int, kind: str, name: str, color: str = "#7f8c8d"
    ) -> ChangeSet:
        """Add a pillar or a tag (``kind``); the change set's ``subject`` is its id."""
        kind, name, color = rules.check_kind(kind), rules.check_label_name(name), color
        color = rules.check_color(color)
        with self._write() as s:
            repo.get_workspace(s, workspace_id)
            rules.check_label_name_free(s, workspace_id, kind, name)
            row = Tag(workspace_id=workspace_id, kind=kind, name=name, color=color)
            s.add(row)
            s.flush()
            tid = row.id
        return self._emit(
            ChangeSet.of(created=[("tag", tid)], subject=tid, description="new label")
        )

    def update_label(
        self, tag_id: int, *, name: str | None = None, color: str | None = None
    ) -> ChangeSet:
        """Rename and/or recolour a pillar or tag."""
        new_name = rules.check_label_name(name) if name is not None else None
        new_color = rules.check_color(color) if color is not None else None
        with self._write() as s:
            row = self._tag(s, tag_id)
            if new_name is not None:
                rules.check_label_name_free(
                    s, row.workspace_id, row.kind, new_name, except_id=row.id
                )
                row.name = new_name
            if new_color is not None:
                row.color = new_color
        return self._emit(
            ChangeSet.of(updated=[("tag", tag_id)], subject=tag_id, description="label")
        )

    def delete_label(self, tag_id: int) -> ChangeSet:
        """Remove a pillar or tag; its posts stay, without it."""
        with self._write() as s:
            row = self._tag(s, tag_id)
            posts = _posts_with(s, tag_id)
            s.execute(delete(PostTag).where(PostTag.tag_id == tag_id))
            s.execute(update(Post).where(Post.pillar_id == tag_id).values(pillar_id=None))
            s.delete(row)
        return self._emit(
            ChangeSet.of(
                deleted=[("tag", tag_id)],
                updated=[("post", p) for p in posts],
                description="delete label",
            )
        )

    def merge_labels(self, source_id: int, into_id: int) -> ChangeSet:
        """Give the posts of ``source_id`` the label ``into_id`` instead, then remove the source.

        Both must be of the same workspace and kind (a pillar into a pillar, a tag into a tag).
        """
        if source_id == into_id:
            raise ValidationError("Pick two different labels to merge.")
        with self._write() as s:
            source, into = self._tag(s, source_id), self._tag(s, into_id)
            if source.workspace_id != into.workspace_id or source.kind != into.kind:
                raise ValidationError(
                    "Only two pillars or two tags of the same workspace can be merged."
                )
            posts = _posts_with(s, source_id)
            tagged = set(s.scalars(select(PostTag.post_id).where(PostTag.tag_id == into_id)))
            for pid in s.scalars(select(PostTag.post_id).where(PostTag.tag_id == source_id)):
                if pid not in tagged:
                    s.add(PostTag(post_id=pid, tag_id=into_id))
            s.execute(delete(PostTag).where(PostTag.tag_id == source_id))
            s.execute(update(Post).where(Post.pillar_id == source_id).values(pillar_id=into_id))
            s.delete(source)
        return self._emit(
            ChangeSet.of(
                deleted=[("tag", source_id)],
                updated=[("tag", into_id), *(("post", p) for p in posts)],
                subject=into_id,
                description="merge labels",
            )
        )

    # --- labelling posts -------------------------------------------------------------------

    def label_posts(
        self,
        post_ids: Sequence[int],
        *,
        campaign_id: int | None = None,
        pillar_id: int | None = None,
        add_tag_ids: Iterable[int] = (),
        remove_tag_ids: Iterable[int] = (),
        clear_campaign: bool = False,
        clear_pillar: bool = False,
    ) -> ChangeSet:
        """Set the campaign and/or pillar of several posts and add or remove tags, all or none.

        A None ``campaign_id`` / ``pillar_id`` leaves that label as it is unless ``clear_*``.
        """
        ids = sorted(set(post_ids))
        if not ids:
            return ChangeSet()
        add, remove = set(add_tag_ids), set(remove_tag_ids)
        now = self.clock.now()
        with self._write() as s:
            posts = [repo.get_post(s, pid) for pid in ids]
            wid = posts[0].workspace_id
            if any(p.workspace_id != wid for p in posts):
                raise ValidationError("These posts belong to different workspaces.")
            self._check_labels(s, wid, campaign_id, pillar_id, add | remove)
            for p in posts:
                _label_one(s, p, campaign_id, pillar_id, add, remove, clear_campaign, clear_pillar)
                p.revision += 1
                p.updated_at = now
        return self._emit(ChangeSet.of(updated=[("post", p) for p in ids], description="labels"))

    def labels_of(self, post_ids: Sequence[int]) -> dict[int, PostLabels]:
        """The labels of each post (a missing or trashed post raises ``NotFoundError``)."""
        with self._read() as s:
            return {pid: _labels(s, repo.get_post(s, pid)) for pid in dict.fromkeys(post_ids)}

    def apply_labels(self, changes: Sequence[LabelChange]) -> ChangeSet:
        """Give each post its ``after`` labels, all or none (the undoable relabelling).

        Refused (nothing written) when a post no longer has its ``before`` labels: it was
        changed elsewhere, so replaying this step would overwrite that change.
        """
        if not changes:
            return ChangeSet()
        now = self.clock.now()
        with self._write() as s:
            posts = [repo.get_post(s, c.post_id) for c in changes]
            for post, change in zip(posts, changes, strict=True):
                if _labels(s, post) != change.before:
                    raise ValidationError(
                        f"The labels of “{change.label}” were changed elsewhere meanwhile."
                    )
                a = change.after
                added = set(a.tag_ids) - set(change.before.tag_ids)
                self._check_labels(s, post.workspace_id, a.campaign_id, a.pillar_id, added)
                _label_one(s, post, a.campaign_id, a.pillar_id, set(a.tag_ids),
                           set(change.before.tag_ids) - set(a.tag_ids), True, True)  # fmt: skip
                post.revision += 1
                post.updated_at = now
        return self._emit(
            ChangeSet.of(updated=[("post", c.post_id) for c in changes], description="labels")
        )

    # --- internals -------------------------------------------------------------------------

    def _check_labels(
        self,
        s: Session,
        wid: int,
        campaign_id: int | None,
        pillar_id: int | None,
        tag_ids: set[int],
    ) -> None:
        if campaign_id is not None and self._campaign(s, campaign_id).workspace_id != wid:
            raise ValidationError("That campaign belongs to another workspace.")
        if pillar_id is not None:
            pillar = self._tag(s, pillar_id)
            if pillar.workspace_id != wid or pillar.kind != "pillar":
                raise ValidationError("That label is not a content pillar of this workspace.")
        for tid in tag_ids:
            tag = self._tag(s, tid)
            if tag.workspace_id != wid or tag.kind != "tag":
                raise ValidationError(f"“{tag.name}” is not a tag of this workspace.")

    @staticmethod
    def _campaign(s: Session, campaign_id: int) -> Campaign:
        row = s.get(Campaign, campaign_id)
        if row is None:
            raise NotFoundError(
                f"Campaign {campaign_id} does not exist (it may have been removed)."
            )
        return row

    @staticmethod
    def _tag(s: Session, tag_id: int) -> Tag:
        row = s.get(Tag, tag_id)
        if row is None:
            raise NotFoundError(f"Label {tag_id} does not exist (it may have been removed).")
        return row


def _fill_campaign(row: Campaign, data: CampaignInput) -> None:
    row.name = data.name
    row.color = data.color
    row.starts_on = data.starts_on
    row.ends_on = data.ends_on
    row.objective = data.objective
    row.notes = data.notes


def _labels(s: Session, post: Post) -> PostLabels:
    return PostLabels(post.campaign_id, post.pillar_id, tuple(repo.post_tag_ids(s, post.id)))


def _posts_with(s: Session, tag_id: int) -> set[int]:
    tagged = set(s.scalars(select(PostTag.post_id).where(PostTag.tag_id == tag_id)))
    return tagged | set(s.scalars(select(Post.id).where(Post.pillar_id == tag_id)))


def _label_one(
    s: Session,
    post: Post,
    campaign_id: int | None,
    pillar_id: int | None,
    add: set[int],
    remove: set[int],
    clear_campaign: bool,
    clear_pillar: bool,
) -> None:
    if campaign_id is not None or clear_campaign:
        post.campaign_id = campaign_id
    if pillar_id is not None or clear_pillar:
        post.pillar_id = pillar_id
    have = set(repo.post_tag_ids(s, post.id))
    for tid in sorted(add - have):
        s.add(PostTag(post_id=post.id, tag_id=tid))
    if remove & have:
        s.execute(
            delete(PostTag).where(PostTag.post_id == post.id, PostTag.tag_id.in_(sorted(remove)))
        )
