"""Bad input, each a clear 4xx in Kazakh and in Russian with nothing stored half-way.

Every case runs twice (Accept-Language kk, then ru) and compares the whole footprint of the
server before and after: the row count of every table and every file under the data dir.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image

from backend_stub.body_limit import MAX_BODY_BYTES
from backend_stub.config import Settings
from backend_stub.messages import MESSAGES, message
from tests.backend.test_alerts import BOX, alert_body
from tests.backend.test_appeals import appeal_body, make_operator
from tests.backend.test_media import jpeg_with_exif, mp4_bytes, plain_jpeg, png_chunk
from tests.conftest import sign_in
from tests.security.support import footprint

TUS = {"Tus-Resumable": "1.0.0"}


def real_bomb_png(side: int = 30_000) -> bytes:
    """A real decompression bomb: side × side 1-bit pixels that deflate to ~100 KB."""
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + bytes((side + 7) // 8)
    deflate = zlib.compressobj(9)
    idat = b"".join(deflate.compress(row) for _ in range(side)) + deflate.flush()
    chunks = png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def photo_jpeg() -> bytes:
    """A photo-like JPEG of some size (noise does not compress), to be cut short."""
    im = Image.effect_noise((640, 480), 64).convert("RGB")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Ctx:
    client: TestClient
    resident: dict[str, str]
    operator: dict[str, str]
    settings: Settings
    lang: str

    def h(self, who: dict[str, str] | None = None) -> dict[str, str]:
        return {**(who or self.resident), "Accept-Language": self.lang}

    def upload(self, data: bytes, name: str = "photo.jpg", ctype: str = "image/jpeg") -> Response:
        return self.client.post(
            "/api/v1/media", headers=self.h(), files={"file": (name, data, ctype)}
        )

    def appeal(self, **over: Any) -> Response:
        return self.client.post("/api/v1/appeals", json=appeal_body(**over), headers=self.h())

    def tus(self, data: bytes, filetype: str, declared: int | None = None) -> Response:
        """A resumable upload sent in two chunks; the answer to the last one (or the create)."""
        from base64 import b64encode

        kind = b64encode(filetype.encode()).decode()
        meta = f"filename {b64encode(b'p.jpg').decode()},filetype {kind}"
        length = declared if declared is not None else len(data)
        r = self.client.post(
            "/api/v1/uploads",
            headers={**self.h(), **TUS, "Upload-Length": str(length), "Upload-Metadata": meta},
        )
        if r.status_code != 201:
            return r
        url = r.headers["Location"]
        half = len(data) // 2
        for offset, chunk in ((0, data[:half]), (half, data[half:])):
            r = self.client.patch(
                url,
                content=chunk,
                headers={
                    **self.h(),
                    **TUS,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
            )
        return r


Case = Callable[[Ctx], Response]


def _message_to(ctx: Ctx, text: str) -> Response:
    r = ctx.client.post("/api/v1/appeals", json=appeal_body(), headers=ctx.resident)
    assert r.status_code == 201
    return ctx.client.post(
        f"/api/v1/appeals/{r.json()['id']}/messages",
        json={"client_id": "bad-input-0001", "text": text},
        headers=ctx.h(),
    )


CASES: dict[str, tuple[Case, int, str]] = {
    "oversized JSON body": (
        lambda c: c.appeal(text="ы" * MAX_BODY_BYTES),
        413,
        "body_too_large",
    ),
    "oversized photo": (
        lambda c: c.upload(b"\xff\xd8\xff\xe0" + bytes(c.settings.max_image_bytes + 1)),
        413,
        "file_too_large",
    ),
    "oversized resumable upload": (
        lambda c: c.tus(b"", "image/jpeg", declared=c.settings.max_image_bytes + 1),
        413,
        "file_too_large",
    ),
    "decompression bomb": (
        lambda c: c.upload(real_bomb_png(), "b.png", "image/png"),
        422,
        "image_too_large",
    ),
    "decompression bomb, resumable": (
        lambda c: c.tus(real_bomb_png(), "image/png"),
        422,
        "image_too_large",
    ),
    "truncated JPEG": (lambda c: c.upload(photo_jpeg()[:8000]), 422, "image_corrupt"),
    "truncated JPEG, resumable": (
        lambda c: c.tus(photo_jpeg()[:8000], "image/jpeg"),
        422,
        "image_corrupt",
    ),
    "video named .jpg": (lambda c: c.upload(mp4_bytes()), 422, "media_mismatch"),
    "photo named .mp4": (
        lambda c: c.upload(jpeg_with_exif(), "clip.mp4", "video/mp4"),
        422,
        "media_mismatch",
    ),
    "text named .jpg": (lambda c: c.upload(b"%PDF-1.4\n" * 40), 422, "media_mismatch"),
    "0-byte file": (lambda c: c.upload(b""), 422, "empty_file"),
    "0-byte resumable upload": (lambda c: c.tus(b"", "image/jpeg"), 422, "empty_file"),
    "alert polygon not closed": (
        lambda c: c.client.post(
            "/api/v1/operator/alerts",
            json=alert_body(
                areas=[
                    {
                        "desc": {"kk": "Аумақ", "ru": "Зона"},
                        "polygons": [BOX.rsplit(" ", 1)[0]],
                    }
                ]
            ),
            headers=c.h(c.operator),
        ),
        422,
        "alert_polygon_not_closed",
    ),
    "control characters in an appeal": (
        lambda c: c.appeal(text="Су жоқ\x00\x1b[31m"),
        422,
        "text_invalid",
    ),
    "bidi override in an address": (
        lambda c: c.appeal(address="пр. Абая\u202e8"),
        422,
        "text_invalid",
    ),
    "control characters in a chat message": (
        lambda c: _message_to(c, "сәлем\x07"),
        422,
        "text_invalid",
    ),
    "very long appeal": (lambda c: c.appeal(text="қ" * 4001), 422, "validation_error"),
    "very long chat message": (lambda c: _message_to(c, "қ" * 4001), 422, "validation_error"),
    "control characters in a saved address": (
        lambda c: c.client.post(
            "/api/v1/profile/addresses",
            json={"label": "үй\x00", "text": "Абай даңғылы, 8"},
            headers=c.h(),
        ),
        422,
        "text_invalid",
    ),
    "an id too big for the database": (
        lambda c: c.client.post(
            f"/api/v1/appeals/{10**30}/messages",
            json={"client_id": "bad-input-0002", "text": "сәлем"},
            headers=c.h(),
        ),
        422,
        "validation_error",
    ),
    "a client_id reused under another key": (
        lambda c: _reused_client_id(c),
        422,
        "idempotency_mismatch",
    ),
    "another resident's photo on an appeal": (
        lambda c: c.appeal(attachment_ids=[_someone_elses_photo(c)]),
        422,
        "media_not_yours",
    ),
}


def _reused_client_id(ctx: Ctx) -> Response:
    body = appeal_body()
    r = ctx.client.post("/api/v1/appeals", json=body, headers=ctx.resident)
    assert r.status_code == 201
    again = {**body, "text": "Басқа мәтін"}
    return ctx.client.post(
        "/api/v1/appeals", json=again, headers={**ctx.h(), "Idempotency-Key": "another-key"}
    )


def _someone_elses_photo(ctx: Ctx) -> str:
    other = sign_in(ctx.client)
    r = ctx.client.post(
        "/api/v1/media", headers=other, files={"file": ("o.jpg", plain_jpeg(), "image/jpeg")}
    )
    assert r.status_code == 201
    return str(r.json()["id"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_a_clear_4xx_in_kk_and_ru_and_stores_nothing(
    client: TestClient, settings: Settings, case: str
) -> None:
    make, status, code = CASES[case]
    resident, operator = sign_in(client), make_operator(client)
    answers = {}
    for lang in ("kk", "ru"):
        ctx = Ctx(client, resident, operator, settings, lang)
        before = footprint(client)
        r = make(ctx)
        after = footprint(client)
        assert r.status_code == status, (lang, r.status_code, r.text)
        error = r.json()["error"]
        assert error["code"] == code
        params = {**(error.get("details") or {})}
        assert error["message"] == message(code, lang, **params)
        answers[lang] = error["message"]
        # nothing half-way: what the case itself set up (a message's appeal, another
        # resident's photo) may remain, but nothing of the refused request
        grown = {t: after.rows[t] - before.rows[t] for t in after.rows}
        allowed = _setup_rows(case)
        assert {t: n for t, n in grown.items() if n and t not in allowed} == {}, grown
        assert after.files - before.files <= _setup_files(case, after.files - before.files)
        assert not list(settings.uploads_dir.iterdir())
    assert code in MESSAGES and answers["kk"] != answers["ru"]


def _setup_rows(case: str) -> set[str]:
    if "chat message" in case or "reused" in case:  # the first appeal, its history, feed row
        return {"appeal", "appealevent", "feedevent", "idempotencyrecord"}
    if "another resident" in case:  # the other resident, signed in, and their photo
        return {"user", "authsession", "otpchallenge", "mediafile"}
    return set()


def _setup_files(case: str, new: set[str]) -> set[str]:
    return new if "another resident" in case else set()


URL_JUNK = [
    "/api/v1/media/%00abc",
    "/api/v1/uploads/%00abc",
    "/api/v1/alerts/urn%00x",
    "/api/v1/notices?topic=%00&district=%00",
    "/api/v1/places?kind=%00",
    "/open311/v2/requests.json?service_code=%00x&status=open",
    "/open311/v2/requests/%00.json",
    f"/api/v1/polls/{10**25}",
    f"/api/v1/appeals?before_id={10**25}",
    f"/api/v1/sync?cursor={10**25}",
]


@pytest.mark.parametrize("url", URL_JUNK)
def test_nul_characters_and_huge_numbers_in_urls_are_4xx(client: TestClient, url: str) -> None:
    """Such values reach database queries: SQLite shrugs, PostgreSQL refuses them; both must
    end as a client error (a clear message, or simply nothing found), never a 5xx."""
    resident = sign_in(client)
    before = footprint(client)
    for lang in ("kk", "ru"):
        r = client.get(url, headers={**resident, "Accept-Language": lang})
        assert 400 <= r.status_code < 500 or r.status_code == 200, (url, r.status_code, r.text)
        if r.status_code >= 400 and not url.startswith("/open311/"):
            error = r.json()["error"]
            assert error["message"] == message(error["code"], lang, **(error["details"] or {}))
    assert footprint(client) == before
