"""The framework's ceiling on this machine: a bare FastAPI app with one route, served the way
`python -m backend_stub` serves the backend (uvicorn, the same options, the access log on, a
plain `def` route run in the worker threads as the backend's are). No database, no middleware:
whatever the backend answers below this, it spends in its own code.

  python -m bench.ceiling_app --port P
"""

from __future__ import annotations

import argparse
import logging

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "env": "dev"}


def serve(served: FastAPI, port: int) -> None:
    """`served` on loopback `port` with the backend's uvicorn options and access log."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        served,
        host="127.0.0.1",
        port=port,
        log_level="info",
        timeout_graceful_shutdown=3,
        proxy_headers=False,
        forwarded_allow_ips=None,
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ceiling_app")
    p.add_argument("--port", type=int, required=True)
    serve(app, p.parse_args(argv).port)


if __name__ == "__main__":
    main()
