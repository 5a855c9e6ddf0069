"""Posted console forms: the form field types, `FormError` (a value explained in the operator's
language),
reading a datetime-local value, a refusal (ApiError, FormError, a schema's ValidationError) turned
into the form shown again with the reason (`refusals`), and a create run once per form
(`once_per_form`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import ConsoleExit
from backend_stub.console.kit.text import ALMATY, status_name
from backend_stub.crud.idempotency import run_once
from backend_stub.errors import ApiError
from backend_stub.messages import message
from backend_stub.models import User

FormText = Annotated[str, Form(max_length=8000)]
FormShort = Annotated[str, Form(max_length=64)]


class FormError(ValueError):
    """A form value the console explains (in the operator's language) before anything is
    stored."""


def parse_local(value: str, label: str, tz: tzinfo = ALMATY) -> datetime | None:
    """A datetime-local value (None when empty); FormError when it is not a date and time."""
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FormError(_("{label}: not a valid date and time.", label=label)) from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def api_error_text(exc: ApiError) -> str:
    """The API's refusal in the operator's language, for the error box of the page that
    re-renders the form."""
    params = {**exc.params, **exc.details}
    if exc.code == "invalid_transition":
        params["from_status"] = status_name(str(params.get("from_status", "")))
        params["to_status"] = status_name(str(params.get("to_status", "")))
    return message(exc.code, language(), **params)


def validation_text(
    exc: ValidationError,
    field_names: Mapping[str, str],
    *,
    name_of: Callable[[list[str]], str | None] = lambda loc: None,
    missing: Callable[[str, list[str]], bool] = lambda kind, loc: False,
) -> str:
    """A schema's refusal as one sentence naming the fields: `name_of` names a location
    `field_names` does not; `missing` marks other error kinds as "needs filling in"."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = name_of(loc) or (field_names.get(loc[0], loc[0]) if loc else "?")
        kind = err.get("type", "")
        if kind in {"string_too_short", "missing"} or missing(kind, loc):
            why = _("must be filled in")
        elif kind == "string_too_long":
            why = _("too long (at most {n} characters)", n=err.get("ctx", {}).get("max_length", ""))
        else:
            why = _("not a value that fits here")
        problems.append(f"{name} — {why}")
    return _("Check the fields: {problems}.", problems="; ".join(problems))


@contextmanager
def refusals(
    db: Session,
    render: Callable[[str, int], Response],
    *,
    refresh: object | None = None,
    explain: Callable[[ValidationError], str] | None = None,
) -> Iterator[None]:
    """Turn a refusal inside the block into the form shown again with the reason: an ApiError
    (rolled back; `refresh` is reloaded first) with its status, a FormError (and, with
    `explain`, a schema's ValidationError) as 422."""
    try:
        yield
    except ApiError as exc:
        db.rollback()
        if refresh is not None:
            db.refresh(refresh)
        raise ConsoleExit(render(api_error_text(exc), exc.status)) from None
    except ValidationError as exc:
        if explain is None:
            raise
        db.rollback()
        raise ConsoleExit(render(explain(exc), 422)) from None
    except FormError as exc:
        db.rollback()
        raise ConsoleExit(render(str(exc), 422)) from None


def once_per_form(
    db: Session,
    user: User,
    client_id: str,
    key_prefix: str,
    scope: str,
    payload: Any,
    create: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run a create once per form (its hidden client_id) and commit: a form sent twice gets the
    first answer (`create`'s dict) instead of a second item."""
    assert user.id is not None
    key = f"{key_prefix}:{client_id}" if len(client_id) >= 8 else None
    _status, body = run_once(
        db, user_id=user.id, key=key, scope=scope, payload=payload, effect=lambda: (201, create())
    )
    return dict(body)
