"""Playing an appeal's video in a real browser (flet-video in web mode).

A signed-in resident files an appeal with a short H.264 clip picked through "Add video"; once it
is synced (its number in the title) the resident opens it and taps "Play the video". The player
streams from the short-lived signed link (`/api/v1/media/{id}/content?exp=&sig=`): the browser
fetches it without any token and gets the bytes (200/206), and the page's <video> element
(Flutter web puts it in a platform view) gets frames and plays.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.resident import (
    UI_TIMEOUT_MS,
    answering,
    ask,
    attach,
    go,
    on_screen,
    scroll,
    send_appeal,
    sign_in,
    tap_until,
    type_into,
    visible_text,
)

pytestmark = pytest.mark.e2e

VIDEO = Path(__file__).parent / "fixtures" / "testsrc2_320x240_3s_h264.mp4"
TEXT = "Подъездегі лифт жұмыс істемейді, бейнеге түсірдім"
ADDRESS = "Қабанбай батыр 11"
TITLE = re.compile(r"^№ [0-9-]+ өтініш$")
CONTENT = re.compile(r"/api/v1/media/[^/]+/content\?exp=\d+&sig=")

# The page's <video> elements. Flutter web (1.0.5 here) keeps a platform view's element in the
# light DOM (`<flt-platform-view slot=...>`, slotted into its shadow root); walk shadow roots too.
VIDEO_STATE = """() => {
    const found = [];
    const walk = (root) => {
        for (const el of root.querySelectorAll('*')) {
            if (el.tagName === 'VIDEO') found.push(el);
            if (el.shadowRoot) walk(el.shadowRoot);
        }
    };
    walk(document);
    return found.map(v => ({src: v.currentSrc || v.src, readyState: v.readyState,
                            currentTime: v.currentTime, paused: v.paused,
                            error: v.error ? v.error.code : null,
                            width: v.videoWidth, height: v.videoHeight}));
}"""


PLAYING_TIMEOUT_MS = 3 * UI_TIMEOUT_MS  # software decoding on a machine with both cores busy


def wait_playing(page: Page) -> dict[str, Any]:
    """The page's <video> element once it has frames (readyState ≥ 2) and time moves on (a
    busy machine decodes late: a generous deadline, and what the elements said if it passes)."""
    try:
        handle = page.wait_for_function(
            f"() => ({VIDEO_STATE})().find(v => v.readyState >= 2 && v.currentTime > 0.3)",
            timeout=PLAYING_TIMEOUT_MS,
        )
    except PlaywrightTimeout:
        seen = ask(page, f"({VIDEO_STATE})()")
        raise AssertionError(
            f"no video playing within {PLAYING_TIMEOUT_MS // 1000} s: {seen}"
        ) from None
    state: dict[str, Any] = handle.json_value()
    return state


def play(page: Page, label: str, close: str) -> Response:
    """Tap "Play the video" until the player's dialog is open; the browser's response for the
    signed content URL."""
    button = page.get_by_role("button", name=label)
    with page.expect_response(lambda r: bool(CONTENT.search(r.url))) as info:
        tap_until(page, button, page.get_by_role("button", name=close), what=label)
    return info.value


def check_playback(page: Page, label: str, close: str, shot: Path) -> None:
    """Play the video: fetched by its signed link without a token, shown and running."""
    response = play(page, label, close)
    assert response.status in (200, 206), response.status
    assert "authorization" not in response.request.all_headers()  # a signed link, no token
    page.get_by_role("button", name=close).wait_for()  # the player's dialog
    video = wait_playing(page)
    assert CONTENT.search(video["src"]) and video["error"] is None
    assert (video["width"], video["height"]) == (320, 240)
    answering(page)  # (the mouse has no deadline)
    page.mouse.move(1, 1)
    page.screenshot(path=str(shot))
    closing = page.get_by_role("button", name=close)
    tap_until(page, closing, closing, gone=True, what=close)


def test_the_resident_plays_the_video_of_an_appeal(
    page: Page, backend_url: str, shots: Path
) -> None:
    sign_in(page, backend_url)
    go(page, page.get_by_role("button", name="Жаңа өтініш"), "/appeals/new")
    visible_text(page, "Орын анықталды, дәлдігі ±15 м")
    type_into(page, "Не болды?", TEXT)
    change = page.get_by_role("button", name="Өзгерту")
    tap_until(page, page.get_by_role("button", name="Лифт жұмыс істемейді"), change)  # suggested
    type_into(page, "Оқиға мекенжайы", ADDRESS)
    attach(page, page.get_by_role("button", name="Бейне қосу"), VIDEO)
    scroll(page, 3000)
    page.get_by_role("button", name=f"{VIDEO.name} файлын жою").wait_for()
    send_appeal(page)
    page.get_by_text(TITLE).first.wait_for()  # synced: the server's number
    check_playback(page, "Бейнені ойнату", "Жабу", shots / "appeal_video_kk.png")

    # In Russian: the language from the cabinet, back to the appeal, play again (a new link).
    page.get_by_role("button", name="Жабу").wait_for(state="detached")
    go(page, page.get_by_role("button", name="Артқа").first, "/")  # the app bar's back button
    go(page, page.get_by_role("tab", name="Кабинет"), "/cabinet")
    ru_tab = page.get_by_role("tab", name="Обращения")
    tap_until(page, page.get_by_role("button", name="Русский"), ru_tab)
    go(page, ru_tab, "/")
    card = on_screen(page, TEXT)
    tap_until(page, card, page.get_by_text(re.compile(r"^Обращение № [0-9-]+$")))
    check_playback(page, "Воспроизвести видео", "Закрыть", shots / "appeal_video_ru.png")
