"""Resumable uploads (tus 1.0): an upload of a known length, filled chunk by chunk into a part
file by one writer at a time, and turned into a stored file (`crud.media.ingest`) when complete.

One writer per upload: a PATCH claims the upload (a row in `UploadWriter`, keyed by the upload's
id) before it writes a byte, keeps the claim fresh while it writes, moves the offset only while
it still holds the claim, and gives the claim back when it is done. The claim is a unit of work
decided by a unique constraint (the commit rule's second exception, `crud/__init__.py`): each
step of it (`claim_upload`, `holds_claim`, `advance_offset`, `release_upload`) commits at once,
since a PATCH streams for long and may hold no transaction open meanwhile.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import media
from backend_stub.errors import ApiError
from backend_stub.models import MediaFile, Upload, User, utcnow
from backend_stub.models.media import UploadWriter


def part_path(settings: Settings, upload: Upload) -> Path:
    return settings.uploads_dir / f"{upload.id}.part"


def create_upload(
    db: Session,
    *,
    settings: Settings,
    owner_id: int,
    length: int,
    filename: str,
    content_type: str,
) -> Upload:
    """A new upload of `length` bytes with an empty part file; the caller commits."""
    if length <= 0:
        raise ApiError(422, "empty_file")
    cap = (
        settings.max_image_bytes
        if content_type.startswith("image/")
        else media.upload_cap(settings)
    )
    if length > cap:
        raise media.too_large(cap)
    upload = Upload(
        owner_id=owner_id, length=length, filename=filename[:200], content_type=content_type[:64]
    )
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    part_path(settings, upload).touch()
    db.add(upload)
    return upload


def own_upload(db: Session, *, user: User, upload_id: str) -> Upload:
    """The caller's upload; anyone else's (or none) is simply not found."""
    upload = db.get(Upload, upload_id) if 0 < len(upload_id) <= 32 else None
    if upload is None or upload.owner_id != user.id:
        raise ApiError(404, "not_found")
    return upload


def write_chunk(path: Path, offset: int, data: bytes) -> None:
    """Write bytes at `offset` of a part file (blocking; run it in a worker thread)."""
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def sync_part(path: Path) -> None:
    """Flush a part file to disk before its offset is recorded.

    Nothing is truncated: bytes past the recorded offset (from a request that broke before
    recording them) are simply overwritten by the resumed upload, and no write goes past the
    upload's length.
    """
    with path.open("r+b") as fh:
        os.fsync(fh.fileno())


WRITER_STALE = timedelta(seconds=60)  # a claim not refreshed so long: its request died
WRITER_HEARTBEAT_S = 5.0  # how often a writer waiting for bytes refreshes its claim


def claim_upload(db: Session, *, upload_id: str) -> str | None:
    """Become the upload's one writer: its token, or None while another request is.

    The insert of the claim's row is atomic in the database (its primary key is the upload's
    id), so two requests, in one server process or in several, never both get it.
    """
    token = uuid.uuid4().hex
    now = utcnow()
    db.rollback()  # nothing of this request is pending; start from what is committed
    db.exec(
        delete(UploadWriter).where(
            col(UploadWriter.upload_id) == upload_id,
            col(UploadWriter.heartbeat_at) < now - WRITER_STALE,
        )
    )
    db.add(UploadWriter(upload_id=upload_id, token=token, heartbeat_at=now))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return None
    return token


def holds_claim(db: Session, *, upload_id: str, token: str) -> bool:
    """Refresh the claim; False if it is no longer this writer's (taken over, or cancelled)."""
    result = db.exec(
        update(UploadWriter)
        .where(col(UploadWriter.upload_id) == upload_id, col(UploadWriter.token) == token)
        .values(heartbeat_at=utcnow())
    )
    db.commit()
    return bool(result.rowcount == 1)


def release_upload(db: Session, *, upload_id: str, token: str) -> None:
    """Give the claim back (whatever became of the request)."""
    db.rollback()
    db.exec(
        delete(UploadWriter).where(
            col(UploadWriter.upload_id) == upload_id, col(UploadWriter.token) == token
        )
    )
    db.commit()


def current_upload(db: Session, *, upload_id: str) -> Upload | None:
    """The upload as committed now (another request may have moved or deleted it)."""
    return db.exec(
        select(Upload).where(col(Upload.id) == upload_id).execution_options(populate_existing=True)
    ).first()


def advance_offset(db: Session, *, upload: Upload, old: int, new: int, token: str) -> bool:
    """Move the offset, in one transaction with a check that `token` still holds the claim,
    and only from `old` (compare-and-set); commits."""
    held = db.exec(
        update(UploadWriter)
        .where(col(UploadWriter.upload_id) == upload.id, col(UploadWriter.token) == token)
        .values(heartbeat_at=utcnow())
    )
    moved = None
    if held.rowcount == 1:
        moved = db.exec(
            update(Upload)
            .where(col(Upload.id) == upload.id, col(Upload.offset) == old)
            .values(offset=new)
        )
    if moved is None or moved.rowcount != 1:
        db.rollback()
        return False
    db.commit()
    db.refresh(upload)
    return True


def finish_upload(db: Session, *, settings: Settings, upload: Upload) -> MediaFile:
    """Turn a complete upload into a MediaFile; a rejected file takes its upload away with it
    (committed before the error is raised)."""
    if upload.media_id is not None:
        existing = db.get(MediaFile, upload.media_id)
        if existing is not None:
            return existing
    if upload.offset != upload.length:
        raise ApiError(409, "upload_incomplete")
    path = part_path(settings, upload)
    try:
        with path.open("rb") as fh:
            stored = media.ingest(
                db,
                settings=settings,
                owner_id=upload.owner_id,
                src=fh,
                filename=upload.filename,
                content_type=upload.content_type,
                upload=upload,
            )
    except ApiError:
        delete_upload(db, settings=settings, upload=upload)
        db.commit()  # must outlive the error raised next
        raise
    except FileNotFoundError as exc:
        delete_upload(db, settings=settings, upload=upload)
        db.commit()  # must outlive the error raised next
        raise ApiError(404, "not_found") from exc
    path.unlink(missing_ok=True)
    return stored


def delete_upload(db: Session, *, settings: Settings, upload: Upload) -> None:
    """The upload, its bytes and its claim go (a writer still at work then stops once the
    caller commits)."""
    part_path(settings, upload).unlink(missing_ok=True)
    db.exec(delete(UploadWriter).where(col(UploadWriter.upload_id) == upload.id))
    db.delete(upload)
