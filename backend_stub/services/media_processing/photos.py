"""Cleaning an uploaded photo: decoded by Pillow (decompression-bomb limit on), turned upright by
its EXIF Orientation, scaled down, converted to sRGB and re-encoded as a plain JPEG without
EXIF (GPS, device) or any other metadata."""

from __future__ import annotations

import io
import struct
from functools import cache

from PIL import Image, ImageCms, UnidentifiedImageError

from app.domain.pixels import flatten, only_pixels, upright
from backend_stub.services.media_processing.common import (
    HEIF_SUPPORTED,
    MediaRejected,
    ProcessedMedia,
)

JPEG_QUALITY = 85

STORED_IMAGE_TYPE = "image/jpeg"


# Pillow decoders a photo may be opened with; nothing else (EPS, PSD, ...) is ever tried.
_PILLOW_FORMATS = ["JPEG", "PNG", "WEBP"] + (["HEIF"] if HEIF_SUPPORTED else [])


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
    rgb = _to_rgb(upright(im), icc if isinstance(icc, bytes) else None)
    return only_pixels(rgb, max_side)


def _to_rgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    im = flatten(im)
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
