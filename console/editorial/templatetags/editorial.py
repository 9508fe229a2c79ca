"""Template helpers of the console."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key``: a dictionary value by a variable key (None if absent)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def field(form: Any, name: str) -> Any:
    """``form|field:"answer_uk"``: a bound field by a computed name."""
    return form[name]


@register.simple_tag
def named(prefix: str, lang: str) -> str:
    """``{% named "answer" lang %}``: the field name ``answer_uk``."""
    return f"{prefix}_{lang}"
