"""The daemon's announcements of new inbox items, through ``notify-send`` when there is one.

``cmdesk daemon`` has no window and no tray. On a desktop session it can still tell the person
that replies arrived, through the freedesktop notification service (``notify-send``). Where it
cannot show anything (no ``notify-send``, no session bus: a bare server) it claims nothing, so
the window announces those items when it next looks.

When a window is open it is the better messenger: its notification opens the inbox at those
items. The daemon therefore waits ``DAEMON_DELAY`` after it first sees unannounced items before
claiming them; a window checks far more often and claims them first. Quiet hours hold the
daemon too: it claims nothing then, and the first look after them announces the lot at once.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta

from cmdesk.clock import Clock
from cmdesk.services.alerts import QuietHours
from cmdesk.services.notification_claims import NotificationClaims, describe_claim
from cmdesk.services.settings import SettingsService

log = logging.getLogger(__name__)

#: A window checks every minute; the daemon leaves it that long and more.
DAEMON_DELAY = timedelta(minutes=2)
#: How often ``tick`` really looks at the database.
LOOK_EVERY = timedelta(seconds=30)

#: Shows one notification (title, message); returns whether it was shown.
Show = Callable[[str, str], bool]


def notify_send_available() -> bool:
    """Whether ``notify-send`` exists and a desktop session bus is there to carry it."""
    return shutil.which("notify-send") is not None and bool(
        os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.environ.get("XDG_RUNTIME_DIR")
    )


def notify_send(title: str, message: str) -> bool:
    """Show a desktop notification; False when it could not be shown."""
    try:
        done = subprocess.run(
            ["notify-send", "--app-name=cmdesk", "--icon=cmdesk", title, message],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        log.warning("notify-send could not be run")
        return False
    if done.returncode != 0:
        log.warning("notify-send failed with status %d", done.returncode)
    return done.returncode == 0


class DaemonAnnouncer:
    """Announces new inbox items from the daemon; call ``tick`` often (it paces itself)."""

    def __init__(
        self,
        claims: NotificationClaims,
        settings: SettingsService,
        clock: Clock,
        *,
        show: Show | None = None,
        available: Callable[[], bool] = notify_send_available,
    ) -> None:
        self._claims = claims
        self._settings = settings
        self._clock = clock
        self._show = show or notify_send
        self._available = available
        self._last_look: datetime | None = None
        self._listening = False
        #: The mark and the newest unannounced item when they were first seen, and when.
        self._waiting: tuple[int, int, datetime] | None = None

    def tick(self) -> bool:
        """Look (at most every ``LOOK_EVERY``); returns whether a notification was shown."""
        now = self._clock.now()
        if self._last_look is not None and now - self._last_look < LOOK_EVERY:
            return False
        self._last_look = now
        try:
            return self._look(now)
        except Exception:
            # Announcing is a courtesy: the daemon's publishing must go on.
            log.exception("could not announce new inbox items")
            return False

    def _look(self, now: datetime) -> bool:
        if not self._available():
            return False  # nothing could be shown: leave the items to a window
        if not self._listening:
            self._claims.start_listening()
            self._listening = True
        if QuietHours.from_settings(self._settings.all()).active(now):
            return False
        pending = self._claims.pending()
        if pending is None:
            self._waiting = None
            return False
        mark, newest = pending
        if self._waiting is None or self._waiting[0] != mark:
            # First seen now, or a window announced some meanwhile: the wait starts again.
            self._waiting = (mark, newest, now)
        _, upto, since = self._waiting
        if now - since < DAEMON_DELAY:
            return False
        self._waiting = None
        claim = self._claims.claim_inbox(through=upto)
        if not claim.count:
            return False
        title, message = describe_claim(claim)
        if self._show(title, message):
            log.info("announced %d new inbox items", claim.count)
            return True
        self._claims.release(claim)
        return False
