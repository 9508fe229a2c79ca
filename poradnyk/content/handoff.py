"""content/handoff.yml: the staff group, office hours and hotlines of the handoff to a person."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Collection
from datetime import date, time
from pathlib import Path

from poradnyk.content.fields import Reader
from poradnyk.content.model import Handoff, Issue, Organisation
from poradnyk.content.yaml_lines import line_of
from poradnyk.languages import LANGUAGES

__all__ = ["WEEKDAYS", "parse_handoff"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CLOSED = ("closed", "", None)


def _spans(reader: Reader, raw: object, line: int, day: str) -> tuple[tuple[time, time], ...]:
    if raw in _CLOSED or raw is False:
        return ()
    if not isinstance(raw, str):
        reader.error(line, f"'{day}' must be hours like \"09:00-12:00, 13:00-16:00\" or closed.")
        return ()
    spans: list[tuple[time, time]] = []
    for part in raw.split(","):
        match = _SPAN_RE.match(part)
        numbers = [int(g) for g in match.groups()] if match else []
        if not numbers or numbers[0] > 23 or numbers[2] > 24 or numbers[1] > 59 or numbers[3] > 59:
            reader.error(line, f"'{day}': {part.strip()!r} is not a span like 09:00-12:00.")
            continue
        start = time(numbers[0], numbers[1])
        end = time.max if numbers[2] == 24 else time(numbers[2], numbers[3])
        if end <= start:
            reader.error(line, f"'{day}': {part.strip()!r} ends before it starts.")
            continue
        spans.append((start, end))
    return tuple(sorted(spans))


def parse_handoff(
    path: Path, organisations: Collection[Organisation]
) -> tuple[Handoff | None, list[Issue]]:
    """The handoff settings, or None when the file is absent or no staff group is set."""
    if not path.exists():
        return None, []
    reader = Reader(path)
    data = reader.load()
    if not isinstance(data, dict):
        if data is not None:
            reader.error(1, "the file must set staff_chat_id, time_zone and office_hours.")
        return None, reader.issues
    chat = data.get("staff_chat_id")
    # Without a group (not set up yet) the bot points to organisations only; the rest is
    # still checked, so the hours can be prepared before the group exists.
    if chat is not None and (not isinstance(chat, int) or isinstance(chat, bool) or chat >= 0):
        reader.error(
            line_of(data, "staff_chat_id"),
            "'staff_chat_id' must be the group's id, a negative number like -1001234567890 "
            "(see the README: 'Handoff to staff').",
        )
    zone = data.get("time_zone")
    try:
        zoneinfo.ZoneInfo(str(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        reader.error(
            line_of(data, "time_zone"), f"'time_zone' {zone!r} is unknown; use e.g. Europe/Prague."
        )
    raw_hours = data.get("office_hours")
    hours: dict[int, tuple[tuple[time, time], ...]] = {}
    if not isinstance(raw_hours, dict):
        reader.error(line_of(data, "office_hours"), "'office_hours' must list mon: ... to sun: ...")
        raw_hours = {}
    for key in raw_hours:
        if key not in WEEKDAYS:
            reader.error(line_of(raw_hours, key), f"'{key}' is not a day; use mon, tue, ... sun.")
    for i, day in enumerate(WEEKDAYS):
        hours[i] = _spans(reader, raw_hours.get(day), line_of(raw_hours, day), day)
    if raw_hours and not any(hours.values()):
        reader.error(line_of(data, "office_hours"), "staff are never in: give at least one day.")
    holidays: set[date] = set()
    raw_holidays = data.get("holidays") or []
    if not isinstance(raw_holidays, list) or not all(isinstance(d, date) for d in raw_holidays):
        reader.error(
            line_of(data, "holidays"), "'holidays' must be a list of days like 2026-12-24."
        )
    else:
        holidays = set(raw_holidays)
    after = data.get("reannounce_after_hours", 4)
    if not isinstance(after, (int, float)) or isinstance(after, bool) or after <= 0:
        reader.error(
            line_of(data, "reannounce_after_hours"),
            "'reannounce_after_hours' must be a number of hours above 0, like 4.",
        )
        after = 4
    staff_language = data.get("staff_language", "cs")
    if staff_language not in LANGUAGES:
        reader.error(line_of(data, "staff_language"), "'staff_language' must be cs, uk or en.")
        staff_language = "cs"
    known = {o.id: o for o in organisations}
    hotlines = data.get("hotlines") or []
    if not isinstance(hotlines, list) or not hotlines:
        reader.error(line_of(data, "hotlines"), "'hotlines' must list organisation ids.")
        hotlines = []
    for org_id in hotlines:
        org = known.get(str(org_id))
        if org is None or not org.phone:
            reader.error(
                line_of(data, "hotlines"),
                f"'{org_id}' is not an organisation with a phone in organisations.yml.",
            )
    if chat is None or any(i.severity == "error" for i in reader.issues):
        return None, reader.issues
    return (
        Handoff(
            staff_chat_id=int(chat),
            time_zone=str(zone),
            hours=hours,
            holidays=frozenset(holidays),
            reannounce_after_hours=float(after),
            staff_language=str(staff_language),
            hotlines=tuple(str(h) for h in hotlines),
        ),
        reader.issues,
    )
