"""The form of the handoff settings (``content/handoff.yml``) in plain words.

The form only turns what was typed into the file's shape; whether it is right is decided
by the bot's own validator (:func:`poradnyk.content.handoff.parse_handoff`, through
:func:`console.editorial.checks.check`), so a wrong value is kept as typed and shown next
to its field with the validator's message. The only rule of its own is about the page:
a day marked open needs at least one time range.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from poradnyk.content.handoff import WEEKDAYS
from poradnyk.content.model import Organisation

__all__ = ["DEFAULT_ZONE", "HandoffForm", "day_names", "handoff_doc", "handoff_initial"]

DEFAULT_ZONE = "Europe/Prague"
_ROW_RE = re.compile(r"^(?P<day>[a-z]{3})_from_(?P<n>\d{1,2})$")
_HOLIDAY_RE = re.compile(r"^holiday_(?P<n>\d{1,3})$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def day_names() -> dict[str, Any]:
    """The weekdays in the staff member's language."""
    return {
        "mon": _("Monday"),
        "tue": _("Tuesday"),
        "wed": _("Wednesday"),
        "thu": _("Thursday"),
        "fri": _("Friday"),
        "sat": _("Saturday"),
        "sun": _("Sunday"),
    }


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z))


def _time(**attrs: Any) -> forms.CharField:
    # type="time": a phone shows its clock picker; the value is HH:MM either way.
    return forms.CharField(
        required=False, widget=forms.TimeInput(attrs={"type": "time", **attrs}, format="%H:%M")
    )


def _spans_of(value: Any) -> tuple[bool, list[tuple[str, str]]]:
    """``"09:00-12:00, 13:00-16:00"`` -> open, [("09:00", "12:00"), ...] (kept as written)."""
    if value in (None, "", "closed", False):
        return False, []
    rows = []
    for part in str(value).split(","):
        start, _sep, end = part.partition("-")
        rows.append((start.strip(), end.strip()))
    return True, rows


def handoff_initial(doc: dict[str, Any]) -> dict[str, Any]:
    """The form's values from the file's document."""
    chat = doc.get("staff_chat_id")
    after = doc.get("reannounce_after_hours", 4)
    initial: dict[str, Any] = {
        "staff_chat_id": "" if chat is None else str(chat),
        "time_zone": doc.get("time_zone") or DEFAULT_ZONE,
        "staff_language": doc.get("staff_language") or "cs",
        "reannounce_after_hours": "" if after is None else str(after),
        "hotlines": [str(h) for h in doc.get("hotlines") or []],
    }
    raw_hours = doc.get("office_hours")
    hours: dict[str, Any] = raw_hours if isinstance(raw_hours, dict) else {}
    for day in WEEKDAYS:
        is_open, rows = _spans_of(hours.get(day))
        initial[f"{day}_open"] = is_open
        for n, (start, end) in enumerate(rows):
            initial[f"{day}_from_{n}"], initial[f"{day}_to_{n}"] = start, end
        initial[f"_{day}_rows"] = len(rows)
    raw_holidays = doc.get("holidays")
    holidays: list[Any] = raw_holidays if isinstance(raw_holidays, list) else []
    for n, day in enumerate(holidays):
        initial[f"holiday_{n}"] = str(day)
    initial["_holidays"] = len(holidays)
    return initial


def _rows_posted(data: Any) -> tuple[dict[str, int], int]:
    rows = dict.fromkeys(WEEKDAYS, 0)
    holidays = 0
    for key in data:
        row = _ROW_RE.match(key)
        if row and row["day"] in rows:
            rows[row["day"]] = max(rows[row["day"]], int(row["n"]) + 1)
        holiday = _HOLIDAY_RE.match(key)
        if holiday:
            holidays = max(holidays, int(holiday["n"]) + 1)
    return rows, holidays


class HandoffForm(forms.Form):
    """Staff group, office hours per day, holidays, hotlines (rows as many as needed)."""

    staff_chat_id = forms.CharField(
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    time_zone = forms.ChoiceField()
    staff_language = forms.ChoiceField(
        choices=[("cs", "čeština"), ("uk", "українська"), ("en", "English")]
    )
    reannounce_after_hours = forms.CharField(
        required=False, max_length=8, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    hotlines = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(
        self,
        data: Any = None,
        *,
        initial: dict[str, Any],
        organisations: list[Organisation],
        lang: str,
        add_row: str = "",
    ) -> None:
        super().__init__(data, initial=initial)
        zones = list(_zones())
        for zone in (initial.get("time_zone"), data.get("time_zone") if data else None):
            if zone and zone not in zones:
                zones.append(str(zone))  # kept as written; the validator says what is wrong
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = [(z, z.replace("_", " ")) for z in zones]
        chosen = set(initial.get("hotlines") or [])
        hotline_field = self.fields["hotlines"]
        assert isinstance(hotline_field, forms.MultipleChoiceField)
        hotline_field.choices = [
            (o.id, f"{o.name.get(lang)} ({o.phone})" if o.phone else o.name.get(lang))
            for o in organisations
            if o.phone or o.id in chosen
        ]
        if data is not None:
            rows, holidays = _rows_posted(data)
        else:
            rows = {day: int(initial.get(f"_{day}_rows", 0)) for day in WEEKDAYS}
            holidays = int(initial.get("_holidays", 0))
        self.rows: dict[str, int] = {}
        for day in WEEKDAYS:
            # Every day shows at least one range to fill in (a closed day: tick it open
            # and type); "Add a time range" gives one more.
            count = max(rows[day], 1) + (1 if add_row == day and rows[day] else 0)
            self.rows[day] = count
            self.fields[f"{day}_open"] = forms.BooleanField(required=False)
            for n in range(count):
                self.fields[f"{day}_from_{n}"] = _time()
                self.fields[f"{day}_to_{n}"] = _time()
        # Always one empty day at the end: that is how a day off is added.
        self.holiday_count = holidays + 1
        for n in range(self.holiday_count):
            self.fields[f"holiday_{n}"] = forms.CharField(
                required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields[f"holiday_{n}_remove"] = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day, name in day_names().items():
            if not cleaned.get(f"{day}_open"):
                continue
            if not any(
                cleaned.get(f"{day}_from_{n}") or cleaned.get(f"{day}_to_{n}")
                for n in range(self.rows[day])
            ):
                self.add_error(
                    f"{day}_open",
                    _("%(day)s is marked open: give the time staff are in, like 09:00 to 17:00.")
                    % {"day": name},
                )
        return cleaned

    def days(self) -> list[dict[str, Any]]:
        """For the template: each weekday with its open box and rows of from/to fields."""
        return [
            {
                "code": day,
                "name": name,
                "issue_key": f"office_hours_{day}",
                "open": self[f"{day}_open"],
                "rows": [
                    (self[f"{day}_from_{n}"], self[f"{day}_to_{n}"]) for n in range(self.rows[day])
                ],
            }
            for day, name in day_names().items()
        ]

    def holidays(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """For the template: each day off with its remove box (the last one is empty)."""
        return [
            (self[f"holiday_{n}"], self[f"holiday_{n}_remove"]) for n in range(self.holiday_count)
        ]


def _number(text: str, decimals: bool = False) -> int | float | str:
    if _INT_RE.match(text):
        return int(text)
    if decimals and _NUMBER_RE.match(text):
        return float(text.replace(",", "."))  # "1,5" as people in Czechia write it
    return text  # as typed: the validator says what is wrong with it


def handoff_doc(cleaned: dict[str, Any], base: dict[str, Any] | None) -> dict[str, Any]:
    """The document of ``handoff.yml`` from the form (settings the form has not, kept)."""
    chat = str(cleaned.get("staff_chat_id") or "").strip().replace(" ", "")
    after = str(cleaned.get("reannounce_after_hours") or "").strip()
    hours: dict[str, str] = {}
    for day in WEEKDAYS:
        spans = []
        n = 0
        while f"{day}_from_{n}" in cleaned:
            start = str(cleaned.get(f"{day}_from_{n}") or "").strip()
            end = str(cleaned.get(f"{day}_to_{n}") or "").strip()
            if start or end:
                spans.append(f"{start}-{end}")
            n += 1
        hours[day] = ", ".join(spans) if cleaned.get(f"{day}_open") and spans else "closed"
    holidays: list[str] = []
    n = 0
    while f"holiday_{n}" in cleaned:
        day = str(cleaned.get(f"holiday_{n}") or "").strip()
        if day and not cleaned.get(f"holiday_{n}_remove") and day not in holidays:
            holidays.append(day)
        n += 1
    doc: dict[str, Any] = {
        "staff_chat_id": _number(chat) if chat else None,
        "time_zone": cleaned.get("time_zone") or DEFAULT_ZONE,
        "staff_language": cleaned.get("staff_language") or "cs",
        "office_hours": hours,
        "holidays": sorted(holidays),
        "reannounce_after_hours": _number(after, decimals=True) if after else None,
        "hotlines": list(cleaned.get("hotlines") or []),
    }
    if base:
        # The file's own order, and any setting the form does not know, stay.
        kept = {k: doc.get(k, v) for k, v in base.items()}
        doc = {**kept, **{k: v for k, v in doc.items() if k not in kept}}
    return doc
