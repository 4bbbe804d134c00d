"""A living demo plan for a first start: two brands, their channels, campaigns and ~150 posts.

The demo is built relative to today, so whenever it is created it shows last month's published
posts (with a failure and a missed post to deal with) and next month's plan in every status. Its
channels are marked as demo channels: the publishing engine never sends anything from them.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.events import ChangeSet
from cmdesk.library.demo import add_demo_library
from cmdesk.models import Campaign, Channel, InboxItem, Post, PostTag, Tag, Target, Workspace
from cmdesk.planning.demo_planning import add_demo_planning
from cmdesk.services.base import Service
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import at_wall_time, utc_to_local


@dataclass(frozen=True)
class _Brand:
    name: str
    timezone: str
    color: str
    description: str
    objectives: str
    channels: tuple[tuple[str, str, str, str], ...]  # network, name, handle, base url
    campaign: tuple[str, str, str, int, int]  # name, colour, objective, start offset, length (days)
    campaign2: tuple[str, str, str, int, int]
    pillars: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    texts: tuple[str, ...]
    times: tuple[str, ...]


ESPIGA = _Brand(
    name="Panadería La Espiga",
    timezone="Europe/Madrid",
    color="#c0792f",
    description="Obrador artesano de barrio en Valencia: pan de masa madre, bollería y cafés.",
    objectives="Crecer un 10 % en seguidores, 4 % de interacción media, más pedidos de roscón.",
    channels=(
        (
            "mastodon",
            "La Espiga · Mastodon",
            "@laespiga@mastodon.social",
            "https://mastodon.social",
        ),
        ("bluesky", "La Espiga · Bluesky", "laespiga.bsky.social", "https://bsky.social"),
        ("telegram", "La Espiga · Canal", "@laespiga_canal", ""),
    ),
    campaign=("Roscón de Reyes 2027", "#d35400", "Reservas de roscón antes del 4 de enero", 8, 45),
    campaign2=("Otoño de masa madre", "#8e6e53", "Dar a conocer los panes de temporada", -30, 36),
    pillars=(("Producto", "#e67e22"), ("Detrás del obrador", "#16a085"), ("Comunidad", "#2980b9")),
    tags=("masa madre", "desayunos", "vecinos", "sin gluten", "recetas"),
    titles=(
        "Pan del día",
        "Receta: tostadas de domingo",
        "Así nace una hogaza",
        "Nuevo horario de invierno",
        "Conoce a nuestro equipo",
        "Encuesta: ¿dulce o salado?",
        "Roscón: abiertas las reservas",
        "Bollería recién horneada",
        "Sorteo de un desayuno para dos",
        "Gracias, vecinos",
        "Café de especialidad",
        "Proveedores de cercanía",
    ),
    texts=(
        "Hoy sale del horno nuestra hogaza de centeno con masa madre de 48 horas. ¡Te esperamos! 🥖",
        "Domingo de tostadas: pan de espelta, tomate rallado y aceite de la Serranía. ¿Cuál es tu "
        "desayuno favorito? #desayunos",
        "A las 4:30 empieza el día en el obrador. Te enseñamos cómo formamos cada pieza a mano.",
        "Desde el lunes abrimos de 7:30 a 20:30. Los domingos, hasta las 14:00.",
        "Ella es Lucía, nuestra maestra panadera. Lleva 12 años con las manos en la masa. 👩‍🍳",
        "Pregunta seria: ¿croissant o tostada? Responde y te leemos todos 👇",
        "Ya puedes reservar tu roscón de Reyes: nata, trufa o sin relleno. Reserva en tienda o "
        "por mensaje directo. 👑",
        "Napolitanas de chocolate recién salidas. Hasta agotar existencias.",
        "Sorteamos un desayuno para dos: sigue la cuenta y menciona a quien invitarías. "
        "Bases en la web.",
        "Mil gracias por estos cinco años en el barrio. Sin vosotros no habría pan. ❤️",
        "Nuevo café de Huila (Colombia), tostado en Valencia. Notas de panela y naranja.",
        "La harina viene de un molino de piedra a 60 km. Así trabajamos con Molí del Pas.",
    ),
    times=("08:00", "09:30", "13:00", "18:30", "20:15"),
)

HARBOR = _Brand(
    name="Harbor Light Books",
    timezone="America/New_York",
    color="#2c6e91",
    description="An independent bookshop in Brooklyn with readings, a kids' corner and a book club.",
    objectives="Grow the book club to 200 members; drive pre-orders; 3% engagement per post.",
    channels=(
        (
            "mastodon",
            "Harbor Light · Mastodon",
            "@harborlight@mastodon.online",
            "https://mastodon.online",
        ),
        (
            "bluesky",
            "Harbor Light · Bluesky",
            "harborlightbooks.bsky.social",
            "https://bsky.social",
        ),
    ),
    campaign=("Holiday Gift Guide", "#c0392b", "Sell gift bundles before Dec 20", -8, 40),
    campaign2=("November Book Club", "#27ae60", "Fill every book-club seat", -25, 30),
    pillars=(("Books", "#8e44ad"), ("Events", "#e74c3c"), ("Behind the counter", "#f39c12")),
    tags=("staff picks", "kids", "author events", "book club", "new releases"),
    titles=(
        "Staff pick of the week",
        "Author reading on Thursday",
        "New releases are in",
        "Book club: December title",
        "Kids' story hour",
        "Gift guide: for the cook",
        "Gift guide: for the traveller",
        "Meet our booksellers",
        "Pre-order the spring novel",
        "Window display reveal",
        "Used books drive",
        "Thank you, readers",
    ),
    texts=(
        "This week Maya recommends a quiet, luminous novel about a lighthouse keeper. "
        "Ask for it at the counter. 📚",
        "Join us Thursday at 7pm for a reading and Q&A. Seats are free but limited: reply to save one.",
        "Fresh boxes just arrived: essays, a new translation from Korean, and two debut thrillers.",
        "Our December book club title is in! Pick up your copy with 15% off for members.",
        "Saturday 10am: story hour for ages 3–7 with cocoa and very serious dragon voices. 🐉",
        "For the cook who has everything: three cookbooks we actually cook from.",
        "For the traveller: slow travel writing, maps and one very funny memoir.",
        "Meet Jon, who shelves poetry with the dedication of a monk and recommends with no mercy.",
        "Pre-order now and get a signed bookplate while supplies last.",
        "The holiday window is up. Come see the paper city we built from returned proofs.",
        "Bring your used books this weekend; every donation funds books for the school library.",
        "Ten years on this corner. Thank you for every page you bought here. ❤️",
    ),
    times=("09:00", "11:30", "14:00", "17:45", "19:00"),
)

#: Tags get muted colours of their own, so the tag filter and the Campaigns page show them apart.
_TAG_COLORS = ("#7f8c8d", "#5d6d7e", "#a04000", "#1e8449", "#6c3483", "#b7950b")

_FUTURE_STATUSES = (
    [PostStatus.SCHEDULED] * 10
    + [PostStatus.APPROVED] * 3
    + [PostStatus.IN_REVIEW] * 3
    + [PostStatus.DRAFT] * 4
)


class DemoService(Service):
    """Creates the demo workspace when the plan is empty."""

    def create_demo(self, *, seed: int = 7) -> ChangeSet:
        """Add the two demo brands; refuses (changing nothing) if the plan already has workspaces."""
        rng = random.Random(seed)
        now = self.clock.now().replace(second=0, microsecond=0)
        created: list[tuple[str, int]] = []
        with self._write() as s:
            if repo.any_rows(s, Workspace):
                return ChangeSet(description="demo skipped: the plan is not empty")
            for brand in (ESPIGA, HARBOR):
                created.extend(_build_brand(s, brand, now, rng))
        return self._emit(ChangeSet.of(created=created, description="demo"))


def _build_brand(s: Session, b: _Brand, now: datetime, rng: random.Random) -> list[tuple[str, int]]:
    ws = Workspace(
        name=b.name,
        timezone=b.timezone,
        color=b.color,
        description=b.description,
        objectives=b.objectives,
        kpi_targets={"engagement_rate": 0.04, "followers_growth": 0.1},
        week_start=0 if b.timezone.startswith("Europe") else 6,
        default_post_time=b.times[1],
        is_demo=True,
        created_at=now,
        updated_at=now,
    )
    s.add(ws)
    s.flush()
    channels = []
    for network, name, handle, url in b.channels:
        c = Channel(
            workspace_id=ws.id,
            network=network,
            name=name,
            handle=handle,
            base_url=url,
            credential_ref=None,
            limits={},
            health="ok",
            health_detail="Demo channel: posts are never sent anywhere.",
            color="",
            is_demo=True,
            created_at=now,
            updated_at=now,
        )
        s.add(c)
        channels.append(c)
    today = utc_to_local(now, b.timezone).date()
    campaigns = []
    for name, color, objective, offset, length in (b.campaign, b.campaign2):
        camp = Campaign(
            workspace_id=ws.id,
            name=name,
            color=color,
            starts_on=today + timedelta(days=offset),
            ends_on=today + timedelta(days=offset + length),
            objective=objective,
            notes="",
        )
        s.add(camp)
        campaigns.append(camp)
    pillars = [Tag(workspace_id=ws.id, kind="pillar", name=n, color=c) for n, c in b.pillars]
    tags = [
        Tag(workspace_id=ws.id, kind="tag", name=n, color=_TAG_COLORS[i % len(_TAG_COLORS)])
        for i, n in enumerate(b.tags)
    ]
    s.add_all(pillars + tags)
    s.flush()

    created: list[tuple[str, int]] = [("workspace", ws.id)]
    created.extend(add_demo_library(s, ws.id, b.name))  # hashtag groups and templates
    created.extend(add_demo_planning(s, ws.id, b.name, [c.id for c in channels], now))
    posts: list[Post] = []

    def add_post(day: date | None, status: PostStatus, i: int, at: time | None = None) -> None:
        k = i % len(b.titles)
        when = None
        if day is not None:
            hh, mm = map(int, rng.choice(b.times).split(":"))
            when = at_wall_time(day, at or time(hh, mm), b.timezone)
        camp = next(
            (
                c
                for c in campaigns
                if day and c.starts_on and c.ends_on and c.starts_on <= day <= c.ends_on
            ),
            None,
        )
        p = Post(
            workspace_id=ws.id,
            title=b.titles[k],
            text=b.texts[k],
            status=status.value,
            scheduled_at=when,
            campaign_id=camp.id if camp and rng.random() < 0.8 else None,
            pillar_id=rng.choice(pillars).id,
            notes="",
            author="Demo",
            revision=1,
            created_at=now - timedelta(days=40),
            updated_at=now,
            published_at=when if status == PostStatus.PUBLISHED else None,
        )
        s.add(p)
        s.flush()
        for tag in rng.sample(tags, k=rng.randint(0, 2)):
            s.add(PostTag(post_id=p.id, tag_id=tag.id))
        chosen = rng.sample(channels, k=rng.randint(1, len(channels)))
        for c in chosen:
            s.add(_target(p, c, status, when, now))
        posts.append(p)

    i = 0
    # Last month: mostly published, one failure and one missed post that wait for a decision.
    for back in range(30, 0, -1):
        day = today - timedelta(days=back)
        for _ in range(rng.choice((1, 1, 2))):
            add_post(day, PostStatus.PUBLISHED, i)
            i += 1
    add_post(today - timedelta(days=1), PostStatus.FAILED, i)
    add_post(today - timedelta(days=2), PostStatus.MISSED, i + 1)
    add_post(today - timedelta(days=20), PostStatus.ARCHIVED, i + 2)
    i += 3
    # Next month: a denser plan near today, drafts further out.
    for ahead in range(1, 31):
        day = today + timedelta(days=ahead)
        if ahead > 20 and rng.random() < 0.5:
            continue
        status = (
            _FUTURE_STATUSES[min(ahead // 2, len(_FUTURE_STATUSES) - 1)]
            if ahead > 14
            else (PostStatus.SCHEDULED if rng.random() < 0.75 else PostStatus.APPROVED)
        )
        add_post(day, status, i)
        i += 1
    # A post due later today, so the first screen shows something about to go out.
    later = utc_to_local(now, b.timezone) + timedelta(hours=2)
    if later.date() == today:
        add_post(today, PostStatus.SCHEDULED, i, at=later.time().replace(second=0, microsecond=0))
        i += 1
    # The side list: drafts and ideas without a time yet.
    for status in (PostStatus.IDEA,) * 4 + (PostStatus.DRAFT,) * 2:
        add_post(None, status, i)
        i += 1
    created.extend(("post", p.id) for p in posts)
    created.extend(_build_inbox(s, b, channels, now))
    return created


def _target(
    p: Post, c: Channel, status: PostStatus, when: datetime | None, now: datetime
) -> Target:
    state = {
        PostStatus.PUBLISHED: TargetState.PUBLISHED,
        PostStatus.SCHEDULED: TargetState.QUEUED,
        PostStatus.FAILED: TargetState.FAILED,
        PostStatus.MISSED: TargetState.MISSED,
        PostStatus.ARCHIVED: TargetState.PUBLISHED,
    }.get(status, TargetState.PENDING)
    published = state == TargetState.PUBLISHED
    return Target(
        post_id=p.id,
        channel_id=c.id,
        state=state.value,
        due_at=when
        if state in (TargetState.QUEUED, TargetState.FAILED, TargetState.MISSED)
        else None,
        remote_id=f"demo-{p.id}-{c.id}" if published else None,
        remote_url=None,
        attempts=1 if state in (TargetState.PUBLISHED, TargetState.FAILED) else 0,
        last_error=(
            "The server answered 503 Service Unavailable three times. Try again or reschedule."
            if state == TargetState.FAILED
            else "The computer was off at the planned time."
            if state == TargetState.MISSED
            else ""
        ),
        published_at=when if published else None,
        created_at=now,
        updated_at=now,
    )


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


def _build_inbox(
    s: Session, b: _Brand, channels: list[Channel], now: datetime
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
