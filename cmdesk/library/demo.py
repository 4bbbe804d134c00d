"""Hashtag groups and templates of the demo workspaces, in each brand's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cmdesk.library.hashtags import parse_hashtags
from cmdesk.models import HashtagGroup, Snippet

# Keyed by the demo brand's name (cmdesk.services.demo): (groups, templates), each (name, text).
_LIBRARY: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "Panadería La Espiga": (
        (
            ("Obrador", "#panaderia #masamadre #panartesano #Valencia"),
            ("Desayunos", "#desayuno #cafe #tostadas #buenosdias"),
            ("Roscón", "#roscon #reyes #roscondereyes #navidad"),
        ),
        (
            ("Reserva", "Reserva en tienda o por mensaje directo: {link}"),
            ("Despedida", "¡Nos vemos en el obrador! — {brand}"),
            ("Campaña", "{campaign}: hasta el {date}, en tienda y por encargo."),
        ),
    ),
    "Harbor Light Books": (
        (
            ("Books", "#books #bookstodon #amreading #bookshop"),
            ("Brooklyn", "#brooklyn #nyc #indiebookstore #shoplocal"),
            ("Book club", "#bookclub #readingcommunity #booklovers"),
        ),
        (
            (
                "Event call to action",
                "Join us {weekday} at {time}. Seats are free but limited: reply to save one.",
            ),
            ("Sign-off", "— the booksellers at {brand}"),
            ("Link in post", "Read more and pre-order: {link}"),
        ),
    ),
}


def add_demo_library(s: Session, workspace_id: int, brand: str) -> list[tuple[str, int]]:
    """Add the brand's groups and templates; returns the (kind, id) pairs created."""
    groups, templates = _LIBRARY.get(brand, ((), ()))
    rows: list[HashtagGroup | Snippet] = []
    for position, (name, tags) in enumerate(groups):
        hashtags = " ".join(parse_hashtags(tags))
        rows.append(
            HashtagGroup(workspace_id=workspace_id, name=name, hashtags=hashtags, position=position)
        )
    for position, (name, text) in enumerate(templates):
        rows.append(Snippet(workspace_id=workspace_id, name=name, text=text, position=position))
    s.add_all(rows)
    s.flush()
    return [("hashtag_group" if isinstance(r, HashtagGroup) else "snippet", r.id) for r in rows]
