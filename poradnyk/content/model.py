"""The typed content model: what every process reads (topics, texts, organisations)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

__all__ = [
    "NATIONAL",
    "Content",
    "ContentError",
    "Event",
    "Handoff",
    "Issue",
    "Localized",
    "Organisation",
    "SubAnswer",
    "Topic",
]

NATIONAL = "national"
_Day = date  # inside Event, ``date`` names its field


@dataclass(frozen=True)
class Issue:
    """A problem found in a content file, for people with no programming background."""

    path: Path
    line: int
    message: str
    severity: str = "error"  # "error" refuses the file; "warning" only reports

    def __str__(self) -> str:
        kind = "ERROR" if self.severity == "error" else "warning"
        try:
            shown = self.path.resolve().relative_to(Path.cwd())
        except ValueError:
            shown = self.path
        return f"{kind}: {shown}, line {self.line}: {self.message}"


class ContentError(Exception):
    """Content has errors; ``issues`` says where and what."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass(frozen=True)
class Localized:
    """A text in each answer language."""

    cs: str
    uk: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (unknown languages get Ukrainian)."""
        return {"cs": self.cs, "uk": self.uk, "en": self.en}.get(lang, self.uk)


@dataclass(frozen=True)
class SubAnswer:
    """A follow-up answer reachable by a button under a topic answer."""

    id: str
    button: Localized
    text: Localized
    sources: tuple[str, ...]
    reviewed: date
    valid_until: date | None = None
    """The last day the statement is true (a dated amount, a registration window)."""

    def expired(self, today: date) -> bool:
        """Whether the statement is past its ``valid_until`` day."""
        return self.valid_until is not None and today > self.valid_until


@dataclass(frozen=True)
class Event:
    """A dated event of a topic (a deadline): its subscribers are reminded before it."""

    id: str
    date: _Day
    remind: tuple[int, ...]
    """Days before ``date`` on which the reminder is sent (e.g. 14 and 3)."""
    text: Localized

    def reminder_days(self) -> list[tuple[int, _Day]]:
        """(days before, the day the reminder is due), earliest first."""
        from datetime import timedelta  # noqa: PLC0415

        return [(d, self.date - timedelta(days=d)) for d in sorted(self.remind, reverse=True)]


@dataclass(frozen=True)
class Topic:
    """The curated answer for one topic intent."""

    name: str
    title: Localized
    answer: Localized
    sources: tuple[str, ...]
    reviewed: date
    more: tuple[SubAnswer, ...] = ()
    line: int = field(default=1, compare=False)  # of 'reviewed', for staff messages
    events: tuple[Event, ...] = ()
    subscribe: bool = False
    """Offered in /subscribe (a topic with events always is)."""

    @property
    def subscribable(self) -> bool:
        """Whether people can subscribe to news and reminders of this topic."""
        return self.subscribe or bool(self.events)

    def sub(self, sub_id: str) -> SubAnswer | None:
        """The follow-up answer ``sub_id``, if there is one."""
        return next((s for s in self.more if s.id == sub_id), None)


@dataclass(frozen=True)
class Organisation:
    """An organisation of the directory, with what it helps with and where."""

    id: str
    name: Localized
    helps_with: frozenset[str]
    regions: frozenset[str]
    source: str
    reviewed: date
    phone: str | None = None
    email: str | None = None
    web: str | None = None
    address: str | None = None
    hours: Localized | None = None
    note: Localized | None = None
    languages: tuple[str, ...] = ()
    line: int = field(default=1, compare=False)  # where the entry starts, for staff messages

    @property
    def national(self) -> bool:
        """Whether it serves the whole country."""
        return NATIONAL in self.regions


@dataclass(frozen=True)
class Handoff:
    """Passing a person to NGO staff in a Telegram forum supergroup (content/handoff.yml).

    ``hours`` maps a weekday (0 = Monday) to its opening spans, in ``time_zone``;
    ``holidays`` are closed all day.
    """

    staff_chat_id: int
    time_zone: str
    hours: Mapping[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date]
    reannounce_after_hours: float
    staff_language: str
    hotlines: tuple[str, ...]
    """Organisation ids (organisations.yml) given when staff are not in."""


@dataclass(frozen=True)
class Content:
    """Everything the bot says, loaded and validated."""

    topics: Mapping[str, Topic]
    messages: Mapping[str, Localized]
    organisations: tuple[Organisation, ...]
    regions: Mapping[str, Localized]
    languages: Mapping[str, str]
    warnings: tuple[Issue, ...] = field(default=())
    review_age_days: int = 180
    """Answers checked longer ago than this carry a caution for the user."""
    handoff: Handoff | None = None
    """None while no staff group is configured (the bot then only points to organisations)."""

    @property
    def subscription_topics(self) -> list[str]:
        """Topics people may subscribe to, in the order of the menu."""
        return [name for name, topic in self.topics.items() if topic.subscribable]

    def text(self, key: str, lang: str, **values: object) -> str:
        """The conversation text ``key`` in ``lang`` with its placeholders filled."""
        template = self.messages[key].get(lang)
        return template.format(**values) if values else template
