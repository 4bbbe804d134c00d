"""The demo's planning tools: posting slots for each channel and a few ideas in the bin.

So that a first look at cmdesk shows what queues and the ideas bin are for: free slots outlined
in the week view, "Add to queue" ready to use, and ideas to drag onto the calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cmdesk.models import Idea, QueueSlot

#: (weekday 0 = Monday, "HH:MM"): a common rhythm, three posts a week plus two lunchtime ones.
DEMO_SLOTS = ((0, "09:00"), (1, "13:30"), (2, "09:00"), (3, "13:30"), (4, "17:00"))

DEMO_IDEAS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Panadería La Espiga": (
        ("Receta de torrijas para Semana Santa", "Paso a paso con pan del día anterior.", ""),
        ("Visita al molino de Tomelloso", "Fotos del trigo y de la molienda.", ""),
        (
            "Día mundial del pan (16 de octubre)",
            "Preparar una serie de tres publicaciones.",
            "https://es.wikipedia.org/wiki/D%C3%ADa_Mundial_del_Pan",
        ),
    ),
    "Harbor Light Books": (
        ("Staff picks for the winter holidays", "Each bookseller chooses one book.", ""),
        ("Author Q&A: local poets", "Ask followers for questions a week ahead.", ""),
        (
            "Independent Bookstore Day",
            "Plan a giveaway and a reading.",
            "https://www.indiebookstoreday.com/",
        ),
    ),
}


def add_demo_planning(
    s: Session, workspace_id: int, brand: str, channel_ids: Sequence[int], now: datetime
) -> list[tuple[str, int]]:
    """Posting slots for every channel and the brand's ideas; returns what was created."""
    slots = [
        QueueSlot(channel_id=cid, weekday=day, local_time=at, is_active=True)
        for cid in channel_ids
        for day, at in DEMO_SLOTS
    ]
    ideas = [
        Idea(
            workspace_id=workspace_id,
            title=title,
            text=text,
            link=link,
            state="new",
            created_at=now,
        )
        for title, text, link in DEMO_IDEAS.get(brand, ())
    ]
    s.add_all([*slots, *ideas])
    s.flush()
    return [("queue_slot", q.id) for q in slots] + [("idea", i.id) for i in ideas]
