"""The 109 contact centre's backend: the resident app's API, the operator console, Open311.

Run it with `python -m backend_stub [--host H] [--port P] [--data-dir DIR] [--demo]
[--workers N]` (`--help` explains each). Settings that production refuses stop it here, with
the names of what to fix (exit status 2).
With `--workers N` (PostgreSQL only) uvicorn runs N server processes on the one port; this
process creates the tables (and the demo city) once, then each worker builds the app with
`worker_app`, its settings passed on in the environment.
In dev without PUBLIC_BASE_URL, the server's public base URL is http://H:P. X-Forwarded-For and
X-Forwarded-Proto count only from TRUSTED_PROXIES (uvicorn's own default would believe them from
loopback, and a client could then pick its address to dodge the per-address caps).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from backend_stub import access_log
from backend_stub.config import Settings
from backend_stub.public_url import served_at

WORKER_APP = "backend_stub.__main__:worker_app"  # what each `--workers` process imports


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m backend_stub",
        description="The backend of the 109 city contact centre: the resident app's API "
        "(/api/v1), the operator console (/console), Open311 GeoReport v2 (/open311) and, in "
        "dev, the API docs (/docs, served offline). Other settings come from the environment "
        "or a .env file (README, Configuration).",
        epilog="Production (APP_ENV=production) refuses weak settings and stops with exit "
        "status 2, naming what to fix.",
    )
    p.add_argument(
        "--host",
        default=os.environ.get("HOST", "127.0.0.1"),
        help="address to listen on (default: $HOST or %(default)s; 0.0.0.0 for every interface)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "8109")),
        help="TCP port to listen on (default: $PORT or %(default)s)",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the SQLite file, media and uploads go (default: the DATA_DIR setting)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="seed the demo city, operator and appeals (dev only)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes on the one port (default: %(default)s; more than 1 needs "
        "PostgreSQL in DATABASE_URL, and MEDIA_ROOT shared by every process)",
    )
    p.add_argument(
        "--autopilot",
        type=float,
        default=None,
        metavar="SECONDS",
        help="demo autopilot: move new appeals along every SECONDS (0 = off)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    overrides: dict[str, object] = {}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.demo:
        overrides["demo"] = True
    if args.autopilot is not None:
        overrides["autopilot_interval_s"] = args.autopilot
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for error in exc.errors():
            print(f"backend_stub: {error['msg']}", file=sys.stderr)
        sys.exit(2)
    if settings.is_dev and not settings.public_base_url:
        settings = settings.model_copy(update={"public_base_url": served_at(args.host, args.port)})
    refusal = _workers_refusal(args.workers, settings)
    if refusal:
        print(f"backend_stub: {refusal}", file=sys.stderr)
        sys.exit(2)
    _log_setup()
    proxies = settings.trusted_proxy_list
    served = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "timeout_graceful_shutdown": 3,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
    }
    if args.workers > 1:
        _prepare_database(settings)
        os.environ.update(_worker_environment(settings))
        uvicorn.run(
            "backend_stub.__main__:worker_app", factory=True, workers=args.workers, **served
        )
        return
    from backend_stub.main import create_app

    app = create_app(settings)
    uvicorn.run(app, **served)


def _workers_refusal(workers: int, settings: Settings) -> str | None:
    """Why these settings cannot run on `workers` processes; None if they can."""
    if workers < 1:
        return "--workers must be 1 or more"
    if workers == 1:
        return None
    if settings.effective_database_url.startswith("sqlite"):
        return (
            f"--workers {workers} needs PostgreSQL (DATABASE_URL): a SQLite database file is "
            "served by one process"
        )
    if settings.autopilot_interval_s > 0:
        return "the demo autopilot runs in one process: use --workers 1 with --autopilot"
    return None


def _log_setup() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    access_log.install()


def _prepare_database(settings: Settings) -> None:
    """Once, before the workers start: the tables, and the demo city with --demo."""
    from backend_stub.db import init_db, make_engine
    from backend_stub.demo.seed import seed_demo

    engine = make_engine(settings)
    try:
        init_db(engine)
        if settings.demo:
            seed_demo(engine, settings)
    finally:
        engine.dispose()


def _worker_environment(settings: Settings) -> dict[str, str]:
    """What the command line decided, as the settings' environment variables for the workers
    (the demo city is seeded already, so they do not seed it again)."""
    return {
        "DATA_DIR": str(settings.data_dir.resolve()),
        "PUBLIC_BASE_URL": settings.public_base_url,
        "DEMO": "false",
    }


def worker_app() -> FastAPI:
    """The app of one `--workers` process (uvicorn calls this in each of them)."""
    from backend_stub.main import create_app

    _log_setup()
    return create_app(Settings())


if __name__ == "__main__":
    main()
