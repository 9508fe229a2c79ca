"""Logs carry no person: the filter every process installs on its log handlers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from poradnyk.logs import PrivacyFilter

UPDATE = {
    "update_id": 123456789,
    "message": {
        "message_id": 7,
        "from": {"id": 987654321, "first_name": "Olena", "username": "olena_k"},
        "chat": {"id": 987654321, "type": "private", "first_name": "Olena"},
        "text": "Мене звати Олена, мій телефон 777 123 456",
    },
}
SECRETS = ("Olena", "olena_k", "Олена", "987654321", "777 123 456", "123:SECRET")


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PrivacyFilter("123:SECRET"))
    logger = logging.getLogger("test.privacy")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def _clean(out: str) -> None:
    for secret in SECRETS:
        assert secret not in out, secret


def test_an_update_dumped_as_json_or_repr_is_redacted(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    logger.critical("Could not parse %s", json.dumps(UPDATE, ensure_ascii=False))
    logger.error("Update %r caused an error", UPDATE)
    out = stream.getvalue()
    _clean(out)
    assert out.count("<redacted>") >= 4


def test_exception_text_with_a_quoted_body_is_redacted(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    tracker = json.dumps({"sender_id": "u" + "a" * 32, "latest_message": {"text": "Olena"}})
    try:
        try:
            raise ValueError(f"500, Internal Server Error, body='{tracker}'")
        except ValueError as inner:
            raise RuntimeError("Failed to execute custom action 'action_answer'") from inner
    except RuntimeError:
        logger.exception("Encountered an exception while running action")
    out = stream.getvalue()
    _clean(out)
    assert "u" + "a" * 32 not in out
    assert "Failed to execute custom action" in out  # what happened is still there
    assert "body=<redacted>" in out


def test_the_token_and_long_numbers_go_short_ones_stay(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    logger.info("GET https://api.telegram.org/bot123:SECRET/getMe for 987654321 on port 5005")
    out = stream.getvalue()
    _clean(out)
    assert "<token>" in out and "<id>" in out and "5005" in out


def test_a_dumped_object_is_cut(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.warning("state: %s", "x" * 50_000)
    assert len(stream.getvalue()) < 1200
