"""Office hours of the staff who answer handed-off people: open now? back when?"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from poradnyk.content.model import Handoff

__all__ = ["is_open", "next_opening"]

_LOOK_AHEAD_DAYS = 62


def _local(handoff: Handoff, now: datetime) -> datetime:
    return now.astimezone(zoneinfo.ZoneInfo(handoff.time_zone))


def is_open(handoff: Handoff, now: datetime) -> bool:
    """Whether staff are in at ``now`` (an aware datetime)."""
    local = _local(handoff, now)
    if local.date() in handoff.holidays:
        return False
    moment = local.time()
    return any(start <= moment < end for start, end in handoff.hours.get(local.weekday(), ()))


def next_opening(handoff: Handoff, now: datetime) -> datetime | None:
    """When staff are next in after ``now``, in the NGO's time zone (None: not in two months)."""
    local = _local(handoff, now)
    zone = zoneinfo.ZoneInfo(handoff.time_zone)
    for offset in range(_LOOK_AHEAD_DAYS):
        day = (local + timedelta(days=offset)).date()
        if day in handoff.holidays:
            continue
        for start, _ in handoff.hours.get(day.weekday(), ()):
            opening = datetime.combine(day, start, tzinfo=zone)
            if opening > local:
                return opening
    return None
