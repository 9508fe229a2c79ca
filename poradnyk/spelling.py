"""One canonical Latin spelling for a word in any script (pure: the adapter and NLU share it).

People write the same Ukrainian word as "страховка", "strakhovka" or "strahovka", Russian
as "как"/"kak", and Czech with or without diacritics ("pojištění"/"pojisteni").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["canonical"]

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ye",
    "ё": "yo", "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
# Spelling variants of the same sounds in chat transliteration.
_VARIANTS = [
    (re.compile(r"kh"), "h"),
    (re.compile(r"sch"), "shch"),
    (re.compile(r"shhch|shchch"), "shch"),
    (re.compile(r"j"), "y"),
    (re.compile(r"(?<=[bcdfghklmnprstvz])i(?=[aeuo])"), "y"),
    (re.compile(r"g"), "h"),
    (re.compile(r"w"), "v"),
]


def canonical(token: str) -> str:
    """One Latin spelling for a word in any script, without diacritics, lower case."""
    lowered = token.lower()
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", latin) if not unicodedata.combining(c)
    )
    for pattern, replacement in _VARIANTS:
        stripped = pattern.sub(replacement, stripped)
    return stripped
