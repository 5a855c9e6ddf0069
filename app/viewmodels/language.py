"""The interface language: kk or ru, switched live and remembered on the device."""

from __future__ import annotations

from app.data.repositories.settings import SettingsRepository
from app.i18n import ENDONYMS, LANGUAGES, Translator


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

    async def choose(self, language: str) -> None:
        if self.tr.set_language(language):
            await self._settings.save_language(self.tr.language)
