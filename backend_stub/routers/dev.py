"""Dev-only routes (absent in production): the SMS inbox testers read codes from."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from backend_stub.deps import require_dev
from backend_stub.phone import InvalidPhoneError, normalize_kz_mobile
from backend_stub.services.sms import DevInbox

router = APIRouter(prefix="/dev", tags=["dev"], dependencies=[Depends(require_dev)])

_CODE = re.compile(r"\b(\d{6})\b")


class DevSmsOut(BaseModel):
    phone: str
    text: str
    code: str | None
    sent_at: str


class DevInboxOut(BaseModel):
    messages: list[DevSmsOut]


@router.get("/sms", response_model=DevInboxOut)
def dev_sms(phone: str, request: Request) -> DevInboxOut:
    inbox: DevInbox = request.app.state.inbox
    try:
        phone = normalize_kz_mobile(phone)
    except InvalidPhoneError:
        return DevInboxOut(messages=[])
    out = []
    for sms in inbox.messages(phone):
        match = _CODE.search(sms.text)
        out.append(
            DevSmsOut(
                phone=sms.phone,
                text=sms.text,
                code=match.group(1) if match else None,
                sent_at=sms.sent_at.isoformat(),
            )
        )
    return DevInboxOut(messages=out)
