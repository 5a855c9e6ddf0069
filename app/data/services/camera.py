"""Taking a photo with the device's camera (flet-camera 1.0 `Camera` control).

The view model sees only the `CameraDevice` protocol; `FletCamera` is the adapter. The camera
works where flet-camera does — phones (Android, iOS) and browsers (web mode) — and only there:
on a desktop the control refuses to render, so the adapter says `supported() is False` and the
control is never built. Whether a device really has a camera is only known by asking it, which
a browser or a phone answers with a permission prompt: the adapter asks when the resident taps
"Take photo" (never earlier), and a device without one is reported as `start() is False`.
A refused permission or a busy camera is not "no camera": it raises `CameraFailed`, so the
resident is told to allow the camera and may try again.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from typing import Any, Protocol

from app.data.services.device import device_of, this_device

log = logging.getLogger(__name__)

START_TIMEOUT_S = 20.0
SHOT_TIMEOUT_S = 20.0


class CameraFailed(Exception):
    """The camera refused (permission denied, busy, lost) or did not answer in time."""


# How the client reports "this device has no camera" (the error arrives as a string): the web
# plugin's `cameraNotFound`, or the browser's `NotFoundError` / `DevicesNotFoundError`.
# Everything else — `cameraPermission` (refused), `cameraNotReadable` (busy), … — is a failure.
_NOT_FOUND = ("notfound",)


def means_no_camera(error: BaseException) -> bool:
    """Whether the client's error says the device has no camera at all."""
    text = str(error).lower()
    return any(marker in text for marker in _NOT_FOUND)


class CameraDevice(Protocol):
    def supported(self) -> bool:
        """Whether this platform can have a camera the app can use (no prompt, no probe)."""
        ...

    def preview(self) -> Any:
        """A fresh live-preview widget for the capture view (opaque to the view model; None
        where there is nothing to show). It must be on the screen before `start()`."""
        ...

    async def start(self) -> bool:
        """Find a camera and start its preview; False when the device has none.
        Raises `CameraFailed`."""
        ...

    async def take(self) -> bytes:
        """A still picture (JPEG bytes). Raises `CameraFailed`."""
        ...

    async def stop(self) -> None: ...


def package_present() -> bool:
    return importlib.util.find_spec("flet_camera") is not None


def platform_has_camera(web: bool, platform: str | None) -> bool:
    """flet-camera runs in browsers and on phones; a desktop build has no camera support."""
    device = device_of(web, platform)
    return device.web or device.phone


class FletCamera:
    """The adapter over flet-camera's `Camera` control; one per page session.

    `preview()` is what the capture view shows (the live preview); it must be on the page
    before `start()` is called.
    """

    def __init__(self) -> None:
        self._control: Any = None
        self._started = False

    def supported(self) -> bool:
        device = this_device()  # None outside a page (tests, start-up)
        return package_present() and device is not None and (device.web or device.phone)

    def preview(self) -> Any:
        """A fresh preview control (a new one per capture view: the old one left the page)."""
        import flet_camera as fc

        self._control = fc.Camera(expand=True, preview_enabled=True)
        self._started = False
        return self._control

    async def start(self) -> bool:
        import flet_camera as fc

        camera = self._control
        if camera is None:
            return False
        try:
            found = await asyncio.wait_for(camera.get_available_cameras(), START_TIMEOUT_S)
        except TimeoutError as exc:
            raise CameraFailed("no answer from the camera") from exc
        except Exception as exc:  # the platform's error, as a string from the client
            if means_no_camera(exc):
                log.info("no camera: %s", exc)
                return False
            log.info("camera refused: %s", exc)
            raise CameraFailed(str(exc)) from exc
        if not found:
            return False
        back = [c for c in found if c.lens_direction == fc.CameraLensDirection.BACK]
        chosen = (back or found)[0]
        try:
            await asyncio.wait_for(
                camera.initialize(chosen, fc.ResolutionPreset.HIGH, enable_audio=False),
                START_TIMEOUT_S,
            )
        except TimeoutError as exc:
            raise CameraFailed("camera did not start") from exc
        except Exception as exc:
            raise CameraFailed(str(exc)) from exc
        self._started = True
        return True

    async def take(self) -> bytes:
        camera = self._control
        if camera is None or not self._started:
            raise CameraFailed("camera not started")
        try:
            data = await asyncio.wait_for(camera.take_picture(), SHOT_TIMEOUT_S)
        except TimeoutError as exc:
            raise CameraFailed("no picture") from exc
        except Exception as exc:
            raise CameraFailed(str(exc)) from exc
        if not data:
            raise CameraFailed("empty picture")
        return bytes(data)

    async def stop(self) -> None:
        """The preview stops when its control leaves the page; forget it here."""
        self._control = None
        self._started = False
