"""Staff accounts (/console/staff, supervisors only): the list, a new account, disabling and
enabling one (a disabled account's sessions end at once) and setting a new password."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from backend_stub import classifier
from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import console_router, error_box, layout, not_found, redirect
from backend_stub.console.kit.text import e
from backend_stub.console.kit.widgets import button_form, options, post_form, table
from backend_stub.crud import staff as staff_crud
from backend_stub.crud.records import by_key
from backend_stub.deps import DbDep
from backend_stub.errors import ApiError
from backend_stub.models import StaffAccount
from backend_stub.staff_access import ROLE_NAMES, ROLES

router = console_router("/console/staff")

FormText = Annotated[str, Form(max_length=200)]


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, {}).get(language(), role)


def body_name(code: str | None) -> str:
    names = {s.code: s for s in classifier.load_classifier().services}
    service = names.get(code or "")
    if service is None:
        return ""
    return service.name_kk if language() == "kk" else service.name_ru


def _row(who: SignedIn, a: StaffAccount) -> str:
    base = f"/console/staff/{a.user_id}"
    state = _("disabled") if a.disabled else _("active")
    toggle = button_form(
        f"{base}/disabled",
        who.hidden + f'<input type="hidden" name="disabled" value="{"0" if a.disabled else "1"}">',
        _("Enable") if a.disabled else _("Disable"),
        button_cls="" if a.disabled else "danger",
    )
    reset = post_form(
        f"{base}/password",
        who.hidden,
        f'<label for="pw-{a.user_id}">{e(_("New password"))}</label>'
        f'<input type="password" id="pw-{a.user_id}" name="password" autocomplete="new-password"'
        " required>",
        _("Set password"),
        cls="inline",
    )
    return (
        f"<tr><td>{e(a.login)}</td><td>{e(a.display_name)}</td><td>{e(role_name(a.role))}</td>"
        f"<td>{e(body_name(a.body))}</td><td>{e(state)}</td><td>{toggle}{reset}</td></tr>"
    )


def _new_form(who: SignedIn, values: dict[str, str]) -> str:
    roles = options(((r, role_name(r)) for r in ROLES), values.get("role") or "operator")
    bodies = options(
        [("", "—")] + [(s.code, body_name(s.code)) for s in classifier.load_classifier().services],
        values.get("body") or "",
    )
    fields = (
        f'<label for="s-login">{e(_("Login"))}</label>'
        f'<input id="s-login" name="login" maxlength="40" required'
        f' value="{e(values.get("login", ""))}">'
        f'<label for="s-name">{e(_("Staff name"))}</label>'
        f'<input id="s-name" name="display_name" maxlength="120" required'
        f' value="{e(values.get("display_name", ""))}">'
        f'<label for="s-role">{e(_("Staff job"))}</label>'
        f'<select id="s-role" name="role">{roles}</select>'
        f'<label for="s-body">{e(_("Responsible body (executors only)"))}</label>'
        f'<select id="s-body" class="wide" name="body">{bodies}</select>'
        f'<label for="s-password">{e(_("Password"))}</label>'
        '<input type="password" id="s-password" name="password" autocomplete="new-password"'
        " required>"
    )
    return (
        f'<div class="card"><h2>{e(_("New account"))}</h2>'
        + post_form("/console/staff", who.hidden, fields, _("Create account"))
        + "</div>"
    )


def staff_page(
    db: Session,
    who: SignedIn,
    *,
    error: str | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    headers = (
        _("Login"),
        _("Staff name"),
        _("Staff job"),
        _("Responsible body"),
        _("Account state"),
        "",
    )
    rows = [_row(who, a) for a in staff_crud.all_accounts(db)]
    content = (
        f"<h1>{e(_('Staff accounts'))}</h1>{error_box(error)}"
        f'<div class="card">{table(headers, rows)}</div>' + _new_form(who, values or {})
    )
    return layout(_("Staff accounts"), content, csrf=who.csrf, status=status)


def _refusal(exc: ApiError) -> str:
    if exc.code == "login_taken":
        return _("This login is taken.")
    if exc.code == "weak_password":
        return _("The password is too weak: at least 12 characters, 6 of them different.")
    return _("Check the fields: an executor needs a responsible body, others none.")


@router.get("", response_class=HTMLResponse)
def accounts(who: ConsoleSession, db: DbDep) -> Response:
    return staff_page(db, who)


@router.post("", response_class=HTMLResponse)
def create(
    who: ConsoleForm,
    db: DbDep,
    login: FormText = "",
    display_name: FormText = "",
    role: FormText = "",
    body: FormText = "",
    password: FormText = "",
) -> Response:
    values = {"login": login, "display_name": display_name, "role": role, "body": body}
    try:
        staff_crud.create(
            db,
            login=login,
            display_name=display_name,
            role=role,
            body=body or None,
            password=password,
        )
    except ApiError as exc:
        db.rollback()
        return staff_page(db, who, error=_refusal(exc), status=exc.status, values=values)
    db.commit()
    return redirect("/console/staff")


def _account(db: Session, who: SignedIn, user_id: int) -> StaffAccount:
    account = by_key(db, model=StaffAccount, key=user_id)
    if account is None:
        raise not_found(_("No such account."), "/console/staff", _("Staff accounts"), csrf=who.csrf)
    return account


@router.post("/{user_id}/disabled", response_class=HTMLResponse)
def disable(
    user_id: int, who: ConsoleForm, db: DbDep, disabled: Annotated[str, Form(max_length=1)] = ""
) -> Response:
    account = _account(db, who, user_id)
    if account.user_id == who.user.id:
        return staff_page(db, who, error=_("You cannot disable your own account."), status=409)
    staff_crud.set_disabled(db, account=account, disabled=disabled == "1")
    db.commit()
    return redirect("/console/staff")


@router.post("/{user_id}/password", response_class=HTMLResponse)
def new_password(user_id: int, who: ConsoleForm, db: DbDep, password: FormText = "") -> Response:
    account = _account(db, who, user_id)
    try:
        staff_crud.set_password(db, account=account, password=password)
    except ApiError as exc:
        db.rollback()
        return staff_page(db, who, error=_refusal(exc), status=exc.status)
    db.commit()
    return redirect("/console/staff")
