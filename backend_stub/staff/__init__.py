"""Staff accounts outside the console: `python -m backend_stub.staff` (list, create, disable,
enable, password) and the production start's refusal of the demo accounts' passwords."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend_stub.crud import staff as staff_crud


def refuse_demo_passwords(engine: Engine) -> None:
    """Production does not start while a demo account still opens with its documented
    password (a database seeded in development); disable it or set a new password first."""
    with Session(engine) as db:
        left = staff_crud.demo_passwords_in_use(db)
    if left:
        raise RuntimeError(
            "production refuses staff accounts with their demo password: "
            + ", ".join(left)
            + " (python -m backend_stub.staff disable LOGIN, or password LOGIN)"
        )
