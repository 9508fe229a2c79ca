"""Finds the user's region (one of the 14 kraj codes) from city and region names: pure code.

The Rasa component ``nlu_components.region_extractor.RegionExtractor`` wraps it; staff
tools and the adapter use it directly.

Names are matched as whole words in lower case with accents removed, so "v Brně",
"у Брно", "Brne" and "in Brno" all give ``jihomoravsky``. The patterns live in
``nlu_components/regions.yml``, which staff can extend without retraining; its
header explains the pattern syntax (``=`` for names that must be capitalised, the
``not_a_place`` list for look-alikes that must not count).

Speed: one combined regex finds the word starts where some pattern may match (most
messages have none); only there are the patterns tried one by one, so the cost
hardly grows with the number of patterns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "NOT_A_PLACE",
    "PATTERNS_FILE",
    "RegionMatcher",
    "find_regions",
    "longest_matches",
    "normalize",
    "strip_accents",
]

PATTERNS_FILE = Path(__file__).resolve().parent.parent / "nlu_components" / "regions.yml"
"""The patterns (edited with the NLU data: a change retrains the model)."""

NOT_A_PLACE = "not_a_place"
"""Pseudo region: its matches win by length like any other but are never reported."""

_CASED = "="  # pattern prefix: capital letters written in the pattern must be capitals
_SEPARATOR = r"[\s\-‐–]+"  # what a space in a pattern matches
_QUANTIFIERS = "?*+{"
_BASE: dict[str, str] = {}


def _base(ch: str) -> str:
    """The character without accents (one character, so offsets stay valid)."""
    base = _BASE.get(ch)
    if base is None:
        base = _BASE[ch] = unicodedata.normalize("NFD", ch)[0]
    return base


def strip_accents(text: str) -> str:
    """Accents removed, case kept; same length as ``text``."""
    return "".join([_base(ch) for ch in text])


def normalize(text: str) -> str:
    """Lower case without combining accents; keeps string length for offsets."""
    return "".join([_base(ch).lower()[:1] for ch in text])


def _pattern_text(pattern: str, lower: bool) -> str:
    """A pattern without accents, lower-cased if asked, escapes (``\\W``) left alone."""
    out, escaped = [], False
    for ch in pattern:
        out.append(ch if escaped else (_base(ch).lower()[:1] if lower else _base(ch)))
        escaped = ch == "\\" and not escaped
    return "".join(out).replace(" ", _SEPARATOR)


def _syntax(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth) of each character outside escapes and classes."""
    depth, in_class, i = 0, False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            depth -= ch == ")"
            yield i, ch, depth
            depth += ch == "("
        i += 1


def _group_end(pattern: str, start: int) -> int:
    """Index of the ``)`` closing the group opened at ``start`` (-1 if none)."""
    for i, ch, depth in _syntax(pattern[start:]):
        if ch == ")" and depth == 0:
            return start + i
    return -1


def _split_top(pattern: str) -> list[str]:
    """``pattern`` split at ``|`` outside groups, classes and escapes."""
    cuts = [i for i, ch, depth in _syntax(pattern) if ch == "|" and depth == 0]
    return [pattern[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _first_chars(pattern: str) -> set[str] | None:
    """Characters a match of ``pattern`` can start with; None if unknown or any."""
    alternatives = _split_top(pattern)
    if len(alternatives) > 1:
        result: set[str] = set()
        for alternative in alternatives:
            chars = _first_chars(alternative)
            if chars is None:
                return None
            result |= chars
        return result
    if not pattern or pattern[0] in "\\.^$)*+?{|":
        return None
    if pattern[0] == "(":
        end = _group_end(pattern, 0)
        inner, after = pattern[1:end], pattern[end + 1 : end + 2]
        if end < 0 or (inner.startswith("?") and not inner.startswith("?:")):
            return None
        if after and after in _QUANTIFIERS:
            return None
        return _first_chars(inner.removeprefix("?:"))
    if pattern[0] == "[":
        end = pattern.find("]", 1)
        members = pattern[1:end]
        after = pattern[end + 1 : end + 2]
        if (
            end < 0
            or not members
            or any(c in members for c in "^-\\[")
            or (after in _QUANTIFIERS and after)
        ):
            return None
        return set(members)
    if pattern[1:2] and pattern[1] in _QUANTIFIERS:
        return None
    return {pattern[0]}


def _expand_start(pattern: str) -> list[str]:
    """``pattern`` as alternatives that each start with a plain character, if possible.

    ``(v|ve) moste`` gives ``v moste`` and ``ve moste``; a pattern whose start cannot be
    spelled out is returned as it is.
    """
    alternatives = _split_top(pattern)
    if len(alternatives) > 1:
        return [p for alternative in alternatives for p in _expand_start(alternative)]
    if pattern[:1] == "(":
        end = _group_end(pattern, 0)
        inner, rest = pattern[1:end], pattern[end + 1 :]
        if end > 0 and not inner.startswith("?") and rest[:1] not in tuple(_QUANTIFIERS):
            heads = _split_top(inner)
            if all(heads):
                return [p for head in heads for p in _expand_start(head + rest)]
    elif pattern[:1] == "[":
        end = pattern.find("]", 1)
        members, rest = pattern[1:end], pattern[end + 1 :]
        simple = end > 1 and not any(c in members for c in "^-\\[")
        if simple and rest[:1] not in tuple(_QUANTIFIERS):
            return [p for ch in members for p in _expand_start(ch + rest)]
    return [pattern]


def _cased_regex(pattern: str) -> str:
    """Regex for IGNORECASE matching in which the capitals of ``pattern`` stay capitals.

    A capital letter, or a character class naming one (``[A-Z]``), is matched case-sensitively.
    """
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[":
            end = pattern.find("]", i + 2)
            members = pattern[i : end + 1]
            has_capital = any(c.isupper() for c in members.replace("\\", "").lstrip("["))
            out.append(f"(?-i:{members})" if has_capital else members)
            i = end + 1
            continue
        out.append(f"(?-i:{ch})" if ch.isupper() else ch)
        i += 1
    return "".join(out)


def _flatten(items: Iterable[Any]) -> list[str]:
    """Patterns from a list that may hold lists (one line per town in the YAML)."""
    out: list[str] = []
    for item in items:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(str(item))
    return out


def longest_matches(found: list[tuple[int, int, int, str]]) -> list[tuple[int, int, str]]:
    """From (start, end, pattern index, code) matches: the longest that do not overlap
    (on a tie the earlier one, then the earlier pattern), without ``not_a_place``."""
    found = sorted(found, key=lambda f: (f[0] - f[1], f[0], f[2]))
    chosen: list[tuple[int, int, str]] = []
    for start, end, _, code in found:
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, code))
    return sorted((s, e, c) for s, e, c in chosen if c != NOT_A_PLACE)


class _Pattern:
    """One compiled pattern and what it needs to be tried."""

    __slots__ = ("cased", "code", "index", "regex")

    def __init__(self, code: str, index: int, source: str) -> None:
        self.code = code
        self.index = index
        self.cased = source.startswith(_CASED)
        if self.cased:
            body = _pattern_text(source[len(_CASED) :], lower=False)
            self.regex = re.compile(rf"(?:{_cased_regex(body)})(?!\w)", re.IGNORECASE)
        else:
            body = _pattern_text(source, lower=True)
            self.regex = re.compile(rf"(?:{body})(?!\w)")


class RegionMatcher:
    """Matches region name patterns; the longest overlapping match wins."""

    def __init__(self, patterns: dict[str, list[Any]]) -> None:
        self._patterns: list[_Pattern] = []
        by_char: dict[str, list[_Pattern]] = {}
        anywhere: list[_Pattern] = []
        prefilter: dict[str, list[str]] = {}
        other: list[str] = []
        for code, plist in patterns.items():
            for source in _flatten(plist or []):
                pattern = _Pattern(code, len(self._patterns), source)
                self._patterns.append(pattern)
                # The prefilter ignores capitals: it only has to find every candidate.
                loose = _pattern_text(source.removeprefix(_CASED), lower=True)
                chars = _first_chars(loose)
                if chars is None:
                    anywhere.append(pattern)
                    other.append(loose)
                    continue
                for ch in chars:
                    by_char.setdefault(ch, []).append(pattern)
                for alternative in _expand_start(loose):
                    first, rest = alternative[:1], alternative[1:]
                    if first in chars and rest[:1] not in tuple(_QUANTIFIERS):
                        prefilter.setdefault(first, []).append(rest)
                    else:
                        other.append(alternative)
        # Grouping by first letter lets the regex engine skip most branches at once.
        branches = [
            re.escape(ch) + "(?:" + "|".join(sorted(set(rests))) + ")"
            for ch, rests in sorted(prefilter.items())
        ] + sorted(set(other))
        self._candidates = re.compile(rf"(?<!\w)(?=(?:{'|'.join(branches) or '(?!)'})(?!\w))")
        self._by_char = {
            ch: sorted(plist + anywhere, key=lambda p: p.index) for ch, plist in by_char.items()
        }
        self._anywhere = anywhere

    @classmethod
    def from_file(cls, path: Path = PATTERNS_FILE) -> RegionMatcher:
        """Load the patterns from a YAML file (region code -> list of regexes)."""
        with path.open(encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh))

    def __len__(self) -> int:
        """Number of patterns."""
        return len(self._patterns)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, region code) of each place named in ``text``."""
        norm = normalize(text)
        starts = [m.start() for m in self._candidates.finditer(norm)]
        if not starts:
            return []
        cased = strip_accents(text)
        found: list[tuple[int, int, int, str]] = []
        for start in starts:
            for pattern in self._by_char.get(norm[start], self._anywhere):
                m = pattern.regex.match(cased if pattern.cased else norm, start)
                if m and m.end() > start:
                    found.append((start, m.end(), pattern.index, pattern.code))
        return longest_matches(found)


@lru_cache(maxsize=1)
def _default_matcher() -> RegionMatcher:
    return RegionMatcher.from_file()


def find_regions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, region code) of each place named in ``text``, with the shipped patterns."""
    return _default_matcher().find(text)
