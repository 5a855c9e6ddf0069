"""The first language: the device's when it is Kazakh or Russian, Kazakh otherwise, until the
resident chooses; the resident's choice is remembered and wins over the device."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import flet as ft
import pytest

from app.data.repositories.settings import SettingsRepository
from app.data.services.device import preferred_locales
from app.data.store.database import open_database
from app.i18n import Translator, first_language
from app.viewmodels.language import LanguageViewModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("locales", "lang"),
    [
        (["ru-RU", "en-US"], "ru"),
        (["kk_KZ"], "kk"),
        (["RU"], "ru"),
        (["en-US", "ru-RU"], "ru"),  # the first language the app speaks
        (["en-US", "de"], "kk"),
        ([], "kk"),
        ([None, ""], "kk"),
    ],
)
def test_first_language_of_the_device(locales: list[str | None], lang: str) -> None:
    assert first_language(locales) == lang


def language_model(tmp_path: Path) -> tuple[LanguageViewModel, SettingsRepository]:
    settings = SettingsRepository(open_database(tmp_path / "app.db"))
    return LanguageViewModel(Translator(settings.language() or "kk"), settings), settings


async def test_a_russian_device_opens_the_app_in_russian(tmp_path: Path) -> None:
    vm, settings = language_model(tmp_path)
    await vm.follow_device(["ru"])
    assert vm.current == "ru"
    assert settings.language() is None  # not a choice: the app keeps following the device


async def test_a_device_in_another_language_gets_kazakh(tmp_path: Path) -> None:
    vm, _ = language_model(tmp_path)
    await vm.follow_device(["en", "de"])
    assert vm.current == "kk"


async def test_the_residents_choice_is_remembered_and_wins(tmp_path: Path) -> None:
    vm, settings = language_model(tmp_path)
    await vm.follow_device(["ru"])
    await vm.choose("kk")
    assert settings.language() == "kk"
    again, _ = language_model(tmp_path)  # the next start, on the same device
    await again.follow_device(["ru"])
    assert again.current == "kk"


class FakePage:
    """A page whose device reports `locales` (flet's `Locale`: `language_code`), or never."""

    def __init__(self, *codes: str, answers: bool = True) -> None:
        self.codes, self.answers = codes, answers

    async def get_device_info(self) -> SimpleNamespace:
        if not self.answers:
            await asyncio.sleep(60)
        return SimpleNamespace(locales=[ft.Locale(code, "KZ") for code in self.codes])


async def test_the_device_says_its_languages_or_nothing_in_time() -> None:
    assert await preferred_locales(FakePage("ru", "en")) == ["ru", "en"]
    assert await preferred_locales(FakePage(answers=False), timeout=0.05) == []
