"""Logs carry no person: a filter for every process (adapter, Rasa, actions, console).

Installed on the log handlers (``bot/__main__.py``, ``logging.yml`` for Rasa and the
action server, Django's ``LOGGING``), so it sees every record of every library at every
level, with its exception text. It redacts what would identify a person or repeat their
words:

- the values of fields such as ``text``, ``first_name``, ``username`` in JSON or Python
  reprs (an update, a tracker, a request body quoted in an error message);
- response bodies quoted by HTTP errors (``body='...'``);
- long numbers (Telegram ids) and pseudonyms;
- the bot token, when the process knows it;

and it cuts very long messages, which are nearly always a dumped object.
"""

from __future__ import annotations

import logging
import re
import traceback

__all__ = ["PrivacyFilter", "redact"]

_FIELDS = (
    "text", "message", "first_name", "last_name", "username", "phone_number", "caption",
    "title", "sender", "sender_id", "latest_message", "email", "data", "query",
)  # fmt: skip
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
_FIELD_VALUE = re.compile(
    rf"(?P<key>[\"']?\b(?:{'|'.join(_FIELDS)})[\"']?\s*[:=]\s*)(?P<value>{_QUOTED})"
)
_BODY = re.compile(r"body=(?:" + _QUOTED + r"|b" + _QUOTED + r")", re.DOTALL)
_LONG_NUMBER = re.compile(r"(?<![\w.])\d{7,}(?![\w.])")
_PSEUDONYM = re.compile(r"\bu[0-9a-f]{32}\b")
_MAX_MESSAGE = 1000
_MAX_TRACEBACK = 6000


def redact(text: str, token: str | None = None) -> str:
    """``text`` without personal data (see the module docstring)."""
    if token:
        text = text.replace(token, "<token>")
    text = _BODY.sub("body=<redacted>", text)
    text = _FIELD_VALUE.sub(lambda m: f"{m.group('key')}<redacted>", text)
    text = _PSEUDONYM.sub("<person>", text)
    return _LONG_NUMBER.sub("<id>", text)


class PrivacyFilter(logging.Filter):
    """Rewrites every record without personal data; never drops a record."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message and the exception text of ``record``."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        message = redact(message, self._token)
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + " …(cut)"
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = redact(text, self._token)[-_MAX_TRACEBACK:]
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self._token)[-_MAX_TRACEBACK:]
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._token)
        return True
