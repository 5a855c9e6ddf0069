"""View models of "my appeals", one appeal (chat, rating, reopening, complaint), the
connectivity line and the status-change notifications — driven without any UI, on a real local
store (the server's answers are merged into it as the sync engine would)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.data.repositories import outbox as ob
from app.data.repositories.appeals import AppealsRepository
from app.data.services.api_client import ApiClient
from app.data.services.appeals_api import AppealsApi
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.domain.appeals import NewAppeal, Position
from app.i18n import Message, Translator
from app.sync.spine import build_sync
from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.appeals import AppealListViewModel, SyncStatusViewModel
from app.viewmodels.navigation import Navigation
from tests.app.data.test_appeals_repository import server_appeal
from tests.app.support.local_appeals import LocalAppeals
from tests.app.support.sync_harness import SyncSide

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 7, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def appeals(db: Database, clock: list[datetime]) -> LocalAppeals:
    return LocalAppeals.over(db, now=lambda: clock[0])


@pytest.fixture
def repo(appeals: LocalAppeals) -> AppealsRepository:
    return appeals.actions


def new(text: str = "Жол бұзылған") -> NewAppeal:
    return NewAppeal(text=text, subclass_code="01.01", position=Position(51.1, 71.4))


def file_synced(repo: AppealsRepository, server_id: int, **server: Any) -> str:
    cid = repo.file_sync(new())
    entry = next(e for e in repo.outbox.entries() if e.target_client_id == cid)
    SyncSide(repo).complete(entry, appeal=server_appeal(cid, server_id, **server))
    return cid


def ru(message: Message | None) -> str | None:
    return Translator("ru").render(message)


def kk(message: Message | None) -> str | None:
    return Translator("kk").render(message)


# -- the list ------------------------------------------------------------------------------------


async def test_list_pages_filters_marks_and_opens(
    repo: AppealsRepository, appeals: LocalAppeals, clock: list[datetime]
) -> None:
    nav = Navigation()
    names = {"01.01": {"kk": "Әкімдіктің басқармалары", "ru": "Управления акимата"}}
    lang = ["kk"]
    vm = AppealListViewModel(
        appeals.queries,
        appeals.changes,
        nav,
        language=lambda: lang[0],
        category_name=lambda code, lg: names.get(code, {}).get(lg),
        now=lambda: clock[0],
        page_size=2,
    )
    synced = file_synced(repo, 5, status="in_progress", due_at="2026-07-11T09:00:00Z", overdue=True)
    for i in range(3):
        clock[0] += timedelta(minutes=1)
        repo.file_sync(new(f"күтуде {i}"))
    await vm.load()
    assert [r.item.text for r in vm.rows] == ["күтуде 2", "күтуде 1"] and vm.has_more
    assert kk(vm.rows[0].sync) == "Жіберуді күтуде"
    assert kk(vm.rows[0].number) == "Нөмір жіберілгеннен кейін беріледі"
    await vm.load_more()
    await vm.load_more()
    assert len(vm.rows) == 4 and not vm.has_more
    last = vm.rows[-1]
    assert last.item.client_id == synced and last.overdue and last.sync is None
    assert last.category == "Әкімдіктің басқармалары" and ru(last.number) == "№ 109-2607-000005"
    lang[0] = "ru"
    await vm.refresh()
    assert vm.rows[-1].category == "Управления акимата"
    await vm.set_filter("in_progress")
    assert [r.item.client_id for r in vm.rows] == [synced]
    await vm.open(vm.rows[0])
    assert nav.history == ["/appeals/5"]
    await vm.set_filter("closed")
    assert vm.rows == [] and vm.empty_notice == "No appeals with this status."
    await vm.set_filter(None)
    assert vm.rows[0].route.startswith("/appeals/") and len(vm.rows[0].route) > 20  # client id


async def test_list_refreshes_itself_when_the_store_changes(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    vm = AppealListViewModel(appeals.queries, appeals.changes, Navigation(), language=lambda: "kk")
    await vm.load()
    assert vm.rows == [] and vm.empty_notice is not None
    await repo.file(new())
    for _ in range(20):
        await asyncio.sleep(0.01)
        if vm.rows:
            break
    assert len(vm.rows) == 1


# -- the connectivity line -----------------------------------------------------------------------


async def test_sync_status_texts_and_sync_now(
    repo: AppealsRepository, appeals: LocalAppeals, tmp_path: Path
) -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("offline", request=request)

    tokens = TokenHolder()
    tokens.set("a", "r")
    api = ApiClient(
        "http://x", language=lambda: "kk", tokens=tokens, transport=httpx.MockTransport(offline)
    )
    engine = build_sync(
        repo.outbox, appeals.changes, AppealsApi(api), signed_in=lambda: True, now=lambda: NOW
    ).engine
    vm = SyncStatusViewModel(engine, lambda: "ru", now=lambda: NOW)
    assert vm.offline_notice is None and ru(vm.last_synced) == "Ещё не синхронизировано"
    await repo.file(new())
    await vm.sync_now()
    assert vm.offline
    assert (ru(vm.offline_notice) or "").startswith("Нет сети")
    assert ru(vm.pending_notice) == "Ожидает отправки: 1"
    engine.status.online, engine.status.last_synced_at = True, NOW - timedelta(minutes=5)
    assert ru(vm.last_synced) == "Синхронизировано: 12 июл., 13:55"
    await api.aclose()


# -- one appeal ----------------------------------------------------------------------------------


def detail_vm(
    appeals: LocalAppeals, ref: str, nav: Navigation | None = None
) -> AppealDetailViewModel:
    return AppealDetailViewModel(
        ref,
        nav or Navigation(),
        **appeals.for_detail(),
        language=lambda: "kk",
        service_names=lambda code: {"kk": "Жолдар басқармасы", "ru": "Управление дорог"},
        now=lambda: NOW,
    )


async def test_detail_shows_status_deadline_service_history_and_chat(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    cid = file_synced(repo, 9, status="assigned", due_at="2026-07-13T12:30:00Z")
    SyncSide(repo).apply_sync_page(
        {"message": [{"id": 1, "appeal_id": 9, "client_id": "op-1", "author_role": "operator",
                      "text": "Қарастырудамыз", "created_at": "2026-07-12T09:10:00Z",
                      "read_at": None, "media": []}]},
        cursor=3, etag=None, quiet=True,
    )  # fmt: skip
    vm = detail_vm(appeals, "9")
    await vm.load()
    assert kk(vm.title) == "№ 109-2607-000009 өтініш"
    assert vm.service == "Жолдар басқармасы" and vm.status_label == "Assigned"
    assert kk(vm.countdown) == "1 күн 3 сағ қалды"
    assert kk(vm.history_line(vm.detail.history[0])) == "Мәртебесі: Тіркелді"  # type: ignore[union-attr]
    assert [m.text for m in vm.messages] == ["Қарастырудамыз"]
    assert kk(vm.author(vm.messages[0])) == "Оператор"  # no job named: the role
    # Opening the chat marks the operator's message read and queues telling the server.
    assert [e.kind for e in repo.outbox.entries()] == [ob.MARK_READ]
    assert not vm.can_rate and not vm.can_reopen and vm.can_chat
    assert vm.client_id == cid


async def test_chat_sends_offline_and_keeps_text_on_error(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    file_synced(repo, 4)
    vm = detail_vm(appeals, "4")
    await vm.load()
    vm.set_chat_text("   ")
    await vm.send()
    assert kk(vm.errors["chat"]) == "Хабарлама жазыңыз немесе фото тіркеңіз."
    vm.set_chat_text("Қашан келесіздер?")
    assert "chat" not in vm.errors
    revision = vm.input_revision
    await vm.send()
    assert vm.chat_text == "" and vm.input_revision == revision + 1
    [message] = vm.messages
    assert message.text == "Қашан келесіздер?" and kk(vm.message_note(message)) == "Жіберуді күтуде"


async def test_rating_reopen_and_complaint_go_through_the_outbox(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    file_synced(repo, 6, status="closed", closed_at="2026-07-12T08:00:00Z", result_text="Жөнделді")
    vm = detail_vm(appeals, "6")
    await vm.load()
    assert vm.can_rate and vm.can_reopen
    await vm.rate()
    assert kk(vm.errors["rating"]) == "1-ден 5-ке дейін баға таңдаңыз."
    vm.set_score(4)
    vm.set_rating_comment("Рақмет")
    await vm.rate()
    assert not vm.can_rate
    notes = vm.action_notes()
    assert [kk(n.text) for n in notes] == ["Сіздің бағаңыз 4/5 жіберуді күтуде"]
    vm.toggle_reopen()
    await vm.reopen()
    assert kk(vm.errors["reopen"]) == "Себебін жазыңыз." and vm.show_reopen
    vm.set_reopen_reason("Қайтадан бұзылды")
    await vm.reopen()
    assert not vm.show_reopen and not vm.can_reopen
    vm.toggle_complaint()
    vm.set_complaint_text("Ұзақ күттім")
    await vm.complain()
    kinds = [e.kind for e in repo.outbox.entries()]
    assert kinds == [ob.RATE, ob.REOPEN, ob.COMPLAIN]
    # The server refuses the rating: it shows the reason, can be discarded.
    rate = repo.outbox.entries()[0]
    SyncSide(repo).reject(rate, "Обращение уже оценено.", "already_rated")
    await vm.load()
    refused = [n for n in vm.action_notes() if n.refused]
    assert [kk(n.text) for n in refused] == ["Бағаңыз қабылданбады: Обращение уже оценено."]
    await vm.discard(refused[0].action_id)
    assert [e.kind for e in repo.outbox.entries()] == [ob.REOPEN, ob.COMPLAIN]


async def test_refused_appeal_can_be_edited_or_discarded(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    cid = repo.file_sync(new("қате"))
    SyncSide(repo).reject(repo.outbox.entries()[0], "Мәтін тым қысқа.", "validation_error")
    nav = Navigation()
    vm = detail_vm(appeals, cid, nav)
    await vm.load()
    assert vm.appeal_refused and kk(vm.sync_note) == "Қабылданбады: Мәтін тым қысқа."
    assert vm.resubmit_text == "қате" and not vm.can_chat
    vm.set_resubmit_text("Аулада жол бұзылған")
    await vm.resubmit()
    assert not vm.appeal_refused and kk(vm.sync_note) == "Жіберуді күтуде"
    SyncSide(repo).reject(repo.outbox.entries()[0], "Тағы да қате.", "validation_error")
    await vm.load()
    await vm.discard_appeal()
    assert nav.history == ["/"] and await appeals.queries.detail(cid) is None


async def test_forward_lines_and_unknown_appeal(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    cid = repo.file_sync(
        NewAppeal(text="Өрт", subclass_code="01.01", address="Абай 1", emergency=True,
                  emergency_service="101")
    )  # fmt: skip
    vm = detail_vm(appeals, cid)
    await vm.load()
    [fwd] = vm.detail.forwards  # type: ignore[union-attr]
    assert kk(vm.forward_line(fwd)) == (
        "Байланыс болғанда «Өрт сөндіру қызметі» (101) қызметіне жіберіледі"
    )
    SyncSide(repo).complete(repo.outbox.entries()[0], appeal=server_appeal(cid, 12, emergency=True))
    SyncSide(repo).apply_sync_page(
        {"forward": [{"id": 1, "appeal_id": 12, "service": "101", "phone": "101",
                      "state": "accepted", "call_advised": False, "acceptance_id": "A-1",
                      "accepted_at": "2026-07-12T09:05:00Z", "sent_at": None}]},
        cursor=2, etag=None, quiet=True,
    )  # fmt: skip
    await vm.load()
    [fwd] = vm.detail.forwards  # type: ignore[union-attr]
    assert kk(vm.forward_line(fwd)) == "«Өрт сөндіру қызметі» қызметі 14:05 уақытында қабылдады"
    missing = detail_vm(appeals, "999")
    await missing.load()
    assert missing.not_found and kk(missing.title) == "№ 999 өтініш"


async def test_emergency_history_note_follows_the_language_live(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    kk_text = "Өтініш жедел қызметке жіберілуде: Өрт сөндіру қызметі (101)."
    ru_text = "Обращение передаётся в экстренную службу: Пожарная служба (101)."
    legacy = "Өрт сөндіру қызметі (101) / Пожарная служба (101)"
    history = [
        {"at": "2026-07-12T09:00:00Z", "actor_role": "resident", "kind": "status",
         "from_status": None, "to_status": "created", "note": None},
        {"at": "2026-07-12T09:01:00Z", "actor_role": "resident", "kind": "emergency",
         "from_status": None, "to_status": None, "note": kk_text,
         "notes": {"kk": kk_text, "ru": ru_text}},
        {"at": "2026-07-12T09:02:00Z", "actor_role": "system", "kind": "emergency",
         "from_status": None, "to_status": None, "note": legacy},  # an old server's line
        {"at": "2026-07-12T09:03:00Z", "actor_role": "resident", "kind": "rating",
         "from_status": None, "to_status": None, "note": "5/5", "notes": None},
    ]  # fmt: skip
    file_synced(repo, 12, emergency=True, history=history)
    language = ["kk"]
    vm = AppealDetailViewModel(
        "12", Navigation(), **appeals.for_detail(), language=lambda: language[0],
        service_names=lambda c: {},
        now=lambda: NOW,
    )  # fmt: skip
    await vm.load()
    created, forward, old, rating = vm.detail.history  # type: ignore[union-attr]
    assert kk(vm.history_line(forward)) == "Шұғыл қызметтер"
    assert vm.history_note(forward) == kk_text
    language[0] = "ru"  # a live switch: the same view model, the same stored line
    assert ru(vm.history_line(forward)) == "Экстренные службы"
    assert vm.history_note(forward) == ru_text
    assert vm.history_note(old) == legacy  # shown as it is
    assert vm.history_note(created) is None and vm.history_note(rating) is None
    # the store keeps both languages across a restart of the view model
    again = AppealDetailViewModel(
        "12", Navigation(), **appeals.for_detail(), language=lambda: "ru",
        service_names=lambda c: {},
        now=lambda: NOW,
    )  # fmt: skip
    await again.load()
    assert again.history_note(again.detail.history[1]) == ru_text  # type: ignore[union-attr]
