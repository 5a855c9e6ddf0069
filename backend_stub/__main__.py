"""The 109 contact centre's backend: the resident app's API, the operator console, Open311.

Run it with `python -m backend_stub [--host H] [--port P] [--data-dir DIR] [--demo]` (`--help`
explains each). Settings that production refuses stop it here, with the names of what to fix
(exit status 2).
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
from pydantic import ValidationError

from backend_stub import access_log
from backend_stub.config import Settings
from backend_stub.public_url import served_at


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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from backend_stub.main import create_app

    app = create_app(settings)
    access_log.install()
    proxies = settings.trusted_proxy_list
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        timeout_graceful_shutdown=3,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )


if __name__ == "__main__":
    main()
