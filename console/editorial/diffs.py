"""What changed between two versions of an item, field by field, word by word."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from console.editorial.handoff_form import day_names
from poradnyk.languages import LANGUAGES

__all__ = ["Change", "changes"]

_TOKEN_RE = re.compile(r"(\s+)")


@dataclass(frozen=True)
class Change:
    """One changed field: its name and the old and new text with the changed words marked."""

    label: str
    old: SafeString
    new: SafeString


def _labels() -> dict[str, str]:
    return {
        "topic": _("Topic"),
        "reviewed": _("Reviewed"),
        "valid_until": _("True until"),
        "sources": _("Sources"),
        "source": _("Source"),
        "title": _("Title"),
        "answer": _("Answer"),
        "button": _("Button"),
        "text": _("Text"),
        "id": _("Short name"),
        "name": _("Name"),
        "helps_with": _("Helps with"),
        "regions": _("Regions"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "web": _("Web"),
        "address": _("Address"),
        "hours": _("Opening hours"),
        "languages": _("Languages"),
        "note": _("Note"),
        "staff_chat_id": _("Staff group id"),
        "time_zone": _("Time zone"),
        "staff_language": _("Language of the bot's notes to staff"),
        "office_hours": _("Office hours"),
        "holidays": _("Days off"),
        "reannounce_after_hours": _("Remind staff after (hours)"),
        "hotlines": _("Lines to call while staff are out"),
    }


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def _flatten(doc: dict[str, Any] | None, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    labels = _labels()
    for key, value in (doc or {}).items():
        if key == "more" and isinstance(value, list):
            for sub in value:
                if isinstance(sub, dict):
                    sub_prefix = _("Follow-up “%(id)s”") % {"id": sub.get("id", "?")} + ": "
                    flat.update(_flatten(sub, sub_prefix))
            continue
        label = prefix + labels.get(key, key)
        if key == "office_hours" and isinstance(value, dict):  # handoff.yml: a row per day
            days = day_names()
            for day, hours in value.items():
                flat[f"{label}: {days.get(day, day)}"] = _value(hours)
            continue
        if isinstance(value, dict) and set(value) <= set(LANGUAGES) | {"ru"}:
            for lang in LANGUAGES:
                flat[f"{label} ({lang})"] = _value(value.get(lang))
        else:
            flat[label] = _value(value)
    return flat


def _marked(old: str, new: str) -> tuple[str, str]:
    a, b = _TOKEN_RE.split(old), _TOKEN_RE.split(new)
    out_a: list[str] = []
    out_b: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = html.escape("".join(a[i1:i2])), html.escape("".join(b[j1:j2]))
        if op == "equal":
            out_a.append(left)
            out_b.append(right)
            continue
        if left:
            out_a.append(f"<del>{left}</del>")
        if right:
            out_b.append(f"<ins>{right}</ins>")
    return "".join(out_a), "".join(out_b)


def changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """The fields that differ between ``old`` and ``new`` (either may be None)."""
    before, after = _flatten(old), _flatten(new)
    found = []
    for label in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(label, ""), after.get(label, "")
        if a != b:
            marked_a, marked_b = _marked(a, b)
            # Both sides are escaped above; only <del>/<ins> are added.
            found.append(Change(label, mark_safe(marked_a), mark_safe(marked_b)))
    return found
