"""Stored media: checking and storing uploads, resumable (tus) uploads, attaching, reading rights.

A stored file is first written to a hidden temp file next to its final place and renamed only
when complete, so the media dir never holds half a file; a row that fails to commit takes its
file away with it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.errors import ApiError
from backend_stub.models import Appeal, MediaFile, Upload, User, utcnow
from backend_stub.models.media import UploadWriter
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
def _placed(settings: Settings, relative: str) -> Iterator[tuple[BinaryIO, Path]]:
    """A temp file to fill; renamed to `relative` on success, removed on any failure."""
    final = settings.media_dir / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("wb") as fh:
            yield fh, final
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _placed_path(settings: Settings, relative: str) -> Iterator[tuple[Path, Path]]:
    """A temp path for a writer that needs a file name (FFmpeg); renamed like `_placed`."""
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
    settings: Settings,
    owner_id: int,
    *,
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
        MediaFile(
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
        final,
        upload,
    )


def _store_video(
    db: Session,
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
    return _add_row(db, media, final, upload)


def _add_row(db: Session, media: MediaFile, final: Path, upload: Upload | None) -> MediaFile:
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
    settings: Settings,
    owner_id: int,
    src: BinaryIO,
    *,
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
                settings,
                owner_id,
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
        return _store_video(db, settings, owner_id, src, video_type, upload)
    except MediaRejected as exc:
        raise rejected(exc) from exc


# ---------------------------------------------------------------- attaching and reading


def get_media(db: Session, media_id: str) -> MediaFile | None:
    if not media_id or len(media_id) > 32:
        return None
    return db.get(MediaFile, media_id)


def attach_media(
    db: Session,
    owner_id: int,
    media_ids: list[str],
    *,
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


def media_for_appeal(db: Session, appeal_id: int) -> list[MediaFile]:
    return list(
        db.exec(
            select(MediaFile)
            .where(MediaFile.appeal_id == appeal_id)
            .order_by(col(MediaFile.created_at), col(MediaFile.id))
        ).all()
    )


def can_read(db: Session, user: User, media: MediaFile) -> bool:
    """The uploader, the owner of the appeal it is attached to, or an operator."""
    if user.role == "operator" or media.owner_id == user.id:
        return True
    if media.appeal_id is None:
        return False
    appeal = db.get(Appeal, media.appeal_id)
    return appeal is not None and appeal.user_id == user.id


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


# ---------------------------------------------------------------- resumable uploads (tus 1.0)


def part_path(settings: Settings, upload: Upload) -> Path:
    return settings.uploads_dir / f"{upload.id}.part"


def create_upload(
    db: Session,
    settings: Settings,
    owner_id: int,
    *,
    length: int,
    filename: str,
    content_type: str,
) -> Upload:
    """A new upload of `length` bytes with an empty part file; the caller commits."""
    if length <= 0:
        raise ApiError(422, "empty_file")
    cap = settings.max_image_bytes if content_type.startswith("image/") else upload_cap(settings)
    if length > cap:
        raise too_large(cap)
    upload = Upload(
        owner_id=owner_id, length=length, filename=filename[:200], content_type=content_type[:64]
    )
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    part_path(settings, upload).touch()
    db.add(upload)
    return upload


def own_upload(db: Session, user: User, upload_id: str) -> Upload:
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


# One writer per upload: a tus PATCH claims the upload (a row in `UploadWriter`, keyed by the
# upload's id) before it writes a byte, keeps the claim fresh while it writes, moves the offset
# only while it still holds the claim, and gives the claim back when it is done.
WRITER_STALE = timedelta(seconds=60)  # a claim not refreshed so long: its request died
WRITER_HEARTBEAT_S = 5.0  # how often a writer waiting for bytes refreshes its claim


def claim_upload(db: Session, upload_id: str) -> str | None:
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


def holds_claim(db: Session, upload_id: str, token: str) -> bool:
    """Refresh the claim; False if it is no longer this writer's (taken over, or cancelled)."""
    result = db.exec(
        update(UploadWriter)
        .where(col(UploadWriter.upload_id) == upload_id, col(UploadWriter.token) == token)
        .values(heartbeat_at=utcnow())
    )
    db.commit()
    return bool(result.rowcount == 1)


def release_upload(db: Session, upload_id: str, token: str) -> None:
    """Give the claim back (whatever became of the request)."""
    db.rollback()
    db.exec(
        delete(UploadWriter).where(
            col(UploadWriter.upload_id) == upload_id, col(UploadWriter.token) == token
        )
    )
    db.commit()


def current_upload(db: Session, upload_id: str) -> Upload | None:
    """The upload as committed now (another request may have moved or deleted it)."""
    return db.exec(
        select(Upload).where(col(Upload.id) == upload_id).execution_options(populate_existing=True)
    ).first()


def advance_offset(db: Session, upload: Upload, old: int, new: int, token: str) -> bool:
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


def finish_upload(db: Session, settings: Settings, upload: Upload) -> MediaFile:
    """Turn a complete upload into a MediaFile; a rejected file takes its upload away with it."""
    if upload.media_id is not None:
        media = db.get(MediaFile, upload.media_id)
        if media is not None:
            return media
    if upload.offset != upload.length:
        raise ApiError(409, "upload_incomplete")
    path = part_path(settings, upload)
    try:
        with path.open("rb") as fh:
            media = ingest(
                db,
                settings,
                upload.owner_id,
                fh,
                filename=upload.filename,
                content_type=upload.content_type,
                upload=upload,
            )
    except ApiError:
        delete_upload(db, settings, upload)
        raise
    except FileNotFoundError as exc:
        delete_upload(db, settings, upload)
        raise ApiError(404, "not_found") from exc
    path.unlink(missing_ok=True)
    return media


def delete_upload(db: Session, settings: Settings, upload: Upload) -> None:
    """The upload, its bytes and its claim go (a writer still at work then stops)."""
    part_path(settings, upload).unlink(missing_ok=True)
    db.exec(delete(UploadWriter).where(col(UploadWriter.upload_id) == upload.id))
    db.delete(upload)
    db.commit()


def purge_stale_uploads(db: Session, settings: Settings, older_than: timedelta) -> int:
    """Drop unfinished uploads older than `older_than`; for a cron."""
    cutoff = datetime.now(UTC) - older_than
    stale = db.exec(
        select(Upload).where(col(Upload.media_id).is_(None), col(Upload.created_at) < cutoff)
    ).all()
    for upload in stale:
        part_path(settings, upload).unlink(missing_ok=True)
        db.exec(delete(UploadWriter).where(col(UploadWriter.upload_id) == upload.id))
        db.delete(upload)
    db.commit()
    return len(stale)
