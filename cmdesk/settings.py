"""Every user setting, declared once: name, type, default and what it does.

Values live in the ``app_setting`` table; this module is the single place that says which settings
exist and checks a value before it is stored. Per-workspace choices (time zone, default posting
time, week start) live on the workspace itself.
"""

from __future__ import annotations

import re
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
    #: A regular expression a text value must match whole, and what to say when it does not.
    pattern: str = ""
    pattern_hint: str = ""

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
        if self.pattern and not re.fullmatch(self.pattern, str(converted)):
            raise ValidationError(
                f"{self.name} must be {self.pattern_hint or self.pattern}, not {value!r}.",
                field=self.name,
            )
        return converted


_HH_MM = r"([01][0-9]|2[0-3]):[0-5][0-9]"

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
        Setting(
            "alerts_held",
            str,
            "",
            "Failed, missed and sign-in notifications held during quiet hours and not shown yet "
            "(kept here so that quitting before the hours end does not lose them; the next "
            "start announces them).",
        ),
        Setting(
            "inbox_notified_through",
            int,
            0,
            "The last inbox item (by id) that a window or the daemon has announced; each new "
            "item is announced by one of them only.",
            minimum=0,
        ),
        Setting(
            "quiet_hours_enabled",
            bool,
            False,
            "During quiet hours notifications are held and summarised once they end.",
        ),
        Setting(
            "quiet_hours_start",
            str,
            "22:00",
            "When quiet hours begin, on this computer's clock (HH:MM).",
            pattern=_HH_MM,
            pattern_hint="a time of day as HH:MM (00:00 to 23:59)",
        ),
        Setting(
            "quiet_hours_end",
            str,
            "08:00",
            "When quiet hours end, on this computer's clock (HH:MM).",
            pattern=_HH_MM,
            pattern_hint="a time of day as HH:MM (00:00 to 23:59)",
        ),
        Setting(
            "quiet_hours_failures",
            bool,
            True,
            "Failed posts still notify during quiet hours (they may need you at once).",
        ),
        Setting(
            "inbox_mark_seen_on_server",
            bool,
            False,
            "Tell Bluesky and Mastodon that the replies and mentions cmdesk fetched were seen, "
            "so the network's own app stops counting them as new. Only what cmdesk has "
            "fetched is marked; reading or finishing items in cmdesk changes nothing there.",
        ),
        Setting(
            "listening_keep_days",
            int,
            90,
            "How many days posts found by saved searches are kept in the Listening tab; older "
            "ones are removed (they are not read again).",
            minimum=7,
            maximum=3650,
        ),
        Setting(
            "listening_keep_per_search",
            int,
            5000,
            "At most this many posts are kept per saved search, the newest; older ones are "
            "removed (they are not read again).",
            minimum=100,
            maximum=100_000,
        ),
        Setting(
            "alert_words",
            str,
            "",
            "Words that signal a crisis, separated by commas: a new mention, reply or listened "
            "post containing one raises an urgent notification, even in quiet hours.",
        ),
        Setting(
            "feed_refresh_minutes",
            int,
            60,
            "How often subscribed RSS and Atom feeds are read for new ideas (minutes).",
            minimum=5,
            maximum=1440,
        ),
        Setting(
            "ics_folder",
            str,
            "",
            "A folder where cmdesk keeps one .ics file per workspace up to date, for calendar "
            "applications to subscribe to (empty: off).",
        ),
        Setting(
            "routine_seeded",
            str,
            "",
            "The workspaces (ids, comma separated) that already got the default routine tasks; "
            "each gets them once.",
        ),
        Setting(
            "routine_reminded",
            str,
            "[]",
            "Which routine tasks were reminded for which period (kept by cmdesk), so a "
            "reminder is given once, by the window or the daemon.",
        ),
    )
}


def get_setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        known = ", ".join(sorted(SETTINGS))
        raise ValidationError(f"There is no setting {name!r}. Known settings: {known}.") from None
