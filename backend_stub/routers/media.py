"""Photos and videos: a direct (multipart) upload, and reading a stored file or its signed link.

Resumable (tus) uploads are in `routers/uploads`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from backend_stub.crud import media as media_crud
from backend_stub.deps import CurrentUser, DbDep, SettingsDep, console_operator, current_user
from backend_stub.errors import ApiError
from backend_stub.models import User
from backend_stub.presenters.media import file_response, media_out, media_url
from backend_stub.routers.media_headers import bad_header
from backend_stub.schemas.media import MediaLinkOut, MediaOut

router = APIRouter(prefix="/api/v1", tags=["media"])

MULTIPART_SLACK = 16 * 1024  # boundaries and part headers around the file itself

_MULTIPART_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def media_reader(request: Request, db: DbDep, settings: SettingsDep) -> User:
    """A signed-in app user (Bearer), or the operator of the web console (its cookie)."""
    operator = (
        None if request.headers.get("authorization") else console_operator(request, db, settings)
    )
    return operator if operator is not None else current_user(request, db, settings)


async def _capped(
    stream: AsyncIterator[bytes], limit: int, cap: int
) -> AsyncGenerator[bytes, None]:
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise media_crud.too_large(cap)
        yield chunk


async def _receive_file(request: Request, cap: int) -> UploadFile:
    """The multipart `file` part, spooled to a temp file; the body is cut off past the cap."""
    limit = cap + MULTIPART_SLACK
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise media_crud.too_large(cap)
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise bad_header("Content-Type", "multipart_expected", 415)
    parser = MultiPartParser(
        request.headers, _capped(request.stream(), limit, cap), max_files=1, max_fields=16
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiError(
            422, "validation_error", details={"fields": [{"loc": ["body"], "type": "multipart"}]}
        ) from exc
    except ClientDisconnect as exc:
        raise ApiError(400, "upload_incomplete") from exc
    file = form.get("file")
    if not isinstance(file, UploadFile):
        await form.close()
        raise ApiError(
            422,
            "validation_error",
            details={"fields": [{"loc": ["body", "file"], "type": "missing"}]},
        )
    return file


@router.post(
    "/media",
    response_model=MediaOut,
    status_code=201,
    openapi_extra=_MULTIPART_DOC,
    summary="Upload a photo or a small video (multipart field `file`)",
)
async def upload_media(
    request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep
) -> MediaOut:
    assert user.id is not None
    owner_id = user.id
    file = await _receive_file(request, media_crud.upload_cap(settings))
    ingest = partial(
        media_crud.ingest,
        db,
        settings=settings,
        owner_id=owner_id,
        src=file.file,
        filename=file.filename or "",
        content_type=file.content_type,
    )
    try:
        media = await anyio.to_thread.run_sync(ingest)
    finally:
        await file.close()
    return media_out(media)


@router.get(
    "/media/{media_id}",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}, "video/mp4": {}}}},
)
def get_media(
    media_id: str, user: Annotated[User, Depends(media_reader)], db: DbDep, settings: SettingsDep
) -> FileResponse:
    """The stored file, to its uploader, the appeal's owner and operators; 404 to anyone else."""
    media = media_crud.get_media(db, media_id=media_id)
    if media is None or not media_crud.can_read(db, user=user, media=media):
        raise ApiError(404, "not_found")
    return file_response(settings, media)


@router.post(
    "/media/{media_id}/link",
    response_model=MediaLinkOut,
    summary="A short-lived signed link to a stored file (for players that send no token)",
)
def link_media(
    media_id: str, user: Annotated[User, Depends(media_reader)], db: DbDep, settings: SettingsDep
) -> MediaLinkOut:
    """Same rights as reading the file; the link opens `/media/{id}/content` without a token
    until it expires (`MEDIA_LINK_TTL_S`). 404 to anyone who may not read the file."""
    media = media_crud.get_media(db, media_id=media_id)
    if media is None or not media_crud.can_read(db, user=user, media=media):
        raise ApiError(404, "not_found")
    sig, exp = media_crud.sign_link(settings, media.id)
    query = urlencode({"exp": exp, "sig": sig})
    return MediaLinkOut(url=f"{media_url(media.id)}/content?{query}", expires_at=exp)


@router.get(
    "/media/{media_id}/content",
    response_class=FileResponse,
    responses={
        200: {"content": {"image/jpeg": {}, "video/mp4": {}}},
        206: {"description": "the requested byte range (`Range: bytes=...`)"},
        403: {"description": "a wrong or expired signature"},
        416: {"description": "the range lies outside the file"},
    },
    summary="A stored file by its signed link (no token; HTTP Range for video players)",
)
def media_content(
    media_id: str,
    db: DbDep,
    settings: SettingsDep,
    exp: Annotated[str | None, Query(max_length=20, description="expiry, epoch seconds")] = None,
    sig: Annotated[str | None, Query(max_length=128)] = None,
) -> FileResponse:
    """The bytes, if the signature is this server's for this file and has not expired.

    Starlette's FileResponse answers `Range` with 206 (and 416 out of range), which video
    players need to seek and to start before the whole file has arrived.
    `Cross-Origin-Resource-Policy: cross-origin` lets a page of another origin embed it: the
    Flet web client is cross-origin isolated (`Cross-Origin-Embedder-Policy: require-corp`),
    and its <video> element would otherwise be refused the bytes. The signature is the guard.
    """
    if not (exp and exp.isascii() and exp.isdigit() and sig) or not media_crud.link_valid(
        settings, media_id, int(exp), sig
    ):
        raise ApiError(403, "media_link_invalid")
    return file_response(
        settings,
        media_crud.get_media(db, media_id=media_id),
        headers={
            "Cache-Control": f"private, max-age={max(0, int(exp) - int(time.time()))}",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
