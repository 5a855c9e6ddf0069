"""What Open311 GeoReport v2 clients see, built from the classifier and appeals: services and
their attributes, requests (public: what `backend_stub.disclosure` lets anyone see; full: for
the city system's key), W3C times, the Open311 texts in kk and ru, the language a request
asks for and the Open311 error shape.

No request is ever shown with the applicant's name, phone or account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel import Session, col, select

from backend_stub import classifier, disclosure
from backend_stub.crud.open311 import MEDIA_EVENT
from backend_stub.geo import ASTANA_DISTRICTS, DISTRICT_NAMES
from backend_stub.messages import message, pick_language
from backend_stub.models import Appeal, AppealEvent
from backend_stub.schemas.open311 import (
    AttributeValue,
    Open311Error,
    Service,
    ServiceAttribute,
    ServiceRequest,
)
from backend_stub.statuses import STATUS_NAMES, AppealType, Status

ALMATY = ZoneInfo("Asia/Almaty")

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
    "method_not_allowed": {"kk": "Бұл әдіске рұқсат жоқ.", "ru": "Этот метод не поддерживается."},
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


def text(code: str, lang: str, **params: Any) -> str:
    texts = TEXTS.get(code)
    if texts is None:
        return message(code, lang, **params)
    try:
        return texts[lang].format(**params)
    except (KeyError, IndexError):
        return texts[lang]


def w3c(moment: datetime) -> str:
    """`2026-07-12T09:30:00+05:00`: Almaty time, whole seconds, a numeric offset."""
    return moment.astimezone(ALMATY).replace(microsecond=0).isoformat()


def local_time(moment: datetime) -> str:
    return moment.astimezone(ALMATY).strftime("%d.%m.%Y %H:%M")


def localized_name(
    item: classifier.Service | classifier.Category | classifier.Subclass, lang: str
) -> str:
    return item.name_kk if lang == "kk" else item.name_ru


def service_out(cls_: classifier.Category, sub: classifier.Subclass, lang: str) -> Service:
    keywords = sub.keywords_kk if lang == "kk" else sub.keywords_ru
    group = localized_name(cls_, lang)
    return Service(
        service_code=sub.code,
        service_name=localized_name(sub, lang),
        description=text(
            "service_description",
            lang,
            group=group,
            name=localized_name(sub, lang),
            hours=sub.deadline_hours,
        ),
        metadata=True,
        type="realtime",
        keywords=", ".join(keywords or ()),
        group=group,
    )


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
        service_name: str | None = localized_name(data.subclass(appeal.subclass_code), lang)
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
        agency_responsible=localized_name(agency, lang) if agency else None,
        service_notice=None
        if closed
        else text("notice_due", lang, expected=local_time(appeal.due_at)),
        requested_datetime=w3c(appeal.created_at),
        updated_datetime=w3c(appeal.updated_at),
        expected_datetime=w3c(appeal.due_at),
        address=appeal.address if full else (district[lang] if district else None),
        lat=appeal.lat if full else disclosure.coarse(appeal.lat),
        long=appeal.lon if full else disclosure.coarse(appeal.lon),
        media_url=media if full else None,
    )


def requests_out(
    db: Session, appeals: Sequence[Appeal], lang: str, *, full: bool
) -> list[ServiceRequest]:
    data = classifier.load_classifier()
    if not full:
        return [request_out(data, a, lang, None, None) for a in appeals]
    notes = _latest_notes(db, [a.id for a in appeals if a.id is not None])
    return [
        request_out(data, a, lang, *notes.get(a.id or 0, (None, None)), full=True) for a in appeals
    ]


def language_of(request: Request) -> str:
    """kk for `?locale=kk` or an Accept-Language preferring kk; ru otherwise (Open311 default)."""
    locale = (request.query_params.get("locale") or "").lower()[:2]
    if locale in ("kk", "ru"):
        return locale
    # pick_language falls back to kk when the header names neither; a token ru of tiny weight
    # makes ru the fallback here while an explicit kk (any ordinary q) still wins.
    header = request.headers.get("accept-language")
    return pick_language(f"{header}, ru;q=0.001") if header else "ru"


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
