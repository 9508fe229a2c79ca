"""Text is cleaned at the boundary: nothing that breaks JSON, logs or the store gets through."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from poradnyk.text import clean_text


def test_lone_surrogates_nul_and_controls_are_removed() -> None:
    assert clean_text("a\ud800b\x00c\x07d\x1be") == "abcde"


def test_newlines_tabs_and_visible_unicode_are_kept() -> None:
    text = "Řádek\n\tрядок 👍 שלום e\u0301\u200b"
    assert clean_text(text) == text


@given(st.text())
def test_the_result_always_encodes_as_utf8_json(text: str) -> None:
    cleaned = clean_text(text)
    json.dumps(cleaned, ensure_ascii=False).encode("utf-8")
    assert all(ch in "\n\t" or ord(ch) >= 0x20 for ch in cleaned)
