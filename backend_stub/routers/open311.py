"""Open311 GeoReport v2 (JSON) under /open311/v2: the classifier as services, appeals as requests.

- Every classifier subclass is a service (`service_code` = subclass code, `group` = class name).
- `POST /requests.json` files an appeal with channel "open311" for the resident with the given
  phone (created if new) or, without a phone, for the one system user `open311`.
- GETs without `api_key` (anyone) show only publishable appeals (`backend_stub.disclosure`:
  incidents about public places, never emergencies) and of them only the category, status,
  dates, agency, district and a location coarsened to a ~100 m grid: no text, address, photo,
  operator note or applicant. With the city system's `api_key` (as in POST) they show every
  appeal in full; a wrong key is a 403. No GET ever shows the applicant's name, phone or account.
- Errors here have the Open311 shape `[{"code": <http status>, "description": "..."}]`; the rest
  of the API keeps its own shape.
- Names and messages are in Russian by default, Kazakh with `?locale=kk` or `Accept-Language: kk`.
- The shapes (services, requests, texts) are built in `backend_stub.presenters.open311`; the
  queries are `backend_stub.crud.open311`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from backend_stub import classifier, disclosure
from backend_stub.crud import appeals as crud
from backend_stub.crud import open311 as open311_crud
from backend_stub.crud import users as users_crud
from backend_stub.crud.idempotency import run_once
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.errors import ApiError, refused_value
from backend_stub.geo import ASTANA_DISTRICTS
from backend_stub.models import User, utcnow
from backend_stub.phone import InvalidPhoneError, normalize_kz_mobile
from backend_stub.presenters.open311 import (
    ALMATY,
    attributes_for,
    error_response,
    language_of,
    local_time,
    localized_name,
    requests_out,
    service_out,
    text,
)
from backend_stub.schemas.appeals import AppealCreate
from backend_stub.schemas.open311 import (
    Open311Error,
    Service,
    ServiceDefinition,
    ServiceRequest,
    ServiceRequestCreated,
    ServiceRequestIn,
)
from backend_stub.security import same
from backend_stub.statuses import AppealType
from backend_stub.text import clean_text

log = logging.getLogger("city109.open311")

SYSTEM_PHONE = "open311"  # not a phone number: no one can ever sign in as this user
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


# --- errors ----------------------------------------------------------------------------------


def _open311_status(status: int, code: str) -> int:
    # Open311 answers a bad request with 400; a reused idempotency key keeps its 422.
    return 400 if status == 422 and code != "idempotency_mismatch" else status


class Open311Route(APIRoute):
    """A route whose every error, from validation to the handler, has the Open311 shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                status = _open311_status(exc.status, exc.code)
                params = {**exc.params, **exc.details}
                return error_response(request, status, exc.code, headers=exc.headers, **params)
            except (RequestValidationError, ValidationError) as exc:
                fields = [{"loc": list(err.get("loc", ()))} for err in exc.errors()]
                return error_response(request, 400, "validation_error", fields=fields)
            except StarletteHTTPException as exc:
                code = {403: "forbidden", 404: "not_found"}.get(exc.status_code, "validation_error")
                return error_response(request, exc.status_code, code, headers=exc.headers)
            except Exception as exc:
                if refused_value(exc):  # e.g. a NUL in a filter: bad input, not a fault
                    return error_response(request, 400, "validation_error")
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                return error_response(request, 500, "internal_error")

        return route


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": list[Open311Error], "description": "bad request"},
    403: {"model": list[Open311Error], "description": "missing or wrong api_key"},
    404: {"model": list[Open311Error], "description": "not found"},
}

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)

Lang = Annotated[str, Depends(language_of)]
Locale = Annotated[
    str | None, Query(max_length=10, description="kk or ru (default ru; or Accept-Language)")
]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]


# --- services ---------------------------------------------------------------------------------


@router.get("/services.json", response_model=list[Service], responses=ERRORS)
def list_services(lang: Lang, locale: Locale = None) -> list[Service]:
    """Every classifier subclass as an Open311 service, grouped by its class."""
    data = classifier.load_classifier()
    return [service_out(cls_, sub, lang) for cls_ in data.classes for sub in cls_.subclasses]


@router.get("/services/{service_code}.json", response_model=ServiceDefinition, responses=ERRORS)
def service_definition(service_code: str, lang: Lang, locale: Locale = None) -> ServiceDefinition:
    """The attributes a request for this service may carry as `attribute[code]=value`."""
    try:
        sub = classifier.load_classifier().subclass(service_code)
    except KeyError as exc:
        raise ApiError(404, "not_found") from exc
    return ServiceDefinition(service_code=sub.code, attributes=attributes_for(lang))


# --- POST requests ----------------------------------------------------------------------------


async def open311_attributes(request: Request, settings: SettingsDep) -> dict[str, str]:
    """Check `api_key` (403 before anything else) and collect the `attribute[code]` fields."""
    form = await request.form()
    given = form.get("api_key")
    expected = settings.open311_api_key
    if not isinstance(given, str) or not expected or not same(given, expected):
        raise ApiError(403, "open311_bad_key")
    out: dict[str, str] = {}
    for name, value in form.multi_items():
        if name.startswith("attribute[") and name.endswith("]") and isinstance(value, str):
            out[name[len("attribute[") : -1]] = value
    return out


def _parse_attributes(attrs: dict[str, str]) -> dict[str, Any]:
    """The attributes we know, checked; unknown ones are ignored as Open311 allows."""
    out: dict[str, Any] = {}
    if value := attrs.get("appeal_type", "").strip():
        if value not in {t.value for t in AppealType}:
            raise ApiError(400, "bad_attribute", attribute="appeal_type")
        out["type"] = value
    if value := attrs.get("emergency", "").strip().lower():
        if value not in ("yes", "no", "true", "false", "1", "0"):
            raise ApiError(400, "bad_attribute", attribute="emergency")
        out["emergency"] = value in ("yes", "true", "1")
    if value := attrs.get("district", "").strip():
        if value not in ASTANA_DISTRICTS:
            raise ApiError(400, "bad_attribute", attribute="district")
        out["district"] = value
    if "client_id" in attrs:
        value = attrs["client_id"].strip()
        if not 8 <= len(value) <= 64 or not value.isprintable():
            raise ApiError(400, "bad_attribute", attribute="client_id")
        out["client_id"] = value
    return out


def _media_url(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not url.isprintable():
        raise ApiError(400, "bad_media_url")
    return url


def _phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_kz_mobile(raw)
    except InvalidPhoneError as exc:
        raise ApiError(400, "invalid_phone") from exc


def filer(db: Session, phone: str | None, lang: str) -> User:
    """The resident with this phone (a new one if unknown), or the `open311` system user."""
    key = phone or SYSTEM_PHONE
    name = None if phone else "Open311"
    try:
        user = users_crud.user_by_phone(db, phone=key, language=lang, full_name=name)
        db.commit()
    except IntegrityError:  # a concurrent request created it first
        db.rollback()
        user = users_crud.user_by_phone(db, phone=key, language=lang, full_name=name)
    return user


@router.post(
    "/requests.json", response_model=list[ServiceRequestCreated], status_code=201, responses=ERRORS
)
def create_request(
    attrs: Annotated[dict[str, str], Depends(open311_attributes)],
    form: Annotated[ServiceRequestIn, Form()],
    db: DbDep,
    lang: Lang,
    key: IdemKey = None,
) -> JSONResponse:
    """File a service request as an appeal. Send `api_key`, `service_code`, and `lat`+`long` or
    `address_string`. A retry with the same `Idempotency-Key` header or `attribute[client_id]`
    gets the first answer and files nothing new."""
    data = classifier.load_classifier()
    if not form.service_code:
        raise ApiError(400, "service_code_required")
    try:
        sub = data.subclass(form.service_code)
    except KeyError as exc:
        raise ApiError(400, "unknown_category") from exc
    if (form.lat is None) != (form.long is None):
        raise ApiError(400, "lat_long_pair")
    address = form.address_string.strip() if form.address_string else None
    if form.lat is None and not address:
        raise ApiError(400, "address_id_unsupported" if form.address_id else "location_required")
    extra = _parse_attributes(attrs)
    media_url = _media_url(form.media_url)
    phone = _phone(form.phone)
    description = form.description.strip() if form.description else ""
    body = clean_text(description, max_len=4000, field="description") if description else ""
    names = [
        clean_text(n, max_len=100, field=f)
        for f, n in (("first_name", form.first_name), ("last_name", form.last_name))
        if n and n.strip()
    ]
    applicant_name = " ".join(" ".join(names).split()) or None

    appeal_in = AppealCreate(
        client_id=extra.pop("client_id", None) or str(uuid.uuid4()),
        text=body or localized_name(sub, lang),
        subclass_code=sub.code,
        lat=form.lat,
        lon=form.long,
        address=address,
        share_personal=phone is not None,
        applicant_name=applicant_name,
        language="kk" if lang == "kk" else "ru",
        **extra,
    )
    client_key = f"open311:{appeal_in.client_id}" if "client_id" in attrs else None
    payload = {**form.model_dump(exclude={"api_key"}), "attributes": attrs}
    user = filer(db, phone, lang)
    assert user.id is not None

    def effect() -> tuple[int, dict[str, Any]]:
        appeal = crud.create_appeal(db, user=user, data=appeal_in, channel="open311").appeal
        assert appeal.id is not None
        if media_url:
            open311_crud.keep_media_url(db, appeal_id=appeal.id, url=media_url)
        notice = text(
            "notice_created", lang, number=appeal.number, expected=local_time(appeal.due_at)
        )
        created = ServiceRequestCreated(
            service_request_id=appeal.number, service_notice=notice, account_id=None
        )
        return 201, created.model_dump(mode="json")

    status, answer = run_once(
        db,
        user_id=user.id,
        key=key or client_key,
        scope="open311.requests",
        payload=payload,
        effect=effect,
    )
    return JSONResponse([answer], status_code=status)


# --- GET requests -----------------------------------------------------------------------------

ApiKey = Annotated[
    str | None, Query(max_length=200, description="the city system's key: every request, in full")
]


def city_system(settings: SettingsDep, response: Response, api_key: ApiKey = None) -> bool:
    """True with the right `api_key`; False without one (the public view); a wrong one is 403."""
    if api_key is None:
        return False
    expected = settings.open311_api_key
    if not expected or not same(api_key, expected):
        raise ApiError(403, "open311_bad_key")
    response.headers["Cache-Control"] = "no-store"  # full records: keep them out of caches
    return True


FullAccess = Annotated[bool, Depends(city_system)]


def _moment(value: str | None, field: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ApiError(400, "bad_date", field=field) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ALMATY)


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


@router.get("/requests.json", response_model=list[ServiceRequest], responses=ERRORS)
def list_requests(
    db: DbDep,
    lang: Lang,
    full: FullAccess,
    service_request_id: Annotated[
        str | None, Query(max_length=20_000, description="comma-separated; other filters off")
    ] = None,
    service_code: Annotated[
        str | None, Query(max_length=2000, description="comma-separated")
    ] = None,
    start_date: Annotated[str | None, Query(max_length=40, description="W3C datetime")] = None,
    end_date: Annotated[str | None, Query(max_length=40, description="W3C datetime")] = None,
    status: Literal["open", "closed"] | None = None,
    jurisdiction_id: Annotated[str | None, Query(max_length=100)] = None,
    locale: Locale = None,
) -> list[ServiceRequest]:
    """Requests newest first: by default those of the last 90 days, at most 1000. Without
    `api_key` only publishable ones, coarsened; with it all, in full."""
    ids = _codes(service_request_id)[:MAX_RESULTS]
    start, end = (
        (None, None) if ids else (_moment(start_date, "start_date"), _moment(end_date, "end_date"))
    )
    rows = open311_crud.find_requests(
        db,
        full=full,
        numbers=ids,
        start=start or (end or utcnow()) - DEFAULT_WINDOW,
        end=end,
        codes=_codes(service_code),
        status=status,
        limit=MAX_RESULTS,
    )
    return requests_out(db, rows, lang, full=full)


@router.get(
    "/requests/{service_request_id}.json", response_model=list[ServiceRequest], responses=ERRORS
)
def get_request(
    service_request_id: str, db: DbDep, lang: Lang, full: FullAccess, locale: Locale = None
) -> list[ServiceRequest]:
    """One request by its number, as a one-item list (Open311 answers lists). Without `api_key`
    a request that is not publishable is a 404, as if there were none."""
    appeal = open311_crud.by_number(db, number=service_request_id)
    if appeal is None or not (full or disclosure.publishable(appeal)):
        raise ApiError(404, "not_found")
    return requests_out(db, [appeal], lang, full=full)


@router.api_route(
    "/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
def unknown(request: Request, path: str) -> None:
    """Anything else under /open311/v2 (e.g. the XML format) is a 404, a known path with another
    method a 405, both in the Open311 shape."""
    allowed = {
        method
        for route in router.routes
        if isinstance(route, APIRoute)
        and route.endpoint is not unknown
        and route.matches(request.scope)[0] == Match.PARTIAL
        for method in route.methods or ()
    }
    if allowed:
        raise ApiError(405, "method_not_allowed", headers={"Allow": ", ".join(sorted(allowed))})
    raise ApiError(404, "not_found")
