"""Checking a CSV file of posts, whole, before anything is written.

:func:`check_table` turns the rows of a file into an :class:`ImportPlan`: the posts it would
create (a preview) and every problem found, each with its line and column. It reads the
workspace only through a :class:`Lookup` built by the service, so it never touches the database.

Rules (documented in the README's CSV section):

* ``status`` defaults to ``scheduled`` when the row has a date, else ``draft``; imported posts
  may be ideas, drafts, in review, approved or scheduled; history (published, failed, missed,
  archived) is not imported;
* a date without a time takes the workspace's default posting time; a time without a date is
  refused; a time that does not exist on that day (the spring-forward gap) is refused, one that
  happens twice (the autumn fold) is the first of the two, as everywhere in cmdesk;
* a row whose ``id`` names a post of this workspace is skipped when it matches that post (so
  importing an export again changes nothing) and refused when it differs: CSV adds posts, it does
  not edit them;
* unknown campaigns, pillars and tags are refused unless ``create_missing`` is asked for.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from cmdesk.dto import ChannelDTO
from cmdesk.errors import ValidationError
from cmdesk.exchange.csv_format import (
    MAX_PROBLEMS,
    ImportProblem,
    RawRow,
    RawTable,
    split_list,
)
from cmdesk.exchange.csv_plan import (
    Fingerprint,
    ImportPlan,
    Lookup,
    MediaFile,
    PlannedPost,
    fingerprint,
)
from cmdesk.services.media import MAX_FILE_BYTES as MAX_MEDIA_BYTES
from cmdesk.services.media import sniff_mime
from cmdesk.status import PostStatus
from cmdesk.timeutil import local_to_utc, utc_to_local, zone

__all__ = [
    "Fingerprint",
    "ImportPlan",
    "Lookup",
    "MediaFile",
    "PlannedPost",
    "check_table",
    "fingerprint",
]

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
MAX_TITLE = 200
#: Statuses a row may give; the others are history, which an import cannot recreate.
IMPORTABLE = (
    PostStatus.IDEA,
    PostStatus.DRAFT,
    PostStatus.IN_REVIEW,
    PostStatus.APPROVED,
    PostStatus.SCHEDULED,
)


class _Row:
    """One row being checked: its cells, and problems reported at its line."""

    def __init__(
        self,
        raw: RawRow,
        table: RawTable,
        problems: list[ImportProblem],
        names: Mapping[str, str],
        known: bool = False,
    ) -> None:
        self.raw = raw
        #: The row's id names a post of this workspace: it may be history or in the past, since
        #: it is skipped when it matches that post (and refused when it does not).
        self.known = known
        self.names = names
        self.table = table
        self.problems = problems
        self.failed = False

    def get(self, name: str) -> str:
        return self.raw.cells.get(name, "")

    def has(self, name: str) -> bool:
        return name in self.table.columns

    def problem(self, name: str, message: str) -> None:
        self.failed = True
        pos = self.table.position(name)
        self.problems.append(ImportProblem(self.raw.line, pos, name if pos else "", message))


def check_table(table: RawTable, look: Lookup, problems: list[ImportProblem]) -> ImportPlan:
    """Check every row; problems are added to ``problems`` (which may already hold some)."""
    media_cache: dict[Path, MediaFile | str] = {}
    new: dict[str, dict[str, str]] = {"campaign": {}, "pillar": {}, "tags": {}}
    posts: list[PlannedPost] = []
    ids: dict[int, int] = {}
    existing = _existing_posts(table, look)
    for raw in table.rows:
        row = _Row(raw, table, problems, look.names, _id_of(raw) in existing)
        planned = _check_row(row, look, media_cache, new)
        if planned is not None and not row.failed:
            posts.append(planned)
            if row.get("id").strip():
                ids[int(row.get("id"))] = len(posts) - 1
    posts = _match_existing(posts, ids, existing, table, look, problems)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        del problems[MAX_PROBLEMS:]
        problems.append(ImportProblem(0, 0, "", f"…and {more} more problems not listed."))
    return ImportPlan(
        workspace_id=look.workspace_id,
        posts=tuple(posts),
        problems=tuple(problems),
        base_dir=str(look.base_dir or ""),
        create_missing=look.create_missing,
        new_campaigns=tuple(new["campaign"].values()),
        new_pillars=tuple(new["pillar"].values()),
        new_tags=tuple(new["tags"].values()),
    )


def _id_of(raw: RawRow) -> int | None:
    text = raw.cells.get("id", "").strip()
    return int(text) if text.isdigit() else None


def _existing_posts(table: RawTable, look: Lookup) -> dict[int, Fingerprint]:
    """The posts of this workspace the file names by id (an export read back), read once."""
    ids = {i for i in (_id_of(raw) for raw in table.rows) if i is not None}
    return look.existing(sorted(ids)) if ids else {}


def _check_row(
    row: _Row,
    look: Lookup,
    media_cache: dict[Path, MediaFile | str],
    new: dict[str, dict[str, str]],
) -> PlannedPost | None:
    _check_id(row)
    title, text = _check_content(row)
    when, when_local = _check_when(row, look)
    status = _check_status(row, when)
    channels = _check_channels(row, look)
    if status == PostStatus.SCHEDULED and not channels and not row.failed:
        row.problem("channels", "A scheduled post needs at least one channel.")
    _check_lengths(row, look, channels, text)
    campaign = _check_label(row, "campaign", look.campaigns, look.create_missing, new)
    pillar = _check_label(row, "pillar", look.pillars, look.create_missing, new)
    tags = tuple(
        _check_label(row, "tags", look.tags, look.create_missing, new, item)
        for item in dict.fromkeys(split_list(row.get("tags")))
    )
    media = _check_media(row, look, media_cache)
    if row.failed or status is None:
        return None
    return PlannedPost(
        line=row.raw.line,
        title=title,
        text=text,
        status=status,
        scheduled_at=when,
        when_local=when_local,
        channel_ids=tuple(c.id for c in channels),
        channel_names=tuple(c.name for c in channels),
        campaign=campaign,
        pillar=pillar,
        tags=tuple(t for t in tags if t),
        media=media,
    )


def _check_content(row: _Row) -> tuple[str, str]:
    title, text = row.get("title").strip(), row.get("text")
    if not title and not text.strip():
        row.problem("text" if row.has("text") else "title", "A post needs a title or some text.")
    if len(title) > MAX_TITLE:
        row.problem("title", f"The title has {len(title)} characters; at most {MAX_TITLE}.")
    return title, text


def _check_id(row: _Row) -> None:
    value = row.get("id").strip()
    if value and (not value.isdigit() or int(value) <= 0 or len(value) > 12):
        row.problem("id", f"{value!r} is not a post id (a whole number); leave it empty for new.")


def _check_when(row: _Row, look: Lookup) -> tuple[datetime | None, str]:
    day_text, time_text = row.get("date").strip(), row.get("time").strip()
    zone_name = row.get("zone").strip() or look.timezone
    if row.get("zone").strip():
        try:
            zone(zone_name)
        except ValidationError:
            row.problem(
                "zone",
                f"Unknown time zone {zone_name!r}: use an IANA name such as "
                "Europe/Madrid or America/New_York.",
            )
            return None, ""
    if not day_text:
        if time_text:
            row.problem("time", "A time needs a date: fill the date column too.")
        return None, ""
    day = _parse_date(row, day_text)
    wall = _parse_time(row, time_text or look.default_time)
    if day is None or wall is None:
        return None, ""
    local = datetime.combine(day, wall)
    when = local_to_utc(local, zone_name)
    shown = f"{day.isoformat()} {wall:%H:%M} {zone_name}"
    if utc_to_local(when, zone_name).replace(tzinfo=None) != local:
        later = utc_to_local(when, zone_name)
        row.problem(
            "time",
            f"{wall:%H:%M} does not exist on {day.isoformat()} in {zone_name}: the clocks go "
            f"forward then. Use {later:%H:%M} or another time.",
        )
        return None, ""
    if when < look.now - timedelta(minutes=1) and not row.known:
        row.problem(
            "date", f"{shown} has already passed. Give a date from now on, or leave it empty."
        )
        return None, ""
    return when, shown


def _parse_date(row: _Row, text: str) -> date | None:
    try:
        if not _DATE_RE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        row.problem("date", f"{text!r} is not a date written YYYY-MM-DD (e.g. 2026-03-30).")
        return None


def _parse_time(row: _Row, text: str) -> time | None:
    match = _TIME_RE.fullmatch(text)
    if match is None:
        row.problem("time", f"{text!r} is not a time written HH:MM on the 24-hour clock.")
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _check_status(row: _Row, when: datetime | None) -> PostStatus | None:
    text = row.get("status").strip()
    if not text:
        return PostStatus.SCHEDULED if when is not None else PostStatus.DRAFT
    key = "_".join(text.lower().replace("-", " ").split())
    try:
        status = PostStatus(key)
    except ValueError:
        names = ", ".join(s.value for s in IMPORTABLE)
        row.problem("status", f"Unknown status {text!r}. Use one of: {names}.")
        return None
    if status not in IMPORTABLE and not row.known:
        label = status.label.lower()
        article = "An" if label[0] in "aeiou" else "A"
        row.problem(
            "status",
            f"{article} {label} post cannot be imported: an import adds plans, not "
            "history. Remove the row, or set its status to draft and clear its date.",
        )
        return None
    if status == PostStatus.SCHEDULED and when is None and not row.failed:
        row.problem("status", "A scheduled post needs a date and a time.")
    return status


def _check_channels(row: _Row, look: Lookup) -> list[ChannelDTO]:
    found: list[ChannelDTO] = []
    for item in split_list(row.get("channels")):
        key = item.casefold()
        matches = [
            c
            for c in look.channels
            if c.name.casefold() == key
            or (c.handle and c.handle.casefold().lstrip("@") == key.lstrip("@"))
        ]
        if len(matches) == 1:
            if matches[0] not in found:
                found.append(matches[0])
            continue
        if matches:
            row.problem("channels", f"{item!r} names {len(matches)} channels; use its handle.")
        else:
            known = ", ".join(c.name for c in look.channels) or "none yet"
            row.problem("channels", f"No channel called {item!r} in this workspace ({known}).")
    return found


def _check_lengths(row: _Row, look: Lookup, channels: Sequence[ChannelDTO], text: str) -> None:
    for channel in channels:
        count, limit, unit = look.measure(channel, text)
        if limit and count > limit:
            row.problem(
                "text",
                f"The text is {count} {unit} long; {channel.name} ({channel.network}) takes "
                f"{limit}. Shorten it by {count - limit}.",
            )


def _check_label(
    row: _Row,
    column: str,
    known: Mapping[str, int],
    create: bool,
    new: dict[str, dict[str, str]],
    value: str | None = None,
) -> str:
    name = (row.get(column) if value is None else value).strip()
    if not name or name.casefold() in known:
        return name
    look_names = row.names
    if len(name) > 80:
        row.problem(column, f"{name[:20]!r}… is too long for a name (at most 80 characters).")
    elif create:
        new[column].setdefault(name.casefold(), name)
    else:
        kind = {"campaign": "campaign", "pillar": "content pillar", "tags": "tag"}[column]
        names = ", ".join(sorted(look_names.get(k, k) for k in known)) or "none yet"
        row.problem(
            column,
            f"No {kind} called {name!r} in this workspace (known: {names}). Create it first, "
            "or import with 'create missing' to add it.",
        )
    return name


def _check_media(
    row: _Row, look: Lookup, cache: dict[Path, MediaFile | str]
) -> tuple[MediaFile, ...]:
    paths = split_list(row.get("media path"))
    alts = split_list(row.get("alt text"))
    if alts and len(alts) != len(paths):
        row.problem(
            "alt text",
            f"{len(alts)} alt texts for {len(paths)} media files: give one per file, in the "
            "same order, separated by |.",
        )
    found: list[MediaFile] = []
    for i, item in enumerate(paths):
        path = Path(item).expanduser()
        if not path.is_absolute() and look.base_dir is not None:
            path = look.base_dir / path
        result = cache.get(path)
        if result is None:
            result = cache[path] = _read_media(path, item)
        if isinstance(result, str):
            row.problem("media path", result)
            continue
        alt = alts[i] if i < len(alts) else ""
        found.append(MediaFile(result.path, result.sha256, result.mime_type, alt))
    return tuple(found)


def _read_media(path: Path, given: str) -> MediaFile | str:
    """The file's hash and type, or why it cannot be attached."""
    try:
        if not path.is_file():
            return f"The media file {given!r} does not exist (looked for {path})."
        size = path.stat().st_size
        if size == 0 or size > MAX_MEDIA_BYTES:
            return f"{given!r} is {'empty' if size == 0 else 'too large'}; it cannot be attached."
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            head = fh.read(64)
            digest.update(head)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        return f"The media file {given!r} cannot be read ({exc.strerror or exc})."
    mime = sniff_mime(path, head)
    if not mime.startswith(("image/", "video/")):
        return f"{given!r} is not an image or a video cmdesk can attach ({mime})."
    return MediaFile(path, digest.hexdigest(), mime, "")


_KEYS_OF_COLUMN = {"date": "when", "time": "when", "zone": "when", "media path": "media"}


def _match_existing(
    posts: list[PlannedPost],
    ids: dict[int, int],
    existing: Mapping[int, Fingerprint],
    table: RawTable,
    look: Lookup,
    problems: list[ImportProblem],
) -> list[PlannedPost]:
    """Rows naming a post of this workspace: skipped when they match it, refused when not."""
    if not ids:
        return posts
    columns = {_KEYS_OF_COLUMN.get(c, c) for c in table.columns if c != "id"}
    refused: set[int] = set()
    for post_id, index in ids.items():
        current = existing.get(post_id)
        post = posts[index]
        if current is None:
            continue  # not a post of this workspace: the row is a new post
        mine = fingerprint(post, look)
        keys = set(columns)
        if not any(mine["alt text"]):
            keys.discard("alt text")  # an empty alt cell leaves alt texts as they are
        differs = sorted(k for k in keys if mine.get(k) != current.get(k))
        if differs:
            refused.add(index)
            problems.append(
                ImportProblem(
                    post.line,
                    table.position("id"),
                    "id",
                    f"Post {post_id} is already in the plan and this row changes its "
                    f"{', '.join(differs)}. An import adds posts, it does not edit them: edit the "
                    "post in cmdesk, or clear the id to add the row as a new post.",
                )
            )
        else:
            posts[index] = replace(post, existing_id=post_id)
    return [p for i, p in enumerate(posts) if i not in refused]
