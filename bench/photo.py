"""Photo pipeline: a 12-megapixel phone JPEG (4000×3000, photographic content — gradients, shapes,
texture and sensor noise, saved at quality 92 with EXIF holding the camera, the time and GPS)
through the app's own pipeline (`MediaPreparer.prepare`, what the new-appeal screen and the chat
call on every picked photo before it is queued for upload).

Printed: bytes in and out and their ratio (target ≤ 1/8), the output's long side (≤ 1920 px),
whether any EXIF/GPS is left (checked with Pillow and in the bytes), the time per photo — the
median of several runs with the process pinned to one core (target ≤ 0.3 s) — beside a plain
`Image.open(...).load()` of the same file in the same run, and the upload time saved on a
1 Mbit/s uplink.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter

from app.data.services.media import MAX_SIDE, MediaPreparer
from bench.report import Row, ms, verdict

PHONE_SIZE = (4000, 3000)
PHONE_QUALITY = 92
UPLINK_BPS = 1_000_000  # 1 Mbit/s
MAX_RATIO = 1 / 8
MAX_SECONDS = 0.3


# -- the test image ------------------------------------------------------------------------------


def _channel_gradient(size: tuple[int, int], top: int, bottom: int) -> Image.Image:
    """A vertical gradient from `top` to `bottom` (0–255) as an L image."""
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return ramp.point(lambda v: top + (bottom - top) * v // 255)


def _scene(size: tuple[int, int], rnd: random.Random) -> Image.Image:
    """A street scene as a phone sees it: sky and ground gradients, buildings with windows,
    trees, a road; soft edges."""
    w, h = size
    horizon = int(h * 0.55)
    sky = Image.merge(
        "RGB",
        [_channel_gradient((w, horizon), a, b) for a, b in ((70, 190), (120, 210), (200, 235))],
    )
    ground = Image.merge(
        "RGB",
        [_channel_gradient((w, h - horizon), a, b) for a, b in ((110, 70), (105, 66), (95, 60))],
    )
    im = Image.new("RGB", size)
    im.paste(sky, (0, 0))
    im.paste(ground, (0, horizon))
    draw = ImageDraw.Draw(im)
    x = 0
    while x < w:  # buildings along the horizon
        bw, bh = rnd.randint(250, 600), rnd.randint(400, 1300)
        shade = rnd.randint(90, 200)
        tint = (shade, shade - rnd.randint(0, 30), shade - rnd.randint(0, 50))
        draw.rectangle((x, horizon - bh, x + bw, horizon), fill=tint)
        for wy in range(horizon - bh + 40, horizon - 60, 90):
            for wx in range(x + 30, x + bw - 50, 80):
                lit = rnd.random() < 0.3
                glass = (230, 210, 140) if lit else (rnd.randint(40, 90),) * 3
                draw.rectangle((wx, wy, wx + 45, wy + 55), fill=glass)
        x += bw + rnd.randint(0, 80)
    draw.polygon(  # the road, in perspective
        [(w * 0.35, horizon), (w * 0.65, horizon), (w * 1.1, h), (-w * 0.1, h)],
        fill=(72, 72, 76),
    )
    for _ in range(40):  # trees and bushes
        cx, cy = rnd.randint(0, w), rnd.randint(horizon - 300, h)
        r = rnd.randint(60, 260)
        green = (rnd.randint(30, 80), rnd.randint(90, 150), rnd.randint(30, 70))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r * 0.8), fill=green)
    for _ in range(25):  # litter, puddles, signs: small things of every colour
        cx, cy, r = rnd.randint(0, w), rnd.randint(horizon, h), rnd.randint(10, 90)
        colour = (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255))
        draw.rectangle((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=colour)
    return im.filter(ImageFilter.GaussianBlur(1.5))


def _grain(size: tuple[int, int], scale: int, sigma: float, bands: int) -> Image.Image:
    """Gaussian grain at one coarseness as RGB around 128: one band for all three channels
    (light and shade) or one per channel (colour)."""
    w, h = size
    small = (max(1, w // scale), max(1, h // scale))
    made = [Image.effect_noise(small, sigma) for _ in range(bands)]
    if scale > 1:
        made = [b.resize(size, Image.Resampling.BICUBIC) for b in made]
    return Image.merge("RGB", made * (3 // bands))


def _natural_detail(im: Image.Image, sigma: float = 6.0) -> Image.Image:
    """Detail at every scale from 1 to 32 px with equal energy per octave — the 1/f spectrum
    of natural photos (foliage, asphalt, plaster, fabric) — mostly in brightness, with a
    little colour; the finest octave is the sensor noise left after the phone's denoising."""
    for scale in (1, 2, 4, 8, 16, 32):
        im = ImageChops.add(im, _grain(im.size, scale, sigma, 1), offset=-128)
        im = ImageChops.add(im, _grain(im.size, scale, sigma / 3, 3), offset=-128)
    return im


def make_phone_jpeg(
    size: tuple[int, int] = PHONE_SIZE, seed: int = 109, quality: int = PHONE_QUALITY
) -> bytes:
    """A JPEG like a phone camera writes: 4:2:0, quality ~92, EXIF with make, model, time,
    orientation and a GPS position (Astana)."""
    rnd = random.Random(seed)
    im = _natural_detail(_scene(size, rnd))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.Base.Model] = "SM-A546E"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.DateTime] = "2026:07:12 09:30:00"
    exif[ExifTags.Base.Software] = "A546EXXU4BXB1"
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = "2026:07:12 09:30:00"
    exif_ifd[ExifTags.Base.LensModel] = "Samsung Galaxy A54 Rear Camera"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 7.0, 41.52)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (71.0, 25.0, 50.76)
    gps[ExifTags.GPS.GPSAltitude] = 347.0
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality, exif=exif, subsampling="4:2:0")
    return out.getvalue()


# -- what is left of the metadata --------------------------------------------------------------


def metadata_left(data: bytes) -> list[str]:
    """Every trace of EXIF/GPS (or other metadata) Pillow or the bytes show; [] when clean."""
    found: list[str] = []
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
        if len(exif):
            found.append(f"{len(exif)} EXIF tags")
        if exif.get_ifd(ExifTags.IFD.GPSInfo):
            found.append("GPS")
        found += [key for key in ("exif", "xmp", "icc_profile", "comment") if key in im.info]
    if b"Exif\x00\x00" in data:
        found.append("an Exif block in the bytes")
    return found


def gps_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as im:
        return dict(im.getexif().get_ifd(ExifTags.IFD.GPSInfo))


# -- measuring ---------------------------------------------------------------------------------


@contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU while measuring (where the OS allows it)."""
    if not hasattr(os, "sched_getaffinity"):
        yield "not pinned"
        return
    before = os.sched_getaffinity(0)
    cpu = max(before)
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        yield "not pinned"
        return
    try:
        yield f"pinned to CPU {cpu}"
    finally:
        os.sched_setaffinity(0, before)


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run (one warm-up run first)."""
    fn()
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return wall, cpu


@dataclass
class PhotoResult:
    original_bytes: int
    original_size: tuple[int, int]
    original_gps: bool
    output_bytes: int
    output_size: tuple[int, int]
    left: list[str]  # metadata found in the output
    wall: list[float]
    cpu: list[float]
    ref_wall: list[float]
    pinned: str

    @property
    def ratio(self) -> float:
        return self.output_bytes / self.original_bytes

    @property
    def saved_seconds(self) -> float:
        return (self.original_bytes - self.output_bytes) * 8 / UPLINK_BPS


def run_photo(runs: int = 7, size: tuple[int, int] = PHONE_SIZE) -> PhotoResult:
    with tempfile.TemporaryDirectory(prefix="city109-photo-") as tmp:
        folder = Path(tmp)
        original = make_phone_jpeg(size)
        source = folder / "20260712_093000.jpg"
        source.write_bytes(original)
        preparer = MediaPreparer(folder / "media")  # as app/composition/ builds it
        outputs: list[Path] = []

        def prepare() -> None:
            outputs.append(Path(preparer.prepare(source, source.name).path))

        def plain_decode() -> None:
            with Image.open(source) as im:
                im.load()

        with one_core() as pinned:
            ref_wall, _ = timed(plain_decode, runs)
            wall, cpu = timed(prepare, runs)
        data = outputs[-1].read_bytes()
        with Image.open(io.BytesIO(data)) as out:
            out_size = out.size
        return PhotoResult(
            original_bytes=len(original),
            original_size=size,
            original_gps=bool(gps_of(original)),
            output_bytes=len(data),
            output_size=out_size,
            left=metadata_left(data),
            wall=wall,
            cpu=cpu,
            ref_wall=ref_wall,
            pinned=pinned,
        )


def photo_rows(r: PhotoResult) -> list[Row]:
    w, h = r.original_size
    name = f"photo pipeline ({w}×{h} phone JPEG, q{PHONE_QUALITY}, EXIF with GPS)"
    t = statistics.median(r.wall)
    return [
        (
            f"{name}: bytes out / in",
            f"{r.output_bytes:,} / {r.original_bytes:,} B = 1/{1 / r.ratio:.1f}",
            f"≤ 1/8 ({verdict(r.ratio <= MAX_RATIO)})",
            "—",
        ),
        (
            "… long side, metadata left",
            f"{max(r.output_size)} px ({r.output_size[0]}×{r.output_size[1]}); "
            + (", ".join(r.left) if r.left else "no EXIF, no GPS")
            + f" (input had GPS: {'yes' if r.original_gps else 'no'})",
            f"≤ {MAX_SIDE} px, none "
            f"({verdict(max(r.output_size) <= MAX_SIDE and not r.left and r.original_gps)})",
            "—",
        ),
        (
            f"… time per photo, median of {len(r.wall)} (one core)",
            f"{ms(t)} ms (CPU {ms(statistics.median(r.cpu))} ms)",
            f"≤ {ms(MAX_SECONDS)} ms ({verdict(t <= MAX_SECONDS)})",
            f"`Image.open().load()` of the same file: {ms(statistics.median(r.ref_wall))} ms",
        ),
        (
            "… upload time saved on a 1 Mbit/s uplink",
            f"{r.saved_seconds:.1f} s per photo",
            "—",
            f"original alone: {r.original_bytes * 8 / UPLINK_BPS:.1f} s",
        ),
    ]
