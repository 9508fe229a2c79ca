"""Loads and validates all content at once: the one entry point of every process."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from poradnyk.content.handoff import parse_handoff
from poradnyk.content.model import Content, ContentError, Issue, Topic
from poradnyk.content.parse import (
    parse_languages,
    parse_messages,
    parse_organisations,
    parse_regions,
    parse_topic,
)

__all__ = ["DEFAULT_REVIEW_AGE_DAYS", "load_content"]

DEFAULT_REVIEW_AGE_DAYS = 180


def load_content(
    content_dir: Path,
    topics: Iterable[str],
    max_age_days: int | None = None,
    today: date | None = None,
    *,
    review_age_days: int = DEFAULT_REVIEW_AGE_DAYS,
    strict_dates: bool = False,
) -> Content:
    """Load and validate all content; raise :class:`ContentError` when anything is wrong.

    ``max_age_days`` reports items checked longer ago as warnings (the staff check).
    A follow-up past its ``valid_until`` day, or an event whose date has passed, is an
    error with ``strict_dates`` (the staff check: fix it) and a warning otherwise (the bot
    keeps serving, showing "this changed" in its place; a past event is simply not due).
    ``review_age_days`` is the age from which users see a caution.
    """
    topics = list(topics)
    today = today or date.today()
    issues: list[Issue] = []
    regions, found = parse_regions(content_dir / "regions.yml")
    issues += found
    messages, found = parse_messages(content_dir / "messages.yml")
    issues += found
    languages, found = parse_languages(content_dir / "languages.yml")
    issues += found
    orgs, found = parse_organisations(content_dir / "organisations.yml", topics, regions)
    issues += found
    handoff, found = parse_handoff(content_dir / "handoff.yml", orgs)
    issues += found
    parsed: dict[str, Topic] = {}
    for name in topics:
        path = content_dir / "topics" / f"{name}.yml"
        if not path.exists():
            issues.append(Issue(path, 1, f"the topic '{name}' has no answer file."))
            continue
        topic, found = parse_topic(path, topics)
        issues += found
        if topic:
            parsed[name] = topic
    for path in sorted((content_dir / "topics").glob("*.yml")):
        if path.stem not in topics:
            issues.append(Issue(path, 1, f"'{path.stem}' is not a topic of the bot (domain.yml)."))
    for name in topics:
        if not any(name in o.helps_with and o.national for o in orgs):
            issues.append(
                Issue(
                    content_dir / "organisations.yml",
                    1,
                    f"no national organisation helps with '{name}' (helps_with).",
                )
            )
    for code in regions:
        if not any(code in o.regions for o in orgs):
            issues.append(
                Issue(
                    content_dir / "organisations.yml",
                    1,
                    f"no organisation serves the region '{code}'.",
                    "warning",
                )
            )
    if max_age_days is not None:
        dated: list[tuple[Path, int, str, date]] = [
            (content_dir / "topics" / f"{t.name}.yml", t.line, f"topic '{t.name}'", t.reviewed)
            for t in parsed.values()
        ]
        dated += [
            (content_dir / "organisations.yml", o.line, f"'{o.id}'", o.reviewed) for o in orgs
        ]
        for path, line, what, when in dated:
            age = (today - when).days
            if age > max_age_days:
                issues.append(
                    Issue(
                        path,
                        line,
                        f"{what} was last checked on {when.isoformat()}, {age} days ago "
                        f"(more than {max_age_days}). Check it against its sources.",
                        "warning",
                    )
                )
    for topic in parsed.values():
        for sub in topic.more:
            if sub.expired(today):
                issues.append(
                    Issue(
                        content_dir / "topics" / f"{topic.name}.yml",
                        topic.line,
                        f"the follow-up '{sub.id}' was true until {sub.valid_until}; users "
                        "now see 'this changed' instead. Update its text and valid_until, or "
                        "remove it.",
                        "error" if strict_dates else "warning",
                    )
                )
        for event in topic.events:
            if event.date < today:
                issues.append(
                    Issue(
                        content_dir / "topics" / f"{topic.name}.yml",
                        topic.line,
                        f"the event '{event.id}' was on {event.date}, in the past: nobody "
                        "can be reminded of it any more. Remove it or give its new date.",
                        "error" if strict_dates else "warning",
                    )
                )
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise ContentError(errors)
    return Content(
        topics=parsed,
        messages=messages,
        organisations=tuple(orgs),
        regions=regions,
        languages=languages,
        warnings=tuple(i for i in issues if i.severity == "warning"),
        review_age_days=review_age_days,
        handoff=handoff,
    )
