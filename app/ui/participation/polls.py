"""The polls section of the Participation tab: a card per poll with its ballot, the resident's
vote and the results as a flet-charts bar chart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import flet as ft

from app.domain.participation import Poll
from app.i18n import Translator
from app.ui.charts import Bar, bar_chart
from app.ui.kit import MUTED, on_click, toggle_row
from app.ui.participation.chips import chip, named_text
from app.viewmodels.dates import format_when
from app.viewmodels.participation import (
    POLL_STATUS_NAMES,
    ParticipationViewModel,
    ResultBar,
    result_bars,
)

MINE = ft.Colors.BLUE_700
OTHERS = ft.Colors.BLUE_GREY_500


def results_chart(tr: Translator, bars: list[ResultBar], total: int) -> ft.Control:
    """A bar per option (the resident's choice darker), numbered, with a legend below."""
    _ = tr.gettext
    lang = tr.language
    your_choice = _("your choice")
    heading = tr.ngettext(
        "Results: {total} resident voted", "Results: {total} residents voted", total
    ).format(total=total)
    top = max((b.count for b in bars), default=0)
    chart = bar_chart(
        [
            Bar(b.count, MINE if b.mine else OTHERS, f"{b.count} ({round(b.share * 100)}%)",
                str(i + 1))
            for i, b in enumerate(bars)
        ],
        height=170,
        max_y=max(1, top) * 1.2,
        rod_width=22,
        label_size=24,
    )  # fmt: skip
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
    # Read once: the heading, then the legend's lines (which say all the bars say); the bars'
    # own labels would only repeat them.
    return ft.Column(
        [
            ft.Text(heading, weight=ft.FontWeight.W_600),
            ft.Semantics(exclude_semantics=True, content=chart),
            *legend,
        ],
        spacing=6,
    )


@dataclass
class BallotChoices:
    """A poll's choice controls, kept across renders: checkboxes (several choices) or one radio
    group (one choice)."""

    control: ft.Control
    boxes: dict[int, ft.Checkbox] = field(default_factory=dict)
    group: ft.RadioGroup | None = None

    def show(self, chosen: list[int]) -> None:
        for option_id, box in self.boxes.items():
            box.value = option_id in chosen
        if self.group is not None:
            self.group.value = str(chosen[0]) if chosen else None


class PollsSection:
    """The rows of the "polls" section (the panel re-asks for them at each render)."""

    def __init__(self, tr: Translator, vm: ParticipationViewModel) -> None:
        self.tr = tr
        self.vm = vm
        # A ballot's choices are made once per poll as shown (its options, single or multiple
        # choice, the language) and only their values change: a tap on a box that a render (the
        # feed, a badge) has just replaced is lost with it — seen as a vote whose ticks never
        # came on a busy machine.
        self._choices: dict[tuple[object, ...], BallotChoices] = {}

    def rows(self) -> list[ft.Control]:
        """The open polls, then the closed ones behind a toggle (paged)."""
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
            _("Closed {date}").format(date=format_when(poll.closes_at, lang, with_year=True))
            if closed
            else _("Until {date}").format(date=format_when(poll.closes_at, lang, with_year=True))
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
                    tr.ngettext(
                        "You can choose up to {n} option.",
                        "You can choose up to {n} options.",
                        poll.max_choices,
                    ).format(n=poll.max_choices),
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
                            ft.Icon(ft.Icons.SCHEDULE, size=18, color=ft.Colors.DEEP_ORANGE_900),
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
        key = (poll.id, lang, poll.multiple, poll.max_choices, poll.options)
        choices = self._choices.get(key)
        if choices is None:
            choices = self._choices[key] = self._made_choices(poll, lang)
        choices.show(chosen)
        rows: list[ft.Control] = [choices.control]
        error = vm.poll_errors.get(poll.id)
        if error is not None:
            rows.append(ft.Text(tr.render(error) or "", color=ft.Colors.ERROR))
        rows.append(
            ft.FilledButton(
                content=named_text(
                    _("Vote"), _("Vote: {question}").format(question=poll.question(lang))
                ),
                icon=ft.Icons.HOW_TO_VOTE,
                disabled=not chosen or vm.busy,
                on_click=on_click(partial(vm.vote, poll)),
            )
        )
        return rows

    def _made_choices(self, poll: Poll, lang: str) -> BallotChoices:
        if poll.multiple:
            boxes = {
                o.id: ft.Checkbox(value=False, on_change=self._toggle_handler(poll, o.id))
                for o in poll.options
            }
            rows: list[ft.Control] = [toggle_row(boxes[o.id], o.text(lang)) for o in poll.options]
            return BallotChoices(ft.Column(rows, spacing=0), boxes=boxes)
        group = ft.RadioGroup(
            on_change=self._radio_handler(poll),
            content=ft.Column(
                [toggle_row(ft.Radio(value=str(o.id)), o.text(lang)) for o in poll.options],
                spacing=0,
            ),
        )
        return BallotChoices(group, group=group)

    async def _on_archive(self) -> None:
        self.vm.toggle_archive()

    async def _on_more_archive(self) -> None:
        self.vm.more_archive()

    def _toggle_handler(self, poll: Poll, option_id: int) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            self.vm.toggle_option(poll, option_id)

        return handler

    def _radio_handler(self, poll: Poll) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            if e.control.value:
                self.vm.toggle_option(poll, int(e.control.value))

        return handler
