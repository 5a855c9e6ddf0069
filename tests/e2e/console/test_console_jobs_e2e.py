"""Who may do what in the console, and who did it: each demo account signs in with its own
password (a wrong one is told so, signing out ends the session on the server too), sees the
sections of its job (an executor only their body's appeals: another body's is «not found»; only
a supervisor opens the staff accounts), and every move and chat answer is named in the appeal's
page by the person who made it — while the resident is told the job, never the name."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from backend_stub.statuses import STATUS_NAMES, Status
from tests.e2e.backend import HTTP_TIMEOUT_S, operator
from tests.e2e.console.conftest import (
    EXECUTOR_BODY,
    NAMES,
    OTHER_BODY_SUBCLASS,
    OWN_BODY_SUBCLASS,
    Desk,
    Resident,
    sign_in,
)

pytestmark = pytest.mark.e2e

NOT_FOR_JOB = "Этот раздел не входит в вашу роль в консоли."
OPERATOR_MENU = ["Обращения", "Экстренные службы", "Экстренные оповещения",
                 "Объявления: работы и события", "Опросы и инициативы"]  # fmt: skip


def history_row(page: Page, status: Status) -> Locator:
    """The appeal page's history line of the move to `status`."""
    history = page.locator(".card", has=page.locator("h2", has_text="История"))
    return history.locator("tr", has_text=f"→ {STATUS_NAMES[status]['ru']}")


def test_a_wrong_password_then_sign_in_and_out(desk: Desk, console_url: str) -> None:
    page = desk.open()
    sign_in(page, console_url, "operator", "operator-wrong")
    expect(page.locator(".error")).to_have_text("Неверный логин или пароль.")
    expect(page.locator("#login")).to_have_value("operator")  # the login typed stays
    page.fill("#password", "operator")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{console_url}/console")
    kept = page.context.cookies()  # the session's cookies, as someone might have copied them

    page.get_by_role("button", name="Выйти").click()
    expect(page).to_have_url(f"{console_url}/console/login")
    page.context.add_cookies(kept)  # type: ignore[arg-type]
    page.goto(f"{console_url}/console")  # the old session is over on the server, not only here
    expect(page).to_have_url(f"{console_url}/console/login")
    expect(page.locator("h1")).to_have_text("Вход сотрудника")


def test_each_job_opens_only_its_sections(desk: Desk, console_url: str, resident: Resident) -> None:
    own = resident.file("Нет горячей воды во всём подъезде", OWN_BODY_SUBCLASS)
    other = resident.file("Свалка мусора на берегу реки", OTHER_BODY_SUBCLASS)
    assert own["service_code"] == EXECUTOR_BODY != other["service_code"]

    executor = desk.open("executor")
    executor.goto(f"{console_url}/console/appeals/{own['id']}")
    expect(executor.locator("h1")).to_have_text(f"Обращение {own['number']}")
    answer = executor.goto(f"{console_url}/console/appeals/{other['id']}")
    assert answer is not None and answer.status == 404
    expect(executor.locator(".error")).to_have_text("Обращение не найдено.")
    expect(executor.locator("main")).not_to_contain_text(other["number"])
    for section in ("alerts", "participation", "notices", "staff"):
        answer = executor.goto(f"{console_url}/console/{section}")
        assert answer is not None and answer.status == 403, section
        expect(executor.locator(".error")).to_have_text(NOT_FOR_JOB)

    op = desk.open("operator")
    expect(op.locator("header > a:not(.live)")).to_have_text(OPERATOR_MENU)
    op.goto(f"{console_url}/console/appeals/{other['id']}")
    expect(op.locator("h1")).to_have_text(f"Обращение {other['number']}")
    for section, title in (("alerts", "Экстренные оповещения"), ("participation", "Опросы")):
        op.goto(f"{console_url}/console/{section}")
        expect(op.locator("h2, h1").filter(has_text=title).first).to_be_visible()
    answer = op.goto(f"{console_url}/console/staff")
    assert answer is not None and answer.status == 403
    expect(op.locator(".error")).to_have_text(NOT_FOR_JOB)

    boss = desk.open("supervisor")
    accounts = boss.locator("header").get_by_role("link", name="Учётные записи сотрудников")
    accounts.click()
    expect(boss).to_have_url(f"{console_url}/console/staff")
    for section, title in (("alerts", "Экстренные оповещения"), ("participation", "Опросы")):
        boss.goto(f"{console_url}/console/{section}")
        expect(boss.locator("h2, h1").filter(has_text=title).first).to_be_visible()
    answer = boss.goto(f"{console_url}/console/staff")
    assert answer is not None and answer.status == 200
    for name in NAMES.values():
        account = boss.locator("tbody tr", has_text=name.split(" · ")[0])
        expect(account).to_contain_text(name.split(" · ")[1])


def test_an_executors_list_and_counts_are_their_bodys(
    desk: Desk, console_url: str, resident: Resident
) -> None:
    resident.file("Запах гари у реки", OTHER_BODY_SUBCLASS)
    resident.file("Течёт батарея в подъезде", OWN_BODY_SUBCLASS)
    with operator(console_url) as staff:
        answer = staff.get("/api/v1/operator/appeals", params={"limit": 100}).raise_for_status()
    own = [a for a in answer.json()["items"] if a["service_code"] == EXECUTOR_BODY]
    waiting = sum(a["status"] == Status.CREATED.value for a in own)

    executor = desk.open("executor")
    expect(executor.locator("header > a:not(.live)")).to_have_text(["Обращения"])
    expect(executor.locator("[data-count=new]")).to_have_text(str(waiting))
    numbers = executor.locator("tr[data-appeal]").evaluate_all(
        "rows => rows.map(r => r.dataset.appeal)"
    )
    assert sorted(numbers) == sorted(a["number"] for a in own)


def test_every_move_and_answer_names_who_made_it(
    desk: Desk, console_url: str, resident: Resident
) -> None:
    appeal = resident.file("Не горит фонарь у дома 5", OWN_BODY_SUBCLASS)
    here = f"{console_url}/console/appeals/{appeal['id']}"

    op = desk.open("operator")
    op.goto(here)
    op.click(f"button[name=to_status][value={Status.ASSIGNED.value}]")
    expect(history_row(op, Status.ASSIGNED)).to_contain_text(NAMES["operator"])
    op.fill("#reply", "Передали в управление энергетики")
    op.get_by_role("button", name="Отправить").click()
    bubble = op.locator(".msg.op", has_text="Передали в управление энергетики")
    expect(bubble.locator(".meta")).to_contain_text(NAMES["operator"])

    executor = desk.open("executor")
    executor.goto(here)
    executor.click(f"button[name=to_status][value={Status.IN_PROGRESS.value}]")
    expect(history_row(executor, Status.IN_PROGRESS)).to_contain_text(NAMES["executor"])
    expect(history_row(executor, Status.ASSIGNED)).to_contain_text(NAMES["operator"])
    executor.fill("#reply", "Бригада выехала")
    executor.get_by_role("button", name="Отправить").click()
    bubble = executor.locator(".msg", has_text="Бригада выехала")
    expect(bubble.locator(".meta")).to_contain_text(NAMES["executor"])

    with httpx.Client(base_url=console_url, timeout=HTTP_TIMEOUT_S) as c:  # the resident's app
        mine = c.get(f"/api/v1/appeals/{appeal['id']}", headers=resident.headers)
    seen = mine.raise_for_status().text
    for name in NAMES.values():
        assert name.split(" · ")[0] not in seen  # the job, never the person
    titles = [h["actor_titles"]["ru"] for h in mine.json()["history"] if h.get("actor_titles")]
    assert "оператор 109" in titles and any(t.startswith("исполнитель") for t in titles), titles
