"""Who answered, on the phone: a store file from before the server named staff jobs upgrades
with its chat and history kept (no job known: the app falls back to the role), and the sync feed
then stores each answer's and history line's job in kk and ru, and replaces it when the server
says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.data.store.database import Database, create_sqlite_engine
from app.data.store.migrations import LATEST_VERSION, MIGRATIONS, migrate
from tests.app.data.test_appeals_repository import server_appeal
from tests.app.support.local_appeals import LocalAppeals
from tests.app.support.sync_harness import SyncSide

NOW = datetime(2026, 7, 12, 12, 0, tzinfo=UTC)
EXECUTOR = {"kk": "орындаушы: Жолдар басқармасы", "ru": "исполнитель: Управление дорог"}
RENAMED = {"kk": "орындаушы: Қала жолдары", "ru": "исполнитель: Городские дороги"}


def old_store(path: Path) -> None:
    """A store file of the release before (schema 8) with one synced appeal, an operator's answer
    and a history line by the operator."""
    engine = create_sqlite_engine(path)
    assert migrate(engine, [m for m in MIGRATIONS if m.version <= 8]) == 8
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO appeal (client_id, server_id, number, text, type, subclass_code, status,"
            " created_at, updated_at, sync_state) VALUES ('a-1', 7, '109-2607-000007',"
            " 'Жол бұзылған', 'incident', '01.01', 'in_progress', '2026-07-12 09:00:00.000000',"
            " '2026-07-12 09:00:00.000000', 'synced')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO appeal_message (client_id, server_id, appeal_client_id, author_role, text,"
            " created_at, sync_state, language) VALUES ('op-1', 50, 'a-1', 'operator',"
            " 'Қарастырудамыз', '2026-07-12 10:00:00.000000', 'synced', 'kk')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO appeal_history (appeal_client_id, position, at, actor_role, kind,"
            " to_status) VALUES ('a-1', 0, '2026-07-12 09:30:00.000000', 'operator', 'status',"
            " 'in_progress')"
        ))  # fmt: skip
    engine.dispose()


def answer(titles: Any) -> dict[str, Any]:
    return {"id": 50, "appeal_id": 7, "client_id": "op-1", "author_role": "operator",
            "author_titles": titles, "text": "Қарастырудамыз", "language": "kk",
            "created_at": "2026-07-12T10:00:00Z", "read_at": None, "media": []}  # fmt: skip


def moved(titles: dict[str, str] | None) -> dict[str, Any]:
    return server_appeal("a-1", 7, status="in_progress", history=[
        {"at": "2026-07-12T09:30:00Z", "actor_role": "operator", "kind": "status",
         "from_status": "assigned", "to_status": "in_progress", "note": None,
         "actor_titles": titles},
    ])  # fmt: skip


def test_an_old_store_upgrades_and_the_feed_then_stores_and_updates_titles(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.db"
    old_store(path)
    db = Database.open(path)
    try:
        assert db.version == LATEST_VERSION
        appeals = LocalAppeals.over(db, now=lambda: NOW)
        side = SyncSide(appeals.actions)

        def seen() -> tuple[Any, Any]:
            [message] = appeals.queries.messages_sync("7")
            detail = appeals.queries.detail_sync("7")
            assert detail is not None
            [line] = detail.history
            return message.author_titles, line.actor_titles

        # the old rows are kept, with no job known (the screen shows the role)
        [message] = appeals.queries.messages_sync("7")
        assert (message.text, message.language, message.author_role) == (
            "Қарастырудамыз", "kk", "operator"
        )  # fmt: skip
        assert seen() == (None, None)

        side.apply_sync_page({"appeal": [moved(EXECUTOR)], "message": [answer(EXECUTOR)]},
                             cursor=1, etag=None, quiet=True)  # fmt: skip
        assert seen() == (EXECUTOR, EXECUTOR)
        # the body renamed on the server: the next rows replace what the phone keeps
        later = moved(RENAMED) | {"updated_at": "2026-07-12T11:00:00+00:00"}
        side.apply_sync_page({"appeal": [later], "message": [answer(RENAMED)]},
                             cursor=2, etag=None, quiet=True)  # fmt: skip
        assert seen() == (RENAMED, RENAMED)
        # a job the server no longer names (or junk) is not kept: back to the role
        junk = {"kk": 5, "ru": ""}
        latest = moved(None) | {"updated_at": "2026-07-12T11:30:00+00:00"}
        side.apply_sync_page({"appeal": [latest], "message": [answer(junk)]},
                             cursor=3, etag=None, quiet=True)  # fmt: skip
        assert seen() == (None, None)
    finally:
        db.close()
