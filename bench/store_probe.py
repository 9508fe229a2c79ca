"""CPU time of the store calls one message makes, in a loop, call by call.

Usage: .venv-app/bin/python -m bench.store_probe [--messages 1000]

The calls a typed message from a new person makes on SQLite (the default store), in
order: the update into the intake, the person's preferences read and written, the
answer counted, the answer queued in the outbox, taken out and marked sent, the update
marked done. Each runs directly (not through the store's worker thread), in a
throwaway data folder. Prints the CPU ms per message, in all and per call.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["main"]

T = TypeVar("T")

_RAW = json.dumps(
    {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "date": 1,
            "chat": {"id": 1, "type": "private"},
            "from": {"id": 1, "is_bot": False, "first_name": "T", "language_code": "uk"},
            "text": "Jak si prodloužím dočasnou ochranu?",
        },
    }
)
_ANSWER = "x" * 2000  # a topic answer is about 2,000 characters with 13 buttons
_MARKUP = json.dumps(
    {"inline_keyboard": [[{"text": "b" * 20, "callback_data": "c" * 30}] for _ in range(13)]}
)


def main() -> None:
    """Run the loop and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    n = parser.parse_args().messages
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PORADNYK_DATA_DIR"] = tmp
        os.environ["PORADNYK_DATABASE_URL"] = ""
        from store.api import Store, setup_django  # noqa: PLC0415 - after the environment

        setup_django()
        store = Store()
        spent: dict[str, float] = {}

        def timed(name: str, call: Callable[[], T]) -> T:
            start = time.process_time()
            result = call()
            spent[name] = spent.get(name, 0.0) + time.process_time() - start
            return result

        def one_message(u: int) -> None:
            person = f"u{u:032d}"
            counts = [("message", "t", "uk"), ("typed", "", "uk")]
            timed("intake_add", lambda: store.intake_add([(u, _RAW)]))
            timed("prefs", lambda: store.prefs(person))
            timed("update", lambda: store.update(person, last_language="uk"))
            timed("count_all", lambda: store.count_all(counts))
            timed("outbox_add", lambda: store.outbox_add(u, [(f"u{u}:0", _ANSWER, _MARKUP)]))
            message = timed("outbox_next", lambda: store.outbox_next(u))
            assert message is not None
            timed("outbox_sent_then_next", lambda: store.outbox_sent_then_next(message.id, u))
            timed("intake_done", lambda: store.intake_done(u))

        start = time.process_time()
        for u in range(1, n + 1):
            one_message(u)
        total = (time.process_time() - start) * 1000 / n
    calls = ", ".join(f"{name} {seconds * 1000 / n:.3f}" for name, seconds in spent.items())
    print(f"store calls of one message: {total:.3f} ms CPU ({calls})")


if __name__ == "__main__":
    main()
