"""A reply as the person in Telegram gets it: the core's composer and renderer, unchanged.

:func:`poradnyk.compose.topic_reply` (and its siblings) build the reply from the content
that the draft would publish; :func:`poradnyk.render.split_html` cuts it into the
messages the adapter sends, and :func:`poradnyk.render.button_rows` lays out the buttons
under the last one, as ``bot/sender.py`` does.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.safestring import SafeString, mark_safe

from poradnyk.compose import (
    Button,
    Reply,
    contacts_reply,
    format_organisation,
    menu_reply,
    topic_reply,
)
from poradnyk.content import Content
from poradnyk.handoff import Facts, consent_reply
from poradnyk.hours import is_open, next_opening
from poradnyk.payload import CONTACTS_INTENT
from poradnyk.render import button_rows, split_html

__all__ = [
    "Bubble",
    "HandoffMoment",
    "handoff_preview",
    "message_preview",
    "organisation_preview",
    "render",
    "topic_preview",
]

_TITLE_LIMIT = 64  # bot/render.py cuts button titles here
# Telegram turns plain links into links by itself; the preview does the same.
_URL_RE = re.compile(r"https?://[^\s<\"']+[^\s<\"'.,;:!?)\]]")


@dataclass(frozen=True)
class Bubble:
    """One Telegram message: its HTML (escaped by the core) and its rows of buttons."""

    html: SafeString
    rows: tuple[tuple[str, ...], ...] = ()


def _linked(html: str) -> str:
    return _URL_RE.sub(
        lambda m: (
            f'<a href="{m.group(0)}" rel="noopener noreferrer" target="_blank">{m.group(0)}</a>'
        ),
        html,
    )


def render(reply: Reply) -> list[Bubble]:
    """The messages of one reply, the keyboard on the last (as the adapter sends them)."""
    chunks = split_html(reply.text)
    rows = tuple(tuple(b.title[:_TITLE_LIMIT] for b in row) for row in button_rows(reply.buttons))
    # split_html escapes the text and adds only <b>: safe to show as HTML.
    return [
        Bubble(mark_safe(_linked(chunk)), rows if i == len(chunks) - 1 else ())
        for i, chunk in enumerate(chunks)
    ]


def topic_preview(
    content: Content, topic: str, lang: str, region: str | None, sub: str | None
) -> list[Bubble]:
    """A topic's answer (or one follow-up) for someone in ``region``."""
    if topic == CONTACTS_INTENT and not sub:
        return render(contacts_reply(content, lang, region))
    if sub and content.topics[topic].sub(sub) is None:
        sub = None
    return render(topic_reply(content, topic, lang, region, sub))


def organisation_preview(
    content: Content, org_id: str, lang: str, region: str | None, topic: str | None
) -> tuple[list[Bubble], bool]:
    """The organisation's card, then a topic's answer for ``region``; and whether the card
    is in that answer (an answer shows at most three organisations)."""
    org = next((o for o in content.organisations if o.id == org_id), None)
    if org is None:
        return [], False
    bubbles = render(Reply(format_organisation(org, lang)))
    if topic is None or topic not in content.topics:
        topic = next((t for t in sorted(org.helps_with) if t in content.topics), None)
    if topic is None:
        return bubbles, False
    answer = topic_preview(content, topic, lang, region, None)
    card = format_organisation(org, lang).split("\n")[0].strip("*")
    shown = any(card in str(b.html) for b in answer)
    return bubbles + answer, shown


def message_preview(content: Content, key: str, lang: str) -> list[Bubble]:
    """A conversation text where the bot uses it (the menu with its topics, a button...)."""
    if key == "menu":
        return render(menu_reply(content, lang))
    text = content.messages[key].get(lang)
    if key.startswith("btn_"):
        return render(Reply("…", (Button(text, "/"),)))
    return render(Reply(text))


@dataclass(frozen=True)
class HandoffMoment:
    """What a person asking for a person sees at ``at`` (local time of the NGO)."""

    at: datetime
    open: bool
    back_at: datetime | None
    bubbles: list[Bubble]


_STEP = timedelta(minutes=5)
_WEEK = timedelta(days=7)


def _first_closed(content: Content, now: datetime) -> datetime | None:
    handoff = content.handoff
    assert handoff is not None
    moment = now.replace(second=0, microsecond=0)
    moment -= timedelta(minutes=moment.minute % 5)
    end = now + _WEEK
    while moment <= end:
        if moment >= now and not is_open(handoff, moment):
            return moment
        moment += _STEP
    return None  # staff are always in


def handoff_preview(content: Content, lang: str, now: datetime) -> list[HandoffMoment]:
    """The consent screen of "Talk to a person" right now, and (if that is within office
    hours) at the next moment outside them: the bot's own composer and clock rules.

    Nothing about a real person: no question typed yet, no region, no topic.
    """
    handoff = content.handoff
    if handoff is None:
        return []
    zone = zoneinfo.ZoneInfo(handoff.time_zone)
    facts = Facts(None, lang, None, None)
    moments = [now]
    if is_open(handoff, now):
        later = _first_closed(content, now)
        if later is not None:
            moments.append(later)
    shown = []
    for at in moments:
        open_now = is_open(handoff, at)
        back = None if open_now else next_opening(handoff, at)
        reply = consent_reply(content, handoff, facts, lang, back, open_now)
        shown.append(HandoffMoment(at.astimezone(zone), open_now, back, render(reply)))
    return shown
