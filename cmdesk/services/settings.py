"""Reading and changing the user settings declared in :mod:`cmdesk.settings`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cmdesk.events import ChangeSet
from cmdesk.models import AppSetting
from cmdesk.services.base import Service
from cmdesk.settings import SETTINGS, get_setting


class SettingsService(Service):
    """Typed access to the stored settings, with their declared defaults."""

    def get(self, name: str) -> Any:
        decl = get_setting(name)
        with self._read() as s:
            row = s.get(AppSetting, name)
            return decl.default if row is None else decl.coerce(row.value)

    def all(self) -> dict[str, Any]:
        with self._read() as s:
            stored = {r.key: r.value for r in s.scalars(select(AppSetting))}
        return {
            name: decl.coerce(stored[name]) if name in stored else decl.default
            for name, decl in SETTINGS.items()
        }

    def set(self, name: str, value: Any) -> ChangeSet:
        decl = get_setting(name)
        converted = decl.coerce(value)
        with self._write() as s:
            row = s.get(AppSetting, name)
            if row is None:
                s.add(AppSetting(key=name, value=converted))
            else:
                row.value = converted
        return self._emit(ChangeSet.of(updated=[("setting", 0)], description=f"setting:{name}"))
