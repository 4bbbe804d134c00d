"""Arrivals become visible in id order, so a claim "everything up to id N" misses nothing.

The claims on announcing what arrived (``cmdesk/services/notification_claims.py`` for the inbox,
``cmdesk/listening/alert_claims.py`` for alert words) keep a mark: the highest inbox item (or
listened post) id already handled. A claim reads ``max(id)``, takes every row between the mark
and it, and moves the mark there. That is only right if no row at or below ``max(id)`` can
still appear after the claim has looked.

On PostgreSQL it can. Ids come from a sequence when a row is inserted, not when its transaction
commits, and the window and ``cmdesk daemon`` poll at the same time. The window inserts item 41
and has not committed yet (it still moves the channel's cursor); the daemon inserts item 42 and
commits; a claim now sees 42 as the newest, announces it and sets the mark to 42. Item 41
commits a moment later, below the mark: never announced, by either.

``hold_arrivals`` closes the gap with one transaction-scoped advisory lock, taken by every
transaction that inserts arrivals (before the insert, so before its ids are drawn) and by every
claim (before it reads ``max(id)``). Inserts therefore draw their ids and commit one transaction
after another: what is committed is always every id up to some point (a rolled-back insert
leaves only a harmless hole), never 42 without 41. A claim takes its turn too, so instead of
looking past an insert in progress it waits for it to commit and announces its items at once.
The lock goes with the commit or rollback itself, so an error cannot leave it held. Under
PostgreSQL's default READ COMMITTED each statement sees what committed before it began, so the
claim's ``max(id)``, read after the lock was granted, includes the insert it waited for.

The lock serialises only these short transactions (store a page of items, move a mark); readers
of the inbox never take it. The demo workspace's items (``cmdesk/services/demo.py``) go in
without it: at worst a demo item goes unannounced.

SQLite needs nothing here: cmdesk's write transactions there begin with ``BEGIN IMMEDIATE``
(``cmdesk/db.py``), so only one runs at a time across every process, and a claim's write
transaction can never overlap an uncommitted insert.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

#: The advisory lock's key: any fixed 64-bit number other code on the database does not use.
#: These are the bytes of "cmdesk", then 0x0001 (the first, and so far only, cmdesk lock).
ARRIVALS_LOCK_KEY = 0x636D_6465_736B_0001


def hold_arrivals(s: Session) -> None:
    """Wait for, then hold until the end of ``s``'s transaction, the turn to insert or claim.

    Call it in a write transaction, before inserting inbox items or listened posts, and before
    a claim reads the newest id. A no-op on SQLite (see the module docstring).
    """
    if s.get_bind().dialect.name != "postgresql":
        return
    s.execute(select(func.pg_advisory_xact_lock(ARRIVALS_LOCK_KEY)))
