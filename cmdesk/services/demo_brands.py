"""The demo's two brands: a bakery in Madrid and a bookshop in Brooklyn, with what they post."""

from __future__ import annotations

from dataclasses import dataclass

from cmdesk.status import PostStatus


@dataclass(frozen=True)
class Brand:
    """One demo brand: its workspace, channels, campaigns, labels and what it posts about."""

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


ESPIGA = Brand(
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

HARBOR = Brand(
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
TAG_COLORS = ("#7f8c8d", "#5d6d7e", "#a04000", "#1e8449", "#6c3483", "#b7950b")

FUTURE_STATUSES = (
    [PostStatus.SCHEDULED] * 10
    + [PostStatus.APPROVED] * 3
    + [PostStatus.IN_REVIEW] * 3
    + [PostStatus.DRAFT] * 4
)
