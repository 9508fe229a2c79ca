"""Speed-ups for Rasa 3.6's message path, each measured in bench/pipeline_bench.py.

Rasa checks every action server response with ``jsonschema.validate``, which first
validates the schema itself against the JSON-Schema meta-schema and then builds a new
validator, on every message. A py-spy profile put this at more than half of Rasa's time
per message. Here the validator is built once and checks each response against the same
schema; a malformed response is handed to Rasa's own check, which rejects it with its
usual error and message.

Nothing is changed when ``PORADNYK_RASA_SPEEDUPS=0`` (used by the benchmark for the
unoptimised baseline).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import jsonschema
from rasa.core.actions.action import RemoteAction

__all__ = ["enabled", "install"]

logger = logging.getLogger(__name__)

_Validate = Callable[[RemoteAction, dict[str, Any]], bool]


def enabled() -> bool:
    """Whether the speed-ups are wanted (``PORADNYK_RASA_SPEEDUPS`` not ``0``)."""
    return os.environ.get("PORADNYK_RASA_SPEEDUPS", "1") != "0"


def _cached_validation(original: _Validate) -> _Validate:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every message
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if validator.is_valid(result):
            return True
        # Let Rasa's own code raise its error with its own message.
        return original(self, result)

    validate_action_result.__wrapped__ = original  # type: ignore[attr-defined]
    return validate_action_result


def install() -> None:
    """Apply the speed-ups to this process's Rasa (idempotent)."""
    if not enabled():
        logger.info("Rasa speed-ups are off (PORADNYK_RASA_SPEEDUPS=0)")
        return
    current = RemoteAction._validate_action_result
    if hasattr(current, "__wrapped__"):
        return
    RemoteAction._validate_action_result = _cached_validation(current)
    logger.info("Rasa speed-ups installed: cached action response validator")
