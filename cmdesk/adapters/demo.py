"""The demo network: demo channels publish nowhere.

A demo workspace should look alive, so its scheduled posts still become "published" when their
time comes, but nothing leaves the machine: this adapter makes no network call at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from cmdesk.adapters.base import (
    AccountInfo,
    Capabilities,
    ChannelRef,
    Checkpoint,
    CredentialHandle,
    PostPart,
    Problem,
    PublishRequest,
    PublishResult,
    RemotePost,
)
from cmdesk.text.graphemes import count_graphemes

DEMO_LIMIT = 500


class DemoAdapter:
    """Publishes nothing, successfully."""

    network = "demo"
    display_name = "Demo"

    def capabilities(self, channel: ChannelRef) -> Capabilities:
        return Capabilities(network=self.network, max_chars=DEMO_LIMIT, length_rule="graphemes")

    def measure(self, channel: ChannelRef, text: str, options: Mapping[str, Any]) -> int:
        return count_graphemes(text)

    def validate(
        self, channel: ChannelRef, parts: tuple[PostPart, ...], options: Mapping[str, Any]
    ) -> list[Problem]:
        return [
            Problem("too_long", f"Part {i + 1} is over {DEMO_LIMIT} characters.", part=i)
            for i, part in enumerate(parts)
            if count_graphemes(part.text) > DEMO_LIMIT
        ]

    def verify(
        self, channel: ChannelRef, credentials: CredentialHandle, http: requests.Session
    ) -> AccountInfo:
        return AccountInfo(handle=channel.handle, display_name=channel.name, url=None)

    def publish(
        self,
        request: PublishRequest,
        credentials: CredentialHandle,
        http: requests.Session,
        checkpoint: Checkpoint,
    ) -> PublishResult:
        ids = [f"demo-{request.target_id}-{i}" for i in range(len(request.parts))]
        return PublishResult(
            remote_id=ids[0], url=None, parts=tuple(RemotePost(i, None) for i in ids)
        )
