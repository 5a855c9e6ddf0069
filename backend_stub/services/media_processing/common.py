"""What photos and videos share: the refusal (`MediaRejected`), the result (`ProcessedMedia`),
and recognising an upload by its first bytes (`classify`, `sniff_video`), never by its name."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Literal

try:  # HEIC/HEIF (iPhone photos) only when the optional pillow-heif plugin is installed
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - depends on the environment
    HEIF_SUPPORTED = False
else:  # pragma: no cover - depends on the environment
    register_heif_opener()
    HEIF_SUPPORTED = True


Kind = Literal["image", "video"]

HEAD_BYTES = 4096  # enough of a file's start to recognise its format

_IMAGE_EXTS = {
    "jpg", "jpeg", "jpe", "jfif", "png", "webp", "heic", "heif", "gif", "bmp", "tif", "tiff",
    "avif",
}  # fmt: skip

_VIDEO_EXTS = {"mp4", "m4v", "mov", "qt", "webm", "mkv", "3gp", "3g2"}

_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}

# ISO base media file format (`ftyp` box) brands.
_QUICKTIME_BRANDS = {b"qt  "}

_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"av01", b"dash", b"msdh", b"msix", b"mmp4",
    b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"XAVC", b"f4v ", b"cmfc", b"cmf2",
    b"NDAS", b"NDSC", b"NDSH", b"NDSM", b"NDSP", b"NDSS", b"NDXC", b"NDXH", b"NDXM",
    b"NDXP", b"NDXS",
}  # fmt: skip


_3GP_BRANDS = {
    b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gp8", b"3gp9", b"3ge6", b"3ge7", b"3gg6",
    b"3g2a", b"3g2b", b"3g2c",
}  # fmt: skip

_HEIF_BRANDS = {
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
}  # fmt: skip

_AVIF_BRANDS = {b"avif", b"avis"}

_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}

VIDEO_EXTENSIONS = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
}


class MediaRejected(Exception):
    """A file the service does not take; `code` is a message code (see messages.py)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ProcessedMedia:
    kind: Kind
    content_type: str
    ext: str
    data: bytes
    width: int | None = None
    height: int | None = None


def _ftyp_brands(head: bytes) -> tuple[bytes, list[bytes]] | None:
    """(major brand, compatible brands) of an ISO-BMFF file starting with an `ftyp` box."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    size = struct.unpack(">I", head[:4])[0]
    if size < 12:
        return None
    box = head[: min(size, len(head))]
    compatible = [box[i : i + 4] for i in range(16, len(box) - 3, 4)]
    return head[8:12], compatible


def sniff_video(head: bytes) -> str | None:
    """The video content type of a file by its container signature, or None if not a video."""
    brands = _ftyp_brands(head)
    if brands is not None:
        major, compatible = brands
        if major in _HEIF_BRANDS | _AVIF_BRANDS | _AUDIO_BRANDS:
            return None
        for brand in [major, *compatible]:
            if brand in _QUICKTIME_BRANDS:
                return "video/quicktime"
            if brand in _MP4_BRANDS:
                return "video/mp4"
            if brand in _3GP_BRANDS:
                return "video/3gpp"
        return None
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML header: WebM or Matroska by its DocType
        doctype = _ebml_doctype(head)
        if doctype == b"webm":
            return "video/webm"
        if doctype == b"matroska":
            return "video/x-matroska"
    return None


def _ebml_doctype(head: bytes) -> bytes | None:
    at = head.find(b"\x42\x82", 4, 64)  # DocType element id
    if at < 0 or at + 2 >= len(head):
        return None
    first = head[at + 2]
    width = next((n for n in range(1, 9) if first & (0x80 >> (n - 1))), 0)
    if not width:
        return None
    size_bytes = bytes([first & (0xFF >> width)]) + head[at + 3 : at + 2 + width]
    size = int.from_bytes(size_bytes, "big")
    start = at + 2 + width
    if size > 32 or start + size > len(head):
        return None
    return head[start : start + size].rstrip(b"\x00")


def _image_format(head: bytes) -> tuple[str, bool] | None:
    """(format, supported) if the bytes start like a picture, else None."""
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG", True
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG", True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", True
    brands = _ftyp_brands(head)
    if brands is not None:
        major, compatible = brands
        if major in _HEIF_BRANDS or (major not in _AVIF_BRANDS and b"mif1" in compatible):
            return "HEIF", HEIF_SUPPORTED
        if major in _AVIF_BRANDS:
            return "AVIF", False
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", False
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF", False
    if head[:2] == b"BM" and len(head) >= 14:
        return "BMP", False
    return None


def _hint(filename: str, declared_content_type: str | None) -> set[str]:
    """What the name and the declared type claim the file is: image / video / other."""
    hints: set[str] = set()
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in _IMAGE_EXTS:
        hints.add("image")
    elif ext in _VIDEO_EXTS:
        hints.add("video")
    ctype = (declared_content_type or "").split(";")[0].strip().lower()
    if ctype.startswith("image/"):
        hints.add("image")
    elif ctype.startswith("video/") or ctype == "application/mp4":
        hints.add("video")
    elif ctype not in _GENERIC_TYPES:
        hints.add("other")
    return hints


def classify(filename: str, declared_content_type: str | None, data_head: bytes) -> Kind:
    """The kind ("image" or "video") by the bytes; name and declared type must not contradict."""
    if not data_head:
        raise MediaRejected("empty_file")
    hints = _hint(filename, declared_content_type)
    image = _image_format(data_head)
    video = sniff_video(data_head)
    if video is not None:
        kind: Kind = "video"
    elif image is not None:
        if not image[1]:
            raise MediaRejected("unsupported_media")
        kind = "image"
    else:
        # Not a picture or a video we know. A name or type claiming one is a lie about the bytes.
        raise MediaRejected("media_mismatch" if hints & {"image", "video"} else "unsupported_media")
    if hints - {kind}:
        raise MediaRejected("media_mismatch")
    return kind
