"""The plan as an iCalendar file, written with the ``icalendar`` library.

One event per scheduled or published post with a time: ``UID`` ``post-<id>@cmdesk`` (stable, so a
subscribed calendar updates an event instead of adding another), ``DTSTART`` in UTC and a
15-minute ``DTEND`` so that calendar applications draw it, ``SUMMARY`` the title or the start of
the text, ``DESCRIPTION`` the text with its channels and status, ``CATEGORIES`` the campaign,
pillar and tags, ``URL`` the published post, ``SEQUENCE`` from the post's revision and
``LAST-MODIFIED``/``DTSTAMP`` from when it last changed. Nothing in the file depends on the moment
it is written, so the same plan gives the same bytes (the subscription file is rewritten only
when the plan changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from cmdesk import __version__
from cmdesk.exchange.csv_export import PostRecord
from cmdesk.status import PostStatus

if TYPE_CHECKING:
    from icalendar import Event

EVENT_LENGTH = timedelta(minutes=15)
#: Statuses that have a place in a calendar: committed to going out, or gone out.
CALENDAR_STATUSES = frozenset({PostStatus.SCHEDULED.value, PostStatus.PUBLISHED.value})
_SUMMARY_CHARS = 60


def summary(r: PostRecord) -> str:
    """The title, else the first words of the text (one line)."""
    text = " ".join((r.title or r.text).split())
    if len(text) > _SUMMARY_CHARS:
        text = text[: _SUMMARY_CHARS - 1].rstrip() + "…"
    return text or f"Post {r.id}"


def _event(r: PostRecord) -> Event | None:
    start = r.published_at if r.status == PostStatus.PUBLISHED.value else r.scheduled_at
    start = start or r.scheduled_at
    if start is None:
        return None
    from icalendar import Event  # loaded on first export, not at start-up

    event = Event()
    event.add("uid", f"post-{r.id}@cmdesk")
    event.add("dtstamp", r.updated_at)
    event.add("last-modified", r.updated_at)
    event.add("sequence", max(0, r.revision - 1))
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    event.add("summary", summary(r))
    facts = f"Channels: {', '.join(r.channels) or 'none'}\nStatus: {PostStatus(r.status).label}"
    event.add("description", f"{r.text}\n\n{facts}" if r.text.strip() else facts)
    categories = [c for c in (r.campaign, r.pillar, *r.tags) if c]
    if categories:
        event.add("categories", categories)
    if r.url:
        event.add("url", r.url)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def render_ics(records: Iterable[PostRecord], *, name: str, tz: str) -> bytes:
    """The calendar (``VCALENDAR``) of the records that belong in one, as bytes."""
    from icalendar import Calendar  # loaded on first export, not at start-up

    cal = Calendar()
    cal.add("prodid", f"-//cmdesk//cmdesk {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{name} (cmdesk)")
    cal.add("x-wr-timezone", tz)
    for r in records:
        if r.status not in CALENDAR_STATUSES:
            continue
        event = _event(r)
        if event is not None:
            cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
