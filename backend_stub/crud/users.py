"""Residents' profiles and saved addresses."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend_stub.errors import ApiError
from backend_stub.iin import is_valid_iin
from backend_stub.models import Address, User
from backend_stub.schemas.profile import AddressIn, AddressOut, ProfileOut, ProfilePatch
from backend_stub.text import clean_text

OPERATOR_NAME = "Оператор 109"


def user_by_phone(
    db: Session,
    *,
    phone: str,
    language: str,
    full_name: str | None = None,
    role: str = "resident",
) -> User:
    """The account with this phone, created on first use (added and flushed, not committed)."""
    user = db.exec(select(User).where(User.phone == phone)).first()
    if user is None:
        user = User(phone=phone, full_name=full_name, language=language, role=role)
        db.add(user)
        db.flush()
    return user


def operator_user(db: Session, phone: str) -> User:
    """The operator account with this phone (settings.operator_phone), created on first use."""
    user = user_by_phone(db, phone=phone, language="ru", full_name=OPERATOR_NAME, role="operator")
    if user.role != "operator":
        user.role = "operator"
        db.add(user)
    return user


def addresses_of(db: Session, user_id: int) -> list[Address]:
    return list(
        db.exec(select(Address).where(Address.user_id == user_id).order_by(col(Address.id))).all()
    )


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
        addresses=[address_out(a) for a in addresses_of(db, user.id)],
        notify_districts=list(user.notify_districts),
        notify_topics=list(user.notify_topics),
        notify_status_updates=user.notify_status_updates,
        alert_levels=list(user.alert_levels),
    )


CLEARABLE = {"full_name", "iin"}  # null (or "") clears these; the other fields cannot be null


def update_profile(db: Session, user: User, patch: ProfilePatch) -> User:
    data = patch.model_dump(exclude_unset=True)
    nulls = [key for key, value in data.items() if value is None and key not in CLEARABLE]
    if nulls:
        fields = [{"loc": ["body", key], "type": "null"} for key in nulls]
        raise ApiError(422, "validation_error", details={"fields": fields})
    if data.get("iin") and not is_valid_iin(data["iin"]):
        raise ApiError(422, "invalid_iin")
    if "full_name" in data and data["full_name"] is not None:
        name = clean_text(data["full_name"], max_len=200, min_len=0, field="full_name")
        data["full_name"] = " ".join(name.split()) or None
    for key, value in data.items():
        setattr(user, key, value if value != "" else None)
    db.add(user)
    return user


def own_address(db: Session, user: User, address_id: int) -> Address:
    address = db.get(Address, address_id)
    if address is None or address.user_id != user.id:
        raise ApiError(404, "not_found")
    return address


def save_address(db: Session, address: Address, data: AddressIn) -> Address:
    values = data.model_dump()
    values["label"] = clean_text(data.label, max_len=40, field="label")
    values["text"] = clean_text(data.text, max_len=300, field="text")
    for key, value in values.items():
        setattr(address, key, value)
    db.add(address)
    return address
