"""Names of the responsible services (the classifier's `services`, kk and ru), read from the
classifier the new-appeal flow caches (`classifier_cache`). Blocking: call from a thread."""

from __future__ import annotations

import json
import logging

from app.data.store.database import Database
from app.data.store.models import ClassifierCache

log = logging.getLogger(__name__)


class ServiceNames:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._version: str | None = None
        self._names: dict[str, dict[str, str]] = {}

    def names_of(self, code: str) -> dict[str, str]:
        """{"kk": ..., "ru": ...} of the service, or {} when the classifier is not cached."""
        with self._db.read() as s:
            row = s.get(ClassifierCache, 1)
            if row is None:
                return {}
            if row.version != self._version:
                self._names = _parse(row.body_json)
                self._version = row.version
        return self._names.get(code, {})


def _parse(body_json: str) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(body_json)
    except ValueError:
        log.warning("cached classifier unreadable")
        return {}
    services = data.get("services") if isinstance(data, dict) else None
    out: dict[str, dict[str, str]] = {}
    for item in services if isinstance(services, list) else []:
        if isinstance(item, dict) and item.get("code"):
            out[str(item["code"])] = {
                "kk": str(item.get("name_kk") or ""),
                "ru": str(item.get("name_ru") or ""),
            }
    return out
