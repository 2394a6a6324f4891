"""``/_sandbox/...``: the sandbox's own admin API (ledger, reset)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request

from sandbox.state import SandboxState

router = APIRouter(prefix="/_sandbox")


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


@router.get("/ledger")
def ledger(request: Request, api: str | None = None, action: str | None = None) -> dict[str, object]:
    entries = _state(request).ledger.entries(api, action)
    return {"count": len(entries), "entries": [e.to_json() for e in entries]}


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def install(app: FastAPI, state: SandboxState) -> None:
    app.include_router(router)
