"""The new appeal's own words: its text, type and category (suggested from the text, or found
by search), and who files it (the name shared or not, the phone)."""

from __future__ import annotations

import asyncio
from typing import Any

from app.data.repositories.applicant import Applicant
from app.data.repositories.classifier import ClassifierRepository
from app.domain.appeals import AppealType
from app.domain.classifier import SearchGroup, Subclass
from app.i18n import N_, Message, ngettext
from app.viewmodels.new_appeal.context import FlowContext

MAX_TEXT = 4000
MAX_NAME = 200
SEARCH_LIMIT = 40

# Appendix 5 types, in the order offered (the most common first).
APPEAL_TYPES: tuple[tuple[AppealType, str], ...] = (
    ("incident", N_("Incident: a problem that needs fixing")),
    ("consultation", N_("Consultation: I need information")),
    ("proposal", N_("Proposal: an idea for the city")),
    ("complaint", N_("Complaint about the quality of a service")),
    ("gratitude", N_("Gratitude")),
)

MSG_TEXT_REQUIRED = N_("Describe the problem.")
MSG_CATEGORY_REQUIRED = N_("Choose a category.")
MSG_NAME_TOO_LONG = N_("The name is too long: at most 200 characters.")


class AppealForm:
    """Text, type, category and applicant: their state, edits, suggestions and checks."""

    def __init__(
        self, flow: FlowContext, classifier: ClassifierRepository, *, suggest_delay: float
    ) -> None:
        self._flow = flow
        self.classifier = classifier
        self._suggest_delay = suggest_delay
        self._suggest_task: asyncio.Task[None] | None = None
        self.applicant_name = ""
        self.name_edited = False
        self.phone = ""
        self.reset()

    def reset(self, *, keep_applicant: bool = False) -> None:
        """Empty, except (when kept) who the resident is, for the next appeal."""
        self.text = ""
        self.type: AppealType = "incident"
        self.subclass_code: str | None = None
        self.category_query = ""
        self.search_results: list[SearchGroup] = []
        self.suggestions: tuple[Subclass, ...] = ()
        self.suggestion_source = "none"
        self.share_personal = True
        if not keep_applicant:
            self.applicant_name = ""
            self.name_edited = False
            self.phone = ""

    def cancel(self) -> None:
        """Stop a pending suggestion (signing out)."""
        if self._suggest_task is not None and not self._suggest_task.done():
            self._suggest_task.cancel()
        self._suggest_task = None

    # -- text, type, category -------------------------------------------------------------------

    @property
    def category(self) -> Subclass | None:
        if not self.subclass_code:
            return None
        return self.classifier.subclass(self.subclass_code) or Subclass(
            self.subclass_code, self.subclass_code.split(".")[0], self.subclass_code,
            self.subclass_code,
        )  # fmt: skip

    def category_name(self, sub: Subclass | None = None) -> str:
        sub = sub or self.category
        return sub.name(self._flow.language) if sub else ""

    def class_name(self, sub: Subclass | None = None) -> str:
        sub = sub or self.category
        data = self.classifier.classifier
        group = data.class_of(sub.code) if sub and data else None
        return group.name(self._flow.language) if group else ""

    @property
    def text_length(self) -> int:
        return len(self.text)

    def text_error(self) -> Message | None:
        text = self.text.strip()
        if not text:
            return Message(MSG_TEXT_REQUIRED)
        if len(text) > MAX_TEXT:
            return ngettext(
                "The text is too long: {n} character, at most 4000.",
                "The text is too long: {n} characters, at most 4000.",
                len(text),
            )
        return None

    def set_text(self, text: str) -> None:
        self.text = text
        errors = self._flow.errors
        if "text" in errors and self.text_error() is None:
            del errors["text"]
        self._schedule_suggest()
        self._flow.changed()

    def set_type(self, value: str) -> None:
        for key, _label in APPEAL_TYPES:
            if key == value:
                self.type = key
                self._flow.changed()
                return

    def set_category_query(self, query: str) -> None:
        self.category_query = query
        self.search_results = self.classifier.search(query, limit=SEARCH_LIMIT)
        self._flow.notify()

    def choose_category(self, code: str) -> None:
        self.subclass_code = code
        self.category_query = ""
        self.search_results = []
        self._flow.errors.pop("category", None)
        self._flow.rewrote()
        self._flow.changed()

    def clear_category(self) -> None:
        self.subclass_code = None
        self._flow.changed()

    def _schedule_suggest(self) -> None:
        self.cancel()
        try:
            self._suggest_task = asyncio.get_running_loop().create_task(self._suggest_later())
        except RuntimeError:
            self._suggest_task = None

    async def _suggest_later(self) -> None:
        await asyncio.sleep(self._suggest_delay)
        await self.suggest_now()
        self._flow.notify()

    async def suggest_now(self) -> None:
        result = await self.classifier.suggest(self.text, online=self._flow.may_be_online())
        if result.reachable is not None:
            self._flow.set_online(result.reachable)
        self.suggestions = result.subclasses
        self.suggestion_source = result.source

    # -- applicant ------------------------------------------------------------------------------

    def apply_applicant(self, applicant: Applicant) -> None:
        """The profile's phone, and its name unless the resident typed one."""
        self.phone = applicant.phone
        name = applicant.full_name
        if not self.name_edited and name and self.applicant_name != name:
            self.applicant_name = name
            self._flow.rewrote()

    def set_share(self, share: bool) -> None:
        self.share_personal = bool(share)
        self._flow.changed()

    def set_name(self, name: str) -> None:
        self.applicant_name = name
        self.name_edited = True
        if len(name) <= MAX_NAME:
            self._flow.errors.pop("name", None)
        self._flow.changed()

    # -- checks and the draft ---------------------------------------------------------------------

    def problems(self, *, emergency: bool) -> dict[str, Message]:
        errors: dict[str, Message] = {}
        text_error = self.text_error()
        if text_error:
            errors["text"] = text_error
        if not self.subclass_code and not emergency:
            errors["category"] = Message(MSG_CATEGORY_REQUIRED)
        if self.share_personal and len(self.applicant_name.strip()) > MAX_NAME:
            errors["name"] = Message(MSG_NAME_TOO_LONG)
        return errors

    def draft(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "type": self.type,
            "subclass_code": self.subclass_code,
            "share_personal": self.share_personal,
            "applicant_name": self.applicant_name if self.name_edited else None,
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.text = str(data.get("text") or "")[: MAX_TEXT * 2]
        if data.get("type") in {k for k, _ in APPEAL_TYPES}:
            self.type = data["type"]
        self.subclass_code = data.get("subclass_code") or None
        self.share_personal = bool(data.get("share_personal", True))
        if data.get("applicant_name") is not None:
            self.applicant_name = str(data["applicant_name"])
            self.name_edited = True
