"""Participation in a real browser against the demo backend: voting online and offline — once
only, checked in the backend's counts — and submitting a proposal with the fake position.
Screenshots of the tab in Kazakh and Russian."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Page

from tests.e2e.backend import App, wait_until
from tests.e2e.resident import (
    dismiss_alert,
    go,
    on_screen,
    open_app,
    resize,
    shown,
    sign_in,
    snap,
    tall,
    tap_until,
    type_into,
)

pytestmark = pytest.mark.e2e

PARKS_RU = "Какой парк благоустроить первым?"
INFRA_RU = "Что в городской инфраструктуре развивать в первую очередь? (до 3 вариантов)"


def poll_on_server(app: App, question_ru: str) -> dict:  # type: ignore[type-arg]
    """The poll as the backend sees it for this resident (directly, never via the proxy)."""
    for scope in ("open", "closed"):
        for poll in app.api("/api/v1/polls", {"scope": scope}):
            if poll["question_ru"] == question_ru:
                return dict(poll)
    raise AssertionError(f"no poll {question_ru!r}")


def open_participation(page: Page) -> None:
    go(page, page.get_by_role("tab", name="Қатысу"), "/participation")
    dismiss_alert(page)


def choose(page: Page, role: Literal["radio", "checkbox"], name: str) -> None:
    """Tap an unchecked radio button or checkbox until it is checked."""
    tap_until(
        page, page.get_by_role(role, name=name), page.get_by_role(role, name=name, checked=True)
    )


def to_russian(page: Page) -> None:
    """From the participation tab: Russian in the cabinet, then back to the tab."""
    go(page, page.get_by_role("tab", name="Кабинет"), "/cabinet")
    tap_until(
        page, page.get_by_role("button", name="Русский"), page.get_by_role("tab", name="Участие")
    )
    go(page, page.get_by_role("tab", name="Участие"), "/participation")


def test_vote_online_then_offline_once_only(page: Page, app: App, shots: Path) -> None:
    sign_in(page, app.backend_url)
    open_participation(page)
    shown(page, "Қай саябақты бірінші кезекте абаттандыру керек?")
    parks = poll_on_server(app, PARKS_RU)
    assert parks["my_vote"] is None and parks["results"] is None and parks["can_vote"]
    tall(page)
    snap(page, shots / "participation_polls_kk.png")

    # Online: single choice, results as a chart right after.
    choose(page, "radio", "Жеңіс саябағы")
    tap_until(
        page,
        page.get_by_role("button", name="Дауыс беру"),
        on_screen(page, "Рахмет! Дауысыңыз есепке алынды."),
    )
    shown(page, "Нәтижелер: 14 адам дауыс берді")  # 13 demo voters + this resident
    parks = poll_on_server(app, PARKS_RU)
    winner = next(o["id"] for o in parks["options"] if o["text_ru"] == "Парк Победы")
    assert parks["my_vote"] == [winner] and parks["results"]["total"] == 14
    snap(page, shots / "participation_poll_results_kk.png")

    # Offline: the multiple-choice vote waits on the phone and nothing reaches the server.
    app.proxy.go_offline()
    choose(page, "checkbox", "Велосипед жолдары")
    choose(page, "checkbox", "Аулаларды жарықтандыру")
    tap_until(
        page,
        page.get_by_role("button", name="Дауыс беру"),
        on_screen(page, "Дауысыңыз жіберілуін күтіп тұр."),
    )
    infra = poll_on_server(app, INFRA_RU)
    assert infra["my_vote"] is None and infra["can_vote"]
    snap(page, shots / "participation_vote_offline_kk.png")

    # Back online: sent once, results shown; a reload shows the same and no vote button.
    app.proxy.go_online()
    infra = wait_until(
        lambda: (p := poll_on_server(app, INFRA_RU))["my_vote"] and p, what="the queued vote"
    )
    assert infra["results"]["total"] == 12  # 11 demo voters + this resident
    shown(page, "Нәтижелер: 12 адам дауыс берді")
    open_app(page, app.url + "/participation")
    shown(page, "Нәтижелер: 14 адам дауыс берді")
    shown(page, "Нәтижелер: 12 адам дауыс берді")
    assert page.get_by_role("button", name="Дауыс беру").count() == 0  # once only
    assert poll_on_server(app, INFRA_RU)["results"]["total"] == 12
    assert poll_on_server(app, PARKS_RU)["results"]["total"] == 14

    # The same tab in Russian, with the archive of closed polls.
    to_russian(page)
    shown(page, PARKS_RU)
    dismiss_alert(page)
    tap_until(
        page,
        page.get_by_role("button", name="Завершённые опросы (0)").or_(
            page.get_by_role("button", name="Завершённые опросы (1)")
        ),
        page.get_by_role("button", name="Скрыть завершённые опросы"),
    )
    tall(page, 2600)
    snap(page, shots / "participation_polls_ru.png")


def test_proposal_with_position_and_support(page: Page, app: App, shots: Path) -> None:
    sign_in(page, app.backend_url)
    open_participation(page)
    tap_until(
        page,
        page.get_by_role("button", name="Бастамалар"),
        on_screen(page, "Есіл өзенінің жағалауын көгалдандыру"),
    )
    before = {i["title_ru"]: i for i in app.api("/api/v1/initiatives")}
    tap_until(page, page.get_by_role("button", name="Қолдау"), on_screen(page, "Сіз қолдайсыз"))
    supported = wait_until(
        lambda: [i for i in app.api("/api/v1/initiatives") if i["supported"]], what="support"
    )
    assert len(supported) == 1
    title = supported[0]["title_ru"]
    assert supported[0]["support_count"] == before[title]["support_count"] + 1
    tall(page)
    snap(page, shots / "participation_initiatives_kk.png")

    tap_until(
        page,
        page.get_by_role("button", name="Ұсыныстар"),
        page.get_by_role("button", name="Жаңа ұсыныс"),
    )
    go(page, page.get_by_role("button", name="Жаңа ұсыныс"), "/participation/proposals/new")
    resize(page, {"width": 412, "height": 915})
    tap_until(
        page,
        page.get_by_role("button", name="Ұсынысты жіберу"),
        on_screen(page, "Ұсынысыңызды сипаттаңыз."),
    )
    text = "Аулада балалар алаңын салып, жарықтандыру орнату керек"
    type_into(page, "Сіздің ұсынысыңыз", text)
    choose(page, "checkbox", "Абаттандыру")
    tap_until(
        page,
        page.get_by_role("button", name="Орнымды пайдалану"),
        on_screen(page, "Нүкте: 51.12820, 71.43070"),
    )
    tall(page)
    snap(page, shots / "participation_new_proposal_kk.png")
    go(page, page.get_by_role("button", name="Ұсынысты жіберу"), "/participation")
    shown(page, "Менің ұсыныстарым")
    shown(page, "Модерацияда")
    mine = wait_until(
        lambda: app.api("/api/v1/proposals", {"mine": "true"})["items"], what="the proposal"
    )
    assert [(p["text"], p["category"], p["state"]) for p in mine] == [
        (text, "landscaping", "pending")
    ]
    assert (round(mine[0]["lat"], 4), round(mine[0]["lon"], 4)) == (51.1282, 71.4307)
    dismiss_alert(page)
    tall(page, 2400)
    snap(page, shots / "participation_proposals_kk.png")

    # In Russian: the same proposals and initiatives.
    resize(page, {"width": 412, "height": 915})
    to_russian(page)
    dismiss_alert(page)
    tap_until(page, page.get_by_role("button", name="Предложения"), on_screen(page, "На модерации"))
    tall(page, 2400)
    snap(page, shots / "participation_proposals_ru.png")
    tap_until(
        page, page.get_by_role("button", name="Инициативы"), on_screen(page, "Вы поддерживаете")
    )
    snap(page, shots / "participation_initiatives_ru.png")
