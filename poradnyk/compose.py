"""Composes replies (text and buttons) from content: the actions, the adapter and staff tools.

Nothing here holds a sentence: every word comes from the content files. Replies use a
tiny markup that the adapter renders: ``**bold**`` and plain URLs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from poradnyk.content import Content, Organisation, Topic
from poradnyk.payload import (
    CONTACTS_INTENT,
    LANGUAGE_PREFIX,
    REGION_CHOICE,
    build_consent,
    build_feedback,
    build_subscription,
)
from poradnyk.payload import build as build_payload

__all__ = [
    "HANDOFF_PAYLOAD",
    "Button",
    "Reply",
    "answer_version",
    "consent_reply",
    "contacts_reply",
    "feedback_no_reply",
    "format_organisation",
    "handoff_reply",
    "language_choice_reply",
    "menu_reply",
    "notice_reply",
    "region_choice_reply",
    "relevant_organisations",
    "reminder_text",
    "service_down_reply",
    "subscription_reply",
    "text_reply",
    "topic_reply",
]

MAX_ORGANISATIONS = 3
HANDOFF_PAYLOAD = build_payload("human_handoff")
"""What "Talk to a person" sends to Rasa (the handoff conversation is Rasa's)."""


@dataclass(frozen=True)
class Button:
    """A button: what it says and what pressing it sends (or the link it opens)."""

    title: str
    payload: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message to the user."""

    text: str
    buttons: tuple[Button, ...] = field(default=())


def _date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def _footer(content: Content, lang: str, sources: Iterable[str], reviewed: date) -> str:
    return "\n".join(
        (
            content.text("source_line", lang, sources=", ".join(sources)),
            content.text("reviewed_line", lang, date=_date(reviewed)),
        )
    )


def _who_knows(content: Content, topic: str, lang: str) -> str:
    """The national organisation to confirm a topic's facts with (name and phone)."""
    orgs = [o for o in content.organisations if o.national and topic in o.helps_with]
    if topic != "emergency":  # an emergency line is not where one checks everyday rules
        orgs = [o for o in orgs if "emergency" not in o.helps_with] or orgs
    org = next((o for o in orgs if o.phone), orgs[0] if orgs else None)
    if org is None:
        return ""
    return f"{org.name.get(lang)} ({org.phone})" if org.phone else org.name.get(lang)


def _caution(content: Content, lang: str, topic: str, reviewed: date, today: date) -> str | None:
    """A caution for an answer checked longer ago than the review age, else None."""
    if (today - reviewed).days <= content.review_age_days:
        return None
    return content.text(
        "stale_caution", lang, date=_date(reviewed), contact=_who_knows(content, topic, lang)
    )


def format_organisation(org: Organisation, lang: str) -> str:
    """An organisation as a few short lines."""
    lines = [f"**{org.name.get(lang)}**"]
    reach = [p for p in (org.phone and f"☎️ {org.phone}", org.email and f"✉️ {org.email}") if p]
    if reach:
        lines.append("  ".join(reach))
    if org.web:
        lines.append(f"🌐 {org.web}")
    if org.address:
        lines.append(f"📍 {org.address}")
    if org.hours:
        lines.append(f"🕘 {org.hours.get(lang)}")
    if org.note:
        lines.append(org.note.get(lang))
    return "\n".join(lines)


def relevant_organisations(
    content: Content, topic: str | None, region: str | None, limit: int = MAX_ORGANISATIONS
) -> list[Organisation]:
    """Organisations for ``topic`` near ``region`` first, then national ones."""

    def helps(org: Organisation) -> bool:
        return topic is None or topic in org.helps_with

    local = [o for o in content.organisations if region in o.regions and helps(o)]
    if topic == CONTACTS_INTENT and region:
        # Asking "who can help me here": every local organisation counts.
        local = [o for o in content.organisations if region in o.regions]
    national = [o for o in content.organisations if o.national and helps(o)]
    return (local + national)[:limit] if limit else local + national


def _contacts_block(content: Content, lang: str, topic: str | None, region: str | None) -> str:
    orgs = relevant_organisations(content, topic, region)
    if not orgs:
        return ""
    parts = [f"**{content.text('contacts_header', lang)}**"]
    parts += [format_organisation(o, lang) for o in orgs]
    if region is None:
        parts.append(content.text("contacts_region_hint", lang))
    return "\n\n".join(parts)


def _nav_buttons(content: Content, lang: str, region: str | None) -> list[Button]:
    buttons = [Button(content.text("btn_contacts", lang), build_payload(CONTACTS_INTENT))]
    if region is None:
        buttons.append(
            Button(
                content.text("btn_region", lang), build_payload(CONTACTS_INTENT, sub=REGION_CHOICE)
            )
        )
    buttons.append(Button(content.text("btn_menu", lang), build_payload("bot_capabilities")))
    return buttons


def answer_version(content: Content, topic_name: str, sub_id: str | None = None) -> str:
    """The version of an answer as shown: the day it was checked and a short fingerprint
    of its texts, so a rating counts for exactly the wording people saw."""
    topic = content.topics[topic_name]
    sub = topic.sub(sub_id) if sub_id else None
    texts = sub.text if sub else topic.answer
    reviewed = sub.reviewed if sub else topic.reviewed
    digest = hashlib.sha256("\x00".join((texts.cs, texts.uk, texts.en)).encode()).hexdigest()
    return f"{reviewed:%Y%m%d}-{digest[:6]}"


def _feedback_buttons(
    content: Content, lang: str, topic: str, sub: str | None, region: str | None
) -> list[Button]:
    version = answer_version(content, topic, sub)
    return [
        Button(content.text("btn_yes", lang), build_feedback("yes", topic, sub, region, version)),
        Button(content.text("btn_no", lang), build_feedback("no", topic, sub, region, version)),
    ]


def feedback_no_reply(content: Content, lang: str, topic: str, sub: str | None) -> Reply:
    """After "No": tell us what was missing, or talk to a person, in one tap."""
    buttons = (
        Button(content.text("btn_missing", lang), build_feedback("missing", topic, sub)),
        Button(content.text("btn_handoff", lang), HANDOFF_PAYLOAD),
        Button(content.text("btn_menu", lang), build_payload("bot_capabilities")),
    )
    return Reply(content.text("feedback_no", lang), buttons)


def consent_reply(content: Content, lang: str, reason: str, topics: Collection[str] = ()) -> Reply:
    """May we keep this question, without the name, for the team? Yes / no, one tap."""
    buttons = (
        Button(content.text("btn_keep_yes", lang), build_consent(True, reason, topics)),
        Button(content.text("btn_keep_no", lang), build_consent(False, reason, topics)),
    )
    return Reply(content.text("inbox_consent", lang), buttons)


def topic_reply(
    content: Content,
    topic_name: str,
    lang: str,
    region: str | None,
    sub_id: str | None = None,
    today: date | None = None,
) -> Reply:
    """The answer of a topic (or of one of its follow-ups) with contacts and buttons.

    A follow-up past its ``valid_until`` day is never shown: the person is told it changed
    and whom to ask. An answer checked longer ago than the review age carries a caution.
    """
    today = today or date.today()
    topic: Topic = content.topics[topic_name]
    sub = topic.sub(sub_id) if sub_id else None
    if sub:
        heading = f"**{topic.title.get(lang)}: {sub.button.get(lang)}**"
        body, sources, reviewed = sub.text.get(lang), sub.sources, sub.reviewed
        if sub.expired(today):
            contact = _who_knows(content, topic_name, lang)
            body = content.text("expired_statement", lang, contact=contact)
    else:
        heading = f"**{topic.title.get(lang)}**"
        body, sources, reviewed = topic.answer.get(lang), topic.sources, topic.reviewed
    sections = [f"{heading}\n{body}", _footer(content, lang, sources, reviewed)]
    caution = _caution(content, lang, topic_name, reviewed, today)
    if caution and not (sub and sub.expired(today)):
        sections.append(f"⚠️ {caution}")
    contacts = _contacts_block(content, lang, topic_name, region)
    if contacts:
        sections.append(contacts)
    sections.append(content.text("feedback_question", lang))
    buttons = [
        Button(s.button.get(lang), build_payload(topic_name, sub=s.id))
        for s in topic.more
        if s.id != sub_id
    ]
    if sub:
        buttons.insert(0, Button(topic.title.get(lang), build_payload(topic_name)))
    if topic.events:
        subscribe = build_subscription("on", topic_name)
        buttons.append(Button(content.text("btn_subscribe", lang), subscribe))
    buttons += _feedback_buttons(content, lang, topic_name, sub_id if sub else None, region)
    buttons += _nav_buttons(content, lang, region)
    return Reply("\n\n".join(sections), tuple(buttons))


def menu_reply(content: Content, lang: str, intro_key: str = "menu") -> Reply:
    """The list of topics as buttons."""
    buttons = [Button(t.title.get(lang), build_payload(name)) for name, t in content.topics.items()]
    buttons.append(Button(content.text("btn_handoff", lang), HANDOFF_PAYLOAD))
    buttons.append(Button(content.text("btn_language", lang), build_payload("change_language")))
    return Reply(content.text(intro_key, lang), tuple(buttons))


def region_choice_reply(content: Content, lang: str, intro_key: str = "region_prompt") -> Reply:
    """The 14 regions as buttons."""
    buttons = tuple(
        Button(name.get(lang), build_payload(CONTACTS_INTENT, region=code))
        for code, name in content.regions.items()
    )
    return Reply(content.text(intro_key, lang), buttons)


def language_choice_reply(content: Content, lang: str) -> Reply:
    """The answer languages as buttons (handled by the adapter)."""
    buttons = tuple(
        Button(label, f"{LANGUAGE_PREFIX}{code}") for code, label in content.languages.items()
    )
    return Reply(content.text("choose_language", lang), buttons)


def contacts_reply(content: Content, lang: str, region: str | None) -> Reply:
    """Who can help: local organisations for ``region`` plus national ones."""
    topic = content.topics.get(CONTACTS_INTENT)
    orgs = relevant_organisations(content, CONTACTS_INTENT, region, limit=6)
    parts = [f"**{content.text('contacts_header', lang)}**"]
    if region:
        parts[0] = (
            f"**{content.text('contacts_header', lang)} {content.regions[region].get(lang)}**"
        )
    parts += [format_organisation(o, lang) for o in orgs]
    if topic:
        parts.append(_footer(content, lang, topic.sources, topic.reviewed))
    if region is None:
        parts.append(content.text("contacts_region_hint", lang))
    buttons = [
        Button(content.text("btn_region", lang), build_payload(CONTACTS_INTENT, sub=REGION_CHOICE)),
        Button(content.text("btn_menu", lang), build_payload("bot_capabilities")),
    ]
    return Reply("\n\n".join(parts), tuple(buttons))


def handoff_reply(
    content: Content, lang: str, region: str | None, intro_key: str = "handoff"
) -> Reply:
    """How to reach a person: organisations that give free personal advice."""
    orgs = relevant_organisations(content, "legal_aid", region, limit=2)
    orgs += [
        o for o in relevant_organisations(content, "protection_extension", None, 1) if o not in orgs
    ]
    parts = [content.text(intro_key, lang)] + [format_organisation(o, lang) for o in orgs]
    buttons = [Button(content.text("btn_contacts", lang), build_payload(CONTACTS_INTENT))]
    buttons.append(Button(content.text("btn_menu", lang), build_payload("bot_capabilities")))
    return Reply("\n\n".join(parts), tuple(buttons))


def service_down_reply(content: Content, lang: str) -> Reply:
    """Served by the adapter alone when Rasa cannot answer: topics and a person to call."""
    help_reply = handoff_reply(content, lang, None, intro_key="service_down")
    menu = menu_reply(content, lang)
    return Reply(help_reply.text, menu.buttons[:-1])


def text_reply(
    content: Content, lang: str, key: str, with_menu: bool = False, **values: str
) -> Reply:
    """A conversation text, optionally with the menu button."""
    buttons: tuple[Button, ...] = ()
    if with_menu:
        buttons = (Button(content.text("btn_menu", lang), build_payload("bot_capabilities")),)
    return Reply(content.text(key, lang, **values), buttons)


_ON, _OFF = "✅", "▫️"


def subscription_reply(
    content: Content, lang: str, chosen: Iterable[str], intro: str | None = None
) -> Reply:
    """The subscription topics as toggle buttons, the chosen ones marked (``intro``: a line
    to say first, e.g. what just changed)."""
    chosen = set(chosen)
    buttons = [
        Button(
            f"{_ON if name in chosen else _OFF} {content.topics[name].title.get(lang)}",
            build_subscription("toggle", name),
        )
        for name in content.subscription_topics
    ]
    buttons.append(Button(content.text("btn_menu", lang), build_payload("bot_capabilities")))
    parts = [intro] if intro else []
    parts.append(content.text("subscribe_menu", lang))
    if not chosen & set(content.subscription_topics):
        parts.append(content.text("subscribe_none", lang))
    return Reply("\n\n".join(parts), tuple(buttons))


def reminder_text(content: Content, topic: str, event_id: str, lang: str) -> str:
    """A dated event's reminder: a heading with the topic and date, then its text."""
    found = content.topics[topic]
    event = next(e for e in found.events if e.id == event_id)
    heading = content.text(
        "reminder_heading", lang, topic=found.title.get(lang), date=_date(event.date)
    )
    return f"**{heading}**\n{event.text.get(lang)}"


def notice_reply(content: Content, lang: str, topic: str, text: str) -> Reply:
    """A reminder or announcement as sent to one subscriber: the text, then the buttons to
    unsubscribe from ``topic`` (the one they subscribed to) and to see their choice."""
    buttons = (
        Button(content.text("btn_unsubscribe", lang), build_subscription("off", topic)),
        Button(content.text("btn_subscriptions", lang), build_subscription("menu")),
    )
    return Reply(text, buttons)
