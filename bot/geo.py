"""A shared location -> region code, by the nearest regional capital.

Approximate near region borders; the user sees the chosen region and can change it.
"""

from __future__ import annotations

import math

__all__ = ["region_for_location"]

# Czechia's bounding box and the regional capitals (latitude, longitude).
_BOX = (48.55, 51.06, 12.09, 18.86)
_CAPITALS: dict[str, tuple[float, float]] = {
    "praha": (50.0755, 14.4378),
    "stredocesky": (50.1470, 14.1029),  # Kladno; the region surrounds Prague
    "jihocesky": (48.9745, 14.4743),
    "plzensky": (49.7384, 13.3736),
    "karlovarsky": (50.2310, 12.8710),
    "ustecky": (50.6607, 14.0323),
    "liberecky": (50.7663, 15.0543),
    "kralovehradecky": (50.2092, 15.8328),
    "pardubicky": (50.0343, 15.7812),
    "vysocina": (49.3961, 15.5912),
    "jihomoravsky": (49.1951, 16.6068),
    "olomoucky": (49.5938, 17.2509),
    "zlinsky": (49.2265, 17.6707),
    "moravskoslezsky": (49.8209, 18.2625),
}
_PRAGUE_RADIUS_KM = 14.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(h))


def region_for_location(latitude: float, longitude: float) -> str | None:
    """The region code for a point in Czechia, or None outside it."""
    south, north, west, east = _BOX
    if not (south <= latitude <= north and west <= longitude <= east):
        return None
    point = (latitude, longitude)
    if _km(point, _CAPITALS["praha"]) <= _PRAGUE_RADIUS_KM:
        return "praha"
    others = {k: v for k, v in _CAPITALS.items() if k != "praha"}
    return min(others, key=lambda code: _km(point, others[code]))
