"""Region codes from city and region names in any language and grammatical case."""

from __future__ import annotations

import pytest

from nlu_components.region_extractor import RegionMatcher


@pytest.fixture(scope="module")
def matcher() -> RegionMatcher:
    """The matcher with the shipped patterns."""
    return RegionMatcher.from_file()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bydlím v Brně", "jihomoravsky"),
        ("живу у Брно", "jihomoravsky"),
        ("я в Остраві", "moravskoslezsky"),
        ("in Ostrava", "moravskoslezsky"),
        ("Plzen", "plzensky"),
        ("у Пльзені", "plzensky"),
        ("v Praze 4", "praha"),
        ("Hradec Králové", "kralovehradecky"),
        ("Jindřichův Hradec", "jihocesky"),
        ("Nový Jičín", "moravskoslezsky"),
        ("Jičín", "kralovehradecky"),
        ("Ústí nad Orlicí", "pardubicky"),
        ("Ústí nad Labem", "ustecky"),
        ("в Карлових Варах", "karlovarsky"),
        ("Mladá Boleslav", "stredocesky"),
        ("Kraj Vysočina", "vysocina"),
    ],
)
def test_names_and_cases(matcher: RegionMatcher, text: str, code: str) -> None:
    assert [c for _, _, c in matcher.find(text)] == [code]


@pytest.mark.parametrize(
    "text",
    ["prázdniny", "где находится VZP", "nazdar", "most přes řeku", "letní tábor", ""],
)
def test_everyday_words_are_not_places(matcher: RegionMatcher, text: str) -> None:
    assert matcher.find(text) == []


def test_offsets_point_at_the_name(matcher: RegionMatcher) -> None:
    text = "Kde je úřad práce v Olomouci?"
    ((start, end, code),) = matcher.find(text)
    assert text[start:end] == "Olomouci" and code == "olomoucky"
