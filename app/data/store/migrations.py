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
    Migration(
        3,
        "appeals, chat, local media, outbox and sync cursor",
        _sql(
            """
            CREATE TABLE appeal (
                client_id VARCHAR NOT NULL PRIMARY KEY,
                server_id INTEGER UNIQUE,
                number VARCHAR,
                text VARCHAR NOT NULL,
                type VARCHAR NOT NULL,
                class_code VARCHAR,
                subclass_code VARCHAR NOT NULL,
                service_code VARCHAR,
                importance VARCHAR,
                importance_raised BOOLEAN NOT NULL DEFAULT 0,
                lat FLOAT,
                lon FLOAT,
                accuracy_m FLOAT,
                address VARCHAR,
                district VARCHAR,
                share_personal BOOLEAN NOT NULL DEFAULT 1,
                applicant_name VARCHAR,
                language VARCHAR NOT NULL DEFAULT 'kk',
                emergency BOOLEAN NOT NULL DEFAULT 0,
                emergency_service VARCHAR,
                status VARCHAR NOT NULL DEFAULT 'created',
                created_at DATETIME NOT NULL,
                updated_at DATETIME NOT NULL,
                due_at DATETIME,
                closed_at DATETIME,
                overdue BOOLEAN NOT NULL DEFAULT 0,
                result_text VARCHAR,
                reopen_count INTEGER NOT NULL DEFAULT 0,
                repeat_count INTEGER NOT NULL DEFAULT 0,
                rating INTEGER,
                rating_comment VARCHAR,
                media_json VARCHAR NOT NULL DEFAULT '[]',
                sync_state VARCHAR NOT NULL DEFAULT 'pending',
                sync_error VARCHAR,
                server_updated_at DATETIME
            )
            """,
            "CREATE INDEX ix_appeal_created ON appeal (created_at, client_id)",
            "CREATE INDEX ix_appeal_status ON appeal (status, created_at, client_id)",
            """
            CREATE TABLE appeal_message (
                client_id VARCHAR NOT NULL PRIMARY KEY,
                server_id INTEGER UNIQUE,
                appeal_client_id VARCHAR NOT NULL
                    REFERENCES appeal (client_id) ON DELETE CASCADE,
                author_role VARCHAR NOT NULL,
                text VARCHAR NOT NULL DEFAULT '',
                created_at DATETIME NOT NULL,
                read_at DATETIME,
                media_json VARCHAR NOT NULL DEFAULT '[]',
                sync_state VARCHAR NOT NULL DEFAULT 'pending',
                sync_error VARCHAR
            )
            """,
            "CREATE INDEX ix_message_appeal ON appeal_message (appeal_client_id, created_at)",
            """
            CREATE TABLE local_media (
                id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                owner_kind VARCHAR NOT NULL,
                owner_client_id VARCHAR NOT NULL,
                position INTEGER NOT NULL DEFAULT 0,
                path VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                content_type VARCHAR NOT NULL,
                size INTEGER NOT NULL,
                server_media_id VARCHAR,
                upload_url VARCHAR,
                upload_offset INTEGER NOT NULL DEFAULT 0,
                state VARCHAR NOT NULL DEFAULT 'pending',
                error VARCHAR,
                created_at DATETIME NOT NULL
            )
            """,
            "CREATE INDEX ix_local_media_owner_client_id ON local_media (owner_client_id)",
            """
            CREATE TABLE appeal_history (
                id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                appeal_client_id VARCHAR NOT NULL
                    REFERENCES appeal (client_id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                at DATETIME NOT NULL,
                actor_role VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                from_status VARCHAR,
                to_status VARCHAR,
                note VARCHAR
            )
            """,
            "CREATE INDEX ix_history_appeal ON appeal_history (appeal_client_id, position)",
            """
            CREATE TABLE appeal_forward (
                id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                appeal_client_id VARCHAR NOT NULL
                    REFERENCES appeal (client_id) ON DELETE CASCADE,
                service VARCHAR NOT NULL,
                server_id INTEGER UNIQUE,
                state VARCHAR NOT NULL DEFAULT 'queued',
                phone VARCHAR NOT NULL,
                call_advised BOOLEAN NOT NULL DEFAULT 0,
                acceptance_id VARCHAR,
                accepted_at DATETIME,
                sent_at DATETIME,
                updated_at DATETIME NOT NULL,
                UNIQUE (appeal_client_id, service)
            )
            """,
            """
            CREATE TABLE outbox (
                id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                kind VARCHAR NOT NULL,
                target_client_id VARCHAR NOT NULL,
                entity_client_id VARCHAR,
                payload_json VARCHAR NOT NULL DEFAULT '{}',
                idempotency_key VARCHAR NOT NULL UNIQUE,
                priority INTEGER NOT NULL DEFAULT 0,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at DATETIME,
                state VARCHAR NOT NULL DEFAULT 'pending',
                last_error VARCHAR,
                last_error_code VARCHAR,
                created_at DATETIME NOT NULL,
                updated_at DATETIME NOT NULL
            )
            """,
            "CREATE INDEX ix_outbox_target_client_id ON outbox (target_client_id, id)",
            "CREATE INDEX ix_outbox_state ON outbox (state, priority, id)",
            """
            CREATE TABLE sync_meta (
                id INTEGER NOT NULL PRIMARY KEY,
                cursor INTEGER NOT NULL DEFAULT 0,
                etag VARCHAR,
                last_synced_at DATETIME,
                last_error VARCHAR
            )
            """,
        ),
    ),
    Migration(
        4,
        "classifier cache, new-appeal draft, resident cache (profile, last position)",
        _sql(
            """
            CREATE TABLE classifier_cache (
                id INTEGER NOT NULL PRIMARY KEY,
                version VARCHAR NOT NULL,
                etag VARCHAR,
                body_json VARCHAR NOT NULL,
                fetched_at DATETIME NOT NULL
            )
            """,
            """
            CREATE TABLE appeal_draft (
                id INTEGER NOT NULL PRIMARY KEY,
                data_json VARCHAR NOT NULL DEFAULT '{}',
                updated_at DATETIME NOT NULL
            )
            """,
            """
            CREATE TABLE resident_cache (
                key VARCHAR NOT NULL PRIMARY KEY,
                value_json VARCHAR NOT NULL,
                updated_at DATETIME NOT NULL
            )
            """,
        ),
    ),
    Migration(
        5,
        "polls, initiatives, proposals, saved addresses",
        _sql(
            """
            CREATE TABLE poll (
                id INTEGER NOT NULL PRIMARY KEY,
                data_json VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                closes_at DATETIME NOT NULL,
                vote_json VARCHAR,
                vote_client_id VARCHAR,
                vote_state VARCHAR,
                vote_error VARCHAR,
                updated_at DATETIME NOT NULL
            )
            """,
            "CREATE INDEX ix_poll_status ON poll (status, closes_at, id)",
            """
            CREATE TABLE initiative (
                id INTEGER NOT NULL PRIMARY KEY,
                data_json VARCHAR NOT NULL,
                state VARCHAR NOT NULL,
                updated_at DATETIME NOT NULL,
                support_wanted BOOLEAN,
                support_state VARCHAR,
                support_error VARCHAR
            )
            """,
            """
            CREATE TABLE proposal (
                key VARCHAR NOT NULL PRIMARY KEY,
                server_id INTEGER UNIQUE,
                mine BOOLEAN NOT NULL DEFAULT 0,
                text VARCHAR NOT NULL,
                category VARCHAR NOT NULL,
                lat FLOAT,
                lon FLOAT,
                address VARCHAR,
                district VARCHAR,
                state VARCHAR NOT NULL DEFAULT 'pending',
                moderator_note VARCHAR,
                support_count INTEGER NOT NULL DEFAULT 0,
                supported BOOLEAN NOT NULL DEFAULT 0,
                photo_ids_json VARCHAR NOT NULL DEFAULT '[]',
                photo_path VARCHAR,
                created_at DATETIME NOT NULL,
                sync_state VARCHAR NOT NULL DEFAULT 'synced',
                sync_error VARCHAR,
                support_state VARCHAR,
                support_error VARCHAR
            )
            """,
            "CREATE INDEX ix_proposal_created ON proposal (mine, created_at, key)",
            """
            CREATE TABLE profile_address (
                key VARCHAR NOT NULL PRIMARY KEY,
                server_id INTEGER UNIQUE,
                label VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                lat FLOAT,
                lon FLOAT,
                district VARCHAR,
                deleted BOOLEAN NOT NULL DEFAULT 0,
                sync_state VARCHAR NOT NULL DEFAULT 'synced',
                sync_error VARCHAR,
                created_at DATETIME NOT NULL
            )
            """,
        ),
    ),
    Migration(
        6,
        "alerts, notices and safety preferences cache, public reference cache (places bundle)",
        _sql(
            """
            CREATE TABLE alert_cache (
                identifier VARCHAR NOT NULL PRIMARY KEY,
                sent DATETIME NOT NULL,
                expires DATETIME NOT NULL,
                msg_type VARCHAR NOT NULL,
                state VARCHAR NOT NULL,
                data_json VARCHAR NOT NULL,
                seen BOOLEAN NOT NULL DEFAULT 0,
                received_at DATETIME NOT NULL
            )
            """,
            "CREATE INDEX ix_alert_cache_sent ON alert_cache (sent)",
            """
            CREATE TABLE notice_cache (
                id INTEGER NOT NULL PRIMARY KEY,
                data_json VARCHAR NOT NULL,
                seen BOOLEAN NOT NULL DEFAULT 0,
                updated_at DATETIME NOT NULL
            )
            """,
            """
            CREATE TABLE safety_pref (
                key VARCHAR NOT NULL PRIMARY KEY,
                value_json VARCHAR NOT NULL,
                updated_at DATETIME NOT NULL
            )
            """,
            """
            CREATE TABLE reference_cache (
                key VARCHAR NOT NULL PRIMARY KEY,
                version VARCHAR,
                etag VARCHAR,
                value_json VARCHAR NOT NULL,
                fetched_at DATETIME NOT NULL
            )
            """,
        ),
    ),
    Migration(
        7,
        "history lines in both languages (emergency forward moves)",
        _sql("ALTER TABLE appeal_history ADD COLUMN notes_json VARCHAR"),
    ),
    Migration(
        8,
        "the language a chat message was written in (kk, ru; null when not told)",
        _sql("ALTER TABLE appeal_message ADD COLUMN language VARCHAR"),
    ),
    Migration(
        9,
        "who answered, as the resident is told: a staff member's job in kk and ru",
        _sql(
            "ALTER TABLE appeal_message ADD COLUMN author_titles_json VARCHAR",
            "ALTER TABLE appeal_history ADD COLUMN actor_titles_json VARCHAR",
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
