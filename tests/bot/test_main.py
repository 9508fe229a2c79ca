"""Logging set-up of the adapter process: the token never reaches a log line."""

from __future__ import annotations

import io
import logging

from bot.__main__ import RedactToken


def test_token_is_redacted_from_every_record() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactToken("123:SECRET"))
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("Set Bot API URL: %s", "https://api.telegram.org/bot123:SECRET")
        logger.error("failed %s", "https://api.telegram.org/bot123:SECRET/getMe")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "SECRET" not in out
    assert out.count("<token>") == 2
