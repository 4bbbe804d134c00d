"""The daemon's alert-word notifications, through ``notify-send`` when there is one.

The window announces alert words itself (``ui/inbox_alerts.py: AlertWordAlerts``); the daemon,
running alone, does it with this. Both claim through ``AlertWordClaims``, so a match is told by
whichever looks first and never twice. Where nothing can be shown (no ``notify-send``, no
session bus) it claims nothing and leaves the matches to a window. Alert words are urgent: quiet
hours do not hold them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from cmdesk.clock import Clock
from cmdesk.listening.alert_claims import AlertWordClaims, describe_alert
from cmdesk.listening.alert_words import parse
from cmdesk.services.desktop_notify import Show, notify_send, notify_send_available
from cmdesk.services.settings import SettingsService

log = logging.getLogger(__name__)

LOOK_EVERY = timedelta(seconds=30)


class DaemonAlertWords:
    """Looks for alert words in what arrived; call ``tick`` often (it paces itself)."""

    def __init__(
        self,
        claims: AlertWordClaims,
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

    def tick(self) -> bool:
        """Look (at most every ``LOOK_EVERY``); returns whether a notification was shown."""
        now = self._clock.now()
        if self._last_look is not None and now - self._last_look < LOOK_EVERY:
            return False
        self._last_look = now
        try:
            if not self._available():
                return False
            words = parse(str(self._settings.get("alert_words") or ""))
            claim = self._claims.claim(words)
            if not claim.matches:
                return False
            title, message = describe_alert(claim)
            if self._show(title, message):
                log.info("announced alert words in %d new posts", len(claim.matches))
                return True
            self._claims.release(claim)
            return False
        except Exception:
            log.exception("could not look for alert words")
            return False
