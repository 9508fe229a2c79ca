"""What a handoff to staff says: the consent screen, the staff summary, the topic title.

Every word comes from content (messages.yml, handoff.yml, organisations.yml). The
consent screen shows the person exactly the fields staff will see (:func:`fields`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from poradnyk.compose import Button, Reply, format_organisation
from poradnyk.content import Content
from poradnyk.content.model import Handoff
from poradnyk.payload import build_handoff

__all__ = [
    "Facts",
    "consent_reply",
    "fields",
    "format_when",
    "hotlines_text",
    "summary_text",
    "topic_title",
]

_TITLE_LIMIT = 128  # Telegram's limit of a forum topic's name


@dataclass(frozen=True)
class Facts:
    """What staff see of a person: nothing else, and the name only if they chose so."""

    question: str | None
    language: str
    region: str | None
    topic: str | None
    name: str | None = None


def _region(content: Content, region: str | None, lang: str) -> str | None:
    known = content.regions.get(region or "")
    return known.get(lang) if known else None


def fields(content: Content, facts: Facts, lang: str, with_name: bool) -> str:
    """The lines staff see, in ``lang``; the name line only ``with_name``."""
    none = content.text("handoff_none", lang)
    topic = content.topics.get(facts.topic or "")
    values = [
        ("handoff_field_question", facts.question or content.text("handoff_no_question", lang)),
        ("handoff_field_language", content.languages.get(facts.language, facts.language)),
        ("handoff_field_region", _region(content, facts.region, lang) or none),
        ("handoff_field_topic", topic.title.get(lang) if topic else none),
    ]
    if with_name:
        values.append(("handoff_field_name", facts.name or none))
    return "\n".join(content.text(key, lang, value=value) for key, value in values)


def format_when(content: Content, handoff: Handoff, lang: str, when: datetime | None) -> str:
    """An opening time in ``lang`` ("on Monday 07.12. at 09:00 (Europe/Prague)")."""
    if when is None:
        return content.text("handoff_when_unknown", lang)
    weekdays = content.text("handoff_weekdays", lang).split(",")
    weekday = weekdays[when.weekday()].strip() if len(weekdays) == 7 else ""
    return content.text(
        "handoff_when",
        lang,
        weekday=weekday,
        date=when.strftime("%d.%m."),
        time=when.strftime("%H:%M"),
        zone=handoff.time_zone,
    )


def hotlines_text(content: Content, handoff: Handoff, lang: str) -> str:
    """The organisations to call while staff are out, as the contacts show them."""
    orgs = {o.id: o for o in content.organisations}
    return "\n\n".join(format_organisation(orgs[i], lang) for i in handoff.hotlines if i in orgs)


def consent_reply(
    content: Content,
    handoff: Handoff,
    facts: Facts,
    lang: str,
    back_at: datetime | None,
    open_now: bool,
) -> Reply:
    """What staff would see, and the buttons to send it (anonymously or with the name)."""
    summary = fields(content, facts, lang, with_name=False)
    if open_now:
        text = content.text("handoff_consent", lang, summary=summary)
        send = content.text("btn_handoff_send", lang)
    else:
        text = content.text(
            "handoff_consent_later",
            lang,
            summary=summary,
            when=format_when(content, handoff, lang, back_at),
            hotlines=hotlines_text(content, handoff, lang),
        )
        send = content.text("btn_handoff_leave", lang)
    buttons = (
        Button(send, build_handoff("send")),
        Button(content.text("btn_handoff_name", lang), build_handoff("name")),
        Button(content.text("btn_handoff_cancel", lang), build_handoff("cancel")),
    )
    return Reply(text, buttons)


def summary_text(content: Content, handoff: Handoff, case: int, facts: Facts, waiting: bool) -> str:
    """The first message of a case's topic, in the staff's language."""
    lang = handoff.staff_language
    return content.text(
        "staff_case_summary",
        lang,
        case=case,
        waiting=content.text("staff_waiting", lang) if waiting else "",
        fields=fields(content, facts, lang, with_name=facts.name is not None),
    )


def topic_title(
    content: Content, handoff: Handoff, case: int, language: str, region: str | None
) -> str:
    """The forum topic's name: the case number, language and region (nobody's name)."""
    lang = handoff.staff_language
    title = content.text(
        "staff_topic_title",
        lang,
        case=case,
        language=language,
        region=_region(content, region, lang) or content.text("handoff_none", lang),
    )
    return title[:_TITLE_LIMIT]
