"""Videos are read by a real container parser, over real sockets, and stored without location.

A "video" used to be recognised by its first 12 bytes and stored as it came: HTML after an MP4
signature was served back, and the place where a phone recorded the clip (`udta/©xyz`, the
QuickTime location key) went to everyone who could open it. Now FFmpeg (PyAV) must open the
container and decode a frame, and the stored file is a remux of its audio and video packets
only: no container or stream metadata, no other tracks, no bytes outside the boxes it wrote.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from sqlmodel import Session, func, select

from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.messages import MESSAGES
from backend_stub.models import MediaFile, Upload
from tests.backend.test_media import (
    LOCATION,
    box,
    mp4_with_location,
    real_video,
    top_boxes,
    video_facts,
)
from tests.conftest import next_phone
from tests.live import live_app, sign_in_http

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
TUS = {"Tus-Resumable": "1.0.0"}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def upload_direct(url: str, auth: dict[str, str], data: bytes, name: str, ctype: str) -> Any:
    return httpx.post(
        f"{url}/api/v1/media",
        headers={**auth, "Accept-Language": "kk"},
        files={"file": (name, data, ctype)},
        timeout=60,
    )


def upload_tus(url: str, auth: dict[str, str], data: bytes, name: str, ctype: str) -> Any:
    meta = f"filename {_b64(name)},filetype {_b64(ctype)}"
    r = httpx.post(
        f"{url}/api/v1/uploads",
        headers={**auth, **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert r.status_code == 201, r.text
    return httpx.patch(
        url + r.headers["location"],
        content=data,
        headers={
            **auth,
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Accept-Language": "ru",
        },
        timeout=60,
    )


def stored(url: str, auth: dict[str, str], media_id: str) -> bytes:
    r = httpx.get(f"{url}/api/v1/media/{media_id}", headers=auth)
    assert r.status_code == 200, r.text
    return r.content


def media_id_of(r: Any) -> str:
    if r.request.method == "PATCH":
        assert r.status_code == 204, r.text
        return str(r.headers["upload-media-id"])
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def assert_no_location(data: bytes) -> None:
    facts = video_facts(data)
    leaked = {k: v for k, v in facts["metadata"].items() if "location" in k.lower()}
    assert not leaked, leaked
    assert b"51.1282" not in data and b"\xa9xyz" not in data and b"ISO6709" not in data
    for kind, payload in top_boxes(data):
        if kind == b"moov":  # no location box, no QuickTime metadata keys, an empty item list
            assert b"loci" not in payload and b"keys" not in payload
            ilst = payload.find(b"ilst")
            assert ilst < 0 or payload[ilst - 4 : ilst] == b"\x00\x00\x00\x08"


@pytest.mark.parametrize("send", [upload_direct, upload_tus], ids=["direct", "tus"])
def test_a_phone_video_loses_its_location(settings: Settings, send: Any) -> None:
    clip = mp4_with_location()
    before = video_facts(clip)
    assert before["metadata"]["location"] == LOCATION.decode()  # FFmpeg reads it, as players do
    with live_app(create_app(settings)) as url:
        auth = sign_in_http(url, next_phone())
        r = send(url, auth, clip, "VID_20260712.mp4", "video/mp4")
        data = stored(url, auth, media_id_of(r))
    assert_no_location(data)
    after = video_facts(data)
    assert after["frames"] == before["frames"] and after["size"] == before["size"]
    assert after["streams"] == ["video"]


def test_a_quicktime_location_is_stripped_and_rotation_kept(settings: Settings) -> None:
    clip = real_video("mov", rotation=90, metadata={"location": LOCATION.decode()})
    assert b"\xa9xyz" in clip and video_facts(clip)["rotation"] == 90
    with live_app(create_app(settings)) as url:
        auth = sign_in_http(url, next_phone())
        r = upload_direct(url, auth, clip, "IMG_0001.MOV", "video/quicktime")
        assert r.json()["content_type"] == "video/quicktime"
        data = stored(url, auth, media_id_of(r))
    assert_no_location(data)
    assert video_facts(data)["rotation"] == 90  # still shown upright


@pytest.mark.parametrize("send", [upload_direct, upload_tus], ids=["direct", "tus"])
def test_html_with_an_mp4_signature_is_refused(settings: Settings, send: Any) -> None:
    fake = box(b"ftyp", b"isom\x00\x00\x02\x00isommp41") + HTML * 40
    app = create_app(settings)
    with live_app(app) as url:
        auth = sign_in_http(url, next_phone())
        r = send(url, auth, fake, "clip.mp4", "video/mp4")
        assert r.status_code == 422, r.text
        lang = "ru" if r.request.method == "PATCH" else "kk"
        assert r.json()["error"]["code"] == "video_corrupt"
        assert r.json()["error"]["message"] == MESSAGES["video_corrupt"][lang]
    with Session(app.state.engine) as db:
        assert db.exec(select(func.count()).select_from(MediaFile)).one() == 0
        assert db.exec(select(func.count()).select_from(Upload)).one() == 0
    assert not [p for p in settings.media_dir.rglob("*") if p.is_file()]


def test_html_inside_a_real_video_is_not_served(settings: Settings) -> None:
    """A real, playable MP4 with HTML in a `free` box and after the last box (a polyglot)."""
    clip = mp4_with_location(extra_top=box(b"free", HTML) + HTML)
    assert video_facts(clip)["frames"] == 6
    with live_app(create_app(settings)) as url:
        auth = sign_in_http(url, next_phone())
        r = upload_direct(url, auth, clip, "clip.mp4", "video/mp4")
        data = stored(url, auth, media_id_of(r))
    assert b"<script" not in data and b"<html" not in data
    assert_no_location(data)
    assert video_facts(data)["frames"] == 6


def test_a_webm_is_remuxed_too(settings: Settings) -> None:
    clip = real_video("webm", codec="libvpx", metadata={"location": LOCATION.decode()})
    with live_app(create_app(settings)) as url:
        auth = sign_in_http(url, next_phone())
        r = upload_direct(url, auth, clip, "clip.webm", "video/webm")
        assert r.status_code == 201, r.text
        assert r.json()["content_type"] == "video/webm"
        assert (r.json()["width"], r.json()["height"]) == (64, 48)
        data = stored(url, auth, media_id_of(r))
    facts = video_facts(data)
    assert facts["frames"] == 6 and facts["format"] == "matroska,webm"
    assert not any("location" in k.lower() for k in facts["metadata"])
    assert b"51.1282" not in data
