"""The Participation tab (polls, initiatives, proposals) and the new-proposal screen.

Flet only: everything shown comes from `ParticipationViewModel`; results are drawn with
flet-charts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

import flet as ft
import flet_charts as fch

from app.data.services.picker import MediaPicker
from app.domain.participation import Initiative, Poll, Proposal
from app.i18n import Translator
from app.ui.kit import Screen, centered
from app.ui.point_map import PointMap
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.appeal_text import KZ_TIME
from app.viewmodels.participation import (
    CATEGORY_NAMES,
    INITIATIVE_STATE_NAMES,
    POLL_STATUS_NAMES,
    PROPOSAL_STATE_NAMES,
    SECTIONS,
    ParticipationViewModel,
    ResultBar,
    result_bars,
)

log = logging.getLogger(__name__)

MUTED = ft.Colors.ON_SURFACE_VARIANT
MINE = ft.Colors.BLUE_700
OTHERS = ft.Colors.BLUE_200
STATE_COLORS: dict[str, str] = {
    "proposed": ft.Colors.BLUE_100,
    "in_progress": ft.Colors.AMBER_100,
    "done": ft.Colors.GREEN_100,
    "rejected": ft.Colors.RED_100,
    "pending": ft.Colors.AMBER_100,
    "published": ft.Colors.GREEN_100,
}


def spawn(tasks: set[asyncio.Task[Any]], coro: Coroutine[Any, Any, Any]) -> None:
    """Run a coroutine on the event loop (screens built outside one, in tests, skip it)."""
    try:
        task = asyncio.get_running_loop().create_task(coro)
    except RuntimeError:
        coro.close()
        return
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def local_date(dt: datetime) -> str:
    """In Kazakhstan's time (UTC+5), as the rest of the app shows times."""
    return dt.astimezone(KZ_TIME).strftime("%d.%m.%Y %H:%M")


def chip(text: str, color: str) -> ft.Control:
    return ft.Container(
        content=ft.Text(text, size=12, weight=ft.FontWeight.W_500),
        bgcolor=color,
        border_radius=12,
        padding=ft.Padding.symmetric(horizontal=10, vertical=3),
    )


def supported_mark(text: str) -> ft.Control:
    """ "You support this": said once, not a button that does nothing."""
    return ft.Row(
        [
            ft.Icon(ft.Icons.FAVORITE, size=18, color=ft.Colors.RED_400),
            ft.Text(text, weight=ft.FontWeight.W_500),
        ],
        tight=True,
        spacing=6,
    )


def results_chart(tr: Translator, bars: list[ResultBar], total: int) -> ft.Control:
    """A bar per option (the resident's choice darker), numbered, with a legend below."""
    _ = tr.gettext
    lang = tr.language
    your_choice = _("your choice")
    top = max((b.count for b in bars), default=0)
    chart = fch.BarChart(
        height=170,
        interactive=True,
        max_y=max(1, top) * 1.2,
        groups=[
            fch.BarChartGroup(
                x=i,
                rods=[
                    fch.BarChartRod(
                        from_y=0,
                        to_y=b.count,
                        width=22,
                        color=MINE if b.mine else OTHERS,
                        border_radius=4,
                        tooltip=f"{b.count} ({round(b.share * 100)}%)",
                    )
                ],
            )
            for i, b in enumerate(bars)
        ],
        bottom_axis=fch.ChartAxis(
            labels=[
                fch.ChartAxisLabel(value=i, label=ft.Text(str(i + 1), size=12))
                for i in range(len(bars))
            ],
            label_size=24,
        ),
        left_axis=fch.ChartAxis(show_labels=False, label_size=0),
        horizontal_grid_lines=fch.ChartGridLines(color=ft.Colors.BLUE_GREY_50, width=1),
    )
    legend = [
        ft.Row(
            [
                ft.Container(
                    width=14,
                    height=14,
                    border_radius=3,
                    bgcolor=MINE if b.mine else OTHERS,
                ),
                ft.Text(
                    f"{i + 1}. {b.text(lang)} — {b.count} ({round(b.share * 100)}%)"
                    + (f" · {your_choice}" if b.mine else ""),
                    size=13,
                    expand=True,
                    weight=ft.FontWeight.W_600 if b.mine else None,
                ),
            ],
            spacing=8,
        )
        for i, b in enumerate(bars)
    ]
    return ft.Semantics(
        label=_("Results: {total} voted").format(total=total),
        content=ft.Column(
            [
                ft.Text(
                    _("Results: {total} voted").format(total=total),
                    weight=ft.FontWeight.W_600,
                ),
                chart,
                *legend,
            ],
            spacing=6,
        ),
    )


class ParticipationPanel:
    """The body of the Participation tab (the home screen owns the view around it)."""

    def __init__(self, tr: Translator, vm: ParticipationViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self.body = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._tasks: set[asyncio.Task[Any]] = set()

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        self.sections = ft.SegmentedButton(
            segments=[ft.Segment(value=key, label=ft.Text(_(name))) for key, name in SECTIONS],
            selected=[self.vm.section],
            show_selected_icon=False,
            on_change=self._on_section,
        )
        self.render()
        spawn(self._tasks, self.vm.load())
        return ft.Column(
            [self.sections, self.body],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    # -- rendering ------------------------------------------------------------------------------

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.sections.selected = [vm.section]
        rows: list[ft.Control] = []
        if vm.offline:
            rows.append(
                ft.Container(
                    content=ft.Row(
                        [
                            ft.Icon(ft.Icons.CLOUD_OFF, size=18),
                            ft.Text(_("No connection: showing what was saved on this device."),
                                    expand=True, size=13),
                        ]
                    ),
                    bgcolor=ft.Colors.AMBER_50,
                    border_radius=8,
                    padding=8,
                )
            )  # fmt: skip
        if vm.notice is not None:
            rows.append(
                ft.Container(
                    content=ft.Text(tr.render(vm.notice) or ""),
                    bgcolor=ft.Colors.GREEN_50,
                    border_radius=8,
                    padding=8,
                )
            )
        if vm.section == "polls":
            rows += self._polls()
        elif vm.section == "initiatives":
            rows += self._initiatives()
        else:
            rows += self._proposals()
        self.body.controls = rows

    # -- polls ----------------------------------------------------------------------------------

    def _polls(self) -> list[ft.Control]:
        vm, _ = self.vm, self.tr.gettext
        rows: list[ft.Control] = []
        if not vm.open_polls:
            text = _("Loading…") if vm.loading else _("No open polls for your districts now.")
            rows.append(ft.Text(text, color=MUTED))
        rows += [self._poll_card(p) for p in vm.open_polls]
        rows.append(
            ft.TextButton(
                content=(
                    _("Hide closed polls")
                    if vm.show_archive
                    else _("Closed polls ({n})").format(n=len(vm.archive))
                ),
                icon=ft.Icons.INVENTORY_2_OUTLINED,
                on_click=self._on_archive,
            )
        )
        if vm.show_archive:
            rows += [self._poll_card(p) for p in vm.archive_page]
            if vm.archive_has_more:
                rows.append(
                    ft.OutlinedButton(content=_("Load more"), on_click=self._on_more_archive)
                )
        return rows

    def _poll_card(self, poll: Poll) -> ft.Control:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        lang = tr.language
        closed = vm.is_closed(poll)
        when = (
            _("Closed {date}").format(date=local_date(poll.closes_at))
            if closed
            else _("Until {date}").format(date=local_date(poll.closes_at))
        )
        head: list[ft.Control] = [
            ft.Text(poll.question(lang), size=16, weight=ft.FontWeight.W_600),
            ft.Row(
                [
                    chip(_(POLL_STATUS_NAMES.get(poll.status, poll.status)),
                         ft.Colors.GREEN_100 if poll.status == "open" else ft.Colors.GREY_200),
                    ft.Text(when, size=12, color=MUTED),
                ],
                wrap=True,
            ),
        ]  # fmt: skip
        if poll.multiple and not closed:
            head.append(
                ft.Text(
                    _("You can choose up to {n} options.").format(n=poll.max_choices),
                    size=12,
                    color=MUTED,
                )
            )
        body: list[ft.Control] = []
        voted = poll.voted
        if vm.is_open(poll):
            body += self._ballot(poll)
        elif voted is not None:
            state = poll.vote_state if poll.my_vote is None else "synced"
            if state == "pending":
                body.append(
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.SCHEDULE, size=18, color=ft.Colors.AMBER_800),
                            ft.Text(_("Your vote is waiting to be sent."), expand=True),
                        ]
                    )
                )
            else:
                body.append(
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.CHECK_CIRCLE, size=18, color=ft.Colors.GREEN_700),
                            ft.Text(_("You voted."), expand=True),
                        ]
                    )
                )
        elif poll.status == "upcoming":
            body.append(ft.Text(_("Voting has not started yet."), color=MUTED))
        elif not closed and not poll.can_vote:
            body.append(ft.Text(_("This poll is for residents of other districts."), color=MUTED))
        if poll.vote_state == "rejected" and poll.vote_error:
            body.append(
                ft.Text(
                    _("The vote was not accepted: {reason}").format(reason=poll.vote_error),
                    color=ft.Colors.ERROR,
                )
            )
        bars = result_bars(poll)
        if bars and poll.results is not None:
            body.append(results_chart(tr, bars, poll.results.total))
        elif voted is not None and poll.results is None:
            body.append(
                ft.Text(_("Results appear once your vote reaches the server."), color=MUTED)
            )
        return ft.Card(
            content=ft.Container(
                padding=14,
                content=ft.Column([*head, *body], spacing=8),
            )
        )

    def _ballot(self, poll: Poll) -> list[ft.Control]:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        lang = tr.language
        chosen = vm.ballot(poll.id)
        options: list[ft.Control]
        if poll.multiple:
            options = [
                ft.Checkbox(
                    label=o.text(lang),
                    value=o.id in chosen,
                    on_change=self._toggle_handler(poll, o.id),
                )
                for o in poll.options
            ]
            picker: ft.Control = ft.Column(options, spacing=0)
        else:
            picker = ft.RadioGroup(
                value=str(chosen[0]) if chosen else None,
                on_change=self._radio_handler(poll),
                content=ft.Column(
                    [ft.Radio(value=str(o.id), label=o.text(lang)) for o in poll.options],
                    spacing=0,
                ),
            )
        rows: list[ft.Control] = [picker]
        error = vm.poll_errors.get(poll.id)
        if error is not None:
            rows.append(ft.Text(tr.render(error) or "", color=ft.Colors.ERROR))
        rows.append(
            ft.FilledButton(
                content=_("Vote"),
                icon=ft.Icons.HOW_TO_VOTE,
                disabled=not chosen or vm.busy,
                on_click=self._vote_handler(poll),
            )
        )
        return rows

    # -- initiatives ----------------------------------------------------------------------------

    def _initiatives(self) -> list[ft.Control]:
        vm, _ = self.vm, self.tr.gettext
        if not vm.initiatives:
            text = _("Loading…") if vm.loading else _("No initiatives yet.")
            return [ft.Text(text, color=MUTED)]
        return [self._initiative_card(i) for i in vm.initiatives]

    def _initiative_card(self, it: Initiative) -> ft.Control:
        tr = self.tr
        _ = tr.gettext
        lang = tr.language
        if it.supported:
            action: ft.Control = supported_mark(_("You support this"))
        elif it.open:
            action = ft.FilledTonalButton(
                content=_("Support"),
                icon=ft.Icons.FAVORITE_BORDER,
                on_click=self._support_initiative_handler(it),
            )
        else:
            action = ft.Container()
        rows: list[ft.Control] = [
            ft.Text(it.title(lang), size=16, weight=ft.FontWeight.W_600),
            ft.Row(
                [
                    chip(_(INITIATIVE_STATE_NAMES.get(it.state, it.state)),
                         STATE_COLORS.get(it.state, ft.Colors.GREY_200)),
                    ft.Text(_("{n} supporters").format(n=it.support_count), size=13),
                ],
                wrap=True,
            ),
            ft.Text(it.description(lang), size=14),
            action,
        ]  # fmt: skip
        if it.support_state == "pending":
            rows.append(ft.Text(_("Waiting to be sent."), size=12, color=ft.Colors.AMBER_800))
        if it.support_state == "rejected" and it.support_error:
            rows.append(ft.Text(it.support_error, size=12, color=ft.Colors.ERROR))
        return ft.Card(content=ft.Container(padding=14, content=ft.Column(rows, spacing=8)))

    # -- proposals ------------------------------------------------------------------------------

    def _proposals(self) -> list[ft.Control]:
        vm, _ = self.vm, self.tr.gettext
        rows: list[ft.Control] = [
            ft.FilledButton(
                content=_("New proposal"), icon=ft.Icons.ADD, on_click=self._on_new_proposal
            )
        ]
        if vm.my_proposals:
            rows.append(ft.Text(_("My proposals"), size=16, weight=ft.FontWeight.W_600))
            rows += [self._proposal_card(p) for p in vm.my_proposals]
        rows.append(ft.Text(_("Residents' proposals"), size=16, weight=ft.FontWeight.W_600))
        if not vm.proposals:
            text = _("Loading…") if vm.loading else _("No published proposals yet.")
            rows.append(ft.Text(text, color=MUTED))
        rows += [self._proposal_card(p) for p in vm.proposals]
        if vm.proposals_have_more:
            rows.append(ft.OutlinedButton(content=_("Load more"), on_click=self._on_more_proposals))
        return rows

    def _category(self, code: str) -> str:
        return self.tr.gettext(CATEGORY_NAMES.get(code, CATEGORY_NAMES["other"]))

    def _proposal_card(self, p: Proposal) -> ft.Control:
        _ = self.tr.gettext
        chips = [chip(self._category(p.category), ft.Colors.BLUE_50)]
        if p.mine:
            state = _(PROPOSAL_STATE_NAMES.get(p.state, p.state))
            chips.append(chip(state, STATE_COLORS.get(p.state, ft.Colors.GREY_200)))
        rows: list[ft.Control] = [
            ft.Row(chips, wrap=True),
            ft.Text(p.text, size=14, max_lines=6, overflow=ft.TextOverflow.ELLIPSIS),
        ]
        place = p.address or (
            f"{p.lat:.5f}, {p.lon:.5f}" if p.lat is not None and p.lon is not None else None
        )
        if place:
            rows.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.PLACE_OUTLINED, size=16, color=MUTED),
                        ft.Text(place, size=12, color=MUTED, expand=True),
                    ]
                )
            )
        if p.mine and p.sync_state == "pending":
            rows.append(ft.Text(_("Waiting to be sent."), size=12, color=ft.Colors.AMBER_800))
        if p.sync_state == "rejected" and p.sync_error:
            rows.append(
                ft.Text(
                    _("Not accepted: {reason}").format(reason=p.sync_error),
                    size=12,
                    color=ft.Colors.ERROR,
                )
            )
        if p.mine and p.state == "rejected" and p.moderator_note:
            rows.append(
                ft.Text(
                    _("Moderator: {note}").format(note=p.moderator_note),
                    size=12,
                    color=ft.Colors.ERROR,
                )
            )
        if p.state == "published":
            support: ft.Control
            if p.mine:
                support = ft.Container()
            elif p.supported:
                support = supported_mark(_("You support this"))
            else:
                support = ft.FilledTonalButton(
                    content=_("Support"),
                    icon=ft.Icons.FAVORITE_BORDER,
                    on_click=self._support_proposal_handler(p),
                )
            rows.append(
                ft.Row(
                    [ft.Text(_("{n} supporters").format(n=p.support_count), size=13), support],
                    alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                )
            )
        return ft.Card(content=ft.Container(padding=14, content=ft.Column(rows, spacing=6)))

    # -- events ---------------------------------------------------------------------------------

    async def _on_section(self, e: ft.Event[ft.SegmentedButton]) -> None:
        if e.control.selected:
            self.vm.select_section(e.control.selected[0])  # type: ignore[arg-type]

    async def _on_archive(self) -> None:
        self.vm.toggle_archive()

    async def _on_more_archive(self) -> None:
        self.vm.more_archive()

    async def _on_more_proposals(self) -> None:
        await self.vm.more_proposals()

    async def _on_new_proposal(self) -> None:
        await self.vm.open_new_proposal()

    def _toggle_handler(self, poll: Poll, option_id: int) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            self.vm.toggle_option(poll, option_id)

        return handler

    def _radio_handler(self, poll: Poll) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            if e.control.value:
                self.vm.toggle_option(poll, int(e.control.value))

        return handler

    def _vote_handler(self, poll: Poll) -> Callable[[], Awaitable[None]]:
        async def handler() -> None:
            await self.vm.vote(poll)

        return handler

    def _support_initiative_handler(self, it: Initiative) -> Callable[[], Awaitable[None]]:
        async def handler() -> None:
            await self.vm.support_initiative(it)

        return handler

    def _support_proposal_handler(self, p: Proposal) -> Callable[[], Awaitable[None]]:
        async def handler() -> None:
            await self.vm.support_proposal(p)

        return handler


class NewProposalScreen(Screen):
    """`/participation/proposals/new`: text, category, an optional place and photo."""

    def __init__(
        self, app: AppViewModel, vm: ParticipationViewModel, picker: MediaPicker, route: str
    ) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.picker = picker
        self.route = route
        self._revision = -1
        self.watch(vm)
        picker.on_picked = vm.add_photo

    def build(self) -> ft.View:
        _ = self.tr.gettext
        vm = self.vm
        self.text_field = ft.TextField(
            label=_("Your proposal"),
            multiline=True,
            min_lines=4,
            max_lines=10,
            max_length=2000,
            on_change=self._on_text,
        )
        self.category = ft.Row(wrap=True, spacing=6, run_spacing=6)
        self.category_error = ft.Text(size=12, color=ft.Colors.ERROR, visible=False)
        self.address_field = ft.TextField(label=_("Address (optional)"), on_change=self._on_address)
        self.map = PointMap(_("Map: tap to choose the point"), self.vm.pick_point, height=220)
        self.place_note = ft.Text(size=12, color=MUTED)
        self.locate_button = ft.OutlinedButton(
            content=_("Use my location"), icon=ft.Icons.MY_LOCATION, on_click=self._on_locate
        )
        self.photo_button = ft.OutlinedButton(
            content=_("Add a photo"),
            icon=ft.Icons.ADD_A_PHOTO_OUTLINED,
            action=self.picker.action("photo"),
        )
        self.photo_row = ft.Row(wrap=True)
        self.photo_error = ft.Text(size=12, color=ft.Colors.ERROR)
        self.submit_button = ft.FilledButton(
            content=_("Send proposal"), icon=ft.Icons.SEND, on_click=self._on_submit
        )
        form = ft.Column(
            [
                ft.Text(
                    _("Suggest what to improve: landscaping, urban infrastructure, transport…"),
                    color=MUTED,
                ),
                self.text_field,
                ft.Text(_("Category"), weight=ft.FontWeight.W_600),
                self.category,
                self.category_error,
                ft.Text(_("Place (optional)"), weight=ft.FontWeight.W_600),
                self.address_field,
                self.locate_button,
                self.map.show(vm.form.lat, vm.form.lon),
                self.place_note,
                ft.Text(_("Photo (optional)"), weight=ft.FontWeight.W_600),
                self.photo_button,
                self.photo_row,
                self.photo_error,
                self.submit_button,
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.render()
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.symmetric(horizontal=16, vertical=12),
            appbar=ft.AppBar(title=ft.Text(_("New proposal"))),
            controls=[centered(form)],
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        form = vm.form
        if form.revision != self._revision:  # only when the view model rewrote the fields
            self._revision = form.revision
            self.text_field.value = form.text
            self.address_field.value = form.address
        self.text_field.error = tr.render(form.text_error)
        self.category.controls = [
            ft.Chip(
                label=ft.Text(_(name)),
                selected=form.category == code,
                on_select=self._category_handler(code),
            )
            for code, name in CATEGORY_NAMES.items()
        ]
        self.category_error.value = tr.render(form.category_error) or ""
        self.category_error.visible = form.category_error is not None
        self.map.show(form.lat, form.lon)
        if form.has_point and form.lat is not None and form.lon is not None:
            self.place_note.value = _("Point: {lat}, {lon}").format(
                lat=f"{form.lat:.5f}", lon=f"{form.lon:.5f}"
            )
        else:
            self.place_note.value = tr.render(form.place_note) or ""
        self.locate_button.disabled = form.locating
        self.photo_button.disabled = form.photo_busy
        self.photo_row.controls = (
            [
                ft.Image(src=form.photo_thumb or b"", width=96, height=96, fit=ft.BoxFit.COVER,
                         border_radius=8),
                ft.IconButton(icon=ft.Icons.DELETE_OUTLINE, tooltip=_("Remove the photo"),
                              on_click=self._on_remove_photo),
            ]
            if form.photo is not None
            else ([ft.ProgressRing(width=24, height=24)] if form.photo_busy else [])
        )  # fmt: skip
        self.photo_error.value = tr.render(form.photo_error) or ""
        self.submit_button.disabled = vm.busy

    def dispose(self) -> None:
        super().dispose()
        if self.picker.on_picked == self.vm.add_photo:
            self.picker.on_picked = None

    async def _on_text(self, e: Any) -> None:
        self.vm.set_text(e.control.value or "")

    def _category_handler(self, code: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            self.vm.set_category(code)

        return handler

    async def _on_address(self, e: Any) -> None:
        self.vm.set_address(e.control.value or "")

    async def _on_locate(self) -> None:
        await self.vm.locate()

    async def _on_remove_photo(self) -> None:
        await self.vm.remove_photo()

    async def _on_submit(self) -> None:
        await self.vm.submit_proposal()
