"""The resident's profile: personal data, preferences, addresses, and changing the phone."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend_stub.crud import otp as otp_crud
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud import users as users_crud
from backend_stub.deps import CurrentUser, DbDep, LangDep, SettingsDep, bearer_token, client_ip
from backend_stub.errors import ApiError
from backend_stub.openapi_errors import CHECKS_CODE, SENDS_CODE, refused
from backend_stub.presenters.profile import address_out, profile_out
from backend_stub.schemas.auth import OtpRequested
from backend_stub.schemas.common import IdPath
from backend_stub.schemas.profile import (
    AddressIn,
    AddressOut,
    PhoneChangeRequest,
    PhoneChangeVerify,
    ProfileOut,
    ProfilePatch,
)
from backend_stub.services import push, sms

router = APIRouter(prefix="/api/v1/profile", tags=["profile"])


@router.get("", response_model=ProfileOut)
def get_profile(user: CurrentUser, db: DbDep) -> ProfileOut:
    return profile_out(db, user)


@router.patch("", response_model=ProfileOut)
def patch_profile(body: ProfilePatch, user: CurrentUser, db: DbDep) -> ProfileOut:
    users_crud.update_profile(db, user=user, patch=body)
    db.commit()
    return profile_out(db, user)


@router.post("/addresses", response_model=AddressOut, status_code=201)
def add_address(body: AddressIn, user: CurrentUser, db: DbDep) -> AddressOut:
    address = users_crud.add_address(db, user=user, data=body)
    db.commit()
    return address_out(address)


@router.put("/addresses/{address_id}", response_model=AddressOut)
def edit_address(address_id: IdPath, body: AddressIn, user: CurrentUser, db: DbDep) -> AddressOut:
    address = users_crud.save_address(
        db, address=users_crud.own_address(db, user=user, address_id=address_id), data=body
    )
    db.commit()
    return address_out(address)


@router.delete("/addresses/{address_id}", status_code=204)
def delete_address(address_id: IdPath, user: CurrentUser, db: DbDep) -> Response:
    users_crud.delete_address(db, user=user, address_id=address_id)
    db.commit()
    return Response(status_code=204)


@router.post("/phone/request", response_model=OtpRequested, responses=SENDS_CODE)
def request_phone_change(
    body: PhoneChangeRequest,
    request: Request,
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
    lang: LangDep,
) -> OtpRequested:
    """Send a code to the NEW number: changing the phone binds a new authenticator."""
    phone = otp_crud.parse_phone(body.phone)
    issued = otp_crud.issue_code(
        db,
        settings=settings,
        phone=phone,
        client_ip=client_ip(request),
        purpose="change_phone",
        user_id=user.id,
    )
    db.commit()  # as for sign-in: nothing is held open during the SMS
    sms.send_code(request.app.state.sms, settings, phone=phone, code=issued.code, lang=lang)
    return OtpRequested(
        phone=phone, expires_in=settings.otp_ttl_s, resend_in=settings.otp_resend_cooldown_s
    )


@router.post(
    "/phone/verify",
    response_model=ProfileOut,
    responses={**CHECKS_CODE, **refused({409: "the number belongs to another account"})},
)
def verify_phone_change(
    body: PhoneChangeVerify,
    request: Request,
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
) -> ProfileOut:
    """The new number becomes the account's; every other sign-in of the resident ends (they
    were made with the old number) and so do the resident's push streams (the app reconnects)."""
    phone = otp_crud.parse_phone(body.phone)
    challenge = otp_crud.verify_code(
        db, settings=settings, phone=phone, code=body.code, purpose="change_phone"
    )
    if challenge.user_id != user.id:
        raise ApiError(400, "code_expired")
    users_crud.change_phone(db, user=user, phone=phone)
    assert user.id is not None
    current = sessions_crud.session_for_access_token(
        db, settings=settings, token=bearer_token(request) or ""
    )
    sessions_crud.revoke_others(db, user_id=user.id, keep=current.id if current else None)
    push.end_streams_after_commit(db, users=[user.id])
    db.commit()
    return profile_out(db, user)
