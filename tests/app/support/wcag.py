"""WCAG 2.2 contrast (relative luminance and contrast ratio) over the colours the app names:
the Material swatches of `ft.Colors` (Flutter's `Colors`, by their Flet name) and the theme's
pinned scheme roles (`app.ui.palette.SCHEME`)."""

from __future__ import annotations

import dataclasses

import flet as ft

from app.ui.palette import SCHEME

NORMAL_TEXT = 4.5  # WCAG 1.4.3 AA, text under 24 px (18.66 px bold)
LARGE_TEXT = 3.0  # WCAG 1.4.3 AA, large text
NON_TEXT = 3.0  # WCAG 1.4.11 AA, icons and parts of controls that carry meaning

# Flutter's `Colors` swatches, keyed by their Flet value ("red800"): only those the app uses
# (a colour missing here fails the test that meets it, so the table grows with the app).
SWATCHES: dict[str, str] = {
    "white": "#FFFFFF", "black": "#000000",
    "red": "#F44336", "red50": "#FFEBEE", "red100": "#FFCDD2", "red400": "#EF5350",
    "red700": "#D32F2F", "red800": "#C62828", "red900": "#B71C1C",
    "orange": "#FF9800", "orange50": "#FFF3E0", "orange300": "#FFB74D", "orange400": "#FFA726",
    "orange800": "#EF6C00", "orange900": "#E65100",
    "deeporange700": "#E64A19", "deeporange800": "#D84315", "deeporange900": "#BF360C",
    "amber": "#FFC107", "amber50": "#FFF8E1", "amber100": "#FFECB3", "amber300": "#FFD54F",
    "amber400": "#FFCA28", "amber700": "#FFA000", "amber800": "#FF8F00", "amber900": "#FF6F00",
    "green50": "#E8F5E9", "green100": "#C8E6C9", "green400": "#66BB6A", "green600": "#43A047",
    "green700": "#388E3C", "green800": "#2E7D32", "green900": "#1B5E20",
    "blue": "#2196F3", "blue50": "#E3F2FD", "blue100": "#BBDEFB", "blue200": "#90CAF9",
    "blue300": "#64B5F6", "blue400": "#42A5F5", "blue600": "#1E88E5", "blue700": "#1976D2",
    "blue800": "#1565C0", "blue900": "#0D47A1",
    "bluegrey50": "#ECEFF1", "bluegrey100": "#CFD8DC", "bluegrey300": "#90A4AE",
    "bluegrey500": "#607D8B", "bluegrey600": "#546E7A",
    "grey100": "#F5F5F5", "grey200": "#EEEEEE", "grey300": "#E0E0E0", "grey400": "#BDBDBD",
    "grey500": "#9E9E9E", "grey600": "#757575", "grey700": "#616161", "grey900": "#212121",
    "purple50": "#F3E5F5", "purple200": "#CE93D8", "purple300": "#BA68C8",
    "purple500": "#9C27B0", "purple700": "#7B1FA2", "purple900": "#4A148C",
    "indigo50": "#E8EAF6", "indigo700": "#303F9F", "indigo900": "#1A237E",
    "teal400": "#26A69A", "teal700": "#00796B",
    "pink300": "#F06292", "pink700": "#C2185B",
    "brown700": "#5D4037", "brown900": "#3E2723",
}  # fmt: skip

# The theme's roles by their Flet value ("onsurfacevariant"), as pinned in the palette.
ROLES: dict[str, str] = {
    getattr(ft.Colors, f.name.upper()).value: str(getattr(SCHEME, f.name)).upper()
    for f in dataclasses.fields(SCHEME)
    if getattr(SCHEME, f.name) is not None
}


def hex_of(color: str | ft.Colors) -> str:
    """The #RRGGBB of a swatch, a pinned scheme role or a hex colour; KeyError if unknown."""
    name = color.value if isinstance(color, ft.Colors) else color
    if name.startswith("#"):
        return name.upper()
    return ROLES.get(name) or SWATCHES[name]


def luminance(color: str | ft.Colors) -> float:
    """WCAG relative luminance of an opaque colour."""
    code = hex_of(color)
    channels = [int(code[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str | ft.Colors, bg: str | ft.Colors) -> float:
    """WCAG contrast ratio of two opaque colours, 1.0 to 21.0."""
    lighter, darker = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
