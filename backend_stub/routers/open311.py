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
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from backend_stub import classifier, disclosure
from backend_stub.crud import appeals as crud
from backend_stub.crud import users as users_crud
from backend_stub.crud.idempotency import run_once
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.errors import ApiError, refused_value
from backend_stub.geo import ASTANA_DISTRICTS, DISTRICT_NAMES
from backend_stub.messages import message, pick_language
from backend_stub.models import Appeal, AppealEvent, User, utcnow
from backend_stub.phone import InvalidPhoneError, normalize_kz_mobile
from backend_stub.schemas.appeals import AppealCreate
from backend_stub.schemas.open311 import (
    AttributeValue,
    Open311Error,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    ServiceRequest,
    ServiceRequestCreated,
    ServiceRequestIn,
)
from backend_stub.security import same
from backend_stub.statuses import STATUS_NAMES, AppealType, Status
from backend_stub.text import clean_text

log = logging.getLogger("city109.open311")

ALMATY = ZoneInfo("Asia/Almaty")
SYSTEM_PHONE = "open311"  # not a phone number: no one can ever sign in as this user
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
MEDIA_EVENT = "media_url"  # history line that keeps a request's media_url

# Open311's own error texts (the shared ones come from backend_stub.messages).
TEXTS: dict[str, dict[str, str]] = {
    "service_code_required": {
        "kk": "service_code өрісін көрсетіңіз.",
        "ru": "Укажите поле service_code.",
    },
    "address_id_unsupported": {
        "kk": "address_id қолданылмайды: lat және long немесе address_string жіберіңіз.",
        "ru": "address_id не поддерживается: передайте lat и long или address_string.",
    },
    "lat_long_pair": {
        "kk": "lat пен long бірге берілуі керек.",
        "ru": "lat и long передаются вместе.",
    },
    "bad_attribute": {
        "kk": "«{attribute}» атрибутының мәні жарамсыз.",
        "ru": "Недопустимое значение атрибута «{attribute}».",
    },
    "bad_media_url": {
        "kk": "media_url http немесе https сілтемесі болуы керек.",
        "ru": "media_url должен быть ссылкой http или https.",
    },
    "bad_date": {
        "kk": "{field} күні W3C пішімінде болуы керек, мысалы 2026-07-12T09:30:00+05:00.",
        "ru": "Дата {field} должна быть в формате W3C, например 2026-07-12T09:30:00+05:00.",
    },
    "service_description": {
        "kk": "{group}: {name}. Орындау мерзімі — {hours} сағат.",
        "ru": "{group}: {name}. Срок исполнения — {hours} ч.",
    },
    "method_not_allowed": {
        "kk": "Бұл әдіске рұқсат жоқ.",
        "ru": "Этот метод не поддерживается.",
    },
    "notice_created": {
        "kk": "Өтініш {number} нөмірімен тіркелді. Орындау мерзімі — {expected} дейін.",
        "ru": "Обращение зарегистрировано под номером {number}. Срок исполнения — до {expected}.",
    },
    "notice_due": {
        "kk": "Орындау мерзімі — {expected} дейін.",
        "ru": "Срок исполнения — до {expected}.",
    },
}

APPEAL_TYPE_NAMES: dict[AppealType, dict[str, str]] = {
    AppealType.CONSULTATION: {"kk": "Кеңес алу", "ru": "Консультация"},
    AppealType.INCIDENT: {"kk": "Оқиға (ақау)", "ru": "Инцидент (неисправность)"},
    AppealType.PROPOSAL: {"kk": "Ұсыныс", "ru": "Предложение"},
    AppealType.COMPLAINT: {"kk": "Шағым", "ru": "Жалоба"},
    AppealType.GRATITUDE: {"kk": "Алғыс", "ru": "Благодарность"},
}
YES_NO: dict[str, dict[str, str]] = {
    "yes": {"kk": "Иә", "ru": "Да"},
    "no": {"kk": "Жоқ", "ru": "Нет"},
}
ATTRIBUTE_TEXTS: dict[str, dict[str, str]] = {
    "appeal_type": {"kk": "Өтініш түрі", "ru": "Тип обращения"},
    "emergency": {
        "kk": "Өмірге, денсаулыққа немесе қауіпсіздікке қатер бар ма",
        "ru": "Есть ли угроза жизни, здоровью или безопасности",
    },
    "district": {"kk": "Астана ауданы", "ru": "Район Астаны"},
    "client_id": {
        "kk": "Клиенттің бірегей идентификаторы: қайталанған сұрау жаңа өтініш ашпайды",
        "ru": "Уникальный идентификатор клиента: повторный запрос не создаёт новое обращение",
    },
}


# --- language, errors -------------------------------------------------------------------------


def language_of(request: Request) -> str:
    """kk for `?locale=kk` or an Accept-Language preferring kk; ru otherwise (Open311 default)."""
    locale = (request.query_params.get("locale") or "").lower()[:2]
    if locale in ("kk", "ru"):
        return locale
    # pick_language falls back to kk when the header names neither; a token ru of tiny weight
    # makes ru the fallback here while an explicit kk (any ordinary q) still wins.
    header = request.headers.get("accept-language")
    return pick_language(f"{header}, ru;q=0.001") if header else "ru"


def text(code: str, lang: str, **params: Any) -> str:
    texts = TEXTS.get(code)
    if texts is None:
        return message(code, lang, **params)
    try:
        return texts[lang].format(**params)
    except (KeyError, IndexError):
        return texts[lang]


def error_response(
    request: Request,
    status: int,
    code: str,
    *,
    headers: Mapping[str, str] | None = None,
    **params: Any,
) -> JSONResponse:
    lang = language_of(request)
    description = text(code, lang, **params)
    fields = params.get("fields")
    if isinstance(fields, list) and fields:
        names = [str(f["loc"][-1]) for f in fields if isinstance(f, dict) and f.get("loc")]
        description += f" ({', '.join(dict.fromkeys(names))})"
    elif isinstance(params.get("field"), str):
        description += f" ({params['field']})"
    body = [Open311Error(code=status, description=description).model_dump()]
    return JSONResponse(body, status_code=status, headers=headers)


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


# --- formatting -------------------------------------------------------------------------------


def w3c(moment: datetime) -> str:
    """`2026-07-12T09:30:00+05:00`: Almaty time, whole seconds, a numeric offset."""
    return moment.astimezone(ALMATY).replace(microsecond=0).isoformat()


def _local(moment: datetime) -> str:
    return moment.astimezone(ALMATY).strftime("%d.%m.%Y %H:%M")


def _name(item: classifier.Service | classifier.Category | classifier.Subclass, lang: str) -> str:
    return item.name_kk if lang == "kk" else item.name_ru


# --- services ---------------------------------------------------------------------------------


def _service(cls_: classifier.Category, sub: classifier.Subclass, lang: str) -> Service:
    keywords = sub.keywords_kk if lang == "kk" else sub.keywords_ru
    group = _name(cls_, lang)
    return Service(
        service_code=sub.code,
        service_name=_name(sub, lang),
        description=text(
            "service_description",
            lang,
            group=group,
            name=_name(sub, lang),
            hours=sub.deadline_hours,
        ),
        metadata=True,
        type="realtime",
        keywords=", ".join(keywords or ()),
        group=group,
    )


@router.get("/services.json", response_model=list[Service], responses=ERRORS)
def list_services(lang: Lang, locale: Locale = None) -> list[Service]:
    """Every classifier subclass as an Open311 service, grouped by its class."""
    data = classifier.load_classifier()
    return [_service(cls_, sub, lang) for cls_ in data.classes for sub in cls_.subclasses]


def _attribute(
    code: str,
    order: int,
    lang: str,
    datatype: Any,
    values: list[AttributeValue],
    datatype_description: str | None = None,
) -> ServiceAttribute:
    return ServiceAttribute(
        variable=True,
        code=code,
        datatype=datatype,
        required=False,
        datatype_description=datatype_description,
        order=order,
        description=ATTRIBUTE_TEXTS[code][lang],
        values=values,
    )


def attributes_for(lang: str) -> list[ServiceAttribute]:
    return [
        _attribute(
            "appeal_type",
            1,
            lang,
            "singlevaluelist",
            [
                AttributeValue(key=t.value, name=names[lang])
                for t, names in APPEAL_TYPE_NAMES.items()
            ],
        ),
        _attribute(
            "emergency",
            2,
            lang,
            "singlevaluelist",
            [AttributeValue(key=k, name=names[lang]) for k, names in YES_NO.items()],
        ),
        _attribute(
            "district",
            3,
            lang,
            "singlevaluelist",
            [AttributeValue(key=k, name=DISTRICT_NAMES[k][lang]) for k in ASTANA_DISTRICTS],
        ),
        _attribute("client_id", 4, lang, "string", [], "8–64 characters, e.g. a UUID"),
    ]


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
    "/requests.json",
    response_model=list[ServiceRequestCreated],
    status_code=201,
    responses=ERRORS,
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
        text=body or _name(sub, lang),
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
        appeal = crud.create_appeal(db, user, appeal_in, channel="open311")
        assert appeal.id is not None
        if media_url:
            db.add(
                AppealEvent(
                    appeal_id=appeal.id, actor_role="system", kind=MEDIA_EVENT, note=media_url
                )
            )
        notice = text("notice_created", lang, number=appeal.number, expected=_local(appeal.due_at))
        created = ServiceRequestCreated(
            service_request_id=appeal.number, service_notice=notice, account_id=None
        )
        return 201, created.model_dump(mode="json")

    status, answer = run_once(db, user.id, key or client_key, "open311.requests", payload, effect)
    return JSONResponse([answer], status_code=status)


# --- GET requests -----------------------------------------------------------------------------

ApiKey = Annotated[
    str | None,
    Query(max_length=200, description="the city system's key: every request, in full"),
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


def _latest_notes(db: Session, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
    """Per appeal: the latest operator's status note and the request's media_url."""
    out: dict[int, tuple[str | None, str | None]] = {}
    if not ids:
        return out
    rows = db.exec(
        select(AppealEvent)
        .where(col(AppealEvent.appeal_id).in_(ids), col(AppealEvent.note).is_not(None))
        .order_by(col(AppealEvent.id))
    ).all()
    for e in rows:
        note, media = out.get(e.appeal_id, (None, None))
        if e.kind == MEDIA_EVENT and e.actor_role == "system":
            media = e.note
        elif e.kind == "status" and e.actor_role == "operator":
            note = e.note
        out[e.appeal_id] = (note, media)
    return out


def request_out(
    data: classifier.Classifier,
    appeal: Appeal,
    lang: str,
    note: str | None,
    media: str | None,
    *,
    full: bool = False,
) -> ServiceRequest:
    """An appeal as a request; never the applicant's name, phone or account. `full` (the city
    system's key): text, address, exact location, photo and operator notes too; otherwise the
    category name for the text, the district for the address, a coarsened location, the status
    name for the notes and no photo (see backend_stub.disclosure)."""
    closed = appeal.status == Status.CLOSED.value
    if closed and appeal.result_text:
        note = appeal.result_text
    try:
        service_name: str | None = _name(data.subclass(appeal.subclass_code), lang)
    except KeyError:
        service_name = None
    agency = next((s for s in data.services if s.code == appeal.service_code), None)
    status_name = STATUS_NAMES[Status(appeal.status)][lang]
    district = DISTRICT_NAMES.get(appeal.district or "")
    return ServiceRequest(
        service_request_id=appeal.number,
        status="closed" if closed else "open",
        status_notes=(note or status_name) if full else status_name,
        service_name=service_name,
        service_code=appeal.subclass_code,
        description=appeal.text if full else service_name,
        agency_responsible=_name(agency, lang) if agency else None,
        service_notice=None if closed else text("notice_due", lang, expected=_local(appeal.due_at)),
        requested_datetime=w3c(appeal.created_at),
        updated_datetime=w3c(appeal.updated_at),
        expected_datetime=w3c(appeal.due_at),
        address=appeal.address if full else (district[lang] if district else None),
        lat=appeal.lat if full else disclosure.coarse(appeal.lat),
        long=appeal.lon if full else disclosure.coarse(appeal.lon),
        media_url=media if full else None,
    )


def _requests_out(
    db: Session, appeals: Sequence[Appeal], lang: str, *, full: bool
) -> list[ServiceRequest]:
    data = classifier.load_classifier()
    if not full:
        return [request_out(data, a, lang, None, None) for a in appeals]
    notes = _latest_notes(db, [a.id for a in appeals if a.id is not None])
    return [
        request_out(data, a, lang, *notes.get(a.id or 0, (None, None)), full=True) for a in appeals
    ]


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
    query = select(Appeal) if full else select(Appeal).where(*disclosure.publishable_where())
    if ids:
        query = query.where(col(Appeal.number).in_(ids))
    else:
        start, end = _moment(start_date, "start_date"), _moment(end_date, "end_date")
        if start is None:
            start = (end or utcnow()) - DEFAULT_WINDOW
        query = query.where(col(Appeal.created_at) >= start)
        if end is not None:
            query = query.where(col(Appeal.created_at) <= end)
        if codes := _codes(service_code):
            query = query.where(col(Appeal.subclass_code).in_(codes))
        if status == "closed":
            query = query.where(Appeal.status == Status.CLOSED.value)
        elif status == "open":
            query = query.where(Appeal.status != Status.CLOSED.value)
    rows = db.exec(
        query.order_by(col(Appeal.created_at).desc(), col(Appeal.id).desc()).limit(MAX_RESULTS)
    ).all()
    return _requests_out(db, rows, lang, full=full)


@router.get(
    "/requests/{service_request_id}.json", response_model=list[ServiceRequest], responses=ERRORS
)
def get_request(
    service_request_id: str, db: DbDep, lang: Lang, full: FullAccess, locale: Locale = None
) -> list[ServiceRequest]:
    """One request by its number, as a one-item list (Open311 answers lists). Without `api_key`
    a request that is not publishable is a 404, as if there were none."""
    appeal = db.exec(select(Appeal).where(Appeal.number == service_request_id)).first()
    if appeal is None or not (full or disclosure.publishable(appeal)):
        raise ApiError(404, "not_found")
    return _requests_out(db, [appeal], lang, full=full)


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
