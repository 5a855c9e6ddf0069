"""Emergency contacts: 112, 101–104, 109 and the city services of the cached bundle. A phone
calls with one tap (`tel:`); a desktop or browser copies the number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.data.repositories.places import PlacesRepository
from app.domain.places import Contact
from app.i18n import N_, Message
from app.viewmodels.city_feeds_common import Following

MSG_COPIED = N_("Number {number} copied")
MSG_CALL = N_("Call {number}")
MSG_COPY = N_("Copy the number {number}")
EMERGENCY_ORDER = ("112", "101", "102", "103", "104")


@dataclass(frozen=True)
class ContactView:
    id: str
    number: str
    name: str
    description: str
    emergency: bool
    call_url: str
    call_label: Message
    copy_label: Message


def tel_url(number: str) -> str:
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


class ContactsViewModel(Following):
    def __init__(self, places: PlacesRepository, language: Callable[[], str]) -> None:
        super().__init__(places)
        self._places = places
        self._language = language
        self.copied: Message | None = None

    def _view(self, c: Contact) -> ContactView:
        lang = self._language()
        return ContactView(
            id=c.id,
            number=c.number,
            name=c.name_in(lang),
            description=c.description_in(lang),
            emergency=c.group == "emergency",
            call_url=tel_url(c.number),
            call_label=Message(MSG_CALL, {"number": c.number}),
            copy_label=Message(MSG_COPY, {"number": c.number}),
        )

    def _sorted(self) -> list[Contact]:
        def key(c: Contact) -> tuple[int, int, str]:
            order = EMERGENCY_ORDER.index(c.number) if c.number in EMERGENCY_ORDER else 99
            return (0 if c.group == "emergency" else 1, order, c.number)

        return sorted(self._places.bundle.contacts, key=key)

    @property
    def emergency(self) -> list[ContactView]:
        return [self._view(c) for c in self._sorted() if c.group == "emergency"]

    @property
    def city(self) -> list[ContactView]:
        return [self._view(c) for c in self._sorted() if c.group != "emergency"]

    async def start(self) -> None:
        await self._places.ensure_loaded()
        self.notify()

    def copy_done(self, number: str) -> Message:
        """What to say once the number is on the clipboard."""
        self.copied = Message(MSG_COPIED, {"number": number})
        return self.copied
