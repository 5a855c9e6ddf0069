"""Picking photos and videos with Flet's `FilePicker` service (1.0 API).

The picker opens from the click itself (`ft.PickFiles` client action: browsers only open a file
dialog inside the user's gesture). On desktop and phones a picked file has a `path`. In web mode
it has none: its bytes are uploaded to the app's own upload endpoint (`page.get_upload_url`,
which needs `upload_dir` and `FLET_SECRET_KEY` — the launcher sets both) and read from
`upload_dir` afterwards.

What the rest of the app sees is a list of `PickedFile`s: a name, a size (so an oversized video
is refused before any upload) and `fetch()`, which gives a local path to the bytes (`read(use)`
fetches, hands the path to `use` in a thread and deletes a temporary copy after). The camera
(flet-camera, `app/data/services/camera.py`) is offered only where `camera_available()`; its shots
become `PickedFile`s too, so they go through the same pipeline.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

UPLOAD_SUBDIR = "uploads"
UPLOAD_URL_TTL_S = 900
UPLOAD_TIMEOUT_S = 600.0
PickKind = Literal["photo", "video", "media"]


def upload_dir_for(data_dir: Path) -> Path:
    """Where Flet's web upload endpoint writes files (set by the launcher)."""
    return data_dir / UPLOAD_SUBDIR


def camera_available(web: bool = False, platform: str | None = None) -> bool:
    """flet-camera is installed and this platform can have a camera it drives (a browser or a
    phone; a desktop build cannot). Whether there really is one is asked when it is used
    (`app.data.services.camera.FletCamera.start`)."""
    from app.data.services.camera import platform_has_camera

    return importlib.util.find_spec("flet_camera") is not None and platform_has_camera(
        web, platform
    )


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-80:] or "file"


class UploadFailed(Exception):
    """The browser could not upload a picked file to the app."""


@dataclass(frozen=True)
class PickedFile:
    """A picked file; `fetch()` returns a local path to its bytes (a temporary copy when
    `temporary`, to delete once read)."""

    name: str
    size: int
    fetch: Callable[[], Awaitable[Path]]
    temporary: bool = False

    async def read(self, use: Callable[[Path, str], T]) -> T:
        """`use(path, name)` in a thread on a local path to the bytes; a temporary copy is
        deleted afterwards, whether `use` succeeded or not."""
        path = await self.fetch()
        try:
            return await asyncio.to_thread(use, path, self.name)
        finally:
            if self.temporary:
                await asyncio.to_thread(path.unlink, True)


PickedHandler = Callable[[list[PickedFile]], Awaitable[None]]


class MediaPicker:
    """One per page session. The Flet service is created on first use inside the page."""

    def __init__(self, upload_dir: Path) -> None:
        self.upload_dir = upload_dir
        self.on_picked: PickedHandler | None = None
        self._picker: Any = None
        self._token = secrets.token_hex(8)  # this session's folder under upload_dir
        self._uploads: dict[str, asyncio.Future[None]] = {}

    def _service(self) -> Any:
        if self._picker is None:
            import flet as ft

            self._picker = ft.FilePicker(on_result=self._on_result, on_upload=self._on_upload)
        return self._picker

    def action(self, kind: PickKind) -> Any:
        """The client action to put on a button (`action=`)."""
        import flet as ft

        file_type = {
            "photo": ft.FilePickerFileType.IMAGE,
            "video": ft.FilePickerFileType.VIDEO,
            "media": ft.FilePickerFileType.MEDIA,
        }[kind]
        return ft.PickFiles(
            self._service(),
            file_type=file_type,
            allow_multiple=True,
            cancel_upload_on_window_blur=False,
        )

    async def _on_result(self, e: Any) -> None:
        files = [self._picked(f) for f in (e.files or [])]
        log.debug("%d file(s) picked", len(files))
        if files and self.on_picked is not None:
            await self.on_picked(files)

    def _picked(self, f: Any) -> PickedFile:
        if f.path:
            path = Path(f.path)

            async def local() -> Path:
                return path

            return PickedFile(f.name, int(f.size or 0), local)

        async def uploaded() -> Path:
            return await self._upload(f)

        return PickedFile(f.name, int(f.size or 0), uploaded, temporary=True)

    async def _upload(self, f: Any) -> Path:
        import flet as ft

        picker = self._service()
        relative = f"{self._token}/{f.id}-{_safe(f.name)}"
        target = self.upload_dir / relative
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._uploads[f.name] = done
        try:
            url = picker.page.get_upload_url(relative, UPLOAD_URL_TTL_S)
            await picker.upload([ft.FilePickerUploadFile(upload_url=url, id=f.id, name=f.name)])
            await asyncio.wait_for(done, UPLOAD_TIMEOUT_S)
        except (TimeoutError, RuntimeError) as exc:
            raise UploadFailed(str(exc)) from exc
        finally:
            self._uploads.pop(f.name, None)
        if not target.exists():
            raise UploadFailed("uploaded file not found")
        return target

    async def _on_upload(self, e: Any) -> None:
        log.debug("upload progress %s error %s", e.progress, e.error)
        done = self._uploads.get(e.file_name)
        if done is None or done.done():
            return
        if e.error:
            done.set_exception(UploadFailed(str(e.error)))
        elif e.progress is not None and e.progress >= 1.0:
            done.set_result(None)
