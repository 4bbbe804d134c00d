"""One call of ``publish``: a thread (or single post) part by part, or a hand-off (1.5).

Each part is created once: the outbox state (:mod:`.state`) is saved before every request, an
unclear answer is settled by resending with the same idempotency key where that is safe (1.4) or by
looking for the status (:mod:`.reconcile`), and a refusal is turned into an action for the person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from cmdesk.adapters.base import (
    AmbiguousError,
    Checkpoint,
    NetworkUnavailable,
    PermanentError,
    PublishRequest,
    PublishResult,
    RemotePost,
    TransientError,
)
from cmdesk.adapters.http import MaybeSent, NotSent, error_text
from cmdesk.adapters.mastodon.api import _Api, _json_or_none, _refusal
from cmdesk.adapters.mastodon.limits import SCHEDULE_MARGIN, SCHEDULE_MIN_LEAD, _Config
from cmdesk.adapters.mastodon.media import _MediaUploads
from cmdesk.adapters.mastodon.reconcile import (
    CLOCK_MARGIN,
    SETTLE_TIME,
    _Expected,
    _find_scheduled,
    _Finder,
)
from cmdesk.adapters.mastodon.state import _load_state, _Part
from cmdesk.adapters.mastodon.timestamps import _iso, _parse_time

if TYPE_CHECKING:
    from cmdesk.adapters.mastodon.adapter import MastodonAdapter

# The name the adapter logged under before it became a package.
log = logging.getLogger("cmdesk.adapters.mastodon")

#: Keys are kept one hour per account (1.4); resend with the same key only well inside it.
IDEMPOTENCY_WINDOW = timedelta(minutes=50)


class _Publication:
    """One call of ``publish``: the request, its outbox state and the channel's API."""

    def __init__(
        self, adapter: MastodonAdapter, request: PublishRequest, api: _Api, checkpoint: Checkpoint
    ) -> None:
        self.adapter = adapter
        self.request = request
        self.api = api
        self.label = api.label
        self._checkpoint = checkpoint
        self.config = _Config.of(request.channel)
        self.state = _load_state(request)
        self.finder = _Finder(api)
        self.media = _MediaUploads(adapter, api, self.now)
        # The engine stored the first checkpoint before the post's time (``prepare``).
        self._prepared = request.prepared

    def save(self) -> None:
        self._checkpoint(self.state.dump())

    def now(self) -> datetime:
        return self.adapter.clock.now()

    # --- thread (or single post) ------------------------------------------------------------------

    def thread(self) -> PublishResult:
        for index in range(len(self.request.parts)):
            if self.state.parts[index].remote_id is None:
                self._part(index)
        return self._result()

    def _part(self, index: int) -> None:
        part = self.state.parts[index]
        resent = False
        if part.uncertain and not self._prepared:
            if self._key_safe(part):
                resent = True  # the same key: the server answers with the status it made (1.4)
            elif self._settle(index):
                return
        self._ensure_media(index)
        self._create(index, resent=resent)

    def _settle(self, index: int) -> bool:
        """Resolve an earlier unclear send: True if the status exists (now recorded)."""
        part = self.state.parts[index]
        since = _parse_time(part.first_sent_at) or self.now()
        status, covered = self.finder.find(self.expected(index), since)
        if status is not None:
            log.info("%s: found part %d from an earlier attempt", self.label, index)
            self._record(index, status)
            return True
        if covered and self._settled(part):
            part.uncertain = False
            return False
        raise self._ambiguous(index)

    # --- hand-off to the server's scheduler (1.5) ---------------------------------------------------

    def scheduled(self) -> PublishResult:
        self._check_can_schedule()
        part = self.state.parts[0]
        if part.remote_id is None and not (part.uncertain and self._settle_scheduled()):
            self._check_lead()
            self._ensure_media(0)
            self._create(0, resent=False)
        return self._result()

    def _check_can_schedule(self) -> None:
        due = self.request.scheduled_at
        if due is None or due.tzinfo is None or due.utcoffset() is None:
            raise PermanentError("The scheduled time has no time zone; cmdesk cannot hand it over.")
        if not self.config.native_scheduling:
            raise PermanentError(
                f"{self.label} ({self.config.software}) cannot schedule posts itself. "
                "Let cmdesk publish this post at its time instead."
            )
        if len(self.request.parts) != 1:
            raise PermanentError(
                "A Mastodon server can schedule a single post, not a thread: each reply needs the "
                "post before it to exist. Let cmdesk publish the thread at its time instead."
            )

    def _check_lead(self) -> None:
        assert self.request.scheduled_at is not None
        lead = self.request.scheduled_at - self.now()
        needed = SCHEDULE_MIN_LEAD + SCHEDULE_MARGIN
        if lead < needed:
            minutes = max(0, int(lead.total_seconds() // 60))
            raise PermanentError(
                "A Mastodon server schedules a post only more than 5 minutes ahead, and this one "
                f"is due in {minutes} minute(s). Pick a time at least "
                f"{int(needed.total_seconds() // 60)} minutes from now, or let cmdesk publish it "
                "itself."
            )

    def _settle_scheduled(self) -> bool:
        """Resolve an earlier unclear hand-off: True if it exists (scheduled or already out)."""
        part = self.state.parts[0]
        due = self.request.scheduled_at
        assert due is not None
        item, covered = _find_scheduled(self.api, self.expected(0), due)
        if item is not None:
            self._record(0, item)
            return True
        if due <= self.now() + CLOCK_MARGIN:  # its time came: it may be a status by now
            since = _parse_time(part.first_sent_at) or self.now()
            status, seen_all = self.finder.find(self.expected(0), since)
            if status is not None:
                self._record(0, status)
                return True
            covered = covered and seen_all
        if covered and self._settled(part):
            part.uncertain = False
            return False
        raise self._ambiguous(0)

    # --- creating a status ---------------------------------------------------------------------------

    def _create(self, index: int, *, resent: bool) -> None:
        part = self.state.parts[index]
        now = self.now()
        part.uncertain = True
        part.first_sent_at = part.first_sent_at or _iso(now)
        if self._prepared:
            self._prepared = False  # "possibly sent" is stored already; later sends store again
        else:
            part.last_sent_at = _iso(now)
            self.save()  # the outbox: stored before the request leaves
        headers = {"Idempotency-Key": f"{self.request.idempotency_token}-{index}"}
        try:
            response = self.api.send(
                "POST", "/api/v1/statuses", data=self._form(index), headers=headers
            )
        except (NotSent, NetworkUnavailable, PermanentError):
            self._not_created(part, resent)
            raise
        except MaybeSent as exc:
            self._unclear(index, resent=resent, server_error=False, why=exc.message)
            return
        self._answer(index, response, resent=resent)

    def _answer(self, index: int, response: requests.Response, *, resent: bool) -> None:
        code = response.status_code
        if code < 300:
            body = _json_or_none(response)
            if isinstance(body, Mapping) and isinstance(body.get("id"), str | int):
                self._record(index, body)
                return
            # A 200 whose body cannot be read: the status may well exist (handled like a timeout).
            why = f"its answer could not be read (HTTP {code})"
            self._unclear(index, resent=resent, server_error=False, why=why)
            return
        if code >= 500 and code != 503:  # 503: a proxy or throttle answered, nothing was done
            self._unclear(index, resent=resent, server_error=True, why=error_text(response))
            return
        self._not_created(self.state.parts[index], resent)
        raise _refusal(self.label, self._what(index), response, self.now())

    def _unclear(self, index: int, *, resent: bool, server_error: bool, why: str) -> None:
        part = self.state.parts[index]
        what = self._what(index)
        if self._key_safe(part):
            if server_error and resent:
                # A 5xx on a repeated key may mean "already posted" (1.4, mastodon#40399).
                since = _parse_time(part.first_sent_at) or self.now()
                status, _ = self.finder.find(self.expected(index), since)
                if status is not None:
                    self._record(index, status)
                    return
            raise TransientError(
                f"{self.label} did not confirm {what} ({why}). cmdesk will send it again with "
                "the same idempotency key, which cannot post it twice.",
                retry_after=30,
            )
        if server_error:
            raise TransientError(
                f"{self.label} had a problem ({why}). Before trying again cmdesk will look on "
                f"the account for {what}, in case it went out.",
                retry_after=SETTLE_TIME.total_seconds(),
            )
        scheduled = self.request.scheduled_at is not None
        if not (self._settle_scheduled() if scheduled else self._settle(index)):
            raise TransientError(f"{what} did not reach {self.label}; cmdesk will try again.")

    def _not_created(self, part: _Part, resent: bool) -> None:
        if not resent:  # this was the only send: the server surely made nothing
            part.uncertain = False
            self.save()

    def _record(self, index: int, body: Mapping[str, Any]) -> None:
        part = self.state.parts[index]
        scheduled = "params" in body and "scheduled_at" in body and "content" not in body
        if self.request.scheduled_at is not None and not scheduled:
            log.warning("%s ignored scheduled_at and published at once", self.label)
        part.remote_id = str(body["id"])
        part.scheduled = scheduled
        url = None if scheduled else body.get("url") or body.get("uri")
        part.url = url if isinstance(url, str) else None
        created = body.get("created_at")
        part.created_at = created if isinstance(created, str) else None
        part.uncertain = False
        if not self._last_save_needed(index):
            return
        self.save()

    def _last_save_needed(self, index: int) -> bool:
        """Whether the state after a create must be stored before ``publish`` returns.

        Not for a single post published now on a server that honours the idempotency key: the
        engine records the result itself, and if it dies first, the next attempt sends the post
        again with the same key and gets the status the server already made (1.4; past the key's
        hour it looks for the status on the account). One transaction less a publish. A thread
        keeps every checkpoint: each part's id is what the next part answers.
        """
        single = index == 0 and len(self.state.parts) == 1
        return not (single and self.config.idempotency and self.request.scheduled_at is None)

    def _form(self, index: int) -> list[tuple[str, str]]:
        part = self.request.parts[index]
        options = self.request.options
        form = [("status", part.text)]
        form += [("media_ids[]", m) for m in self.state.parts[index].media if m]
        reply_to = self._reply_to(index)
        if reply_to:
            form.append(("in_reply_to_id", reply_to))
        spoiler = str(options.get("spoiler_text") or "")
        if spoiler:
            form.append(("spoiler_text", spoiler))
        if options.get("sensitive") is True:
            form.append(("sensitive", "true"))
        for name in ("visibility", "language"):
            if options.get(name):
                form.append((name, str(options[name])))
        if self.request.scheduled_at is not None:
            form.append(("scheduled_at", _iso(self.request.scheduled_at)))  # aware UTC (1.5)
        return form

    # --- media (1.6) ------------------------------------------------------------------------------

    def _ensure_media(self, index: int) -> None:
        part = self.state.parts[index]
        for slot, item in enumerate(self.request.parts[index].media):
            media_id = part.media[slot]
            if media_id is not None and self.media.wait_processed(media_id, item, may_be_gone=True):
                continue  # uploaded by an earlier attempt and still there
            media_id, ready = self.media.upload(item)
            part.media[slot] = media_id
            self.save()  # a retry reuses this upload instead of sending the file again
            if not ready:
                self.media.wait_processed(media_id, item, may_be_gone=False)

    # --- bits -----------------------------------------------------------------------------------

    def _reply_to(self, index: int) -> str | None:
        # A self-thread is a reply chain (1.8); the first part may answer someone (inbox reply).
        return self.state.parts[index - 1].remote_id if index else self.request.in_reply_to

    def expected(self, index: int) -> _Expected:
        return _Expected(
            text=self.request.parts[index].text,
            spoiler=str(self.request.options.get("spoiler_text") or ""),
            reply_to=self._reply_to(index),
            media_ids=tuple(m for m in self.state.parts[index].media if m),
        )

    def _key_safe(self, part: _Part) -> bool:
        """Whether resending with the same key cannot post twice (1.4: kept for one hour)."""
        first = _parse_time(part.first_sent_at)
        return (
            self.config.idempotency
            and self.request.scheduled_at is None  # ignored with scheduled_at (mastodon#30039)
            and first is not None
            and self.now() - first < IDEMPOTENCY_WINDOW
        )

    def _settled(self, part: _Part) -> bool:
        last = _parse_time(part.last_sent_at)
        return last is not None and self.now() - last >= SETTLE_TIME

    def _what(self, index: int) -> str:
        if len(self.request.parts) == 1:
            return "the post"
        return f"part {index + 1} of the thread"

    def _ambiguous(self, index: int) -> AmbiguousError:
        where = (
            "among the posts scheduled there"
            if self.request.scheduled_at is not None
            else "on the account"
        )
        return AmbiguousError(
            f"cmdesk cannot tell whether {self._what(index)} reached {self.label}: the answer "
            f"was lost after it was sent, and it is not {where} (yet). Check the account, then "
            "confirm it went out or publish it again."
        )

    def _result(self) -> PublishResult:
        parts = self.state.parts
        posts = tuple(RemotePost(str(p.remote_id), p.url) for p in parts)
        first = parts[0]
        return PublishResult(
            remote_id=posts[0].remote_id,
            url=first.url,
            parts=posts,
            published_at=None if first.scheduled else _parse_time(first.created_at),
            handed_off=first.scheduled,
        )
