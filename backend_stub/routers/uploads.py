"""tus 1.0 resumable uploads of photos and videos (`/uploads`): create, resume, send, cancel."""

from __future__ import annotations

import base64
import binascii
import time
from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Header, Request, Response
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from backend_stub.config import Settings
from backend_stub.crud import media as media_crud
from backend_stub.crud import uploads as uploads_crud
from backend_stub.deps import CurrentUser, DbDep, SettingsDep
from backend_stub.errors import ApiError
from backend_stub.models import Upload
from backend_stub.presenters.media import media_out
from backend_stub.routers.media_headers import TUS, TUS_VERSION, bad_header
from backend_stub.schemas.media import UploadOut

router = APIRouter(prefix="/api/v1", tags=["media"])

WRITE_BATCH = 1024 * 1024  # bytes gathered before one write in a worker thread
TUS_CHUNK_TYPE = "application/offset+octet-stream"


def _check_tus_version(tus_resumable: str | None) -> None:
    if tus_resumable is not None and tus_resumable.strip() != TUS_VERSION:
        err = bad_header("Tus-Resumable", "unsupported_version", 412)
        err.headers = {**TUS, "Tus-Version": TUS_VERSION}
        raise err


def _parse_metadata(raw: str | None) -> dict[str, str]:
    """`Upload-Metadata: filename d29ybGQ=,filetype aW1hZ2UvanBlZw==` → {"filename": ...}."""
    result: dict[str, str] = {}
    for pair in (raw or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if not key:
            continue
        try:
            result[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise bad_header("Upload-Metadata", "base64") from exc
    return result


def _offset_headers(offset: int, length: int) -> dict[str, str]:
    return {
        **TUS,
        "Upload-Offset": str(offset),
        "Upload-Length": str(length),
        "Cache-Control": "no-store",
    }


@router.options("/uploads", status_code=204, summary="tus 1.0: what this server supports")
def tus_options(settings: SettingsDep) -> Response:
    return Response(
        status_code=204,
        headers={
            **TUS,
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": "creation,termination",
            "Tus-Max-Size": str(media_crud.upload_cap(settings)),
        },
    )


@router.post(
    "/uploads",
    status_code=201,
    response_class=Response,
    summary="tus 1.0: start a resumable upload",
)
def tus_create(
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
    upload_length: Annotated[int, Header(ge=0)],
    upload_metadata: Annotated[str | None, Header()] = None,
    tus_resumable: Annotated[str | None, Header()] = None,
) -> Response:
    assert user.id is not None
    _check_tus_version(tus_resumable)
    meta = _parse_metadata(upload_metadata)
    upload = uploads_crud.create_upload(
        db,
        settings=settings,
        owner_id=user.id,
        length=upload_length,
        filename=meta.get("filename") or meta.get("name") or "",
        content_type=(meta.get("filetype") or meta.get("type") or "").strip().lower(),
    )
    db.commit()
    return Response(
        status_code=201,
        headers={**TUS, "Location": f"/api/v1/uploads/{upload.id}", "Upload-Offset": "0"},
    )


@router.head(
    "/uploads/{upload_id}", response_class=Response, summary="tus 1.0: how much has arrived"
)
def tus_head(upload_id: str, user: CurrentUser, db: DbDep) -> Response:
    upload = uploads_crud.own_upload(db, user=user, upload_id=upload_id)
    headers = _offset_headers(upload.offset, upload.length)
    if upload.media_id:
        headers["Upload-Media-Id"] = upload.media_id
    return Response(status_code=200, headers=headers)


@router.get("/uploads/{upload_id}", response_model=UploadOut)
def get_upload(upload_id: str, user: CurrentUser, db: DbDep) -> UploadOut:
    upload = uploads_crud.own_upload(db, user=user, upload_id=upload_id)
    media = media_crud.get_media(db, media_id=upload.media_id) if upload.media_id else None
    return UploadOut(
        offset=upload.offset,
        length=upload.length,
        media=media_out(media) if media is not None else None,
    )


@router.delete("/uploads/{upload_id}", status_code=204, summary="tus 1.0: cancel an upload")
def tus_delete(upload_id: str, user: CurrentUser, db: DbDep, settings: SettingsDep) -> Response:
    _drop_upload(db, settings, uploads_crud.own_upload(db, user=user, upload_id=upload_id))
    return Response(status_code=204, headers=TUS)


def _drop_upload(db: Session, settings: Settings, upload: Upload) -> None:
    """Delete the upload and commit: a writer still at work stops."""
    uploads_crud.delete_upload(db, settings=settings, upload=upload)
    db.commit()


@router.patch("/uploads/{upload_id}", status_code=204, summary="tus 1.0: send bytes")
async def tus_patch(
    upload_id: str,
    request: Request,
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
    upload_offset: Annotated[int, Header(ge=0)],
    tus_resumable: Annotated[str | None, Header()] = None,
) -> Response:
    """Bytes at `Upload-Offset`; what arrived before a dropped connection is kept.

    One request writes an upload at a time: it claims the upload in the database first (so
    the claim holds across server processes too). Another PATCH meanwhile gets 409
    `upload_busy` (tus: not the offset to write at now; `Retry-After`), one at an offset that
    is not, or no longer, the upload's gets 409 `upload_offset_mismatch`; both carry the
    offset. When the last byte arrives the file is checked and stored like a direct upload,
    still under the claim, and the answer carries `Upload-Media-Id`.
    """
    _check_tus_version(tus_resumable)
    upload = await anyio.to_thread.run_sync(
        partial(uploads_crud.own_upload, db, user=user, upload_id=upload_id)
    )
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != TUS_CHUNK_TYPE:
        raise bad_header("Content-Type", TUS_CHUNK_TYPE, 415)
    if upload_offset != upload.offset:
        raise _offset_mismatch(upload.offset)
    uid = upload.id
    token = await anyio.to_thread.run_sync(partial(uploads_crud.claim_upload, db, upload_id=uid))
    if token is None:
        raise _busy(upload_offset)
    try:
        return await _write_claimed(request, db, settings, uid, upload_offset, token)
    finally:
        with anyio.CancelScope(shield=True):  # given back even if the request is cancelled
            await anyio.to_thread.run_sync(
                partial(uploads_crud.release_upload, db, upload_id=uid, token=token)
            )


def _offset_mismatch(offset: int) -> ApiError:
    return ApiError(
        409,
        "upload_offset_mismatch",
        details={"offset": offset},
        headers={**TUS, "Upload-Offset": str(offset)},
    )


def _busy(offset: int) -> ApiError:
    return ApiError(
        409,
        "upload_busy",
        details={"offset": offset},
        headers={**TUS, "Upload-Offset": str(offset), "Retry-After": "1"},
    )


async def _write_claimed(
    request: Request, db: Session, settings: Settings, upload_id: str, offset: int, token: str
) -> Response:
    """The PATCH of the upload's one writer: the offset is checked again as committed now."""
    upload = await anyio.to_thread.run_sync(
        partial(uploads_crud.current_upload, db, upload_id=upload_id)
    )
    if upload is None:
        raise ApiError(404, "not_found")
    if offset != upload.offset:
        raise _offset_mismatch(upload.offset)
    if upload.offset < upload.length:
        disconnected = await _receive_chunk(request, db, settings, upload, token)
        if disconnected:  # nobody is listening; the bytes so far are kept for the resume
            return Response(status_code=204, headers=TUS)
    headers = {**TUS, "Upload-Offset": str(upload.offset)}
    if upload.offset == upload.length:
        media = await anyio.to_thread.run_sync(
            partial(uploads_crud.finish_upload, db, settings=settings, upload=upload)
        )
        headers["Upload-Media-Id"] = media.id
    return Response(status_code=204, headers=headers)


async def _receive_chunk(
    request: Request, db: Session, settings: Settings, upload: Upload, token: str
) -> bool:
    """Write the body at the upload's offset and record it; True if the client went away.

    Before each write the claim is refreshed: a writer whose claim went stale and was taken
    over (it waited too long for bytes) stops without writing.
    """
    path = uploads_crud.part_path(settings, upload)
    if not path.is_file():
        await anyio.to_thread.run_sync(_drop_upload, db, settings, upload)
        raise ApiError(404, "not_found")
    start, remaining = upload.offset, upload.length - upload.offset
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > remaining:
        raise ApiError(413, "body_too_large", headers=TUS)
    written = 0
    buffer = bytearray()
    disconnected = False
    last_beat = time.monotonic()

    async def still_ours() -> None:
        nonlocal last_beat
        if not await anyio.to_thread.run_sync(
            partial(uploads_crud.holds_claim, db, upload_id=upload.id, token=token)
        ):
            gone = await anyio.to_thread.run_sync(
                partial(uploads_crud.current_upload, db, upload_id=upload.id)
            )
            raise ApiError(404, "not_found") if gone is None else _busy(gone.offset)
        last_beat = time.monotonic()

    async def write() -> None:
        nonlocal written
        await still_ours()
        try:
            await anyio.to_thread.run_sync(
                uploads_crud.write_chunk, path, start + written, bytes(buffer)
            )
        except FileNotFoundError as exc:  # the upload was cancelled meanwhile
            raise ApiError(404, "not_found") from exc
        written += len(buffer)
        buffer.clear()

    try:
        async for chunk in request.stream():
            if written + len(buffer) + len(chunk) > remaining:
                raise ApiError(413, "body_too_large", headers=TUS)
            buffer += chunk
            if len(buffer) >= WRITE_BATCH:
                await write()
            elif time.monotonic() - last_beat > uploads_crud.WRITER_HEARTBEAT_S:
                await still_ours()
    except ClientDisconnect:
        disconnected = True
    if buffer:
        await write()
    await anyio.to_thread.run_sync(uploads_crud.sync_part, path)
    moved = await anyio.to_thread.run_sync(
        partial(
            uploads_crud.advance_offset,
            db,
            upload=upload,
            old=start,
            new=start + written,
            token=token,
        )
    )
    if not moved and not disconnected:
        current = await anyio.to_thread.run_sync(
            partial(uploads_crud.current_upload, db, upload_id=upload.id)
        )
        if current is None:
            raise ApiError(404, "not_found")
        raise _busy(current.offset)
    return disconnected
