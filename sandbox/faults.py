"""Fault injection: latency, errors, hangs, dropped connections, outages, commit-then-fail.

A fault is a :class:`FaultRule`, matched per API by path prefix (``/api/v2`` Zendesk,
``/services/data`` Salesforce, ``/crm`` HubSpot) and optionally by a finer path prefix and
a method. Rules come from a YAML/JSON file or CLI flags at start (``SandboxConfig.faults``),
from ``POST /_sandbox/faults`` at run time, or from Python (``state.faults.add(...)``).

``phase`` places a rule relative to the side effect (the vendor handler's work):

- ``before``: the request never reaches the handler (latency delays it; a failure means
  nothing was written);
- ``after``: the handler runs and commits, then the response is delayed or lost — the
  "commit then fail" case that idempotency keys exist for. ``kind: commit_then_fail`` is
  shorthand for a dropped connection after the commit.

Kinds: ``latency`` (``latency_ms`` + uniform ``[0, jitter_ms]``), ``error`` (``status``,
vendor-shaped body, optional ``retry_after``), ``hang`` (no answer for ``hang_seconds``,
ended early when the client gives up, then the connection is closed), ``drop`` (connection
closed without an answer), ``outage`` (an ``error``, 503 by default, inside a time window),
``commit_then_fail``. Every rule may carry ``rate`` (probability), ``times`` (applies at
most N times) and a window (``start``/``end`` on the sandbox clock, or ``starts_in``/
``duration`` seconds from when it is added).

:class:`FaultLayer` applies them as the outermost ASGI layer so that it can close the
client's connection itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.paths import normalize_path

Api = Literal["zendesk", "salesforce", "hubspot"]
FaultKind = Literal["latency", "error", "hang", "drop", "outage", "commit_then_fail"]

#: Which API a path belongs to, by prefix.
API_PREFIXES: dict[str, str] = {
    "/api/v2": "zendesk",
    "/services/data": "salesforce",
    "/crm": "hubspot",
}


def api_of(path: str) -> str | None:
    """``zendesk`` / ``salesforce`` / ``hubspot`` for a vendor path, else ``None``."""
    for prefix, api in API_PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return api
    return None


class FaultRule(BaseModel):
    """One fault. See the module docstring for the meaning of each field."""

    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    api: Api | None = None  # None: every vendor API
    path: str | None = None  # prefix of the path without ``.json``, e.g. /api/v2/tickets
    method: str | None = None
    phase: Literal["before", "after"] = "before"
    rate: float = Field(default=1.0, ge=0.0, le=1.0)
    times: int | None = Field(default=None, ge=0)
    latency_ms: float = Field(default=0.0, ge=0.0)
    jitter_ms: float = Field(default=0.0, ge=0.0)
    status: int = Field(default=503, ge=400, le=599)
    retry_after: int | None = Field(default=None, ge=0)
    hang_seconds: float = Field(default=120.0, ge=0.0)
    start: float | None = None
    end: float | None = None
    starts_in: float | None = None
    duration: float | None = Field(default=None, ge=0.0)
    id: str | None = None

    @model_validator(mode="after")
    def _normalize(self) -> FaultRule:
        if self.kind == "commit_then_fail":
            self.phase = "after"
        if self.method is not None:
            self.method = self.method.upper()
        if self.path is not None:
            self.path = normalize_path(self.path)
        return self

    @property
    def fails(self) -> bool:
        return self.kind != "latency"

    def matches(self, api: str, method: str, path: str, now: float) -> bool:
        if self.api is not None and self.api != api:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path is not None and not (
            path == self.path or path.startswith(self.path.rstrip("/") + "/")
        ):
            return False
        if self.start is not None and now < self.start:
            return False
        return not (self.end is not None and now >= self.end)


def parse_fault_flag(text: str) -> FaultRule:
    """A rule from a CLI flag: ``kind=error,api=zendesk,status=503,rate=0.1``."""
    fields: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"expected key=value in fault flag, got {item!r}")
        fields[key.strip()] = value.strip()
    return FaultRule.model_validate(fields)


def load_fault_file(path: str | Path) -> list[FaultRule]:
    """Rules from a YAML or JSON file: a list of rules, or ``{"faults": [...]}``."""
    import yaml  # a YAML parser also reads JSON

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if isinstance(data, Mapping):
        data = data.get("faults", [])
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of faults or a mapping with 'faults'")
    return [FaultRule.model_validate(item) for item in data]


@dataclass(slots=True)
class FaultPlan:
    """What to do to one request."""

    delay_before: float = 0.0
    delay_after: float = 0.0
    fail_before: FaultRule | None = None
    fail_after: FaultRule | None = None


class FaultSet:
    """The active rules, thread-safe (tests add rules from their own thread)."""

    def __init__(self, clock: Callable[[], float], seed: int | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._remaining: dict[str, int] = {}
        self._random = random.Random(seed)
        self._ids = itertools.count(1)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def add(self, rule: FaultRule | Mapping[str, Any]) -> FaultRule:
        """Activate a rule; relative windows are anchored now. Returns it with its id."""
        rule = FaultRule.model_validate(rule) if isinstance(rule, Mapping) else rule.model_copy()
        now = self._clock()
        if rule.starts_in is not None or rule.duration is not None:
            rule.start = now + (rule.starts_in or 0.0)
            if rule.duration is not None:
                rule.end = rule.start + rule.duration
        with self._lock:
            rule.id = rule.id or f"f{next(self._ids)}"
            self._rules.append(rule)
            if rule.times is not None:
                self._remaining[rule.id] = rule.times
        return rule

    def load(self, rules: Iterable[FaultRule | Mapping[str, Any]]) -> list[FaultRule]:
        return [self.add(rule) for rule in rules]

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            self._remaining.pop(rule_id, None)
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._remaining.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remaining(self, rule_id: str) -> int | None:
        """How many more times a rule with ``times`` applies (None: unlimited)."""
        with self._lock:
            return self._remaining.get(rule_id)

    @contextmanager
    def injected(self, rule: FaultRule | Mapping[str, Any]) -> Iterator[FaultRule]:
        """``with state.faults.injected({...}) as rule:`` — active only inside the block."""
        added = self.add(rule)
        try:
            yield added
        finally:
            assert added.id is not None
            self.remove(added.id)

    def plan(self, api: str, method: str, path: str) -> FaultPlan | None:
        """Sample the rules that apply to this request; None when none do."""
        now = self._clock()
        plan: FaultPlan | None = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(api, method, path, now):
                    continue
                if (
                    rule.fails
                    and (plan is not None)
                    and (plan.fail_before if rule.phase == "before" else plan.fail_after)
                ):
                    continue  # one failure per phase: the first matching rule wins
                if rule.id in self._remaining and self._remaining[rule.id] <= 0:
                    continue
                if rule.rate < 1.0 and self._random.random() >= rule.rate:
                    continue
                if rule.id in self._remaining:
                    self._remaining[rule.id] -= 1
                plan = plan or FaultPlan()
                if rule.kind == "latency":
                    delay = (rule.latency_ms + self._random.uniform(0, rule.jitter_ms)) / 1000
                    if rule.phase == "before":
                        plan.delay_before += delay
                    else:
                        plan.delay_after += delay
                elif rule.phase == "before":
                    plan.fail_before = rule
                else:
                    plan.fail_after = rule
        return plan


# --- vendor-shaped error answers ---------------------------------------------------------

Headers = list[tuple[bytes, bytes]]
ErrorRenderer = Callable[[int, "int | None"], tuple[Headers, bytes]]

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_JSON = (b"content-type", b"application/json; charset=utf-8")


def _zendesk_error(status: int, retry_after: int | None) -> tuple[Headers, bytes]:
    if status == 429:
        # Zendesk's real 429: text/plain, always with Retry-After.
        return (
            [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"retry-after", str(retry_after or 1).encode()),
            ],
            b"Number of allowed API requests per minute exceeded",
        )
    reason = _REASONS.get(status, "Error")
    body = {"error": reason.replace(" ", ""), "description": reason}
    return [_JSON], json.dumps(body).encode()


_SALESFORCE_CODES = {
    400: ("Bad request", "INVALID_INPUT"),
    401: ("Session expired or invalid", "INVALID_SESSION_ID"),
    403: ("TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED"),
    404: ("The requested resource does not exist", "NOT_FOUND"),
    503: ("Server Unavailable", "SERVER_UNAVAILABLE"),
}


def _salesforce_error(status: int, retry_after: int | None) -> tuple[Headers, bytes]:
    message, code = _SALESFORCE_CODES.get(
        status, ("An unexpected error occurred. Please try again.", "UNKNOWN_EXCEPTION")
    )
    return [_JSON], json.dumps([{"message": message, "errorCode": code}]).encode()


def _hubspot_error(status: int, retry_after: int | None) -> tuple[Headers, bytes]:
    body: dict[str, Any] = {"status": "error", "correlationId": str(uuid.uuid4())}
    if status == 429:
        body |= {
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "policyName": "TEN_SECONDLY_ROLLING",
        }
    else:
        body |= {"message": _REASONS.get(status, "Error"), "category": "INTERNAL_ERROR"}
    return [_JSON], json.dumps(body).encode()


#: Error bodies per API. Vendor modules may replace their entry at install time.
ERROR_RENDERERS: dict[str, ErrorRenderer] = {
    "zendesk": _zendesk_error,
    "salesforce": _salesforce_error,
    "hubspot": _hubspot_error,
}


# --- the ASGI layer -------------------------------------------------------------------


async def send_bytes(send: Send, status: int, headers: Headers, body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def drop_connection(send: Send) -> None:
    """Close the client's connection without an answer.

    ASGI has no "close" message, so reach the transport through uvicorn's send callable
    (a bound method of its request cycle). Elsewhere, start a response and fail: the
    server then closes the connection mid-response, which clients also see as a drop.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise ConnectionAbortedError("sandbox fault: connection dropped")
    transport.close()
    for _ in range(100):  # let connection_lost() mark the cycle disconnected
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)


async def wait_for_disconnect(receive: Receive, seconds: float) -> bool:
    """Wait until the client goes away (True) or ``seconds`` pass (False)."""

    async def _wait() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(_wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


class FaultLayer:
    """Outermost ASGI layer: applies :class:`FaultSet` rules to vendor API requests."""

    def __init__(self, app: ASGIApp, faults: FaultSet, clock: Callable[[], float]) -> None:
        self.app = app
        self.faults = faults
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.faults:
            await self.app(scope, receive, send)
            return
        path = normalize_path(scope["path"])
        api = api_of(path)
        plan = self.faults.plan(api, scope["method"], path) if api else None
        if plan is None or api is None:
            await self.app(scope, receive, send)
            return
        if plan.delay_before:
            await asyncio.sleep(plan.delay_before)
        if plan.fail_before is not None:
            await self._fail(plan.fail_before, api, receive, send)
            return
        if not plan.delay_after and plan.fail_after is None:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        if plan.delay_after:
            await asyncio.sleep(plan.delay_after)
        if plan.fail_after is not None:
            await self._fail(plan.fail_after, api, receive, send)
            return
        for message in held:
            await send(message)

    async def _fail(self, rule: FaultRule, api: str, receive: Receive, send: Send) -> None:
        if rule.kind in ("drop", "commit_then_fail"):
            await drop_connection(send)
        elif rule.kind == "hang":
            if not await wait_for_disconnect(receive, rule.hang_seconds):
                await drop_connection(send)
        else:  # error, outage
            retry_after = rule.retry_after
            if retry_after is None and rule.kind == "outage" and rule.end is not None:
                retry_after = max(1, math.ceil(rule.end - self.clock()))
            headers, body = ERROR_RENDERERS[api](rule.status, retry_after)
            if retry_after is not None and not any(k == b"retry-after" for k, _ in headers):
                headers = [*headers, (b"retry-after", str(retry_after).encode())]
            await send_bytes(send, rule.status, headers, body)
