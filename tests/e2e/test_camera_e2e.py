"""The camera in a real browser (flet-camera in web mode).

- A browser without any camera (camera permission granted, so the browser answers "not
  found", not "not allowed"): "Take photo" opens the capture view, which says there is no
  camera; the button is then disabled with the reason in kk and ru — nothing crashes, no dead
  button.
- A browser with a camera the resident refuses: the capture view asks to allow the camera, and
  the button stays usable to try again (a refusal is not "no camera").
- A browser with Chromium's fake camera (`--use-fake-device-for-media-stream`): the shot lands
  on the form as a photo tile, through the same pipeline as a picked photo, and the appeal
  reaches the server with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import launched
from tests.e2e.resident import (
    go,
    on_screen,
    phone_page,
    scroll,
    settle,
    sign_in,
    tap_until,
    visible_text,
)

pytestmark = pytest.mark.e2e

FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def new_appeal(page: Page, backend_url: str) -> None:
    sign_in(page, backend_url)
    go(page, page.get_by_role("button", name="Жаңа өтініш"), "/appeals/new")


def close(page: Page, name: str) -> None:
    """Close the capture view by its button `name`."""
    button = page.get_by_role("button", name=name)
    tap_until(page, button, button, gone=True, what=name)


def to_photos(page: Page) -> None:
    scroll(page, 3000)


@pytest.fixture
def camera_page(browser: Browser, app_url: str, tmp_path: Path) -> Iterator[Page]:
    # the camera is allowed: with no device the browser then says NotFoundError, unambiguously
    with phone_page(browser, app_url, tmp_path / "last.png", camera=True) as page:
        yield page


def test_without_a_camera_the_button_explains(
    camera_page: Page, backend_url: str, shots: Path
) -> None:
    page = camera_page
    new_appeal(page, backend_url)
    to_photos(page)
    tap_until(
        page,
        page.get_by_role("button", name="Суретке түсіру"),
        page.get_by_text("Камера", exact=True),  # the capture view's title
    )
    visible_text(page, "Бұл құрылғыда камера табылмады")
    settle(page)
    page.screenshot(path=str(shots / "camera_none_kk.png"))
    close(page, "Жабу")
    to_photos(page)
    visible_text(page, "Бұл құрылғыда камера табылмады. Фотоны файлдан қосыңыз.")
    assert page.get_by_role("button", name="Суретке түсіру").is_disabled()
    tap_until(
        page,
        page.get_by_role("button", name="Русский"),
        page.get_by_text("Новое обращение", exact=False),
    )
    to_photos(page)
    visible_text(page, "На этом устройстве не найдена камера. Добавьте фото из файла.")
    assert page.get_by_role("button", name="Сделать фото").is_disabled()
    settle(page)
    page.screenshot(path=str(shots / "camera_none_ru.png"))


@pytest.fixture
def camera_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium with a fake camera (a moving test pattern)."""
    yield from launched(browser, FAKE_CAMERA_ARGS)


def test_a_photo_taken_with_the_camera_joins_the_form(
    camera_browser: Browser, app_url: str, backend_url: str, shots: Path, tmp_path: Path
) -> None:
    with phone_page(camera_browser, app_url, tmp_path / "last.png", camera=True) as page:
        new_appeal(page, backend_url)
        to_photos(page)
        tap_until(
            page,
            page.get_by_role("button", name="Суретке түсіру"),
            on_screen(page, "Камераны мәселеге бағыттап"),
        )
        visible_text(page, "Камераны мәселеге бағыттап")  # the preview runs
        settle(page, 1.5)
        page.screenshot(path=str(shots / "camera_capture_kk.png"))
        shutter = page.get_by_role("button", name="Түсіру", exact=True)
        tap_until(page, shutter, shutter, gone=True)  # the shot taken, the capture view closed
        to_photos(page)
        page.get_by_role("button", name="photo-").first.wait_for()
        settle(page)
        page.screenshot(path=str(shots / "camera_photo_added_kk.png"))
        tap_until(
            page,
            page.get_by_role("button", name="Русский"),
            page.get_by_text("Новое обращение", exact=False),
        )
        to_photos(page)
        page.get_by_role("button", name="photo-").first.wait_for()  # kept across the switch
        tap_until(
            page,
            page.get_by_role("button", name="Сделать фото"),
            page.get_by_text("Наведите камеру на проблему", exact=False),
        )
        settle(page, 1.5)
        page.screenshot(path=str(shots / "camera_capture_ru.png"))
        close(page, "Закрыть")
        page.get_by_role("button", name="Сделать фото").wait_for()


@pytest.fixture
def refusing_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium with a fake camera but no fake permission prompt: the prompt is refused."""
    yield from launched(browser, ["--use-fake-device-for-media-stream"])


def test_a_refused_camera_asks_to_allow_it_and_the_button_stays(
    refusing_browser: Browser, app_url: str, backend_url: str, shots: Path, tmp_path: Path
) -> None:
    with phone_page(refusing_browser, app_url, tmp_path / "last.png") as page:
        new_appeal(page, backend_url)
        to_photos(page)
        tap_until(
            page,
            page.get_by_role("button", name="Суретке түсіру"),
            page.get_by_text("Қолданбаға камераға рұқсат берілгенін тексеріп", exact=False),
        )
        settle(page)
        page.screenshot(path=str(shots / "camera_refused_kk.png"))
        close(page, "Жабу")
        to_photos(page)
        button = page.get_by_role("button", name="Суретке түсіру")
        button.wait_for()
        assert button.is_enabled()  # not "no camera": allow it and try again
        assert page.get_by_text("камера табылмады").count() == 0
