"""The demo's inbox: replies, mentions, quotes and messages on each brand's demo channels."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk.models import Channel, InboxItem, Target
from cmdesk.services.demo_brands import ESPIGA, HARBOR, Brand
from cmdesk.status import TargetState

# --- the demo inbox -------------------------------------------------------------------------------

#: network, kind, author name, author handle, text, minutes ago, state, answers our latest post
_InboxRow = tuple[str, str, str, str, str, int, str, bool]

_INBOX: dict[str, tuple[_InboxRow, ...]] = {
    ESPIGA.name: (
        (
            "mastodon",
            "reply",
            "Marta Soler",
            "martasoler@mastodon.social",
            "¿Mañana también tendréis la hogaza de centeno? Paso antes del trabajo.",
            12,
            "new",
            True,
        ),
        (
            "bluesky",
            "mention",
            "Jordi",
            "jordi.bsky.social",
            "El mejor croissant de Ruzafa está en @laespiga.bsky.social, no acepto discusión 🥐",
            47,
            "new",
            False,
        ),
        (
            "mastodon",
            "dm",
            "Carmen R.",
            "carmenr@mastodon.social",
            "Hola, quería reservar dos roscones de nata para el día 5. ¿Se puede por aquí?",
            95,
            "new",
            False,
        ),
        (
            "bluesky",
            "reply",
            "Pau",
            "pau-cafe.bsky.social",
            "Ese café de Huila está buenísimo. ¿Lo vendéis en grano?",
            180,
            "new",
            True,
        ),
        (
            "mastodon",
            "quote",
            "Barrio Ruzafa",
            "ruzafa@masto.es",
            "Cinco años de pan del bueno en el barrio. ¡Felicidades, Espiga!",
            320,
            "read",
            False,
        ),
        (
            "bluesky",
            "reply",
            "Lucía M.",
            "luciam.bsky.social",
            "¿Tenéis algo sin gluten los sábados? Mi hija es celíaca.",
            600,
            "read",
            True,
        ),
        (
            "mastodon",
            "mention",
            "Andrés",
            "andres@mastodon.social",
            "Desayuno de domingo en @laespiga: tostada de espelta y café. Día arreglado.",
            1300,
            "replied",
            False,
        ),
        (
            "mastodon",
            "reply",
            "Vicent",
            "vicent@mastodon.social",
            "¡Gracias por el sorteo! Ya he mencionado a mi madre 😄",
            2900,
            "done",
            True,
        ),
    ),
    HARBOR.name: (
        (
            "mastodon",
            "reply",
            "Ana Reyes",
            "anareyes@mastodon.social",
            "Is the Thursday reading wheelchair accessible? I'd love to bring my dad.",
            8,
            "new",
            True,
        ),
        (
            "bluesky",
            "mention",
            "Theo Park",
            "theopark.bsky.social",
            "Picked up the lighthouse novel @harborlightbooks.bsky.social recommended. 40 pages "
            "in and hooked. https://bookshop.example/lighthouse",
            33,
            "new",
            False,
        ),
        (
            "mastodon",
            "dm",
            "Priya N.",
            "priya@mastodon.online",
            "Hi! Do you still have signed copies of the spring novel? I'd like to reserve two.",
            70,
            "new",
            False,
        ),
        (
            "bluesky",
            "quote",
            "Brooklyn Reads",
            "bkreads.bsky.social",
            "This is why we love indie bookshops 💙",
            150,
            "new",
            False,
        ),
        (
            "bluesky",
            "reply",
            "Jules",
            "jules.bsky.social",
            "Story hour was the highlight of our week. My daughter now does dragon voices at "
            "dinner 🐉",
            240,
            "new",
            True,
        ),
        (
            "mastodon",
            "reply",
            "Sam Ortiz",
            "samortiz@mastodon.online",
            "Any chance of a Spanish-language shelf in the kids' corner?",
            420,
            "read",
            True,
        ),
        (
            "mastodon",
            "mention",
            "Book Swap BK",
            "bookswap@mastodon.nyc",
            "Shout-out to @harborlight for hosting our swap this weekend! #BookSwap",
            900,
            "read",
            False,
        ),
        (
            "bluesky",
            "mention",
            "Dario",
            "dario.bsky.social",
            "Can @harborlightbooks.bsky.social please stock more graphic novels? 🙏",
            1500,
            "replied",
            False,
        ),
        (
            "mastodon",
            "reply",
            "Lena K.",
            "lenak@mastodon.social",
            "The gift guide for the cook is spot on. Is the third one out in paperback?",
            2600,
            "replied",
            True,
        ),
        (
            "bluesky",
            "reply",
            "Quinn",
            "quinn.bsky.social",
            "Happy ten years!! ❤️",
            4000,
            "done",
            True,
        ),
    ),
}


def build_inbox(
    s: Session, b: Brand, channels: list[Channel], now: datetime
) -> list[tuple[str, int]]:
    """A dozen replies, mentions, quotes and messages on the brand's demo channels."""
    by_network = {c.network: c for c in channels}
    added: list[InboxItem] = []
    for n, (network, kind, name, handle, text, ago, state, answers) in enumerate(_INBOX[b.name]):
        channel = by_network.get(network)
        if channel is None:
            continue
        target = _latest_published(s, channel) if answers else None
        item = InboxItem(
            channel_id=channel.id,
            kind=kind,
            remote_id=f"demo-inbox-{channel.id}-{n}",
            remote_url="",
            conversation_id=f"demo-thread-{channel.id}-{n}",
            in_reply_to_remote_id=target.remote_id if target is not None else None,
            author_handle=handle,
            author_name=name,
            text=text,
            # Mastodon sends HTML (already in the sanitised subset here); Bluesky plain text.
            html=f"<p>{html.escape(text)}</p>" if network == "mastodon" else "",
            received_at=now - timedelta(minutes=ago),
            state=state,
            target_id=target.id if target is not None else None,
        )
        s.add(item)
        added.append(item)
    s.flush()
    return [("inbox_item", i.id) for i in added]


def _latest_published(s: Session, channel: Channel) -> Target | None:
    return s.scalars(
        select(Target)
        .where(Target.channel_id == channel.id, Target.state == TargetState.PUBLISHED.value)
        .order_by(Target.published_at.desc())
        .limit(1)
    ).first()
