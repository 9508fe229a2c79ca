"""Region codes from city and region names in any language and grammatical case."""

from __future__ import annotations

import random
import re

import pytest

from harness.nlu_metrics import load_examples
from poradnyk.regions import (
    RegionMatcher,
    longest_matches,
    normalize,
    strip_accents,
)


@pytest.fixture(scope="module")
def matcher() -> RegionMatcher:
    """The matcher with the shipped patterns."""
    return RegionMatcher.from_file()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bydlím v Brně", "jihomoravsky"),
        ("живу у Брно", "jihomoravsky"),
        ("kursy v Brni", "jihomoravsky"),
        ("я в Остраві", "moravskoslezsky"),
        ("in Ostrava", "moravskoslezsky"),
        ("Plzen", "plzensky"),
        ("у Пльзені", "plzensky"),
        ("Pilsen", "plzensky"),
        ("v Praze 4", "praha"),
        ("u Prazi", "praha"),
        ("na Černém Mostě", "praha"),
        ("на Жижкові", "praha"),
        ("na Vinohradech", "praha"),
        ("v Řepích", "praha"),
        ("Praha-západ", "stredocesky"),
        ("Jesenice u Prahy", "stredocesky"),
        ("Hradec Králové", "kralovehradecky"),
        ("у Градці-Кралове", "kralovehradecky"),
        ("Jindřichův Hradec", "jihocesky"),
        ("Nový Jičín", "moravskoslezsky"),
        ("Jičín", "kralovehradecky"),
        ("Ústí nad Orlicí", "pardubicky"),
        ("Ústí nad Labem", "ustecky"),
        ("в Усті-над-Лабем", "ustecky"),
        ("в Карлових Варах", "karlovarsky"),
        ("Carlsbad", "karlovarsky"),
        ("Mladá Boleslav", "stredocesky"),
        ("Kraj Vysočina", "vysocina"),
        ("на Височині", "vysocina"),
        ("v Kladně", "stredocesky"),
        ("з Кладна", "stredocesky"),
        ("Kladni", "stredocesky"),
        ("v Kolíně", "stredocesky"),
        ("у Коліні", "stredocesky"),
        ("v Nymburce", "stredocesky"),
        ("ve Slaném", "stredocesky"),
        ("v Táboře", "jihocesky"),
        ("у Таборі", "jihocesky"),
        ("v Písku", "jihocesky"),
        ("Budweis", "jihocesky"),
        ("v Mostě", "ustecky"),
        ("у Мості", "ustecky"),
        ("в Теплицях", "ustecky"),
        ("v Žatci", "ustecky"),
        ("v Aši", "karlovarsky"),
        ("v Sokolově", "karlovarsky"),
        ("v Novém Boru", "liberecky"),
        ("v Dobrušce", "kralovehradecky"),
        ("v Novém Městě nad Metují", "kralovehradecky"),
        ("v Novém Městě na Moravě", "vysocina"),
        ("v Moravských Budějovicích", "vysocina"),
        ("v Moravském Krumlově", "jihomoravsky"),
        ("v Českém Krumlově", "jihocesky"),
        ("v Tišnově", "jihomoravsky"),
        ("Південноморавський край", "jihomoravsky"),
        ("Южноморавский край", "jihomoravsky"),
        ("South Moravian Region", "jihomoravsky"),
        ("v Hranicích na Moravě", "olomoucky"),
        ("Olmütz", "olomoucky"),
        ("v Litovli", "olomoucky"),
        ("ve Valašském Meziříčí", "zlinsky"),
        ("ve Frýdku-Místku", "moravskoslezsky"),
        ("ve Frýdlantu nad Ostravicí", "moravskoslezsky"),
        ("ve Frýdlantu", "liberecky"),
        ("Moravskoslezsko", "moravskoslezsky"),
    ],
)
def test_names_and_cases(matcher: RegionMatcher, text: str, code: str) -> None:
    assert [c for _, _, c in matcher.find(text)] == [code]


@pytest.mark.parametrize(
    "text",
    [
        "prázdniny",
        "где находится VZP",
        "nazdar",
        "hodně zdaru",
        "most přes řeku",
        "in most cases",
        "через мост",
        "letní tábor",
        "uprchlický tábor",
        "у таборі для біженців",
        "děti si hrají v písku",
        "slanina a slaný sýr",
        "kolínko mě bolí",
        "біль у коліні",
        "hranice se Slovenskem",
        "v hranicích EU",
        "tísňová linka",
        "žádost byla vyřízena kladně",
        "v kladné odpovědi",
        "pračka a sušička",
        "polička na knihy",
        "bilingvní škola",
        "робота в теплицях",
        "листя опало",
        "семилетний ребенок",
        "у Соколова",
        "записатися до Мельника",
        "brní mě ruka",
        "Puerto Rican",
        "Kolín nad Rýnem",
        "Nové Město",
        "",
    ],
)
def test_everyday_words_are_not_places(matcher: RegionMatcher, text: str) -> None:
    assert matcher.find(text) == []


def test_offsets_point_at_the_name(matcher: RegionMatcher) -> None:
    text = "Kde je úřad práce v Olomouci?"
    ((start, end, code),) = matcher.find(text)
    assert text[start:end] == "Olomouci" and code == "olomoucky"


def test_capitals_matter_only_where_the_pattern_says_so() -> None:
    matcher = RegionMatcher({"a": ["=(v|z) Tabor\\w*", "brn(o|e)"]})
    assert [c for _, _, c in matcher.find("V Táboře a v brne")] == ["a", "a"]
    assert matcher.find("v táboře") == []


def test_not_a_place_wins_by_length_and_is_not_reported() -> None:
    matcher = RegionMatcher({"stredocesky": ["kolin"], "not_a_place": ["kolin nad rynem"]})
    assert matcher.find("Kolín nad Rýnem") == []
    assert [c for _, _, c in matcher.find("Kolín")] == ["stredocesky"]


def _every_pattern_everywhere(matcher: RegionMatcher, text: str) -> list[tuple[int, int, str]]:
    """What find() must return, without its prefilter: every pattern at every word start."""
    norm, cased = normalize(text), strip_accents(text)
    found = []
    for start in range(len(norm)):
        if start and re.match(r"\w", norm[start - 1]):
            continue
        for pattern in matcher._patterns:
            m = pattern.regex.match(cased if pattern.cased else norm, start)
            if m and m.end() > start:
                found.append((start, m.end(), pattern.index, pattern.code))
    return longest_matches(found)


def test_the_prefilter_misses_nothing(matcher: RegionMatcher) -> None:
    examples = [text for texts in load_examples().values() for text in texts]
    sample = random.Random(1).sample(examples, 150)
    placed = [t for t in examples if matcher.find(t)][:150]  # and messages naming places
    for text in sample + placed:
        assert matcher.find(text) == _every_pattern_everywhere(matcher, text), text
