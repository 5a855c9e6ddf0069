"""The interface language: kk or ru, switched live and remembered on the device. Until the
resident chooses, the app speaks the device's language when it is kk or ru, else Kazakh."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from app.data.repositories.settings import SettingsRepository
from app.i18n import ENDONYMS, LANGUAGES, Translator, first_language


class LanguageViewModel:
    """Listeners subscribe to the translator itself (`tr.subscribe`): it notifies on a switch."""

    def __init__(self, translator: Translator, settings: SettingsRepository) -> None:
        self.tr = translator
        self._settings = settings

    @property
    def current(self) -> str:
        return self.tr.language

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(code, name in its own language) for each supported language."""
        return [(code, ENDONYMS[code]) for code in LANGUAGES]

    async def follow_device(self, locales: Sequence[str]) -> None:
        """At start: the resident's saved choice stays; without one, the device's first kk or
        ru locale (Kazakh when it prefers neither). Not saved: only a choice is remembered,
        so a resident who never chose follows the device."""
        if await asyncio.to_thread(self._settings.language) is None:
            self.tr.set_language(first_language(locales))

    async def choose(self, language: str) -> None:
        if self.tr.set_language(language):
            await self._settings.save_language(self.tr.language)
