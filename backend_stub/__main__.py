"""`python -m backend_stub --host H --port P --data-dir DIR [--demo]`."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import uvicorn

from backend_stub.config import Settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m backend_stub", description=__doc__)
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8109")))
    p.add_argument("--data-dir", type=Path, default=None, help="where the SQLite file and media go")
    p.add_argument("--demo", action="store_true", help="seed the demo city, operator and appeals")
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
    settings = Settings(**overrides)  # type: ignore[arg-type]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from backend_stub.main import create_app

    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", timeout_graceful_shutdown=3)


if __name__ == "__main__":
    main()
