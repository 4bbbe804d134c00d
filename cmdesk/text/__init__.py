"""Text rules of each network: length counting, rich-text entities and thread splitting.

Every network counts a post's length its own way (``reference/networks.md`` section 0 and the
network sections), so nothing here uses ``len()`` on a post:

* :mod:`cmdesk.text.graphemes` grapheme clusters and UTF-8 size, shared by the others;
* :mod:`cmdesk.text.mastodon` Mastodon's length rule and the limits an instance announces;
* :mod:`cmdesk.text.bluesky` Bluesky's two limits and its rich-text facets (UTF-8 byte offsets);
* :mod:`cmdesk.text.threads` splitting a long text into posts that each fit a limit.

The modules are pure functions with no Qt, database or network access. :class:`Problem` is the
small value every ``check_*`` function returns, so adapters and the composer can show a list of
problems the same way whatever the network.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a text cannot be published as it is.

    ``code`` is stable and meant for programs (``"mastodon.too_long"``); ``message`` is written for
    the person and says what to do. ``actual`` and ``limit`` carry the numbers behind the message
    so a counter can be drawn without parsing text.
    """

    code: str
    message: str
    actual: int | None = None
    limit: int | None = None
