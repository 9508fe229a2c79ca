"""The answer languages, in the order staff see them (Czech, Ukrainian, English)."""

from __future__ import annotations

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES"]

LANGUAGES: tuple[str, ...] = ("cs", "uk", "en")
DEFAULT_LANGUAGE = "uk"
"""Russian speakers and unknown users are answered in Ukrainian."""
