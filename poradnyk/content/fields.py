"""Turns YAML values into typed fields, collecting plain-language issues for staff."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from poradnyk.content.model import Issue, Localized
from poradnyk.content.yaml_lines import LineLoader, line_of
from poradnyk.languages import LANGUAGES

__all__ = [
    "ANSWER_MAX_CHARS",
    "BUTTON_MAX_CHARS",
    "EMAIL_RE",
    "ID_RE",
    "ORG_ID_RE",
    "PHONE_RE",
    "PLACEHOLDER_RE",
    "TELEGRAM_MAX_CHARS",
    "URL_RE",
    "Reader",
]

ID_RE = re.compile(r"^[a-z0-9_]{1,16}$")
ORG_ID_RE = re.compile(r"^[a-z0-9_]{1,40}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ]{1,18}[0-9]$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")

TELEGRAM_MAX_CHARS = 4096
ANSWER_MAX_CHARS = 1500
BUTTON_MAX_CHARS = 40


class Reader:
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
                return yaml.load(fh, Loader=LineLoader)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            self.error(
                line,
                f"the file is not valid YAML ({exc.problem}). Check indentation and quotes "
                "around this line.",
            )
        except UnicodeDecodeError as exc:
            self.error(1, f"the file cannot be read as text ({exc}). Save it as UTF-8 text.")
        except yaml.YAMLError as exc:  # e.g. control characters pasted in
            self.error(1, f"the file holds characters that are not text ({exc}). Remove them.")
        except OSError as exc:
            self.error(1, f"the file cannot be read ({exc}).")
        return None

    def localized(
        self, parent: Any, key: str, what: str, max_chars: int = TELEGRAM_MAX_CHARS
    ) -> Localized | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        line = line_of(parent, key)
        if not isinstance(value, dict):
            self.error(line, f"{what}: '{key}' must have a text for each language cs, uk, en.")
            return None
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.error(line_of(value, lang), f"{what}: the '{lang}' text is missing or empty.")
                continue
            if len(text) > max_chars:
                self.error(
                    line_of(value, lang),
                    f"{what}: the '{lang}' text has {len(text)} characters; "
                    f"the limit is {max_chars}. Shorten it or move details into a follow-up.",
                )
            texts[lang] = text.strip()
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            self.error(line, f"{what}: unknown language(s) {sorted(unknown)}; use only cs, uk, en.")
        if len(texts) != len(LANGUAGES):
            return None
        placeholders = {lang: set(PLACEHOLDER_RE.findall(t)) for lang, t in texts.items()}
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
            line_of(parent, key),
            f"'{key}' must be the date the facts were last checked, written like 2026-02-28.",
        )
        return None

    def valid_until(self, parent: Any) -> date | None:
        if not isinstance(parent, dict) or parent.get("valid_until") is None:
            return None
        value = parent["valid_until"]
        if isinstance(value, date):
            return value
        self.error(
            line_of(parent, "valid_until"),
            "'valid_until' must be the last day the statement is true, written like 2026-12-31.",
        )
        return None

    def url(self, value: object, line: int, what: str) -> str | None:
        if isinstance(value, str) and URL_RE.match(value.strip()):
            return value.strip()
        self.error(line, f"{what}: {value!r} is not a full web link (it must start with https://).")
        return None

    def sources(self, parent: Any, required: bool) -> tuple[str, ...]:
        value = parent.get("sources") if isinstance(parent, dict) else None
        line = line_of(parent, "sources")
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value:
            self.error(line, "'sources' must list at least one official link (- https://...).")
            return ()
        urls = [self.url(v, line, "source") for v in value]
        return tuple(u for u in urls if u)
