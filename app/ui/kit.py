"""The UI kit every screen shares: the `Screen` base (a view built from view models, re-rendered
when they notify) and `ModelScreen` (a page over one view model), the `TabPanel` shape of a home
tab, starting view-model coroutines and click handlers, `named` (a control named once, on the
node the keyboard reaches), `toggle_row` (a toggle whose label wraps), and small layout
helpers (app bar titles and chip labels that wrap, segments that scroll sideways)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, Protocol, TypeVar

import flet as ft

from app.i18n import Message, Translator
from app.observable import Observable
from app.viewmodels.background import BackgroundTasks

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Observable)

MUTED = ft.Colors.ON_SURFACE_VARIANT  # secondary text

_STARTED = BackgroundTasks()  # what screens started, held until it ends


def run_soon(make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Start a view-model coroutine on the running loop (screens are built inside it); do
    nothing when there is none."""
    _STARTED.start(make)


def on_click(action: Callable[[], Awaitable[Any]]) -> Callable[[ft.Event[Any]], Awaitable[None]]:
    """An async handler awaiting a view-model action (never a lambda returning a coroutine)."""

    async def handler(e: ft.Event[Any]) -> None:
        await action()

    return handler


def named(control: ft.Control, label: str | None = None) -> ft.MergeSemantics:
    """`control` as a screen reader meets it: one focusable node named by its tooltip (set to
    `label` when given). A tooltip alone names a node beside an icon button, and a `Semantics`
    label around it a node the keyboard never reaches, leaving the button itself nameless;
    merged, the button is named once (checked in Chromium with flet-web 1.0.5)."""
    if label is not None:
        control.tooltip = label
    return ft.MergeSemantics(content=control)


def toggle_row(toggle: ft.Switch | ft.Checkbox | ft.Radio, label: str) -> ft.MergeSemantics:
    """A switch, checkbox or radio with its `label` as a text that wraps (at 200 % text a toggle's
    own label is cut: flet lays it on one line beside the box). A row the width of the page
    where a tap anywhere toggles, the box before the text (a switch after it), merged so that a
    screen reader meets one node: the toggle, named by the label (checked in Chromium with
    flet-web 1.0.5)."""
    switch = isinstance(toggle, ft.Switch)
    tile = ft.ListTile(
        title=ft.Text(label),
        leading=None if switch else toggle,
        trailing=toggle if switch else None,
        toggle_inputs=True,
        disabled=toggle.disabled,
        content_padding=ft.Padding.only(right=4) if switch else 0,
        min_leading_width=0,
        horizontal_spacing=8,
    )
    return ft.MergeSemantics(content=tile)


def name_dropdown(dropdown: ft.Dropdown, label: str) -> None:
    """Name `dropdown` for a screen reader by its tooltip: `label` and the option chosen.
    flet-web 1.0.5 gives the node a reader reaches neither the label nor the value."""
    chosen = [o.text or o.key for o in dropdown.options or [] if o.key == dropdown.value]
    dropdown.tooltip = f"{label}: {chosen[0]}" if chosen and chosen[0] else label


def hover_tip(text: str) -> ft.Tooltip:
    """A tooltip for the eye only (e.g. the whole of a text cut with an ellipsis): a screen
    reader already reads the control's own name, and would read the tooltip a second time."""
    return ft.Tooltip(message=text, exclude_from_semantics=True)


def say(tr: Translator, message: Message | None) -> str:
    """A view-model message as text ("" for none)."""
    return tr.render(message) or ""


class TabPanel(Protocol):
    """The body of a home tab (the home screen owns the view around it)."""

    models: list[Observable]

    def build(self) -> ft.Control: ...

    def render(self) -> None: ...

    def dispose(self) -> None: ...


class Screen:
    """Builds one `ft.View`; `render()` copies view-model state onto the controls."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr
        self._unsubscribe: list[Callable[[], None]] = []
        self.view: ft.View | None = None
        self._input_revision = -1  # fields are empty: fill them from the view model

    def watch(self, model: Observable) -> None:
        self._unsubscribe.append(model.subscribe(self._changed))

    def build(self) -> ft.View:
        raise NotImplementedError

    def render(self) -> None:
        """Copy state onto the controls (no update sent)."""

    def inputs_rewritten(self, revision: int) -> bool:
        """Whether the view model rewrote what the fields show since the last render (`revision`
        is its count): only then are the fields set, so what is being typed is never reset."""
        if revision == self._input_revision:
            return False
        self._input_revision = revision
        return True

    def _changed(self) -> None:
        if self.view is None:
            return  # not built yet (a model notified from the constructor): build() renders
        self.render()
        try:
            self.view.update()  # raises RuntimeError once the view left the page
        except RuntimeError:
            log.debug("update of a detached view skipped")

    def dispose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()


class PageSession(Protocol):
    """What a page needs of the session (`AppViewModel`): its translator."""

    tr: Translator


class ModelScreen(Screen, Generic[M]):
    """A page at `route` over one view model (`vm`), re-rendered whenever it notifies."""

    def __init__(self, app: PageSession, vm: M, route: str) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.route = route
        self.watch(vm)


def centered(*controls: ft.Control, spacing: int = 16) -> ft.Control:
    """A column across the whole width of a phone, and a centred narrower one on wider screens."""
    return ft.ResponsiveRow(
        [
            ft.Column(
                list(controls),
                spacing=spacing,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                col={"xs": 12, "sm": 10, "md": 8, "lg": 6, "xl": 5},
            )
        ],
        alignment=ft.MainAxisAlignment.CENTER,
    )


def bar_title(text: str = "") -> ft.Text:
    """An app bar's title: on two lines when it does not fit on one (large text, a long name)
    rather than cut (Flutter caps an app bar title's text scale, so two lines fit its height)."""
    return ft.Text(text, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS)


def chip_text(text: str) -> ft.Text:
    """A chip's label, wrapping onto more lines when it does not fit on one: a chip's own
    label style keeps it on one line and cuts it (seen at 200 % text). A chip measures its
    wrapped label a line short at times (flet-web 1.0.5), so short labels only: a long choice
    belongs in a `toggle_row`."""
    return ft.Text(text, max_lines=3)


def sideways(segments: ft.SegmentedButton) -> ft.Row:
    """Segments that keep their words whole: when they do not fit the width (large text) the
    row scrolls sideways, where a squeezed segment would break its label mid-word."""
    return ft.Row([segments], scroll=ft.ScrollMode.AUTO)


def page_view(
    route: str,
    title: str,
    *controls: ft.Control,
    padding: ft.Padding | None = None,
) -> ft.View:
    """A scrolling page: an app bar with `title` above the `centered` controls."""
    return ft.View(
        route=route,
        scroll=ft.ScrollMode.AUTO,
        padding=padding or ft.Padding.symmetric(horizontal=16, vertical=12),
        appbar=ft.AppBar(title=bar_title(title)),
        controls=[centered(*controls)],
    )


def note(text: str | None, color: str = ft.Colors.GREEN_800) -> ft.Text:
    """A short status line, hidden while there is nothing to say."""
    return ft.Text(text or "", color=color, visible=bool(text), size=13)


def section(title: str, *controls: ft.Control) -> ft.Control:
    """A titled block of a page: the title above its controls, stretched across."""
    return ft.Column(
        [ft.Text(title, size=16, weight=ft.FontWeight.W_600), *controls],
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )
