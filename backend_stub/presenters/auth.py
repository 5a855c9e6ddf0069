"""What a signed-in app receives: `UserOut` and the token pair (`TokenOut`)."""

from __future__ import annotations

from backend_stub.crud.sessions import TokenPair
from backend_stub.models import User
from backend_stub.schemas.auth import TokenOut, UserOut


def user_out(user: User) -> UserOut:
    assert user.id is not None
    return UserOut(
        id=user.id,
        phone=user.phone,
        full_name=user.full_name,
        language=user.language,
        role=user.role,
    )


def token_out(user: User, pair: TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=user_out(user),
    )
