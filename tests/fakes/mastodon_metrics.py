"""The engagement half of the fake Mastodon: counts on statuses and the batch status read.

Mixed into :class:`tests.fakes.mastodon_server.FakeMastodon`. ``reference/networks.md`` 1.10:
``GET /api/v1/statuses?id[]=...`` (4.3+) answers the statuses it can show and silently leaves
out the others; an older server has no such path (``batch_statuses = False`` answers 404, as
Mastodon's router does). Counts are set with :meth:`set_counts`.
"""

from __future__ import annotations

from typing import Any

#: Mastodon's StatusesController#index reads at most this many ids.
BATCH_LIMIT = 20


class MastodonMetricsMixin:
    """Counts on the fake's statuses (state under the server's lock)."""

    _lock: Any
    _statuses: list[dict[str, Any]]
    #: False: the server predates ``GET /api/v1/statuses`` (Mastodon < 4.3, GoToSocial).
    batch_statuses: bool = True

    def set_counts(
        self,
        status_id: str,
        *,
        replies: int = 0,
        reblogs: int = 0,
        favourites: int = 0,
        quotes: int | None = None,
    ) -> None:
        """Give a status its engagement counts (``quotes`` None: a server before 4.5)."""
        with self._lock:
            status = next(s for s in self._statuses if s["id"] == status_id)
            status.update(replies_count=replies, reblogs_count=reblogs, favourites_count=favourites)
            if quotes is None:
                status.pop("quotes_count", None)
            else:
                status["quotes_count"] = quotes

    def _statuses_index(self, req: Any) -> Any:
        from tests.fakes.mastodon_server import _NOT_FOUND_HTML, _Reply

        if not self.batch_statuses:
            return _Reply(404, _NOT_FOUND_HTML, content_type="text/html; charset=utf-8")
        ids = list(dict.fromkeys(req.query.get("id[]") or []))[:BATCH_LIMIT]
        by_id = {s["id"]: s for s in self._statuses}
        return _Reply(200, [by_id[i] for i in ids if i in by_id])
