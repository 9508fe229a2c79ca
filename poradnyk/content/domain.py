"""Which intents the bot has (read from Rasa's ``domain.yml`` as plain YAML, no Rasa)."""

from __future__ import annotations

from collections.abc import Container, Iterable
from pathlib import Path

import yaml

__all__ = ["FALLBACK_BUTTONS", "META_INTENTS", "domain_intents", "fallback_offer", "known_topics"]

META_INTENTS: frozenset[str] = frozenset(
    {"greet", "goodbye", "thank", "bot_capabilities", "change_language", "human_handoff",
     "affirm", "deny", "out_of_scope", "nlu_fallback"}
)  # fmt: skip


def domain_intents(repo_root: Path) -> list[str]:
    """All intents of ``domain.yml``."""
    with (repo_root / "domain.yml").open(encoding="utf-8") as fh:
        domain = yaml.safe_load(fh)
    intents = domain.get("intents")
    if not isinstance(intents, list):
        raise ValueError("domain.yml has no 'intents' list")
    return [next(iter(i)) if isinstance(i, dict) else str(i) for i in intents]


def known_topics(repo_root: Path) -> list[str]:
    """Topic intents: the intents of ``domain.yml`` that are not conversation management."""
    return [n for n in domain_intents(repo_root) if n not in META_INTENTS]


FALLBACK_BUTTONS = 3
"""How many likely topics the fallback offers as buttons."""


def fallback_offer(ranking: Iterable[str], topics: Container[str]) -> list[str]:
    """The topics the fallback offers as buttons, likeliest first: the first
    ``FALLBACK_BUTTONS`` names of the model's ``ranking`` that are topics (greetings,
    out_of_scope and the fallback itself never are). The bot and the benchmark's top-3
    both use this, so the benchmark counts exactly the buttons people see."""
    return [name for name in ranking if name in topics][:FALLBACK_BUTTONS]
