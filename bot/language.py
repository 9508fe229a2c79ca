"""Which language to answer in: cs, uk or en.

Every word is evidence, weighed by what it is: frame words (pronouns, prepositions,
question words, common verbs, greetings) more than content words, and Czech names of
institutions and benefits, which people keep in Czech inside any language ("where is
úřad práce"), hardly at all. Word lists cover Czech with and without diacritics, English,
and Ukrainian and Russian in Latin letters; words no list knows are judged by spelling,
our training vocabulary and ``langdetect`` restricted to the languages that matter and
seeded. Telegram's ``language_code`` is a prior for short messages. Russian is answered
in Ukrainian. Never raises.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from poradnyk.spelling import canonical

__all__ = ["Detection", "detect", "detect_language", "hint_language", "load_profiles_now"]

ANSWER_LANGUAGES = ("cs", "uk", "en")
FALLBACK = "uk"

_URL_RE = re.compile(r"(https?://\S+|www\.\S+|\S+@\S+|@\w+|/\w+)")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_WORDS_FILE = Path(__file__).with_name("language_words.yml")
_TRAINING_DATA = Path(__file__).resolve().parent.parent / "nlu_data"
_MIN_VOCAB_WORD = 4
# Weights of one word's evidence: a frame word (pronoun, preposition, question word, common
# verb, greeting) decides the reply language more than a content word, and the Czech name of
# an institution or benefit inside another language's sentence hardly at all.
_FRAME = 1.5
_CONTENT = 1.0
_TERM = 0.4
_VOCABULARY = 0.7
_SUFFIX = 0.5
_CLUSTER = 0.5
# langdetect's say grows with the share of words no list knows.
_LANGDETECT_BASE = 0.3
_LANGDETECT_UNKNOWN = 1.2
_RELIABLE_MARGIN = 1.0
_UK_CLUSTERS = re.compile(r"(shch|zh|kh|yi|iy|yy|ya|yu|ye|ts)")


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
    czech_letters = _words()["czech_letters"]
    for path in sorted(_TRAINING_DATA.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                words = _WORD_RE.findall(line.lstrip("- "))
                czech = any(c in czech_letters for w in words for c in w)
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
    words["czech_letters"] = words["czech_only"] | words["czech_accents"]
    # A word listed for two languages tells nothing: drop it from both.
    by_language = {
        "cs": words["frame_cs"] | words["cs"] | words["cs_terms"],
        "en": words["frame_en"] | words["en"],
        "uk": words["frame_uk_latin"] | words["uk_latin"],
    }
    shared = frozenset(
        word
        for lang, listed in by_language.items()
        for other, other_listed in by_language.items()
        if lang < other
        for word in listed & other_listed
    )
    for key in ("frame_cs", "cs", "cs_terms", "frame_en", "en", "frame_uk_latin", "uk_latin"):
        words[key] -= shared
    words["neutral"] |= shared
    return words


@lru_cache(maxsize=1)
def _weights() -> dict[str, tuple[str, float]]:
    """Each listed Latin word -> (language, weight); frame words weigh most."""
    words = _words()
    table: dict[str, tuple[str, float]] = {}
    for key, lang, weight in (
        ("cs_terms", "cs", _TERM),
        ("cs", "cs", _CONTENT),
        ("en", "en", _CONTENT),
        ("uk_latin", "uk", _CONTENT),
        ("frame_cs", "cs", _FRAME),
        ("frame_en", "en", _FRAME),
        ("frame_uk_latin", "uk", _FRAME),
    ):
        table.update(dict.fromkeys(words[key], (lang, weight)))
    return table


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


def _add_langdetect(scores: dict[str, float], words: list[str], weight: float) -> None:
    probs = _detector().probabilities(" ".join(words))
    scores["cs"] += weight * (probs.get("cs", 0.0) + probs.get("sk", 0.0))
    scores["en"] += weight * probs.get("en", 0.0)
    # Polish/Croatian-looking Latin text is usually transliterated Ukrainian here.
    scores["uk"] += weight * (probs.get("pl", 0.0) + probs.get("hr", 0.0))


def _score(words: list[str], hint: str | None) -> Detection:
    """Weigh the evidence of every word; langdetect judges the words no list knows."""
    words_of = _words()
    weights = _weights()
    vocabulary = _vocabulary()
    czech_letters = words_of["czech_letters"]
    scores = {"cs": 0.0, "uk": 0.0, "en": 0.0}
    telling: set[str] = set()  # languages of listed words, Cyrillic or Czech diacritics
    unknown: list[str] = []  # Latin words no list knows, as written (for langdetect)
    judged = 0  # Latin words that are neither names nor Czech institution terms
    for word in words:
        if _is_cyrillic(word):
            lowered = word.lower()
            scores["uk"] += _FRAME if lowered in words_of["frame_cyrillic"] else _CONTENT
            telling.add("uk")
            continue
        plain = _strip_accents(word).lower().replace("’", "'")
        if plain in words_of["neutral"] or len(plain) == 1:  # also the "e" of "e-mail"
            continue
        listed = weights.get(plain)
        accented = any(c in czech_letters for c in word)
        if listed is not None:
            lang, weight = listed
            if accented and lang != "cs":
                # "nemá" is Czech even though "nema" is also Latin-script Ukrainian.
                lang, weight = "cs", _CONTENT
            scores[lang] += weight
            if weight > _TERM or accented:  # "VZP", "davka" alone: Telegram's hint wins
                telling.add(lang)
                judged += 1
            continue
        judged += 1
        if accented:
            scores["cs"] += _CONTENT
            telling.add("cs")
            continue
        unknown.append(word)
        if len(plain) >= _MIN_VOCAB_WORD:
            spelled = canonical(plain)
            scores["uk"] += _VOCABULARY * (spelled in vocabulary["uk"])
            scores["cs"] += _VOCABULARY * (spelled in vocabulary["cs"])
        if len(plain) >= 5:
            for lang, key in (("uk", "suffixes_uk_latin"), ("cs", "suffixes_cs")):
                if any(plain.endswith(suffix) for suffix in words_of[key]):
                    scores[lang] += _SUFFIX
        # Latin-script Ukrainian/Russian letter clusters rare in Czech and English.
        scores["uk"] += _CLUSTER * len(_UK_CLUSTERS.findall(plain))
    if hint and not telling and len(words) <= 2:
        # "VZP", "Brno", "ok": the letters say nothing; Telegram's language is a better guess.
        return Detection(hint, False)
    if unknown:
        weight = _LANGDETECT_BASE + _LANGDETECT_UNKNOWN * len(unknown) / max(judged, 1)
        ranked = sorted(scores.values(), reverse=True)
        # Skip langdetect when it could change neither the answer nor its reliability.
        if ranked[0] - ranked[1] < weight + _RELIABLE_MARGIN:
            _add_langdetect(scores, unknown, weight)
    if not any(scores.values()):
        # Only names ("Ostrava", "Lidl"): let langdetect judge all the words.
        _add_langdetect(scores, words, _LANGDETECT_BASE + _LANGDETECT_UNKNOWN)
    ranked_langs = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked_langs[0], ranked_langs[1]
    if top == 0:
        return Detection(hint or FALLBACK, False)
    clear = top - second >= _RELIABLE_MARGIN
    reliable = clear
    if len(words) == 1:
        # One word is enough when it is a telling word ("Hello", "dekuji") and nothing
        # competes.
        reliable = (clear or second == 0) and best in telling
    if not reliable and not clear and hint and len(words) <= 3:
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
        if all(_is_cyrillic(w) for w in words):
            # Ukrainian, Russian or surzhyk; Russian is answered in Ukrainian.
            return Detection("uk", sum(len(w) for w in words) >= 3)
        # Mixed messages: the frame words decide. "як подати на humanitarni davku" is
        # Ukrainian, while a Czech sentence with one Ukrainian word stays Czech.
        return _score(words, hint)
    except Exception:
        return Detection(hint_language(telegram_hint) or FALLBACK, False)


def detect_language(text: str, telegram_hint: str | None = None) -> str:
    """Return "cs", "uk" or "en" for ``text``; Russian is answered in Ukrainian."""
    return detect(text, telegram_hint).language


def load_profiles_now() -> None:
    """Load profiles, word lists and vocabulary at start-up, not on the first message."""
    _detector()
    _words()
    _weights()
    _vocabulary()
