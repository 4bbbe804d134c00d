"""Failed, missed and undecided posts raise a notification, once each.

``PublishingAlerts`` watches the change sets for deliveries (targets) and, a moment after a
burst, asks the alert service what went wrong since the session began. Each delivery is
announced once while it stays in a problem state; if it leaves that state and goes wrong again,
it is announced again. Problems from every workspace are announced, naming the brand, because a
community manager looks after several.

What was announced is remembered across starts in the ``alerts_seen_until`` setting, so the
next start announces only what went wrong while cmdesk was closed (a daemon may have kept
publishing), and nothing twice. Many problems at once become one summary, not a flood.

A channel whose sign-in was refused (its health turned ``needs_reauth``, here or in the daemon)
is announced once when that happens; channels that needed it already when the window opened are
not news (their failed posts were). Failed posts are urgent: with the person's leave
(``quiet_hours_failures``) they come through quiet hours; the rest waits for the summary.

What quiet hours hold is not lost if cmdesk quits before they end: each held delivery (with the
time it went wrong) and channel is written to the ``alerts_held`` setting, and forgotten only once
the notifier has shown the summary. The next start looks back far enough to announce the held
deliveries again (and only them, not what was shown before) and counts held channels as news.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QObject, Signal

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from cmdesk.services.alerts import AlertService, DeliveryProblem, SigninProblem
from cmdesk.status import TargetState
from ui.hub_watcher import HubWatcher
from ui.notifier import Notification, NotificationKind, Notifier, Surface

log = logging.getLogger(__name__)

SEEN_SETTING = "alerts_seen_until"
HELD_SETTING = "alerts_held"
#: More new problems than this at once are announced as one summary.
MAX_SEPARATE = 3
#: Publications finish in bursts: wait this long after the last change set before looking.
SETTLE_MS = 300
#: A daemon's failures reach this process through the database only: look this often too.
POLL_MS = 60_000

_TITLES = {
    TargetState.FAILED: "A post failed",
    TargetState.MISSED: "A post missed its time",
    TargetState.NEEDS_CONFIRMATION: "Did this post go out?",
}
_KINDS = {
    TargetState.FAILED: NotificationKind.ERROR,
    TargetState.MISSED: NotificationKind.WARNING,
    TargetState.NEEDS_CONFIRMATION: NotificationKind.WARNING,
}


def describe(problem: DeliveryProblem) -> tuple[str, str]:
    """The title and message of one problem's notification."""
    title = f"{_TITLES[problem.state]} — {problem.workspace_name}"
    message = f"“{problem.post_label}” on {problem.channel_name}"
    if problem.error:
        message += f": {problem.error}"
    return title, message


def describe_signin(problem: SigninProblem) -> tuple[str, str]:
    """The title and message of a channel that needs signing in again."""
    reason = problem.detail.strip() or "The network refused its sign-in."
    title = f"Sign in again to {problem.channel_name}"
    message = (
        f"{problem.workspace_name}: {reason} Its posts wait until you reconnect it in Channels."
    )
    return title, message


def summarize(problems: Sequence[DeliveryProblem]) -> tuple[str, str, NotificationKind]:
    """One title, message and kind for many problems at once."""
    brands = sorted({p.workspace_name for p in problems})
    failed = sum(p.state is TargetState.FAILED for p in problems)
    missed = sum(p.state is TargetState.MISSED for p in problems)
    undecided = len(problems) - failed - missed
    parts = [
        f"{n} {word}"
        for n, word in ((failed, "failed"), (missed, "missed"), (undecided, "need a decision"))
        if n
    ]
    title = f"{len(problems)} posts need your attention"
    message = f"{', '.join(parts)} — {', '.join(brands)}."
    kind = NotificationKind.ERROR if failed else NotificationKind.WARNING
    return title, message, kind


class PublishingAlerts(HubWatcher):
    """Turns deliveries that went wrong into notifications.

    Signals:
        announced(object): the tuple of ``DeliveryProblem`` just announced (one notification,
            or one summary for several).
    """

    announced = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        notifier: Notifier,
        parent: QObject | None = None,
        *,
        alerts: AlertService | None = None,
    ) -> None:
        super().__init__(ctx, parent, fire=self.check, poll=self.check, poll_ms=POLL_MS)
        self._ctx = ctx
        self._notifier = notifier
        # The lead may add the service to AppContext; until then it is built on the same database.
        self._alerts = alerts or AlertService(ctx.db, ctx.clock, ctx.hub)
        self._held = HeldAlerts(ctx)
        self._seen = self._load_watermark()
        # Look back far enough to find what the last run held and never showed.
        self._since = min([self._seen, *(at - _TICK for at in self._held.targets.values())])
        #: target id -> the problem state it was announced in.
        self._announced: dict[int, TargetState] = {}
        #: Channels known to need signing in (None until the first look).
        self._signin: set[int] | None = None
        self._timer.setInterval(SETTLE_MS)
        notifier.quiet_ended.connect(self._held.clear)
        self.check_signin()  # what needs signing in already is not news (unless it was held)

    # --- public ------------------------------------------------------------------------------

    def start(self) -> None:
        """Announce what went wrong while cmdesk was closed (soon, once the window is up).

        From then on, also look every minute for what another process (the daemon) changed.
        """
        self._timer.start()
        self._poll.start()

    def on_changes(self, changes: ChangeSet) -> None:
        if (changes.ids("target") or changes.ids("channel")) and not self._closed:
            self._timer.start()

    def check(self) -> list[Notification]:
        """Announce the problems not announced yet; returns the notifications shown."""
        return self._check_deliveries() + self.check_signin()

    def check_signin(self) -> list[Notification]:
        """Announce channels that came to need signing in again since the last look."""
        try:
            problems = self._alerts.channels_needing_signin()
        except Exception:
            log.exception("could not read the channels' health")
            return []
        current = {p.channel_id for p in problems}
        known, self._signin = self._signin, current
        if known is None:
            # The first look: these were not news, except those the last run held back, which
            # the next look announces (once the window is up to show them).
            self._signin = current - self._held.channels
            return []
        shown = []
        for p in problems:
            if p.channel_id not in known:
                title, message = describe_signin(p)
                note = self._notifier.notify(
                    title,
                    message,
                    NotificationKind.WARNING,
                    workspace_id=p.workspace_id,
                    channel_id=p.channel_id,
                )
                self._held.settle_channel(p.channel_id, held=note.shown_in is Surface.HELD)
                shown.append(note)
        return shown

    def _check_deliveries(self) -> list[Notification]:
        try:
            problems = self._alerts.problems_since(self._since)
        except Exception:
            # A notification is a courtesy: a failing read must not break the window.
            log.exception("could not read the deliveries that went wrong")
            return []
        current = {p.target_id: p.state for p in problems}
        # A delivery that left its problem state (rescheduled, confirmed) may be announced again.
        self._announced = {t: s for t, s in self._announced.items() if current.get(t) == s}
        fresh = [
            p
            for p in problems
            if self._announced.get(p.target_id) != p.state
            and (p.at > self._seen or p.target_id in self._held.targets)
        ]
        if not fresh:
            return []
        for p in fresh:
            self._announced[p.target_id] = p.state
        shown = self._announce(fresh)
        self._save_watermark(max(p.at for p in fresh))
        self.announced.emit(tuple(fresh))
        return shown

    # --- internals ---------------------------------------------------------------------------

    def _announce(self, fresh: Sequence[DeliveryProblem]) -> list[Notification]:
        if len(fresh) > MAX_SEPARATE:
            title, message, kind = summarize(fresh)
            urgent = any(p.state is TargetState.FAILED for p in fresh)
            note = self._notifier.notify(title, message, kind, urgent=urgent)
            self._held.settle_targets(fresh, held=note.shown_in is Surface.HELD)
            return [note]
        shown = []
        for p in fresh:
            title, message = describe(p)
            note = self._notifier.notify(
                title,
                message,
                _KINDS[p.state],
                post_id=p.post_id,
                workspace_id=p.workspace_id,
                urgent=p.state is TargetState.FAILED,
            )
            self._held.settle_targets([p], held=note.shown_in is Surface.HELD)
            shown.append(note)
        return shown

    def _stored_watermark(self) -> datetime | None:
        return _parse_utc(str(self._ctx.settings.get(SEEN_SETTING) or ""))

    def _load_watermark(self) -> datetime:
        seen = self._stored_watermark()
        if seen is None:
            # First start (or a damaged value): what went wrong before now is not news.
            now = self._ctx.clock.now()
            self._save_watermark(now)
            return now
        return seen

    def _save_watermark(self, when: datetime) -> None:
        stored = self._stored_watermark()
        if stored is not None and stored >= when:
            return  # never move it back (another window may have gone further)
        try:
            self._ctx.settings.set(SEEN_SETTING, when.astimezone(UTC).isoformat())
        except Exception:
            log.exception("could not remember which alerts were shown")


#: problems_since is exclusive: look back one tick before a held delivery's time to find it.
_TICK = timedelta(microseconds=1)


def _parse_utc(raw: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return when.astimezone(UTC) if when is not None and when.tzinfo is not None else None


class HeldAlerts:
    """The deliveries and channels whose notifications quiet hours hold, kept in a setting.

    The text is ``t<target id>@<ISO time it went wrong>`` and ``c<channel id>`` items separated
    by spaces. A damaged value is read as nothing held (a courtesy lost, never an error).
    """

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self.targets: dict[int, datetime] = {}
        self.channels: set[int] = set()
        try:
            raw = str(ctx.settings.get(HELD_SETTING) or "")
        except Exception:
            log.exception("could not read the notifications held in quiet hours")
            raw = ""
        for item in raw.split():
            key, _, when = item.partition("@")
            at = _parse_utc(when)
            if key[:1] == "t" and key[1:].isdigit() and at is not None:
                self.targets[int(key[1:])] = at
            elif key[:1] == "c" and key[1:].isdigit():
                self.channels.add(int(key[1:]))

    def settle_targets(self, problems: Sequence[DeliveryProblem], *, held: bool) -> None:
        """Remember these deliveries as held, or forget them once they were shown."""
        before = dict(self.targets)
        for p in problems:
            if held:
                self.targets[p.target_id] = p.at.astimezone(UTC)
            else:
                self.targets.pop(p.target_id, None)
        if self.targets != before:
            self._save()

    def settle_channel(self, channel_id: int, *, held: bool) -> None:
        """Remember this channel's sign-in notification as held, or forget it once shown."""
        if held == (channel_id in self.channels):
            return
        if held:
            self.channels.add(channel_id)
        else:
            self.channels.discard(channel_id)
        self._save()

    def clear(self) -> None:
        """The notifier showed what it held (quiet hours ended): nothing is owed any more."""
        if self.targets or self.channels:
            self.targets.clear()
            self.channels.clear()
            self._save()

    def _save(self) -> None:
        items = [f"t{t}@{at.isoformat()}" for t, at in sorted(self.targets.items())]
        items += [f"c{c}" for c in sorted(self.channels)]
        try:
            self._ctx.settings.set(HELD_SETTING, " ".join(items))
        except Exception:
            log.exception("could not remember the notifications held in quiet hours")
