"""The photo and video pipeline on the device: photos shrunk, turned upright and stripped of
EXIF (GPS!) before anything leaves the phone; videos refused over the cap by a clear message."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image

from app.data.services.media import (
    MSG_HEIC_UNSUPPORTED,
    MSG_UNSUPPORTED,
    MSG_VIDEO_TOO_LARGE,
    MediaPreparer,
    MediaRejected,
    sniff,
    thumbnail,
)
from app.i18n import Translator

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def camera_photo(path: Path, size: tuple[int, int] = (4000, 3000), orientation: int = 6) -> Path:
    """A big noisy JPEG as a phone writes it: EXIF with GPS, camera make and Orientation.

    The left half is red and the right half blue, so the turn can be checked: with
    Orientation 6 (rotate 90° clockwise to view) red ends up on top.
    """
    w, h = size
    rnd = random.Random(7)
    noise = Image.frombytes("L", size, rnd.randbytes(w * h))
    red = Image.merge("RGB", (noise.point(lambda v: 180 + v // 4), noise.point(lambda v: v // 8),
                              noise.point(lambda v: v // 8)))  # fmt: skip
    blue = Image.merge("RGB", (noise.point(lambda v: v // 8), noise.point(lambda v: v // 8),
                               noise.point(lambda v: 180 + v // 4)))  # fmt: skip
    im = red.copy()
    im.paste(blue.crop((w // 2, 0, w, h)), (w // 2, 0))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 7.0, 42.0), 3: "E", 4: (71.0, 25.0, 51.0)}
    im.save(path, "JPEG", quality=95, exif=exif)
    return path


@pytest.fixture
def preparer(tmp_path: Path) -> MediaPreparer:
    return MediaPreparer(tmp_path / "media")


def test_camera_photo_is_shrunk_upright_and_without_exif(
    tmp_path: Path, preparer: MediaPreparer
) -> None:
    source = camera_photo(tmp_path / "IMG_0001.jpg")
    with Image.open(source) as original:
        assert original.getexif()[GPS_IFD]  # the GPS is really in the input
    media = preparer.prepare(source, "IMG_0001.jpg")

    out = Path(media.path)
    assert out.parent == tmp_path / "media" and out.suffix == ".jpg"
    assert (media.kind, media.content_type, media.size) == (
        "image",
        "image/jpeg",
        out.stat().st_size,
    )
    with Image.open(out) as im:
        assert im.format == "JPEG"
        assert max(im.size) <= 1920
        assert im.size == (1440, 1920)  # 4000×3000 turned to portrait by Orientation 6
        assert len(im.getexif()) == 0
        assert "exif" not in im.info and "icc_profile" not in im.info
        top = im.getpixel((im.width // 2, im.height // 8))
        bottom = im.getpixel((im.width // 2, im.height * 7 // 8))
    assert top[0] > 150 > top[2]  # red on top: the turn was applied
    assert bottom[2] > 150 > bottom[0]
    raw = out.read_bytes()
    assert b"Exif" not in raw and b"PhoneMaker" not in raw
    assert media.size < source.stat().st_size / 4


def test_small_photo_keeps_its_size(tmp_path: Path, preparer: MediaPreparer) -> None:
    source = camera_photo(tmp_path / "small.jpg", size=(800, 600), orientation=1)
    with Image.open(preparer.prepare(source).path) as im:
        assert im.size == (800, 600)
        assert len(im.getexif()) == 0


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_with_transparency_become_jpeg(
    tmp_path: Path, preparer: MediaPreparer, fmt: str
) -> None:
    source = tmp_path / f"shot.{fmt.lower()}"
    Image.new("RGBA", (2400, 1200), (0, 128, 0, 0)).save(source, fmt)
    media = preparer.prepare(source)
    with Image.open(media.path) as im:
        assert (im.format, im.mode, im.size) == ("JPEG", "RGB", (1920, 960))
        assert im.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)  # alpha on white


def test_not_a_picture_is_refused_by_its_bytes(tmp_path: Path, preparer: MediaPreparer) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"%PDF-1.4 not a photo at all" * 10)
    with pytest.raises(MediaRejected) as err:
        preparer.prepare(fake)
    assert err.value.message.msgid == MSG_UNSUPPORTED
    assert Translator("ru").render(err.value.message) == (
        "photo.jpg — не фото и не видео, которые принимает приложение (JPEG, PNG, WebP, MP4, MOV)."
    )
    assert not list((tmp_path / "media").glob("*"))  # nothing half-written


def test_heic_without_a_decoder_says_so(tmp_path: Path, preparer: MediaPreparer) -> None:
    heic = tmp_path / "IMG_0002.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100)
    with pytest.raises(MediaRejected) as err:
        preparer.prepare(heic)
    assert err.value.message.msgid == MSG_HEIC_UNSUPPORTED


def mp4(path: Path, size: int) -> Path:
    head = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
    path.write_bytes(head + b"\x00" * (size - len(head)))
    return path


def test_video_is_recognised_by_its_signature_and_copied(tmp_path: Path) -> None:
    preparer = MediaPreparer(tmp_path / "media", max_video_bytes=10_000)
    media = preparer.prepare(mp4(tmp_path / "clip.bin", 5_000), "clip.bin")
    assert (media.kind, media.content_type, media.size) == ("video", "video/mp4", 5_000)
    assert Path(media.path).suffix == ".mp4"
    assert Path(media.path).read_bytes() == (tmp_path / "clip.bin").read_bytes()


def test_webm_and_quicktime_signatures() -> None:
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\0" * 16
    assert sniff(webm) is not None and sniff(webm).format == "video/webm"  # type: ignore[union-attr]
    mov = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "
    assert sniff(mov) is not None and sniff(mov).format == "video/quicktime"  # type: ignore[union-attr]
    audio = b"\x00\x00\x00\x14ftypM4A \x00\x00\x02\x00M4A "
    assert sniff(audio) is None


def test_video_over_the_cap_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    cap = 100 * 1024 * 1024
    preparer = MediaPreparer(tmp_path / "media", max_video_bytes=cap)
    with pytest.raises(MediaRejected) as err:  # refused by size before anything is read
        preparer.precheck("holiday.mp4", cap + 1)
    assert err.value.message.msgid == MSG_VIDEO_TOO_LARGE
    assert Translator("kk").render(err.value.message) == (
        "holiday.mp4 бейнесі 100 МБ-тан үлкен. Қысқарақ бейне таңдаңыз."
    )
    assert Translator("ru").render(err.value.message) == (
        "Видео holiday.mp4 больше 100 МБ. Выберите видео покороче."
    )
    small_cap = MediaPreparer(tmp_path / "media", max_video_bytes=4_000, max_photo_bytes=4_000)
    with pytest.raises(MediaRejected) as err:  # and by the real size of the file
        small_cap.prepare(mp4(tmp_path / "long.mp4", 6_000))
    assert err.value.message.msgid == MSG_VIDEO_TOO_LARGE
    assert not list((tmp_path / "media").glob("*"))


def test_empty_file_is_refused(tmp_path: Path, preparer: MediaPreparer) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(MediaRejected):
        preparer.prepare(empty)


def test_discard_deletes_only_inside_the_media_dir(tmp_path: Path, preparer: MediaPreparer) -> None:
    source = camera_photo(tmp_path / "a.jpg", size=(100, 80), orientation=1)
    media = preparer.prepare(source)
    preparer.discard(media)
    assert not Path(media.path).exists()
    outside = type(media)(str(source), "image", "image/jpeg", 1)
    preparer.discard(outside)
    assert source.exists()


def test_thumbnail_is_small(tmp_path: Path, preparer: MediaPreparer) -> None:
    media = preparer.prepare(camera_photo(tmp_path / "b.jpg", size=(1600, 1200), orientation=1))
    thumb = thumbnail(media.path)
    assert thumb is not None
    with Image.open(io.BytesIO(thumb)) as im:
        assert max(im.size) <= 240
    assert thumbnail(tmp_path / "missing.jpg") is None
