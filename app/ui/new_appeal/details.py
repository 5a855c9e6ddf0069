"""The new-appeal form's own words: the text, the type (a radio each), the category (suggestions,
search, the chosen one) and the contact details (share or not, the name, the phone)."""

from __future__ import annotations

import flet as ft

from app.domain.phone import format_phone
from app.i18n import Translator
from app.ui.kit import MUTED, section, toggle_row
from app.ui.new_appeal.parts import Rebuilds, bound
from app.viewmodels.new_appeal import APPEAL_TYPES, MAX_TEXT, NewAppealViewModel


class DetailsSection:
    """Text, type and category (`controls()`), and the contact details (`contact()`)."""

    def __init__(self, tr: Translator, vm: NewAppealViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self._rebuilds = Rebuilds()
        _ = tr.gettext
        self.text_field = ft.TextField(
            label=_("What happened?"),
            hint_text=_("Describe the problem: what, where, since when"),
            multiline=True,
            min_lines=3,
            max_lines=8,
            error_max_lines=2,
            on_change=self._on_text,
        )
        # a radio per type, not chips: a long type wraps on its row (Flutter clips a chip's
        # wrapped label), and a reader hears one choice of five
        self.type_group = ft.RadioGroup(content=ft.Column(spacing=0), on_change=self._on_type)
        self.category_box = ft.Column(spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.search_field = ft.TextField(
            label=_("Find a category"),
            prefix_icon=ft.Icons.SEARCH,
            on_change=self._on_search,
        )
        self.category_error = ft.Text(color=ft.Colors.ERROR, size=12, visible=False)
        self.share_switch = ft.Switch(on_change=self._on_share)
        self.name_field = ft.TextField(
            label=_("Your name"), prefix_icon=ft.Icons.PERSON_OUTLINE, on_change=self._on_name
        )
        self.phone_text = ft.Text(color=MUTED)
        self.anonymous_text = ft.Text(
            _("Without a name and phone the executor cannot contact you to clarify."),
            size=12,
            color=MUTED,
        )

    def controls(self) -> list[ft.Control]:
        _ = self.tr.gettext
        self.type_group.content = ft.Column(
            [toggle_row(ft.Radio(value=key), _(label)) for key, label in APPEAL_TYPES], spacing=0
        )
        self.type_group.value = self.vm.type
        return [
            self.text_field,
            section(_("Type of appeal"), self.type_group),
            section(_("Category"), self.category_box, self.category_error),
        ]

    def contact(self) -> ft.Control:
        _ = self.tr.gettext
        return section(
            _("Contact details"),
            toggle_row(self.share_switch, _("Share my name and phone with the appeal")),
            self.name_field,
            self.phone_text,
            self.anonymous_text,
        )

    def copy_inputs(self) -> None:
        """The view model rewrote the fields (a restored draft, a prefilled name)."""
        vm = self.vm
        self.text_field.value = vm.text
        self.name_field.value = vm.applicant_name
        self.search_field.value = vm.category_query

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        self.text_field.error = tr.render(vm.errors.get("text"))
        self.text_field.counter = f"{vm.text_length} / {MAX_TEXT}"
        self.type_group.value = vm.type
        self._rebuilds.once("category", self._category_key(), self._render_category)
        self.share_switch.value = vm.share_personal
        self.name_field.visible = vm.share_personal
        self.name_field.error = tr.render(vm.errors.get("name"))
        self.phone_text.visible = vm.share_personal and bool(vm.phone)
        self.phone_text.value = tr.gettext("Phone: {phone}").format(phone=format_phone(vm.phone))
        self.anonymous_text.visible = not vm.share_personal

    def _category_key(self) -> object:
        vm = self.vm
        return (
            vm.subclass_code,
            tuple(s.code for s in vm.suggestions),
            vm.category_query,
            tuple(s.code for g in vm.search_results for s in g.subclasses),
            vm.errors.get("category"),
            vm.classifier.classifier is not None,
            self.tr.language,
        )

    def _render_category(self) -> None:
        vm, _ = self.vm, self.tr.gettext
        self.category_error.value = self.tr.render(vm.errors.get("category")) or ""
        self.category_error.visible = "category" in vm.errors
        chosen = vm.category
        if chosen is not None:
            self.category_box.controls = [
                ft.Card(
                    content=ft.ListTile(
                        leading=ft.Icon(ft.Icons.CATEGORY_OUTLINED),
                        title=ft.Text(vm.category_name(chosen)),
                        subtitle=ft.Text(vm.class_name(chosen)),
                        trailing=ft.TextButton(
                            content=_("Change"), on_click=self._on_clear_category
                        ),
                    )
                )
            ]
            return
        rows: list[ft.Control] = []
        if vm.suggestions:
            rows.append(ft.Text(_("Suggested from your text:"), size=13, color=MUTED))
            rows.extend(
                ft.OutlinedButton(
                    content=vm.category_name(s),
                    icon=ft.Icons.AUTO_AWESOME_OUTLINED,
                    on_click=bound(self.vm.choose_category, s.code),
                )
                for s in vm.suggestions[:4]
            )
        elif vm.classifier.classifier is None:
            rows.append(
                ft.Text(
                    _("The list of categories has not been loaded yet: it needs a connection."),
                    size=12,
                    color=MUTED,
                )
            )
        rows.append(self.search_field)
        for group in vm.search_results:
            rows.append(ft.Text(group.group.name(vm.language), weight=ft.FontWeight.W_600, size=13))
            rows.extend(
                ft.ListTile(
                    title=ft.Text(s.name(vm.language)),
                    dense=True,
                    on_click=bound(self.vm.choose_category, s.code),
                )
                for s in group.subclasses
            )
        if vm.category_query.strip() and not vm.search_results:
            rows.append(ft.Text(_("Nothing found. Try another word."), size=12, color=MUTED))
        self.category_box.controls = rows

    # -- handlers -------------------------------------------------------------------------------

    async def _on_text(self) -> None:
        self.vm.set_text(self.text_field.value or "")

    async def _on_search(self) -> None:
        self.vm.set_category_query(self.search_field.value or "")

    async def _on_clear_category(self) -> None:
        self.vm.clear_category()

    async def _on_type(self) -> None:
        if self.type_group.value:
            self.vm.set_type(self.type_group.value)

    async def _on_share(self) -> None:
        self.vm.set_share(bool(self.share_switch.value))

    async def _on_name(self) -> None:
        self.vm.set_name(self.name_field.value or "")
