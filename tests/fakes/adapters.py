"""A scripted adapter: records what it is asked to publish and fails as a test tells it to."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import requests

from cmdesk.adapters.base import (
    AccountInfo,
    Capabilities,
    ChannelRef,
    Checkpoint,
    CredentialHandle,
    Dedupe,
    PostPart,
    Problem,
    PublishRequest,
    PublishResult,
    RemotePost,
)

Step = Callable[[PublishRequest], None]


class ScriptedAdapter:
    """Publishes into ``self.remote`` (a fake server's memory), one thread part at a time.

    ``script`` holds steps run before a publish, one per call, in order: each may raise an adapter
    error. ``fail_after_parts`` makes a call stop (raising) after that many parts went out, to
    imitate a crash in the middle of a thread. The outbox is honoured like a real adapter: part
    ids go into the checkpoint state and a retry skips what is there.
    """

    network = "fake"
    display_name = "Fake"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.remote: list[dict[str, Any]] = []
        self.calls: list[PublishRequest] = []
        self.script: list[Step] = []
        self.fail_after_parts: int | None = None
        self.crash: Exception | None = None
        self.secrets_seen: list[dict[str, Any]] = []

    def capabilities(self, channel: ChannelRef) -> Capabilities:
        return Capabilities(
            network="fake", max_chars=500, length_rule="len", dedupe=Dedupe.RECORD_KEY
        )

    def measure(self, channel: ChannelRef, text: str, options: Mapping[str, Any]) -> int:
        return len(text)

    def validate(
        self, channel: ChannelRef, parts: tuple[PostPart, ...], options: Mapping[str, Any]
    ) -> list[Problem]:
        return []

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
        with self.lock:
            self.calls.append(request)
            step = self.script.pop(0) if self.script else None
        self.secrets_seen.append(credentials.read())
        if step is not None:
            step(request)
        done: list[str] = list(request.state.get("published_parts", []))
        for index in range(len(done), len(request.parts)):
            if self.fail_after_parts is not None and index >= self.fail_after_parts:
                self.fail_after_parts = None
                raise self.crash or RuntimeError("crashed in the middle of a thread")
            remote_id = f"{request.idempotency_token}-{index}"
            with self.lock:
                self.remote.append(
                    {
                        "id": remote_id,
                        "text": request.parts[index].text,
                        "target": request.target_id,
                    }
                )
            done.append(remote_id)
            checkpoint({"published_parts": list(done)})
        return PublishResult(
            remote_id=done[0],
            url=f"https://fake.example/{done[0]}",
            parts=tuple(RemotePost(i, None) for i in done),
        )

    def texts(self) -> list[str]:
        with self.lock:
            return [r["text"] for r in self.remote]


def raising(exc: Exception) -> Step:
    def step(_request: PublishRequest) -> None:
        raise exc

    return step
