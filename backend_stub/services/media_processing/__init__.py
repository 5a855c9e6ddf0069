"""Checking and cleaning uploaded media by their bytes, never by their names (no database here).

- `common`: recognising an upload by its first bytes (`classify`, `sniff_video`), the refusal
  (`MediaRejected`) and the result (`ProcessedMedia`);
- `photos`: `process_image`, a photo re-encoded as a plain JPEG without metadata;
- `videos`: `process_video`, a video checked by FFmpeg's demuxers and remuxed without metadata.

The names callers use are importable from this package.
"""

from backend_stub.services.media_processing.common import (
    HEAD_BYTES,
    HEIF_SUPPORTED,
    VIDEO_EXTENSIONS,
    Kind,
    MediaRejected,
    ProcessedMedia,
    classify,
    sniff_video,
)
from backend_stub.services.media_processing.photos import STORED_IMAGE_TYPE, process_image
from backend_stub.services.media_processing.videos import VideoInfo, process_video

__all__ = [
    "HEAD_BYTES",
    "HEIF_SUPPORTED",
    "STORED_IMAGE_TYPE",
    "VIDEO_EXTENSIONS",
    "Kind",
    "MediaRejected",
    "ProcessedMedia",
    "VideoInfo",
    "classify",
    "process_image",
    "process_video",
    "sniff_video",
]
