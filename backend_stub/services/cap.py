"""CAP 1.2 XML of an alert and an Atom index of current alerts, built with lxml.

Every message carries two `info` blocks, kk-KZ and ru-RU, with the same area. Datetimes are
written in Astana time with a numeric offset (`+05:00`): the schema refuses a bare `Z` and
fractions of a second. `validate` checks a document against the official OASIS schema
(`data/CAP-v1.2.xsd`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from backend_stub.geo import Circle, circle_text, polygon_text
from backend_stub.models import Alert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SCHEMA_PATH = Path(__file__).parent.parent / "data" / "CAP-v1.2.xsd"
ASTANA_TZ = timezone(timedelta(hours=5))  # all of Kazakhstan is UTC+5 since 1 March 2024
CAP_MIME = "application/cap+xml"
ATOM_MIME = "application/atom+xml"

LANG_TAGS = {"kk": "kk-KZ", "ru": "ru-RU"}
FEED_TITLES = {
    "kk": "109 — Астана: төтенше жағдайлар туралы ескертулер",
    "ru": "109 — Астана: экстренные оповещения",
}
FEED_AUTHOR = {
    "kk": "Астана қаласының 109 байланыс орталығы",
    "ru": "Контакт-центр 109 города Астаны",
}


def cap_time(moment: datetime) -> str:
    """2026-07-12T09:30:00+05:00 — whole seconds, Astana offset."""
    return moment.astimezone(ASTANA_TZ).replace(microsecond=0).isoformat()


def reference(alert: Alert) -> str:
    """This message as a CAP reference triplet "sender,identifier,sent"."""
    return f"{alert.sender},{alert.identifier},{cap_time(alert.sent)}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        child.text = text
    return child


def _area(info: etree._Element, area: dict[str, Any], lang: str) -> None:
    node = _sub(info, "area")
    _sub(node, "areaDesc", area["desc"][lang])
    for ring in area["polygons"]:
        _sub(node, "polygon", polygon_text([(p[0], p[1]) for p in ring]))
    for lat, lon, radius in area["circles"]:
        _sub(node, "circle", circle_text(Circle(lat, lon, radius)))
    for district in area["districts"]:
        geocode = _sub(node, "geocode")
        _sub(geocode, "valueName", "district")
        _sub(geocode, "value", district)


def _info(root: etree._Element, alert: Alert, lang: str) -> None:
    text = alert.texts[lang]
    info = _sub(root, "info")
    _sub(info, "language", LANG_TAGS[lang])
    for category in alert.category:
        _sub(info, "category", category)
    _sub(info, "event", text["event"])
    for response in alert.response_type:
        _sub(info, "responseType", response)
    _sub(info, "urgency", alert.urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", alert.certainty)
    _sub(info, "effective", cap_time(alert.effective))
    if alert.onset is not None:
        _sub(info, "onset", cap_time(alert.onset))
    _sub(info, "expires", cap_time(alert.expires))
    _sub(info, "senderName", text["sender_name"])
    _sub(info, "headline", text["headline"])
    _sub(info, "description", text["description"])
    _sub(info, "instruction", text["instruction"])
    if alert.web:
        _sub(info, "web", alert.web)
    if text.get("contact"):
        _sub(info, "contact", text["contact"])
    for area in alert.areas:
        _area(info, area, lang)


def alert_element(alert: Alert) -> etree._Element:
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(alert.sent))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", alert.scope)
    if alert.note:
        _sub(root, "note", alert.note)
    if alert.refs:
        _sub(root, "references", alert.refs)
    for lang in LANG_TAGS:
        if lang in alert.texts:
            _info(root, alert, lang)
    return root


def alert_xml(alert: Alert) -> bytes:
    return etree.tostring(
        alert_element(alert), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate(document: bytes) -> None:
    """Raise `etree.DocumentInvalid` unless the document is valid CAP 1.2."""
    schema().assertValid(etree.fromstring(document))


# ---------------------------------------------------------------- Atom index


def _atom(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> Any:
    child = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def atom_feed(alerts: Iterable[Alert], base_url: str, lang: str, now: datetime) -> bytes:
    """An Atom feed of current alerts, newest first; each entry links to its CAP XML."""
    base = base_url.rstrip("/")
    feed_url = f"{base}/cap/feed.atom" + ("?lang=ru" if lang == "ru" else "")
    items = list(alerts)
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    root.set(f"{{{XML_NS}}}lang", lang)
    _atom(root, "id", feed_url)
    _atom(root, "title", FEED_TITLES[lang])
    _atom(root, "updated", cap_time(max((a.sent for a in items), default=now)))
    _atom(root, "link", rel="self", type=ATOM_MIME, href=feed_url)
    author = _atom(root, "author")
    _atom(author, "name", FEED_AUTHOR[lang])
    for alert in items:
        text = alert.texts.get(lang) or next(iter(alert.texts.values()))
        url = f"{base}/cap/alerts/{alert.identifier}.xml"
        entry = _atom(root, "entry")
        _atom(entry, "id", url)
        _atom(entry, "title", text["headline"])
        _atom(entry, "updated", cap_time(alert.sent))
        _atom(entry, "published", cap_time(alert.sent))
        _atom(entry, "link", rel="alternate", type=CAP_MIME, href=url)
        _atom(entry, "summary", text["description"])
        _atom(entry, "category", term=alert.status)
        _atom(entry, "category", term=alert.severity)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
