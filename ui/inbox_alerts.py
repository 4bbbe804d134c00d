"""New inbox items become one notification per batch, and the count of waiting items a badge.

``InboxAlerts`` listens for the inbox's change sets (kind ``"inbox_item"``). A poll of several
channels writes in bursts, so it waits ``BATCH_MS`` after the first change before looking, and
leaves at least ``MIN_GAP_MS`` between two inbox notifications: whatever arrives meanwhile joins
the next batch. One look is one claim (``cmdesk/services/notification_claims.py``): the window
announces only what neither it nor the daemon announced before, so nothing is told twice. It
also looks every ``POLL_MS``, because items that the daemon fetched reach this process through
the database only, with no change set.

During quiet hours it claims nothing: the items stay unannounced in the database (a restart
loses nothing), and the first look after quiet hours end announces them in one notification.

``InboxBadge`` counts the unread items of every workspace for the tray icon (and the window's
title, if the window wants it), again on change sets and every ``POLL_MS``.

``AlertWordAlerts`` watches new inbox items and listened posts for the ``alert_words`` setting:
a match raises one critical notification (``critical=True``: quiet hours never hold it) naming the
word, the author and the channel. Its claim (``cmdesk/listening/alert_claims.py``) is separate
from the inbox's, so a crisis word is told even when the batch notification was already shown,
and never twice, whichever process looks first.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Signal

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from cmdesk.listening.alert_claims import AlertClaim, AlertWordClaims, describe_alert
from cmdesk.listening.alert_words import parse
from cmdesk.services.alerts import AlertService, QuietHours
from cmdesk.services.notification_claims import InboxClaim, NotificationClaims, describe_claim
from ui.hub_watcher import HubWatcher
from ui.notifier import Notification, NotificationKind, Notifier

log = logging.getLogger(__name__)

#: Wait this long after the first new item of a burst before announcing it.
BATCH_MS = 2_000
#: At most one inbox notification per this interval; later items wait for the next batch.
MIN_GAP_MS = 60_000
#: Another process (the daemon) may have fetched items: look this often anyway.
POLL_MS = 60_000
#: The badge follows the inbox's changes a moment later, once per burst.
BADGE_DELAY_MS = 500


def install_quiet_hours(notifier: Notifier, ctx: AppContext) -> None:
    """Make ``notifier`` hold notifications during the quiet hours set in Settings."""

    def read() -> QuietHours:
        return QuietHours.from_settings(ctx.settings.all())

    notifier.set_quiet_hours(read, ctx.clock)


def _one_workspace(ids: set[int]) -> int | None:
    """The workspace a notification opens: only when all it speaks of is in one."""
    return next(iter(ids)) if len(ids) == 1 else None


class InboxAlerts(HubWatcher):
    """Announces new inbox items, one notification per batch.

    Signals:
        announced(object): the ``InboxClaim`` just announced.
    """

    announced = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        notifier: Notifier,
        parent: QObject | None = None,
        *,
        claims: NotificationClaims | None = None,
        batch_ms: int = BATCH_MS,
        min_gap_ms: int = MIN_GAP_MS,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(ctx, parent, fire=self.check, poll=self.schedule, poll_ms=poll_ms)
        self._notifier = notifier
        self._claims = claims or NotificationClaims(ctx.db, ctx.clock, ctx.hub)
        self._batch_ms = batch_ms
        self._min_gap_ms = min_gap_ms
        self._last_shown: float | None = None
        notifier.quiet_ended.connect(self.schedule)

    # --- public ------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin announcing; items that arrived before the very first start are not news."""
        try:
            self._claims.start_listening()
        except Exception:
            log.exception("could not read which inbox items were announced")
        self._poll.start()
        self.schedule()

    def on_changes(self, changes: ChangeSet) -> None:
        if changes.ids("inbox_item", "created"):
            self.schedule()

    def schedule(self) -> None:
        """Look soon: after the batch delay, and not sooner than the gap after the last one."""
        if self._closed or self._timer.isActive():
            return  # a look is already due: this change joins its batch
        wait = self._batch_ms
        if self._last_shown is not None:
            since_ms = (time.monotonic() - self._last_shown) * 1000
            wait = max(wait, int(self._min_gap_ms - since_ms))
        self._timer.start(wait)

    def check(self) -> Notification | None:
        """Claim and announce what arrived; returns the notification, if any was due."""
        if self._closed or self._notifier.is_quiet():
            return None
        try:
            claim = self._claims.claim_inbox()
        except Exception:
            # A notification is a courtesy: a failing read must not break the window.
            log.exception("could not claim the new inbox items")
            return None
        if not claim.count:
            return None
        note = self._announce(claim)
        self._last_shown = time.monotonic()
        self.announced.emit(claim)
        return note

    # --- internals ---------------------------------------------------------------------------

    def _announce(self, claim: InboxClaim) -> Notification:
        title, message = describe_claim(claim)
        return self._notifier.notify(
            title,
            message,
            NotificationKind.INFO,
            workspace_id=_one_workspace({a.workspace_id for a in claim.arrivals}),
            inbox_item_ids=claim.item_ids,
        )


class InboxBadge(HubWatcher):
    """How many inbox items wait unread, across every workspace.

    Signals:
        count_changed(int): the number changed (also emitted by the first ``refresh``).
    """

    count_changed = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        *,
        alerts: AlertService | None = None,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(ctx, parent, fire=self.refresh, poll=self.refresh, poll_ms=poll_ms)
        self._alerts = alerts or AlertService(ctx.db, ctx.clock, ctx.hub)
        self.count: int | None = None
        self._timer.setInterval(BADGE_DELAY_MS)
        self._poll.start()

    def on_changes(self, changes: ChangeSet) -> None:
        # A removed channel takes its items out of the count too.
        if changes.ids("inbox_item") or changes.ids("channel"):
            self._timer.start()

    def refresh(self) -> int:
        """Count again; signals when the number changed. Returns it."""
        try:
            count = self._alerts.inbox_waiting()
        except Exception:
            log.exception("could not count the waiting inbox items")
            return self.count or 0
        if count != self.count:
            self.count = count
            self.count_changed.emit(count)
        return count


class AlertWordAlerts(HubWatcher):
    """Announces alert words found in new mentions, replies and listened posts.

    Signals:
        alerted(object): the ``AlertClaim`` just announced.
    """

    alerted = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        notifier: Notifier,
        parent: QObject | None = None,
        *,
        claims: AlertWordClaims | None = None,
        batch_ms: int = BATCH_MS,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(ctx, parent, fire=self.check, poll=self.check, poll_ms=poll_ms)
        self._ctx = ctx
        self._notifier = notifier
        self._claims = claims or AlertWordClaims(ctx.db, ctx.clock, ctx.hub)
        self._timer.setInterval(batch_ms)

    def start(self) -> None:
        """Begin watching; what arrived before the very first start is not scanned."""
        self.check()
        self._poll.start()

    def on_changes(self, changes: ChangeSet) -> None:
        arrived = changes.ids("inbox_item", "created") or changes.ids("listened_post", "created")
        if arrived and not self._closed and not self._timer.isActive():
            self._timer.start()

    def check(self) -> Notification | None:
        """Claim what arrived and announce any alert word in it; returns the notification."""
        if self._closed:
            return None
        try:
            words = parse(str(self._ctx.settings.get("alert_words") or ""))
            claim = self._claims.claim(words)
        except Exception:
            log.exception("could not look for alert words")
            return None
        if not claim.matches:
            return None
        note = self._announce(claim)
        self.alerted.emit(claim)
        return note

    def _announce(self, claim: AlertClaim) -> Notification:
        title, message = describe_alert(claim)
        first = claim.matches[0]
        return self._notifier.notify(
            title,
            message,
            NotificationKind.WARNING,
            workspace_id=_one_workspace({m.workspace_id for m in claim.matches}),
            inbox_item_ids=claim.inbox_item_ids,
            channel_id=None if claim.inbox_item_ids else first.channel_id,
            critical=True,
        )
