"""The app's theme colours. The scheme is seeded from `SEED`, and the roles that text, icons
and chips use are pinned to the values Flutter derives from that seed (Material 3 tonal spot,
`ColorScheme.fromSeed`, checked against a rendered page), so that the contrast test
(`tests/app/ui/test_contrast.py`) measures what is drawn, and a change of the seed or of
Flutter cannot make secondary text or errors fainter unnoticed."""

from __future__ import annotations

import flet as ft

SEED = ft.Colors.BLUE_700

SCHEME = ft.ColorScheme(
    primary="#3C6090",
    on_primary="#FFFFFF",
    secondary_container="#D8E3F8",
    on_secondary_container="#3D4758",
    surface="#F9F9FF",
    on_surface="#191C20",
    on_surface_variant="#43474E",
    surface_container_low="#F3F3FA",
    surface_container="#EDEDF4",
    surface_container_high="#E7E8EE",
    surface_container_highest="#E1E2E9",
    outline="#74777F",
    error="#BA1A1A",
    on_error="#FFFFFF",
)


def theme() -> ft.Theme:
    """The light theme of every page."""
    return ft.Theme(color_scheme_seed=SEED, color_scheme=SCHEME)
