"""Inbox questions as training examples, and whether the model needs training again.

Examples go into ``nlu_data/topics/<topic>.yml`` through :mod:`poradnyk.nlu_writer`. The
model needs training when the training data differ from what it was trained on: ``./run``
(and ``./test``) compare a hash of the inputs with ``models/.inputs-hash`` and retrain
before starting, so the documented way to bring new examples in is to restart with
``./run`` (Rasa loads the new model on start; a second Rasa can be started on the new
model before the old one stops for no downtime).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings

from poradnyk.nlu_writer import add_example

__all__ = ["RETRAIN_COMMAND", "add_training_example", "last_training", "new_examples", "nlu_dir"]

RETRAIN_COMMAND = "./run"


def nlu_dir() -> Path:
    """The training data the console writes to (``PORADNYK_NLU_DIR``, default nlu_data/)."""
    return Path(settings.PORADNYK_NLU_DIR)


def last_training() -> datetime | None:
    """When the model in use was trained (None: never)."""
    marker = Path(settings.PORADNYK_MODEL_DIR) / ".inputs-hash"
    if not marker.exists():
        marker = Path(settings.PORADNYK_MODEL_DIR) / "poradnyk.tar.gz"
    if not marker.exists():
        return None
    return datetime.fromtimestamp(marker.stat().st_mtime, tz=timezone.utc)


def new_examples() -> int:
    """Inbox questions made training examples since the last training."""
    from store.api import Store  # noqa: PLC0415

    since = last_training() or datetime(1970, 1, 1, tzinfo=timezone.utc)
    return Store().trained_since(since)


def add_training_example(topic: str, texts: list[str]) -> int:
    """Write ``texts`` as examples of ``topic``; returns how many were new."""
    folder = nlu_dir()
    return sum(1 for text in texts if add_example(folder, topic, text))
