"""Appeals in sync (`Syncable`): the senders of the seven appeal actions and the mergers of the
feed's `appeal`, `message` and `forward` rows.

A sender uploads the item's attachments first (resumably), sends the action with its
idempotency key, and merges the server's answer with the entry marked done in one transaction
(`AppealsMerge.complete`); a refusal for good is shown on the appeal or message it creates. No
action goes to an appeal the server does not know (discarded): that is a refusal (`not_found`).
The feed's rows of one kind of one page are merged in one transaction; the status changes and
operator messages a pull brought (none during the first import of an account) go to
`on_updates` in one batch when the engine says the pull changed appeals (`changed`), after
`AppealsChanged` has told the view models.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from app.data.repositories import outbox as ob
from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_merge import AppealsMerge
from app.data.repositories.feed_cursor import FeedCursor
from app.data.repositories.outbox import payload_of
from app.data.services.appeals_api import AppealsApi
from app.data.store.models import OutboxEntry
from app.domain.appeals import AppealUpdate
from app.errors import ApiError
from app.sync.retry import is_refusal
from app.sync.syncable import Merger, Sender
from app.sync.uploads import AttachmentUploads, LocalFileError

FEED_KINDS = ("appeal", "message", "forward")


class AppealsSync:
    def __init__(
        self,
        changes: AppealsChanged,
        merge: AppealsMerge,
        api: AppealsApi,
        uploads: AttachmentUploads,
        cursor: FeedCursor,
        *,
        on_updates: Callable[[list[AppealUpdate]], None] | None = None,
    ) -> None:
        self._changes = changes
        self._merge = merge
        self._api = api
        self._uploads = uploads
        self._cursor = cursor
        # Status changes and operator messages the resident should hear about.
        self.on_updates = on_updates
        self._heard: list[AppealUpdate] = []  # merged by this pull, not announced yet

    def senders(self) -> Mapping[str, Sender]:
        return {
            ob.CREATE_APPEAL: self._refusals_shown(self._create),
            ob.SEND_MESSAGE: self._refusals_shown(self._message),
            ob.RATE: self._to_appeal(self._api.rate),
            ob.REOPEN: self._to_appeal(self._api.reopen),
            ob.COMPLAIN: self._to_appeal(self._api.complain),
            ob.FORWARD: self._forward,
            ob.MARK_READ: self._mark_read,
        }

    def mergers(self) -> Mapping[str, Merger]:
        return {kind: self._merger(kind) for kind in FEED_KINDS}

    def changed(self) -> None:
        self._changes.changed()
        heard, self._heard = self._heard, []
        if heard and self.on_updates is not None:
            self.on_updates(heard)

    # -- senders -------------------------------------------------------------------------------

    def _refusals_shown(self, send: Sender) -> Sender:
        """`send`, and a refusal for good shown on the appeal or message the entry creates."""

        async def sending(entry: OutboxEntry) -> None:
            try:
                await send(entry)
            except ApiError as exc:
                if is_refusal(exc):
                    await asyncio.to_thread(self._merge.refuse, entry, exc.message or exc.code)
                raise
            except LocalFileError:
                await asyncio.to_thread(self._merge.refuse, entry, "")
                raise

        return sending

    async def _create(self, entry: OutboxEntry) -> None:
        ids = await self._uploads.upload_all("appeal", entry.target_client_id)
        body = {**payload_of(entry), "attachment_ids": ids}
        data = await self._api.create_appeal(body, entry.idempotency_key)
        await asyncio.to_thread(self._merge.complete, entry, appeal=data)

    async def _server_id(self, entry: OutboxEntry) -> int:
        server_id = await asyncio.to_thread(self._merge.server_id_of, entry.target_client_id)
        if server_id is None:  # the appeal is gone (discarded): nothing to send it to
            raise ApiError(404, "not_found")
        return server_id

    async def _message(self, entry: OutboxEntry) -> None:
        server_id = await self._server_id(entry)
        ids = await self._uploads.upload_all("message", entry.entity_client_id or "")
        body = {**payload_of(entry), "attachment_ids": ids}
        data = await self._api.send_message(server_id, body, entry.idempotency_key)
        await asyncio.to_thread(self._merge.complete, entry, message=data)

    def _to_appeal(self, call: Callable[[int, dict[str, Any], str], Any]) -> Sender:
        """The sender of an action on the appeal whose answer is the appeal (rate, reopen,
        complain)."""

        async def sending(entry: OutboxEntry) -> None:
            server_id = await self._server_id(entry)
            data = await call(server_id, payload_of(entry), entry.idempotency_key)
            await asyncio.to_thread(self._merge.complete, entry, appeal=data)

        return sending

    async def _forward(self, entry: OutboxEntry) -> None:
        server_id = await self._server_id(entry)
        data = await self._api.forward(server_id, str(payload_of(entry).get("service")))
        await asyncio.to_thread(self._merge.complete, entry, forward=data)

    async def _mark_read(self, entry: OutboxEntry) -> None:
        server_id = await self._server_id(entry)
        await self._api.mark_read(server_id, int(payload_of(entry).get("up_to_id") or 0))
        await asyncio.to_thread(self._merge.complete, entry)

    # -- the feed ------------------------------------------------------------------------------

    def _merger(self, kind: str) -> Merger:
        async def merging(rows: list[dict[str, Any]]) -> None:
            result = await asyncio.to_thread(
                self._merge.apply_page, {kind: rows}, quiet=self._cursor.importing
            )
            self._heard.extend(result.updates)

        return merging
