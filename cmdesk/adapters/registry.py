"""Which adapter serves which network: the built-ins, then third-party ones from entry points.

Built-in adapters are registered explicitly (no import-time magic). A package outside cmdesk adds
a network by declaring an entry point in the ``cmdesk.adapters`` group whose object is a class or
a factory returning an adapter; its name is the network's. A plug-in that fails to load is logged
and skipped: one broken package must not keep cmdesk from publishing elsewhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from importlib.metadata import entry_points

from cmdesk.adapters.base import Adapter
from cmdesk.errors import ValidationError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "cmdesk.adapters"
AdapterFactory = Callable[[], Adapter]


class AdapterRegistry:
    """Adapter factories by network name; each adapter is made once and shared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._factories: dict[str, AdapterFactory] = {}
        self._instances: dict[str, Adapter] = {}
        self.origins: dict[str, str] = {}  # network -> "built-in" or the entry point's value

    def register(self, network: str, factory: AdapterFactory, *, origin: str = "built-in") -> None:
        with self._lock:
            self._factories[network] = factory
            self._instances.pop(network, None)
            self.origins[network] = origin

    def networks(self) -> list[str]:
        with self._lock:
            return sorted(self._factories)

    def get(self, network: str) -> Adapter:
        with self._lock:
            adapter = self._instances.get(network)
            if adapter is not None:
                return adapter
            factory = self._factories.get(network)
            if factory is None:
                known = ", ".join(sorted(self._factories)) or "none"
                raise ValidationError(
                    f"cmdesk cannot publish to {network!r}: no adapter is installed for it "
                    f"(available: {known})."
                )
            adapter = factory()
            self._instances[network] = adapter
            return adapter

    def load_entry_points(self) -> None:
        """Register the adapters other packages declare (they may replace a built-in)."""
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                factory = ep.load()
            except Exception:
                log.exception("adapter plug-in %s (%s) failed to load; skipped", ep.name, ep.value)
                continue
            if not callable(factory):
                log.error("adapter plug-in %s (%s) is not callable; skipped", ep.name, ep.value)
                continue
            self.register(ep.name, factory, origin=ep.value)


def default_registry(*, plugins: bool = True) -> AdapterRegistry:
    """The built-in adapters, then the installed plug-ins."""
    from cmdesk.adapters.demo import DemoAdapter

    registry = AdapterRegistry()
    registry.register("demo", DemoAdapter)
    for network, module, cls in BUILT_INS:
        registry.register(network, _lazy(module, cls))
    if plugins:
        registry.load_entry_points()
    return registry


#: Built-ins imported on first use, so start-up does not pay for every network's module.
BUILT_INS: list[tuple[str, str, str]] = [
    ("mastodon", "cmdesk.adapters.mastodon", "MastodonAdapter"),
    ("bluesky", "cmdesk.adapters.bluesky", "BlueskyAdapter"),
]


def _lazy(module: str, cls: str) -> AdapterFactory:
    def make() -> Adapter:
        import importlib

        adapter: Adapter = getattr(importlib.import_module(module), cls)()
        return adapter

    return make
