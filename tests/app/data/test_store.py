"""The local store: WAL, schema versioning, upgrades that keep the rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text

from app.data.store.database import Database, create_sqlite_engine, open_database
from app.data.store.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    SchemaTooNewError,
    current_version,
    migrate,
)
from app.data.store.models import AuthSession, LocalModel, Setting


def test_fresh_database_is_at_the_latest_version(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "a.db")
    assert db.version == LATEST_VERSION
    with db.engine.connect() as conn:
        assert current_version(conn) == LATEST_VERSION
        rows = conn.execute(text("SELECT version FROM schema_version ORDER BY version")).all()
        assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    db.close()


def test_upgrade_from_version_1_keeps_the_rows(tmp_path: Path) -> None:
    """An install of the first release (settings only) gets the sign-in table on update."""
    path = tmp_path / "old.db"
    engine = create_sqlite_engine(path)
    assert migrate(engine, MIGRATIONS[:1]) == 1
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('language', 'ru')"))
    engine.dispose()

    db = Database.open(path)
    assert db.version == LATEST_VERSION
    with db.session() as s:
        setting = s.get(Setting, "language")
        assert setting is not None and setting.value == "ru"
        s.add(AuthSession(phone="+77011234567", access_token="a", refresh_token="r",
                          signed_in_at=datetime.now(UTC)))  # fmt: skip
        s.commit()
    db.close()


def test_migration_runner_applies_only_newer_steps_in_order(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "x.db")
    applied: list[int] = []

    def step(n: int) -> Migration:
        return Migration(n, f"step {n}", lambda conn: applied.append(n))

    assert migrate(engine, [step(1), step(2)]) == 2
    assert migrate(engine, [step(1), step(2), step(3)]) == 3
    assert migrate(engine, [step(1), step(2), step(3)]) == 3
    assert applied == [1, 2, 3]
    engine.dispose()


def test_a_failing_step_leaves_the_previous_version(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "y.db")

    def boom(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE half (x INTEGER)"))
        raise RuntimeError("disk full")

    steps = [*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", boom)]
    with pytest.raises(RuntimeError):
        migrate(engine, steps)
    with engine.connect() as conn:
        assert current_version(conn) == LATEST_VERSION
        assert "half" not in inspect(conn).get_table_names()
    engine.dispose()


def test_database_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "new.db")
    future = [*MIGRATIONS, Migration(LATEST_VERSION + 1, "future", lambda conn: None)]
    migrate(engine, future)
    with pytest.raises(SchemaTooNewError):
        migrate(engine, MIGRATIONS)
    engine.dispose()


def test_versions_must_ascend(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "z.db")
    with pytest.raises(ValueError):
        migrate(engine, [MIGRATIONS[1], MIGRATIONS[0]])
    engine.dispose()


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "m.db")
    insp = inspect(db.engine)
    for table in LocalModel.metadata.sorted_tables:
        assert table.name in insp.get_table_names()
        have = {c["name"] for c in insp.get_columns(table.name)}
        want = {c.name for c in table.columns}
        assert want == have, table.name
    db.close()


def test_tokens_are_not_in_reprs() -> None:
    row = AuthSession(phone="+77011234567", access_token="SECRET-A", refresh_token="SECRET-R",
                      signed_in_at=datetime.now(UTC))  # fmt: skip
    assert "SECRET" not in repr(row)
    assert "SECRET" not in str(row)


def test_open_database_shares_one_engine_per_file(tmp_path: Path) -> None:
    a = open_database(tmp_path / "shared.db")
    b = open_database(tmp_path / "." / "shared.db")
    assert a is b
    a.close()
