"""Points on the city map as (lat, lon) pairs: the city centre, geodesic distance and
point-in-polygon."""

from __future__ import annotations

from collections.abc import Sequence

from geopy.distance import distance as geodesic

CITY_CENTRE = (51.1282, 71.4307)  # Astana, Baiterek: where maps open when nothing is known


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lat, lon) points."""
    return float(geodesic(a, b).m)


def point_in_ring(lat: float, lon: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Ray casting on (lat, lon) pairs; fine at a city's scale."""
    inside = False
    n = len(ring)
    if n < 3:
        return False
    j = n - 1
    for i in range(n):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat):
            x_cross = (xj - xi) * (lat - yi) / ((yj - yi) or 1e-12) + xi
            if lon < x_cross:
                inside = not inside
        j = i
    return inside
