"""``/_sandbox/...``: the sandbox's own admin API (ledger, faults, reset, health).

- ``GET /_sandbox/ledger?api=&action=`` — side effects, countable;
- ``GET /_sandbox/faults`` — active rules; ``POST`` one rule or ``{"faults": [...],
  "replace": bool}``; ``DELETE`` all, or ``DELETE /_sandbox/faults/{id}`` one;
- ``POST /_sandbox/reset`` — back to the seed data, empty ledger, start-up faults;
- ``POST /_sandbox/clock {"advance": seconds}`` — move the sandbox clock;
- ``GET /_sandbox/health``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import ValidationError
from starlette.responses import Response

from sandbox.http import json_response
from sandbox.state import SandboxState

router = APIRouter(prefix="/_sandbox")


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _faults_body(state: SandboxState) -> dict[str, Any]:
    rules = []
    for rule in state.faults.rules():
        data = rule.model_dump(exclude_none=True)
        if rule.id is not None and rule.times is not None:
            data["remaining"] = state.faults.remaining(rule.id)
        rules.append(data)
    return {"faults": rules}


@router.get("/ledger")
async def ledger(request: Request, api: str | None = None, action: str | None = None) -> Response:
    entries = _state(request).ledger.entries(api, action)
    return json_response({"count": len(entries), "entries": [e.to_json() for e in entries]})


@router.get("/faults")
async def list_faults(request: Request) -> Response:
    return json_response(_faults_body(_state(request)))


@router.post("/faults")
async def add_faults(request: Request) -> Response:
    state = _state(request)
    try:
        payload = await request.json()
    except ValueError:
        return json_response({"error": "body must be JSON"}, 400)
    if isinstance(payload, dict) and "faults" in payload:
        rules, replace = payload["faults"], bool(payload.get("replace", False))
    else:
        rules, replace = [payload], False
    if not isinstance(rules, list):
        return json_response({"error": "'faults' must be a list"}, 400)
    try:
        from sandbox.faults import FaultRule

        parsed = [FaultRule.model_validate(rule) for rule in rules]
    except ValidationError as err:
        return json_response(
            {"error": "invalid fault", "details": err.errors(include_url=False)}, 422
        )
    if replace:
        state.faults.clear()
    state.faults.load(parsed)
    return json_response(_faults_body(state), 201)


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    _state(request).faults.clear()
    return Response(status_code=204)


@router.delete("/faults/{rule_id}")
async def remove_fault(request: Request, rule_id: str) -> Response:
    if not _state(request).faults.remove(rule_id):
        return json_response({"error": f"no fault {rule_id}"}, 404)
    return Response(status_code=204)


@router.post("/reset")
async def reset(request: Request) -> Response:
    _state(request).reset()
    return Response(status_code=204)


@router.post("/clock")
async def clock(request: Request) -> Response:
    state = _state(request)
    payload = await request.json()
    state.clock.advance(float(payload.get("advance", 0)))
    return json_response({"now": state.clock(), "offset": state.clock.offset})


@router.get("/health")
async def health() -> Response:
    return json_response({"status": "ok"})


def install(app: FastAPI, state: SandboxState) -> None:
    app.include_router(router)
