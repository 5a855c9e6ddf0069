"""Checking and remuxing an uploaded video: opened by FFmpeg's demuxers (PyAV), the container
must parse, hold a video track of sane dimensions, and its first frame must decode. What is
stored is a remux (no re-encoding) of the audio and video packets alone into a new file of the
same container type: no container or stream metadata (the recording place, as `udta/©xyz`,
3GPP `loci` or the QuickTime location key; the device; the time), no data, subtitle or
attachment tracks (GPS tracks of action cameras and drones), and no bytes outside the boxes the
muxer writes. The display matrix (a phone's rotation) is kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.error

from backend_stub.services.media_processing.common import MediaRejected

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
