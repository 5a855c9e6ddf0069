"""The alert form: `AlertForm` (the raw values, as typed, read into the API's `AlertIn`), its
HTML in the operator's language, the posted form as a dependency (`PostedForm`) and a schema's
refusal explained."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Form
from pydantic import ValidationError

from backend_stub.console.alerts.names import (
    CATEGORY_NAMES,
    CERTAINTY_NAMES,
    FIELD_NAMES,
    RESPONSE_NAMES,
    SEVERITY_NAMES,
    STATUS_NAMES,
    TEXT_NAMES,
    URGENCY_NAMES,
)
from backend_stub.console.kit.forms import (
    FormError,
    FormShort,
    FormText,
    parse_local,
    validation_text,
)
from backend_stub.console.kit.i18n import _
from backend_stub.console.kit.text import e, to_local
from backend_stub.console.kit.widgets import district_checkboxes, options, post_form
from backend_stub.crud import alerts as crud
from backend_stub.geo import Circle, circle_text, polygon_text
from backend_stub.models import Alert
from backend_stub.schemas.alerts import AlertIn
from backend_stub.services import cap


@dataclass
class AlertForm:
    """The form's raw values, kept as typed so a refused form comes back filled in."""

    status: str = "Exercise"  # a real alert is chosen, never the default
    category: str = "Safety"
    response_type: str = ""
    severity: str = "Severe"
    urgency: str = "Expected"
    certainty: str = "Likely"
    event_kk: str = ""
    event_ru: str = ""
    headline_kk: str = ""
    headline_ru: str = ""
    description_kk: str = ""
    description_ru: str = ""
    instruction_kk: str = ""
    instruction_ru: str = ""
    area_kk: str = ""
    area_ru: str = ""
    circle_lat: str = ""
    circle_lon: str = ""
    circle_km: str = ""
    polygons: str = ""  # one polygon per line
    districts: list[str] = field(default_factory=list)
    onset: str = ""
    expires: str = ""

    @classmethod
    def of(cls, alert: Alert) -> AlertForm:
        kk, ru = alert.texts["kk"], alert.texts["ru"]
        area = alert.areas[0] if alert.areas else {"desc": {}, "polygons": [], "circles": []}
        circle = area["circles"][0] if area["circles"] else None
        return cls(
            status=alert.status,
            category=alert.category[0] if alert.category else "Other",
            response_type=alert.response_type[0] if alert.response_type else "",
            severity=alert.severity,
            urgency=alert.urgency,
            certainty=alert.certainty,
            event_kk=kk["event"],
            event_ru=ru["event"],
            headline_kk=kk["headline"],
            headline_ru=ru["headline"],
            description_kk=kk["description"],
            description_ru=ru["description"],
            instruction_kk=kk["instruction"],
            instruction_ru=ru["instruction"],
            area_kk=area["desc"].get("kk", ""),
            area_ru=area["desc"].get("ru", ""),
            circle_lat="" if circle is None else str(circle[0]),
            circle_lon="" if circle is None else str(circle[1]),
            circle_km="" if circle is None else str(circle[2]),
            polygons="\n".join(
                polygon_text([(p[0], p[1]) for p in ring])
                for a in alert.areas
                for ring in a["polygons"]
            ),
            districts=sorted({d for a in alert.areas for d in a["districts"]}),
            onset=to_local(alert.onset, cap.ASTANA_TZ),
            expires=to_local(alert.expires, cap.ASTANA_TZ),
        )

    def _circle(self) -> list[str]:
        parts = [self.circle_lat.strip(), self.circle_lon.strip(), self.circle_km.strip()]
        if not any(parts):
            return []
        if not all(parts):
            raise FormError(
                _("For a circle give the latitude, longitude and radius, or leave all three empty.")
            )
        try:
            lat, lon, km = (float(p.replace(",", ".")) for p in parts)
        except ValueError:
            raise FormError(
                _("The circle's latitude, longitude and radius must be numbers.")
            ) from None
        return [circle_text(Circle(lat, lon, km))]

    def to_alert(self) -> AlertIn:
        """The API shape; FormError with the reason when a value cannot be read."""
        texts = {
            lang: {
                "event": getattr(self, f"event_{lang}"),
                "headline": getattr(self, f"headline_{lang}"),
                "description": getattr(self, f"description_{lang}"),
                "instruction": getattr(self, f"instruction_{lang}"),
            }
            for lang in ("kk", "ru")
        }
        area = {
            "desc": {
                lang: text
                for lang, text in (("kk", self.area_kk.strip()), ("ru", self.area_ru.strip()))
                if text
            },
            "polygons": [line.strip() for line in self.polygons.splitlines() if line.strip()],
            "circles": self._circle(),
            "districts": self.districts,
        }
        data: dict[str, Any] = {
            "status": self.status,
            "category": [self.category],
            "response_type": [self.response_type] if self.response_type else [],
            "urgency": self.urgency,
            "severity": self.severity,
            "certainty": self.certainty,
            "onset": parse_local(self.onset, FIELD_NAMES["onset"], cap.ASTANA_TZ),
            "expires": parse_local(self.expires, FIELD_NAMES["expires"], cap.ASTANA_TZ),
            "texts": texts,
            "areas": [area],
        }
        return AlertIn.model_validate(data)


def in_language(name: str, lang: str) -> str:
    """A field's name with the language of its text: «Тақырып (қазақша)»."""
    if lang == "kk":
        return _("{name} (in Kazakh)", name=name)
    return _("{name} (in Russian)", name=name)


def _text_field_name(loc: list[str]) -> str | None:
    if len(loc) > 2 and loc[0] == "texts":
        return in_language(TEXT_NAMES.get(loc[2], loc[2]), loc[1])
    return None


def refusal_text(exc: ValidationError) -> str:
    """A refusal of `AlertIn`, naming the texts by language."""
    return validation_text(
        exc,
        FIELD_NAMES,
        name_of=_text_field_name,
        missing=lambda kind, loc: (
            kind == "none_required" or (kind == "datetime_type" and loc == ["expires"])
        ),
    )


def _select(name: str, label: str, names: Mapping[str, str], value: str) -> str:
    return (
        f'<div><label for="a-{name}">{e(label)}</label>'
        f'<select id="a-{name}" name="{name}">'
        f"{options([(k, v) for k, v in names.items()], value)}</select></div>"
    )


def _text_pair(name: str, form: AlertForm, *, area: bool) -> str:
    out = ""
    for lang in ("kk", "ru"):
        label = in_language(TEXT_NAMES[name], lang)
        value = getattr(form, f"{name}_{lang}")
        if area:
            out += (
                f'<label for="a-{name}-{lang}">{e(label)}</label><textarea lang="{lang}"'
                f' id="a-{name}-{lang}"'
                f' name="{name}_{lang}" maxlength="4000" required>{e(value)}</textarea>'
            )
        else:
            out += (
                f'<label for="a-{name}-{lang}">{e(label)}</label><input type="text" class="wide"'
                f' id="a-{name}-{lang}" name="{name}_{lang}" maxlength="200" required'
                f' value="{e(value)}">'
            )
    return out


def form_html(form: AlertForm, action: str, hidden: str, submit: str) -> str:
    statuses = {k: v for k, v in STATUS_NAMES.items() if k in crud.PUBLIC_STATUSES}
    polygons_label = _(
        "Polygons: one a line, «latitude,longitude» points separated by spaces, the last point"
        " the same as the first"
    )
    return post_form(
        action,
        hidden,
        '<div class="filters">'
        + _select("status", _("Status"), statuses, form.status)
        + _select("category", _("Category"), CATEGORY_NAMES, form.category)
        + _select("severity", _("Severity"), SEVERITY_NAMES, form.severity)
        + _select("urgency", _("Urgency"), URGENCY_NAMES, form.urgency)
        + _select("certainty", _("Certainty"), CERTAINTY_NAMES, form.certainty)
        + _select(
            "response_type", _("What residents should do"), RESPONSE_NAMES, form.response_type
        )
        + "</div>"
        + _text_pair("event", form, area=False)
        + _text_pair("headline", form, area=False)
        + _text_pair("description", form, area=True)
        + _text_pair("instruction", form, area=True)
        + f'<h2 style="margin-top:16px">{e(_("Area (of an alert)"))}</h2>'
        f'<label for="a-area-kk">{e(in_language(_("Name of the area"), "kk"))}</label>'
        f'<input type="text" class="wide" id="a-area-kk" name="area_kk" maxlength="300"'
        f' required value="{e(form.area_kk)}">'
        f'<label for="a-area-ru">{e(in_language(_("Name of the area"), "ru"))}</label>'
        f'<input type="text" class="wide" id="a-area-ru" name="area_ru" maxlength="300"'
        f' required value="{e(form.area_ru)}">'
        '<div class="filters">'
        f'<div><label for="a-clat">{e(_("Circle: latitude of the centre"))}</label>'
        f'<input type="text" id="a-clat" name="circle_lat" value="{e(form.circle_lat)}"'
        ' placeholder="51.1282"></div>'
        f'<div><label for="a-clon">{e(_("longitude"))}</label><input type="text" id="a-clon"'
        f' name="circle_lon" value="{e(form.circle_lon)}" placeholder="71.4307"></div>'
        f'<div><label for="a-ckm">{e(_("radius, km"))}</label><input type="text" id="a-ckm"'
        f' name="circle_km" value="{e(form.circle_km)}" placeholder="2"></div></div>'
        f'<label for="a-poly">{e(polygons_label)}</label>'
        f'<textarea id="a-poly" name="polygons" maxlength="40000">{e(form.polygons)}</textarea>'
        f"<label>{e(_('Districts'))}</label><div>{district_checkboxes(form.districts)}</div>"
        '<div class="filters">'
        f'<div><label for="a-onset">{e(_("Onset (Astana time, optional)"))}</label>'
        f'<input type="datetime-local" id="a-onset" name="onset" value="{e(form.onset)}"></div>'
        f'<div><label for="a-exp">{e(_("In force until (Astana time)"))}</label>'
        f'<input type="datetime-local" id="a-exp" name="expires" value="{e(form.expires)}"'
        " required></div></div>",
        submit,
    )


def alert_form(
    status: FormShort = "Actual",
    category: FormShort = "Safety",
    response_type: FormShort = "",
    severity: FormShort = "",
    urgency: FormShort = "",
    certainty: FormShort = "",
    event_kk: FormText = "",
    event_ru: FormText = "",
    headline_kk: FormText = "",
    headline_ru: FormText = "",
    description_kk: FormText = "",
    description_ru: FormText = "",
    instruction_kk: FormText = "",
    instruction_ru: FormText = "",
    area_kk: FormText = "",
    area_ru: FormText = "",
    circle_lat: FormShort = "",
    circle_lon: FormShort = "",
    circle_km: FormShort = "",
    polygons: Annotated[str, Form(max_length=40000)] = "",
    districts: Annotated[list[str] | None, Form()] = None,
    onset: FormShort = "",
    expires: FormShort = "",
) -> AlertForm:
    """The posted alert form, as typed."""
    return AlertForm(
        status=status,
        category=category,
        response_type=response_type,
        severity=severity,
        urgency=urgency,
        certainty=certainty,
        event_kk=event_kk,
        event_ru=event_ru,
        headline_kk=headline_kk,
        headline_ru=headline_ru,
        description_kk=description_kk,
        description_ru=description_ru,
        instruction_kk=instruction_kk,
        instruction_ru=instruction_ru,
        area_kk=area_kk,
        area_ru=area_ru,
        circle_lat=circle_lat,
        circle_lon=circle_lon,
        circle_km=circle_km,
        polygons=polygons,
        districts=list(districts or []),
        onset=onset,
        expires=expires,
    )


PostedForm = Annotated[AlertForm, Depends(alert_form)]
