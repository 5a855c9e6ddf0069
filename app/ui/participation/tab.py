"""The Participation tab: polls, initiatives and residents' proposals (Flet only: everything shown
comes from `ParticipationViewModel`)."""

from __future__ import annotations

from functools import partial

import flet as ft

from app.domain.participation import Initiative, Proposal
from app.i18n import Translator
from app.ui.kit import MUTED, on_click, run_soon, sideways
from app.ui.participation.chips import STATE_COLORS, chip, supported_mark
from app.ui.participation.polls import PollsSection
from app.ui.participation.support import support_control
from app.ui.photo_viewer import show_photo
from app.viewmodels.participation import (
    CATEGORY_NAMES,
    INITIATIVE_STATE_NAMES,
    PROPOSAL_STATE_NAMES,
    SECTIONS,
    ParticipationViewModel,
    proposal_name,
)

THUMB = 96  # a proposal's photo in its card


class ParticipationPanel:
    """The body of the Participation tab (the home screen owns the view around it)."""

    def __init__(self, tr: Translator, vm: ParticipationViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self.body = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.polls = PollsSection(tr, vm)

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        self.sections = ft.SegmentedButton(
            segments=[ft.Segment(value=key, label=ft.Text(_(name))) for key, name in SECTIONS],
            selected=[self.vm.section],
            show_selected_icon=False,
            on_change=self._on_section,
        )
        self.render()
        run_soon(self.vm.load)
        return ft.Column(
            [sideways(self.sections), self.body],
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
            rows += self.polls.rows()
        elif vm.section == "initiatives":
            rows += self._initiatives()
        else:
            rows += self._proposals()
        self.body.controls = rows

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
        action: ft.Control
        if it.open:  # a finished initiative takes no support, and none is withdrawn from it
            action = support_control(
                tr,
                item=it.title(lang),
                supported=it.supported,
                act=partial(self.vm.support_initiative, it),
            )
        elif it.supported:
            action = supported_mark(_("You support this"))
        else:
            action = ft.Container()
        rows: list[ft.Control] = [
            ft.Text(it.title(lang), size=16, weight=ft.FontWeight.W_600),
            ft.Row(
                [
                    chip(_(INITIATIVE_STATE_NAMES.get(it.state, it.state)),
                         STATE_COLORS.get(it.state, ft.Colors.GREY_200)),
                    ft.Text(tr.ngettext("{n} supporter", "{n} supporters",
                                        it.support_count).format(n=it.support_count), size=13),
                ],
                wrap=True,
            ),
            ft.Text(it.description(lang), size=14),
            action,
        ]  # fmt: skip
        if it.support_state == "pending":
            rows.append(ft.Text(_("Waiting to be sent."), size=12, color=ft.Colors.DEEP_ORANGE_900))
        if it.support_state == "rejected" and it.support_error:
            rows.append(ft.Text(it.support_error, size=12, color=ft.Colors.ERROR))
        return ft.Card(content=ft.Container(padding=14, content=ft.Column(rows, spacing=8)))

    # -- proposals ------------------------------------------------------------------------------

    def _proposals(self) -> list[ft.Control]:
        vm, _ = self.vm, self.tr.gettext
        rows: list[ft.Control] = [
            ft.FilledButton(
                content=_("New proposal"),
                icon=ft.Icons.ADD,
                on_click=on_click(vm.open_new_proposal),
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
            rows.append(
                ft.OutlinedButton(content=_("Load more"), on_click=on_click(vm.more_proposals))
            )
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
        photo = self.vm.photos.of(p)
        if photo is not None:
            rows.append(self._photo_thumb(p, photo))
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
            rows.append(ft.Text(_("Waiting to be sent."), size=12, color=ft.Colors.DEEP_ORANGE_900))
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
            support: ft.Control = (
                ft.Container()
                if p.mine
                else support_control(
                    self.tr,
                    item=proposal_name(p),
                    supported=p.supported,
                    act=partial(self.vm.support_proposal, p),
                )
            )
            rows.append(
                ft.Row(
                    [
                        ft.Text(
                            self.tr.ngettext(
                                "{n} supporter", "{n} supporters", p.support_count
                            ).format(n=p.support_count),
                            size=13,
                        ),
                        support,
                    ],
                    alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                )
            )
        return ft.Card(content=ft.Container(padding=14, content=ft.Column(rows, spacing=6)))

    def _photo_thumb(self, p: Proposal, data: bytes) -> ft.Control:
        """The proposal's photo, small; a tap opens it large. Named by its proposal."""
        name = self.tr.gettext("Open the photo: {item}").format(item=proposal_name(p))

        async def open_large(e: ft.Event[ft.IconButton]) -> None:
            show_photo(e.page, self.tr, data)

        image = ft.Image(src=data, width=THUMB, height=THUMB, fit=ft.BoxFit.COVER,
                         border_radius=8, semantics_label=name)  # fmt: skip
        return ft.Row(
            [ft.IconButton(icon=image, on_click=open_large, padding=0)],
            alignment=ft.MainAxisAlignment.START,
        )

    # -- events ---------------------------------------------------------------------------------

    async def _on_section(self, e: ft.Event[ft.SegmentedButton]) -> None:
        if e.control.selected:
            self.vm.select_section(e.control.selected[0])  # type: ignore[arg-type]
