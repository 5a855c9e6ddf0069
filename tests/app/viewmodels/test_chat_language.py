"""An operator's answer stays in the language it was written in, and the chat says so: "Written
in Russian" under it when the interface is Kazakh (and the other way round), nothing when the
languages agree, the server did not tell, or the message is the resident's own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.data.store.database import Database
from app.i18n import Translator
from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.navigation import Navigation
from tests.app.support.local_appeals import LocalAppeals
from tests.app.support.sync_harness import SyncSide
from tests.app.viewmodels.test_appeal_viewmodels import file_synced

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 7, 12, 9, 0, tzinfo=UTC)


def row(server_id: int, role: str, text: str, language: str | None) -> dict[str, Any]:
    """A message of the sync feed as the server sends it."""
    return {"id": server_id, "appeal_id": 9, "client_id": f"m-{server_id}", "author_role": role,
            "text": text, "created_at": f"2026-07-12T08:0{server_id}:00Z", "read_at": None,
            "media": [], "language": language}  # fmt: skip


async def test_answers_in_the_other_language_are_marked(db: Database) -> None:
    appeals = LocalAppeals.over(db, now=lambda: NOW)
    file_synced(appeals.actions, 9, status="assigned")
    SyncSide(appeals.actions).apply_sync_page(
        {"message": [
            row(1, "resident", "Когда приедут? Яма стала ещё больше.", "ru"),
            row(2, "operator", "Бригада выехала, работы начнутся завтра.", "ru"),
            row(3, "operator", "Бригада жолға шықты, жұмыс ертең басталады.", "kk"),
            row(4, "operator", "Принято", None),
        ]},
        cursor=3, etag=None, quiet=True,
    )  # fmt: skip
    language = ["kk"]
    vm = AppealDetailViewModel(
        "9", Navigation(), **appeals.for_detail(), language=lambda: language[0], now=lambda: NOW
    )
    await vm.load()
    assert [m.language for m in vm.messages] == ["ru", "ru", "kk", None]  # kept on the phone

    def marks(lang: str) -> list[str | None]:
        return [Translator(lang).render(vm.language_note(m)) for m in vm.messages]

    assert marks("kk") == [None, "Орыс тілінде жазылған", None, None]
    language[0] = "ru"  # a language switch re-reads the marks
    assert marks("ru") == [None, None, "Написано на казахском", None]
