"""Sign-in by SMS one-time code, token refresh and sign-out."""

from __future__ import annotations

import logging

import anyio.from_thread
from fastapi import APIRouter, Request, Response

from backend_stub.config import Settings
from backend_stub.crud import otp as otp_crud
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud import users as users_crud
from backend_stub.deps import CurrentUser, DbDep, LangDep, SettingsDep, bearer_token, client_ip
from backend_stub.errors import ApiError
from backend_stub.models import User
from backend_stub.openapi_errors import CHECKS_CODE, SENDS_CODE, refused
from backend_stub.phone import InvalidPhoneError, mask_phone, normalize_kz_mobile
from backend_stub.schemas.auth import (
    OtpRequest,
    OtpRequested,
    OtpVerify,
    RefreshIn,
    TokenOut,
    UserOut,
)
from backend_stub.services.sms import SmsDeliveryError, SmsGateway

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
log = logging.getLogger("city109.auth")

SMS_TEXT = {
    "kk": "109: кіру коды {code}. Оны ешкімге айтпаңыз.",
    "ru": "109: код входа {code}. Никому его не сообщайте.",
}


def parse_phone(raw: str) -> str:
    try:
        return normalize_kz_mobile(raw)
    except InvalidPhoneError as exc:
        raise ApiError(422, "invalid_phone") from exc


def user_out(user: User) -> UserOut:
    assert user.id is not None
    return UserOut(
        id=user.id,
        phone=user.phone,
        full_name=user.full_name,
        language=user.language,
        role=user.role,
    )


def send_code_sms(request: Request, settings: Settings, phone: str, code: str, lang: str) -> None:
    """Send from a worker thread (sync routes) through the app's async SMS gateway.

    Call it only after the code is committed: no transaction may stay open (and SQLite's write
    lock held) while the gateway answers. A failed send still counts against the cooldown and
    the hourly caps (the provider may have sent it after all): the 502 says when to retry."""
    gateway: SmsGateway = request.app.state.sms
    try:
        anyio.from_thread.run(gateway.send, phone, SMS_TEXT[lang].format(code=code))
    except SmsDeliveryError as exc:
        log.warning("sms to %s failed: %s", mask_phone(phone), type(exc).__name__)
        retry = str(max(1, settings.otp_resend_cooldown_s))
        raise ApiError(502, "sms_failed", headers={"Retry-After": retry}) from exc


@router.post("/otp/request", response_model=OtpRequested, responses=SENDS_CODE)
def request_code(
    body: OtpRequest, request: Request, db: DbDep, settings: SettingsDep, lang: LangDep
) -> OtpRequested:
    phone = parse_phone(body.phone)
    issued = otp_crud.issue_code(db, settings, phone, client_ip(request))
    db.commit()  # the code and its limits settle first: nothing is held open during the SMS
    send_code_sms(request, settings, phone, issued.code, lang)
    log.info("code sent to %s", mask_phone(phone))
    return OtpRequested(
        phone=phone, expires_in=settings.otp_ttl_s, resend_in=settings.otp_resend_cooldown_s
    )


@router.post("/otp/verify", response_model=TokenOut, responses=CHECKS_CODE)
def verify_code(body: OtpVerify, db: DbDep, settings: SettingsDep, lang: LangDep) -> TokenOut:
    phone = parse_phone(body.phone)
    otp_crud.verify_code(db, settings, phone, body.code)
    user = users_crud.user_by_phone(db, phone=phone, language=lang)
    pair = sessions_crud.start_session(db, settings, user)
    db.commit()
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=user_out(user),
    )


@router.post(
    "/refresh",
    response_model=TokenOut,
    responses=refused({401: "an unknown, used or expired token"}),
)
def refresh(body: RefreshIn, db: DbDep, settings: SettingsDep) -> TokenOut:
    rotated = sessions_crud.rotate(db, settings, body.refresh_token)
    if rotated is None:
        raise ApiError(401, "invalid_token")
    user, pair = rotated
    db.commit()
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=user_out(user),
    )


@router.post("/logout", status_code=204)
def logout(request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep) -> Response:
    """End this sign-in; its push streams end with it (the resident's other devices stay)."""
    token = bearer_token(request)
    auth = sessions_crud.session_for_access_token(db, settings, token or "")
    if auth is not None:
        sessions_crud.revoke(db, auth)
        db.commit()
    return Response(status_code=204)
