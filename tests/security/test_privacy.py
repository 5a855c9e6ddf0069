"""Privacy: no stored photo keeps its EXIF (GPS, phone model), whichever way it came in; no log
line carries a token or a phone number (only masked ones), not even when the database fails."""

from __future__ import annotations

import base64
import io
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import ExifTags, Image
from sqlalchemy import event

from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.messages import message
from backend_stub.phone import mask_phone
from tests.backend.support import add_staff
from tests.backend.test_appeals import appeal_body, make_operator
from tests.conftest import next_phone, sign_in
from tests.security.support import engine_of, formatted, production_settings

TELLTALES = (b"PhoneModel-X1", b"PhoneMaker", b"Exif\x00\x00", b"GPS")
PASSWORD = "privacy-test-password"


def exif() -> Image.Exif:
    data = Image.Exif()
    data[ExifTags.Base.Make] = "PhoneMaker"
    data[ExifTags.Base.Model] = "PhoneModel-X1"
    gps = data.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 7.0, 41.0)
    return data


def photo(fmt: str) -> bytes:
    """A 1200×900 photo in `fmt` carrying EXIF with GPS and the phone's make and model."""
    im = Image.effect_noise((1200, 900), 40).convert("RGB")
    out = io.BytesIO()
    im.save(out, fmt, exif=exif())
    data = out.getvalue()
    assert b"PhoneModel-X1" in data
    return data


def upload(client: TestClient, who: dict[str, str], data: bytes, name: str) -> str:
    ctype = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[name.rsplit(".")[-1]]
    r = client.post("/api/v1/media", headers=who, files={"file": (name, data, ctype)})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def tus_upload(client: TestClient, who: dict[str, str], data: bytes) -> str:
    meta = "filename " + base64.b64encode(b"tus.jpg").decode()
    tus = {"Tus-Resumable": "1.0.0"}
    r = client.post(
        "/api/v1/uploads",
        headers={**who, **tus, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert r.status_code == 201, r.text
    r = client.patch(
        r.headers["Location"],
        content=data,
        headers={
            **who,
            **tus,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert r.status_code == 204, r.text
    return r.headers["Upload-Media-Id"]


def console_reply_with_photo(client: TestClient, appeal_id: int) -> None:
    login = {"login": "privacy-op", "password": PASSWORD}
    r = client.post("/console/login", data=login, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(f"/console/appeals/{appeal_id}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf, "no CSRF token on the console page"
    r = client.post(
        f"/console/appeals/{appeal_id}/messages",
        data={"csrf": csrf.group(1), "client_id": str(uuid.uuid4()), "text": "Фото"},
        files={"photo": ("reply.jpg", photo("JPEG"), "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-2000:]
    client.cookies.clear()


def stored_images(media_dir: Path) -> list[Path]:
    return [
        p
        for p in media_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix in (".jpg", ".png", ".webp")
    ]


def test_no_stored_photo_keeps_its_exif(settings: Settings) -> None:
    settings.emergency_worker_interval_s = 0
    with TestClient(create_app(settings)) as client:
        resident, operator = sign_in(client), make_operator(client)
        add_staff(client, "privacy-op", role="operator", password=PASSWORD)
        on_appeal = [upload(client, resident, photo("JPEG"), "a.jpg")]
        on_appeal.append(upload(client, resident, photo("PNG"), "b.png"))
        on_appeal.append(upload(client, resident, photo("WEBP"), "c.webp"))
        on_appeal.append(tus_upload(client, resident, photo("JPEG")))
        r = client.post(
            "/api/v1/appeals", json=appeal_body(attachment_ids=on_appeal), headers=resident
        )
        assert r.status_code == 201, r.text
        appeal_id = r.json()["id"]
        r = client.post(
            "/api/v1/proposals",
            json={
                "client_id": str(uuid.uuid4()),
                "text": "Скамейки во дворе",
                "category": "landscaping",
                "photo_ids": [upload(client, resident, photo("JPEG"), "p.jpg")],
            },
            headers=resident,
        )
        assert r.status_code == 201, r.text
        console_reply_with_photo(client, appeal_id)
        for status in ("assigned", "in_progress"):
            r = client.post(
                f"/api/v1/operator/appeals/{appeal_id}/status",
                json={"to_status": status},
                headers=operator,
            )
            assert r.status_code == 200, r.text
        after = upload(client, operator, photo("JPEG"), "after.jpg")
        r = client.post(
            f"/api/v1/operator/appeals/{appeal_id}/close",
            json={"result_text": "Готово", "after_media_ids": [after]},
            headers=operator,
        )
        assert r.status_code == 200, r.text

    images = stored_images(settings.media_dir)
    assert len(images) == 7, images  # 4 on the appeal, proposal, console reply, after-photo
    for path in images:
        data = path.read_bytes()
        for telltale in TELLTALES:
            assert telltale not in data, f"{path.name} still carries {telltale!r}"
        with Image.open(path) as im:
            assert not im.getexif(), f"{path.name} has EXIF"
            assert "exif" not in im.info and "xmp" not in im.info
            assert max(im.size) <= settings.stored_image_max_side


def _server_lines(records: list[logging.LogRecord]) -> list[str]:
    """What the server logged (the test client's own httpx lines name http://testserver)."""
    return [line for line in formatted(records) if "http://testserver" not in line]


def test_tokens_and_phones_never_reach_the_log(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings.emergency_worker_interval_s = 0
    phone = next_phone()
    with TestClient(create_app(settings)) as client:
        client.post("/api/v1/auth/otp/request", json={"phone": phone})
        code = client.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
        r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
        tokens = r.json()
        who = {"Authorization": f"Bearer {tokens['access_token']}"}
        photo_id = upload(client, who, photo("JPEG"), "a.jpg")
        r = client.post(
            "/api/v1/appeals",
            json=appeal_body(attachment_ids=[photo_id], share_personal=True),
            headers=who,
        )
        assert r.status_code == 201
        appeal_id = r.json()["id"]
        r = client.post(
            f"/api/v1/appeals/{appeal_id}/messages",
            json={"client_id": str(uuid.uuid4()), "text": f"Позвоните мне: {phone}"},
            headers=who,
        )
        assert r.status_code == 201
        assert client.get("/api/v1/sync", headers=who).status_code == 200
        r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        fresh = r.json()
        assert client.get("/api/v1/profile", headers=who).status_code == 401  # rotated away
        who = {"Authorization": f"Bearer {fresh['access_token']}"}
        assert client.post("/api/v1/auth/logout", headers=who).status_code == 204
    secrets = {tokens["access_token"], tokens["refresh_token"]}
    secrets |= {fresh["access_token"], fresh["refresh_token"]}
    lines = _server_lines(caplog.records)
    assert any(mask_phone(phone) in line for line in lines)
    for line in lines:
        assert not any(secret in line for secret in secrets), line
        assert phone.removeprefix("+") not in line, line


def test_a_failing_database_logs_no_personal_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected database error is logged with its statement but not its values."""
    from tests.security.bursts import fake_smsc

    caplog.set_level(logging.DEBUG)
    with fake_smsc() as smsc:
        settings = production_settings(tmp_path / "data", smsc.url)
        phone = next_phone()
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            client.post("/api/v1/auth/otp/request", json={"phone": phone})
            r = client.post(
                "/api/v1/auth/otp/verify", json={"phone": phone, "code": smsc.last_code(phone)}
            )
            who = {"Authorization": f"Bearer {r.json()['access_token']}"}

            def break_appeal_inserts(
                conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
            ) -> tuple[str, Any]:
                if statement.startswith("INSERT INTO appeal "):
                    statement = statement.replace("INSERT INTO appeal ", "INSERT INTO nowhere ", 1)
                return statement, params

            engine = engine_of(client)
            event.listen(engine, "before_cursor_execute", break_appeal_inserts, retval=True)
            r = client.post(
                "/api/v1/appeals",
                json=appeal_body(applicant_name="Айгерім Сапарова", share_personal=True),
                headers={**who, "Accept-Language": "ru"},
            )
            event.remove(engine, "before_cursor_execute", break_appeal_inserts)
    assert r.status_code == 500
    assert r.json()["error"]["message"] == message("internal_error", "ru")
    lines = _server_lines(caplog.records)
    failure = [line for line in lines if "nowhere" in line]
    assert failure, "the database error was not logged"
    for line in lines:
        assert phone.removeprefix("+") not in line, line
        assert "Айгерім" not in line, line
