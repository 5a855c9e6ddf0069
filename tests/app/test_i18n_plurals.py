"""Counts speak good Russian and Kazakh: `ngettext` messages pick the catalog's plural form
(Russian: 1 and 21; 2–4 and 22; 5–20, 11 and 12), also from the view models that show them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.i18n import Message, Translator, ngettext
from app.viewmodels.appeal_text import countdown
from app.viewmodels.cabinet import duration_message, unsent_message

ALERTS = ("{n} more alert", "{n} more alerts")
DAYS_LEFT = ("{n} day {h} h left", "{n} days {h} h left")


@pytest.mark.parametrize(
    ("n", "ru", "kk"),
    [
        (1, "Ещё 1 оповещение", "Тағы 1 ескерту"),
        (2, "Ещё 2 оповещения", "Тағы 2 ескерту"),
        (5, "Ещё 5 оповещений", "Тағы 5 ескерту"),
        (11, "Ещё 11 оповещений", "Тағы 11 ескерту"),
        (12, "Ещё 12 оповещений", "Тағы 12 ескерту"),
        (21, "Ещё 21 оповещение", "Тағы 21 ескерту"),
    ],
)
def test_a_count_takes_the_form_of_its_number(n: int, ru: str, kk: str) -> None:
    message = ngettext(*ALERTS, n)
    assert Translator("ru").render(message) == ru
    assert Translator("kk").render(message) == kk


@pytest.mark.parametrize(
    ("n", "ru"),
    [
        (1, "Поддержал 1 человек"),
        (2, "Поддержали 2 человека"),
        (5, "Поддержали 5 человек"),
        (11, "Поддержали 11 человек"),
        (21, "Поддержал 21 человек"),
    ],
)
def test_screens_translate_a_count_with_the_translator(n: int, ru: str) -> None:
    text = Translator("ru").ngettext("{n} supporter", "{n} supporters", n).format(n=n)
    assert text == ru
    kk = Translator("kk").ngettext("{n} supporter", "{n} supporters", n).format(n=n)
    assert kk == f"{n} адам қолдады"


def test_a_count_is_rendered_again_in_the_new_language() -> None:
    tr = Translator("kk")
    message = ngettext(*DAYS_LEFT, 2, h=3)
    assert tr.render(message) == "2 күн 3 сағ қалды"
    tr.set_language("ru")
    assert tr.render(message) == "Осталось 2 дня 3 ч"


def test_a_count_can_sit_inside_another_message() -> None:
    span = ngettext("{n} day {h} h", "{n} days {h} h", 21, h=3)
    outer = Message("Updated {when}", {"when": span})
    assert Translator("ru").render(outer) == "Обновлено: 21 день 3 ч"
    assert Translator("kk").render(outer) == "Жаңартылды: 21 күн 3 сағ"


NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days", "left", "overdue"),
    [
        (1, "Остался 1 день 4 ч", "Просрочено на 1 день 4 ч"),
        (2, "Осталось 2 дня 4 ч", "Просрочено на 2 дня 4 ч"),
        (5, "Осталось 5 дней 4 ч", "Просрочено на 5 дней 4 ч"),
        (11, "Осталось 11 дней 4 ч", "Просрочено на 11 дней 4 ч"),
        (21, "Остался 21 день 4 ч", "Просрочено на 21 день 4 ч"),
    ],
)
def test_the_deadline_counts_days_in_russian(days: int, left: str, overdue: str) -> None:
    ru, kk = Translator("ru"), Translator("kk")
    span = timedelta(days=days, hours=4, minutes=10)
    assert ru.render(countdown(NOW + span, NOW)) == left
    assert ru.render(countdown(NOW - span, NOW)) == overdue
    assert kk.render(countdown(NOW + span, NOW)) == f"{days} күн 4 сағ қалды"
    assert kk.render(countdown(NOW - span, NOW)) == f"Мерзімінен {days} күн 4 сағ асты"


@pytest.mark.parametrize(
    ("hours", "ru", "kk"),
    [
        (5, "5 ч", "5 сағ"),
        (2 * 24 + 1, "2 дня 1 ч", "2 күн 1 сағ"),
        (5 * 24, "5 дней 0 ч", "5 күн 0 сағ"),
        (21 * 24 + 3, "21 день 3 ч", "21 күн 3 сағ"),
    ],
)
def test_the_average_time_to_close(hours: int, ru: str, kk: str) -> None:
    message = duration_message(hours * 3600)
    assert Translator("ru").render(message) == ru
    assert Translator("kk").render(message) == kk


@pytest.mark.parametrize(
    ("n", "ru", "kk"),
    [
        (1, "1 действие ещё не отправлено и будет потеряно.",
         "1 әрекет әлі жіберілмеген, ол жоғалады."),
        (2, "2 действия ещё не отправлены и будут потеряны.",
         "2 әрекет әлі жіберілмеген, олар жоғалады."),
        (5, "5 действий ещё не отправлены и будут потеряны.",
         "5 әрекет әлі жіберілмеген, олар жоғалады."),
        (21, "21 действие ещё не отправлено и будет потеряно.",
         "21 әрекет әлі жіберілмеген, олар жоғалады."),
    ],
)  # fmt: skip
def test_unsent_actions_before_deleting_the_data(n: int, ru: str, kk: str) -> None:
    assert Translator("ru").render(unsent_message(n)) == ru
    assert Translator("kk").render(unsent_message(n)) == kk
