"""The glue between the new-appeal view model and its sections: what each section may ask of
the view model that composes them (`FlowContext`: the shared field errors, the resident's
language, change notification, background tasks, whether the server is worth asking), and how
the view model shows a section's attribute as its own (`On`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Generic, Protocol, TypeVar, cast, overload

from app.i18n import Message

T = TypeVar("T")


class FlowContext(Protocol):
    errors: dict[str, Message]  # by field; validation replaces the whole dict

    @property
    def language(self) -> str: ...

    def notify(self) -> None:
        """State changed: the screen re-renders."""

    def changed(self) -> None:
        """Something the resident entered changed: notify, and save the draft soon."""

    def rewrote(self) -> None:
        """The flow itself rewrote an input field: the screen copies it into its text field."""

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run in the background (awaited by `settle()`)."""

    def may_be_online(self) -> bool: ...

    def set_online(self, online: bool) -> None: ...


class On(Generic[T]):
    """An attribute of the view model that lives on one of its sections: read (and, for
    state, written) there, under the same name."""

    def __init__(self, section: str) -> None:
        self._section = section
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type) -> On[T]: ...

    @overload
    def __get__(self, obj: object, owner: type) -> T: ...

    def __get__(self, obj: object | None, owner: type) -> T | On[T]:
        if obj is None:
            return self
        return cast(T, getattr(getattr(obj, self._section), self._name))

    def __set__(self, obj: object, value: T) -> None:
        setattr(getattr(obj, self._section), self._name, value)
