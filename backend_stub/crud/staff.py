"""Staff accounts (`models.staff`): made, found, disabled, their passwords checked, the guesses
at the console's sign-in counted, and which appeals an account may see."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend_stub import classifier, settings_rules
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud.users import user_by_phone
from backend_stub.errors import ApiError
from backend_stub.models import Appeal, LoginGuard, StaffAccount, User
from backend_stub.security import hash_password, verify_password
from backend_stub.staff_access import EXECUTOR, ROLES

MIN_PASSWORD = 12  # characters, MIN_DISTINCT of them different (settings_rules), not a dev one
# The demo accounts (`demo.seed`, dev only) and their documented passwords; production refuses
# to start while one of them still opens an account (`refuse_demo_passwords`).
DEMO_ACCOUNTS = {
    "operator": ("operator", "Оператор Айгерім (демо)", None, None),
    "executor": ("executor", "Исполнитель Ержан (демо)", "ENERGY_HOUSING", "+77000000110"),
    "supervisor": ("supervisor", "Супервайзер Динара (демо)", None, "+77000000111"),
}  # login → (job, display name, body, phone: None is settings.operator_phone); password = login
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))  # an unknown login costs one check too


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member: the `User` the records point to and their account."""

    user: User
    account: StaffAccount

    @property
    def role(self) -> str:
        return self.account.role

    @property
    def body(self) -> str | None:
        """The responsible body an executor works for (None: every appeal)."""
        return self.account.body if self.account.role == EXECUTOR else None

    def sees(self, appeal: Appeal) -> bool:
        return self.body is None or appeal.service_code == self.body


def password_problem(password: str) -> str | None:
    """Why `password` may not be a staff password (None: it may)."""
    if (
        len(password) < MIN_PASSWORD
        or len(set(password)) < settings_rules.MIN_DISTINCT
        or password in DEMO_ACCOUNTS
        or password in settings_rules.DEV_VALUES
    ):
        return (
            f"не короче {MIN_PASSWORD} символов, из них {settings_rules.MIN_DISTINCT} разных"
            " · кемінде 12 таңба, 6-уы әртүрлі"
        )
    return None


def body_codes() -> set[str]:
    """The responsible bodies appeals are routed to (the classifier's services)."""
    return {s.code for s in classifier.load_classifier().services}


def create(
    db: Session,
    *,
    login: str,
    display_name: str,
    role: str,
    password: str,
    body: str | None = None,
    phone: str | None = None,
    check_password: bool = True,
) -> StaffAccount:
    """A new account (added and flushed). 422 for a bad role, body or weak password; 409 when
    the login is taken. `phone` names the `User` (a made-up one by default: staff sign in with
    their login, never by SMS)."""
    login = login.strip().lower()
    if role not in ROLES or not login or not display_name.strip():
        raise ApiError(422, "validation_error")
    if (role == EXECUTOR) != bool(body) or (body and body not in body_codes()):
        raise ApiError(422, "validation_error", details={"fields": [{"loc": ["body", "body"]}]})
    if check_password and password_problem(password):
        raise ApiError(422, "weak_password")
    if by_login(db, login=login) is not None:
        raise ApiError(409, "login_taken")
    user = user_by_phone(
        db,
        phone=phone or f"staff:{secrets.token_hex(5)}",
        language="ru",
        full_name=display_name.strip(),
        role="operator",
    )
    user.role = "operator"  # the city's side of appeals and chats; the job is `account.role`
    assert user.id is not None
    account = StaffAccount(
        user_id=user.id,
        login=login,
        display_name=display_name.strip(),
        role=role,
        body=body if role == EXECUTOR else None,
        password_hash=hash_password(password),
    )
    db.add(user)
    db.add(account)
    db.flush()
    return account


def by_login(db: Session, *, login: str) -> StaffAccount | None:
    return db.exec(select(StaffAccount).where(StaffAccount.login == login.strip().lower())).first()


def all_accounts(db: Session) -> list[StaffAccount]:
    return list(db.exec(select(StaffAccount).order_by(col(StaffAccount.login))).all())


def staff_of(db: Session, *, user: User) -> Staff | None:
    """The staff member behind a signed-in `User`; None for a resident or a disabled account."""
    account = db.get(StaffAccount, user.id) if user.role == "operator" else None
    if account is None or account.disabled:
        return None
    return Staff(user, account)


def check_password(db: Session, *, login: str, password: str) -> Staff | None:
    """The enabled account `login` opens with `password`; None otherwise (the same work is done
    for an unknown login, so the time taken does not tell which logins exist)."""
    account = by_login(db, login=login) if login.strip() else None
    ok = verify_password(password, account.password_hash if account else _DUMMY_HASH)
    if account is None or not ok or account.disabled:
        return None
    user = db.get(User, account.user_id)
    return Staff(user, account) if user is not None else None


def set_disabled(db: Session, *, account: StaffAccount, disabled: bool) -> None:
    """Disable (every sign-in of the account ends with the commit) or enable again."""
    account.disabled = disabled
    db.add(account)
    if disabled:
        sessions_crud.revoke_others(db, user_id=account.user_id, keep=None)


def set_password(db: Session, *, account: StaffAccount, password: str) -> None:
    """A new password (422 when weak); the account's sign-ins end with the commit."""
    if password_problem(password):
        raise ApiError(422, "weak_password")
    account.password_hash = hash_password(password)
    db.add(account)
    sessions_crud.revoke_others(db, user_id=account.user_id, keep=None)


def names_of(db: Session, *, user_ids: Iterable[int | None]) -> dict[int, StaffAccount]:
    """The staff accounts among these users, by user id."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = db.exec(select(StaffAccount).where(col(StaffAccount.user_id).in_(ids))).all()
    return {a.user_id: a for a in rows}


def demo_passwords_in_use(db: Session) -> list[str]:
    """The demo accounts still enabled with their documented password."""
    found = []
    for login in DEMO_ACCOUNTS:
        account = by_login(db, login=login)
        if (
            account is not None
            and not account.disabled
            and verify_password(login, account.password_hash)
        ):
            found.append(login)
    return found


# ---------------------------------------------------------------- guesses at the sign-in


def take_guess(db: Session, *, key: str, now: datetime, limit: int, window_s: int) -> bool:
    """Count one sign-in guess for `key`; False when its window's `limit` is spent. Atomic
    across processes sharing the database (conditional updates); the caller commits at once."""
    start_over = (
        update(LoginGuard)
        .where(
            col(LoginGuard.key) == key,
            col(LoginGuard.window_start) < now - timedelta(seconds=window_s),
        )
        .values(window_start=now, guesses=0)
    )
    db.execute(start_over)
    counted = (
        update(LoginGuard)
        .where(col(LoginGuard.key) == key, col(LoginGuard.guesses) < limit)
        .values(guesses=col(LoginGuard.guesses) + 1)
    )
    if db.execute(counted).rowcount == 1:  # type: ignore[attr-defined]
        return True
    if db.get(LoginGuard, key) is not None:
        return False
    try:
        with db.begin_nested():
            db.add(LoginGuard(key=key, window_start=now, guesses=1))
    except IntegrityError:  # another request made the row first: count against it
        return db.execute(counted).rowcount == 1  # type: ignore[attr-defined]
    return True


def forgive_guesses(db: Session, *, key: str) -> None:
    """A right password: the key's guesses start over (as a sign-in per IP always did)."""
    db.execute(update(LoginGuard).where(col(LoginGuard.key) == key).values(guesses=0))


def may_see(db: Session, *, user: User, appeal: Appeal | None) -> bool:
    """Whether the staff member `user` may see `appeal` (an executor: their body's only)."""
    staff = staff_of(db, user=user)
    return staff is not None and appeal is not None and staff.sees(appeal)
