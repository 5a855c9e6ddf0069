"""The cabinet's and the Participation tab's screens build from their view models without a
page, in Kazakh and Russian, charts included; rebuilding after a language switch keeps what
was typed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import flet as ft
import flet_charts as fch
import pytest

from app.composition import AppSession
from app.data.store.models import LocalAppeal, LocalPoll
from app.domain.appeals import MediaRef
from app.ui.appeals.before_after import BeforeAfter
from app.ui.cabinet.addresses import AddressEditorScreen, AddressesScreen
from app.ui.cabinet.notification_settings import NotificationSettingsScreen
from app.ui.cabinet.personal_data import PersonalDataScreen
from app.ui.home.screen import HomeScreen
from app.ui.participation.new_proposal_screen import NewProposalScreen
from app.viewmodels.before_after import BeforeAfterViewModel, pick_pair
from tests.app.conftest import CODE, PHONE
from tests.app.ui.test_screens import texts, walk

pytestmark = pytest.mark.anyio


async def signed_in(session: AppSession) -> None:
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)


def home(session: AppSession, tab: str) -> ft.View:
    route = "/" + tab
    return HomeScreen(
        session.app, session.home, session.cabinet, route, tab, participation=session.participation
    ).build()


def seed(session: AppSession) -> None:
    now = datetime.now(UTC)
    poll = {
        "id": 5,
        "question_kk": "Қай саябақ?",
        "question_ru": "Какой парк?",
        "multiple": False,
        "max_choices": 1,
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
        "districts": [],
        "status": "open",
        "options": [
            {"id": 1, "text_kk": "Орталық саябақ", "text_ru": "Центральный парк"},
            {"id": 2, "text_kk": "Жеңіс саябағы", "text_ru": "Парк Победы"},
        ],
        "my_vote": [2],
        "results": {"total": 3, "options": [
            {"option_id": 1, "count": 1, "share": 0.33}, {"option_id": 2, "count": 2, "share": 0.67}
        ]},
        "can_vote": False,
    }  # fmt: skip
    with session.db.session() as s:
        s.add(
            LocalPoll(
                id=5,
                data_json=json.dumps(poll),
                status="open",
                closes_at=now + timedelta(days=3),
                updated_at=now,
            )
        )
        for i, status in enumerate(("closed", "in_progress", "created")):
            s.add(
                LocalAppeal(
                    client_id=f"a{i}",
                    text="…",
                    subclass_code="09.05",
                    class_code="09",
                    status=status,
                    created_at=now - timedelta(hours=30),
                    updated_at=now,
                    due_at=now - timedelta(hours=6),
                    closed_at=now - timedelta(hours=10) if status == "closed" else None,
                    rating=4 if status == "closed" else None,
                )
            )
        s.commit()


async def test_participation_tab_shows_results_as_a_chart_in_both_languages(
    session: AppSession,
) -> None:
    await signed_in(session)
    seed(session)
    await session.participation.reload_local()
    view = home(session, "participation")
    assert {
        "Сауалнамалар",
        "Бастамалар",
        "Ұсыныстар",
        "Қай саябақ?",
        "Сіз дауыс бердіңіз.",
    } <= texts(view)
    assert "Нәтижелер: 3 адам дауыс берді" in texts(view)
    charts = [c for c in walk(view) if isinstance(c, fch.BarChart)]
    assert len(charts) == 1 and [g.rods[0].to_y for g in charts[0].groups] == [1, 2]
    session.translator.set_language("ru")
    view = home(session, "participation")
    assert {
        "Опросы",
        "Какой парк?",
        "Вы проголосовали.",
        "Результаты: проголосовали 3 жителя",
    } <= texts(view)


async def test_cabinet_tab_draws_the_analytics(session: AppSession) -> None:
    await signed_in(session)
    seed(session)
    await session.cabinet.load()
    view = home(session, "cabinet")
    found = texts(view)
    assert {"Менің өтініштерім", "Мәртебесі бойынша", "Санаты бойынша", "4.0 / 5", "100%"} <= found
    assert {"Жеке деректер", "Менің мекенжайларым", "Хабарлама баптаулары", "Шығу"} <= found
    assert any(isinstance(c, fch.PieChart) for c in walk(view))
    assert any(isinstance(c, fch.BarChart) for c in walk(view))
    session.translator.set_language("ru")
    view = home(session, "cabinet")
    assert {"Мои обращения", "По статусам", "Личные данные", "Выйти", "решено в срок"} <= texts(
        view
    )


async def test_cabinet_pages_build_in_kazakh_and_russian(session: AppSession) -> None:
    await signed_in(session)
    for lang, expected in (
        ("kk", {"Жеке деректер", "ЖСН (міндетті емес)", "Нөмірді өзгерту"}),
        ("ru", {"Личные данные", "ИИН (необязательно)", "Сменить номер"}),
    ):
        session.translator.set_language(lang)
        view = PersonalDataScreen(session.app, session.personal, "/cabinet/personal").build()
        assert expected <= texts(view)
    view = AddressesScreen(session.app, session.addresses, "/cabinet/addresses").build()
    assert {"Мои адреса", "Добавить адрес", "Пока нет сохранённых адресов."} <= texts(view)
    view = NotificationSettingsScreen(
        session.app, session.alert_settings, session.notice_prefs, "/cabinet/notifications"
    ).build()
    assert {"Настройки уведомлений", "Экстренные оповещения", "Районы", "Темы"} <= texts(view)


async def test_address_editor_keeps_what_was_typed_across_a_language_switch(
    session: AppSession,
) -> None:
    await signed_in(session)
    screen = AddressEditorScreen(session.app, session.addresses, "/cabinet/addresses/new", None)
    screen.build()
    session.addresses.set_text("Кенесары 40")
    screen.text_field.value = "Кенесары 40"
    session.translator.set_language("ru")
    screen = AddressEditorScreen(session.app, session.addresses, "/cabinet/addresses/new", None)
    view = screen.build()
    assert screen.text_field.value == "Кенесары 40"
    assert {"Новый адрес", "Найти на карте", "Использовать моё местоположение"} <= texts(view)


async def test_new_proposal_screen_and_its_errors(session: AppSession) -> None:
    await signed_in(session)
    screen = NewProposalScreen(
        session.app, session.participation, session.media_picker, "/participation/proposals/new"
    )
    view = screen.build()
    assert {"Жаңа ұсыныс", "Сіздің ұсынысыңыз", "Ұсынысты жіберу"} <= texts(view)
    session.participation.set_text("Аулаға орындық")
    await session.participation.submit_proposal()  # no category
    screen.render()
    assert screen.category_error.value == "Санатты таңдаңыз."
    screen.dispose()


def test_before_after_pair_and_widget() -> None:
    from app.i18n import Translator

    media = [
        MediaRef("image", "image/jpeg", url="/api/v1/media/b", role="applicant"),
        MediaRef("video", "video/mp4", url="/api/v1/media/v", role="applicant"),
        MediaRef("image", "image/jpeg", url="/api/v1/media/a", role="after"),
    ]
    before, after = pick_pair(media) or (None, None)
    assert before is not None and after is not None
    assert (before.url, after.url) == ("/api/v1/media/b", "/api/v1/media/a")
    assert pick_pair(media[:2]) is None  # no "after" photo: nothing to compare

    async def fetch(url: str) -> bytes | None:
        return url.encode()

    vm = BeforeAfterViewModel(media, fetch)
    tr = Translator("ru")
    widget = BeforeAfter(tr, vm)
    section = widget.build()
    assert "До и после" in texts(ft.View(controls=[section]))
    vm.before, vm.after = b"b", b"a"
    widget.render()
    assert {"До: ваше фото", "После: фото исполнителя"} <= texts(ft.View(controls=[section]))
    vm.set_mode("slider")
    vm.set_split(0.25)
    assert widget._overlay.width == 340 * 0.25
    widget.dispose()


async def test_before_after_loads_both_photos() -> None:
    media = [
        MediaRef("image", "image/jpeg", url="/m/b", role="applicant"),
        MediaRef("image", "image/jpeg", url="/m/a", role="after"),
    ]
    asked: list[str] = []

    async def fetch(url: str) -> bytes | None:
        asked.append(url)
        return None if url == "/m/a" else b"jpeg"

    vm = BeforeAfterViewModel(media, fetch)
    await vm.load()
    assert vm.failed and sorted(asked) == ["/m/a", "/m/b"]  # offline: said so, retry offered
