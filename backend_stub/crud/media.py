"""Stored media: checking and storing received files, attaching them, reading rights, signed
links. Resumable (tus) uploads are `crud.uploads`.

A stored file is first written to a hidden temp file next to its final place and renamed only
when complete, so the media dir never holds half a file. `ingest` then commits the file's row
itself (the commit rule's second exception, `crud/__init__.py`): a row that fails to commit takes
its file away with it, and an upload gets one file only, decided by a conditional update of the
upload's `media_id`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import update
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import staff as staff_crud
from backend_stub.errors import ApiError
from backend_stub.models import Appeal, MediaFile, Upload, User
from backend_stub.security import keyed_hash, same
from backend_stub.services.media_processing import (
    HEAD_BYTES,
    VIDEO_EXTENSIONS,
    MediaRejected,
    ProcessedMedia,
    classify,
    process_image,
    process_video,
    sniff_video,
)

log = logging.getLogger("city109.media")

COPY_CHUNK = 1024 * 1024
MIB = 1024 * 1024


def max_mb(limit_bytes: int) -> int:
    return max(1, limit_bytes // MIB)


def too_large(limit_bytes: int) -> ApiError:
    mb = max_mb(limit_bytes)
    return ApiError(413, "file_too_large", details={"max_mb": mb})


def rejected(exc: MediaRejected) -> ApiError:
    status = 415 if exc.code == "unsupported_media" else 422
    return ApiError(status, exc.code, details=exc.params or None)


def upload_cap(settings: Settings) -> int:
    """The largest file any upload may be: the bigger of the photo and video caps."""
    return max(settings.max_image_bytes, settings.max_video_bytes)


# ---------------------------------------------------------------- storing


def media_path(settings: Settings, media: MediaFile) -> Path:
    return settings.media_dir / media.path


def _relative_path(media_id: str, ext: str) -> str:
    now = datetime.now(UTC)
    return f"{now:%Y}/{now:%m}/{media_id}.{ext}"


@contextmanager
def _placed_path(settings: Settings, relative: str) -> Iterator[tuple[Path, Path]]:
    """A temp path to write (FFmpeg needs a file name); synced and renamed to `relative` on
    success, removed on any failure."""
    final = settings.media_dir / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp, final
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _placed(settings: Settings, relative: str) -> Iterator[tuple[BinaryIO, Path]]:
    """A temp file to fill; placed like `_placed_path`."""
    with _placed_path(settings, relative) as (tmp, final), tmp.open("wb") as fh:
        yield fh, final


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _store(
    db: Session,
    *,
    settings: Settings,
    owner_id: int,
    kind: str,
    content_type: str,
    ext: str,
    data: bytes,
    width: int | None = None,
    height: int | None = None,
    upload: Upload | None = None,
) -> MediaFile:
    """Write the bytes, then add and commit the row."""
    media_id = uuid.uuid4().hex
    relative = _relative_path(media_id, ext)
    with _placed(settings, relative) as (fh, final):
        fh.write(data)
    return _add_row(
        db,
        media=MediaFile(
            id=media_id,
            owner_id=owner_id,
            kind=kind,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            path=relative,
            width=width,
            height=height,
        ),
        final=final,
        upload=upload,
    )


def _store_video(
    db: Session,
    *,
    settings: Settings,
    owner_id: int,
    src: BinaryIO,
    content_type: str,
    upload: Upload | None,
) -> MediaFile:
    """Remux the video (see `media_processing.process_video`) straight into its place."""
    media_id = uuid.uuid4().hex
    relative = _relative_path(media_id, VIDEO_EXTENSIONS[content_type])
    with _placed_path(settings, relative) as (tmp, final):
        info = process_video(src, tmp, content_type)
        sha256, size = _digest(tmp)
    media = MediaFile(
        id=media_id,
        owner_id=owner_id,
        kind="video",
        content_type=content_type,
        size=size,
        sha256=sha256,
        path=relative,
        width=info.width,
        height=info.height,
    )
    return _add_row(db, media=media, final=final, upload=upload)


def _add_row(db: Session, *, media: MediaFile, final: Path, upload: Upload | None) -> MediaFile:
    """Commit the row of a file now in place (and the upload's media_id); else remove the file.

    An upload gets one file only: if another request finished it meanwhile, that file is the
    answer and this one goes.
    """
    try:
        db.add(media)
        if upload is not None:
            claimed = db.exec(
                update(Upload)
                .where(col(Upload.id) == upload.id, col(Upload.media_id).is_(None))
                .values(media_id=media.id)
            )
            if claimed.rowcount != 1:
                db.rollback()
                final.unlink(missing_ok=True)
                db.refresh(upload)
                existing = db.get(MediaFile, upload.media_id) if upload.media_id else None
                if existing is None:
                    raise ApiError(409, "upload_incomplete")
                return existing
        db.commit()
    except BaseException:
        db.rollback()
        final.unlink(missing_ok=True)
        raise
    if upload is not None:
        db.refresh(upload)
    return media


def ingest(
    db: Session,
    *,
    settings: Settings,
    owner_id: int,
    src: BinaryIO,
    filename: str,
    content_type: str | None,
    upload: Upload | None = None,
) -> MediaFile:
    """Check a received file by its bytes and store it (photos cleaned, videos remuxed).

    Raises ApiError (4xx, nothing stored) for an empty, unknown, mislabelled, corrupt or too
    large file. With `upload`, its media_id is set in the same transaction.
    """
    src.seek(0, os.SEEK_END)
    size = src.tell()
    src.seek(0)
    head = src.read(HEAD_BYTES)
    src.seek(0)
    try:
        kind = classify(filename, content_type, head)
        if kind == "image":
            if size > settings.max_image_bytes:
                raise too_large(settings.max_image_bytes)
            processed: ProcessedMedia = process_image(
                src.read(),
                max_pixels=settings.max_image_pixels,
                max_side=settings.stored_image_max_side,
            )
            return _store(
                db,
                settings=settings,
                owner_id=owner_id,
                kind="image",
                content_type=processed.content_type,
                ext=processed.ext,
                data=processed.data,
                width=processed.width,
                height=processed.height,
                upload=upload,
            )
        if size > settings.max_video_bytes:
            raise too_large(settings.max_video_bytes)
        video_type = sniff_video(head)
        assert video_type is not None
        return _store_video(
            db,
            settings=settings,
            owner_id=owner_id,
            src=src,
            content_type=video_type,
            upload=upload,
        )
    except MediaRejected as exc:
        raise rejected(exc) from exc


# ---------------------------------------------------------------- attaching and reading


def get_media(db: Session, *, media_id: str) -> MediaFile | None:
    if not media_id or len(media_id) > 32:
        return None
    return db.get(MediaFile, media_id)


def attach_media(
    db: Session,
    *,
    owner_id: int,
    media_ids: list[str],
    appeal_id: int,
    message_id: int | None = None,
    role: str = "applicant",
) -> list[MediaFile]:
    """Attach the owner's files to an appeal (or one of its messages); all or none.

    Unknown ids, another owner's files and files already attached elsewhere → 422
    media_not_yours. A file already attached to this very target is left as it is, so a
    retried request is harmless. The caller commits.
    """
    wanted = list(dict.fromkeys(media_ids))
    found = (
        {m.id: m for m in db.exec(select(MediaFile).where(col(MediaFile.id).in_(wanted))).all()}
        if wanted
        else {}
    )
    for media_id in wanted:
        media = found.get(media_id)
        if media is None or media.owner_id != owner_id:
            raise ApiError(422, "media_not_yours", details={"media_id": media_id})
        attached = media.appeal_id is not None or media.message_id is not None
        if attached and (media.appeal_id, media.message_id) != (appeal_id, message_id):
            raise ApiError(422, "media_not_yours", details={"media_id": media_id})
    result = [found[media_id] for media_id in wanted]
    for media in result:
        if media.appeal_id is None:
            media.appeal_id = appeal_id
            media.message_id = message_id
            media.role = role
            db.add(media)
    return result


def media_order(media: MediaFile) -> tuple[datetime, str]:
    """The order an appeal's files are shown in: oldest first (`media_for_appeal`'s)."""
    return media.created_at, media.id


def media_for_appeal(db: Session, *, appeal_id: int) -> list[MediaFile]:
    return list(
        db.exec(
            select(MediaFile)
            .where(MediaFile.appeal_id == appeal_id)
            .order_by(col(MediaFile.created_at), col(MediaFile.id))
        ).all()
    )


def can_read(db: Session, *, user: User, media: MediaFile) -> bool:
    """The uploader; once the file is attached to an appeal (its photos, its chat's, the
    executor's "after" photos), that appeal's owner and the staff who may see the appeal (an
    executor: their body's appeals only). Nobody else — no staff account either — reads a
    resident's file that is not attached to anything yet, or one of another body's appeal."""
    if media.owner_id == user.id:
        return True
    appeal = db.get(Appeal, media.appeal_id) if media.appeal_id is not None else None
    if appeal is None:
        return False
    if appeal.user_id == user.id:
        return True
    return user.role == "operator" and staff_crud.may_see(db, user=user, appeal=appeal)


# ---------------------------------------------------------------- signed links (players)

LINK_PURPOSE = "media-link-v1"


def _link_sig(settings: Settings, media_id: str, exp: int) -> str:
    return keyed_hash(settings.secret_key, LINK_PURPOSE, media_id, str(exp))


def sign_link(settings: Settings, media_id: str, now: float | None = None) -> tuple[str, int]:
    """A link to the file that needs no token until it expires: (signature, expiry in epoch s).

    Players (video, an image by URL) cannot send a Bearer header. The HMAC covers the media id
    and the expiry, keyed by the server's secret under its own purpose label, so a signature
    opens exactly one file for a short time and cannot be stretched or moved to another file.
    """
    exp = int(time.time() if now is None else now) + settings.media_link_ttl_s
    return _link_sig(settings, media_id, exp), exp


def link_valid(
    settings: Settings, media_id: str, exp: int, sig: str, now: float | None = None
) -> bool:
    at = time.time() if now is None else now
    if exp < at or exp > at + settings.media_link_ttl_s + 60:  # expired, or longer than the TTL
        return False
    return same(_link_sig(settings, media_id, exp), sig)
