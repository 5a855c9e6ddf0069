"""The photo and video pipeline on the device, before anything is uploaded.

Photos (JPEG, PNG, WebP, AVIF; HEIC when Pillow can read it): decoded with Pillow — JPEGs in
`draft()` mode at the smallest scale still ≥ the target, which is much faster — turned upright
by their EXIF Orientation (`ImageOps.exif_transpose`), scaled so the long side is ≤ 1920 px and
re-encoded as a JPEG (quality 80) that carries **no EXIF** (no GPS, no device) and no other
metadata. Pillow's decompression-bomb limit stays on.

Videos are recognised by their container signature (MP4/MOV/3GP `ftyp`, WebM/Matroska EBML)
and refused over the size cap (100 MB) with a clear message; they are copied as they are.

What is accepted becomes a `PreparedMedia` copied into the app's data dir; every refusal is a
`MediaRejected` carrying a `Message` in the resident's language. Blocking: call from a thread.
"""

from __future__ import annotations

import io
import logging
import shutil
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.domain.appeals import PreparedMedia
from app.domain.pixels import flatten, only_pixels, upright
from app.i18n import N_, Message

log = logging.getLogger(__name__)

try:  # HEIC/HEIF (iPhone photos) only where the optional pillow-heif plugin is installed
    from pillow_heif import register_heif_opener
except ImportError:
    HEIF_SUPPORTED = False
else:  # pragma: no cover - depends on the device
    register_heif_opener()
    HEIF_SUPPORTED = True

MAX_SIDE = 1920
JPEG_QUALITY = 80
THUMB_SIDE = 240
MAX_VIDEO_BYTES = 100 * 1024 * 1024
MAX_PHOTO_INPUT_BYTES = 40 * 1024 * 1024
HEAD_BYTES = 4096

MSG_VIDEO_TOO_LARGE = N_("The video {name} is larger than {mb} MB. Choose a shorter one.")
MSG_FILE_TOO_LARGE = N_("The file {name} is larger than {mb} MB.")
MSG_PHOTO_TOO_LARGE = N_("The photo {name} is too large to process.")
MSG_UNSUPPORTED = N_(
    "{name} is not a photo or video this app can take (JPEG, PNG, WebP, MP4, MOV)."
)
MSG_HEIC_UNSUPPORTED = N_("HEIC photos cannot be read on this device. Choose a JPEG or PNG.")
MSG_CORRUPT = N_("The file {name} is damaged and cannot be read.")
MSG_EMPTY = N_("The file {name} is empty.")
MSG_MEDIA_FAILED = N_("Could not read {name}. Try another file.")

_PHOTO_FORMATS = ["JPEG", "PNG", "WEBP", "AVIF"] + (["HEIF"] if HEIF_SUPPORTED else [])

# ISO base media file format brands (the `ftyp` box).
_QUICKTIME = {b"qt  "}
_MP4 = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"mp71", b"avc1",
    b"av01", b"dash", b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"XAVC", b"f4v ", b"mmp4",
}  # fmt: skip
_3GP = {b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gp8", b"3gp9", b"3ge6", b"3ge7", b"3gg6",
        b"3g2a", b"3g2b", b"3g2c"}  # fmt: skip
_HEIF = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_AVIF = {b"avif", b"avis"}
_AUDIO = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
VIDEO_NAME_EXTS = {"mp4", "m4v", "mov", "qt", "webm", "mkv", "3gp", "3g2", "avi"}
VIDEO_EXT = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
}


class MediaRejected(Exception):
    """A file the app does not take; `message` says why in the resident's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    kind: str  # image | video
    format: str  # JPEG/PNG/WEBP/HEIF/AVIF or a video content type


def _ftyp(head: bytes) -> tuple[bytes, list[bytes]] | None:
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    size = struct.unpack(">I", head[:4])[0]
    if size < 12:
        return None
    box = head[: min(size, len(head))]
    return head[8:12], [box[i : i + 4] for i in range(16, len(box) - 3, 4)]


def _ebml_doctype(head: bytes) -> bytes | None:
    at = head.find(b"\x42\x82", 4, 64)
    if at < 0 or at + 2 >= len(head):
        return None
    first = head[at + 2]
    width = next((n for n in range(1, 9) if first & (0x80 >> (n - 1))), 0)
    if not width:
        return None
    size = int.from_bytes(bytes([first & (0xFF >> width)]) + head[at + 3 : at + 2 + width], "big")
    start = at + 2 + width
    if size > 32 or start + size > len(head):
        return None
    return head[start : start + size].rstrip(b"\x00")


def sniff(head: bytes) -> Sniffed | None:
    """What the first bytes of a file say it is (never its name)."""
    if head[:3] == b"\xff\xd8\xff":
        return Sniffed("image", "JPEG")
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return Sniffed("image", "PNG")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "WEBP")
    brands = _ftyp(head)
    if brands is not None:
        major, compatible = brands
        if major in _AVIF:
            return Sniffed("image", "AVIF")
        if major in _HEIF:
            return Sniffed("image", "HEIF")
        if major in _AUDIO:
            return None
        for brand in [major, *compatible]:
            if brand in _QUICKTIME:
                return Sniffed("video", "video/quicktime")
            if brand in _MP4:
                return Sniffed("video", "video/mp4")
            if brand in _3GP:
                return Sniffed("video", "video/3gpp")
        return None
    if head[:4] == b"\x1a\x45\xdf\xa3":
        doctype = _ebml_doctype(head)
        if doctype == b"webm":
            return Sniffed("video", "video/webm")
        if doctype == b"matroska":
            return Sniffed("video", "video/x-matroska")
    return None


def _mb(n: int) -> int:
    return n // (1024 * 1024)


def clean_photo(data: bytes, *, max_side: int = MAX_SIDE, quality: int = JPEG_QUALITY) -> bytes:
    """Decode, turn upright, shrink and re-encode a photo as a JPEG without any metadata.

    Raises `UnidentifiedImageError`, `Image.DecompressionBombError` or `OSError`-like errors.
    """
    with Image.open(io.BytesIO(data), formats=_PHOTO_FORMATS) as im:
        if im.format == "JPEG":
            w, h = im.size
            ratio = max_side / max(w, h)
            if ratio < 1:  # decode at 1/2, 1/4 or 1/8 scale while still ≥ the target
                im.draft("RGB", (max(1, int(w * ratio + 0.5)), max(1, int(h * ratio + 0.5))))
        im.load()
        rgb = _to_rgb(upright(im))
    clean = only_pixels(rgb, max_side)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _to_rgb(im: Image.Image) -> Image.Image:
    im = flatten(im)
    return im if im.mode == "RGB" else im.convert("RGB")


def thumbnail(path: str | Path, side: int = THUMB_SIDE) -> bytes | None:
    """A small JPEG preview of a prepared photo (None for anything unreadable)."""
    try:
        with Image.open(path) as im:
            im.draft("RGB", (side, side))
            im.thumbnail((side, side))
            out = io.BytesIO()
            im.convert("RGB").save(out, "JPEG", quality=70)
            return out.getvalue()
    except (OSError, UnidentifiedImageError, ValueError):
        return None


class MediaPreparer:
    """Turns a picked file into a `PreparedMedia` inside `media_dir` (blocking)."""

    def __init__(
        self,
        media_dir: Path,
        *,
        max_video_bytes: int = MAX_VIDEO_BYTES,
        max_photo_bytes: int = MAX_PHOTO_INPUT_BYTES,
        max_side: int = MAX_SIDE,
    ) -> None:
        self.media_dir = media_dir
        self.max_video_bytes = max_video_bytes
        self.max_photo_bytes = max_photo_bytes
        self.max_side = max_side

    def precheck(self, name: str, size: int) -> None:
        """What can be refused from the name and size alone (before a web upload)."""
        if size == 0:
            raise MediaRejected(Message(MSG_EMPTY, {"name": name}))
        cap = max(self.max_video_bytes, self.max_photo_bytes)
        if size > cap:
            video = name.rsplit(".", 1)[-1].lower() in VIDEO_NAME_EXTS
            msgid = MSG_VIDEO_TOO_LARGE if video else MSG_FILE_TOO_LARGE
            raise MediaRejected(Message(msgid, {"name": name, "mb": _mb(cap)}))

    def prepare(self, source: Path, name: str | None = None) -> PreparedMedia:
        name = name or source.name
        try:
            size = source.stat().st_size
            self.precheck(name, size)
            with source.open("rb") as f:
                head = f.read(HEAD_BYTES)
        except MediaRejected:
            raise
        except OSError as exc:
            raise MediaRejected(Message(MSG_MEDIA_FAILED, {"name": name})) from exc
        found = sniff(head)
        if found is None:
            raise MediaRejected(Message(MSG_UNSUPPORTED, {"name": name}))
        self.media_dir.mkdir(parents=True, exist_ok=True)
        if found.kind == "video":
            return self._video(source, name, size, found.format)
        if found.format == "HEIF" and not HEIF_SUPPORTED:
            raise MediaRejected(Message(MSG_HEIC_UNSUPPORTED))
        if size > self.max_photo_bytes:
            raise MediaRejected(Message(MSG_PHOTO_TOO_LARGE, {"name": name}))
        return self._photo(source, name)

    def _video(self, source: Path, name: str, size: int, content_type: str) -> PreparedMedia:
        if size > self.max_video_bytes:
            raise MediaRejected(
                Message(MSG_VIDEO_TOO_LARGE, {"name": name, "mb": _mb(self.max_video_bytes)})
            )
        target = self.media_dir / f"{uuid.uuid4().hex}.{VIDEO_EXT[content_type]}"
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            target.unlink(missing_ok=True)
            raise MediaRejected(Message(MSG_MEDIA_FAILED, {"name": name})) from exc
        return PreparedMedia(str(target), "video", content_type, target.stat().st_size)

    def _photo(self, source: Path, name: str) -> PreparedMedia:
        try:
            data = clean_photo(source.read_bytes(), max_side=self.max_side)
        except Image.DecompressionBombError as exc:
            raise MediaRejected(Message(MSG_PHOTO_TOO_LARGE, {"name": name})) from exc
        except UnidentifiedImageError as exc:
            raise MediaRejected(Message(MSG_UNSUPPORTED, {"name": name})) from exc
        except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError) as exc:
            raise MediaRejected(Message(MSG_CORRUPT, {"name": name})) from exc
        target = self.media_dir / f"{uuid.uuid4().hex}.jpg"
        target.write_bytes(data)
        return PreparedMedia(str(target), "image", "image/jpeg", len(data))

    def discard(self, media: PreparedMedia) -> None:
        """Delete a prepared file the resident removed (only inside `media_dir`)."""
        path = Path(media.path)
        try:
            if path.resolve().is_relative_to(self.media_dir.resolve()):
                path.unlink(missing_ok=True)
        except OSError:
            log.debug("could not delete %s", path.name)
