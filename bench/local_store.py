"""Local store and screens: 10,000 cached appeals in the app's SQLite store (opened and migrated
as the app opens it), with realistic rows — every Appendix 5 status, real categories, deadlines,
some overdue, unread operator messages, and actions still waiting in the outbox.

Measured, median and p95 of many runs:
- the first page of "my appeals": `AppealQueries.list_sync(None, None, PAGE_SIZE)`, the call
  `AppealListViewModel.load` makes (through `list_page`) — target ≤ 10 ms;
- that page's Flet controls built in Python: `AppealListViewModel` turning the items into rows,
  then `AppealsPanel.render()` of app/ui/appeals/list_screen.py making the
  cards (no page is needed to construct controls; sending them to the client is not part of
  this) — target ≤ 50 ms;
- the cabinet's analytics: `appeal_analytics(AppealHistoryRepository.facts(), now)`, what
  `CabinetViewModel` computes — target ≤ 100 ms.
References, same run: `SELECT count(*)` on the same table, and the same calls on a store of
100 appeals.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from app.data.repositories import outbox as ob
from app.data.repositories.analytics import AppealHistoryRepository
from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_queries import PAGE_SIZE, AppealQueries
from app.data.repositories.classifier import ClassifierRepository
from app.data.repositories.outbox import Outbox
from app.data.services.api_client import ApiClient
from app.data.services.appeal_lookups_api import NewAppealApi
from app.data.services.appeals_api import AppealsApi
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.data.store.models import ClassifierCache, LocalAppeal, LocalMessage, OutboxEntry
from app.domain.analytics import appeal_analytics
from app.i18n import Translator
from app.sync.spine import build_sync
from app.ui.appeals.list_screen import AppealsPanel
from app.viewmodels.appeals import AppealListViewModel, SyncStatusViewModel
from app.viewmodels.navigation import Navigation
from backend_stub.classifier import load_classifier, raw_data
from bench.report import Row, median_p95, verdict

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
STATUSES = ("created", "assigned", "returned", "reassigned", "in_progress", "closed")
STATUS_WEIGHTS = (3, 10, 2, 3, 17, 65)  # most of a resident's history is closed
DEADLINE_H = {"high": 24, "medium": 72, "standard": 240}
TEXTS = (
    "Во дворе не горит фонарь, вечером темно.",
    "Аула ішінде қоқыс үш күннен бері шығарылмаған.",
    "Нет горячей воды в подъезде с утра.",
    "Жол жиегіндегі шұңқыр көлікке қауіпті, жөндеуді сұраймын.",
    "Лифт не работает вторую неделю, в доме пожилые люди.",
)
TARGET_QUERY_S = 0.010
TARGET_CONTROLS_S = 0.050
TARGET_ANALYTICS_S = 0.100


# -- the store ---------------------------------------------------------------------------------


def fill(db: Database, n: int, seed: int = 109) -> None:
    """n appeals over the last ~3 years as the sync engine stores them, plus messages, a few
    appeals filed offline and not sent yet, and waiting actions (rating, chat, reopen)."""
    rnd = random.Random(seed)
    subclasses = [
        (c.code, s.code, s.importance) for c in load_classifier().classes for s in c.subclasses
    ]
    appeals: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    unsent = max(1, n // 500)  # the newest few were filed offline: no number, no status yet
    for i in range(n):
        class_code, sub, importance = rnd.choice(subclasses)
        created = NOW - timedelta(hours=rnd.uniform(0, 3 * 365 * 24) if i >= unsent else i)
        client_id = str(uuid.UUID(int=rnd.getrandbits(128)))
        status = rnd.choices(STATUSES, STATUS_WEIGHTS)[0] if i >= unsent else "created"
        due = created + timedelta(hours=DEADLINE_H.get(importance, 240))
        closed = created + timedelta(hours=rnd.uniform(1, 300)) if status == "closed" else None
        synced = i >= unsent
        appeals.append(
            {
                "client_id": client_id,
                "server_id": n - i if synced else None,
                "number": f"109-{created:%y}-{n - i:06d}" if synced else None,
                "text": rnd.choice(TEXTS),
                "type": "incident",
                "class_code": class_code if synced else None,
                "subclass_code": sub,
                "importance": importance if synced else None,
                "lat": 51.1 + rnd.random() / 10,
                "lon": 71.4 + rnd.random() / 10,
                "address": f"ул. Кенесары, {rnd.randint(1, 120)}",
                "language": rnd.choice(("kk", "ru")),
                "status": status,
                "created_at": created,
                "updated_at": closed or created,
                "due_at": due if synced else None,
                "closed_at": closed,
                "overdue": bool(synced and status != "closed" and due < NOW),
                "rating": rnd.choice((None, 3, 4, 5, 5)) if closed else None,
                "media_json": "[]",
                "sync_state": "synced" if synced else "pending",
            }
        )
        for k in range(rnd.choice((0, 0, 1, 2, 3))):
            at = created + timedelta(hours=k + 1)
            messages.append(
                {
                    "client_id": str(uuid.UUID(int=rnd.getrandbits(128))),
                    "server_id": len(messages) + 1,
                    "appeal_client_id": client_id,
                    "author_role": "operator" if k % 2 == 0 else "resident",
                    "text": "Заявка принята, выезд бригады запланирован.",
                    "created_at": at,
                    "read_at": None if rnd.random() < 0.05 else at,
                    "sync_state": "synced",
                }
            )
        kind = (
            ob.CREATE_APPEAL
            if not synced
            else rnd.choices((None, ob.RATE, ob.SEND_MESSAGE, ob.REOPEN), (200, 1, 2, 1))[0]
        )
        if kind is not None:
            outbox.append(
                {
                    "kind": kind,
                    "target_client_id": client_id,
                    "payload_json": json.dumps({"client_id": client_id}),
                    "idempotency_key": f"{kind}:{client_id}",
                    "state": ob.PENDING,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
    with db.session() as s:
        s.execute(insert(LocalAppeal), appeals)
        if messages:
            s.execute(insert(LocalMessage), messages)
        if outbox:
            s.execute(insert(OutboxEntry), outbox)
        s.add(
            ClassifierCache(
                id=1,
                version="bench",
                body_json=json.dumps(raw_data(), ensure_ascii=False),
                fetched_at=NOW,
            )
        )
        s.commit()


@dataclass
class Store:
    """The app's objects over one store, wired as app/composition/ wires them."""

    db: Database
    queries: AppealQueries
    list_vm: AppealListViewModel
    panel: AppealsPanel
    history: AppealHistoryRepository
    api: ApiClient

    @classmethod
    def open(cls, path: Path, language: str) -> Store:
        db = Database.open(path)  # created and migrated as the app does (open_database)
        api = ApiClient("http://127.0.0.1:9", language=lambda: language, tokens=TokenHolder())
        queries = AppealQueries(db, now=lambda: NOW)
        changes = AppealsChanged()
        classifier = ClassifierRepository(db, NewAppealApi(api))
        classifier.load()
        tr = Translator(language)
        list_vm = AppealListViewModel(
            queries,
            changes,
            Navigation(),
            language=lambda: tr.language,
            category_name=classifier.name_of,
            now=lambda: NOW,
        )
        engine = build_sync(Outbox(db), changes, AppealsApi(api), signed_in=lambda: True).engine
        status = SyncStatusViewModel(engine, lambda: tr.language, now=lambda: NOW)
        panel = AppealsPanel(tr, list_vm, status)
        return cls(db, queries, list_vm, panel, AppealHistoryRepository(db), api)

    def close(self) -> None:
        asyncio.run(self.api.aclose())
        self.db.close()

    # -- what is measured ----------------------------------------------------------------------

    def first_page(self) -> object:
        return self.queries.list_sync(None, None, PAGE_SIZE)

    def count(self) -> object:
        with self.db.session() as s:
            return s.connection().execute(text("SELECT count(*) FROM appeal")).scalar_one()

    def build_page(self, page: Any) -> int:
        """What happens after the query when the list is shown: items → rows (the view model),
        rows → cards (the screen). Returns the number of cards."""
        vm = self.list_vm
        vm.rows = [vm._row(i) for i in page.items]  # the view model's own row mapping
        vm.has_more, vm.loaded = page.next is not None, True
        self.panel._shown = None  # rebuild every card, as on first show
        self.panel.render()
        return len(self.panel.list.controls)

    def analytics(self) -> object:
        return appeal_analytics(self.history.facts(), NOW)


def timings(fn: Callable[[], object], runs: int, warm_up: int = 3) -> list[float]:
    for _ in range(warm_up):
        fn()
    out: list[float] = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


@dataclass
class StoreResult:
    n: int
    small_n: int
    runs: int
    language: str
    cards: int
    query: list[float]
    query_small: list[float]
    count: list[float]
    controls: list[float]
    controls_small: list[float]
    analytics: list[float]
    analytics_small: list[float]
    first_row: str


def _measure(store: Store, runs: int) -> dict[str, Any]:
    page = store.first_page()
    return {
        "query": timings(store.first_page, runs),
        "count": timings(store.count, runs),
        "controls": timings(lambda: store.build_page(page), runs),
        "analytics": timings(store.analytics, max(5, runs // 4)),
        "cards": store.build_page(page),
    }


def run_store(n: int = 10_000, runs: int = 60, language: str = "kk") -> StoreResult:
    small_n = 100
    with tempfile.TemporaryDirectory(prefix="city109-store-") as tmp:
        found: dict[int, dict[str, Any]] = {}
        first_row = ""
        for size in (n, small_n):
            path = Path(tmp) / f"app-{size}.db"
            seeded = Database.open(path)
            fill(seeded, size)
            seeded.close()
            store = Store.open(path, language)
            try:
                found[size] = _measure(store, runs)
                if size == n:
                    row = store.list_vm.rows[0]
                    first_row = f"{row.category} · {store.panel.tr.render(row.number)}"
            finally:
                store.close()
    big, small = found[n], found[small_n]
    return StoreResult(
        n=n,
        small_n=small_n,
        runs=runs,
        language=language,
        cards=big["cards"],
        query=big["query"],
        query_small=small["query"],
        count=big["count"],
        controls=big["controls"],
        controls_small=small["controls"],
        analytics=big["analytics"],
        analytics_small=small["analytics"],
        first_row=first_row,
    )


def store_rows(r: StoreResult) -> list[Row]:
    def med(values: list[float]) -> float:
        return statistics.median(values) if values else float("inf")

    n = f"{r.n:,}"
    return [
        (
            f"local store, {n} cached appeals: first page of \u201cmy appeals\u201d "
            f"({r.cards} rows), query, median / p95 of {r.runs}",
            median_p95(r.query),
            f"≤ 10 ms ({verdict(med(r.query) <= TARGET_QUERY_S)})",
            f"`SELECT count(*)` on the same table: {median_p95(r.count)}; the same page from "
            f"{r.small_n} appeals: {median_p95(r.query_small)}",
        ),
        (
            f"… that page's controls built in Python (rows + cards, {r.language})",
            median_p95(r.controls),
            f"≤ 50 ms ({verdict(med(r.controls) <= TARGET_CONTROLS_S)})",
            f"from {r.small_n} appeals: {median_p95(r.controls_small)}",
        ),
        (
            f"… the cabinet's analytics over {n} appeals, median / p95 of {len(r.analytics)}",
            median_p95(r.analytics),
            f"≤ 100 ms ({verdict(med(r.analytics) <= TARGET_ANALYTICS_S)})",
            f"over {r.small_n} appeals: {median_p95(r.analytics_small)}",
        ),
    ]
