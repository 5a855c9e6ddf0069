"""Geography of the demo city and area maths for alerts, in one place.

City: great-circle distances, Astana's districts (to name the district of a point) and a
bounding box for cheap SQL pre-filters.

Areas of alerts: CAP polygon and circle strings, point-in-polygon, point-in-circle.

CAP 1.2 writes a polygon as "lat,lon lat,lon ..." (a closed ring: the first pair repeated last,
at least 4 pairs) and a circle as "lat,lon radius_km". Coordinates are WGS 84; at city scale a
polygon is treated as planar in (lon, lat), and circles use great-circle (haversine) distance.

Parsing raises `GeometryError` with a message code (see messages.py) so the caller can answer
a 422 in the resident's or operator's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


# --- Areas of alerts (CAP polygons and circles) ---

Point = tuple[float, float]  # (lat, lon)

MAX_POLYGON_POINTS = 500
MAX_CIRCLE_RADIUS_KM = 100.0
_EPS = 1e-12


class GeometryError(ValueError):
    """Bad polygon or circle text; `code` is a message code, `params` its placeholders."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    radius_km: float


# ---------------------------------------------------------------- parsing and formatting


def _number(text: str, error: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GeometryError(error) from None
    if not math.isfinite(value):
        raise GeometryError(error)
    return value


def _pair(token: str, error: str) -> Point:
    parts = token.split(",")
    if len(parts) != 2:
        raise GeometryError(error)
    lat, lon = _number(parts[0], error), _number(parts[1], error)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeometryError("alert_coordinates_out_of_range")
    return lat, lon


def parse_polygon(text: str) -> list[Point]:
    """A closed, simple ring of at least 4 points (first = last), or GeometryError."""
    tokens = text.split()
    if not tokens:
        raise GeometryError("alert_polygon_format")
    if len(tokens) > MAX_POLYGON_POINTS:
        raise GeometryError("alert_polygon_too_many_points", max_points=MAX_POLYGON_POINTS)
    ring = [_pair(t, "alert_polygon_format") for t in tokens]
    if len(ring) < 4:
        raise GeometryError("alert_polygon_too_few_points")
    if ring[0] != ring[-1]:
        raise GeometryError("alert_polygon_not_closed")
    vertices = _distinct_vertices(ring)
    if len(vertices) < 3:
        raise GeometryError("alert_polygon_too_few_points")
    if not is_simple(vertices):
        raise GeometryError("alert_polygon_self_intersecting")
    return ring


def parse_circle(text: str) -> Circle:
    """ "lat,lon radius_km" with 0 < radius <= MAX_CIRCLE_RADIUS_KM, or GeometryError."""
    tokens = text.split()
    if len(tokens) != 2:
        raise GeometryError("alert_circle_format")
    lat, lon = _pair(tokens[0], "alert_circle_format")
    radius = _number(tokens[1], "alert_circle_format")
    if not 0 < radius <= MAX_CIRCLE_RADIUS_KM:
        raise GeometryError("alert_circle_radius", max_km=int(MAX_CIRCLE_RADIUS_KM))
    return Circle(lat, lon, radius)


def fmt_number(value: float) -> str:
    """Up to 6 decimals (about 10 cm), no trailing zeros: 51.1, 71.43051."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def polygon_text(ring: list[Point]) -> str:
    return " ".join(f"{fmt_number(lat)},{fmt_number(lon)}" for lat, lon in ring)


def circle_text(circle: Circle) -> str:
    return f"{fmt_number(circle.lat)},{fmt_number(circle.lon)} {fmt_number(circle.radius_km)}"


# ---------------------------------------------------------------- planar predicates


def _distinct_vertices(ring: list[Point]) -> list[Point]:
    """The ring's vertices without the closing repeat and without consecutive duplicates."""
    out: list[Point] = []
    for p in ring[:-1]:
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out


def _cross(o: Point, a: Point, b: Point) -> float:
    """z of (a - o) x (b - o) in (lon, lat) coordinates; > 0 when o→a→b turns left."""
    return (a[1] - o[1]) * (b[0] - o[0]) - (a[0] - o[0]) * (b[1] - o[1])


def _within_box(p: Point, a: Point, b: Point) -> bool:
    return (
        min(a[0], b[0]) - _EPS <= p[0] <= max(a[0], b[0]) + _EPS
        and min(a[1], b[1]) - _EPS <= p[1] <= max(a[1], b[1]) + _EPS
    )


def on_segment(p: Point, a: Point, b: Point) -> bool:
    """Whether p lies on the closed segment a–b."""
    return abs(_cross(a, b, p)) <= _EPS and _within_box(p, a, b)


def _sign(value: float) -> int:
    return 0 if abs(value) <= _EPS else (1 if value > 0 else -1)


def segments_intersect(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether the closed segments a–b and c–d share at least one point."""
    d1, d2 = _sign(_cross(c, d, a)), _sign(_cross(c, d, b))
    d3, d4 = _sign(_cross(a, b, c)), _sign(_cross(a, b, d))
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True
    return (
        (d1 == 0 and _within_box(a, c, d))
        or (d2 == 0 and _within_box(b, c, d))
        or (d3 == 0 and _within_box(c, a, b))
        or (d4 == 0 and _within_box(d, a, b))
    )


def is_simple(vertices: list[Point]) -> bool:
    """No two edges of the ring meet except neighbours at their shared vertex, and the ring
    encloses some area (a polygon folded back on itself is not simple)."""
    n = len(vertices)
    if n < 3:
        return False
    edges = [(vertices[i], vertices[(i + 1) % n]) for i in range(n)]
    boxes = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])) for a, b in edges]
    for i in range(n):
        a, b = edges[i]
        lat0, lat1, lon0, lon1 = boxes[i]
        for j in range(i + 1, n):
            c, d = edges[j]
            if j == i + 1 or (i == 0 and j == n - 1):
                # Neighbours share one vertex; they must not overlap along a line.
                shared, own_a, own_b = (b, a, d) if j == i + 1 else (a, b, c)
                if on_segment(own_b, shared, own_a) or on_segment(own_a, shared, own_b):
                    return False
                continue
            blat0, blat1, blon0, blon1 = boxes[j]
            if blat0 > lat1 or blat1 < lat0 or blon0 > lon1 or blon1 < lon0:
                continue
            if segments_intersect(a, b, c, d):
                return False
    return abs(signed_area(vertices)) > _EPS


def signed_area(vertices: list[Point]) -> float:
    """Shoelace area in square degrees (lon × lat); the sign gives the orientation."""
    total = 0.0
    n = len(vertices)
    for i in range(n):
        lat1, lon1 = vertices[i]
        lat2, lon2 = vertices[(i + 1) % n]
        total += lon1 * lat2 - lon2 * lat1
    return total / 2


# ---------------------------------------------------------------- containment


def point_in_polygon(lat: float, lon: float, ring: list[Point]) -> bool:
    """Ray casting (even–odd rule) along +lon; a point on the boundary counts as inside.

    The half-open test `(lat_a > lat) != (lat_b > lat)` counts a ray through a vertex once
    and ignores horizontal edges, so vertices and parallel edges need no special cases.
    """
    p = (lat, lon)
    inside = False
    n = len(ring)
    for i in range(n - 1 if ring[0] == ring[-1] else n):
        a, b = ring[i], ring[(i + 1) % n]
        if on_segment(p, a, b):
            return True
        if (a[0] > lat) != (b[0] > lat):
            lon_cross = a[1] + (lat - a[0]) * (b[1] - a[1]) / (b[0] - a[0])
            if lon < lon_cross:
                inside = not inside
    return inside


def point_in_circle(lat: float, lon: float, circle: Circle) -> bool:
    """Within the radius (great-circle distance), the rim included."""
    return distance_m(lat, lon, circle.lat, circle.lon) <= circle.radius_km * 1000 + 1e-6
