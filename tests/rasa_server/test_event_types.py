"""The remembered event-class lookup answers exactly as Rasa's own."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from rasa_server.event_types import cached_resolve_by_type

ORIGINAL = Event.__dict__["resolve_by_type"].__func__


def test_same_class_for_every_event_name_twice() -> None:
    cached = cached_resolve_by_type(ORIGINAL)
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "slot", "action", "session_started"} <= names
    for _ in range(2):  # the second round comes from memory
        assert {n: cached(n, None) for n in names} == {n: ORIGINAL(n, None) for n in names}


def test_unknown_names_behave_as_in_rasa() -> None:
    cached = cached_resolve_by_type(ORIGINAL)
    with pytest.raises(ValueError, match="Unknown event name 'no_such'"):
        cached("no_such", None)
    assert cached("no_such", SlotSet) is SlotSet
    assert cached("topic", None) is None  # Rasa's backwards compatibility
    with pytest.raises(ValueError):  # a default is never remembered for the name
        cached("no_such", None)


def test_an_event_class_imported_later_is_found() -> None:
    cached = cached_resolve_by_type(ORIGINAL)
    assert cached("user", None) is UserUttered
    with pytest.raises(ValueError):
        cached("late_event", None)

    class LateEvent(SlotSet):
        type_name: ClassVar[str] = "late_event"

        def __init__(self, **kwargs: Any) -> None:
            super().__init__("region", **kwargs)

    assert cached("late_event", None) is LateEvent
