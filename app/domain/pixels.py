"""A photo's pixels made plain before it is re-encoded: 16-bit and floating-point greyscale
scaled to 8 bits, transparency laid on white. The one implementation, used by the app before an
upload (`data/services/media`) and by the server on what it stores
(`backend_stub.services.media_processing.photos`, which then converts embedded colour profiles)."""

from __future__ import annotations

import struct

from PIL import Image, ImageOps

WHITE = (255, 255, 255)
_WIDE_GREY = ("I;16", "I;16B", "I;16L", "I;16N", "I")
_ALPHA = ("RGBA", "LA", "PA", "La", "RGBa")


def flatten(im: Image.Image) -> Image.Image:
    """`im` without transparency and in an 8-bit mode (RGB, L, CMYK… as it was otherwise)."""
    if im.mode in _WIDE_GREY:
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif im.mode == "F":
        im = im.convert("L")
    if im.mode in _ALPHA or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im


def upright(im: Image.Image) -> Image.Image:
    """`im` turned as its EXIF orientation says (a copy as it is when the EXIF is unreadable)."""
    try:
        return ImageOps.exif_transpose(im)
    except (KeyError, ValueError, TypeError, struct.error, SyntaxError):
        return im.copy()


def only_pixels(rgb: Image.Image, max_side: int) -> Image.Image:
    """A new RGB image of `rgb`'s pixels, long side ≤ `max_side`: no info, no EXIF, no profile."""
    if max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", rgb.size, WHITE)
    clean.paste(rgb)
    return clean
