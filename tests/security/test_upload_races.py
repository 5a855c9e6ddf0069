"""Concurrent tus PATCHes of one upload, over real sockets: one writer at a time.

Many PATCHes at the same `Upload-Offset` at once (a client retrying over a flaky network, two
tabs, or an attacker) must not interleave in the part file: exactly one is accepted, the part
file then holds exactly its body, and every other one gets 409 (tus 1.0: the offset is not, or
no longer, the one to write at). The claim is made in the database, so it also holds when the
requests reach different server processes.
"""

from __future__ import annotations

import base64
import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlmodel import Session, func, select

from backend_stub.config import Settings
from backend_stub.crud import uploads as uploads_crud
from backend_stub.main import create_app
from backend_stub.messages import MESSAGES
from backend_stub.models import MediaFile, Upload, utcnow
from backend_stub.models.media import UploadWriter
from tests.conftest import next_phone
from tests.live import backend_process, burst, live_app, sign_in_http

CHUNK = 3 * 1024 * 1024 + 17  # more than one write batch of the server: writes could interleave
TUS = {"Tus-Resumable": "1.0.0"}
CHUNK_TYPE = "application/offset+octet-stream"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create_upload(url: str, auth: dict[str, str], length: int, name: str, ctype: str) -> str:
    meta = f"filename {_b64(name)},filetype {_b64(ctype)}"
    r = httpx.post(
        f"{url}/api/v1/uploads",
        headers={**auth, **TUS, "Upload-Length": str(length), "Upload-Metadata": meta},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return str(r.headers["location"])


def patch_headers(auth: dict[str, str], offset: int, lang: str = "ru") -> dict[str, str]:
    return {
        **auth,
        **TUS,
        "Upload-Offset": str(offset),
        "Content-Type": CHUNK_TYPE,
        "Accept-Language": lang,
    }


def check_losers(answers: list[httpx.Response], winner: int) -> None:
    """Every answer but the winner's is a 409 with a tus offset and a kk or ru message."""
    for i, r in enumerate(answers):
        if i == winner:
            continue
        assert r.status_code == 409, (i, r.status_code, r.text)
        assert r.headers["tus-resumable"] == "1.0.0"
        assert r.headers["upload-offset"].isdigit()
        error = r.json()["error"]
        lang = "kk" if i % 2 else "ru"
        assert error["message"] == MESSAGES[error["code"]][lang]


def one_winner(answers: list[httpx.Response]) -> int:
    statuses = [r.status_code for r in answers]
    assert statuses.count(204) == 1, statuses
    return statuses.index(204)


@pytest.mark.parametrize("n", [2, 5, 20])
def test_a_burst_at_one_offset_has_exactly_one_writer(settings: Settings, n: int) -> None:
    bodies = [os.urandom(CHUNK) for _ in range(n)]
    with live_app(create_app(settings)) as url:
        auth = sign_in_http(url, next_phone())
        location = create_upload(url, auth, 2 * CHUNK, "street.mp4", "video/mp4")

        answers = burst(
            n,
            lambda c, i: c.patch(
                url + location,
                content=bodies[i],
                headers=patch_headers(auth, 0, "kk" if i % 2 else "ru"),
            ),
        )
        winner = one_winner(answers)
        assert int(answers[winner].headers["upload-offset"]) == CHUNK
        check_losers(answers, winner)

        part = settings.uploads_dir / f"{location.rsplit('/', 1)[-1]}.part"
        stored = part.read_bytes()[:CHUNK]
        assert stored == bodies[winner], "the part file holds bytes of other requests"
        head = httpx.head(url + location, headers={**auth, **TUS})
        assert head.headers["upload-offset"] == str(CHUNK)

        # the upload goes on from the one accepted offset, and nobody holds it any more
        r = httpx.patch(url + location, content=b"x", headers=patch_headers(auth, CHUNK))
        assert r.status_code == 204 and r.headers["upload-offset"] == str(CHUNK + 1)


def _jpeg(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_burst_of_last_chunks_stores_one_file_the_winners(settings: Settings) -> None:
    """Each request sends a whole (different) photo: the stored photo is the accepted one's."""
    n = 10
    colors = [(25 * i, 255 - 25 * i, 128) for i in range(n)]
    photos = [_jpeg(c) for c in colors]
    length = max(len(p) for p in photos)
    photos = [p + b"\x00" * (length - len(p)) for p in photos]  # JPEG ignores bytes after EOI
    app = create_app(settings)
    with live_app(app) as url:
        auth = sign_in_http(url, next_phone())
        location = create_upload(url, auth, length, "IMG_1.jpg", "image/jpeg")
        answers = burst(
            n,
            lambda c, i: c.patch(
                url + location,
                content=photos[i],
                headers=patch_headers(auth, 0, "kk" if i % 2 else "ru"),
            ),
        )
        winner = one_winner(answers)
        check_losers(answers, winner)
        media_id = answers[winner].headers["upload-media-id"]
        r = httpx.get(f"{url}/api/v1/media/{media_id}", headers=auth)
        assert r.status_code == 200
        pixel: Any = Image.open(io.BytesIO(r.content)).convert("RGB").getpixel((32, 24))
        assert all(abs(a - b) < 12 for a, b in zip(pixel, colors[winner], strict=True)), (
            pixel,
            colors[winner],
        )
        with Session(app.state.engine) as db:
            assert db.exec(select(func.count()).select_from(MediaFile)).one() == 1


def test_two_server_processes_share_the_claim(tmp_path: Path) -> None:
    """The same upload PATCHed through two servers at once (one data dir, one database)."""
    data_dir = tmp_path / "shared"
    n = 12
    bodies = [os.urandom(CHUNK) for _ in range(n)]
    with (
        backend_process(data_dir, name="a") as a,
        backend_process(data_dir, name="b") as b,
    ):
        auth = sign_in_http(a.url, next_phone())
        location = create_upload(a.url, auth, 2 * CHUNK, "clip.mp4", "video/mp4")
        servers = [a.url, b.url]
        answers = burst(
            n,
            lambda c, i: c.patch(
                servers[i % 2] + location,
                content=bodies[i],
                headers=patch_headers(auth, 0, "kk" if i % 2 else "ru"),
            ),
        )
        winner = one_winner(answers)
        check_losers(answers, winner)
        uploads_dir = Settings(data_dir=data_dir, _env_file=None).uploads_dir
        part = uploads_dir / f"{location.rsplit('/', 1)[-1]}.part"
        assert part.read_bytes()[:CHUNK] == bodies[winner]


def test_a_held_claim_refuses_and_a_dead_ones_claim_is_taken_over(settings: Settings) -> None:
    """A PATCH while another request holds the upload: 409 `upload_busy` with the offset and
    Retry-After. A claim its request stopped refreshing (the request died with its server) is
    taken over after `WRITER_STALE`; the old writer can then record nothing."""
    app = create_app(settings)
    with live_app(app) as url:
        auth = sign_in_http(url, next_phone())
        location = create_upload(url, auth, 10, "a.mp4", "video/mp4")
        upload_id = location.rsplit("/", 1)[-1]
        with Session(app.state.engine) as db:
            held = uploads_crud.claim_upload(db, upload_id=upload_id)
            assert held is not None and uploads_crud.claim_upload(db, upload_id=upload_id) is None

        for lang in ("kk", "ru"):
            r = httpx.patch(url + location, content=b"01234", headers=patch_headers(auth, 0, lang))
            assert r.status_code == 409 and r.headers["retry-after"] == "1"
            assert r.headers["upload-offset"] == "0"
            assert r.json()["error"]["code"] == "upload_busy"
            assert r.json()["error"]["message"] == MESSAGES["upload_busy"][lang]

        with Session(app.state.engine) as db:  # its request died a while ago
            row = db.get(UploadWriter, upload_id)
            assert row is not None
            row.heartbeat_at = utcnow() - uploads_crud.WRITER_STALE - timedelta(seconds=1)
            db.add(row)
            db.commit()
        r = httpx.patch(url + location, content=b"01234", headers=patch_headers(auth, 0))
        assert r.status_code == 204 and r.headers["upload-offset"] == "5"
        with Session(app.state.engine) as db:
            assert not uploads_crud.holds_claim(db, upload_id=upload_id, token=held)
            upload = db.get(Upload, upload_id)
            assert upload is not None
            assert not uploads_crud.advance_offset(db, upload=upload, old=5, new=10, token=held)
            assert db.get(UploadWriter, upload_id) is None  # the taker gave it back

        # a refused body gives the claim back too
        r = httpx.patch(url + location, content=b"x" * 50, headers=patch_headers(auth, 5))
        assert r.status_code == 413
        r = httpx.patch(url + location, content=b"56789", headers=patch_headers(auth, 5))
        assert r.status_code == 422  # complete, and not a video: refused, nothing left
        assert r.json()["error"]["code"] == "media_mismatch"
        with Session(app.state.engine) as db:
            assert db.exec(select(func.count()).select_from(UploadWriter)).one() == 0
            assert db.exec(select(func.count()).select_from(Upload)).one() == 0
