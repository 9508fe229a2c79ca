"""Telegram's inline keyboards for replies (the layout and HTML are :mod:`poradnyk.render`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from poradnyk.compose import Button
from poradnyk.render import CALLBACK_LIMIT, TELEGRAM_LIMIT, button_rows, split_html, to_html

__all__ = ["CALLBACK_LIMIT", "TELEGRAM_LIMIT", "keyboard", "split_html", "to_html"]


def keyboard(
    buttons: Sequence[Button], encode: Callable[[str], str]
) -> InlineKeyboardMarkup | None:
    """The inline keyboard of ``buttons``; ``encode`` turns a payload into callback data."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.title[:64], url=b.url)
                if b.url
                else InlineKeyboardButton(b.title[:64], callback_data=encode(b.payload))
                for b in row
            ]
            for row in button_rows(buttons)
        ]
    )
