"""`python -m backend_stub.staff`: list, create, disable and enable staff accounts and set their
passwords, on the database the settings name (DATABASE_URL / DATA_DIR, as the server reads them).

A password is read from the terminal without echo, or from standard input with --password-stdin
(one line), never from the command line (it would stay in the shell's history and `ps`).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.crud import staff as staff_crud
from backend_stub.db import init_db, make_engine
from backend_stub.errors import ApiError
from backend_stub.staff_access import ROLES


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m backend_stub.staff", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every account: login, job, body, state, name")
    new = sub.add_parser("create", help="a new account (asks for its password)")
    new.add_argument("login")
    new.add_argument("--name", required=True, help="the name the console shows")
    new.add_argument("--role", required=True, choices=ROLES)
    new.add_argument("--body", help="an executor's responsible body (classifier service code)")
    for name, text in (
        ("disable", "disable an account; its sessions end at once"),
        ("enable", "enable a disabled account"),
        ("password", "set a new password (asks for it); the account's sessions end"),
    ):
        sub.add_parser(name, help=text).add_argument("login")
    for cmd in ("create", "password"):
        sub.choices[cmd].add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
    return p


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("the two passwords differ")
    return first


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engine = make_engine(Settings())
    init_db(engine)
    with Session(engine, expire_on_commit=False) as db:
        if args.command == "list":
            for a in staff_crud.all_accounts(db):
                state = "disabled" if a.disabled else "active"
                print(f"{a.login}\t{a.role}\t{a.body or '-'}\t{state}\t{a.display_name}")
            return 0
        try:
            if args.command == "create":
                staff_crud.create(
                    db,
                    login=args.login,
                    display_name=args.name,
                    role=args.role,
                    body=args.body,
                    password=_password(args.password_stdin),
                )
            else:
                account = staff_crud.by_login(db, login=args.login)
                if account is None:
                    print(f"no account {args.login!r}", file=sys.stderr)
                    return 1
                if args.command == "password":
                    password = _password(args.password_stdin)
                    staff_crud.set_password(db, account=account, password=password)
                else:
                    staff_crud.set_disabled(db, account=account, disabled=args.command == "disable")
        except ApiError as exc:
            why = staff_crud.password_problem("") if exc.code == "weak_password" else exc.code
            print(f"refused: {why}", file=sys.stderr)
            return 2
        db.commit()
    print(f"{args.command}: {args.login}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
