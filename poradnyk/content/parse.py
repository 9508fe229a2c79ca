"""Parsers of the content files: one function per kind of file."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from poradnyk.content.fields import (
    ANSWER_MAX_CHARS,
    BUTTON_MAX_CHARS,
    EMAIL_RE,
    ID_RE,
    ORG_ID_RE,
    PHONE_RE,
    TELEGRAM_MAX_CHARS,
    Reader,
)
from poradnyk.content.model import (
    NATIONAL,
    Event,
    Issue,
    Localized,
    Organisation,
    SubAnswer,
    Topic,
)
from poradnyk.content.yaml_lines import line_of
from poradnyk.languages import LANGUAGES

__all__ = [
    "REQUIRED_MESSAGES",
    "parse_languages",
    "parse_messages",
    "parse_organisations",
    "parse_regions",
    "parse_topic",
]

# Keys of content/messages.yml that the code uses; texts live in that file only.
REQUIRED_MESSAGES: tuple[str, ...] = (
    "greeting", "choose_language", "language_set", "menu", "help", "fallback",
    "out_of_scope", "handoff", "goodbye", "thank", "affirm", "deny",
    "feedback_question", "feedback_thanks", "feedback_sorry", "region_prompt",
    "region_set", "contacts_header", "contacts_region_hint", "source_line",
    "reviewed_line", "service_down", "non_text", "voice", "location_set",
    "location_outside", "edited", "group_chat", "too_long", "unknown_command",
    "unknown_button", "rate_limited", "privacy", "forget_done", "btn_menu",
    "btn_contacts", "btn_region", "btn_handoff", "btn_language", "btn_yes",
    "btn_no", "cmd_start", "cmd_menu", "cmd_language", "cmd_contacts", "cmd_help",
    "cmd_privacy", "cmd_forget", "forget_failed", "btn_private_chat", "expired_statement",
    "stale_caution", "cmd_subscribe", "subscribe_menu", "subscribe_none", "subscribed",
    "unsubscribed", "btn_subscribe", "btn_unsubscribe", "btn_subscriptions", "reminder_heading",
    "cmd_human", "handoff_consent", "handoff_consent_later", "handoff_field_question",
    "handoff_field_language", "handoff_field_region", "handoff_field_topic",
    "handoff_field_name", "handoff_none", "handoff_no_question", "handoff_when",
    "handoff_weekdays", "handoff_when_unknown", "btn_handoff_send", "btn_handoff_leave",
    "btn_handoff_name", "btn_handoff_cancel", "btn_handoff_end", "handoff_opened",
    "handoff_left", "handoff_already_open", "handoff_cancelled", "handoff_from_person",
    "handoff_from_person_anonymous", "handoff_closed_by_staff", "handoff_ended",
    "staff_topic_title", "staff_case_summary", "staff_waiting", "staff_case_recreated",
    "staff_case_closed", "staff_user_ended", "staff_user_forgot", "staff_reannounce",
    "staff_region_set", "staff_region_unknown", "staff_case_not_open",
    "feedback_no", "feedback_already", "btn_missing", "missing_prompt", "inbox_consent",
    "btn_keep_yes", "btn_keep_no", "inbox_kept", "inbox_not_kept", "inbox_gone",
)  # fmt: skip

REMIND_MAX_DAYS = 366


def _parse_events(reader: Reader, data: dict[str, object]) -> list[Event]:
    """The topic's dated ``events:`` (deadlines whose subscribers are reminded)."""
    raw = data.get("events")
    if raw is None:
        return []
    if not isinstance(raw, list):
        reader.error(line_of(data, "events"), "'events' must be a list of dated events.")
        return []
    events: list[Event] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict):
            reader.error(
                line_of(item), "each event under 'events' needs id, date, remind and text."
            )
            continue
        event_id = item.get("id")
        if not isinstance(event_id, str) or not ID_RE.match(event_id):
            reader.error(
                line_of(item, "id"),
                "event 'id' must be up to 16 lowercase letters, digits or _ (like zdp_closes).",
            )
            continue
        if event_id in seen:
            reader.error(line_of(item, "id"), f"event id '{event_id}' is used twice.")
        seen.add(event_id)
        when = item.get("date")
        if not isinstance(when, date):
            reader.error(
                line_of(item, "date"),
                f"event '{event_id}': 'date' must be the day of the event, like 2026-12-31.",
            )
        remind = item.get("remind")
        if (
            not isinstance(remind, list)
            or not remind
            or not all(isinstance(d, int) and 0 <= d <= REMIND_MAX_DAYS for d in remind)
            or len(set(remind)) != len(remind)
        ):
            reader.error(
                line_of(item, "remind"),
                f"event '{event_id}': 'remind' lists how many days before to remind, "
                "like [14, 3] (whole numbers, each once).",
            )
            remind = []
        text = reader.localized(item, "text", f"event '{event_id}'", ANSWER_MAX_CHARS)
        if text and isinstance(when, date) and remind:
            events.append(Event(event_id, when, tuple(int(d) for d in remind), text))
    return events


def parse_topic(path: Path, known_topics: Iterable[str]) -> tuple[Topic | None, list[Issue]]:
    reader = Reader(path)
    data = reader.load()
    if data is None:
        return None, reader.issues
    if not isinstance(data, dict):
        reader.error(1, "the file must start with 'topic:', 'reviewed:', 'sources:' ... entries.")
        return None, reader.issues
    name = data.get("topic")
    if name != path.stem:
        reader.error(
            line_of(data, "topic"),
            f"'topic' must be '{path.stem}', the same as the file name.",
        )
    elif name not in set(known_topics):
        reader.error(line_of(data, "topic"), f"'{name}' is not a topic of the bot (domain.yml).")
    reviewed = reader.reviewed(data)
    sources = reader.sources(data, required=True)
    title = reader.localized(data, "title", "title", max_chars=BUTTON_MAX_CHARS)
    answer = reader.localized(data, "answer", "answer", max_chars=ANSWER_MAX_CHARS)
    more: list[SubAnswer] = []
    raw_more = data.get("more") or []
    if not isinstance(raw_more, list):
        reader.error(line_of(data, "more"), "'more' must be a list of follow-up answers.")
        raw_more = []
    seen: set[str] = set()
    for item in raw_more:
        line = line_of(item)
        if not isinstance(item, dict):
            reader.error(line, "each follow-up under 'more' needs id, button and text.")
            continue
        sub_id = item.get("id")
        if not isinstance(sub_id, str) or not ID_RE.match(sub_id):
            reader.error(
                line_of(item, "id"),
                "follow-up 'id' must be up to 16 lowercase letters, digits or _ "
                "(like after_90_days).",
            )
            continue
        if sub_id in seen:
            reader.error(line_of(item, "id"), f"follow-up id '{sub_id}' is used twice.")
        seen.add(sub_id)
        button = reader.localized(item, "button", f"button of '{sub_id}'", BUTTON_MAX_CHARS)
        text = reader.localized(item, "text", f"follow-up '{sub_id}'", ANSWER_MAX_CHARS)
        sub_sources = reader.sources(item, required=False) or sources
        sub_reviewed = reader.reviewed(item) if "reviewed" in item else reviewed
        valid_until = reader.valid_until(item)
        if button and text and sub_reviewed:
            more.append(SubAnswer(sub_id, button, text, sub_sources, sub_reviewed, valid_until))
    events = _parse_events(reader, data)
    subscribe = data.get("subscribe", False)
    if not isinstance(subscribe, bool):
        reader.error(line_of(data, "subscribe"), "'subscribe' must be true or false.")
    if any(i.severity == "error" for i in reader.issues):
        return None, reader.issues
    assert title and answer and reviewed and isinstance(name, str)
    topic = Topic(
        name,
        title,
        answer,
        sources,
        reviewed,
        tuple(more),
        line=line_of(data, "reviewed"),
        events=tuple(events),
        subscribe=subscribe is True,
    )
    return topic, reader.issues


def parse_messages(path: Path) -> tuple[dict[str, Localized], list[Issue]]:
    reader = Reader(path)
    data = reader.load()
    messages: dict[str, Localized] = {}
    if not isinstance(data, dict):
        if data is not None:
            reader.error(1, "the file must be a list of texts like 'greeting:' with cs/uk/en.")
        return messages, reader.issues
    for key in REQUIRED_MESSAGES:
        if key not in data:
            reader.error(1, f"the text '{key}' is missing (it needs cs, uk and en).")
    for key in data:
        limit = BUTTON_MAX_CHARS if key.startswith("btn_") else TELEGRAM_MAX_CHARS
        text = reader.localized(data, key, f"text '{key}'", limit)
        if text:
            messages[key] = text
    return messages, reader.issues


def parse_regions(path: Path) -> tuple[dict[str, Localized], list[Issue]]:
    reader = Reader(path)
    data = reader.load()
    regions: dict[str, Localized] = {}
    if isinstance(data, dict):
        for code in data:
            name = reader.localized(data, code, f"region '{code}'", BUTTON_MAX_CHARS)
            if name:
                regions[code] = name
    elif data is not None:
        reader.error(1, "the file must list region codes with cs/uk/en names.")
    return regions, reader.issues


def parse_languages(path: Path) -> tuple[dict[str, str], list[Issue]]:
    reader = Reader(path)
    data = reader.load()
    if not isinstance(data, dict) or set(data) != set(LANGUAGES):
        if data is not None:
            reader.error(1, "the file must give the button label of cs, uk and en.")
        return {}, reader.issues
    return {k: str(v) for k, v in data.items()}, reader.issues


def parse_organisations(
    path: Path, topics: Iterable[str], regions: Iterable[str]
) -> tuple[list[Organisation], list[Issue]]:
    reader = Reader(path)
    data = reader.load()
    orgs: list[Organisation] = []
    if not isinstance(data, list):
        if data is not None:
            reader.error(1, "the file must be a list of organisations, each starting with '- id:'.")
        return orgs, reader.issues
    known_topics = set(topics)
    known_regions = set(regions) | {NATIONAL}
    seen: set[str] = set()
    for item in data:
        line = line_of(item)
        if not isinstance(item, dict):
            reader.error(line, "each organisation must be a block starting with '- id:'.")
            continue
        before = len([i for i in reader.issues if i.severity == "error"])
        org_id = item.get("id")
        if not isinstance(org_id, str) or not ORG_ID_RE.match(org_id):
            reader.error(line, "'id' must be lowercase letters, digits or _ (like opu_praha).")
            continue
        if org_id in seen:
            reader.error(line, f"the id '{org_id}' is used twice.")
        seen.add(org_id)
        name = reader.localized(item, "name", f"name of '{org_id}'", 200)
        helps = item.get("helps_with")
        if not isinstance(helps, list) or not helps:
            reader.error(line_of(item, "helps_with"), f"'{org_id}': 'helps_with' lists topics.")
            helps = []
        for t in helps:
            if t not in known_topics:
                reader.error(line_of(item, "helps_with"), f"'{org_id}': unknown topic '{t}'.")
        where = item.get("regions")
        if not isinstance(where, list) or not where:
            reader.error(
                line_of(item, "regions"),
                f"'{org_id}': 'regions' lists region codes or 'national'.",
            )
            where = []
        for r in where:
            if r not in known_regions:
                reader.error(
                    line_of(item, "regions"),
                    f"'{org_id}': unknown region '{r}'. Use: {', '.join(sorted(known_regions))}.",
                )
        phone = item.get("phone")
        if phone is not None and not (isinstance(phone, str) and PHONE_RE.match(phone)):
            reader.error(
                line_of(item, "phone"),
                f"'{org_id}': phone {phone!r} must be digits and spaces, like \"+420 974 801 802\" "
                "(in quotes).",
            )
        email = item.get("email")
        if email is not None and not (isinstance(email, str) and EMAIL_RE.match(email)):
            reader.error(line_of(item, "email"), f"'{org_id}': e-mail {email!r} looks wrong.")
        web = item.get("web")
        if web is not None:
            reader.url(web, line_of(item, "web"), f"'{org_id}' web")
        source = reader.url(item.get("source"), line_of(item, "source"), f"'{org_id}' source")
        reviewed = reader.reviewed(item)
        hours = (
            reader.localized(item, "hours", f"hours of '{org_id}'", 300)
            if item.get("hours")
            else None
        )
        note = (
            reader.localized(item, "note", f"note of '{org_id}'", 400) if item.get("note") else None
        )
        if not (phone or email or web or item.get("address")):
            reader.error(line, f"'{org_id}': give at least a phone, e-mail, web or address.")
        errors_now = len([i for i in reader.issues if i.severity == "error"])
        if errors_now > before or not (name and source and reviewed):
            continue
        address = item.get("address")
        languages = item.get("languages") or []
        orgs.append(
            Organisation(
                id=org_id,
                name=name,
                helps_with=frozenset(helps),
                regions=frozenset(where),
                source=source,
                reviewed=reviewed,
                phone=phone,
                email=email,
                web=web,
                address=str(address) if address else None,
                hours=hours,
                note=note,
                languages=tuple(str(lang) for lang in languages),
                line=line,
            )
        )
    return orgs, reader.issues
