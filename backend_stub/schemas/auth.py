from __future__ import annotations

from pydantic import BaseModel, Field

from backend_stub.schemas.common import StrictIn


class OtpRequest(StrictIn):
    phone: str = Field(min_length=1, max_length=32, examples=["+7 701 123 45 67"])


class OtpRequested(BaseModel):
    phone: str
    expires_in: int
    resend_in: int


class OtpVerify(StrictIn):
    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=12)


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
    refresh_token: str = Field(min_length=1, max_length=200)
