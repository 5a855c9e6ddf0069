"""A database made by an earlier version is brought up to this one's indexes at start
(`db.init_db`): `create_all` alone makes missing tables, not missing indexes."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from backend_stub.config import Settings
from backend_stub.db import RETIRED_INDEXES, init_db, make_engine

NAMES = {  # read here by the test itself, not by the code under test
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
}


def index_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(NAMES[conn.dialect.name])).scalars())


def test_an_older_database_gets_the_indexes_added_since_and_loses_the_retired(
    settings: Settings,
) -> None:
    engine = make_engine(settings)
    try:
        init_db(engine)
        with engine.begin() as conn:  # as the version before ix_appeal_nearby left it
            conn.execute(text("DROP INDEX ix_appeal_nearby"))
            conn.execute(text("DROP INDEX ix_feedevent_user_id"))
            conn.execute(text("CREATE INDEX ix_appeal_subclass_code ON appeal (subclass_code)"))
        assert "ix_appeal_nearby" not in index_names(engine)

        init_db(engine)  # the next start

        names = index_names(engine)
        wanted = {ix.name for t in SQLModel.metadata.sorted_tables for ix in t.indexes}
        assert {"ix_appeal_nearby", "ix_feedevent_user_id"} <= wanted
        assert wanted <= names, wanted - names
        assert not names & set(RETIRED_INDEXES)
        init_db(engine)  # and again: nothing left to do, no error
    finally:
        engine.dispose()
