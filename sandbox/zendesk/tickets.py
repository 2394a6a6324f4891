"""Tickets: create (with Idempotency-Key), create_many + job statuses, list, show,
show_many, update, comments."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.http import json_response, public_base_url
from sandbox.routing import Routes
from sandbox.zendesk.errors import ZendeskError, bad_request, not_found, record_invalid
from sandbox.zendesk.pagination import paginate
from sandbox.zendesk.store import Record, ZendeskStore, iso

MAX_MANY = 100


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        payload = json.loads(raw or b"{}")
    except ValueError:
        raise bad_request("InvalidJSON", "The request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise bad_request("InvalidJSON", "The request body must be a JSON object")
    return payload


def actor(request: Request) -> int:
    user_id: int = request.state.zendesk_user_id
    return user_id


def id_list(raw: str | None) -> list[int]:
    try:
        return [int(part) for part in (raw or "").split(",") if part.strip()]
    except ValueError:
        raise bad_request("InvalidValue", "ids must be a comma-separated list of ids") from None


def ticket_url(request: Request, ticket_id: int) -> str:
    return f"{public_base_url(request)}/api/v2/tickets/{ticket_id}.json"


def render_ticket(request: Request, ticket: Record) -> Record:
    # `fields` mirrors `custom_fields` on the real API; rendered, not stored twice.
    return {"url": ticket_url(request, ticket["id"]), **ticket, "fields": ticket["custom_fields"]}


def routes(store: ZendeskStore) -> Routes:
    router = Routes()
    jobs: set[asyncio.Task[None]] = set()  # strong references to running jobs

    def render_job(request: Request, job: Record) -> Record:
        return {"url": f"{public_base_url(request)}/api/v2/job_statuses/{job['id']}.json", **job}

    @router.post("/tickets")
    async def create_ticket(request: Request) -> Response:
        payload = await read_json(request)
        key = request.headers.get("idempotency-key")
        fingerprint = ""
        if key:
            fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            found = store.idempotent_lookup(key, fingerprint)
            if found is False:
                raise bad_request(
                    "IdempotentRequestError",
                    "Request parameters don't match the given idempotency key",
                )
            if found:
                headers = {**found.headers, "x-idempotency-lookup": "hit"}
                return Response(found.body, found.status, headers=headers)
        data = payload.get("ticket")
        if not isinstance(data, dict):
            raise record_invalid("description", "Description: cannot be blank", "BlankValue")
        ticket, audit = store.create_ticket(data, actor(request))
        location = ticket_url(request, ticket["id"])
        response = json_response(
            {"ticket": render_ticket(request, ticket), "audit": audit},
            201,
            {"Location": location},
        )
        if key:
            response.headers["x-idempotency-lookup"] = "miss"
            stored = {"Location": location, "content-type": response.media_type or ""}
            store.idempotent_store(key, fingerprint, 201, stored, bytes(response.body))
        return response

    @router.post("/tickets/create_many")
    async def create_many(request: Request) -> Response:
        payload = await read_json(request)
        tickets = payload.get("tickets")
        if not isinstance(tickets, list) or not tickets:
            raise record_invalid("tickets", "Tickets: cannot be blank", "BlankValue")
        if len(tickets) > MAX_MANY:
            raise bad_request(
                "TooManyValues",
                f"Too many values specified for parameter 'tickets', max is {MAX_MANY}",
                max_count=MAX_MANY,
            )
        job: Record = {
            "id": store.next_job_id(),
            "job_type": "bulk_create_tickets",
            "total": len(tickets),
            "progress": None,
            "status": "queued",
            "message": None,
            "results": None,
        }
        with store.state.lock:
            store.jobs[job["id"]] = job
        task = asyncio.create_task(_run_create_many(store, job, tickets, actor(request)))
        jobs.add(task)
        task.add_done_callback(jobs.discard)
        return json_response({"job_status": render_job(request, job)})

    @router.get("/job_statuses")
    async def list_jobs(request: Request) -> Response:
        items = sorted(store.jobs.values(), key=lambda j: j["id"])
        return json_response({"job_statuses": [render_job(request, j) for j in items]})

    @router.get("/job_statuses/show_many")
    async def show_many_jobs(request: Request) -> Response:
        wanted = [part for part in request.query_params.get("ids", "").split(",") if part]
        found = [render_job(request, store.jobs[i]) for i in wanted if i in store.jobs]
        return json_response({"job_statuses": found})

    @router.get("/job_statuses/{job_id}")
    async def show_job(request: Request, job_id: str) -> Response:
        job = store.jobs.get(job_id)
        if job is None:
            raise not_found()
        return json_response({"job_status": render_job(request, job)})

    @router.get("/tickets")
    async def list_tickets(request: Request) -> Response:
        items: list[Record] = list(store.tickets.values())
        external_id = request.query_params.get("external_id")
        if external_id is not None:
            items = [t for t in items if t["external_id"] == external_id]
        body = paginate(
            request, "tickets", items, "/api/v2/tickets.json", lambda t: render_ticket(request, t)
        )
        return json_response(body)

    @router.get("/tickets/show_many")
    async def show_many(request: Request) -> Response:
        ids = id_list(request.query_params.get("ids"))
        if len(ids) > MAX_MANY:
            raise bad_request(
                "TooManyValues",
                f"Too many values specified for parameter 'ids', max is {MAX_MANY}",
                max_count=MAX_MANY,
            )
        found = [render_ticket(request, store.tickets[i]) for i in ids if i in store.tickets]
        return json_response(
            {"tickets": found, "next_page": None, "previous_page": None, "count": len(found)}
        )

    @router.get("/tickets/{ticket_id:int}")
    async def show_ticket(request: Request, ticket_id: int) -> Response:
        return json_response({"ticket": render_ticket(request, store.ticket(ticket_id))})

    @router.put("/tickets/{ticket_id:int}")
    async def update_ticket(request: Request, ticket_id: int) -> Response:
        payload = await read_json(request)
        data = payload.get("ticket")
        if not isinstance(data, dict):
            raise bad_request("InvalidValue", "Parameter 'ticket' is required")
        ticket, audit = store.update_ticket(ticket_id, data, actor(request))
        return json_response({"ticket": render_ticket(request, ticket), "audit": audit})

    @router.get("/tickets/{ticket_id:int}/comments")
    async def comments(request: Request, ticket_id: int) -> Response:
        store.ticket(ticket_id)
        items = store.comments.get(ticket_id, [])
        path = f"/api/v2/tickets/{ticket_id}/comments.json"
        return json_response(paginate(request, "comments", items, path))

    @router.get("/tickets/{ticket_id:int}/audits")
    async def audits(request: Request, ticket_id: int) -> Response:
        store.ticket(ticket_id)
        items = store.audits.get(ticket_id, [])
        path = f"/api/v2/tickets/{ticket_id}/audits.json"
        return json_response(paginate(request, "audits", items, path))

    return router


async def _run_create_many(
    store: ZendeskStore, job: Record, tickets: list[Any], actor_id: int
) -> None:
    """queued → working → completed, creating the tickets in between."""
    step = store.state.config.zendesk_job_step_seconds
    await asyncio.sleep(step)
    job.update(status="working", progress=0)
    results: list[Record] = []
    for index, data in enumerate(tickets):
        try:
            if not isinstance(data, dict):
                raise record_invalid("ticket", "Ticket: is invalid")
            ticket, _ = store.create_ticket(data, actor_id)
            results.append({"index": index, "id": ticket["id"]})
        except ZendeskError as err:
            results.append(
                {"index": index, "error": err.body.get("error"), "details": err.body.get("details")}
            )
        job["progress"] = index + 1
    await asyncio.sleep(step)
    job.update(
        status="completed",
        results=results,
        message=f"Completed at {iso(store.now())}",
    )
