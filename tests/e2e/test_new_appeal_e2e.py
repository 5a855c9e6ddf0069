"""Filing a new appeal in a real browser: sign in with a code from the dev inbox, a fake
geolocation, a photo with GPS in its EXIF; kk ↔ ru on the form keeps what was typed; the appeal
arrives on the server with the position and the photo — EXIF-free and shrunk."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page

from tests.e2e.backend import App, dev_code, fresh_phone, operator, wait_until
from tests.e2e.resident import (
    HERE,
    ON_APPEAL,
    PHONE_VIEWPORT,
    attach,
    field_value,
    go,
    open_app,
    resize,
    scroll,
    send_appeal,
    settle,
    sign_in,
    tap_until,
    type_into,
    visible_text,
)

pytestmark = pytest.mark.e2e

TEXT = "Подъездегі лифт жұмыс істемейді, екі күннен бері тұр"
ADDRESS = "Мәңгілік Ел 55, 2-подъезд"
GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def phone_photo(path: Path) -> Path:
    """A camera JPEG: 3000×2000, GPS and camera make in its EXIF, Orientation 6."""
    im = Image.new("RGB", (3000, 2000), (200, 40, 40))
    im.paste((40, 40, 200), (1500, 0, 3000, 2000))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 7.0, 42.0), 3: "E", 4: (71.0, 25.0, 51.0)}
    im.save(path, "JPEG", quality=92, exif=exif)
    return path


def whole_form(page: Page, path: Path, height: int = 1400) -> None:
    """A screenshot of the whole form: the canvas is as tall as the window, so make it tall."""
    resize(page, {"width": PHONE_VIEWPORT["width"], "height": height})
    scroll(page, -5000, at=(200, 300))
    settle(page, 1.5)
    page.screenshot(path=str(path))
    resize(page, PHONE_VIEWPORT)
    settle(page)


def wait_for_appeal(op: httpx.Client, text: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        items = op.get("/api/v1/operator/appeals", params={"limit": 20}).json()["items"]
        return next((dict(item) for item in items if item["text"] == text), None)

    return wait_until(found, what=f"the appeal on the server: {text!r}")


def test_file_an_appeal_with_a_photo_and_the_devices_position(
    page: Page, backend_url: str, shots: Path, tmp_path: Path
) -> None:
    phone = sign_in(page, backend_url)

    go(page, page.get_by_role("button", name="Жаңа өтініш"), "/appeals/new")
    visible_text(page, "Орын анықталды, дәлдігі ±15 м")  # the browser's (fake) position

    type_into(page, "Не болды?", TEXT)
    # The server suggests the category from the text; the resident confirms it.
    change = page.get_by_role("button", name="Өзгерту")  # chosen: "change" instead of a list
    tap_until(page, page.get_by_role("button", name="Лифт жұмыс істемейді"), change)
    type_into(page, "Оқиға мекенжайы", ADDRESS)  # no internet here: no geocoded address

    photo = phone_photo(tmp_path / "IMG_0042.jpg")
    attach(page, page.get_by_role("button", name="Фото қосу"), photo)
    scroll(page, 3000)  # Flutter builds semantics only for what is on screen
    page.get_by_role("button", name="IMG_0042.jpg файлын жою").wait_for()
    whole_form(page, shots / "new_appeal_kk.png")

    # kk → ru on the form: every label changes, nothing typed is lost.
    tap_until(
        page,
        page.get_by_role("button", name="Русский"),
        page.get_by_text("Новое обращение", exact=False),
    )
    page.get_by_label("Что случилось?").first.wait_for()
    visible_text(page, "Местоположение определено, точность ±15 м")
    page.get_by_role("button", name="Изменить").wait_for()
    category = page.get_by_text("Лифт не работает").or_(page.get_by_label("Лифт не работает"))
    assert category.count() >= 1  # the category, now in Russian
    assert field_value(page, "Что случилось?") == TEXT
    scroll(page, 3000)
    page.get_by_role("button", name="Удалить файл IMG_0042.jpg").wait_for()
    whole_form(page, shots / "new_appeal_ru.png")
    tap_until(
        page,
        page.get_by_role("button", name="Қазақша"),
        page.get_by_text("Жаңа өтініш", exact=False),
    )
    assert field_value(page, "Не болды?") == TEXT

    send_appeal(page)

    # On the server: the position, the address, the photo — shrunk and without EXIF.
    op = operator(backend_url)
    appeal = wait_for_appeal(op, TEXT)
    assert appeal["subclass_code"] == "24.08"
    assert appeal["lat"] == pytest.approx(51.1282, abs=1e-4)
    assert appeal["lon"] == pytest.approx(71.4307, abs=1e-4)
    assert appeal["accuracy_m"] == pytest.approx(15, abs=1)
    assert appeal["address"] == ADDRESS
    assert appeal["applicant_phone"] == phone
    assert appeal["language"] == "kk" and appeal["emergency"] is False
    appeal = wait_until(
        lambda: (a := op.get(f"/api/v1/operator/appeals/{appeal['id']}").json())["media"] and a,
        what="the photo on the server",
    )
    [media] = appeal["media"]
    assert media["kind"] == "image"
    body = op.get(media["url"]).content
    with Image.open(io.BytesIO(body)) as im:
        assert im.format == "JPEG"
        assert im.size == (1280, 1920)  # turned upright, long side 1920
        assert len(im.getexif()) == 0
    assert b"PhoneMaker" not in body
    op.close()


def file_as_another_resident(backend_url: str, text: str) -> dict[str, Any]:
    """Someone else reported the same thing here a moment ago (through the API)."""
    phone, _typed, _shown = fresh_phone()
    with httpx.Client(base_url=backend_url, timeout=30) as c:
        assert c.post("/api/v1/auth/otp/request", json={"phone": phone}).status_code == 200
        code = dev_code(backend_url, phone)
        token = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code}).json()
        r = c.post(
            "/api/v1/appeals",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            json={"client_id": str(uuid.uuid4()), "text": text, "subclass_code": "24.08",
                  "lat": HERE["latitude"] + 0.0002, "lon": HERE["longitude"]},
        )  # fmt: skip
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_similar_nearby_emergency_and_the_draft(page: Page, app: App, shots: Path) -> None:
    backend_url, app_url = app.backend_url, app.url
    earlier = file_as_another_resident(backend_url, "Лифт істемейді, 5-қабатта тұрып қалды")
    sign_in(page, backend_url)
    go(page, page.get_by_role("button", name="Жаңа өтініш"), "/appeals/new")
    visible_text(page, "Орын анықталды, дәлдігі ±15 м")

    # An empty send: the errors, in the user's language.
    scroll(page, 3000)
    tap_until(
        page,
        page.get_by_role("button", name="Өтінішті жіберу"),
        page.get_by_text("Белгіленген өрістерді тексеріңіз.", exact=False),
    )
    scroll(page, -5000)
    visible_text(page, "Мәселені сипаттаңыз.")
    whole_form(page, shots / "new_appeal_errors_kk.png")

    text = "Біздің үйде лифт жұмыс істемейді"
    type_into(page, "Не болды?", text)
    change = page.get_by_role("button", name="Өзгерту")
    tap_until(page, page.get_by_role("button", name="Лифт жұмыс істемейді"), change)
    wait_until(  # the draft is saved as the resident types
        lambda: (d := app.draft()).get("text") == text and d.get("subclass_code"),
        what="the draft saved on the phone",
    )

    # Leaving and coming back (a reload is a restart of the page session): the draft is there.
    open_app(page, app_url + "/appeals/new")
    assert field_value(page, "Не болды?") == text
    page.get_by_role("button", name="Өзгерту").wait_for()

    # A point on the map: no tiles without internet, but the point and its coordinates work.
    hide_map = page.get_by_role("button", name="Картаны жасыру")
    tap_until(page, page.get_by_role("button", name="Картадан таңдау"), hide_map)
    label = "Карта: нүктені таңдау үшін басыңыз"
    the_map = page.get_by_text(label).or_(page.get_by_label(label)).first
    scroll(page, 400)
    the_map.wait_for()
    box = the_map.bounding_box()
    assert box is not None
    point = (box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 - 40)
    tap_until(page, point, page.get_by_text("Нүкте картадан таңдалды"), what="the map")
    visible_text(page, "Нүкте картадан таңдалды")
    visible_text(page, "Координаттар: 51.12")
    assert page.get_by_text("Координаттар: 51.12820, 71.43070").count() == 0  # moved
    shown = page.get_by_text("Координаттар:").first.text_content() or ""
    tap_until(  # the keyboard way
        page,
        page.get_by_role("button", name="Нүктені солтүстікке жылжыту"),
        f"!document.body.innerText.includes({json.dumps(shown.strip())})",
    )
    settle(page)
    page.screenshot(path=str(shots / "new_appeal_map_kk.png"))
    tap_until(page, hide_map, page.get_by_role("button", name="Картадан таңдау"))

    # Similar appeals nearby in the last 24 hours, offered before sending.
    scroll(page, 3000)
    tap_until(
        page,
        page.get_by_role("button", name="Өтінішті жіберу"),
        page.get_by_text("Соңғы 24 сағаттағы жақын маңдағы ұқсас өтініштер", exact=False),
    )
    visible_text(page, f"№ {earlier['number']}")
    visible_text(page, "Басқа тұрғын жіберген.")
    settle(page)
    page.screenshot(path=str(shots / "new_appeal_similar_kk.png"))
    tap_until(
        page,
        page.get_by_role("button", name="Өңдеуге оралу"),
        page.get_by_text("Соңғы 24 сағаттағы жақын маңдағы ұқсас өтініштер", exact=False),
        gone=True,
    )

    # The emergency path: the service, exactly what is sent, a call button.
    scroll(page, -5000)
    tap_until(
        page,
        page.get_by_role("button", name="Бұл төтенше жағдай"),
        page.get_by_text("Өмірге қауіп төнсе, бірден 112 нөміріне қоңырау шалыңыз.", exact=False),
    )
    tap_until(
        page,
        page.get_by_role("radio", name="101 — Өрт сөндіру қызметі"),
        page.get_by_role("button", name="101 нөміріне қоңырау шалу"),
    )
    visible_text(page, text)  # what will be sent
    whole_form(page, shots / "new_appeal_emergency_kk.png", 1300)
    tap_until(
        page,
        page.get_by_role("button", name="Русский"),
        page.get_by_role("button", name="Позвонить 101"),
    )
    visible_text(page, "Что будет отправлено")
    whole_form(page, shots / "new_appeal_emergency_ru.png", 1300)
    scroll(page, 3000)
    go(page, page.get_by_role("button", name="Отправить: Пожарная служба (101)"), ON_APPEAL)
    with operator(backend_url) as op:
        appeal = wait_for_appeal(op, text)
    assert appeal["emergency"] is True and appeal["language"] == "ru"
