"""Which language to answer in: cs, uk or en.

Cheap signals first (letters unique to a language, Latin-script Ukrainian and Russian,
common short words), then ``langdetect`` restricted to the languages that matter and
seeded, and Telegram's ``language_code`` as a prior for short messages. Russian is
answered in Ukrainian. Never raises.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from nlu_components.spelling import canonical

__all__ = ["Detection", "detect", "detect_language", "hint_language", "load_profiles_now"]

ANSWER_LANGUAGES = ("cs", "uk", "en")
FALLBACK = "uk"
_CYRILLIC_SHARE = 0.4

_URL_RE = re.compile(r"(https?://\S+|www\.\S+|\S+@\S+|@\w+|/\w+)")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_WORDS_FILE = Path(__file__).with_name("language_words.yml")
_TRAINING_DATA = Path(__file__).resolve().parent.parent / "nlu_data"
_MIN_VOCAB_WORD = 4


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, frozenset[str]]:
    """Canonical spellings of Ukrainian/Russian and Czech words from our training data.

    Every Cyrillic word of nlu_data/ is Ukrainian or Russian, and every word of an
    example with Czech diacritics is Czech; in canonical spelling they also match the
    same words typed in Latin letters or without diacritics.
    """
    uk: set[str] = set()
    cs: set[str] = set()
    czech_only = _words()["czech_only"] | _words()["czech_accents"]
    for path in sorted(_TRAINING_DATA.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                words = _WORD_RE.findall(line.lstrip("- "))
                czech = any(c in czech_only for w in words for c in w)
                for word in words:
                    if len(word) < _MIN_VOCAB_WORD:
                        continue
                    if _is_cyrillic(word):
                        uk.add(canonical(word))
                    elif czech:
                        cs.add(canonical(word))
    return {"uk": frozenset(uk - cs), "cs": frozenset(cs - uk)}


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    with _WORDS_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    words = {key: frozenset(str(value).split()) for key, value in data.items()}
    # Letter sets are written as one "word" each.
    words["czech_only"] = frozenset(str(data["czech_only"]))
    words["czech_accents"] = frozenset(str(data["czech_accents"]))
    # Words in any list: suffixes only count for the others.
    words["listed"] = words["cs"] | words["en"] | words["uk_latin"]
    return words


@dataclass(frozen=True)
class Detection:
    """A detected answer language and whether the message was enough to judge."""

    language: str
    reliable: bool


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def hint_language(telegram_hint: str | None) -> str | None:
    """An answer language from Telegram's ``language_code`` (e.g. "ru" -> "uk")."""
    if not telegram_hint:
        return None
    code = telegram_hint.lower().split("-")[0]
    return {"cs": "cs", "sk": "cs", "uk": "uk", "ru": "uk", "be": "uk", "en": "en"}.get(code)


class _RestrictedDetector:
    """langdetect with only the Latin-script profiles that matter, seeded."""

    PROFILES = ("cs", "sk", "en", "pl", "hr")

    def __init__(self) -> None:
        from langdetect.detector_factory import (  # noqa: PLC0415 - loaded on first use
            PROFILES_DIRECTORY,
            DetectorFactory,
        )

        self._factory = DetectorFactory()
        self._factory.seed = 0
        profiles = [
            (Path(PROFILES_DIRECTORY) / name).read_text(encoding="utf-8") for name in self.PROFILES
        ]
        self._factory.load_json_profile(profiles)
        self._lock = threading.Lock()

    def probabilities(self, text: str) -> dict[str, float]:
        from langdetect.lang_detect_exception import (  # noqa: PLC0415
            LangDetectException,
        )

        with self._lock:  # a Detector is not thread-safe; detection takes well under 1 ms
            try:
                detector = self._factory.create()
                detector.append(text)
                return {p.lang: p.prob for p in detector.get_probabilities()}
            except LangDetectException:
                return {}


@lru_cache(maxsize=1)
def _detector() -> _RestrictedDetector:
    return _RestrictedDetector()


def _latin(text: str, words: list[str], hint: str | None) -> Detection:
    if any(c in _words()["czech_only"] for c in text):
        return Detection("cs", True)
    plain = [_strip_accents(w).lower().replace("’", "'") for w in words]
    words_of = _words()
    keyword_hits = {
        "cs": sum(w in words_of["cs"] for w in plain),
        "en": sum(w in words_of["en"] for w in plain),
        "uk": sum(w in words_of["uk_latin"] for w in plain),
    }
    scores: dict[str, float] = dict(keyword_hits)
    strong = any(scores.values())
    vocabulary = _vocabulary()
    for word in plain:
        if len(word) >= _MIN_VOCAB_WORD and word not in words_of["en"]:
            spelled = canonical(word)
            scores["uk"] += 0.7 * (spelled in vocabulary["uk"])
            scores["cs"] += 0.7 * (spelled in vocabulary["cs"])
    for word in plain:
        if word in words_of["listed"] or len(word) < 5:
            continue
        for lang, key in (("uk", "suffixes_uk_latin"), ("cs", "suffixes_cs")):
            if any(word.endswith(suffix) for suffix in words_of[key]):
                scores[lang] += 0.5
    if any(c in words_of["czech_accents"] for c in text):
        scores["cs"] += 2
        strong = True
    if hint and not strong and len(words) <= 2:
        # "VZP", "Brno", "ok": the letters say nothing; Telegram's language is a better guess.
        return Detection(hint, False)
    # Latin-script Ukrainian/Russian letter clusters rare in Czech and English.
    joined = " ".join(plain)
    scores["uk"] += len(re.findall(r"(shch|zh|kh|yi|iy|yy|ya|yu|ye|ts)", joined)) * 0.5
    probs = _detector().probabilities(" ".join(words))
    scores["cs"] += 1.5 * (probs.get("cs", 0.0) + probs.get("sk", 0.0))
    scores["en"] += 1.5 * probs.get("en", 0.0)
    # Polish/Croatian-looking Latin text is usually transliterated Ukrainian here.
    scores["uk"] += 1.0 * (probs.get("pl", 0.0) + probs.get("hr", 0.0))
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    # One word is enough when it is a telling word ("Hello", "dekuji") and nothing competes.
    reliable = top - second >= 1.0 and (len(words) >= 2 or keyword_hits[best] > 0)
    if not reliable and hint and len(words) <= 3 and top - second < 1.0:
        return Detection(hint, False)
    return Detection(best, reliable)


def detect(text: str, telegram_hint: str | None = None) -> Detection:
    """The answer language for ``text`` and whether the text was enough to judge."""
    try:
        hint = hint_language(telegram_hint)
        cleaned = _URL_RE.sub(" ", text or "")
        words = _WORD_RE.findall(cleaned)
        if not words:
            return Detection(hint or FALLBACK, False)
        cyrillic = [w for w in words if _is_cyrillic(w)]
        # The grammar words decide: "як подати на humanitarni davku" is Ukrainian, while
        # a Czech sentence with one Ukrainian word stays Czech. Russian is answered in
        # Ukrainian, and so are all mixtures written mostly in Cyrillic.
        if len(cyrillic) >= _CYRILLIC_SHARE * len(words):
            return Detection("uk", sum(len(w) for w in cyrillic) >= 3)
        return _latin(cleaned, words, hint)
    except Exception:
        return Detection(hint_language(telegram_hint) or FALLBACK, False)


def detect_language(text: str, telegram_hint: str | None = None) -> str:
    """Return "cs", "uk" or "en" for ``text``; Russian is answered in Ukrainian."""
    return detect(text, telegram_hint).language


def load_profiles_now() -> None:
    """Load profiles, word lists and vocabulary at start-up, not on the first message."""
    _detector()
    _words()
    _vocabulary()
