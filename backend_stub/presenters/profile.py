"""What a resident sees of their own profile: `ProfileOut` with the saved addresses."""

from __future__ import annotations

from sqlmodel import Session

from backend_stub.crud.users import addresses_of
from backend_stub.models import Address, User
from backend_stub.schemas.profile import AddressOut, ProfileOut


def address_out(a: Address) -> AddressOut:
    assert a.id is not None
    return AddressOut(
        id=a.id, label=a.label, text=a.text, lat=a.lat, lon=a.lon, district=a.district
    )


def profile_out(db: Session, user: User) -> ProfileOut:
    assert user.id is not None
    return ProfileOut(
        id=user.id,
        phone=user.phone,
        full_name=user.full_name,
        iin=user.iin,
        language=user.language,
        role=user.role,
        addresses=[address_out(a) for a in addresses_of(db, user_id=user.id)],
        notify_districts=list(user.notify_districts),
        notify_topics=list(user.notify_topics),
        notify_status_updates=user.notify_status_updates,
        alert_levels=list(user.alert_levels),
    )
