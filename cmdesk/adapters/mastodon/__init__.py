"""Mastodon and the servers that speak its client API: limits, validation, publishing, hand-off.

Facts come from ``reference/networks.md`` section 1 (cited as "1.x" in comments) and the sources it
cites; where the reference was silent, the choice made is written next to the code.

**Secret** (``credentials.read()``): ``{"access_token": str, ...}``. Only ``access_token`` is used
by the adapter; :mod:`cmdesk.adapters.mastodon.auth` also stores ``token_type``, ``scope``,
``created_at``, ``client_id`` and ``client_secret`` (needed to revoke the token). Mastodon tokens
do not expire and have no refresh token (1.1), so nothing is ever written back.

The modules, by what they do:

* :mod:`.adapter`: :class:`MastodonAdapter`, the adapter protocol wired to the steps below;
* :mod:`.api`: one channel's authenticated calls, and what the server's refusals mean;
* :mod:`.limits`: software detection, the instance document and the channel's limits dict
  (its fields are listed there);
* :mod:`.validation`: a post checked against those limits before it is sent;
* :mod:`.publication`: one ``publish`` call, a thread part by part or a hand-off (1.5);
* :mod:`.state`: the outbox checkpoint a retry resumes from (its format is described there);
* :mod:`.reconcile`: finding a status that may exist after an unclear send;
* :mod:`.media`: uploads and the wait while the server processes them (1.6);
* :mod:`.timestamps`: ISO 8601 as Mastodon writes it;
* :mod:`.auth`: connecting an account (server check, app registration, browser sign-in), with
  :mod:`.server`, :mod:`.oauth` and :mod:`.loopback`.
"""

from cmdesk.adapters.mastodon.adapter import HANDOFF_GRACE, NETWORK, MastodonAdapter
from cmdesk.adapters.mastodon.api import PAGE_SIZE
from cmdesk.adapters.mastodon.limits import (
    SCHEDULE_MARGIN,
    SCHEDULE_MIN_LEAD,
    detect_software,
    limits_from_instance,
)
from cmdesk.adapters.mastodon.media import MEDIA_DEADLINE
from cmdesk.adapters.mastodon.publication import IDEMPOTENCY_WINDOW
from cmdesk.adapters.mastodon.reconcile import (
    CLOCK_MARGIN,
    RECONCILE_PAGES,
    SCHEDULED_PAGES,
    SETTLE_TIME,
    SOURCE_CHECKS,
)
from cmdesk.adapters.mastodon.state import STATE_FORMAT
from cmdesk.adapters.mastodon.validation import VISIBILITIES

__all__ = [
    "CLOCK_MARGIN",
    "HANDOFF_GRACE",
    "IDEMPOTENCY_WINDOW",
    "MEDIA_DEADLINE",
    "NETWORK",
    "PAGE_SIZE",
    "RECONCILE_PAGES",
    "SCHEDULED_PAGES",
    "SCHEDULE_MARGIN",
    "SCHEDULE_MIN_LEAD",
    "SETTLE_TIME",
    "SOURCE_CHECKS",
    "STATE_FORMAT",
    "VISIBILITIES",
    "MastodonAdapter",
    "detect_software",
    "limits_from_instance",
]
