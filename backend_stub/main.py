"""The application factory: settings → engine → routers, in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.middleware.trustedhost import TrustedHostMiddleware

from backend_stub import console, public_url
from backend_stub.api_docs import install_docs
from backend_stub.body_limit import MAX_BODY_BYTES, BodyLimit
from backend_stub.config import Settings
from backend_stub.crud.media import upload_cap
from backend_stub.db import init_db, make_engine, request_slots
from backend_stub.demo import autopilot, emergency_sim
from backend_stub.demo.seed import seed_demo
from backend_stub.errors import install_error_handlers
from backend_stub.openapi_errors import document_errors
from backend_stub.overload import OverloadGuard
from backend_stub.routers import (
    alerts,
    appeals,
    auth,
    chat,
    classifier,
    dev,
    emergency,
    events,
    initiatives,
    media,
    notices,
    open311,
    operator,
    places,
    polls,
    profile,
    proposals,
    sync,
    uploads,
)
from backend_stub.services import emergency_worker, push_bus
from backend_stub.services.sms import DevInbox, make_sms_gateway
from backend_stub.staff import refuse_demo_passwords

log = logging.getLogger("city109")


class Health(BaseModel):
    status: str
    env: str


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings)
    init_db(engine)
    if not settings.is_dev:
        refuse_demo_passwords(engine)
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    if settings.demo:
        seed_demo(engine, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.autopilot_interval_s > 0:
            task = asyncio.create_task(autopilot.run_autopilot(engine, settings))
        emergency_task = emergency_worker.start(engine, settings)
        listener = await asyncio.to_thread(push_bus.start, engine)  # PostgreSQL: the push bus
        yield
        if listener is not None:
            await asyncio.to_thread(listener.stop)
        await emergency_worker.stop(emergency_task)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        engine.dispose()

    docs = settings.is_dev  # production serves no /docs, /redoc or /openapi.json
    app = FastAPI(
        title="109 — city contact centre API",
        version="1.0",
        lifespan=lifespan,
        docs_url=None,  # served by api_docs from local files (FastAPI's would load a CDN)
        redoc_url=None,  # so is /redoc
        openapi_url="/openapi.json" if docs else None,
        description="Resident app backend: SMS sign-in, appeals, chat, media, sync feed, "
        "operator API and console, Open311 GeoReport v2.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.db_slots = anyio.CapacityLimiter(request_slots(engine))
    app.state.inbox = DevInbox()
    app.state.sms = make_sms_gateway(settings, app.state.inbox)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, upload_max_bytes=upload_cap(settings) + MAX_BODY_BYTES)
    app.add_middleware(OverloadGuard, limit=settings.max_requests_in_flight)
    app.add_middleware(  # outermost: a request naming another host goes no further (400)
        TrustedHostMiddleware, allowed_hosts=public_url.allowed_hosts(settings), www_redirect=False
    )
    document_errors(app)
    if docs:
        install_docs(app)

    @app.get("/health", response_model=Health, tags=["health"])
    def health() -> Health:
        return Health(status="ok", env=settings.app_env)

    for module in (
        auth,
        profile,
        classifier,
        appeals,
        chat,
        sync,
        operator,
        media,
        uploads,
        open311,
        polls,
        initiatives,
        proposals,
        emergency,
        notices,
        places,
        alerts,
        events,
        console,
    ):
        app.include_router(module.router)
    if settings.is_dev:
        app.include_router(dev.router)
        app.include_router(emergency_sim.router)
    return app
