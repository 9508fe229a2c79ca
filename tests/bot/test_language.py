"""detect_language: the signature, the cheap signals, the Telegram prior, never raising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.language import Detection, detect, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Привіт", "uk"),
        ("Здравствуйте, как продлить временную защиту?", "uk"),  # Russian -> Ukrainian
        ("Hello", "en"),
        ("How can I extend my temporary protection?", "en"),
        ("Kde najdu dětského lékaře v Brně?", "cs"),
        ("kde najdu detskeho lekare", "cs"),
        ("yak prodovzhyty tymchasovyi zakhyst", "uk"),
        ("de mozhna zrobyty strakhovku dlya dytyny", "uk"),
        ("як подати на humanitarni davku на úřad práce", "uk"),
    ],
)
def test_typical_messages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The frame decides, not the Czech names of institutions and benefits inside it.
        ("де úřad práce?", "uk"),
        ("где находится krajský úřad", "uk"),
        ("Мені прийшов dopis з úřadu práce, що робити?", "uk"),
        ("where is úřad práce in Brno", "en"),
        ("How do I apply for příspěvek na bydlení?", "en"),
        ("I'm in Plzeň", "en"),
        ("potřebuju help s pojištěním", "cs"),
        ("mam appointment zitra", "cs"),
        ("Potřebuju довідку z práce, kde ji dostanu?", "cs"),
        # Ukrainian and Russian in Latin letters, also around Czech words.
        ("skilky hroshey", "uk"),
        ("gde mozhno sdelat strahovku", "uk"),
        ("de urad prace", "uk"),
        ("skilky bude davka?", "uk"),
        # Words of two languages ("vy", "to", "bude") decide nothing.
        ("vy to nevite?", "cs"),
        ("vy mozhete meni dopomogty?", "uk"),
        ("Pošlete mi to e-mailem", "cs"),
    ],
)
def test_mixed_messages_follow_the_frame(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(("text", "lang"), [("Spasibo", "uk"), ("Job", "en"), ("dekuju", "cs")])
def test_a_listed_word_is_not_outvoted_by_langdetect(text: str, lang: str) -> None:
    assert detect(text) == Detection(lang, True)


def test_a_czech_institution_name_alone_leaves_the_language_to_the_hint() -> None:
    assert detect("davka", "uk") == Detection("uk", False)
    assert detect("VZP", "en") == Detection("en", False)
    assert detect("davka").language == "cs"


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "12345", "https://example.org/a?b=c", "?!"])
def test_no_letters_fall_back_to_the_telegram_hint_then_ukrainian(text: str) -> None:
    assert detect_language(text) == "uk"
    assert detect_language(text, "cs") == "cs"
    assert detect_language(text, "en-GB") == "en"
    assert detect(text, "cs").reliable is False


def test_russian_telegram_hint_means_ukrainian() -> None:
    assert detect_language("👍", "ru") == "uk"


def test_short_ambiguous_latin_uses_the_hint() -> None:
    for hint in ("cs", "uk", "en"):
        assert detect_language("OAMP", hint) == hint
        assert detect_language("Ostrava", hint) == hint


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000), st.one_of(st.none(), st.text(max_size=10)))
def test_never_raises_and_always_answers_a_supported_language(text: str, hint: str | None) -> None:
    assert detect_language(text, hint) in ("cs", "uk", "en")


@pytest.mark.parametrize(("text", "lang"), [("Hello", "en"), ("Привіт", "uk"), ("Dobrý den", "cs")])
def test_greetings_are_enough_to_switch_the_reply_language(text: str, lang: str) -> None:
    found = detect(text, "ru")
    assert (found.language, found.reliable) == (lang, True)
