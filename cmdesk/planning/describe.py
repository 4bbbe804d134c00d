"""A recurrence rule in words: "Every Monday at 09:00, 10 times".

Covers the rules the composer builds (daily, weekly on days, monthly on a day, on the first or last
weekday or on the nth weekday, yearly, with an interval and an end) and says "Custom rule: ..." for
anything else, so a person never sees a sentence that claims more than the rule does.
"""

from __future__ import annotations

import re
from datetime import datetime

from cmdesk.planning.recurrence import DAY_NAMES, WEEKDAYS

_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last", -2: "second to last"}
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_NTH_DAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
_HANDLED = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST"}


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _every(unit: str, interval: int) -> str:
    if interval == 1:
        return f"every {unit}"
    return f"every {interval} {unit}s"


def _day_of_month(n: int) -> str:
    if n < 0:
        return "the last day" if n == -1 else f"the {_ORDINALS.get(n, str(n))} day"
    return f"day {n}"


def _monthly(parts: dict[str, str], start: datetime, every: str) -> str | None:
    byday, setpos = parts.get("BYDAY"), parts.get("BYSETPOS")
    if byday == "MO,TU,WE,TH,FR" and setpos in ("1", "-1"):
        which = "first" if setpos == "1" else "last"
        return f"On the {which} weekday of {every}"
    if byday and setpos is None and "," not in byday:
        m = _NTH_DAY.match(byday)
        if m and m.group(1):
            nth = int(m.group(1))
            if nth in _ORDINALS:
                day = DAY_NAMES[WEEKDAYS.index(m.group(2))]
                return f"On the {_ORDINALS[nth]} {day} of {every}"
        return None
    if byday or setpos:
        return None
    days = parts.get("BYMONTHDAY")
    if days is None:
        return f"On day {start.day} of {every}"
    try:
        nums = [int(d) for d in days.split(",")]
    except ValueError:
        return None
    return f"On {_join([_day_of_month(n) for n in nums])} of {every}"


def _weekly(parts: dict[str, str], start: datetime, interval: int) -> str | None:
    byday = parts.get("BYDAY")
    codes = byday.split(",") if byday else [WEEKDAYS[start.weekday()]]
    if any(c not in WEEKDAYS for c in codes):
        return None
    names = [DAY_NAMES[WEEKDAYS.index(c)] for c in sorted(codes, key=WEEKDAYS.index)]
    if names == list(DAY_NAMES[:5]):
        days = "weekday (Monday to Friday)"
        return f"Every {days}" if interval == 1 else f"Every {interval} weeks on weekdays"
    if interval == 1:
        return f"Every {_join(names)}"
    return f"Every {interval} weeks on {_join(names)}"


def _head(parts: dict[str, str], start: datetime) -> str | None:
    freq = parts.get("FREQ", "")
    if freq not in _UNITS or set(parts) - _HANDLED:
        return None
    interval = int(parts.get("INTERVAL", "1") or 1)
    every = _every(_UNITS[freq], interval)
    if freq == "DAILY":
        return None if "BYDAY" in parts or "BYMONTHDAY" in parts else every.capitalize()
    if freq == "WEEKLY":
        return _weekly(parts, start, interval) if "BYMONTHDAY" not in parts else None
    if freq == "MONTHLY":
        return _monthly(parts, start, every)
    if "BYDAY" in parts or "BYMONTHDAY" in parts:
        return None
    return f"{every.capitalize()} on {start.day} {start:%B}"


def _tail(parts: dict[str, str]) -> str:
    if "COUNT" in parts:
        n = int(parts["COUNT"])
        return ", once" if n == 1 else f", {n} times"
    if "UNTIL" in parts:
        digits = parts["UNTIL"].rstrip("Z")
        try:
            until = datetime.strptime(digits[:8], "%Y%m%d")
        except ValueError:
            return f", until {parts['UNTIL']}"
        return f", until {until.day} {until:%b %Y}"
    return ""


def describe(parts: dict[str, str], start: datetime) -> str:
    """The rule in words, its time of day from the wall-clock ``start`` (naive, local)."""
    head = _head(parts, start)
    if head is None:
        text = ";".join(f"{k}={v}" for k, v in parts.items())
        return f"Custom rule ({text}) from {start:%d %b %Y} at {start:%H:%M}"
    return f"{head} at {start:%H:%M}{_tail(parts)}"
