"""How a reply looks in Telegram: HTML with escaping, safe splitting, the button layout.

Pure code, shared by the adapter (which turns it into Bot API calls) and the staff
console's preview (which shows exactly the same messages and buttons).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from poradnyk.compose import Button

__all__ = ["CALLBACK_LIMIT", "TELEGRAM_LIMIT", "button_rows", "split_html", "to_html"]

TELEGRAM_LIMIT = 4096
CALLBACK_LIMIT = 64  # bytes of callback data allowed by Telegram
_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_SHORT_TITLE = 18


def to_html(text: str) -> str:
    """Escape ``text`` for Telegram HTML and turn ``**bold**`` into <b>bold</b>."""
    return _BOLD_RE.sub(r"<b>\1</b>", html.escape(text, quote=False))


def _pieces(text: str, limit: int) -> list[str]:
    """Cut plain text into pieces whose HTML fits ``limit``: paragraphs, lines, words."""
    if len(to_html(text)) <= limit:
        return [text]
    for sep in ("\n\n", "\n", " "):
        parts = text.split(sep)
        if len(parts) > 1:
            out: list[str] = []
            current = ""
            for part in parts:
                candidate = f"{current}{sep}{part}" if current else part
                if len(to_html(candidate)) <= limit:
                    current = candidate
                    continue
                if current:
                    out.append(current)
                if len(to_html(part)) <= limit:
                    current = part
                else:
                    pieces = _pieces(part, limit)
                    out += pieces[:-1]
                    current = pieces[-1]
            if current:
                out.append(current)
            return out
    # One very long "word": cut by characters (escaping can at most grow 5x).
    out = []
    step = max(1, limit // 5)
    for i in range(0, len(text), step):
        out.append(text[i : i + step])
    return out


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Valid HTML chunks of at most ``limit`` characters, cut between paragraphs if possible."""
    chunks = [to_html(p) for p in _pieces(text, limit) if p.strip()]
    return chunks or [to_html(text.strip()) or html.escape("…")]


def button_rows(buttons: Sequence[Button]) -> list[list[Button]]:
    """How buttons are laid out: short titles two to a row, long ones alone."""
    rows: list[list[Button]] = []
    row: list[Button] = []
    for button in buttons:
        if len(button.title) > _SHORT_TITLE:
            if row:
                rows.append(row)
                row = []
            rows.append([button])
            continue
        row.append(button)
        if len(row) == 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows
