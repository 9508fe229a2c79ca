"""Which intents the bot has (read from Rasa's ``domain.yml`` as plain YAML, no Rasa)."""

from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["META_INTENTS", "domain_intents", "known_topics"]

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
