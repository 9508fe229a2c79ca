"""HTML escaping, safe splitting under Telegram's limit, keyboards within 64 bytes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import TELEGRAM_LIMIT, keyboard, split_html, to_html
from poradnyk.compose import Button


class _TagChecker(HTMLParser):
    """Fails on any tag other than <b>, and on unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ok &= tag == "b"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.ok &= bool(self.stack) and self.stack.pop() == tag


def _valid(html_text: str) -> bool:
    checker = _TagChecker()
    checker.feed(html_text)
    checker.close()
    # Only the entities html.escape produces may appear.
    entities_ok = all(m in ("&amp;", "&lt;", "&gt;") for m in re.findall(r"&[^;\s]*;", html_text))
    return checker.ok and not checker.stack and entities_ok


def test_escapes_html_and_renders_bold() -> None:
    assert to_html("**Title**\n<script>&") == "<b>Title</b>\n&lt;script&gt;&amp;"


def test_long_text_is_split_between_paragraphs() -> None:
    paragraphs = [f"Paragraph {i} " + "x" * 900 for i in range(10)]
    chunks = split_html("\n\n".join(paragraphs))
    assert len(chunks) > 1
    assert all(len(c) <= TELEGRAM_LIMIT for c in chunks)
    assert all(c.startswith("Paragraph") for c in chunks)


def test_ten_thousand_characters_without_spaces() -> None:
    chunks = split_html("<" * 10_000)
    assert all(len(c) <= TELEGRAM_LIMIT for c in chunks)
    assert "".join(chunks).count("&lt;") == 10_000


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=20_000))
def test_any_text_gives_valid_html_within_the_limit(text: str) -> None:
    chunks = split_html(text)
    assert chunks
    assert all(0 < len(c) <= TELEGRAM_LIMIT for c in chunks)
    assert all(_valid(c) for c in chunks)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=20))
def test_keyboard_callback_data_always_fits_64_bytes(titles: list[str]) -> None:
    buttons = [Button(t, "/" + "p" * (i * 10)) for i, t in enumerate(titles)]
    markup = keyboard(buttons, lambda p: p if len(p.encode()) <= 64 else "k:" + str(len(p)))
    assert markup is not None
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert len(data) == len(buttons)
    assert all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
