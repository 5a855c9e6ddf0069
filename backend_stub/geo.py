"""Geography of the demo city: distances and Astana's districts."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8

# District centres of Astana (approximate), used to name the district of a point.
ASTANA_DISTRICTS: dict[str, tuple[float, float]] = {
    "almaty": (51.1400, 71.4800),
    "baikonur": (51.1830, 71.4310),
    "yesil": (51.1010, 71.4140),
    "saryarka": (51.1890, 71.3870),
    "nura": (51.0560, 71.3730),
    "saraishyq": (51.1280, 71.5150),
}

DISTRICT_NAMES: dict[str, dict[str, str]] = {
    "almaty": {"kk": "Алматы ауданы", "ru": "район Алматы"},
    "baikonur": {"kk": "Байқоңыр ауданы", "ru": "район Байконур"},
    "yesil": {"kk": "Есіл ауданы", "ru": "район Есиль"},
    "saryarka": {"kk": "Сарыарқа ауданы", "ru": "район Сарыарка"},
    "nura": {"kk": "Нұра ауданы", "ru": "район Нура"},
    "saraishyq": {"kk": "Сарайшық ауданы", "ru": "район Сарайшык"},
}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def district_for(lat: float, lon: float, max_km: float = 25.0) -> str | None:
    """The district whose centre is nearest, if the point is in or near the city."""
    best = min(ASTANA_DISTRICTS.items(), key=lambda kv: distance_m(lat, lon, *kv[1]))
    return best[0] if distance_m(lat, lon, *best[1]) <= max_km * 1000 else None


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lat/lon box around a point (for a cheap SQL pre-filter before exact distances)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
