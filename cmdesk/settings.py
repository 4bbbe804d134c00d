"""Every user setting, declared once: name, type, default and what it does.

Values live in the ``app_setting`` table; this module is the single place that says which settings
exist and checks a value before it is stored. Per-workspace choices (time zone, default posting
time, week start) live on the workspace itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cmdesk.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Setting:
    """The declaration of one setting."""

    name: str
    type: type
    default: Any
    description: str
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def coerce(self, value: Any) -> Any:
        """Check and convert a value for this setting; raise ``ValidationError`` when it is wrong."""
        try:
            if self.type is bool and isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                    raise ValueError(value)
                converted: Any = lowered in ("true", "yes", "1", "on")
            else:
                converted = self.type(value)
        except (TypeError, ValueError):
            raise ValidationError(
                f"{self.name} takes a {self.type.__name__}, not {value!r}.", field=self.name
            ) from None
        if self.choices and converted not in self.choices:
            options = ", ".join(map(str, self.choices))
            raise ValidationError(f"{self.name} must be one of: {options}.", field=self.name)
        if self.minimum is not None and converted < self.minimum:
            raise ValidationError(f"{self.name} must be at least {self.minimum}.", field=self.name)
        if self.maximum is not None and converted > self.maximum:
            raise ValidationError(f"{self.name} must be at most {self.maximum}.", field=self.name)
        return converted


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "missed_grace_minutes",
            int,
            15,
            "How late a post may still go out after the computer was off or asleep; "
            "later than this it is marked missed and waits for your decision.",
            minimum=0,
            maximum=24 * 60,
        ),
        Setting(
            "theme",
            str,
            "system",
            "Light, dark, or follow the system.",
            ("system", "light", "dark"),
        ),
        Setting("language", str, "system", "Interface language.", ("system", "en", "es")),
        Setting(
            "publishing_paused",
            bool,
            False,
            "While true, nothing is published; due posts wait.",
        ),
        Setting(
            "close_to_tray",
            bool,
            True,
            "Closing the window keeps cmdesk running in the tray so posts still go out.",
        ),
        Setting(
            "backup_keep", int, 10, "How many automatic backups to keep.", minimum=1, maximum=100
        ),
        Setting(
            "inbox_poll_minutes", int, 5, "How often replies and mentions are fetched.", minimum=1
        ),
        Setting(
            "tray_hint_shown",
            bool,
            False,
            "Whether cmdesk has already said that closing the window keeps it in the tray.",
        ),
        Setting(
            "alerts_seen_until",
            str,
            "",
            "The moment (ISO 8601, UTC) up to which failed and missed posts were notified; "
            "later ones are announced at the next start.",
        ),
    )
}


def get_setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        known = ", ".join(sorted(SETTINGS))
        raise ValidationError(f"There is no setting {name!r}. Known settings: {known}.") from None
