"""What the window remembers between runs: its geometry and layout, the page and the workspace.

Kept in an INI file in cmdesk's data folder (next to the plan) rather than Qt's default place, so a
portable data folder (``CMDESK_DATA_DIR``) carries it along and tests never touch the user's file.
Nothing secret is stored here.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from cmdesk.paths import data_dir

FILE_NAME = "window.ini"


class WindowState:
    """Read and write the remembered window state (geometry, dock/toolbar state, page, workspace)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        if settings is None:
            folder = data_dir()
            folder.mkdir(parents=True, exist_ok=True)
            settings = QSettings(str(folder / FILE_NAME), QSettings.Format.IniFormat)
        self._settings = settings

    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def layout(self) -> QByteArray | None:
        return self._bytes("window/state")

    def page(self) -> str:
        return str(self._settings.value("window/page", "") or "")

    def calendar_mode(self) -> str:
        return str(self._settings.value("window/calendar_mode", "") or "")

    def save_calendar_mode(self, mode: str) -> None:
        self._settings.setValue("window/calendar_mode", mode)

    def workspace_id(self) -> int | None:
        value = self._settings.value("window/workspace")
        try:
            return int(str(value)) if value not in (None, "") else None
        except ValueError:  # a hand-edited file: forget it rather than fail to start
            return None

    def save(
        self, geometry: QByteArray, layout: QByteArray, page: str, workspace_id: int | None
    ) -> None:
        self._settings.setValue("window/geometry", geometry)
        self._settings.setValue("window/state", layout)
        self._settings.setValue("window/page", page)
        self._settings.setValue("window/workspace", "" if workspace_id is None else workspace_id)
        self._settings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None
