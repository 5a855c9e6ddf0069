"""Server-written lines of an appeal's history, stored language-neutral and read in kk or ru.

AppealEvent.note is one Text column. What a person typed (an operator's status note, a reopen
reason, a complaint) is kept as typed. What the server writes itself — the moves of an emergency
forward — is kept as a code with parameters (JSON), and put into words when read, in the
reader's language: `note` of the API by Accept-Language, `notes` with both, the console in ru.

Rows written before this format (kk and ru joined by " / ") are shown as they are.
"""

from __future__ import annotations

import json
from typing import Any

from backend_stub.messages import DEFAULT_LANG, LANGS
from backend_stub.schemas.emergency import SERVICE_NAMES

EMERGENCY_KIND = "emergency"  # AppealEvent.kind of a forward's history line

# Emergency forward moves; {name} is the service's name, {phone} its number.
EMERGENCY_NOTES: dict[str, dict[str, str]] = {
    "requested": {
        "kk": "Өтініш жедел қызметке жіберілуде: {name} ({phone}).",
        "ru": "Обращение передаётся в экстренную службу: {name} ({phone}).",
    },
    "sent": {
        "kk": "{name} ({phone}): жедел қызметтер жүйесі өтінішті алды, қабылдаудың расталуы"
        " күтілуде.",
        "ru": "{name} ({phone}): экстренная система получила обращение, ждём подтверждения приёма.",
    },
    "accepted": {
        "kk": "{name} ({phone}) өтінішті қабылдады, қабылдау нөмірі {acceptance_id}.",
        "ru": "{name} ({phone}) приняла обращение, номер принятия {acceptance_id}.",
    },
    "accepted_by_phone": {
        "kk": "Оператор қабылдауды телефон арқылы растады: {name} ({phone}).",
        "ru": "Оператор подтвердил приём по телефону: {name} ({phone}).",
    },
    "not_confirmed": {
        "kk": "{name} ({phone}) {timeout} секунд ішінде қабылдауды растамады: өтініш қайта"
        " жіберіледі, оператор хабардар етілді.",
        "ru": "{name} ({phone}) не подтвердила приём за {timeout} с: обращение отправляется"
        " повторно, оператор оповещён.",
    },
    "failed": {
        "kk": "{name} ({phone}) {attempts} әрекеттен кейін де қабылдауды растамады:"
        " {phone} нөміріне қоңырау шалыңыз.",
        "ru": "{name} ({phone}) не подтвердила приём после {attempts} попыток: позвоните"
        " по номеру {phone}.",
    },
}


def emergency_note(code: str, service: str, **params: Any) -> str:
    """The stored form of an emergency history line: {"code", "service", "params"} as JSON."""
    if code not in EMERGENCY_NOTES or service not in SERVICE_NAMES:
        raise ValueError(f"unknown emergency note {code!r} for service {service!r}")
    stored = {"code": code, "service": service, "params": {k: str(v) for k, v in params.items()}}
    return json.dumps(stored, ensure_ascii=False, sort_keys=True)


def _decode(kind: str, note: str | None) -> dict[str, Any] | None:
    # Only lines the server wrote as emergency moves are decoded: text a person typed into
    # another kind of line is never taken for a code, even when it looks like JSON.
    if kind != EMERGENCY_KIND or not note or not note.startswith("{"):
        return None
    try:
        data = json.loads(note)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("params", {}), dict):
        return None
    if data.get("code") not in EMERGENCY_NOTES or data.get("service") not in SERVICE_NAMES:
        return None
    return data


def _render(data: dict[str, Any], lang: str) -> str | None:
    service = data["service"]
    params = {k: str(v) for k, v in (data.get("params") or {}).items()}
    params.update(name=SERVICE_NAMES[service][lang], phone=service)
    try:
        return EMERGENCY_NOTES[data["code"]][lang].format(**params)
    except (KeyError, IndexError, ValueError):
        return None


def notes_of(kind: str, note: str | None) -> dict[str, str] | None:
    """{"kk": ..., "ru": ...} for a line stored as a code; None for typed text and old rows."""
    data = _decode(kind, note)
    if data is None:
        return None
    texts = {lang: _render(data, lang) for lang in LANGS}
    if any(text is None for text in texts.values()):
        return None
    return {lang: text for lang, text in texts.items() if text is not None}


def note_text(kind: str, note: str | None, lang: str = DEFAULT_LANG) -> str | None:
    """The line in one language: rendered when stored as a code, as stored otherwise."""
    notes = notes_of(kind, note)
    if notes is None:
        return note
    return notes.get(lang) or notes[DEFAULT_LANG]
