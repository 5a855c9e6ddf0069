"""The attachments waiting to be uploaded (`local_media` rows of an appeal, a message or a
proposal) and their upload progress (the tus URL and offset, the server's media id).

Blocking (SQLite): call it from `asyncio.to_thread`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from app.data.store.database import Database
from app.data.store.models import LocalMedia


class MediaUploads:
    def __init__(self, db: Database) -> None:
        self._db = db

    def to_send(self, owner_kind: str, owner: str) -> list[LocalMedia]:
        """The attachments of one item, in their order."""
        with self._db.read() as s:
            return list(
                s.exec(
                    select(LocalMedia)
                    .where(LocalMedia.owner_kind == owner_kind, LocalMedia.owner_client_id == owner)
                    .order_by(col(LocalMedia.position))
                ).all()
            )

    def save(self, media_id: int, **values: Any) -> None:
        with self._db.begin() as conn:
            conn.execute(update(LocalMedia).where(col(LocalMedia.id) == media_id).values(**values))
