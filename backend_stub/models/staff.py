"""Staff accounts of the console and the operator API, and the guesses made at their passwords.

A staff member is a `User` row with role "operator" (the city's side of every appeal, chat and
record: `AppealEvent.actor_id`, `Message.author_id`, `Notice.author_id`, `Alert.author_id`,
`Poll.created_by` say who) plus a `StaffAccount`: the login, the job (`staff_access.ROLES`:
operator, executor, supervisor), an executor's responsible body and the password's hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field


class StaffAccount(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    login: str = Field(index=True, unique=True, max_length=40)  # lower case
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=16)  # operator | executor | supervisor
    body: str | None = Field(default=None, max_length=32)  # an executor's service code
    password_hash: str = Field(max_length=200)  # security.hash_password
    disabled: bool = False
    created_at: datetime = ts_field()


class LoginGuard(SQLModel, table=True):
    """The console sign-in guesses counted for one key (a client IP) in its current window."""

    key: str = Field(primary_key=True, max_length=80)
    window_start: datetime = ts_field()
    guesses: int = 0
