"""CSV import and export of posts, and iCalendar export (``ctx.exchange``).

An import is checked whole first (:meth:`ExchangeService.check_csv` gives the preview and every
problem with its line and column) and written in one transaction (:meth:`import_csv`), which
checks the file again at that moment and refuses it if anything is wrong, so nothing is ever
half imported. Exports write atomically. The formats live in :mod:`cmdesk.exchange`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import ChannelDTO, PostFilter
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.exchange import csv_export, ics
from cmdesk.exchange.csv_format import MAX_FILE_BYTES, ImportProblem, decode, read_table
from cmdesk.exchange.csv_import import Fingerprint, ImportPlan, Lookup, check_table
from cmdesk.exchange.csv_write import write_plan
from cmdesk.exchange.files import write_atomic
from cmdesk.models import Campaign, Tag
from cmdesk.services.base import Service
from cmdesk.services.composer import ComposerService
from cmdesk.services.media import MediaService
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time

Source = Path | str | bytes


class ExchangeService(Service):
    """CSV import/export and iCalendar export of a workspace's posts."""

    def __init__(
        self, db: Database, clock: Clock, hub: EventHub, registry: AdapterRegistry, media_root: Path
    ) -> None:
        super().__init__(db, clock, hub)
        self.media_root = media_root
        self._composer = ComposerService(
            db, clock, hub, registry, MediaService(db, clock, hub, media_root)
        )

    # --- import ------------------------------------------------------------------------------

    def check_csv(
        self, workspace_id: int, source: Source, *, create_missing: bool = False
    ) -> ImportPlan:
        """Read and check a whole file (a ``Path``), its bytes, or CSV text; writes nothing.

        Relative media paths are read from the file's folder (for text or bytes: the current
        folder). Problems are in the plan; only a missing workspace raises.
        """
        problems: list[ImportProblem] = []
        text, base = self._load(source, problems)
        table = read_table(text, problems) if text is not None else None
        with self._read() as s:
            look = self._lookup(s, workspace_id, base, create_missing)
        if table is None:
            return ImportPlan(workspace_id, (), tuple(problems), text or "", str(base or ""))
        plan = check_table(table, look, problems)
        return replace(plan, text=text or "")

    def import_csv(
        self, workspace_id: int, source: ImportPlan | Source, *, create_missing: bool = False
    ) -> ChangeSet:
        """Create every post of a file in one transaction, or nothing (``ValidationError``).

        Given a plan from :meth:`check_csv`, its file is checked again now: the plan may have
        changed meanwhile (a channel removed, a time passed).
        """
        if isinstance(source, ImportPlan):
            if source.workspace_id != workspace_id:
                raise ValueError("the import plan was checked for another workspace")
            base = Path(source.base_dir) if source.base_dir else None
            plan = self._recheck(workspace_id, source.text, base, source.create_missing)
        else:
            plan = self.check_csv(workspace_id, source, create_missing=create_missing)
        if not plan.ok:
            raise ValidationError(refusal(plan.problems))
        if not plan.to_create:
            return ChangeSet()
        with self._write() as s:
            made = write_plan(s, plan, self.media_root, self.clock.now())
        posts = [pid for kind, pid in made if kind == "post"]
        n = len(posts)
        return self._emit(
            ChangeSet.of(
                created=made,
                description=f"import of {n} post{'s' if n != 1 else ''}",
                subject=posts[0],
            )
        )

    def _recheck(
        self, workspace_id: int, text: str, base: Path | None, create_missing: bool
    ) -> ImportPlan:
        problems: list[ImportProblem] = []
        table = read_table(text, problems) if text else None
        with self._read() as s:
            look = self._lookup(s, workspace_id, base, create_missing)
        if table is None:
            return ImportPlan(workspace_id, (), tuple(problems) or (_EMPTY,))
        return check_table(table, look, problems)

    def _load(
        self, source: Source, problems: list[ImportProblem]
    ) -> tuple[str | None, Path | None]:
        if isinstance(source, str):
            return source, None
        if isinstance(source, bytes):
            return decode(source, problems), None
        path = source.expanduser()
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(
                    ImportProblem(
                        0,
                        0,
                        "",
                        f"{path.name} is {size / 1_048_576:.0f} MB; cmdesk imports CSV files up "
                        f"to {MAX_FILE_BYTES // 1_048_576} MB. Split it into smaller files.",
                    )
                )
                return None, path.parent
            data = path.read_bytes()
        except OSError as exc:
            problems.append(ImportProblem(0, 0, "", f"Cannot read {path}: {exc.strerror or exc}."))
            return None, None
        return decode(data, problems), path.parent.resolve()

    def _lookup(
        self, s: Session, workspace_id: int, base: Path | None, create_missing: bool
    ) -> Lookup:
        ws = repo.get_workspace(s, workspace_id)
        labels: dict[str, dict[str, int]] = {"tag": {}, "pillar": {}}
        names: dict[str, str] = {}
        for tid, kind, name in s.execute(
            select(Tag.id, Tag.kind, Tag.name).where(Tag.workspace_id == workspace_id)
        ):
            labels.setdefault(kind, {})[name.casefold()] = tid
            names[name.casefold()] = name
        campaigns: dict[str, int] = {}
        for cid, name in s.execute(
            select(Campaign.id, Campaign.name).where(Campaign.workspace_id == workspace_id)
        ):
            campaigns[name.casefold()] = cid
            names[name.casefold()] = name
        return Lookup(
            workspace_id=workspace_id,
            timezone=ws.timezone,
            default_time=ws.default_post_time or "09:00",
            now=self.clock.now(),
            channels=tuple(repo.list_channels(s, workspace_id, include_removed=False)),
            campaigns=campaigns,
            pillars=labels["pillar"],
            tags=labels["tag"],
            measure=self._measure,
            existing=lambda ids: self._fingerprints(workspace_id, ids),
            base_dir=base,
            create_missing=create_missing,
            names=names,
        )

    def _measure(self, channel: ChannelDTO, text: str) -> tuple[int, int, str]:
        check = self._composer.check(channel, [text])
        return check.count, check.limit, check.unit

    def _fingerprints(self, workspace_id: int, ids: Sequence[int]) -> dict[int, Fingerprint]:
        with self._read() as s:
            mine = repo.post_summaries(s, workspace_id, PostFilter(), ids=list(ids))
            records = csv_export.load_records(
                s, workspace_id, [p.id for p in mine], self.media_root
            )
        return {r.id: csv_export.fingerprint_of(r) for r in records}

    # --- export ------------------------------------------------------------------------------

    def records(
        self,
        workspace_id: int,
        start: date | None = None,
        end: date | None = None,
        filter: PostFilter | None = None,
        *,
        statuses: frozenset[PostStatus] = frozenset(),
    ) -> list[csv_export.PostRecord]:
        """The posts an export writes: all (or those timed in ``[start, end]``, local days)."""
        if start is not None and end is not None and end < start:
            raise ValidationError("The end date is before the start date.")
        base = filter or PostFilter()
        with self._read() as s:
            tz = repo.get_workspace(s, workspace_id).timezone
            f = replace(
                base,
                start=at_wall_time(start, time(0), tz) if start else base.start,
                end=at_wall_time(end + timedelta(days=1), time(0), tz) if end else base.end,
                scheduled=True if (start or end) else base.scheduled,
            )
            if statuses:
                f = replace(f, statuses=(f.statuses & statuses) if f.statuses else statuses)
                if not f.statuses:
                    return []
            ids = [p.id for p in repo.post_summaries(s, workspace_id, f)]
            return csv_export.load_records(s, workspace_id, ids, self.media_root)

    def render_csv(
        self,
        workspace_id: int,
        start: date | None = None,
        end: date | None = None,
        filter: PostFilter | None = None,
    ) -> tuple[str, int]:
        """The CSV text of the selected posts and how many rows it has."""
        found = self.records(workspace_id, start, end, filter)
        return csv_export.render_csv(found, self._timezone(workspace_id)), len(found)

    def export_csv(
        self,
        workspace_id: int,
        path: Path | str,
        start: date | None = None,
        end: date | None = None,
        filter: PostFilter | None = None,
    ) -> int:
        """Write the selected posts as CSV (UTF-8, atomically); returns the number of rows."""
        text, count = self.render_csv(workspace_id, start, end, filter)
        write_atomic(path, text.encode("utf-8"))
        return count

    def render_ics(
        self,
        workspace_id: int,
        start: date | None = None,
        end: date | None = None,
        filter: PostFilter | None = None,
    ) -> tuple[bytes, int]:
        """The iCalendar bytes of the selected scheduled and published posts, and their count."""
        found = self.records(
            workspace_id,
            start,
            end,
            replace(filter or PostFilter(), scheduled=True),
            statuses=frozenset({PostStatus.SCHEDULED, PostStatus.PUBLISHED}),
        )
        with self._read() as s:
            ws = repo.get_workspace(s, workspace_id)
            name, tz = ws.name, ws.timezone
        return ics.render_ics(found, name=name, tz=tz), len(found)

    def export_ics(
        self,
        workspace_id: int,
        path: Path | str,
        start: date | None = None,
        end: date | None = None,
        filter: PostFilter | None = None,
    ) -> int:
        """Write the selected posts as an ``.ics`` file (atomically); returns the event count."""
        data, count = self.render_ics(workspace_id, start, end, filter)
        write_atomic(path, data)
        return count

    def _timezone(self, workspace_id: int) -> str:
        with self._read() as s:
            return repo.get_workspace(s, workspace_id).timezone


_EMPTY = ImportProblem(1, 0, "", "The file is empty: it needs a header row and a row per post.")


def refusal(problems: Sequence[ImportProblem], shown: int = 10) -> str:
    """The message of a refused import: how many problems, and the first ones, one a line."""
    n = len(problems)
    head = f"The file has {n} problem{'s' if n != 1 else ''}; nothing was imported."
    lines = [str(p) for p in problems[:shown]]
    if n > shown:
        lines.append(f"…and {n - shown} more.")
    return "\n".join([head, *lines])
