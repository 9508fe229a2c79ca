"""The one typed loader of the content that NGO staff edit (``content/``).

Content is validated as it is loaded: a file with errors is refused with a
message naming the file and line, and :class:`ContentStore` keeps serving the
last good version until the file is fixed (hot reload, no restart).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "LANGUAGES",
    "META_INTENTS",
    "REQUIRED_MESSAGES",
    "Content",
    "ContentError",
    "ContentStore",
    "Issue",
    "Localized",
    "Organisation",
    "SubAnswer",
    "Topic",
    "domain_intents",
    "known_topics",
    "load_content",
]

logger = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("cs", "uk", "en")
NATIONAL = "national"

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
    "cmd_privacy", "cmd_forget",
)  # fmt: skip

_ID_RE = re.compile(r"^[a-z0-9_]{1,16}$")
_ORG_ID_RE = re.compile(r"^[a-z0-9_]{1,40}$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ]{1,18}[0-9]$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")

TELEGRAM_MAX_CHARS = 4096
ANSWER_MAX_CHARS = 1500
BUTTON_MAX_CHARS = 40


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
class Content:
    """Everything the bot says, loaded and validated."""

    topics: Mapping[str, Topic]
    messages: Mapping[str, Localized]
    organisations: tuple[Organisation, ...]
    regions: Mapping[str, Localized]
    languages: Mapping[str, str]
    warnings: tuple[Issue, ...] = field(default=())

    def text(self, key: str, lang: str, **values: object) -> str:
        """The conversation text ``key`` in ``lang`` with its placeholders filled."""
        template = self.messages[key].get(lang)
        return template.format(**values) if values else template


# --- YAML with line numbers -------------------------------------------------


class _LineDict(dict[str, Any]):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings carry line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    result = _LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _line_of(node: object, key: str | None = None) -> int:
    if isinstance(node, _LineDict):
        if key is not None and key in node.key_lines:
            return node.key_lines[key]
        return node.line
    return 1


class _Reader:
    """Collects issues while turning YAML nodes into typed values."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.issues: list[Issue] = []

    def error(self, line: int, message: str) -> None:
        self.issues.append(Issue(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.issues.append(Issue(self.path, line, message, "warning"))

    def load(self) -> Any:
        try:
            with self.path.open(encoding="utf-8") as fh:
                return yaml.load(fh, Loader=_LineLoader)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            self.error(
                line,
                f"the file is not valid YAML ({exc.problem}). Check indentation and quotes "
                "around this line.",
            )
        except yaml.YAMLError as exc:
            self.error(1, f"the file cannot be read as text ({exc}). Save it as UTF-8 text.")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(1, f"the file cannot be read ({exc}).")
        return None

    def localized(
        self, parent: Any, key: str, what: str, max_chars: int = TELEGRAM_MAX_CHARS
    ) -> Localized | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        line = _line_of(parent, key)
        if not isinstance(value, dict):
            self.error(line, f"{what}: '{key}' must have a text for each language cs, uk, en.")
            return None
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.error(_line_of(value, lang), f"{what}: the '{lang}' text is missing or empty.")
                continue
            if len(text) > max_chars:
                self.error(
                    _line_of(value, lang),
                    f"{what}: the '{lang}' text has {len(text)} characters; "
                    f"the limit is {max_chars}. Shorten it or move details into a follow-up.",
                )
            texts[lang] = text.strip()
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            self.error(line, f"{what}: unknown language(s) {sorted(unknown)}; use only cs, uk, en.")
        if len(texts) != len(LANGUAGES):
            return None
        placeholders = {lang: set(_PLACEHOLDER_RE.findall(t)) for lang, t in texts.items()}
        if len({frozenset(p) for p in placeholders.values()}) > 1:
            self.error(
                line,
                f"{what}: the {{placeholders}} differ between languages: "
                + ", ".join(f"{lang}={sorted(p)}" for lang, p in placeholders.items()),
            )
        return Localized(**texts)

    def reviewed(self, parent: Any, key: str = "reviewed") -> date | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(value, date):
            return value
        self.error(
            _line_of(parent, key),
            f"'{key}' must be the date the facts were last checked, written like 2026-02-28.",
        )
        return None

    def url(self, value: object, line: int, what: str) -> str | None:
        if isinstance(value, str) and _URL_RE.match(value.strip()):
            return value.strip()
        self.error(line, f"{what}: {value!r} is not a full web link (it must start with https://).")
        return None

    def sources(self, parent: Any, required: bool) -> tuple[str, ...]:
        value = parent.get("sources") if isinstance(parent, dict) else None
        line = _line_of(parent, "sources")
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value:
            self.error(line, "'sources' must list at least one official link (- https://...).")
            return ()
        urls = [self.url(v, line, "source") for v in value]
        return tuple(u for u in urls if u)


def _parse_topic(path: Path, known_topics: Iterable[str]) -> tuple[Topic | None, list[Issue]]:
    reader = _Reader(path)
    data = reader.load()
    if data is None:
        return None, reader.issues
    if not isinstance(data, dict):
        reader.error(1, "the file must start with 'topic:', 'reviewed:', 'sources:' ... entries.")
        return None, reader.issues
    name = data.get("topic")
    if name != path.stem:
        reader.error(
            _line_of(data, "topic"),
            f"'topic' must be '{path.stem}', the same as the file name.",
        )
    elif name not in set(known_topics):
        reader.error(_line_of(data, "topic"), f"'{name}' is not a topic of the bot (domain.yml).")
    reviewed = reader.reviewed(data)
    sources = reader.sources(data, required=True)
    title = reader.localized(data, "title", "title", max_chars=BUTTON_MAX_CHARS)
    answer = reader.localized(data, "answer", "answer", max_chars=ANSWER_MAX_CHARS)
    more: list[SubAnswer] = []
    raw_more = data.get("more") or []
    if not isinstance(raw_more, list):
        reader.error(_line_of(data, "more"), "'more' must be a list of follow-up answers.")
        raw_more = []
    seen: set[str] = set()
    for item in raw_more:
        line = _line_of(item)
        if not isinstance(item, dict):
            reader.error(line, "each follow-up under 'more' needs id, button and text.")
            continue
        sub_id = item.get("id")
        if not isinstance(sub_id, str) or not _ID_RE.match(sub_id):
            reader.error(
                _line_of(item, "id"),
                "follow-up 'id' must be up to 16 lowercase letters, digits or _ "
                "(like after_90_days).",
            )
            continue
        if sub_id in seen:
            reader.error(_line_of(item, "id"), f"follow-up id '{sub_id}' is used twice.")
        seen.add(sub_id)
        button = reader.localized(item, "button", f"button of '{sub_id}'", BUTTON_MAX_CHARS)
        text = reader.localized(item, "text", f"follow-up '{sub_id}'", ANSWER_MAX_CHARS)
        sub_sources = reader.sources(item, required=False) or sources
        sub_reviewed = reader.reviewed(item) if "reviewed" in item else reviewed
        if button and text and sub_reviewed:
            more.append(SubAnswer(sub_id, button, text, sub_sources, sub_reviewed))
    if any(i.severity == "error" for i in reader.issues):
        return None, reader.issues
    assert title and answer and reviewed and isinstance(name, str)
    topic = Topic(
        name, title, answer, sources, reviewed, tuple(more), line=_line_of(data, "reviewed")
    )
    return topic, reader.issues


def _parse_messages(path: Path) -> tuple[dict[str, Localized], list[Issue]]:
    reader = _Reader(path)
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


def _parse_regions(path: Path) -> tuple[dict[str, Localized], list[Issue]]:
    reader = _Reader(path)
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


def _parse_languages(path: Path) -> tuple[dict[str, str], list[Issue]]:
    reader = _Reader(path)
    data = reader.load()
    if not isinstance(data, dict) or set(data) != set(LANGUAGES):
        if data is not None:
            reader.error(1, "the file must give the button label of cs, uk and en.")
        return {}, reader.issues
    return {k: str(v) for k, v in data.items()}, reader.issues


def _parse_organisations(
    path: Path, topics: Iterable[str], regions: Iterable[str]
) -> tuple[list[Organisation], list[Issue]]:
    reader = _Reader(path)
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
        line = _line_of(item)
        if not isinstance(item, dict):
            reader.error(line, "each organisation must be a block starting with '- id:'.")
            continue
        before = len([i for i in reader.issues if i.severity == "error"])
        org_id = item.get("id")
        if not isinstance(org_id, str) or not _ORG_ID_RE.match(org_id):
            reader.error(line, "'id' must be lowercase letters, digits or _ (like opu_praha).")
            continue
        if org_id in seen:
            reader.error(line, f"the id '{org_id}' is used twice.")
        seen.add(org_id)
        name = reader.localized(item, "name", f"name of '{org_id}'", 200)
        helps = item.get("helps_with")
        if not isinstance(helps, list) or not helps:
            reader.error(_line_of(item, "helps_with"), f"'{org_id}': 'helps_with' lists topics.")
            helps = []
        for t in helps:
            if t not in known_topics:
                reader.error(_line_of(item, "helps_with"), f"'{org_id}': unknown topic '{t}'.")
        where = item.get("regions")
        if not isinstance(where, list) or not where:
            reader.error(
                _line_of(item, "regions"),
                f"'{org_id}': 'regions' lists region codes or 'national'.",
            )
            where = []
        for r in where:
            if r not in known_regions:
                reader.error(
                    _line_of(item, "regions"),
                    f"'{org_id}': unknown region '{r}'. Use: {', '.join(sorted(known_regions))}.",
                )
        phone = item.get("phone")
        if phone is not None and not (isinstance(phone, str) and _PHONE_RE.match(phone)):
            reader.error(
                _line_of(item, "phone"),
                f"'{org_id}': phone {phone!r} must be digits and spaces, like \"+420 974 801 802\" "
                "(in quotes).",
            )
        email = item.get("email")
        if email is not None and not (isinstance(email, str) and _EMAIL_RE.match(email)):
            reader.error(_line_of(item, "email"), f"'{org_id}': e-mail {email!r} looks wrong.")
        web = item.get("web")
        if web is not None:
            reader.url(web, _line_of(item, "web"), f"'{org_id}' web")
        source = reader.url(item.get("source"), _line_of(item, "source"), f"'{org_id}' source")
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


META_INTENTS: frozenset[str] = frozenset(
    {"greet", "goodbye", "thank", "bot_capabilities", "change_language", "human_handoff",
     "affirm", "deny", "out_of_scope", "nlu_fallback"}
)  # fmt: skip


def domain_intents(repo_root: Path) -> list[str]:
    """All intents of ``domain.yml``."""
    with (repo_root / "domain.yml").open(encoding="utf-8") as fh:
        domain = yaml.safe_load(fh)
    intents = domain.get("intents")
    if not isinstance(intents, list):
        raise ValueError("domain.yml has no 'intents' list")
    return [next(iter(i)) if isinstance(i, dict) else str(i) for i in intents]


def known_topics(repo_root: Path) -> list[str]:
    """Topic intents: the intents of ``domain.yml`` that are not conversation management."""
    return [n for n in domain_intents(repo_root) if n not in META_INTENTS]


def load_content(
    content_dir: Path,
    topics: Iterable[str],
    max_age_days: int | None = None,
    today: date | None = None,
) -> Content:
    """Load and validate all content; raise :class:`ContentError` when anything is wrong."""
    topics = list(topics)
    issues: list[Issue] = []
    regions, found = _parse_regions(content_dir / "regions.yml")
    issues += found
    messages, found = _parse_messages(content_dir / "messages.yml")
    issues += found
    languages, found = _parse_languages(content_dir / "languages.yml")
    issues += found
    orgs, found = _parse_organisations(content_dir / "organisations.yml", topics, regions)
    issues += found
    parsed: dict[str, Topic] = {}
    for name in topics:
        path = content_dir / "topics" / f"{name}.yml"
        if not path.exists():
            issues.append(Issue(path, 1, f"the topic '{name}' has no answer file."))
            continue
        topic, found = _parse_topic(path, topics)
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
        today = today or date.today()
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
    )


class ContentStore:
    """Serves the current content; reloads changed files, keeps the last good version."""

    def __init__(self, content_dir: Path, topics: Iterable[str], check_interval: float = 1.0):
        self._dir = content_dir
        self._topics = list(topics)
        self._interval = check_interval
        self._lock = threading.Lock()
        self._stamp = self._fingerprint()
        self._content = load_content(self._dir, self._topics)
        self._checked_at = time.monotonic()
        self._refused_stamp: tuple[tuple[str, int, int], ...] | None = None

    def _fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted(self._dir.rglob("*.yml"))
        stamps = []
        for f in files:
            try:
                st = f.stat()
            except FileNotFoundError:
                continue
            stamps.append((str(f), st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def get(self) -> Content:
        """The newest good content (checks the files at most once per interval)."""
        now = time.monotonic()
        if now - self._checked_at < self._interval:
            return self._content
        with self._lock:
            self._checked_at = now
            stamp = self._fingerprint()
            if stamp in (self._stamp, self._refused_stamp):
                return self._content
            try:
                content = load_content(self._dir, self._topics)
            except ContentError as exc:
                self._refused_stamp = stamp
                logger.error(
                    "Changed content refused, still serving the last good version:\n%s", exc
                )
                return self._content
            self._content, self._stamp, self._refused_stamp = content, stamp, None
            logger.info("Content reloaded (%d topics)", len(content.topics))
            return self._content
