from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from backend_stub.schemas.common import StrictIn
from backend_stub.text import CleanLine


class OtpRequest(StrictIn):
    phone: Annotated[str, CleanLine(32)] = Field(examples=["+7 701 123 45 67"])


class OtpRequested(BaseModel):
    phone: str
    expires_in: int
    resend_in: int


class OtpVerify(StrictIn):
    phone: Annotated[str, CleanLine(32)]
    code: Annotated[str, CleanLine(12)]


class UserOut(BaseModel):
    id: int
    phone: str
    full_name: str | None
    language: str
    role: str


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserOut


class RefreshIn(StrictIn):
    refresh_token: Annotated[str, CleanLine(200)]
