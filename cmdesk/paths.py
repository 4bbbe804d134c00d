"""Where cmdesk keeps its files: the platform's user data folder, or ``CMDESK_DATA_DIR``."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "cmdesk"
DB_FILENAME = "cmdesk.sqlite3"


def data_dir() -> Path:
    """The data folder (database, media, backups, logs); created on first use by the caller."""
    override = os.environ.get("CMDESK_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    """``CMDESK_DATABASE_URL`` if set, else a SQLite file in the data folder."""
    env = os.environ.get("CMDESK_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{data_dir() / DB_FILENAME}"


def log_dir() -> Path:
    return data_dir() / "logs"
