"""The sync spine of one page session, built once: the engine over the appeals' outbox, the
feed cursor, attachment uploads, and appeals registered as the first `Syncable` (their rows are
merged before any other feature's). Other features are registered on `engine` after it.

The appeals' actions and the engine need each other (the engine sends what the actions queue in
the outbox; a new action asks the engine for a pass at once, through `AppealsChanged`): the spine
closes that loop, so every wiring of the engine (the app, tests, benchmarks) has it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_merge import AppealsMerge
from app.data.repositories.feed_cursor import FeedCursor
from app.data.repositories.media_uploads import MediaUploads
from app.data.repositories.outbox import Outbox
from app.data.services.appeals_api import AppealsApi
from app.domain.appeals import AppealUpdate
from app.domain.timestamps import utcnow
from app.sync.appeals import AppealsSync
from app.sync.engine import SyncEngine
from app.sync.uploads import SMALL_UPLOAD_MAX, TUS_CHUNK, AttachmentUploads


@dataclass(frozen=True)
class SyncSpine:
    engine: SyncEngine
    appeals: AppealsSync
    uploads: AttachmentUploads


def build_sync(
    outbox: Outbox,
    changes: AppealsChanged,
    api: AppealsApi,
    *,
    small_upload_max: int = SMALL_UPLOAD_MAX,
    chunk_size: int = TUS_CHUNK,
    now: Callable[[], datetime] = utcnow,
    on_updates: Callable[[list[AppealUpdate]], None] | None = None,
    **engine_options: Any,
) -> SyncSpine:
    """`outbox`: the store's one outbox; `changes`: its "appeals changed" signal (told after a
    merge; a new action told to it asks the engine for a pass).
    `on_updates`: where the status changes and operator messages a pull brought go.
    `engine_options` go to `SyncEngine` (signed_in, backoff, period_s, events, ...)."""
    db = outbox.database
    cursor = FeedCursor(db, now=now)
    merge = AppealsMerge(db, outbox, now=now)
    uploads = AttachmentUploads(
        MediaUploads(db), api, small_upload_max=small_upload_max, chunk_size=chunk_size
    )
    engine = SyncEngine(outbox, api, cursor, now=now, **engine_options)
    appeals_sync = AppealsSync(changes, merge, api, uploads, cursor, on_updates=on_updates)
    engine.register(appeals_sync)
    changes.on_enqueued = engine.request_sync
    return SyncSpine(engine, appeals_sync, uploads)
