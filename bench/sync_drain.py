"""Sync engine: N appeals (default 500) with one photo each, queued while offline, drained by the
app's own sync engine (`build_sync` + `AppealsRepository` + outbox, wired as app/composition/
does, over real HTTP) against a backend started by bench/harness.py (uvicorn, SQLite in a temp
dir).

Reference, same run: a bare loop of the same HTTP requests with plain httpx (the photo upload —
multipart, or tus create + PATCHes above the engine's small-upload size, as the engine does —
then the appeal), one after another as the engine sends them. Target: the engine's push ≤ 2× the
bare loop. Then the same N again through a fault proxy (tests/faultproxy.py) that drops
connections, loses answers after the server committed and answers 503 for 20 % of the requests;
the server's database then has to hold every appeal exactly once (by client_id), each with
exactly one photo attached.
"""

from __future__ import annotations

import asyncio
import base64
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeals import AppealsRepository
from app.data.repositories.outbox import Outbox
from app.data.services.api_client import USER_AGENT, ApiClient
from app.data.services.appeals_api import AppealsApi
from app.data.services.media import MediaPreparer
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.data.store.models import OutboxEntry
from app.domain.appeals import NewAppeal, Position, PreparedMedia
from app.domain.timestamps import utcnow
from app.sync.retry import Backoff
from app.sync.spine import build_sync
from app.sync.uploads import SMALL_UPLOAD_MAX, TUS_CHUNK
from backend_stub.classifier import load_classifier
from backend_stub.config import Settings
from backend_stub.db import make_engine
from backend_stub.models import Appeal, MediaFile, User
from bench.harness import backend
from bench.photo import make_phone_jpeg
from bench.report import Row, verdict
from tests.faultproxy import FaultProxy

API = "/api/v1"
TEXT = "Во дворе дома не горит фонарь уже неделю, вечером темно и опасно. Прошу починить."
ADDRESS = "пр. Мәңгілік Ел, 8"


# -- the photo every appeal carries ------------------------------------------------------------


def prepared_photo(folder: Path) -> Path:
    """A phone photo as the app uploads it: 4000×3000 through the app's own pipeline."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "camera.jpg"
    source.write_bytes(make_phone_jpeg())
    media = MediaPreparer(folder / "media").prepare(source, source.name)
    return Path(media.path)


# -- the reference: plain httpx ----------------------------------------------------------------


DROPPED = (httpx.ReadError, httpx.RemoteProtocolError)


class Bare(httpx.AsyncClient):
    """Plain httpx; a request whose idle keep-alive connection the server closed as it was
    reused is sent once more (counted), as the engine's retry would."""

    resent = 0

    async def send(self, request: httpx.Request, **kw: Any) -> httpx.Response:
        try:
            return await super().send(request, **kw)
        except DROPPED:
            self.resent += 1
            return await super().send(request, **kw)


async def _bare_upload(http: httpx.AsyncClient, data: bytes, name: str) -> str:
    if len(data) <= SMALL_UPLOAD_MAX:
        r = await http.post(f"{API}/media", files={"file": (name, data, "image/jpeg")})
        r.raise_for_status()
        return str(r.json()["id"])
    meta = "filename " + base64.b64encode(name.encode()).decode()
    meta += ",filetype " + base64.b64encode(b"image/jpeg").decode()
    tus = {"Tus-Resumable": "1.0.0"}
    r = await http.post(
        f"{API}/uploads", headers={**tus, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
    )
    r.raise_for_status()
    url, offset, media_id = r.headers["Location"], 0, None
    while offset < len(data):
        r = await http.patch(
            url,
            content=data[offset : offset + TUS_CHUNK],
            headers={
                **tus,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        r.raise_for_status()
        offset, media_id = int(r.headers["Upload-Offset"]), r.headers.get("Upload-Media-Id")
    assert media_id, "the last PATCH names the media"
    return media_id


async def run_bare(
    url: str, auth: dict[str, str], photo: Path, n: int, sub: str, warm_up: int = 0
) -> tuple[float, float]:
    """Seconds for n × (upload the photo, create the appeal) with plain httpx, after
    `warm_up` untimed rounds (the server's first requests are slower)."""
    headers = {**auth, "Accept-Language": "ru", "User-Agent": USER_AGENT}
    async with Bare(base_url=url, headers=headers, timeout=30) as http:
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(warm_up + n):
            if i == warm_up:
                start, cpu = time.perf_counter(), time.process_time()
            data = photo.read_bytes()
            media_id = await _bare_upload(http, data, photo.name)
            client_id = str(uuid.uuid4())
            body = {
                "client_id": client_id,
                "text": TEXT,
                "type": "incident",
                "subclass_code": sub,
                "lat": 51.1282,
                "lon": 71.4307,
                "accuracy_m": 12.0,
                "address": ADDRESS,
                "share_personal": False,
                "language": "ru",
                "emergency": False,
                "attachment_ids": [media_id],
            }
            key = {"Idempotency-Key": f"appeal:{client_id}"}
            r = await http.post(f"{API}/appeals", json=body, headers=key)
            r.raise_for_status()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        if http.resent:
            print(f"[sync] bare loop: {http.resent} dropped keep-alive request(s) resent",
                  file=sys.stderr)  # fmt: skip
        return seconds, cpu


# -- the app's engine --------------------------------------------------------------------------


@dataclass
class Drain:
    queued: int = 0
    push_s: float = 0.0
    push_cpu_s: float = 0.0  # CPU of this process (all its threads) while pushing
    pull_s: float = 0.0
    passes: int = 0
    attempts: int = 0  # sends of outbox entries, first tries included
    done: int = 0
    left: int = 0  # still waiting at the end (0 when drained)
    rejected: list[str] = field(default_factory=list)
    timed_out: bool = False
    profile: str = ""


class AppSide:
    """The app's data side on a data dir, as app/composition/ wires it (local store, outbox,
    repository, API client, appeals API, sync engine), talking HTTP to `url`."""

    def __init__(
        self, data_dir: Path, url: str, access_token: str, backoff: Backoff | None = None
    ) -> None:
        self.db = Database.open(data_dir / "app.db")
        tokens = TokenHolder()
        tokens.set(access_token, None)
        self.api = ApiClient(url, language=lambda: "ru", tokens=tokens)
        changes = AppealsChanged()
        self.repo = AppealsRepository(self.db, Outbox(self.db), changes)
        self.engine = build_sync(
            self.repo.outbox, changes, AppealsApi(self.api), signed_in=lambda: True, backoff=backoff
        ).engine

    def queue(self, photo: Path, n: int, sub: str) -> None:
        """n appeals filed offline, each with its own copy of the photo (as the pipeline makes
        one file per picked photo)."""
        folder = photo.parent / "queued"
        folder.mkdir(exist_ok=True)
        for i in range(n):
            path = folder / f"{i:04d}.jpg"
            shutil.copyfile(photo, path)
            media = PreparedMedia(str(path), "image", "image/jpeg", path.stat().st_size)
            self.repo.file_sync(
                NewAppeal(
                    text=TEXT,
                    subclass_code=sub,
                    position=Position(51.1282, 71.4307, 12.0),
                    address=ADDRESS,
                    language="ru",
                    media=[media],
                )
            )

    def tally(self, drain: Drain) -> None:
        with self.db.session() as s:
            entries = list(s.exec(select(OutboxEntry)).all())
        drain.attempts = sum(e.attempts for e in entries)
        states = Counter(e.state for e in entries)
        drain.done = states.get("done", 0)
        drain.left = states.get("pending", 0) + states.get("in_flight", 0)
        drain.rejected = [
            f"{e.kind}: {e.last_error_code}" for e in entries if e.state == "rejected"
        ]

    async def close(self) -> None:
        await self.api.aclose()
        self.db.close()


async def drain(app: AppSide, n: int, deadline_s: float, *, pull: bool) -> Drain:
    """Push until the outbox is empty — passes after the earliest backoff is due (real time) —
    as the engine's loop does. `pull`: whole passes (push, then pull the feed) each time, as the
    app runs them; otherwise the pushes are timed alone and the feed is pulled once after."""
    drain = Drain(queued=n)
    start, cpu = time.perf_counter(), time.process_time()
    until = start + deadline_s
    while True:
        if pull:
            await app.engine.sync_now()
        else:
            await app.engine.push()
        drain.passes += 1
        counts = await asyncio.to_thread(app.engine.outbox.counts)
        if counts.pending == 0:
            break
        if time.perf_counter() > until:
            drain.timed_out = True
            break
        due = await asyncio.to_thread(app.engine.outbox.next_wakeup)
        wait = (due - utcnow()).total_seconds() if due is not None else 0.0
        await asyncio.sleep(min(max(wait, 0.0), 1.0))
    drain.push_s, drain.push_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    if not pull:
        start = time.perf_counter()
        await app.engine.pull()
        drain.pull_s = time.perf_counter() - start
    await asyncio.to_thread(app.tally, drain)
    return drain


async def profiled(work: Any, top: int = 25) -> tuple[Any, str]:
    """Run a coroutine under cProfile; its result and the profile's top lines."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        result = await work
    finally:
        prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return result, out.getvalue()


# -- what the server holds -------------------------------------------------------------------


@dataclass
class Held:
    appeals: int = 0
    client_ids: int = 0  # distinct
    extra: int = 0  # client ids the app never queued (a retry that made a new appeal)
    missing: int = 0  # queued but not on the server
    photos_attached: Counter[int] = field(default_factory=Counter)  # photos per appeal → count
    orphan_uploads: int = 0  # uploads the server kept but no appeal uses (lost answers)


def server_holds(settings: Settings, phone: str, client_ids: set[str]) -> Held:
    engine = make_engine(settings)
    try:
        with Session(engine) as db:
            user = db.exec(select(User).where(User.phone == phone)).one()
            by_client = db.exec(
                select(Appeal.client_id, func.count())
                .where(Appeal.user_id == user.id)
                .group_by(col(Appeal.client_id))
            ).all()
            per_appeal = db.exec(
                select(Appeal.id, func.count(col(MediaFile.id)))
                .join(MediaFile, col(MediaFile.appeal_id) == col(Appeal.id), isouter=True)
                .where(Appeal.user_id == user.id)
                .group_by(col(Appeal.id))
            ).all()
            orphans = db.exec(
                select(func.count())
                .select_from(MediaFile)
                .where(MediaFile.owner_id == user.id, col(MediaFile.appeal_id).is_(None))
            ).one()
    finally:
        engine.dispose()
    held = {cid: int(k) for cid, k in by_client}
    return Held(
        appeals=sum(held.values()),
        client_ids=len(held),
        extra=len(set(held) - client_ids),
        missing=len(client_ids - set(held)),
        photos_attached=Counter(int(k) for _id, k in per_appeal),
        orphan_uploads=int(orphans),
    )


def queued_ids(app: AppSide) -> set[str]:
    with app.db.session() as s:
        return set(s.exec(select(OutboxEntry.target_client_id)).all())


# -- the run -----------------------------------------------------------------------------------


@dataclass
class SyncResult:
    n: int
    photo_bytes: int
    bare_s: float
    clean: Drain
    clean_held: Held
    bare_cpu_s: float = 0.0
    faulty: Drain | None = None
    faulty_held: Held | None = None
    proxy: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    server_log: str = ""
    error: str = ""


def _bad(line: str) -> bool:
    return "ERROR" in line or "Traceback" in line or '" 5' in line


async def _phase(label: str, work: Any, timeout_s: float) -> Any:
    """A step bounded in time (a `TimeoutError` becomes a clear failure line)."""
    print(f"[sync] {label} …", file=sys.stderr)
    return await asyncio.wait_for(work, timeout_s)


async def _run(tmp: Path, n: int, share: float, timeout_s: float, profile: bool) -> SyncResult:
    sub = load_classifier().classes[0].subclasses[0].code
    photo = prepared_photo(tmp / "photo")
    settings = Settings(_env_file=None, data_dir=tmp / "server", database_url="")
    # phones of the residents seed_people makes: +7702 and a 7-digit number
    with backend(tmp / "server", "", "sync", 3) as (server, people):
        bare_s, bare_cpu_s = await _phase(
            f"bare loop: {n} × (photo {photo.stat().st_size:,} B + appeal)",
            run_bare(server.url, people.residents[0], photo, n, sub, warm_up=min(n, 10)),
            timeout_s,
        )
        app = AppSide(tmp / "clean", server.url, people.residents[1]["Authorization"].split()[1])
        try:
            await asyncio.to_thread(app.queue, photo, n, sub)
            ids = await asyncio.to_thread(queued_ids, app)
            label = f"the app's engine: {n} queued appeals"
            work = drain(app, n, timeout_s, pull=False)
            if profile:
                clean, text = await _phase(label, profiled(work), timeout_s + 30)
                clean.profile = text
            else:
                clean = await _phase(label, work, timeout_s + 30)
        finally:
            await app.close()
        clean_held = await asyncio.to_thread(server_holds, settings, "+77020000001", ids)
        result = SyncResult(n, photo.stat().st_size, bare_s, clean, clean_held, bare_cpu_s)
        proxy = FaultProxy(server.url, share=share)
        with proxy:
            app = AppSide(
                tmp / "faulty",
                proxy.url,
                people.residents[2]["Authorization"].split()[1],
                backoff=Backoff(base_s=0.05, cap_s=1.0),
            )
            try:
                await asyncio.to_thread(app.queue, photo, n, sub)
                ids = await asyncio.to_thread(queued_ids, app)
                result.faulty = await _phase(
                    f"the engine through the fault proxy ({share:.0%} of requests fail)",
                    drain(app, n, timeout_s, pull=True),
                    timeout_s + 30,
                )
            finally:
                await app.close()
        result.proxy = proxy.counts
        result.faulty_held = await asyncio.to_thread(server_holds, settings, "+77020000002", ids)
        kept = Path(tempfile.gettempdir()) / "city109-bench-sync.log"
        shutil.copyfile(tmp / "server" / "backend.log", kept)
        log = kept.read_text(errors="replace").splitlines()
        result.server_errors = sum(1 for line in log if _bad(line))
        result.server_log = str(kept)
    return result


def run_sync(
    n: int = 500, share: float = 0.2, timeout_s: float = 600.0, profile: bool = False
) -> SyncResult:
    with tempfile.TemporaryDirectory(prefix="city109-sync-") as tmp:
        try:
            return asyncio.run(_run(Path(tmp), n, share, timeout_s, profile))
        except TimeoutError:
            return SyncResult(n, 0, 0.0, Drain(), Held(), error=f"timed out after {timeout_s} s")


def _attached(held: Held) -> str:
    return ", ".join(f"{k} photo(s): {v}" for k, v in sorted(held.photos_attached.items()))


def _once(held: Held, n: int) -> bool:
    return (
        held.client_ids == n
        and held.appeals == n
        and held.extra == 0
        and held.missing == 0
        and held.photos_attached == Counter({1: n})
    )


def sync_rows(r: SyncResult) -> list[Row]:
    if r.error:
        return [(f"sync engine, {r.n} appeals with a photo", f"**FAILED**: {r.error}", "—", "—")]
    c = r.clean
    ratio = c.push_s / r.bare_s if r.bare_s else float("inf")
    rows: list[Row] = [
        (
            f"sync engine: {r.n} queued appeals with one photo ({r.photo_bytes:,} B) each, drained",
            f"{c.push_s:.1f} s ({c.push_s / r.n * 1000:.0f} ms per appeal) = {ratio:.2f}× the "
            f"bare loop; then the feed pull {c.pull_s:.1f} s",
            f"≤ 2× ({verdict(ratio <= 2)})",
            f"bare httpx loop, same requests: {r.bare_s:.1f} s "
            f"({r.bare_s / r.n * 1000:.0f} ms per appeal)",
        ),
        (
            "… the client's CPU per appeal (this process, all threads; the server is another)",
            f"engine {c.push_cpu_s / r.n * 1000:.0f} ms",
            "—",
            f"bare loop {r.bare_cpu_s / r.n * 1000:.0f} ms",
        ),
        (
            "… on the server afterwards",
            f"{r.clean_held.appeals} appeals, {r.clean_held.client_ids} client ids, "
            f"{_attached(r.clean_held)}; rejected: {len(c.rejected)}; "
            f"{c.attempts - c.done} retries in {c.passes} pass(es)"
            + ("" if c.left == 0 else f"; **{c.left} NOT SENT**"),
            f"each once ({verdict(_once(r.clean_held, r.n) and not c.rejected)})",
            "—",
        ),
    ]
    f, h = r.faulty, r.faulty_held
    if f is None or h is None:
        return rows
    injected = sum(v for k, v in r.proxy.items() if k != "passed")
    total = sum(r.proxy.values())
    faults = ", ".join(f"{k} {r.proxy.get(k, 0)}" for k in ("drop_before", "drop_after", "503"))
    drained = "drained" if f.left == 0 else f"**{f.left} NOT SENT**"
    if f.timed_out:
        drained += " (**timed out**)"
    rows += [
        (
            f"… the same {r.n} with {injected / total:.0%} of requests failing",
            f"{drained} in {f.push_s:.1f} s, {f.passes} passes, {f.attempts - f.done} retries; "
            f"{injected} of {total} requests failed ({faults})",
            "all sent",
            "backoff 0.05 s doubling, cap 1 s (the app: 0.5 s, cap 60 s)",
        ),
        (
            "… on the server afterwards (exactly once?)",
            f"{h.appeals} appeals, {h.client_ids} client ids ({h.extra} unknown, {h.missing} "
            f"missing), {_attached(h)}; {h.orphan_uploads} photo uploads whose answer was lost "
            f"left unattached; rejected: {len(f.rejected)}",
            f"each appeal once, one photo each ({verdict(_once(h, r.n) and not f.rejected)})",
            f"server log: {r.server_errors} error lines ({r.server_log})",
        ),
    ]
    return rows
