"""Sign-in by SMS one-time code, token refresh and sign-out."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from backend_stub.crud import otp as otp_crud
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud import users as users_crud
from backend_stub.deps import CurrentUser, DbDep, LangDep, SettingsDep, bearer_token, client_ip
from backend_stub.errors import ApiError
from backend_stub.openapi_errors import CHECKS_CODE, SENDS_CODE, refused
from backend_stub.phone import mask_phone
from backend_stub.presenters.auth import token_out
from backend_stub.schemas.auth import OtpRequest, OtpRequested, OtpVerify, RefreshIn, TokenOut
from backend_stub.services import sms

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
log = logging.getLogger("city109.auth")


@router.post("/otp/request", response_model=OtpRequested, responses=SENDS_CODE)
def request_code(
    body: OtpRequest, request: Request, db: DbDep, settings: SettingsDep, lang: LangDep
) -> OtpRequested:
    phone = otp_crud.parse_phone(body.phone)
    issued = otp_crud.issue_code(db, settings=settings, phone=phone, client_ip=client_ip(request))
    db.commit()  # the code and its limits settle first: nothing is held open during the SMS
    sms.send_code(request.app.state.sms, settings, phone=phone, code=issued.code, lang=lang)
    log.info("code sent to %s", mask_phone(phone))
    return OtpRequested(
        phone=phone, expires_in=settings.otp_ttl_s, resend_in=settings.otp_resend_cooldown_s
    )


@router.post("/otp/verify", response_model=TokenOut, responses=CHECKS_CODE)
def verify_code(body: OtpVerify, db: DbDep, settings: SettingsDep, lang: LangDep) -> TokenOut:
    phone = otp_crud.parse_phone(body.phone)
    otp_crud.verify_code(db, settings=settings, phone=phone, code=body.code)
    user = users_crud.user_by_phone(db, phone=phone, language=lang)
    pair = sessions_crud.start_session(db, settings=settings, user=user)
    db.commit()
    return token_out(user, pair)


@router.post(
    "/refresh",
    response_model=TokenOut,
    responses=refused({401: "an unknown, used or expired token"}),
)
def refresh(body: RefreshIn, db: DbDep, settings: SettingsDep) -> TokenOut:
    rotated = sessions_crud.rotate(db, settings=settings, refresh_token=body.refresh_token)
    if rotated is None:
        raise ApiError(401, "invalid_token")
    user, pair = rotated
    db.commit()
    return token_out(user, pair)


@router.post("/logout", status_code=204)
def logout(request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep) -> Response:
    """End this sign-in; its push streams end with it (the resident's other devices stay)."""
    token = bearer_token(request)
    auth = sessions_crud.session_for_access_token(db, settings=settings, token=token or "")
    if auth is not None:
        sessions_crud.revoke(db, auth=auth)
        db.commit()
    return Response(status_code=204)
