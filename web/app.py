"""The daemon's FastAPI app: ``POST /v1/events`` (signed), health and metrics."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from core.context.masking import MaskingRules
from core.engine import Engine
from core.events import EventBatchError, FieldProblem, parse_events
from core.signing import HEADER, SignatureError, verify
from observability.metrics import Metrics
from store.db import Database
from store.ingest import CrmFields, IngestResult, ingest
from web.bodies import BodyError, parse_body

log = structlog.get_logger("baton.web")


@dataclass
class WebhookConfig:
    """What the webhook accepts."""

    secrets: Sequence[str]
    max_body_bytes: int = 1_048_576
    tolerance_seconds: float = 300.0


@dataclass
class Services:
    """What the web layer needs, wired by ``main``."""

    db: Database
    engine: Engine
    webhook: WebhookConfig
    clock: Callable[[], datetime]
    metrics: Metrics = field(default_factory=Metrics)
    #: called after a batch that queued handoffs is committed (wakes the workers)
    on_enqueued: Callable[[IngestResult], None] = lambda result: None
    #: called after a batch that started conversations is committed (CRM prefetch)
    on_started: Callable[[IngestResult], None] = lambda result: None
    masking: MaskingRules | None = None
    crm_fields: CrmFields | None = None
    wall_clock: Callable[[], float] = time.time


def _problem(status: int, error: str, message: str, errors: list[FieldProblem] | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"error": error, "message": message}
    if errors:
        body["errors"] = [p.model_dump() for p in errors]
    return JSONResponse(body, status_code=status)


def create_app(services: Services, routers: Sequence[APIRouter] = ()) -> FastAPI:
    app = FastAPI(
        title="Baton",
        version="0.1.0",
        description="Signed event webhook of the Baton handoff daemon.",
    )
    app.state.services = services
    for router in routers:
        app.include_router(router)

    @app.post("/v1/events")
    async def receive_events(request: Request) -> Response:
        """Accept one event, a JSON array or JSON Lines, signed with X-Baton-Signature."""
        s: Services = request.app.state.services
        limit = s.webhook.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return _reject(s, 413, "body_too_large", f"body exceeds the {limit}-byte limit")
        chunks = bytearray()
        async for chunk in request.stream():
            chunks.extend(chunk)
            if len(chunks) > limit:
                return _reject(s, 413, "body_too_large", f"body exceeds the {limit}-byte limit")
        body = bytes(chunks)
        try:
            verify(
                request.headers.get(HEADER),
                body,
                s.webhook.secrets,
                now=s.wall_clock(),
                tolerance=s.webhook.tolerance_seconds,
            )
        except SignatureError as err:
            return _reject(s, 401, "invalid_signature", str(err))
        try:
            items, single = parse_body(body, request.headers.get("content-type"))
            events = parse_events(items, single=single)
        except BodyError as err:
            return _reject(s, 400, "malformed_body", str(err), err.problems)
        except EventBatchError as err:
            return _reject(s, 422, "invalid_events", str(err), err.problems)
        result = await run_in_threadpool(
            ingest, s.db, events, s.engine, s.clock(), s.masking, s.crm_fields
        )
        s.metrics.events.labels("accepted").inc(result.accepted)
        s.metrics.events.labels("duplicate").inc(result.duplicates)
        s.metrics.escalations.inc(len(result.escalated))
        if result.started:
            s.on_started(result)
        if result.outbox_ids:
            s.on_enqueued(result)
        return JSONResponse(
            {
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "decisions": [d.model_dump(mode="json") for d in result.decisions.values()],
            },
            status_code=200,
        )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(request: Request) -> Response:
        """Readiness: the store answers."""
        s: Services = request.app.state.services
        try:
            with s.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as err:
            log.warning("readyz.store_unreachable", error=type(err).__name__)
            return JSONResponse({"status": "unavailable", "store": "unreachable"}, 503)
        return JSONResponse({"status": "ok"})

    @app.get("/metrics")
    def metrics(request: Request) -> Response:
        s: Services = request.app.state.services
        return Response(generate_latest(s.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _reject(
    s: Services,
    status: int,
    error: str,
    message: str,
    problems: list[FieldProblem] | None = None,
) -> JSONResponse:
    s.metrics.requests_rejected.labels(str(status)).inc()
    log.info("webhook.rejected", status=status, error=error, detail=message[:300])
    return _problem(status, error, message, problems)
