"""Issue 4, media: taking a photo (a fake camera behind the `CameraDevice` protocol), playing a
video by a signed link, and the offline cache of the server's photos — all without any UI."""

from __future__ import annotations

import asyncio
import io
import os
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import ExifTags, Image

from app.composition import AppSession
from app.data.services.api_client import ApiClient
from app.data.services.appeals_api import AppealsApi
from app.data.services.camera import CameraFailed, FletCamera, platform_has_camera
from app.data.services.media_cache import CachedMediaSource, MediaCache, cache_key
from app.data.services.picker import PickedFile, camera_available
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.domain.appeals import MediaRef
from app.errors import ApiError, NetworkError
from app.i18n import Translator
from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.camera import CameraViewModel
from app.viewmodels.navigation import Navigation
from tests.app.conftest import CODE, PHONE, FakeBackend
from tests.app.support.local_appeals import LocalAppeals
from tests.app.support.new_appeal_fakes import make_flow
from tests.app.viewmodels.test_appeal_viewmodels import file_synced

pytestmark = pytest.mark.anyio


def kk(message: Any) -> str:
    return Translator("kk").render(message) or ""


def ru(message: Any) -> str:
    return Translator("ru").render(message) or ""


def phone_shot(size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A JPEG as a phone camera gives it: big, with GPS and the device in its EXIF."""
    im = Image.effect_noise(size, 60).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "PhoneModel-X1"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (43.0, 14.0, 17.0)})
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


async def camera_step(gate: asyncio.Event | None, fail: bool, reason: str) -> None:
    """A step of the fake camera: wait for `gate` if one is set, then raise `reason` if `fail`."""
    if gate is not None:
        await gate.wait()
    if fail:
        raise CameraFailed(reason)


class FakeCamera:
    """A camera device: supported or not, with or without a camera, failing on request."""

    def __init__(
        self,
        *,
        supported: bool = True,
        has_camera: bool = True,
        shot: bytes | None = None,
        fail_start: bool = False,
        fail_shot: bool = False,
    ) -> None:
        self._supported = supported
        self.has_camera = has_camera
        self.shot = shot if shot is not None else phone_shot((800, 600))
        self.fail_start = fail_start
        self.fail_shot = fail_shot
        self.started = 0
        self.stopped = 0
        self.previews = 0
        self.start_gate: asyncio.Event | None = None  # set: start() waits (a permission prompt)
        self.shot_gate: asyncio.Event | None = None  # set: take() waits for it

    def supported(self) -> bool:
        return self._supported

    def preview(self) -> Any:
        self.previews += 1
        return "preview"

    async def start(self) -> bool:
        self.started += 1
        await camera_step(self.start_gate, self.fail_start, "permission denied")
        return self.has_camera

    async def take(self) -> bytes:
        await camera_step(self.shot_gate, self.fail_shot, "lost")
        return self.shot

    async def stop(self) -> None:
        self.stopped += 1


# -- camera capture ---------------------------------------------------------------------------


async def test_a_shot_goes_through_the_photo_pipeline_into_the_draft(
    db: Database, tmp_path: Path
) -> None:
    flow = make_flow(db, FakeBackend(), tmp_path / "media")
    camera = FakeCamera(shot=phone_shot())
    capture_dir = tmp_path / "capture"
    vm = CameraViewModel(camera, capture_dir)
    vm.on_captured = flow.vm.add_picked
    assert vm.can_open and vm.unavailable is None
    assert vm.preview() == "preview"

    await vm.open()
    assert vm.state == "ready" and vm.can_shoot
    assert "бағыттап" in kk(vm.status) and "Наведите" in ru(vm.status)
    await vm.shoot()

    assert vm.state == "closed" and camera.stopped == 1
    assert len(flow.vm.media) == 1 and not flow.vm.media_errors
    item = flow.vm.media[0]
    assert item.media.kind == "image" and item.media.content_type == "image/jpeg"
    assert item.name.startswith("photo-") and item.name.endswith(".jpg")
    assert item.thumb  # a preview tile, like a picked photo
    prepared = Path(item.media.path)
    assert prepared.parent == tmp_path / "media"
    with Image.open(prepared) as im:
        assert max(im.size) <= 1920
        assert im.size == (1440, 1920)  # turned upright by its Orientation, then shrunk
        assert not im.getexif()
    assert b"PhoneModel-X1" not in prepared.read_bytes()
    assert list(capture_dir.iterdir()) == []  # the raw shot (with its EXIF) is gone
    assert flow.vm.draft_data()["media"][0]["path"] == str(prepared)  # saved with the draft


async def test_no_camera_support_disables_the_button_with_a_reason(tmp_path: Path) -> None:
    camera = FakeCamera(supported=False)
    vm = CameraViewModel(camera, tmp_path / "capture")
    assert not vm.can_open
    assert vm.preview() is None
    assert "суретке түсіру мүмкін емес" in kk(vm.unavailable)
    assert "нельзя сделать фото" in ru(vm.unavailable)
    await vm.open()  # a stray call: explained, never started
    assert camera.started == 0 and vm.state == "failed" and not vm.can_shoot
    assert kk(vm.status) == kk(vm.unavailable)
    await vm.close()
    assert vm.state == "closed"


async def test_a_device_without_a_camera_says_so_once_asked(tmp_path: Path) -> None:
    camera = FakeCamera(has_camera=False)
    vm = CameraViewModel(camera, tmp_path / "capture")
    assert vm.can_open  # not known before asking (asking prompts for permission)
    await vm.open()
    assert vm.state == "failed" and vm.no_camera
    assert "камера табылмады" in kk(vm.status)
    assert "не найдена камера" in ru(vm.status)
    await vm.close()
    assert not vm.can_open and "камера табылмады" in kk(vm.unavailable)
    await vm.shoot()  # nothing happens: no dead end, no crash
    assert vm.state == "closed"


async def test_camera_failures_keep_the_form_and_explain(db: Database, tmp_path: Path) -> None:
    flow = make_flow(db, FakeBackend(), tmp_path / "media")
    refused = CameraViewModel(FakeCamera(fail_start=True), tmp_path / "capture")
    refused.on_captured = flow.vm.add_picked
    await refused.open()
    assert refused.state == "failed" and not refused.no_camera and refused.can_open
    assert "рұқсат" in kk(refused.status) and "доступ" in ru(refused.status)

    camera = FakeCamera(fail_shot=True)
    vm = CameraViewModel(camera, tmp_path / "capture")
    vm.on_captured = flow.vm.add_picked
    await vm.open()
    await vm.shoot()
    assert vm.state == "ready" and "Не удалось сделать фото" in ru(vm.status)
    camera.fail_shot = False
    camera.shot = b"not a picture at all"
    await vm.shoot()  # the pipeline refuses it: the form says why, nothing is added
    assert flow.vm.media == [] and flow.vm.media_errors
    assert list((tmp_path / "capture").iterdir()) == []


# -- the flet-camera adapter: "no camera" is only a camera that is not there --------------------


class FakeCameraControl:
    """flet-camera's `Camera` control as the adapter uses it: the client's answers, or the
    client's error as flet delivers it (a RuntimeError carrying the plugin's text)."""

    def __init__(self, cameras: list[Any] | None = None, error: str | None = None) -> None:
        self.cameras = cameras or []
        self.error = error
        self.initialized: list[Any] = []

    async def get_available_cameras(self) -> list[Any]:
        if self.error is not None:
            raise RuntimeError(self.error)
        return self.cameras

    async def initialize(self, description: Any, preset: Any, enable_audio: bool) -> None:
        self.initialized.append(description)


class PageCamera(FletCamera):
    """The adapter as on a page in a browser (outside a page it says "not supported")."""

    def supported(self) -> bool:
        return True


def adapter(control: FakeCameraControl) -> FletCamera:
    camera = PageCamera()
    camera._control = control  # what `preview()` put on the page
    return camera


@pytest.mark.parametrize(
    "error",
    [
        "CameraException(cameraPermission, The user denied permission to access the camera.)",
        "CameraException(NotAllowedError, Permission denied)",
        "CameraException(cameraNotReadable, The camera is not readable due to a hardware error)",
    ],
)
async def test_a_refused_or_busy_camera_is_not_reported_as_no_camera(
    error: str, tmp_path: Path
) -> None:
    with pytest.raises(CameraFailed):
        await adapter(FakeCameraControl(error=error)).start()

    vm = CameraViewModel(adapter(FakeCameraControl(error=error)), tmp_path / "capture")
    await vm.open()
    assert vm.state == "failed" and not vm.no_camera
    assert "рұқсат" in kk(vm.status) and "доступ" in ru(vm.status)  # allow the camera
    await vm.close()
    assert vm.can_open and vm.unavailable is None  # the button stays: allow it, try again


@pytest.mark.parametrize(
    "error",
    [
        "CameraException(cameraNotFound, No camera found for the given camera options.)",
        "CameraException(NotFoundError, Requested device not found)",
        "CameraException(DevicesNotFoundError, )",
    ],
)
async def test_only_a_missing_camera_is_no_camera(error: str) -> None:
    assert await adapter(FakeCameraControl(error=error)).start() is False
    assert await adapter(FakeCameraControl(cameras=[])).start() is False


async def test_the_adapter_starts_the_back_camera() -> None:
    from flet_camera import CameraDescription, CameraLensDirection

    front = CameraDescription("front", CameraLensDirection.FRONT, 270)
    back = CameraDescription("back", CameraLensDirection.BACK, 90)
    control = FakeCameraControl(cameras=[front, back])
    assert await adapter(control).start() is True
    assert control.initialized == [back]


# -- the raw shot never stays, the capture view closed means closed ----------------------------


async def test_a_refused_shot_leaves_no_raw_file(db: Database, tmp_path: Path) -> None:
    flow = make_flow(db, FakeBackend(), tmp_path / "media")
    capture_dir = tmp_path / "capture"
    vm = CameraViewModel(FakeCamera(shot=phone_shot()), capture_dir)
    vm.on_captured = flow.vm.add_picked
    await vm.open()
    await vm.shoot()
    assert len(flow.vm.media) == 1
    flow.vm.media = flow.vm.media * 10  # the form is full

    await vm.open()
    await vm.shoot()  # the form refuses it (full) before reading the file
    assert len(flow.vm.media) == 10 and flow.vm.media_errors
    assert list(capture_dir.iterdir()) == []  # the raw shot (EXIF, GPS) is gone all the same

    async def broken(files: list[PickedFile]) -> None:
        raise RuntimeError("the form went away")

    vm.on_captured = broken
    await vm.open()
    with pytest.raises(RuntimeError):
        await vm.shoot()
    assert list(capture_dir.iterdir()) == []


async def close_during(
    vm: CameraViewModel, step: Coroutine[Any, Any, Any], gate: asyncio.Event
) -> None:
    """Run `step` of the view model, close the view while the camera holds it at `gate`, then
    let the camera answer and wait for the step to end."""
    running = asyncio.create_task(step)
    await asyncio.sleep(0)
    await vm.close()
    gate.set()
    await running


async def test_closing_while_the_camera_starts_keeps_it_closed(tmp_path: Path) -> None:
    camera = FakeCamera()
    camera.start_gate = asyncio.Event()
    vm = CameraViewModel(camera, tmp_path / "capture")
    opening = asyncio.create_task(vm.open())
    await asyncio.sleep(0)
    assert vm.state == "starting"
    await vm.close()  # "Close" while the browser still shows its permission prompt
    camera.start_gate.set()
    await opening
    assert vm.state == "closed" and not vm.is_open and vm.message is None
    assert camera.stopped == 2  # it started after the close: released again

    camera.fail_start = True  # the same, with a refusal arriving after the close
    camera.start_gate = asyncio.Event()
    await close_during(vm, vm.open(), camera.start_gate)
    assert vm.state == "closed" and vm.message is None


async def test_closing_while_the_picture_is_taken_drops_it(tmp_path: Path) -> None:
    camera = FakeCamera()
    capture_dir = tmp_path / "capture"
    vm = CameraViewModel(camera, capture_dir)
    handed: list[list[PickedFile]] = []

    async def handler(files: list[PickedFile]) -> None:
        handed.append(files)

    vm.on_captured = handler
    await vm.open()
    camera.shot_gate = asyncio.Event()
    shooting = asyncio.create_task(vm.shoot())
    await asyncio.sleep(0)
    assert vm.state == "capturing"
    await vm.close()
    camera.shot_gate.set()
    await shooting
    assert handed == [] and vm.state == "closed" and vm.message is None
    assert not capture_dir.exists() or list(capture_dir.iterdir()) == []

    camera.fail_shot = True  # a failing shot after the close: no "try again" on a closed view
    await vm.open()
    camera.shot_gate = asyncio.Event()
    await close_during(vm, vm.shoot(), camera.shot_gate)
    assert vm.state == "closed" and vm.message is None


def test_camera_available_needs_the_package_and_a_platform_with_cameras() -> None:
    assert platform_has_camera(True, "linux")  # a browser
    assert platform_has_camera(False, "android") and platform_has_camera(False, "iOS")
    assert not platform_has_camera(False, "linux") and not platform_has_camera(False, None)
    assert camera_available(web=True) is True  # flet-camera is a dependency (pyproject)
    assert camera_available(web=False, platform="windows") is False


# -- video by a signed link, photos from the cache -------------------------------------------


class FakeMediaApi:
    def __init__(self, data: dict[str, bytes]) -> None:
        self.data = data
        self.down = False
        self.fetched: list[str] = []

    async def media_bytes(self, url: str) -> bytes:
        if self.down:
            raise NetworkError("offline")
        self.fetched.append(url)
        if url not in self.data:
            raise ApiError(404, "not_found")
        return self.data[url]

    async def media_link(self, url: str) -> str:
        if self.down:
            raise NetworkError("offline")
        if url not in self.data:
            raise ApiError(404, "not_found")
        return f"http://backend.test{url}/content?exp=1&sig=abc"


def server_media(media_id: str, kind: str = "image") -> dict[str, Any]:
    return {
        "id": media_id,
        "kind": kind,
        "content_type": "image/jpeg" if kind == "image" else "video/mp4",
        "size": 10,
        "width": None,
        "height": None,
        "role": "applicant",
        "url": f"/api/v1/media/{media_id}",
    }


async def settled(vm: AppealDetailViewModel) -> None:
    """Until the photos the view model fetches in the background have arrived (bounded)."""
    for _ in range(200):
        if vm.images:
            return
        await asyncio.sleep(0.01)


async def test_photos_open_offline_from_the_cache(db: Database, tmp_path: Path) -> None:
    appeals = LocalAppeals.over(db)
    photo_id = "a" * 32
    file_synced(appeals.actions, 7, media=[server_media(photo_id)])
    api = FakeMediaApi({f"/api/v1/media/{photo_id}": b"JPEG-BYTES"})
    source = CachedMediaSource(api, MediaCache(tmp_path / "media_cache"))

    def detail() -> AppealDetailViewModel:
        return AppealDetailViewModel("7", Navigation(), **appeals.for_detail(),
                                     language=lambda: "kk", media_source=source)  # fmt: skip

    first = detail()
    await first.load()  # it fetches the photos in the background
    await settled(first)
    assert first.images == {f"/api/v1/media/{photo_id}": b"JPEG-BYTES"}
    assert (tmp_path / "media_cache" / photo_id).read_bytes() == b"JPEG-BYTES"

    api.down = True  # the second open: no network at all
    second = detail()
    await second.load()
    await settled(second)
    assert second.images == {f"/api/v1/media/{photo_id}": b"JPEG-BYTES"}
    assert api.fetched == [f"/api/v1/media/{photo_id}"]  # fetched once


async def test_a_photo_that_failed_to_load_is_fetched_again_when_tapped(
    db: Database, tmp_path: Path
) -> None:
    appeals = LocalAppeals.over(db)
    photo_id = "b" * 32
    url = f"/api/v1/media/{photo_id}"
    file_synced(appeals.actions, 8, media=[server_media(photo_id)])
    api = FakeMediaApi({url: b"JPEG-BYTES"})
    vm = AppealDetailViewModel(
        "8",
        Navigation(),
        **appeals.for_detail(),
        language=lambda: "ru",
        media_source=CachedMediaSource(api, MediaCache(tmp_path / "mc")),
    )
    api.down = True  # the thumbnail's fetch fails: nothing to open yet
    await vm.load()
    await vm.load_images()
    assert vm.images == {}
    (ref,) = vm.photos()
    assert await vm.photo(ref) is None  # tapped while still offline: told why
    assert "нет связи" in ru(vm.errors["photo"]) and "байланыс жоқ" in kk(vm.errors["photo"])
    api.down = False
    assert await vm.photo(ref) == b"JPEG-BYTES"  # tapped again: fetched now, and opens
    assert "photo" not in vm.errors and vm.images == {url: b"JPEG-BYTES"}


async def test_video_plays_by_a_signed_link_or_the_local_file(db: Database, tmp_path: Path) -> None:
    api = FakeMediaApi({"/api/v1/media/v1": b"MP4"})
    vm = AppealDetailViewModel(
        "x", Navigation(), **LocalAppeals.over(db).for_detail(), language=lambda: "ru",
        media_source=api,
    )  # fmt: skip
    uploaded = MediaRef(kind="video", content_type="video/mp4", url="/api/v1/media/v1")
    assert await vm.video_source(uploaded) == (
        "http://backend.test/api/v1/media/v1/content?exp=1&sig=abc"
    )
    local = tmp_path / "clip.mp4"
    local.write_bytes(b"MP4")
    waiting = MediaRef(kind="video", content_type="video/mp4", local_path=str(local))
    assert await vm.video_source(waiting) == str(local)  # not uploaded yet: the file here

    api.down = True
    both = MediaRef(
        kind="video", content_type="video/mp4", url="/api/v1/media/v1", local_path=str(local)
    )
    assert await vm.video_source(both) == str(local)  # offline: the copy on the device
    assert await vm.video_source(uploaded) is None
    assert "нет связи" in ru(vm.errors["video"]) and "байланыс жоқ" in kk(vm.errors["video"])
    api.down = False
    gone = MediaRef(kind="video", content_type="video/mp4", url="/api/v1/media/nope")
    assert await vm.video_source(gone) is None
    assert "недоступно" in ru(vm.errors["video"])
    assert await vm.video_source(uploaded) is not None and "video" not in vm.errors


async def test_a_playing_video_clears_the_last_failure_on_screen(db: Database) -> None:
    api = FakeMediaApi({"/api/v1/media/v1": b"MP4"})
    vm = AppealDetailViewModel("x", Navigation(), **LocalAppeals.over(db).for_detail(),
                               language=lambda: "ru", media_source=api)  # fmt: skip
    shown: list[bool] = []
    vm.subscribe(lambda: shown.append("video" in vm.errors))
    uploaded = MediaRef(kind="video", content_type="video/mp4", url="/api/v1/media/v1")
    api.down = True
    assert await vm.video_source(uploaded) is None
    assert shown[-1] is True  # the screen shows "no connection"
    api.down = False
    assert await vm.video_source(uploaded) is not None
    assert shown[-1] is False  # and is told it is gone while the video plays


async def test_the_api_asks_the_server_for_a_signed_link() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"url": "/api/v1/media/m1/content?exp=9&sig=s", "expires_at": 9}
        )

    tokens = TokenHolder()
    tokens.set("access-1", "refresh-1")
    client = ApiClient("http://backend.test", language=lambda: "kk", tokens=tokens,
                       transport=httpx.MockTransport(handler))  # fmt: skip
    try:
        link = await AppealsApi(client).media_link("/api/v1/media/m1")
    finally:
        await client.aclose()
    assert link == "http://backend.test/api/v1/media/m1/content?exp=9&sig=s"
    assert seen[0].method == "POST" and seen[0].url.path == "/api/v1/media/m1/link"
    assert seen[0].headers["Authorization"] == "Bearer access-1"


# -- the cache itself -------------------------------------------------------------------------


def test_cache_eviction_keeps_the_cap_and_the_recently_used(tmp_path: Path) -> None:
    cache = MediaCache(tmp_path / "c", max_bytes=1000)
    t = time.time() - 100
    for i in range(4):
        cache.put(f"/api/v1/media/m{i}", bytes([i]) * 300)
        os.utime(tmp_path / "c" / f"m{i}", (t + i, t + i))  # m0 oldest ... m3 newest
    # 4 × 300 > 1000: the oldest went when m3 arrived
    assert cache.get("/api/v1/media/m0") is None
    assert cache.size() <= 1000
    assert cache.get("/api/v1/media/m1") == bytes([1]) * 300  # read: now the most recent
    cache.put("/api/v1/media/m4", b"x" * 300)
    assert cache.size() <= 1000
    assert cache.get("/api/v1/media/m2") is None  # the least recently used went
    assert cache.get("/api/v1/media/m1") is not None and cache.get("/api/v1/media/m4")
    cache.put("/api/v1/media/huge", b"x" * 2000)  # bigger than the cap: not kept
    assert cache.get("/api/v1/media/huge") is None and cache.size() <= 1000
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.startswith(".")]


class SlowMediaApi(FakeMediaApi):
    """A download that is still running until `release` is set."""

    def __init__(self, data: dict[str, bytes]) -> None:
        super().__init__(data)
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def media_bytes(self, url: str) -> bytes:
        self.started.set()
        await self.release.wait()
        return await super().media_bytes(url)


async def test_a_download_ending_after_the_wipe_is_not_cached(tmp_path: Path) -> None:
    photo = "/api/v1/media/" + "b" * 32
    api = SlowMediaApi({photo: b"previous resident"})
    cache = MediaCache(tmp_path / "media_cache")
    source = CachedMediaSource(api, cache)
    download = asyncio.create_task(source.media_bytes(photo))
    await api.started.wait()
    cache.wipe()  # sign-out while the photo is on its way
    api.release.set()
    assert await download == b"previous resident"  # the screen that asked still gets it
    assert cache.get(photo) is None
    assert not (tmp_path / "media_cache").exists() or not any((tmp_path / "media_cache").iterdir())

    assert await source.media_bytes(photo) == b"previous resident"  # a fresh download: kept
    assert cache.get(photo) == b"previous resident"


def test_cache_keys_are_media_ids_or_hashes() -> None:
    assert cache_key("/api/v1/media/" + "f" * 32) == "f" * 32
    assert cache_key("/api/v1/media/abc?x=1") == "abc"
    odd = cache_key("/api/v1/media/../../etc")
    assert "/" not in odd and ".." not in odd


async def test_sign_out_wipes_the_photo_cache(
    make_session: Callable[[], AppSession], backend: FakeBackend
) -> None:
    session = make_session()
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)
    folder = session.config.data_dir / "media_cache"
    cache = MediaCache(folder)
    cache.put("/api/v1/media/p1", b"private photo")
    capture = session.config.data_dir / "capture"
    capture.mkdir(parents=True)
    (capture / "left-over.jpg").write_bytes(phone_shot((40, 30)))  # a raw shot (EXIF, GPS)
    assert session.camera is not None and not session.camera.is_open
    await session.cabinet.sign_out()
    for _ in range(100):  # wiped in a worker thread
        if not any(folder.iterdir()) and not any(capture.iterdir()):
            break
        await asyncio.sleep(0.01)
    assert list(folder.iterdir()) == []
    assert list(capture.iterdir()) == []

    cache.put("/api/v1/media/p2", b"another")  # "delete my data" wipes it too
    again = make_session()
    await again.auth.request_code(PHONE)
    await again.auth.verify_code(PHONE, CODE)
    await again.cabinet.delete_local_data()
    assert list(folder.iterdir()) == []


# -- the screens: the button and its reason --------------------------------------------------


async def test_new_appeal_screen_shows_the_camera_button_state(
    session: AppSession, tmp_path: Path
) -> None:
    from app.ui.new_appeal.camera import CaptureView
    from app.ui.new_appeal.screen import NewAppealScreen
    from tests.app.ui.test_screens import texts

    def build(camera: CameraViewModel) -> NewAppealScreen:
        s = NewAppealScreen(
            session.app, session.new_appeal, session.media_picker, "/appeals/new", camera
        )
        s.build()
        return s

    off = build(CameraViewModel(FakeCamera(supported=False), tmp_path / "c"))
    assert off.camera_button is not None and off.camera_button.button.disabled
    assert "Суретке түсіру" in texts(off.view)
    assert off.camera_button.reason.visible
    assert off.camera_button.reason.value.startswith("Бұл құрылғыда суретке түсіру мүмкін емес")
    off.dispose()

    device = FakeCamera(has_camera=False)
    camera = CameraViewModel(device, tmp_path / "c")
    on = build(camera)
    assert on.camera_button is not None and not on.camera_button.button.disabled
    assert not on.camera_button.reason.visible
    assert camera.on_captured == session.new_appeal.add_picked  # same pipeline as the picker
    view = CaptureView(session.translator, camera)  # the capture view, without a page
    assert view.shutter.tooltip == "Түсіру" and view.shutter.disabled  # its name
    await camera.open()  # the device has none: the view says so, the button explains
    assert view.status.value.startswith("Бұл құрылғыда камера табылмады")
    on.render()
    assert on.camera_button.button.disabled and on.camera_button.reason.visible
    on.dispose()
    assert camera.on_captured is None

    ready = build(CameraViewModel(FakeCamera(), tmp_path / "c"))
    assert ready.camera_button is not None and not ready.camera_button.button.disabled
    shot = CameraViewModel(FakeCamera(shot=phone_shot((80, 60))), tmp_path / "c")
    shot.on_captured = session.new_appeal.add_picked
    await shot.open()
    await shot.shoot()
    assert len(session.new_appeal.media) == 1
    session.new_appeal.media = session.new_appeal.media * 10  # full: no shot to throw away
    ready.render()
    assert ready.camera_button.button.disabled
    ready.dispose()
    session.new_appeal.media = []

    session.translator.set_language("ru")
    ru_screen = build(CameraViewModel(FakeCamera(supported=False), tmp_path / "c"))
    assert "Сделать фото" in texts(ru_screen.view)
    assert ru_screen.camera_button is not None
    assert ru_screen.camera_button.reason.value.startswith("На этом устройстве нельзя")
    ru_screen.dispose()
    await session.new_appeal.settle()
