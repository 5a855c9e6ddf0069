from __future__ import annotations

from fastapi.testclient import TestClient

from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.models import OtpChallenge
from tests.backend.support import production_settings
from tests.conftest import next_phone, sign_in


def _request(client: TestClient, phone: str, **headers: str):
    return client.post("/api/v1/auth/otp/request", json={"phone": phone}, headers=headers)


def _code(client: TestClient, phone: str) -> str:
    return client.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]


def test_sign_in_with_code_from_dev_inbox(client: TestClient) -> None:
    r = _request(client, "8 (701) 555-12-34")
    assert r.status_code == 200
    assert r.json() == {"phone": "+77015551234", "expires_in": 300, "resend_in": 60}
    code = _code(client, "+77015551234")
    assert len(code) == 6 and code.isdigit()
    r = client.post("/api/v1/auth/otp/verify", json={"phone": "77015551234", "code": code})
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["phone"] == "+77015551234"
    assert body["user"]["role"] == "resident"
    me = client.get("/api/v1/profile", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


def test_malformed_phone_is_422_in_callers_language(client: TestClient) -> None:
    for raw in ["12345", "+7 916 123 45 67", "+7 7172 55 55 55", "abc"]:
        r = _request(client, raw, **{"Accept-Language": "ru-RU,ru;q=0.9"})
        assert r.status_code == 422, raw
        assert r.json()["error"]["code"] == "invalid_phone"
        assert "мобильный" in r.json()["error"]["message"]
    r = _request(client, "12345", **{"Accept-Language": "kk"})
    assert "ұялы" in r.json()["error"]["message"]


def test_code_is_single_use(client: TestClient) -> None:
    phone = next_phone()
    _request(client, phone)
    code = _code(client, phone)
    assert client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code}).is_success
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert r.status_code == 400 and r.json()["error"]["code"] == "code_expired"


def test_wrong_code_counts_down_then_code_dies(client: TestClient) -> None:
    phone = next_phone()
    _request(client, phone)
    code = _code(client, phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    lefts = []
    for _ in range(4):
        r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": wrong})
        assert r.status_code == 400
        lefts.append(r.json()["error"]["details"]["attempts_left"])
    assert lefts == [4, 3, 2, 1]
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": wrong})
    assert r.json()["error"]["code"] == "code_expired"
    # even the right code is dead after 5 wrong tries
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert r.status_code == 400 and r.json()["error"]["code"] == "code_expired"


def test_expired_code_is_refused(settings: Settings) -> None:
    settings.otp_ttl_s = 0
    with TestClient(create_app(settings)) as client:
        phone = next_phone()
        _request(client, phone)
        code = _code(client, phone)
        r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
        assert r.status_code == 400 and r.json()["error"]["code"] == "code_expired"


def test_resend_cooldown_is_429_with_retry_after(client: TestClient) -> None:
    phone = next_phone()
    assert _request(client, phone).status_code == 200
    r = _request(client, phone)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "resend_cooldown"
    assert 55 <= int(r.headers["Retry-After"]) <= 60


def test_failures_accumulate_across_resends_and_lock_the_phone(settings: Settings) -> None:
    settings.otp_resend_cooldown_s = 0
    settings.otp_max_sends_per_phone_hour = 100
    with TestClient(create_app(settings)) as client:
        phone = next_phone()
        for _ in range(2):
            _request(client, phone)
            for _ in range(4):
                client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": "000000"})
        _request(client, phone)
        client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": "000000"})
        r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": "000000"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "phone_locked"
        assert int(r.headers["Retry-After"]) > 0
        # locked: no new code is sent, and the right code no longer helps
        r = _request(client, phone)
        assert r.status_code == 429 and r.json()["error"]["code"] == "phone_locked"


def test_lockout_looks_the_same_for_registered_and_unknown_phones(settings: Settings) -> None:
    settings.otp_resend_cooldown_s = 0
    settings.otp_max_sends_per_phone_hour = 100
    with TestClient(create_app(settings)) as client:
        known = next_phone()
        sign_in(client, known)
        unknown = next_phone()
        answers = []
        for phone in (known, unknown):
            _request(client, phone)
            rs = [
                client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": "000000"})
                for _ in range(12)
            ]
            answers.append([(r.status_code, r.json()["error"]["code"]) for r in rs])
        assert answers[0] == answers[1]


def test_hourly_cap_per_phone(settings: Settings) -> None:
    settings.otp_resend_cooldown_s = 0
    with TestClient(create_app(settings)) as client:
        phone = next_phone()
        codes = [_request(client, phone).status_code for _ in range(7)]
        assert codes == [200] * 5 + [429, 429]


def test_cap_per_client_address(settings: Settings) -> None:
    settings.otp_max_sends_per_ip_hour = 3
    with TestClient(create_app(settings)) as client:
        codes = [_request(client, next_phone()).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]


def test_codes_are_stored_hashed(client: TestClient, settings: Settings) -> None:
    phone = next_phone()
    _request(client, phone)
    code = _code(client, phone)
    from sqlmodel import Session, select

    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        row = db.exec(select(OtpChallenge).where(OtpChallenge.phone == phone)).one()
    assert code not in row.code_hash and len(row.code_hash) == 64


def test_refresh_rotates_and_logout_revokes(client: TestClient) -> None:
    phone = next_phone()
    _request(client, phone)
    tokens = client.post(
        "/api/v1/auth/otp/verify", json={"phone": phone, "code": _code(client, phone)}
    ).json()
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200
    new = r.json()
    # sent again at once (a lost answer), the old refresh token gets the same pair (the grace
    # window; after it, a replay revokes the session: tests/security/test_auth_bursts.py);
    # the old access token is dead
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200 and r.json()["refresh_token"] == new["refresh_token"]
    old = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/profile", headers=old).status_code == 401
    headers = {"Authorization": f"Bearer {new['access_token']}"}
    assert client.get("/api/v1/profile", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/profile", headers=headers).status_code == 401


def test_no_token_is_401(client: TestClient) -> None:
    r = client.get("/api/v1/profile")
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


def test_dev_inbox_absent_in_production(tmp_path) -> None:
    settings = production_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        assert client.get("/dev/sms", params={"phone": "+77011234567"}).status_code == 404


def test_production_refuses_default_secret(tmp_path) -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(app_env="production", data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
