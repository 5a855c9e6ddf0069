"""Media: photo cleaning (EXIF, orientation, bombs), videos (signatures, a real parse, a remux
without metadata), tus, reading rights."""

from __future__ import annotations

import base64
import io
import os
import struct
import uuid
import zlib
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import anyio
import av
import pytest
from fastapi.testclient import TestClient
from PIL import ExifTags, Image
from sqlmodel import Session, func, select

from backend_stub.config import Settings
from backend_stub.crud import media as media_crud
from backend_stub.crud.media import attach_media, can_read, media_for_appeal
from backend_stub.errors import ApiError
from backend_stub.messages import MESSAGES
from backend_stub.models import Appeal, MediaFile, Upload, User
from backend_stub.services.media_processing import (
    HEIF_SUPPORTED,
    MediaRejected,
    classify,
    process_image,
    process_video,
    sniff_video,
)
from tests.backend.support import make_operator
from tests.conftest import sign_in

RED = (255, 0, 0)
BLUE = (0, 0, 255)

# ---------------------------------------------------------------- sample files


def jpeg_with_exif(orientation: int = 6, size: tuple[int, int] = (40, 20)) -> bytes:
    """Left half red, right half blue; EXIF with Orientation, the phone model and GPS."""
    im = Image.new("RGB", size, RED)
    im.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "PhoneModel-X1"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (43.0, 14.0, 17.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (76.0, 53.0, 46.0),
        }
    )
    out = io.BytesIO()
    im.save(out, "JPEG", quality=95, exif=exif)
    data = out.getvalue()
    assert b"PhoneModel-X1" in data
    return data


def plain_jpeg(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = RED) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    chunks = png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def mp4_bytes(brand: bytes = b"isom", payload_size: int = 4096) -> bytes:
    ftyp = b"ftyp" + brand + struct.pack(">I", 0x200) + brand + b"mp41"
    mdat_payload = os.urandom(payload_size)
    return (
        struct.pack(">I", len(ftyp) + 4)
        + ftyp
        + struct.pack(">I", len(mdat_payload) + 8)
        + b"mdat"
        + mdat_payload
    )


LOCATION = b"+51.1282+071.4307/"  # ISO 6709, as phones write it into a video


def box(kind: bytes, payload: bytes) -> bytes:
    """One ISO-BMFF (MP4/MOV) box."""
    return struct.pack(">I", len(payload) + 8) + kind + payload


def top_boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """The top-level boxes of an MP4/MOV file: (type, payload)."""
    found, at = [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        assert size >= 8, "no 64-bit or open-ended boxes in these samples"
        found.append((kind, data[at + 8 : at + size]))
        at += size
    return found


def real_video(
    fmt: str = "mp4",
    *,
    frames: int = 6,
    size: tuple[int, int] = (64, 48),
    codec: str = "libx264",
    rotation: int | None = None,
    metadata: dict[str, str] | None = None,
) -> bytes:
    """A real, playable video encoded by FFmpeg (PyAV): a few grey frames of changing shade."""
    out_buf = io.BytesIO()
    with av.open(out_buf, "w", format=fmt) as out:
        out.metadata.update(metadata or {})
        stream: Any = out.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i in range(frames):
            frame = av.VideoFrame(size[0], size[1], "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([(i * 40) % 256]) * plane.buffer_size)
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return out_buf.getvalue()


def mp4_with_location(data: bytes | None = None, extra_top: bytes = b"") -> bytes:
    """A real MP4 whose `moov` carries `udta/©xyz` (how Android cameras record where a video
    was taken), plus `extra_top` appended as further top-level bytes."""
    parts = top_boxes(data if data is not None else real_video())
    assert parts[-1][0] == b"moov"  # after mdat: growing it moves no sample offsets
    xyz = box(b"\xa9xyz", struct.pack(">HH", len(LOCATION), 0x15C7) + LOCATION)
    moov = box(b"moov", parts[-1][1] + box(b"udta", xyz))
    return b"".join(box(k, v) for k, v in parts[:-1]) + moov + extra_top


def video_facts(data: bytes) -> dict[str, Any]:
    """What FFmpeg reads from a video: container metadata, streams, frames, rotation."""
    with av.open(io.BytesIO(data), "r") as c:
        meta = {**c.metadata}
        for s in c.streams:
            meta.update({f"stream:{k}": v for k, v in s.metadata.items()})
        kinds = [s.type for s in c.streams]
        frames = list(c.decode(video=0))
        return {
            "format": c.format.name,
            "metadata": meta,
            "streams": kinds,
            "frames": len(frames),
            "size": (frames[0].width, frames[0].height),
            "rotation": frames[0].rotation,
        }


def webm_bytes(doctype: bytes = b"webm", payload_size: int = 4096) -> bytes:
    def element(eid: bytes, value: bytes) -> bytes:
        return eid + bytes([0x80 | len(value)]) + value

    header = b"".join(
        [
            element(b"\x42\x86", b"\x01"),  # EBMLVersion
            element(b"\x42\xf7", b"\x01"),  # EBMLReadVersion
            element(b"\x42\xf2", b"\x04"),  # EBMLMaxIDLength
            element(b"\x42\xf3", b"\x08"),  # EBMLMaxSizeLength
            element(b"\x42\x82", doctype),  # DocType
            element(b"\x42\x87", b"\x04"),  # DocTypeVersion
            element(b"\x42\x85", b"\x02"),  # DocTypeReadVersion
        ]
    )
    segment = b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff" + os.urandom(payload_size)
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + segment


# ---------------------------------------------------------------- helpers


def upload(
    client: TestClient,
    headers: dict[str, str],
    data: bytes,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
) -> Any:
    return client.post(
        "/api/v1/media", headers=headers, files={"file": (filename, data, content_type)}
    )


def user_id(client: TestClient, headers: dict[str, str]) -> int:
    r = client.get("/api/v1/profile", headers=headers)
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


def make_appeal(client: TestClient, owner_id: int) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        appeal = Appeal(
            number=f"T-{uuid.uuid4().hex[:10]}",
            user_id=owner_id,
            text="Подъезд жарығы жанбайды",
            type="complaint",
            class_code="01",
            subclass_code="0101",
            service_code="ENERGY_HOUSING",
            importance="standard",
        )
        db.add(appeal)
        db.commit()
        assert appeal.id is not None
        return appeal.id


def appeal_with_file(
    client: TestClient,
    resident: dict[str, str],
    uploader: dict[str, str],
    media_id: str,
    role: str = "applicant",
) -> int:
    """A new appeal of the resident's (routed to ENERGY_HOUSING) with `uploader`'s file
    `media_id` attached as `role`."""
    appeal_id = make_appeal(client, user_id(client, resident))
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        attach_media(
            db,
            owner_id=user_id(client, uploader),
            media_ids=[media_id],
            appeal_id=appeal_id,
            role=role,
        )
        db.commit()
    return appeal_id


def appeal_with_after_photo(
    client: TestClient, resident: dict[str, str], operator: dict[str, str], media_id: str
) -> int:
    """A new appeal of the resident's with the operator's "after" photo `media_id` attached."""
    return appeal_with_file(client, resident, operator, media_id, role="after")


def stored_files(settings: Settings) -> set[Path]:
    return {p for p in settings.media_dir.rglob("*") if p.is_file()}


def media_rows(client: TestClient) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return int(db.exec(select(func.count()).select_from(MediaFile)).one())


def error_code(r: Any) -> str:
    return str(r.json()["error"]["code"])


# ---------------------------------------------------------------- photos


def test_photo_loses_exif_and_keeps_orientation(
    client: TestClient, resident: dict[str, str], settings: Settings
) -> None:
    r = upload(client, resident, jpeg_with_exif(orientation=6))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["kind"] == "image" and body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (20, 40)  # rotated upright by the EXIF tag
    assert body["url"] == f"/api/v1/media/{body['id']}" and body["role"] == "applicant"

    got = client.get(body["url"], headers=resident)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    assert "private" in got.headers["cache-control"]
    data = got.content
    assert len(data) == body["size"]
    assert b"Exif" not in data and b"PhoneModel" not in data and b"PhoneMaker" not in data
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and im.mode == "RGB" and im.size == (20, 40)
    assert "exif" not in im.info and "icc_profile" not in im.info
    assert len(im.getexif()) == 0
    # Orientation 6 = rotate 90° clockwise: the left (red) half ends up on top.
    top, bottom = im.getpixel((10, 5)), im.getpixel((10, 35))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60

    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        row = db.get(MediaFile, body["id"])
        assert row is not None
        assert (settings.media_dir / row.path).read_bytes() == data
        assert row.path.count("/") == 2 and row.path.endswith(".jpg")  # yyyy/mm/<id>.jpg
        assert len(row.sha256) == 64


def test_png_with_alpha_flattened_on_white_and_big_photo_shrunk(
    client: TestClient, resident: dict[str, str], settings: Settings
) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (30, 30), (0, 0, 0, 0)).save(out, "PNG")
    r = upload(client, resident, out.getvalue(), "shot.png", "image/png")
    assert r.status_code == 201, r.text
    im = Image.open(io.BytesIO(client.get(r.json()["url"], headers=resident).content))
    pixel = im.getpixel((15, 15))
    assert isinstance(pixel, tuple) and min(pixel) > 245

    settings.stored_image_max_side = 100
    r = upload(client, resident, plain_jpeg((400, 300)))
    assert r.status_code == 201, r.text
    assert (r.json()["width"], r.json()["height"]) == (100, 75)


def test_process_image_directly() -> None:
    done = process_image(jpeg_with_exif(orientation=3), max_pixels=10_000, max_side=2560)
    assert done.ext == "jpg" and (done.width, done.height) == (40, 20)
    assert b"Exif" not in done.data
    with pytest.raises(MediaRejected) as exc:
        process_image(plain_jpeg((200, 100)), max_pixels=10_000, max_side=2560)
    assert exc.value.code == "image_too_large"
    with pytest.raises(MediaRejected) as exc:
        process_image(b"", max_pixels=10_000, max_side=2560)
    assert exc.value.code == "empty_file"


# ---------------------------------------------------------------- who may read


def test_reading_rights(client: TestClient, resident: dict[str, str]) -> None:
    r = upload(client, resident, plain_jpeg())
    url = r.json()["url"]
    stranger = sign_in(client)
    missing = client.get("/api/v1/media/" + "0" * 32, headers=stranger)
    hidden = client.get(url, headers=stranger)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()  # the same answer: existence is not revealed
    assert client.get(url).status_code == 401

    # Staff read a resident's file once it is attached to an appeal they may see: a supervisor
    # and the executor of the appeal's body, not an executor of another body, nor anyone before.
    operator = make_operator(client)
    executor = make_operator(client, "+77015550011", role="executor", body="ENERGY_HOUSING")
    other_body = make_operator(client, "+77015550012", role="executor", body="ROADS_TRANSPORT")
    staff = (operator, executor, other_body)
    assert [client.get(url, headers=h).status_code for h in staff] == [404, 404, 404]
    appeal_with_file(client, resident, resident, r.json()["id"])
    assert [client.get(url, headers=h).status_code for h in staff] == [200, 200, 404]
    assert client.get(url, headers=stranger).status_code == 404

    # An operator's "after" photo attached to the resident's appeal: the resident may see it.
    after = upload(client, operator, plain_jpeg(color=BLUE)).json()
    assert client.get(after["url"], headers=resident).status_code == 404
    appeal_with_after_photo(client, resident, operator, after["id"])
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        resident_user = db.get(User, user_id(client, resident))
        stranger_user = db.get(User, user_id(client, stranger))
        row = db.get(MediaFile, after["id"])
        assert resident_user and stranger_user and row
        assert can_read(db, user=resident_user, media=row) and not can_read(
            db, user=stranger_user, media=row
        )
    assert client.get(after["url"], headers=resident).status_code == 200
    assert client.get(after["url"], headers=stranger).status_code == 404


# ---------------------------------------------------------------- rejections store nothing


def bomb_png() -> bytes:
    return png_declaring(30000, 30000)


REJECTIONS = [
    pytest.param(b"", "photo.jpg", "image/jpeg", 422, "empty_file", id="empty"),
    pytest.param(
        plain_jpeg()[:300], "photo.jpg", "image/jpeg", 422, "image_corrupt", id="truncated-jpeg"
    ),
    pytest.param(bomb_png(), "bomb.png", "image/png", 422, "image_too_large", id="bomb-30000px"),
    pytest.param(
        png_declaring(8000, 8000), "big.png", "image/png", 422, "image_too_large", id="64mp"
    ),
    pytest.param(mp4_bytes(), "photo.jpg", "image/jpeg", 422, "media_mismatch", id="mp4-as-jpg"),
    pytest.param(
        b"not a photo\n" * 20, "photo.jpg", "image/jpeg", 422, "media_mismatch", id="text-as-jpg"
    ),
    pytest.param(
        webm_bytes(), "clip", "image/jpeg", 422, "media_mismatch", id="declared-image-video"
    ),
    pytest.param(plain_jpeg(), "clip.mp4", "video/mp4", 422, "media_mismatch", id="jpeg-as-mp4"),
    pytest.param(
        b"just some notes\n", "notes.txt", "text/plain", 415, "unsupported_media", id="text"
    ),
    pytest.param(b"GIF89a" + bytes(50), "a.gif", "image/gif", 415, "unsupported_media", id="gif"),
]


@pytest.mark.parametrize(("data", "filename", "ctype", "status", "code"), REJECTIONS)
def test_rejections_are_clear_and_store_nothing(
    client: TestClient,
    resident: dict[str, str],
    settings: Settings,
    data: bytes,
    filename: str,
    ctype: str,
    status: int,
    code: str,
) -> None:
    before_files, before_rows = stored_files(settings), media_rows(client)
    r = upload(client, resident, data, filename, ctype)
    assert r.status_code == status, r.text
    assert error_code(r) == code
    assert r.json()["error"]["message"] == MESSAGES[code]["kk"]
    assert stored_files(settings) == before_files
    assert media_rows(client) == before_rows
    assert not list(settings.uploads_dir.iterdir())


def test_oversized_files_are_413(
    client: TestClient, resident: dict[str, str], settings: Settings
) -> None:
    settings.max_image_bytes = 2 * 1024 * 1024
    big_photo = plain_jpeg() + os.urandom(3 * 1024 * 1024)  # a valid start, too many bytes
    r = upload(client, resident, big_photo)
    assert r.status_code == 413 and error_code(r) == "file_too_large"
    assert r.json()["error"]["details"] == {"max_mb": 2}
    assert "2" in r.json()["error"]["message"]

    settings.max_video_bytes = 1024 * 1024  # now the whole body is over every cap: cut early
    r = client.post(
        "/api/v1/media",
        headers={**resident, "Accept-Language": "ru"},
        files={"file": ("clip.mp4", mp4_bytes(payload_size=3 * 1024 * 1024), "video/mp4")},
    )
    assert r.status_code == 413 and error_code(r) == "file_too_large"
    assert r.json()["error"]["message"] == MESSAGES["file_too_large"]["ru"].format(max_mb=2)
    assert stored_files(settings) == set() and media_rows(client) == 0


def test_body_without_length_is_cut_off_at_the_cap(
    client: TestClient,
    resident: dict[str, str],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.max_image_bytes = settings.max_video_bytes = 1024 * 1024

    def never(*args: Any, **kw: Any) -> None:
        raise AssertionError("the body should have been cut off while streaming")

    monkeypatch.setattr(media_crud, "ingest", never)
    boundary = "media-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    sent: list[int] = []

    def body() -> Any:  # chunked: no Content-Length to check up front
        yield head + mp4_bytes(payload_size=0)
        for _ in range(40):
            sent.append(1)
            yield os.urandom(64 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        "/api/v1/media",
        content=body(),
        headers={**resident, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413 and error_code(r) == "file_too_large"
    assert stored_files(settings) == set() and media_rows(client) == 0


def test_messages_follow_accept_language(client: TestClient, resident: dict[str, str]) -> None:
    for lang in ("kk", "ru"):
        r = client.post(
            "/api/v1/media",
            headers={**resident, "Accept-Language": f"{lang},en;q=0.5"},
            files={"file": ("photo.jpg", b"", "image/jpeg")},
        )
        assert r.json()["error"]["message"] == MESSAGES["empty_file"][lang]
        r = client.post(
            "/api/v1/media",
            headers={**resident, "Accept-Language": lang},
            files={"file": ("photo.jpg", mp4_bytes(), "image/jpeg")},
        )
        assert r.json()["error"]["message"] == MESSAGES["media_mismatch"][lang]


def test_request_without_a_file_is_422(client: TestClient, resident: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/media", headers=resident, files={"photo": ("a.jpg", plain_jpeg(), "image/jpeg")}
    )
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert r.json()["error"]["details"]["fields"][0]["loc"] == ["body", "file"]
    r = client.post("/api/v1/media", headers=resident, json={"file": "x"})
    assert r.status_code == 415 and error_code(r) == "validation_error"


# ---------------------------------------------------------------- videos


@pytest.mark.parametrize(
    ("data", "filename", "ctype", "expected"),
    [
        (real_video("mp4"), "clip.mp4", "video/mp4", "video/mp4"),
        (real_video("mov", rotation=90), "IMG_0001.MOV", "video/quicktime", "video/quicktime"),
        (real_video("3gp"), "VID.3gp", "video/3gpp", "video/3gpp"),
        (real_video("webm", codec="libvpx"), "clip.webm", "video/webm", "video/webm"),
        (real_video("matroska"), "clip.mkv", "application/octet-stream", "video/x-matroska"),
    ],
    ids=["mp4", "mov", "3gp", "webm", "mkv"],
)
def test_videos_are_stored_as_a_remux_of_their_tracks(
    client: TestClient,
    resident: dict[str, str],
    data: bytes,
    filename: str,
    ctype: str,
    expected: str,
) -> None:
    r = upload(client, resident, data, filename, ctype)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "video" and r.json()["content_type"] == expected
    before = video_facts(data)
    w, h = before["size"] if before["rotation"] == 0 else before["size"][::-1]
    assert (r.json()["width"], r.json()["height"]) == (w, h)  # as shown, upright
    got = client.get(r.json()["url"], headers=resident)
    assert got.status_code == 200 and r.json()["size"] == len(got.content)
    assert got.headers["content-type"] == expected
    after = video_facts(got.content)
    assert after["format"] == before["format"] and after["frames"] == before["frames"]
    assert after["size"] == before["size"] and after["rotation"] == before["rotation"]
    ranged = client.get(r.json()["url"], headers={**resident, "Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.content == got.content[:100]  # players can seek


def test_process_video_refuses_what_ffmpeg_cannot_read(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    fake = mp4_bytes()  # an ftyp box, then random bytes as mdat: no moov, no track
    with pytest.raises(MediaRejected) as exc:
        process_video(io.BytesIO(fake), out, "video/mp4")
    assert exc.value.code == "video_corrupt"
    with pytest.raises(MediaRejected) as exc:  # a real WebM named as an MP4 by its bytes
        process_video(io.BytesIO(real_video("webm", codec="libvpx")), out, "video/mp4")
    assert exc.value.code == "video_corrupt"
    cut = real_video()[:-200]  # the index (moov, at the end) cut short
    with pytest.raises(MediaRejected) as exc:
        process_video(io.BytesIO(cut), out, "video/mp4")
    assert exc.value.code == "video_corrupt"


def test_sniffing_and_classifying() -> None:
    assert sniff_video(mp4_bytes()[:64]) == "video/mp4"
    assert sniff_video(mp4_bytes(b"qt  ")[:64]) == "video/quicktime"
    assert sniff_video(webm_bytes()[:64]) == "video/webm"
    assert sniff_video(webm_bytes(b"matroska")[:64]) == "video/x-matroska"
    assert sniff_video(mp4_bytes(b"heic")[:64]) is None  # an iPhone photo, not a video
    assert sniff_video(mp4_bytes(b"M4A ")[:64]) is None  # audio
    assert sniff_video(plain_jpeg()[:64]) is None
    assert sniff_video(b"") is None

    assert classify("IMG_1.jpg", "image/jpeg", plain_jpeg()) == "image"
    assert classify("1000012345", "application/octet-stream", plain_jpeg()) == "image"
    assert classify("photo.png", "image/png", plain_jpeg()) == "image"  # image is image
    assert classify("clip.mov", "video/quicktime", mp4_bytes(b"qt  ")) == "video"
    for name, ctype, head, code in [
        ("a.jpg", "image/jpeg", b"", "empty_file"),
        ("a.jpg", "image/jpeg", mp4_bytes(), "media_mismatch"),
        ("a.mp4", "video/mp4", plain_jpeg(), "media_mismatch"),
        ("a", "text/plain", plain_jpeg(), "media_mismatch"),
        ("a.jpg", "image/jpeg", b"%PDF-1.7", "media_mismatch"),
        ("a.pdf", "application/pdf", b"%PDF-1.7", "unsupported_media"),
    ]:
        with pytest.raises(MediaRejected) as exc:
            classify(name, ctype, head)
        assert exc.value.code == code, (name, ctype)
    if not HEIF_SUPPORTED:
        with pytest.raises(MediaRejected) as exc:
            classify("IMG_1.HEIC", "image/heic", mp4_bytes(b"heic"))
        assert exc.value.code == "unsupported_media"


# ---------------------------------------------------------------- tus resumable uploads


def tus_headers(auth: dict[str, str], **extra: str) -> dict[str, str]:
    return {**auth, "Tus-Resumable": "1.0.0", **extra}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def tus_create(
    client: TestClient, auth: dict[str, str], length: int, filename: str, filetype: str
) -> Any:
    return client.post(
        "/api/v1/uploads",
        headers=tus_headers(
            auth,
            **{
                "Upload-Length": str(length),
                "Upload-Metadata": f"filename {b64(filename)},filetype {b64(filetype)}",
            },
        ),
    )


def tus_patch(
    client: TestClient, auth: dict[str, str], location: str, offset: int, chunk: bytes
) -> Any:
    return client.patch(
        location,
        content=chunk,
        headers=tus_headers(
            auth,
            **{"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
        ),
    )


def patch_then_drop(
    client: TestClient, auth: dict[str, str], location: str, offset: int, chunk: bytes, sent: int
) -> None:
    """A PATCH whose connection drops after `sent` of the chunk's bytes (raw ASGI)."""
    headers = tus_headers(
        auth,
        **{
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(len(chunk)),
            "Host": "testserver",
        },
    )
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": location,
        "raw_path": location.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    pieces = [chunk[: sent // 2], chunk[sent // 2 : sent]]

    async def receive() -> dict[str, Any]:
        if pieces:
            return {"type": "http.request", "body": pieces.pop(0), "more_body": True}
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        pass  # nobody is listening any more

    async def run() -> None:
        await client.app(scope, receive, send)

    anyio.run(run)


def test_tus_options(client: TestClient, settings: Settings) -> None:
    r = client.options("/api/v1/uploads")
    assert r.status_code == 204
    assert r.headers["tus-version"] == "1.0.0" and r.headers["tus-resumable"] == "1.0.0"
    assert "creation" in r.headers["tus-extension"]
    assert int(r.headers["tus-max-size"]) == settings.max_video_bytes


def test_tus_video_survives_a_dropped_connection(
    client: TestClient, resident: dict[str, str], settings: Settings
) -> None:
    # a real video, padded by a `free` box to several write batches (dropped by the remux)
    video = real_video() + box(b"free", os.urandom(3 * 1024 * 1024 + 123))
    third = len(video) // 3
    r = tus_create(client, resident, len(video), "street.mp4", "video/mp4")
    assert r.status_code == 201, r.text
    assert r.headers["tus-resumable"] == "1.0.0"
    location = r.headers["location"]
    assert location.startswith("/api/v1/uploads/")

    # chunk 1
    r = tus_patch(client, resident, location, 0, video[:third])
    assert r.status_code == 204, r.text
    assert int(r.headers["upload-offset"]) == third

    # chunk 2: the connection drops part-way; what arrived is kept
    patch_then_drop(client, resident, location, third, video[third : 2 * third], sent=700_001)
    head = client.head(location, headers=tus_headers(resident))
    assert head.status_code == 200
    assert head.headers["cache-control"] == "no-store"
    assert int(head.headers["upload-length"]) == len(video)
    offset = int(head.headers["upload-offset"])
    assert offset == third + 700_001

    # a stale retry at the old offset is refused with the real one
    r = tus_patch(client, resident, location, third, video[third : 2 * third])
    assert r.status_code == 409 and error_code(r) == "upload_offset_mismatch"
    assert int(r.headers["upload-offset"]) == offset

    # someone else cannot see or touch it
    stranger = sign_in(client)
    assert client.head(location, headers=tus_headers(stranger)).status_code == 404
    assert client.get(location, headers=stranger).status_code == 404
    assert tus_patch(client, stranger, location, offset, b"x").status_code == 404

    # resume: the rest of chunk 2, then chunk 3
    r = tus_patch(client, resident, location, offset, video[offset : 2 * third])
    assert r.status_code == 204 and int(r.headers["upload-offset"]) == 2 * third
    assert "upload-media-id" not in r.headers
    assert client.get(location, headers=resident).json() == {
        "offset": 2 * third,
        "length": len(video),
        "media": None,
    }
    r = tus_patch(client, resident, location, 2 * third, video[2 * third :])
    assert r.status_code == 204, r.text
    media_id = r.headers["upload-media-id"]
    assert int(r.headers["upload-offset"]) == len(video)

    state = client.get(location, headers=resident).json()
    assert state["offset"] == state["length"] == len(video)
    assert state["media"]["id"] == media_id and state["media"]["kind"] == "video"
    got = client.get(state["media"]["url"], headers=resident)
    assert got.status_code == 200 and video_facts(got.content)["frames"] == 6
    assert len(got.content) < 100_000 and got.headers["content-type"] == "video/mp4"
    assert not list(settings.uploads_dir.glob("*.part"))
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        row = db.get(Upload, location.rsplit("/", 1)[-1])
        assert row is not None and row.media_id == media_id

    # a retry of the last PATCH after success is harmless
    r = tus_patch(client, resident, location, len(video), b"")
    assert r.status_code == 204 and r.headers["upload-media-id"] == media_id
    assert media_rows(client) == 1


def test_tus_photo_is_cleaned_like_a_direct_upload(
    client: TestClient, resident: dict[str, str]
) -> None:
    photo = jpeg_with_exif()
    location = tus_create(client, resident, len(photo), "IMG_2.jpg", "image/jpeg").headers[
        "location"
    ]
    r = tus_patch(client, resident, location, 0, photo)
    assert r.status_code == 204, r.text
    media = client.get(location, headers=resident).json()["media"]
    assert (media["width"], media["height"]) == (20, 40)
    data = client.get(media["url"], headers=resident).content
    assert b"PhoneModel" not in data and b"Exif" not in data


def test_tus_rejections(client: TestClient, resident: dict[str, str], settings: Settings) -> None:
    r = tus_create(client, resident, settings.max_video_bytes + 1, "big.mp4", "video/mp4")
    assert r.status_code == 413 and error_code(r) == "file_too_large"
    r = tus_create(client, resident, settings.max_image_bytes + 1, "big.jpg", "image/jpeg")
    assert r.status_code == 413 and r.json()["error"]["details"] == {"max_mb": 15}
    r = tus_create(client, resident, 0, "empty.jpg", "image/jpeg")
    assert r.status_code == 422 and error_code(r) == "empty_file"
    r = client.post("/api/v1/uploads", headers=tus_headers(resident))  # no Upload-Length
    assert r.status_code == 422
    r = client.post(
        "/api/v1/uploads",
        headers=tus_headers(resident, **{"Upload-Length": "10", "Upload-Metadata": "filename %%"}),
    )
    assert r.status_code == 400 and error_code(r) == "validation_error"
    r = client.post(
        "/api/v1/uploads", headers={**resident, "Tus-Resumable": "0.2.2", "Upload-Length": "10"}
    )
    assert r.status_code == 412 and r.headers["tus-version"] == "1.0.0"
    assert client.post("/api/v1/uploads", headers={"Upload-Length": "10"}).status_code == 401

    location = tus_create(client, resident, 10, "a.mp4", "video/mp4").headers["location"]
    r = client.patch(
        location,
        content=b"0123456789",
        headers=tus_headers(resident, **{"Upload-Offset": "0", "Content-Type": "text/plain"}),
    )
    assert r.status_code == 415
    r = tus_patch(client, resident, location, 0, b"0123456789abc")  # more than Upload-Length
    assert r.status_code == 413
    assert client.head(location, headers=tus_headers(resident)).headers["upload-offset"] == "0"
    r = client.delete(location, headers=tus_headers(resident))
    assert r.status_code == 204
    assert client.head(location, headers=tus_headers(resident)).status_code == 404
    assert not list(settings.uploads_dir.iterdir())


def test_tus_rejected_file_leaves_nothing(
    client: TestClient, resident: dict[str, str], settings: Settings
) -> None:
    broken = plain_jpeg()[:300]
    location = tus_create(client, resident, len(broken), "IMG.jpg", "image/jpeg").headers[
        "location"
    ]
    r = client.patch(
        location,
        content=broken,
        headers=tus_headers(
            resident,
            **{
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
                "Accept-Language": "ru",
            },
        ),
    )
    assert r.status_code == 422 and error_code(r) == "image_corrupt"
    assert r.json()["error"]["message"] == MESSAGES["image_corrupt"]["ru"]
    assert client.head(location, headers=tus_headers(resident)).status_code == 404
    assert stored_files(settings) == set() and media_rows(client) == 0
    assert not list(settings.uploads_dir.iterdir())

    text = b"not a video at all" * 10
    location = tus_create(client, resident, len(text), "clip.mp4", "video/mp4").headers["location"]
    r = tus_patch(client, resident, location, 0, text)
    assert r.status_code == 422 and error_code(r) == "media_mismatch"
    assert stored_files(settings) == set() and media_rows(client) == 0


# ---------------------------------------------------------------- attaching


def test_attach_media_rules(client: TestClient, resident: dict[str, str]) -> None:
    mine = [upload(client, resident, plain_jpeg()).json()["id"] for _ in range(3)]
    other = sign_in(client)
    foreign = upload(client, other, plain_jpeg()).json()["id"]
    me = user_id(client, resident)
    appeal_a, appeal_b = make_appeal(client, me), make_appeal(client, me)

    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        for bad in ([foreign], ["f" * 32], [mine[2], foreign]):
            with pytest.raises(ApiError) as exc:
                attach_media(db, owner_id=me, media_ids=bad, appeal_id=appeal_a)
            assert exc.value.status == 422 and exc.value.code == "media_not_yours"
        db.rollback()
        assert media_for_appeal(db, appeal_id=appeal_a) == []  # all or nothing

        attached = attach_media(
            db, owner_id=me, media_ids=[mine[0], mine[1], mine[0]], appeal_id=appeal_a
        )
        db.commit()
        assert [m.id for m in attached] == [mine[0], mine[1]]
        assert {m.id for m in media_for_appeal(db, appeal_id=appeal_a)} == {mine[0], mine[1]}

        again = attach_media(
            db, owner_id=me, media_ids=[mine[0], mine[1]], appeal_id=appeal_a
        )  # a retry
        db.commit()
        assert [m.id for m in again] == [mine[0], mine[1]]

        with pytest.raises(ApiError) as exc:
            attach_media(db, owner_id=me, media_ids=[mine[0]], appeal_id=appeal_b)
        assert exc.value.code == "media_not_yours"
        with pytest.raises(ApiError):
            attach_media(db, owner_id=me, media_ids=[mine[0]], appeal_id=appeal_a, message_id=1)
        assert attach_media(db, owner_id=me, media_ids=[], appeal_id=appeal_b) == []
        assert media_for_appeal(db, appeal_id=appeal_b) == []
