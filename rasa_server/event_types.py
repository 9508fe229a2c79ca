"""Rasa's lookup of an event class by its name, remembered.

Rebuilding a conversation from the tracker store turns every stored event back into an
object, and for each one ``Event.resolve_by_type`` walks the whole tree of event classes
(checking each for abstract methods) to find the class with that name. For a user
coming back to a conversation of 40 messages (about 300 events), that was a third of
Rasa's time per message.

:func:`cached_resolve_by_type` remembers each class it found. A name it has not found
before goes to Rasa's own lookup, so event classes imported later are still found, and
unknown names fail exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable

from rasa.shared.core.events import Event

__all__ = ["cached_resolve_by_type"]

_Resolve = Callable[[str, "type[Event] | None"], "type[Event] | None"]


def cached_resolve_by_type(original: _Resolve) -> _Resolve:
    """``Event.resolve_by_type`` with the classes it found remembered by name."""
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default and cls.type_name == type_name:
                found[type_name] = cls
        return cls

    resolve_by_type.__wrapped__ = original  # type: ignore[attr-defined]
    return resolve_by_type
