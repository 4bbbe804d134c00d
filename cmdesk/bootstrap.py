"""The composition root: builds the database, clock, credential store, event hub and services.

Everything the GUI, the CLI and the daemon use is made here once and handed over as an
``AppContext``; nothing else constructs services, so tests can swap the clock or the credential
store in one place.
"""

from __future__ import annotations

import logging
import logging.handlers
from dataclasses import dataclass

from cmdesk.adapters.registry import AdapterRegistry, default_registry
from cmdesk.clock import Clock, SystemClock
from cmdesk.credentials import CredentialStore, KeyringCredentialStore
from cmdesk.db import Database, normalize_url, open_database
from cmdesk.events import EventHub
from cmdesk.paths import data_dir, default_database_url, log_dir
from cmdesk.services import (
    ChannelService,
    DemoService,
    PlanService,
    SettingsService,
    WorkspaceService,
)
from cmdesk.services.backups import BackupService
from cmdesk.services.campaigns import CampaignService
from cmdesk.services.composer import ComposerService
from cmdesk.services.connections import ConnectionService
from cmdesk.services.exchange import ExchangeService
from cmdesk.services.history import HistoryService
from cmdesk.services.ideas import IdeaService
from cmdesk.services.inbox import InboxService
from cmdesk.services.library import LibraryService
from cmdesk.services.listening import ListeningService
from cmdesk.services.media import MediaService
from cmdesk.services.metrics import MetricsService
from cmdesk.services.publishing import PublishingService
from cmdesk.services.queues import QueueService
from cmdesk.services.routine import RoutineService
from cmdesk.services.series import SeriesService


@dataclass
class AppContext:
    """The application's services, sharing one database, clock and event hub."""

    db: Database
    clock: Clock
    hub: EventHub
    credentials: CredentialStore
    workspaces: WorkspaceService
    channels: ChannelService
    plan: PlanService
    settings: SettingsService
    demo: DemoService
    media: MediaService
    publishing: PublishingService
    adapters: AdapterRegistry
    connections: ConnectionService
    history: HistoryService
    composer: ComposerService
    inbox: InboxService
    listening: ListeningService
    metrics: MetricsService
    queues: QueueService
    library: LibraryService
    campaigns: CampaignService
    ideas: IdeaService
    routine: RoutineService
    backups: BackupService
    exchange: ExchangeService
    series: SeriesService

    def close(self) -> None:
        self.db.dispose()


def build_context(
    db_url: str | None = None,
    *,
    clock: Clock | None = None,
    credentials: CredentialStore | None = None,
    adapters: AdapterRegistry | None = None,
    migrate: bool = True,
) -> AppContext:
    """Open the database (upgrading it) and wire the services. Raises ``UserError`` subclasses."""
    url = normalize_url(db_url) if db_url else default_database_url()
    db = open_database(url, migrate=migrate)
    clock = clock or SystemClock()
    hub = EventHub()
    creds = credentials or KeyringCredentialStore()
    media_root = data_dir() / "media"
    registry = adapters or default_registry()
    channels = ChannelService(db, clock, hub, creds, registry.networks)
    publishing = PublishingService(db, clock, hub, creds, media_root)
    settings = SettingsService(db, clock, hub)
    return AppContext(
        db=db,
        clock=clock,
        hub=hub,
        credentials=creds,
        workspaces=WorkspaceService(db, clock, hub, creds),
        channels=channels,
        plan=PlanService(db, clock, hub),
        settings=settings,
        demo=DemoService(db, clock, hub),
        media=MediaService(db, clock, hub, media_root),
        publishing=publishing,
        adapters=registry,
        connections=ConnectionService(channels, publishing, registry),
        history=HistoryService(db, clock, hub),
        composer=ComposerService(
            db, clock, hub, registry, MediaService(db, clock, hub, media_root)
        ),
        inbox=InboxService(db, clock, hub, creds, registry),
        listening=ListeningService(db, clock, hub, creds, registry),
        metrics=MetricsService(db, clock, hub, creds, registry),
        queues=QueueService(db, clock, hub),
        library=LibraryService(db, clock, hub),
        campaigns=CampaignService(db, clock, hub),
        ideas=IdeaService(db, clock, hub),
        routine=RoutineService(db, clock, hub),
        backups=BackupService(
            db, clock, hub, data_dir() / "backups", keep=lambda: settings.get("backup_keep")
        ),
        exchange=ExchangeService(db, clock, hub, registry, media_root),
        series=SeriesService(db, clock, hub),
    )


def setup_logging(*, debug: bool = False, to_file: bool = True, verbose: bool = False) -> None:
    """Log to stderr and to a rotating file.

    Standard error gets warnings, information too when ``verbose`` (the daemon), everything with
    ``debug``.
    """
    root = logging.getLogger()
    if getattr(root, "_cmdesk_configured", False):
        return
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # Libraries' chatter stays out of the daemon's one-line-per-attempt log.
    for noisy in ("apscheduler", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.WARNING)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    if to_file:
        try:
            folder = log_dir()
            folder.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                folder / "cmdesk.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
            )
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
            root.addHandler(handler)
        except OSError:
            logging.getLogger(__name__).warning("cannot write the log file; logging to stderr only")
    root._cmdesk_configured = True  # type: ignore[attr-defined]
