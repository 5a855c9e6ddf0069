"""Contrast of what the app draws meets WCAG 2.2 AA: 4.5:1 for text (3:1 for large text) and 3:1
for icons, chart marks and chips' meaning, against what they are drawn on.

Three sources: the theme's scheme roles (pinned in `app.ui.palette`), the colour tables of the
screens (status chips, alert tones, map and notice kinds, charts), and every colour written
literally in `app/ui` — read with `ast`: a text or icon colour is checked against the
background of the nearest enclosing control that sets one (the page surface when none does), a
button style's text against its own background, a tag's text against its fill."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeGuard

import flet as ft
import pytest

from app.ui import palette
from app.ui.appeals import widgets as appeal_widgets
from app.ui.cabinet import analytics
from app.ui.notices import screen as notices
from app.ui.participation import chips, polls
from app.ui.safety import shelters_screen
from app.ui.safety import widgets as safety_widgets
from tests.app.support.wcag import (
    LARGE_TEXT,
    NON_TEXT,
    NORMAL_TEXT,
    ROLES,
    SWATCHES,
    contrast,
    hex_of,
)

UI = Path(__file__).resolve().parents[3] / "app" / "ui"
SURFACE = ft.Colors.SURFACE.value
ON_SURFACE = ft.Colors.ON_SURFACE.value
CONTAINERS = [
    ft.Colors.SURFACE,
    ft.Colors.SURFACE_CONTAINER_LOW,
    ft.Colors.SURFACE_CONTAINER,
    ft.Colors.SURFACE_CONTAINER_HIGH,
    ft.Colors.SURFACE_CONTAINER_HIGHEST,
]


def _check(fg: str, bg: str, need: float, where: str) -> str | None:
    ratio = contrast(fg, bg)
    return None if ratio >= need else f"{where}: {fg} on {bg} is {ratio:.2f}:1, needs {need}:1"


# -- the theme -----------------------------------------------------------------------------------


def test_the_page_theme_is_the_palette() -> None:
    theme = palette.theme()
    assert theme.color_scheme is palette.SCHEME
    assert theme.color_scheme_seed == palette.SEED


@pytest.mark.parametrize(
    ("fg", "bg", "need"),
    [
        *[(ft.Colors.ON_SURFACE, bg, NORMAL_TEXT) for bg in CONTAINERS],
        *[(ft.Colors.ON_SURFACE_VARIANT, bg, NORMAL_TEXT) for bg in CONTAINERS],
        *[(ft.Colors.ERROR, bg, NORMAL_TEXT) for bg in CONTAINERS],
        *[(ft.Colors.PRIMARY, bg, NORMAL_TEXT) for bg in CONTAINERS],  # text buttons, links
        (ft.Colors.ON_PRIMARY, ft.Colors.PRIMARY, NORMAL_TEXT),  # filled buttons
        (ft.Colors.ON_ERROR, ft.Colors.ERROR, NORMAL_TEXT),
        (ft.Colors.ON_SECONDARY_CONTAINER, ft.Colors.SECONDARY_CONTAINER, NORMAL_TEXT),  # chosen
        (ft.Colors.OUTLINE, ft.Colors.SURFACE, NON_TEXT),  # a text field's border
    ],
)
def test_scheme_roles(fg: ft.Colors, bg: ft.Colors, need: float) -> None:
    assert _check(fg.value, bg.value, need, "scheme") is None


def test_the_muted_text_of_the_kit_is_the_pinned_role() -> None:
    from app.ui.kit import MUTED

    assert MUTED == ft.Colors.ON_SURFACE_VARIANT
    assert ft.Colors.ON_SURFACE_VARIANT.value in ROLES


# -- the colour tables ---------------------------------------------------------------------------


def test_appeal_status_chips() -> None:
    problems = [
        _check(fg, bg, NORMAL_TEXT, f"status {status}")
        for status, (bg, fg) in appeal_widgets.STATUS_COLORS.items()
    ]
    assert [p for p in problems if p] == []


def test_alert_tones_and_their_buttons() -> None:
    problems = [
        _check(fg, bg, NORMAL_TEXT, f"tone {tone}")
        for tone, (bg, fg) in safety_widgets.TONES.items()
    ]
    assert [p for p in problems if p] == []


def test_notice_kinds_tag_white_text_and_icon_on_the_page() -> None:
    problems = []
    for kind, (_icon, color) in notices.KIND_STYLE.items():
        problems.append(_check(ft.Colors.WHITE.value, color, NORMAL_TEXT, f"notice {kind} tag"))
        problems.append(_check(color, SURFACE, NON_TEXT, f"notice {kind} icon"))
    assert [p for p in problems if p] == []


def test_map_place_kinds_and_states() -> None:
    problems = []
    for kind, (_icon, color) in shelters_screen.KIND_STYLE.items():
        problems.append(_check(color, SURFACE, NON_TEXT, f"place {kind} icon"))
        problems.append(_check(ft.Colors.WHITE.value, color, NON_TEXT, f"place {kind} marker"))
    for state, color in shelters_screen.STATE_COLORS.items():
        problems.append(_check(color, SURFACE, NORMAL_TEXT, f"place state {state}"))
    assert [p for p in problems if p] == []


def test_participation_state_chips() -> None:
    problems = [
        _check(ON_SURFACE, bg, NORMAL_TEXT, f"chip {state}")
        for state, bg in chips.STATE_COLORS.items()
    ]
    assert [p for p in problems if p] == []


def test_chart_marks_stand_out_and_carry_white_titles() -> None:
    problems = []
    for status, color in analytics.STATUS_COLORS.items():
        problems.append(_check(color, SURFACE, NON_TEXT, f"status bar {status}"))
    for color in analytics.CATEGORY_COLORS:
        problems.append(_check(color, SURFACE, NON_TEXT, "category slice"))
        problems.append(_check(ft.Colors.WHITE.value, color, NORMAL_TEXT, "slice title"))
    for name, color in (("mine", polls.MINE), ("others", polls.OTHERS)):
        problems.append(_check(color, SURFACE, NON_TEXT, f"poll bar {name}"))
    assert [p for p in problems if p] == []


def test_pairs_set_outside_one_call() -> None:
    """Colours given in one place and drawn on a background given in another."""
    pairs = [
        # the connectivity bar (`appeals.widgets.ConnectivityBar.render`)
        (ft.Colors.DEEP_ORANGE_900, ft.Colors.ORANGE_50, NORMAL_TEXT),
        (ft.Colors.GREEN_700, ft.Colors.BLUE_GREY_50, NON_TEXT),
        # the emergency button inside the red banner of the new appeal
        (ft.Colors.RED_800, ft.Colors.RED_50, NORMAL_TEXT),
        # a file's size over a photo: white on 60 % black over the lightest photo
        (ft.Colors.WHITE, "#666666", NORMAL_TEXT),
    ]
    problems = [_check(hex_of(fg), hex_of(bg), need, "pair") for fg, bg, need in pairs]
    assert [p for p in problems if p] == []


# -- every literal colour in app/ui --------------------------------------------------------------


@dataclasses.dataclass
class Use:
    where: str
    fg: str
    bg: str
    need: float


def _is_named_colour(node: ast.AST | None) -> TypeGuard[ast.Attribute]:
    """Whether `node` is `ft.Colors.X` (a colour, not `ft.Colors.with_opacity`)."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "Colors"
        and node.attr != "with_opacity"
    )


def _colors(node: ast.AST | None, names: dict[str, object]) -> list[str]:
    """The Flet colour values an expression may give: `ft.Colors.X`, either branch of an
    `if`, or a colour constant of the module (`names`: its globals); [] for anything computed."""
    if _is_named_colour(node):
        return [getattr(ft.Colors, node.attr).value]
    if isinstance(node, ast.IfExp):
        return _colors(node.body, names) + _colors(node.orelse, names)
    if isinstance(node, ast.Name) and isinstance(names.get(node.id), ft.Colors):
        return [names[node.id].value]  # type: ignore[attr-defined]
    return []


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _number(node: ast.AST | None) -> float:
    value = node.value if isinstance(node, ast.Constant) else None
    return float(value) if isinstance(value, int | float) else 14.0


def _is_large(call: ast.Call) -> bool:
    size, weight = _number(_keyword(call, "size")), _keyword(call, "weight")
    bold = isinstance(weight, ast.Attribute) and weight.attr in {"BOLD", "W_700", "W_800", "W_900"}
    return size >= 24 or (bold and size >= 18.66)


BUTTONS = {"FilledButton", "ElevatedButton", "OutlinedButton", "TextButton", "Button", "IconButton"}


def _text_of(button: str) -> str:
    """The text colour a button draws when its style does not set one."""
    return ft.Colors.ON_PRIMARY.value if button == "FilledButton" else ft.Colors.PRIMARY.value


class Walker(ast.NodeVisitor):
    """Collects every text, icon and button colour with the background it is drawn on."""

    def __init__(self, path: str, names: dict[str, object]) -> None:
        self.path = path
        self.names = names  # the module's globals, for its colour constants
        self.icon_colors: list[str] = []  # of the button being visited
        self.backgrounds: list[str | None] = [SURFACE]
        self.buttons: list[str] = []  # the button calls around the node visited
        self.uses: list[Use] = []

    def colors(self, node: ast.AST | None) -> list[str]:
        return _colors(node, self.names)

    def _use(
        self, node: ast.AST, fgs: list[str], need: float, bgs: Sequence[str | None] | None = None
    ) -> None:
        """`fgs` on `bgs` (None: on the enclosing background; [] or a None background:
        computed, checked by the tables above instead)."""
        where = f"{self.path}:{getattr(node, 'lineno', 0)}"
        for fg in fgs:
            for bg in self.backgrounds[-1:] if bgs is None else bgs:
                if bg is not None:
                    self.uses.append(Use(where, fg, bg, need))

    def visit_Call(self, call: ast.Call) -> None:
        name = _callee(call)
        fill = self.colors(_keyword(call, "bgcolor"))
        color = self.colors(_keyword(call, "color"))
        if name == "Text":  # with no colour of its own: the theme's text colour
            shown = color or ([ON_SURFACE] if _keyword(call, "color") is None else [])
            self._use(call, shown, LARGE_TEXT if _is_large(call) else NORMAL_TEXT)
        elif name == "Icon":
            self._use(call, color, NON_TEXT)
        elif name == "ButtonStyle":
            button = self.buttons[-1] if self.buttons else ""
            own_bg = fill if _keyword(call, "bgcolor") is not None else None
            if button == "IconButton":
                icon = self.icon_colors or [ft.Colors.ON_SURFACE_VARIANT.value]
                self._use(call, icon, NON_TEXT, own_bg)
            elif color or button:
                self._use(call, color or [_text_of(button)], NORMAL_TEXT, own_bg)
        elif name == "tag" and len(call.args) == 3:  # safety/notices: tag(text, bg, fg)
            self._use(
                call,
                self.colors(call.args[2]),
                NORMAL_TEXT,
                self.colors(call.args[1]),
            )
        elif name == "tag":  # appeals: tag(text, color=..., bgcolor=...)
            self._use(call, color, NORMAL_TEXT, fill)
        elif name == "chip" and len(call.args) == 2:  # participation: chip(text, bg)
            self._use(call, [ON_SURFACE], NORMAL_TEXT, self.colors(call.args[1]))
        if name in BUTTONS:
            self.icon_colors = self.colors(_keyword(call, "icon_color"))
            if name == "IconButton" and _keyword(call, "style") is None:
                self._use(call, self.icon_colors, NON_TEXT)
            self.buttons.append(name)
            self.generic_visit(call)
            self.buttons.pop()
            return
        if name == "Container" and _keyword(call, "bgcolor") is not None:
            fills: list[str | None] = [*fill] or [None]  # None: computed
            for bg in fills:  # what is inside is drawn on it
                self.backgrounds.append(bg)
                self.generic_visit(call)
                self.backgrounds.pop()
            return
        self.generic_visit(call)

    def visit_Assign(self, node: ast.Assign) -> None:
        """`self.x.color = ...` after building: text on the page (an icon: 3:1)."""
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "color":
                icon = "icon" in ast.unparse(target.value)
                self._use(node, self.colors(node.value), NON_TEXT if icon else NORMAL_TEXT)
        self.generic_visit(node)


def _uses() -> Iterator[Use]:
    for path in sorted(UI.rglob("*.py")):
        relative = path.relative_to(UI.parent.parent)
        module = importlib.import_module(".".join(relative.with_suffix("").parts))
        walker = Walker(str(relative), vars(module))
        walker.visit(ast.parse(path.read_text(encoding="utf-8")))
        yield from walker.uses


def test_every_literal_colour_in_the_ui_has_enough_contrast() -> None:
    uses = list(_uses())
    assert len(uses) > 150, "the walker found too few colours: is it still reading app/ui?"
    problems = [_check(u.fg, u.bg, u.need, u.where) for u in uses]
    assert [p for p in problems if p] == []


def _problems_in(source: str) -> list[str]:
    walker = Walker("sample.py", {"FAINT": ft.Colors.AMBER_700})
    walker.visit(ast.parse(source))
    return [p for u in walker.uses if (p := _check(u.fg, u.bg, u.need, u.where))]


def test_the_walker_finds_faint_colours_where_they_are_drawn() -> None:
    assert _problems_in("ft.Text('a', color=ft.Colors.AMBER_700)")  # on the page
    assert _problems_in("ft.Text('a', size=30, color=ft.Colors.GREEN_700)") == []  # large
    assert _problems_in("ft.Container(bgcolor=ft.Colors.ORANGE_50, content=ft.Text('a', "
                        "color=ft.Colors.ORANGE_900))")  # fmt: skip
    assert _problems_in("ft.Container(bgcolor=ft.Colors.BLUE_700, content=ft.Text('a'))")
    assert _problems_in("ft.FilledButton(style=ft.ButtonStyle(bgcolor=ft.Colors.GREEN_700))")
    assert _problems_in("ft.Icon(ft.Icons.STAR, color=ft.Colors.AMBER_700 if x else None)")
    assert _problems_in("tag('a', ft.Colors.DEEP_ORANGE_800, ft.Colors.WHITE)")
    assert _problems_in("self.icon.color = ft.Colors.GREY_400")
    assert _problems_in("ft.IconButton(icon=ft.Icons.STAR, icon_color=FAINT)")  # a constant
    computed = "ft.Container(bgcolor=f(), content=ft.Text('a', color=ft.Colors.WHITE))"
    assert _problems_in(computed) == []  # left to the tables


def test_every_colour_the_ui_names_is_known() -> None:
    """A colour with no value here would be skipped by the checks above."""
    known = set(SWATCHES) | set(ROLES) | {ft.Colors.TRANSPARENT.value}
    named = {
        getattr(ft.Colors, node.attr).value
        for path in UI.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _is_named_colour(node)
    }
    assert sorted(named - known) == []


def test_safety_tag_takes_background_then_text() -> None:
    """The walker reads `tag(text, bg, fg)` by position: keep that order."""
    assert list(inspect.signature(safety_widgets.tag).parameters) == ["text", "bg", "fg"]


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [("#FFFFFF", "#000000", 21.0), ("#777777", "#FFFFFF", 4.48), ("#FFFFFF", "#FFFFFF", 1.0)],
)
def test_the_contrast_formula(fg: str, bg: str, expected: float) -> None:
    assert contrast(fg, bg) == pytest.approx(expected, abs=0.01)
