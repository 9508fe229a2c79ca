"""A draft checked exactly as the bot would check it, with the findings by their fields.

The draft is put into a temporary copy of the content folder (the other files are linked,
not copied) and the bot's own loader, :func:`poradnyk.content.load_content`, reads the
whole folder with the settings of ``bin/staff content check``. Each problem it reports
names a file and a line; the writer knows on which line each field of the draft starts,
so the problem is shown next to that field, in the staff member's language.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from console.editorial import library
from console.editorial.handoff_form import day_names
from poradnyk.content import Content, ContentError, Issue, load_content
from poradnyk.content.writer import Placed, WriterError, place

__all__ = ["Check", "Finding", "check", "patterns", "plain"]


@dataclass(frozen=True)
class Finding:
    """One problem, where it belongs (a field path such as ``answer.uk``; '' for the item)."""

    field: str
    message: str
    severity: str = "error"


@dataclass(frozen=True)
class Check:
    """The verdict on a draft, and the content the bot would serve with it."""

    findings: tuple[Finding, ...]
    content: Content | None
    placed: Placed | None = None
    other_files: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> list[Finding]:
        """The problems that stop publishing."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """Whether it may be sent for review."""
        return not self.errors and self.content is not None

    def by_field(self) -> dict[str, list[Finding]]:
        """Findings grouped by field path."""
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.field, []).append(finding)
        return grouped


def _overlay(source: Path, target: Path, replaced: Path, text: str) -> Path:
    """A folder like ``source`` with ``replaced`` holding ``text``; the rest are links."""
    for entry in source.iterdir():
        if entry.name == "topics" and entry.is_dir():
            (target / "topics").mkdir()
            for topic_file in entry.iterdir():
                (target / "topics" / topic_file.name).symlink_to(topic_file.resolve())
        else:
            (target / entry.name).symlink_to(entry.resolve())
    destination = target / replaced.relative_to(source)
    destination.unlink(missing_ok=True)
    destination.write_text(text, encoding="utf-8")
    return destination


def _field_at(placed: Placed, line: int) -> str:
    """The field whose text holds ``line`` (the most specific one starting there)."""
    best, best_line = "", 0
    for path, start in placed.fields.items():
        if start <= line and (start > best_line or (start == best_line and len(path) > len(best))):
            best, best_line = path, start
    return best


_EXPIRED_RE = re.compile(r"the follow-up '(?P<id>[a-z0-9_]+)' was true until")


def _locate(issue: Issue, target: Path, placed: Placed, doc: dict[str, Any]) -> str | None:
    """The field of the draft an issue is about; '' for the item; None for elsewhere."""
    if issue.path.resolve() != target.resolve():
        return None
    expired = _EXPIRED_RE.search(issue.message)
    if expired:
        for n, sub in enumerate(doc.get("more") or []):
            if isinstance(sub, dict) and sub.get("id") == expired.group("id"):
                return f"more.{n}.valid_until"
    if not placed.start <= issue.line <= placed.end:
        return None
    return _field_at(placed, issue.line)


_cache: OrderedDict[tuple[str, ...], Check] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 32


def check(kind: str, key: str, doc: dict[str, Any]) -> Check:
    """Check ``doc`` as the new version of the item ``kind``/``key`` (cached per state of
    the files, so showing an unchanged draft again costs nothing)."""
    folder = library.content_dir()
    stamp = repr(library.fingerprint(folder))
    lang = translation.get_language() or ""
    cache_key = (str(folder), lang, kind, key, json.dumps(doc, sort_keys=True), stamp)
    with _cache_lock:
        if cache_key in _cache:
            _cache.move_to_end(cache_key)
            return _cache[cache_key]
    result = _check(folder, kind, key, doc)
    with _cache_lock:
        _cache[cache_key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _check(folder: Path, kind: str, key: str, doc: dict[str, Any]) -> Check:
    current = library.on_disk(kind, key)
    try:
        placed = place(current.file_text, kind, key, doc)
    except WriterError as exc:
        return Check((Finding("", plain(str(exc))),), None)
    age = settings.PORADNYK_REVIEW_AGE_DAYS
    with tempfile.TemporaryDirectory(prefix="poradnyk-check-") as tmp:
        target = _overlay(folder, Path(tmp), current.path, placed.text)
        content: Content | None
        try:
            content = load_content(
                Path(tmp),
                library.topic_names(),
                max_age_days=age,
                strict_dates=True,
                review_age_days=age,
            )
            issues = list(content.warnings)
        except ContentError as exc:
            content, issues = None, exc.issues
        findings: list[Finding] = []
        elsewhere: list[str] = []
        for issue in issues:
            where = _locate(issue, target, placed, doc)
            if where is not None:
                findings.append(Finding(where, plain(issue.message), issue.severity))
            elif issue.severity == "error":
                # Elsewhere in the folder (another entry, another file): it still stops
                # publishing, so it is shown above the form with the file's name.
                name = issue.path.name
                elsewhere.append(name)
                findings.append(Finding("", f"{plain(issue.message)} ({name})"))
    if content is None and not any(f.severity == "error" for f in findings):
        findings.append(Finding("", _("The content could not be loaded.")))
    return Check(tuple(findings), content, placed, tuple(elsewhere))


# --- the loader's messages in plain words, in the staff member's language --------------

Translator = Callable[[re.Match[str]], str]


def patterns() -> list[tuple[re.Pattern[str], Translator]]:
    """Each message of the loader (``poradnyk.content``) and how to say it in plain words;
    tests/console/test_checks.py checks that every message the loader can write has one."""

    def p(regex: str, make: Translator) -> tuple[re.Pattern[str], Translator]:
        return re.compile(regex, re.DOTALL), make

    return [
        p(
            r"the '(?P<lang>\w+)' text is missing or empty",
            lambda m: (
                _("The %(lang)s text is missing. Write it in all three languages.")
                % {"lang": _language(m["lang"])}
            ),
        ),
        p(
            r"the '(?P<lang>\w+)' text has (?P<n>\d+) characters; the limit is (?P<max>\d+)",
            lambda m: (
                _(
                    "Too long for a phone: %(n)s characters in %(lang)s, at most %(max)s. "
                    "Shorten it or move details into a follow-up."
                )
                % {"n": m["n"], "max": m["max"], "lang": _language(m["lang"])}
            ),
        ),
        p(
            r"must have a text for each language",
            lambda m: _("Needs a text in each language: Czech, Ukrainian and English."),
        ),
        p(r"unknown language", lambda m: _("Use only the languages cs, uk and en.")),
        p(
            r"the \{placeholders\} differ between languages: (?P<detail>.*)",
            lambda m: (
                _(
                    "The words in curly brackets { } must be the same in every language "
                    "(%(detail)s)."
                )
                % {"detail": m["detail"]}
            ),
        ),
        p(
            r"must be the date the facts were last checked",
            lambda m: _("Write the date the facts were last checked, like 2026-02-28."),
        ),
        p(
            r"'valid_until' must be the last day",
            lambda m: _("Write the last day the statement is true, like 2026-12-31."),
        ),
        p(
            r"(?P<value>'.*'|\".*\"|None) is not a full web link",
            lambda m: (
                _("%(value)s is not a full web link: it must start with https://")
                % {"value": m["value"]}
            ),
        ),
        p(
            r"'sources' must list at least one official link",
            lambda m: _("Give at least one official source link (https://…)."),
        ),
        p(
            r"phone (?P<value>.+) must be digits and spaces",
            lambda m: (
                _(
                    "The phone number %(value)s is not valid: use digits and spaces only, "
                    "like +420 974 801 802."
                )
                % {"value": m["value"]}
            ),
        ),
        p(
            r"e-mail (?P<value>.+) looks wrong",
            lambda m: _("The e-mail address %(value)s looks wrong.") % {"value": m["value"]},
        ),
        p(
            r"unknown region '(?P<r>[^']*)'",
            lambda m: _("Unknown region “%(r)s”. Choose one from the list.") % {"r": m["r"]},
        ),
        p(
            r"unknown topic '(?P<t>[^']*)'",
            lambda m: _("Unknown topic “%(t)s”.") % {"t": m["t"]},
        ),
        p(r"'helps_with' lists topics", lambda m: _("Choose at least one topic it helps with.")),
        p(r"'regions' lists region codes", lambda m: _("Choose at least one region, or national.")),
        p(
            r"give at least a phone, e-mail, web or address",
            lambda m: _("Give at least a phone, e-mail, web or address."),
        ),
        p(
            r"follow-up 'id' must be up to 16",
            lambda m: _(
                "The follow-up's short name must be up to 16 small letters, digits or _ "
                "(like after_90_days)."
            ),
        ),
        p(
            r"id '(?P<x>[^']*)' is used twice",
            lambda m: _("The short name “%(x)s” is used twice.") % {"x": m["x"]},
        ),
        p(
            r"'id' must be lowercase letters",
            lambda m: _("The short name must be small letters, digits or _ (like opu_praha)."),
        ),
        p(
            r"was last checked on (?P<date>[\d-]+), (?P<n>\d+) days ago \(more than (?P<max>\d+)\)",
            lambda m: (
                _(
                    "Last checked on %(date)s, %(n)s days ago (more than %(max)s). "
                    "Check it against its sources, then use “Re-checked today”."
                )
                % {"date": m["date"], "n": m["n"], "max": m["max"]}
            ),
        ),
        p(
            r"the follow-up '(?P<id>[a-z0-9_]+)' was true until (?P<date>[\d-]+)",
            lambda m: (
                _(
                    "This follow-up was true until %(date)s; users now see “this changed” instead. "
                    "Update its text and the date, or remove it."
                )
                % {"date": m["date"]}
            ),
        ),
        p(
            r"no national organisation helps with '(?P<t>[^']*)'",
            lambda m: (
                _("No national organisation would help with “%(t)s” any more.") % {"t": m["t"]}
            ),
        ),
        p(
            r"the text '(?P<k>[^']*)' is missing",
            lambda m: _("The text “%(k)s” is missing.") % {"k": m["k"]},
        ),
        # content/handoff.yml (poradnyk/content/handoff.py)
        p(
            r"'staff_chat_id' must be the group's id",
            lambda m: _(
                "The staff group id is a negative number starting with -100, like "
                "-1001234567890. See below how to find it."
            ),
        ),
        p(
            r"'time_zone' .* is unknown",
            lambda m: _("Unknown time zone. Choose one from the list, like Europe/Prague."),
        ),
        p(
            r"'(?P<day>[a-z]{3})': (?P<span>.+) is not a span like",
            lambda m: (
                _("%(day)s: %(span)s is not a time range; give both times, like 09:00 to 12:00.")
                % {"day": _weekday(m["day"]), "span": m["span"]}
            ),
        ),
        p(
            r"'(?P<day>[a-z]{3})': (?P<span>.+) ends before it starts",
            lambda m: (
                _("%(day)s: %(span)s ends before it starts.")
                % {"day": _weekday(m["day"]), "span": m["span"]}
            ),
        ),
        p(
            r"staff are never in",
            lambda m: _("Staff would never be in: open at least one day."),
        ),
        p(
            r"'holidays' must be a list of days",
            lambda m: _("Write each day off as a date, like 2026-12-24."),
        ),
        p(
            r"'reannounce_after_hours' must be a number",
            lambda m: _("Write a number of hours above 0, like 4 (or 1.5)."),
        ),
        p(
            r"'staff_language' must be",
            lambda m: _("Choose Czech, Ukrainian or English."),
        ),
        p(
            r"'hotlines' must list organisation ids",
            lambda m: _("Choose at least one line people can call while staff are out."),
        ),
        p(
            r"'(?P<id>[^']*)' is not an organisation with a phone",
            lambda m: _("“%(id)s” is not an organisation with a phone number.") % {"id": m["id"]},
        ),
        p(
            r"'(?P<day>[a-z]{3})' must be hours like",
            lambda m: (
                _("%(day)s: give the hours like 09:00-12:00, 13:00-16:00, or mark it closed.")
                % {"day": _weekday(m["day"])}
            ),
        ),
        p(
            r"the event '(?P<id>[^']*)' was on (?P<date>[\d-]+), in the past",
            lambda m: (
                _(
                    "The event “%(id)s” was on %(date)s: nobody can be reminded of it any more. "
                    "Remove it or give its new date."
                )
                % {"id": m["id"], "date": m["date"]}
            ),
        ),
        p(
            r"each follow-up under 'more' needs id, button and text",
            lambda m: _("Each follow-up needs a short name, a button and a text."),
        ),
        p(
            r"no organisation serves the region '(?P<r>[^']*)'",
            lambda m: _("No organisation serves the region “%(r)s” any more.") % {"r": m["r"]},
        ),
        p(
            r"the file is not valid YAML \(",
            lambda m: _("The file is not valid YAML; check indentation and quotes."),
        ),
        # poradnyk/content/writer.py, when a draft is put into its file
        p(
            r"the file is not valid YAML; correct it in the file first",
            lambda m: _(
                "This item's file has a mistake made outside the console (see above): "
                "correct it in the file first. The console does not write over it, so that "
                "edit is not lost."
            ),
        ),
        p(
            r"the rendered YAML does not (parse|read back)",
            lambda m: _(
                "The console could not write this change exactly as it is; nothing was "
                "published. Tell the person who looks after the console."
            ),
        ),
        # The details (Python's own words, the server's paths) stay in the log.
        p(
            r"the file cannot be read as text",
            lambda m: _(
                "The file cannot be read as text: it was saved in another encoding. Save it "
                "as UTF-8 text."
            ),
        ),
        p(
            r"the file holds characters that are not text",
            lambda m: _(
                "The file holds characters that are not text (often pasted in by accident). "
                "Remove them."
            ),
        ),
        p(
            r"the file cannot be read \(",
            lambda m: _("The file cannot be read. Ask the person who looks after the server."),
        ),
        # The shape of whole files: only a file edited by hand gets these, never a form.
        p(
            r"the file must start with 'topic:'",
            lambda m: _(
                "This answer file is not in the right shape: it must start with topic:, "
                "reviewed: and sources:."
            ),
        ),
        p(
            r"'topic' must be '(?P<t>[^']*)', the same as the file name",
            lambda m: (
                _("The topic named inside the file must be “%(t)s”, the same as the file name.")
                % {"t": m["t"]}
            ),
        ),
        p(
            r"the topic '(?P<t>[^']*)' has no answer file",
            lambda m: _("The topic “%(t)s” has no answer file.") % {"t": m["t"]},
        ),
        p(
            r"'(?P<t>[^']*)' is not a topic of the bot",
            lambda m: _("“%(t)s” is not one of the bot's topics.") % {"t": m["t"]},
        ),
        p(
            r"the file must be a list of texts like 'greeting:'",
            lambda m: _(
                "The texts file must list texts such as greeting:, each in Czech, Ukrainian "
                "and English."
            ),
        ),
        p(
            r"the file must list region codes",
            lambda m: _(
                "The regions file must list the region codes, each with its name in Czech, "
                "Ukrainian and English."
            ),
        ),
        p(
            r"the file must give the button label",
            lambda m: _(
                "The languages file must give the label of each language button: Czech, "
                "Ukrainian and English."
            ),
        ),
        p(
            r"the file must be a list of organisations",
            lambda m: _(
                "The organisations file must be a list of organisations, each starting with "
                "“- id:”."
            ),
        ),
        p(
            r"each organisation must be a block",
            lambda m: _("Each organisation must be a block starting with “- id:”."),
        ),
        p(
            r"the file must set staff_chat_id, time_zone and office_hours",
            lambda m: _(
                "The settings for talking to a person must give the staff group, the time zone "
                "and the office hours."
            ),
        ),
        p(
            r"'office_hours' must list mon",
            lambda m: _("Give the office hours for each day, Monday to Sunday."),
        ),
        p(
            r"'(?P<key>[^']*)' is not a day; use mon",
            lambda m: _("“%(key)s” is not a day of the week (mon, tue … sun).") % {"key": m["key"]},
        ),
        p(
            r"'more' must be a list of follow-up answers",
            lambda m: _(
                "The follow-ups must be a list, each with a short name, a button and a text."
            ),
        ),
        p(
            r"'subscribe' must be true or false",
            lambda m: _("Whether people can subscribe must be true (yes) or false (no)."),
        ),
        # Dated events (reminders for subscribers).
        p(
            r"'events' must be a list of dated events",
            lambda m: _("The events must be a list, each with a short name, a date and a text."),
        ),
        p(
            r"each event under 'events' needs id, date, remind and text",
            lambda m: _(
                "Each event needs a short name, a date, the days to remind before it and a text."
            ),
        ),
        p(
            r"event 'id' must be up to 16",
            lambda m: _(
                "The event's short name must be up to 16 small letters, digits or _ "
                "(like zdp_closes)."
            ),
        ),
        p(
            r"event '(?P<id>[^']*)': 'date' must be the day of the event",
            lambda m: (
                _("Event “%(id)s”: write the day of the event, like 2026-12-31.") % {"id": m["id"]}
            ),
        ),
        p(
            r"event '(?P<id>[^']*)': 'remind' lists how many days",
            lambda m: (
                _(
                    "Event “%(id)s”: give how many days before it people are reminded, like "
                    "[14, 3] (whole numbers, each once)."
                )
                % {"id": m["id"]}
            ),
        ),
    ]


def _weekday(code: str) -> str:
    return str(day_names().get(code, code))


def _language(code: str) -> str:
    return {"cs": _("Czech"), "uk": _("Ukrainian"), "en": _("English")}.get(code, code)


def plain(message: str) -> str:
    """The loader's message in the staff member's language (English if not known)."""
    for pattern, make in patterns():
        match = pattern.search(message)
        if match:
            return make(match)
    return message
