"""Residents' profiles and saved addresses."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.domain.iin import is_valid_iin
from backend_stub.errors import ApiError
from backend_stub.models import Address, User
from backend_stub.schemas.profile import AddressIn, ProfilePatch
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


def operator_user(db: Session, *, phone: str) -> User:
    """The `User` the demo autopilot acts as (settings.operator_phone: the demo operator's, see
    `demo.seed.seed_staff`), created on first use. Signing in needs a staff account
    (`crud.staff`): a `User` made here alone opens nothing."""
    user = user_by_phone(db, phone=phone, language="ru", full_name=OPERATOR_NAME, role="operator")
    if user.role != "operator":
        user.role = "operator"
        db.add(user)
    return user


def addresses_of(db: Session, *, user_id: int) -> list[Address]:
    return list(
        db.exec(select(Address).where(Address.user_id == user_id).order_by(col(Address.id))).all()
    )


def change_phone(db: Session, *, user: User, phone: str) -> User:
    """The account's phone becomes `phone`; 409 `phone_taken` when another account has it."""
    taken = db.exec(select(User.id).where(User.phone == phone, User.id != user.id)).first()
    if taken is not None:
        raise ApiError(409, "phone_taken")
    user.phone = phone
    db.add(user)
    return user


CLEARABLE = {"full_name", "iin"}  # null (or "") clears these; the other fields cannot be null


def update_profile(db: Session, *, user: User, patch: ProfilePatch) -> User:
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


def own_address(db: Session, *, user: User, address_id: int) -> Address:
    address = db.get(Address, address_id)
    if address is None or address.user_id != user.id:
        raise ApiError(404, "not_found")
    return address


def save_address(db: Session, *, address: Address, data: AddressIn) -> Address:
    values = data.model_dump()
    values["label"] = clean_text(data.label, max_len=40, field="label")
    values["text"] = clean_text(data.text, max_len=300, field="text")
    for key, value in values.items():
        setattr(address, key, value)
    db.add(address)
    return address


def add_address(db: Session, *, user: User, data: AddressIn) -> Address:
    assert user.id is not None
    return save_address(db, address=Address(user_id=user.id, label="", text=""), data=data)


def delete_address(db: Session, *, user: User, address_id: int) -> None:
    db.delete(own_address(db, user=user, address_id=address_id))
