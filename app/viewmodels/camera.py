"""Taking a photo for an appeal or a chat message: the capture view's state and actions.

A shot is written to a file in the capture folder and handed on as a `PickedFile` (temporary)
to whoever asked for it — the new-appeal form or the chat — so it goes through the very same
pipeline as a picked photo: checked, turned upright, shrunk, re-encoded without EXIF.

Where the platform has no camera support the button is disabled with the reason; where the
device turns out to have no camera (known only once asked, on the first tap), the capture view
says so and the button is disabled with the reason from then on. Nothing here crashes the form.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from app.data.services.camera import CameraDevice, CameraFailed
from app.data.services.picker import PickedFile, PickedHandler
from app.i18n import N_, Message
from app.observable import Observable

log = logging.getLogger(__name__)

CameraState = Literal["closed", "starting", "ready", "capturing", "failed"]

MSG_NO_SUPPORT = N_("Taking photos is not available on this device. Add a photo from a file.")
MSG_NO_CAMERA = N_("No camera was found on this device. Add a photo from a file.")
MSG_CAMERA_FAILED = N_(
    "The camera could not be used. Check that the app may use it, then try again."
)
MSG_SHOT_FAILED = N_("The photo could not be taken. Try again.")
MSG_STARTING = N_("Starting the camera…")
MSG_AIM = N_("Point the camera at the problem and press the shutter.")
MSG_SAVING = N_("Saving the photo…")


class CameraViewModel(Observable):
    """One per page session, shared by the new-appeal form and the chat."""

    def __init__(
        self,
        device: CameraDevice,
        capture_dir: Path,
        *,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__()
        self._device = device
        self._dir = capture_dir
        self._now = now
        self.state: CameraState = "closed"
        self.message: Message | None = None
        self.no_camera = False  # asked once: this device has none
        self.on_captured: PickedHandler | None = None
        self._session = 0  # which capture view the awaited actions belong to

    # -- what the screens show -------------------------------------------------------------------

    @property
    def supported(self) -> bool:
        return self._device.supported()

    @property
    def can_open(self) -> bool:
        """Whether the "Take photo" button works (else it is disabled with `unavailable`)."""
        return self.supported and not self.no_camera

    @property
    def unavailable(self) -> Message | None:
        """Why the button is disabled, in the resident's language."""
        if not self.supported:
            return Message(MSG_NO_SUPPORT)
        if self.no_camera:
            return Message(MSG_NO_CAMERA)
        return None

    def preview(self) -> Any:
        """The device's live preview for the capture view (None where there is none)."""
        return self._device.preview() if self.can_open else None

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    @property
    def can_shoot(self) -> bool:
        return self.state == "ready"

    @property
    def status(self) -> Message | None:
        if self.message is not None:  # a failure, or why the last shot was not taken
            return self.message
        if self.state == "starting":
            return Message(MSG_STARTING)
        if self.state == "ready":
            return Message(MSG_AIM)
        if self.state == "capturing":
            return Message(MSG_SAVING)
        return None

    # -- actions ---------------------------------------------------------------------------------

    async def open(self) -> None:
        """Called once the capture view (with the device's preview) is on the screen."""
        if not self.can_open:
            self.state, self.message = "failed", self.unavailable
            self.notify()
            return
        self._session += 1
        session = self._session
        self.state, self.message = "starting", None
        self.notify()
        try:
            found = await self._device.start()
        except CameraFailed as exc:
            if self._stale(session):
                return
            log.info("camera failed to start: %s", exc)
            self.state, self.message = "failed", Message(MSG_CAMERA_FAILED)
        else:
            if self._stale(session):  # closed while the camera was asked (a permission prompt)
                if self.state == "closed":
                    await self._device.stop()  # it started after the close: release it
                return
            if found:
                self.state = "ready"
            else:
                self.no_camera = True
                self.state, self.message = "failed", Message(MSG_NO_CAMERA)
        self.notify()

    async def shoot(self) -> None:
        """Take the picture and hand it on; the capture view closes once it is handed on.

        The raw shot (with its EXIF and GPS) is deleted whatever becomes of it: prepared into
        the form, refused by it (full, too big), or dropped because the view was closed."""
        if not self.can_shoot:
            return
        session = self._session
        self.state, self.message = "capturing", None
        self.notify()
        try:
            data = await self._device.take()
            if self._stale(session):  # closed while the picture was taken: not handed on
                return
            path = await asyncio.to_thread(self._save, data)
        except (CameraFailed, OSError) as exc:
            if self._stale(session):
                return
            log.info("shot failed: %s", exc)
            self.state, self.message = "ready", Message(MSG_SHOT_FAILED)
            self.notify()
            return
        try:
            if self._stale(session):
                return
            await self.close()
            handler = self.on_captured
            if handler is not None:
                await handler([self._picked(path, len(data))])
        finally:
            await asyncio.to_thread(path.unlink, True)

    async def close(self) -> None:
        if self.state == "closed":
            return
        self._session += 1  # whatever is still awaited for the view being closed is dropped
        self.state, self.message = "closed", None
        try:
            await self._device.stop()
        finally:
            self.notify()

    def _stale(self, session: int) -> bool:
        """Whether the capture view this action belongs to was closed (or another opened)."""
        return session != self._session

    # -- helpers ---------------------------------------------------------------------------------

    def _save(self, data: bytes) -> Path:
        self._dir.mkdir(parents=True, exist_ok=True)
        path = self._dir / f"{uuid.uuid4().hex}.jpg"
        path.write_bytes(data)
        return path

    def _picked(self, path: Path, size: int) -> PickedFile:
        name = f"photo-{self._now():%Y%m%d-%H%M%S}.jpg"

        async def fetch() -> Path:
            return path

        return PickedFile(name, size, fetch, temporary=True)
