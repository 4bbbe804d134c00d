"""``cmdesk daemon``: the publishing engine without a window, for a machine that stays on.

It runs until SIGTERM or SIGINT; then it stops claiming, lets the publishes under way finish (or,
past a time limit, leaves them to be resumed from their outbox state) and releases what it holds,
so another process can take over at once. One log line per publish attempt goes to standard
error and to the log file; no secret is ever logged. The inbox of every channel is polled too
(``cmdesk.inbox_poller``), every ``inbox_poll_minutes``, and the engagement of published posts is
read at 1 hour, 1 day and 7 days (``cmdesk.metrics_poller``). The plan's upkeep runs on one
housekeeper (``cmdesk.upkeep``): feeds, recurring and evergreen posts, the subscribed calendar
file, automatic backups, listening's pruning and routine reminders (through ``notify-send``).
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from cmdesk.commands.common import context
from cmdesk.inbox_poller import InboxPoller
from cmdesk.listening.alert_claims import AlertWordClaims
from cmdesk.listening.daemon_alerts import DaemonAlertWords
from cmdesk.metrics_poller import MetricsPoller
from cmdesk.scheduler import PublishingEngine
from cmdesk.services.desktop_notify import DaemonAnnouncer
from cmdesk.services.notification_claims import NotificationClaims
from cmdesk.upkeep import build_housekeeper

log = logging.getLogger("cmdesk.publish")


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    daemon = sub.add_parser("daemon", parents=common, help="publish due posts until stopped")
    daemon.add_argument("--workers", type=int, default=8, help="publishes at once (default 8)")
    daemon.set_defaults(handler=cmd_daemon)


def cmd_daemon(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; finishing what is under way", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with context(args) as ctx:
        engine = PublishingEngine(
            ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=max(1, args.workers)
        )
        engine.start()
        poller = InboxPoller(ctx.inbox, ctx.settings, ctx.hub, listening=ctx.listening)
        poller.start()
        metrics = MetricsPoller(ctx.metrics)
        metrics.start()
        # Feeds, recurring posts, the calendar file, backups, listening and routine reminders.
        keeper = build_housekeeper(ctx, daemon=True)
        keeper.start()
        # New replies are announced on the desktop (notify-send) unless a window does it first.
        announcer = DaemonAnnouncer(
            NotificationClaims(ctx.db, ctx.clock, ctx.hub), ctx.settings, ctx.clock
        )
        words = DaemonAlertWords(
            AlertWordClaims(ctx.db, ctx.clock, ctx.hub), ctx.settings, ctx.clock
        )
        log.info("daemon started on %s with %d workers", ctx.db.display_url, engine.workers)
        while not stop.wait(1.0):
            announcer.tick()
            words.tick()
        keeper.stop(wait=True)
        metrics.stop(wait=True)
        poller.stop(wait=True)
        engine.stop(wait=True)
        log.info("daemon stopped")
    return 0
