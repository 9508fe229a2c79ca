"""``bin/staff content``: checks and previews the content, for NGO staff.

``bin/staff content check`` validates every file and prints plain messages with file
and line; ``bin/staff content show TOPIC[.FOLLOWUP] --lang uk --region Brno`` prints an
answer exactly as a user would see it (buttons in brackets). ``bin/content`` is the same.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from poradnyk.compose import Reply, contacts_reply, menu_reply, topic_reply
from poradnyk.content import ContentError, known_topics, load_content
from poradnyk.content.load import DEFAULT_REVIEW_AGE_DAYS
from poradnyk.languages import LANGUAGES
from poradnyk.regions import find_regions

__all__ = ["main"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def _region_code(region: str | None) -> str | None:
    """A region code from a code or a city name (same matching as the bot)."""
    if region is None:
        return None
    found = find_regions(region)
    return found[0][2] if found else region


def _print_reply(reply: Reply) -> None:
    print(reply.text.replace("**", ""))
    if reply.buttons:
        print()
        print("  ".join(f"[{b.title}]" for b in reply.buttons))
    print("-" * 40)


def _check(content_dir: Path, max_age: int) -> int:
    try:
        content = load_content(
            content_dir, known_topics(REPO_ROOT), max_age_days=max_age, strict_dates=True
        )
    except ContentError as exc:
        for issue in exc.issues:
            print(issue)
        print(f"\n{len(exc.issues)} problem(s) found. The bot keeps using the last good version.")
        return 1
    for warning in content.warnings:
        print(warning)
    print(
        f"Content OK: {len(content.topics)} topics, {len(content.organisations)} organisations, "
        f"{len(content.messages)} texts in {', '.join(LANGUAGES)}"
        + (f" ({len(content.warnings)} warning(s) above)." if content.warnings else ".")
    )
    return 0


def _show(content_dir: Path, topic: str, lang: str, region: str | None) -> int:
    try:
        content = load_content(content_dir, known_topics(REPO_ROOT))
    except ContentError as exc:
        print(exc)
        return 1
    code = _region_code(region)
    if code is not None and code not in content.regions:
        print(f"Unknown region '{region}'. Use a code ({', '.join(content.regions)}) or a city.")
        return 2
    main_topic, _, sub = topic.partition(".")
    if topic == "menu":
        _print_reply(menu_reply(content, lang))
    elif topic == "ngo_contacts":
        _print_reply(contacts_reply(content, lang, code))
    elif main_topic in content.topics:
        if sub and content.topics[main_topic].sub(sub) is None:
            subs = ", ".join(f"{main_topic}.{s.id}" for s in content.topics[main_topic].more)
            print(f"'{main_topic}' has no follow-up '{sub}'. Follow-ups: {subs or 'none'}")
            return 2
        _print_reply(topic_reply(content, main_topic, lang, code, sub or None))
    else:
        print(f"Unknown topic '{topic}'. Topics: menu, {', '.join(content.topics)}")
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="bin/staff content", description=__doc__)
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / "content", help="content folder")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate all content files")
    check.add_argument(
        "--max-age",
        type=int,
        default=DEFAULT_REVIEW_AGE_DAYS,
        help="warn about facts checked longer ago than this many days",
    )
    show = commands.add_parser("show", help="print an answer as the user sees it")
    show.add_argument(
        "topic", help="a topic (e.g. housing), a follow-up (housing.deposit), or 'menu'"
    )
    show.add_argument("--lang", choices=LANGUAGES, default="uk")
    show.add_argument("--region", help="region code or city, e.g. jihomoravsky or Brno")
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args.dir, args.max_age)
    return _show(args.dir, args.topic, args.lang, args.region)


if __name__ == "__main__":
    sys.exit(main())
