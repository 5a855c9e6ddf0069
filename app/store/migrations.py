"""Schema versioning: a `schema_version` table and ordered migration steps.

Each step runs in its own transaction together with the row that records it, so an app update
upgrades an existing database step by step and a crash never leaves a half-applied step. Steps
are append-only: never edit a released step, add a new one. A database newer than the app
(downgrade) is refused rather than guessed at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the app."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _sql(*statements: str) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        for statement in statements:
            conn.execute(text(statement))

    return run


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "device settings",
        _sql("CREATE TABLE setting (key VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL)"),
    ),
    Migration(
        2,
        "signed-in resident session",
        _sql(
            """
            CREATE TABLE auth_session (
                id INTEGER NOT NULL PRIMARY KEY,
                phone VARCHAR NOT NULL,
                access_token VARCHAR NOT NULL,
                refresh_token VARCHAR NOT NULL,
                access_expires_at DATETIME,
                user_json VARCHAR NOT NULL DEFAULT '{}',
                signed_in_at DATETIME NOT NULL
            )
            """
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def _ensure_version_table(conn: Connection) -> None:
    conn.execute(
        text(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER NOT NULL PRIMARY KEY,"
            " description VARCHAR NOT NULL,"
            " applied_at VARCHAR NOT NULL)"
        )
    )


def current_version(conn: Connection) -> int:
    _ensure_version_table(conn)
    value = conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar()
    return int(value or 0)


def migrate(engine: Engine, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply every step newer than the database; return the resulting version."""
    versions = [s.version for s in steps]
    if versions != sorted(set(versions)):
        raise ValueError("migration versions must be unique and ascending")
    latest = versions[-1] if versions else 0
    with engine.begin() as conn:
        version = current_version(conn)
    if version > latest:
        raise SchemaTooNewError(
            f"database schema version {version} is newer than this app ({latest})"
        )
    for step in steps:
        if step.version <= version:
            continue
        with engine.begin() as conn:
            step.apply(conn)
            conn.execute(
                text(
                    "INSERT INTO schema_version (version, description, applied_at)"
                    " VALUES (:v, :d, :t)"
                ),
                {"v": step.version, "d": step.description, "t": datetime.now(UTC).isoformat()},
            )
        log.info("local database migrated to version %d (%s)", step.version, step.description)
        version = step.version
    return version
