"""The appeal screens build from their view models without a page, in kk and ru: the list with
its marks, one appeal with its chat and rating, and the connectivity bar."""

from __future__ import annotations

import flet as ft
import pytest

from app.composition import AppSession
from app.domain.appeals import NewAppeal, Position
from app.ui.appeals.detail_screen import AppealScreen
from app.ui.appeals.list_screen import AppealsPanel
from app.ui.home.screen import HomeScreen
from tests.app.data.test_appeals_repository import server_appeal
from tests.app.support.sync_harness import SyncSide
from tests.app.ui.test_screens import texts, walk

pytestmark = pytest.mark.anyio


def seed(session: AppSession) -> tuple[str, str]:
    repo = session.appeals
    pending = repo.file_sync(NewAppeal(text="Лифт тұр", subclass_code="01.01",
                                       position=Position(51.1, 71.4)))  # fmt: skip
    closed = repo.file_sync(NewAppeal(text="Қоқыс жиналмады", subclass_code="01.01",
                                      address="Абай 1"))  # fmt: skip
    entry = next(e for e in repo.outbox.entries() if e.target_client_id == closed)
    SyncSide(repo).complete(
        entry,
        appeal=server_appeal(closed, 31, status="closed", result_text="Жиналды",
                             closed_at="2026-07-12T10:00:00Z"),
    )  # fmt: skip
    SyncSide(repo).apply_sync_page(
        {"message": [{"id": 3, "appeal_id": 31, "client_id": "op-3", "author_role": "operator",
                      "text": "Жиналды, рақмет", "created_at": "2026-07-12T10:00:00Z",
                      "read_at": None, "media": []}]},
        cursor=1, etag=None, quiet=True,
    )  # fmt: skip
    return pending, closed


async def test_appeals_tab_lists_with_marks_in_both_languages(session: AppSession) -> None:
    seed(session)
    await session.appeal_list.load()
    panel = AppealsPanel(session.translator, session.appeal_list, session.sync_status)
    view = HomeScreen(
        session.app, session.home, session.cabinet, "/", "appeals", panel=panel
    ).build()
    found = texts(view)
    assert {"Менің өтініштерім", "Жіберуді күтуде", "Жабылды", "№ 109-2607-000031"} <= found
    assert {"Лифт тұр", "Жол бұзылған", "Әлі синхрондалмады"} <= found  # the server's text
    buttons = [c for c in walk(view) if isinstance(c, object) and getattr(c, "tooltip", None)]
    assert any(getattr(b, "tooltip", "") == "Қазір синхрондау" for b in buttons)
    session.translator.set_language("ru")
    await session.appeal_list.refresh()
    view = HomeScreen(
        session.app, session.home, session.cabinet, "/", "appeals",
        panel=AppealsPanel(session.translator, session.appeal_list, session.sync_status),
    ).build()  # fmt: skip
    assert {"Мои обращения", "Ожидает отправки", "Закрыто", "Все", "В работе"} <= texts(view)


async def test_closed_appeal_shows_result_chat_and_rating(session: AppSession) -> None:
    _pending, _closed = seed(session)
    vm = session.appeal_detail("31")
    await vm.load()
    screen = AppealScreen(session.app, vm, session.sync_status, None, "/appeals/31")
    view = screen.build()
    found = texts(view)
    assert {"№ 109-2607-000031 өтініш", "Жабылды", "Жиналды", "Жиналды, рақмет"} <= found
    assert {"Өтініштің орындалу сапасын бағалаңыз", "Бағаны жіберу", "Өтінішті қайта ашу"} <= found
    assert "Хабарлама" in found  # the chat field's label
    vm.toggle_reopen()
    screen.render()
    assert "Неге қайта ашасыз?" in texts(view)
    await vm.reopen()
    screen.render()
    assert "Себебін жазыңыз." in texts(view)  # the error, the form still open
    screen.dispose()


async def test_pending_appeal_has_no_status_yet(session: AppSession) -> None:
    pending, _ = seed(session)
    vm = session.appeal_detail(pending)
    await vm.load()
    session.translator.set_language("ru")
    view = AppealScreen(session.app, vm, session.sync_status, None, f"/appeals/{pending}").build()
    found = texts(view)
    assert {"Обращение (ожидает отправки)", "Ожидает отправки", "Чат с оператором"} <= found
    assert "Создано" not in found and "Подать жалобу" not in found


async def test_chat_and_history_say_who_answered_in_the_current_language(
    session: AppSession,
) -> None:
    """An executor's answer and move read «орындаушы: <body>», and after a language switch
    «исполнитель: <body>», on the text a screen reader reads with the message."""
    titles = {"kk": "орындаушы: Жолдар басқармасы", "ru": "исполнитель: Управление дорог"}
    repo = session.appeals
    cid = repo.file_sync(NewAppeal(text="Шұңқыр", subclass_code="01.01", address="Абай 1"))
    entry = next(e for e in repo.outbox.entries() if e.target_client_id == cid)
    history = [{"at": "2026-07-12T09:30:00Z", "actor_role": "operator", "kind": "status",
                "from_status": "assigned", "to_status": "in_progress", "note": None,
                "actor_titles": titles}]  # fmt: skip
    SyncSide(repo).complete(entry, appeal=server_appeal(cid, 32, status="in_progress",
                                                        history=history))  # fmt: skip
    SyncSide(repo).apply_sync_page(
        {"message": [{"id": 4, "appeal_id": 32, "client_id": "op-4", "author_role": "operator",
                      "author_titles": titles, "text": "Бригада жолда",
                      "created_at": "2026-07-12T10:00:00Z", "read_at": None, "media": []}]},
        cursor=1, etag=None, quiet=True,
    )  # fmt: skip
    vm = session.appeal_detail("32")
    await vm.load()
    screen = AppealScreen(session.app, vm, session.sync_status, None, "/appeals/32")
    view = screen.build()

    def lines_by(who: str) -> int:
        return sum(1 for s in texts(view) if s.startswith(f"{who} · "))

    assert lines_by(titles["kk"]) == 2  # the answer's and the history line's
    assert lines_by("Оператор") == 0
    session.translator.set_language("ru")
    screen.render()
    assert lines_by(titles["ru"]) == 2 and lines_by(titles["kk"]) == 0
    screen.dispose()


async def test_the_same_appeal_shown_again_keeps_what_was_being_entered(
    session: AppSession,
) -> None:
    """The shell builds its screens anew on every show of a route: the appeal's screen built
    again shows the score, comment and chat text being entered (a second show once dropped
    them: the rating went without its comment); another appeal starts empty."""
    pending, _closed = seed(session)
    vm = session.appeal_detail("31")
    await vm.load()
    first = AppealScreen(session.app, vm, session.sync_status, None, "/appeals/31")
    first.build()
    vm.set_score(4)
    vm.set_rating_comment("Тез жинады")
    vm.set_chat_text("Рақмет")
    first.dispose()
    again = session.appeal_detail("31")
    view = AppealScreen(session.app, again, session.sync_status, None, "/appeals/31").build()
    values = {c.value for c in walk(view) if isinstance(c, ft.TextField)}
    assert {"Тез жинады", "Рақмет"} <= values
    assert again.rating_score == 4
    other = session.appeal_detail(pending)
    assert (other.rating_score, other.rating_comment, other.chat_text) == (0, "", "")
