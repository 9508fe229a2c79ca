"""Cleaning of text at the boundary, before it goes anywhere (Rasa, logs, the store).

Telegram delivers whatever a client sends: lone UTF-16 surrogates (which cannot be
encoded as UTF-8 and break JSON), NUL bytes, and other control characters.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text"]

_SURROGATES = re.compile("[\ud800-\udfff]")
_KEEP = {"\n", "\t"}


def clean_text(text: str) -> str:
    """``text`` without lone surrogates and control characters (newlines and tabs kept)."""
    text = _SURROGATES.sub("", text)
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cs"))
