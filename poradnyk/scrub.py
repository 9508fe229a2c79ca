"""Masks what could identify a person in a question kept for the team (pure, no I/O).

Applied before an inbox question is stored, so the database never holds the raw words:
e-mail addresses, IBANs and Czech account numbers, Czech birth numbers (rodné číslo),
passport, visa and residence-card numbers, phone numbers, street addresses, and the name
after "my name is"-like phrases in Czech, Ukrainian, Russian and English (Cyrillic and
chat transliteration). Rules are deliberately greedy: a masked word too many costs the
team a little context, a name too few costs a person their privacy.
"""

from __future__ import annotations

import re

__all__ = ["MASKS", "scrub"]

MASKS = {
    "email": "[e-mail]",
    "iban": "[account]",
    "birth": "[birth number]",
    "document": "[document number]",
    "phone": "[phone]",
    "address": "[address]",
    "name": "[name]",
    "number": "[number]",
}

_UPPER = "A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽА-ЯЁІЇЄҐ"
_LETTER = r"[^\W\d_]"
_WORD = rf"{_LETTER}[\w'’ʼ-]*"

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # Rodné číslo: YYMMDD/XXXX (or /XXX before 1954), with or without the slash.
    ("birth", re.compile(r"\b\d{2}[0-3578]\d[0-3]\d ?/ ?\d{3,4}\b")),
    ("birth", re.compile(r"(?<![-\d])\b\d{2}[0-3578]\d[0-3]\d\d{4}\b(?!/\d)")),
    # An IBAN (CZ65 0800 0000 1920 0014 5399), then a Czech account (19-2000145399/0800).
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b")),
    ("iban", re.compile(r"\b(?:\d{1,6}-)?\d{2,10}/\d{4}\b(?!/)")),
    # Passports (FX123456, ЕК 123456), residence cards and visas (RA1234567, VD 12345678).
    (
        "document",
        re.compile(
            r"(?i:\b(?:passport|pas|pasu|pasem|паспорт\w*|visa|víz\w*|віз\w*|виз\w*|"
            r"průkaz\w*|посвідк\w*|number|číslo|číslem|номер\w*|№)\W{0,3})"
            r"[A-Z0-9А-ЯІЇЄ]{0,3}[ -]?\d{5,10}\b"
        ),
    ),
    ("document", re.compile(rf"\b[{_UPPER}]{{1,3}} ?\d{{6,9}}\b")),
    ("phone", re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,}\d\b")),
    # Street addresses: a street word before a name and house number, or a name and a
    # Czech house number with a slash (Vinohradská 1234/56), or "12 Baker Street".
    (
        "address",
        re.compile(
            rf"(?i:\b(?:ulice|ulici|ul\.|náměstí|nám\.|třída|tř\.|вулиц\w*|вул\.|улиц\w*|"
            rf"ул\.|проспект\w*|просп\.|пр-т|площ\w*|street|st\.|road|avenue)) ?"
            rf"(?:{_WORD}[ ]?){{1,3}}\d{{1,4}}(?:/\d{{1,4}})?[a-zа-я]?\b"
        ),
    ),
    ("address", re.compile(rf"\b[{_UPPER}]{_WORD}(?: {_WORD})? \d{{1,5}}/\d{{1,4}}[a-z]?\b")),
    (
        "address",
        re.compile(rf"\b\d{{1,5}}(?: {_WORD}){{1,2}} (?i:street|road|avenue|lane|st\.|rd\.)"),
    ),
    # Whatever long run of digits is left (an id, a card): nobody asks a question with it.
    ("number", re.compile(r"\b\d{6,}\b")),
]

# "my name is" in cs/uk/ru/en, in Cyrillic and transliterated; the name is the next word
# and a second one if it starts with a capital (a surname).
_NAME_PHRASES = (
    r"my name is|my name's|i am called|i'm called|call me|name:|"
    r"jmenuji se|jmenuju se|jmenuji|mé jméno je|moje jméno je|moje jmeno je|jmeno je|"
    r"мене звати|мене звуть|моє ім[’'ʼ]?я|мое имя|моё имя|меня зовут|зовут меня|"
    r"mene zvaty|mene zvut|menya zovut|menia zovut|moe imya|moye imya|ja jsem|я –|я -"
)
_NAME = re.compile(
    rf"(?i:\b(?:{_NAME_PHRASES}))[\s,:–-]*(?P<first>{_WORD})(?P<second>\s+[{_UPPER}]{_WORD})?"
)


def _mask_names(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        start = match.start("first") - match.start()
        return match.group(0)[:start] + MASKS["name"]

    return _NAME.sub(replace, text)


def scrub(text: str) -> str:
    """``text`` with everything that could identify a person masked (e.g. ``[phone]``)."""
    for kind, pattern in _RULES:
        text = pattern.sub(MASKS[kind], text)
    return _mask_names(text)
