"""Checking and cleaning uploaded media by their bytes, never by their names (no database here).

Photos are decoded by Pillow (decompression-bomb limit on), turned upright by their EXIF
Orientation, scaled down and re-encoded as a plain JPEG without EXIF (GPS, device) or any other
metadata.

Videos are recognised by their container signature, then opened by FFmpeg's demuxers (PyAV):
the container must parse, hold a video track of sane dimensions, and its first frame must
decode. What is stored is a remux (no re-encoding) of the audio and video packets alone into a
new file of the same container type: no container or stream metadata (the recording place, as
`udta/©xyz`, 3GPP `loci` or the QuickTime location key; the device; the time), no data,
subtitle or attachment tracks (GPS tracks of action cameras and drones), and no bytes outside
the boxes the muxer writes. The display matrix (a phone's rotation) is kept.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, Literal

import av
import av.error
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF (iPhone photos) only when the optional pillow-heif plugin is installed
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - depends on the environment
    HEIF_SUPPORTED = False
else:  # pragma: no cover - depends on the environment
    register_heif_opener()
    HEIF_SUPPORTED = True

Kind = Literal["image", "video"]

HEAD_BYTES = 4096  # enough of a file's start to recognise its format
JPEG_QUALITY = 85
STORED_IMAGE_TYPE = "image/jpeg"
_WHITE = (255, 255, 255)

# Pillow decoders a photo may be opened with; nothing else (EPS, PSD, ...) is ever tried.
_PILLOW_FORMATS = ["JPEG", "PNG", "WEBP"] + (["HEIF"] if HEIF_SUPPORTED else [])

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

# The muxer a stored video is written with, and the demuxer its upload must have parsed as.
_VIDEO_MUXERS = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/webm": "webm",
    "video/x-matroska": "matroska",
}
_ISO_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"
_EBML_DEMUXER = "matroska,webm"
_VIDEO_DEMUXERS = {
    "video/mp4": _ISO_DEMUXER,
    "video/quicktime": _ISO_DEMUXER,
    "video/3gpp": _ISO_DEMUXER,
    "video/webm": _EBML_DEMUXER,
    "video/x-matroska": _EBML_DEMUXER,
}
MAX_VIDEO_SIDE = 8192  # 8K; a frame is decoded to check the video, so its size is bounded
MAX_VIDEO_STREAMS = 16

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


# ---------------------------------------------------------------- recognising the bytes


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


# ---------------------------------------------------------------- cleaning a photo


def process_image(data: bytes, *, max_pixels: int, max_side: int) -> ProcessedMedia:
    """Decode, check, turn upright, shrink and re-encode a photo as a metadata-free JPEG."""
    if not data:
        raise MediaRejected("empty_file")
    try:
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as probe:
            _check_pixels(probe.size, max_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as im:
            _check_pixels(im.size, max_pixels)
            if im.format == "JPEG":  # decode at a reduced scale when it is far too big anyway
                im.draft("RGB", (max_side, max_side))
            im.load()
            clean = _clean(im, max_side)
    except MediaRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise MediaRejected("image_too_large") from exc
    except UnidentifiedImageError as exc:
        raise MediaRejected("unsupported_media") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError) as exc:
        raise MediaRejected("image_corrupt") from exc
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ProcessedMedia(
        kind="image",
        content_type=STORED_IMAGE_TYPE,
        ext="jpg",
        data=out.getvalue(),
        width=clean.width,
        height=clean.height,
    )


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise MediaRejected("image_corrupt")
    if width * height > max_pixels:
        raise MediaRejected("image_too_large")


def _clean(im: Image.Image, max_side: int) -> Image.Image:
    """A new RGB image holding only pixels: upright, sRGB, alpha on white, long side ≤ max_side."""
    icc = im.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(im)
    except (KeyError, ValueError, TypeError, struct.error, SyntaxError):  # unreadable EXIF
        upright = im.copy()
    rgb = _to_rgb(upright, icc if isinstance(icc, bytes) else None)
    if max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", rgb.size, _WHITE)  # a fresh image: no info, no EXIF, no profile
    clean.paste(rgb)
    return clean


def _to_rgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif im.mode == "F":
        im = im.convert("L")
    has_alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        im.mode == "P" and "transparency" in im.info
    )
    if has_alpha:
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        im = flat
    if icc and im.mode in ("RGB", "CMYK"):
        im = _to_srgb(im, icc)
    return im if im.mode == "RGB" else im.convert("RGB")


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image, icc: bytes) -> Image.Image:
    """Colours from the embedded profile (e.g. Display P3) to sRGB, so dropping it is harmless."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(im, source, _srgb(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im
    return converted if converted is not None else im


# ---------------------------------------------------------------- checking and remuxing a video


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int


def process_video(src: BinaryIO, dst: Path, content_type: str) -> VideoInfo:
    """Parse the container in `src` with FFmpeg and write its audio and video packets, and
    nothing else, to `dst` (see the module doc). `content_type` is what `sniff_video` said.

    Raises MediaRejected: `video_corrupt` when FFmpeg cannot read the container as that type or
    decode a first frame; `unsupported_media` for no video track, absurd dimensions, or a codec
    the container type cannot carry.
    """
    muxer = _VIDEO_MUXERS[content_type]
    src.seek(0)
    try:
        with av.open(src, "r", format=None, metadata_errors="ignore") as inp:
            if inp.format.name != _VIDEO_DEMUXERS[content_type]:
                raise MediaRejected("video_corrupt")
            return _remux(inp, dst, muxer)
    except MediaRejected:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, EOFError, UnicodeDecodeError) as exc:
        raise MediaRejected("video_corrupt") from exc


def _remux(inp: Any, dst: Path, muxer: str) -> VideoInfo:
    videos = [s for s in inp.streams if s.type == "video"]
    if not videos or len(inp.streams) > MAX_VIDEO_STREAMS:
        raise MediaRejected("unsupported_media" if not videos else "video_corrupt")
    main = videos[0]
    ctx = main.codec_context
    if not (0 < ctx.width <= MAX_VIDEO_SIDE and 0 < ctx.height <= MAX_VIDEO_SIDE):
        raise MediaRejected("unsupported_media")
    kept = [s for s in inp.streams if s.type in ("video", "audio")]
    iso = muxer in ("mp4", "mov", "3gp")
    # bitexact: no "encoder" tag either; faststart: the index first, so players start at once
    options = {"fflags": "+bitexact", **({"movflags": "+faststart"} if iso else {})}
    first = None
    with av.open(str(dst), "w", format=muxer, container_options=options) as out:
        mapping = {}
        for stream in kept:
            try:
                copy = out.add_stream_from_template(stream)
            except ValueError as exc:  # this container type cannot carry the codec
                raise MediaRejected("unsupported_media") from exc
            tag = stream.codec_context.codec_tag
            if iso and tag and tag.isalnum():  # e.g. hvc1, which Apple players need for HEVC
                copy.codec_context.codec_tag = tag
            mapping[stream.index] = copy
        for packet in inp.demux(kept):
            if not packet.size:  # the demuxer's empty end-of-stream packet
                continue
            if first is None and packet.stream.index == main.index:
                first = _first_frame(main, packet)
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)
    if first is None:
        first = _first_frame(main, None)
    if first is None:
        raise MediaRejected("video_corrupt")
    width, height = first.width, first.height
    if first.rotation in (90, -90, 270, -270):
        width, height = height, width
    return VideoInfo(width=width, height=height)


def _first_frame(stream: Any, packet: Any) -> Any:
    """The first frame the decoder gives for this packet (None flushes it), or None."""
    try:
        frames = stream.codec_context.decode(packet)
    except av.error.FFmpegError:
        return None  # e.g. a frame that needs an earlier one: try the next packet
    return frames[0] if frames else None
