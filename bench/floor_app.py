"""The floor of filing an appeal on this machine: bare FastAPI (served as `bench.ceiling_app`
serves it) doing the statements the backend's create does, in plain `sqlite3` on a table set of
its own (narrower rows than the backend's): the signed-in session by its token's hash, the
idempotency key, the same-subclass appeal nearby, the appeal, its number, its history line, the
resident's feed row, the stored answer, one commit (WAL, synchronous=NORMAL, writers in turn).
No ORM, no classifier, no middleware, no checks but the body's model: whatever the backend's
create costs above this, it spends in its own layers. A reference for the load bench, not code
of the product.

  python -m bench.floor_app --port P --database FILE --people FILE
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse

from backend_stub.schemas.appeals import AppealCreate
from bench.ceiling_app import serve

SCHEMA = """
create table if not exists resident(id integer primary key, phone text not null);
create table if not exists sign_in(token_hash text primary key, user_id int not null,
    expires_at text not null);
create table if not exists appeal(id integer primary key, number text unique not null,
    client_id text unique not null, user_id int not null, text text not null,
    subclass_code text not null, lat real, lon real, address text, status text not null,
    created_at text not null, due_at text not null);
create index if not exists ix_nearby on appeal(subclass_code, created_at, lat, lon);
create table if not exists history(id integer primary key, appeal_id int not null,
    kind text not null, to_status text, at text not null);
create table if not exists feed(id integer primary key, user_id int not null, entity text not null,
    entity_id int not null, at text not null);
create table if not exists answer(id integer primary key, user_id int not null, key text not null,
    fingerprint text not null, status int not null, body text not null, unique(user_id, key));
"""
NEARBY = """select id from appeal where subclass_code = ? and created_at >= ?
    and lat between ? and ? and lon between ? and ? limit 1"""
NEARBY_DEG = 0.0015  # ~150 m

app = FastAPI()
_local = threading.local()
_writer = threading.Lock()  # the backend's `sqlite_writer` queue, in its simplest form
_database = ""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _connection() -> sqlite3.Connection:
    db: sqlite3.Connection | None = getattr(_local, "db", None)
    if db is None:
        db = sqlite3.connect(_database, isolation_level=None, check_same_thread=False)
        db.execute("pragma journal_mode = wal")
        db.execute("pragma synchronous = normal")
        db.execute("pragma busy_timeout = 30000")
        _local.db = db
    return db


@app.post("/api/v1/appeals", status_code=201)
def create(
    body: AppealCreate,
    authorization: Annotated[str, Header()],
    key: Annotated[str, Header(alias="Idempotency-Key")],
) -> JSONResponse:
    db = _connection()
    now = datetime.now(UTC)
    at = now.isoformat()
    found = db.execute(
        "select user_id from sign_in where token_hash = ? and expires_at > ?",
        (_digest(authorization.partition(" ")[2]), at),
    ).fetchone()
    if found is None:
        return JSONResponse({"detail": "invalid_token"}, status_code=401)
    user_id = found[0]
    fingerprint = _digest(json.dumps(body.model_dump(mode="json"), sort_keys=True))
    earlier = db.execute(
        "select status, body from answer where user_id = ? and key = ?", (user_id, key)
    ).fetchone()
    if earlier is not None:
        return JSONResponse(json.loads(earlier[1]), status_code=earlier[0])
    lat, lon = body.lat or 0.0, body.lon or 0.0
    with _writer:
        db.execute("begin immediate")
        db.execute(
            NEARBY,
            (
                body.subclass_code,
                (now - timedelta(days=1)).isoformat(),
                lat - NEARBY_DEG,
                lat + NEARBY_DEG,
                lon - NEARBY_DEG,
                lon + NEARBY_DEG,
            ),
        ).fetchone()
        appeal_id = db.execute(
            "insert into appeal(number, client_id, user_id, text, subclass_code, lat, lon,"
            " address, status, created_at, due_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"tmp-{uuid.uuid4().hex}",
                body.client_id,
                user_id,
                body.text,
                body.subclass_code,
                lat,
                lon,
                body.address,
                "created",
                at,
                (now + timedelta(days=3)).isoformat(),
            ),
        ).lastrowid
        number = f"109-{now:%y%m}-{appeal_id:06d}"
        db.execute("update appeal set number = ? where id = ?", (number, appeal_id))
        db.execute(
            "insert into history(appeal_id, kind, to_status, at) values (?, 'status', ?, ?)",
            (appeal_id, "created", at),
        )
        db.execute(
            "insert into feed(user_id, entity, entity_id, at) values (?, 'appeal', ?, ?)",
            (user_id, appeal_id, at),
        )
        out = {
            "id": appeal_id,
            "number": number,
            "status": "created",
            "created_at": at,
            **body.model_dump(mode="json"),
            "history": [{"kind": "status", "to_status": "created", "at": at}],
            "media": [],
        }
        db.execute(
            "insert into answer(user_id, key, fingerprint, status, body) values (?, ?, ?, ?, ?)",
            (user_id, key, fingerprint, 201, json.dumps(out, ensure_ascii=False)),
        )
        db.execute("commit")
    return JSONResponse(out, status_code=201)


def prepare(database: Path, people: Path) -> None:
    """The tables, and a resident signed in with each token of the wrk people file."""
    tokens = [line.split()[0] for line in people.read_text().splitlines() if line.strip()]
    with sqlite3.connect(database) as db:
        db.execute("pragma journal_mode = wal")
        db.executescript(SCHEMA)
        for n, token in enumerate(tokens, start=1):
            db.execute("insert or ignore into resident values (?, ?)", (n, f"+7701{n:07d}"))
            db.execute("insert or replace into sign_in values (?, ?, '9999')", (_digest(token), n))


def main(argv: list[str] | None = None) -> None:
    global _database
    p = argparse.ArgumentParser(prog="python -m bench.floor_app")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--database", type=Path, required=True)
    p.add_argument("--people", type=Path, required=True)
    args = p.parse_args(argv)
    prepare(args.database, args.people)
    _database = str(args.database)
    serve(app, args.port)


if __name__ == "__main__":
    main()
