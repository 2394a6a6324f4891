"""Uploads and attachments, satisfaction ratings, incremental ticket export (cursor)."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from sandbox.http import absolute_url, json_response, public_base_url
from sandbox.routing import Routes
from sandbox.zendesk.errors import ZendeskError, bad_request, not_found, record_invalid
from sandbox.zendesk.pagination import paginate
from sandbox.zendesk.store import Record, ZendeskStore, iso
from sandbox.zendesk.tickets import read_json, render_ticket

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_TTL_SECONDS = 3 * 24 * 3600
EXPORT_DEFAULT_PAGE = 1000
#: The incremental export never returns changes of the last minute.
EXPORT_LAG_SECONDS = 60


def _encode_export_cursor(ts: int, ticket_id: int) -> str:
    raw = json.dumps([ts, ticket_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_export_cursor(cursor: str) -> tuple[int, int]:
    try:
        ts, ticket_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return int(ts), int(ticket_id)
    except (ValueError, TypeError, binascii.Error) as err:
        raise bad_request("InvalidValue", "Invalid cursor") from err


def routes(store: ZendeskStore) -> Routes:
    router = Routes()

    # --- uploads ---------------------------------------------------------------------

    @router.post("/uploads")
    async def upload(request: Request) -> Response:
        filename = request.query_params.get("filename")
        if not filename:
            raise bad_request("InvalidValue", "Parameter 'filename' is required")
        data = await request.body()
        if len(data) > MAX_UPLOAD_BYTES:
            raise ZendeskError(
                413, {"error": "RequestEntityTooLarge", "description": "File too large"}
            )
        token = request.query_params.get("token")
        if token and token not in store.uploads:
            raise not_found()
        token = token or store.next_upload_token()
        attachment_id = store.next_attachment_id()
        base = public_base_url(request)
        content_type = request.headers.get("content-type") or "application/octet-stream"
        # Stored as received: zenpy sends a local path whole unless given target_name.
        attachment: Record = {
            "id": attachment_id,
            "url": f"{base}/api/v2/attachments/{attachment_id}.json",
            "file_name": filename,
            "content_url": f"{base}/attachments/token/{token}/?name={quote(filename)}",
            "mapped_content_url": f"{base}/attachments/token/{token}/?name={quote(filename)}",
            "content_type": content_type.split(";")[0].strip(),
            "size": len(data),
            "width": None,
            "height": None,
            "inline": False,
            "deleted": False,
            "malware_access_override": False,
            "malware_scan_result": "malware_not_found",
            "thumbnails": [],
        }
        with store.state.lock:
            store.attachments[attachment_id] = {**attachment, "_data": data, "_token": token}
            upload = store.uploads.setdefault(
                token,
                {
                    "token": token,
                    "expires_at": iso(store.now() + UPLOAD_TTL_SECONDS),
                    "attachments": [],
                },
            )
            upload["attachments"].append(attachment)
            upload["attachment"] = attachment
        store.state.ledger.record("zendesk", "upload.create", attachment_id, token=token)
        return json_response({"upload": upload}, 201)

    @router.get("/attachments/{attachment_id:int}")
    async def show_attachment(request: Request, attachment_id: int) -> Response:
        found = store.attachments.get(attachment_id)
        if found is None:
            raise not_found()
        return json_response({"attachment": {k: v for k, v in found.items() if k[0] != "_"}})

    # --- satisfaction ratings --------------------------------------------------------

    def rating_url(request: Request, rating: Record) -> Record:
        base = public_base_url(request)
        return {"url": f"{base}/api/v2/satisfaction_ratings/{rating['id']}.json", **rating}

    @router.get("/satisfaction_ratings")
    async def list_ratings(request: Request) -> Response:
        params = request.query_params
        items = list(store.satisfaction_ratings.values())
        score = params.get("score")
        if score:
            wanted = {"received": ("good", "bad"), "good": ("good",), "bad": ("bad",)}.get(
                score, (score,)
            )
            items = [r for r in items if r["score"] in wanted]
        if params.get("start_time"):
            items = [r for r in items if r["_ts"] >= int(params["start_time"])]
        if params.get("end_time"):
            items = [r for r in items if r["_ts"] <= int(params["end_time"])]
        body = paginate(
            request,
            "satisfaction_ratings",
            items,
            "/api/v2/satisfaction_ratings.json",
            lambda r: rating_url(request, {k: v for k, v in r.items() if k[0] != "_"}),
        )
        return json_response(body)

    @router.get("/satisfaction_ratings/{rating_id:int}")
    async def show_rating(request: Request, rating_id: int) -> Response:
        rating = store.satisfaction_ratings.get(rating_id)
        if rating is None:
            raise not_found()
        public = {k: v for k, v in rating.items() if k[0] != "_"}
        return json_response({"satisfaction_rating": rating_url(request, public)})

    @router.post("/tickets/{ticket_id:int}/satisfaction_rating")
    async def rate(request: Request, ticket_id: int) -> Response:
        ticket = store.ticket(ticket_id)
        data = (await read_json(request)).get("satisfaction_rating")
        if not isinstance(data, dict) or data.get("score") not in ("good", "bad", "offered"):
            raise record_invalid("score", "Score: is not valid")
        if ticket["status"] not in ("solved", "closed"):
            raise record_invalid(
                "ticket", "Ticket: must be solved before it can be rated", "InvalidValue"
            )
        now = store.now()
        rating: Record = {
            "id": store.next_rating_id(),
            "assignee_id": ticket["assignee_id"],
            "group_id": ticket["group_id"],
            "requester_id": ticket["requester_id"],
            "ticket_id": ticket_id,
            "score": data["score"],
            "comment": data.get("comment"),
            "reason": data.get("reason"),
            "reason_id": data.get("reason_id"),
            "created_at": iso(now),
            "updated_at": iso(now),
            "_ts": int(now),
        }
        with store.state.lock:
            store.satisfaction_ratings[rating["id"]] = rating
            ticket["satisfaction_rating"] = {
                "id": rating["id"],
                "score": rating["score"],
                "comment": rating["comment"],
            }
            ticket["updated_at"] = iso(now)
            ticket["generated_timestamp"] = int(now)
        store.state.ledger.record(
            "zendesk", "satisfaction_rating.create", rating["id"], ticket_id=ticket_id
        )
        public = {k: v for k, v in rating.items() if k[0] != "_"}
        return json_response({"satisfaction_rating": rating_url(request, public)})

    # --- incremental export ----------------------------------------------------------

    @router.get("/incremental/tickets/cursor")
    async def export_tickets(request: Request) -> Response:
        params = request.query_params
        now = int(store.now())
        cutoff = now - EXPORT_LAG_SECONDS
        try:
            per_page = min(int(params.get("per_page", EXPORT_DEFAULT_PAGE)), EXPORT_DEFAULT_PAGE)
        except ValueError:
            raise bad_request("InvalidValue", "per_page must be an integer") from None
        if params.get("cursor"):
            position = _decode_export_cursor(params["cursor"])
        elif params.get("start_time") is not None:
            try:
                start = int(params["start_time"])
            except ValueError:
                raise bad_request("InvalidValue", "start_time must be an integer") from None
            if start > cutoff:
                raise bad_request(
                    "InvalidValue",
                    "Too recent start_time. Use a start_time older than 1 minute",
                )
            position = (start, -1)
        else:
            raise bad_request("InvalidValue", "Parameter 'start_time' or 'cursor' is required")
        ordered = sorted(
            (t for t in store.tickets.values() if t["generated_timestamp"] < cutoff),
            key=lambda t: (t["generated_timestamp"], t["id"]),
        )
        remaining = [t for t in ordered if (t["generated_timestamp"], t["id"]) > position]
        page = remaining[:per_page]
        last = page[-1] if page else None
        after = (
            _encode_export_cursor(last["generated_timestamp"], last["id"])
            if last
            else _encode_export_cursor(*position)
        )
        first = page[0] if page else None
        before = _encode_export_cursor(first["generated_timestamp"], first["id"]) if first else None
        path = "/api/v2/incremental/tickets/cursor.json"
        return json_response(
            {
                "tickets": [render_ticket(request, t) for t in page],
                "after_url": absolute_url(request, path, {"cursor": after}),
                "after_cursor": after,
                "before_url": absolute_url(request, path, {"cursor": before}) if before else None,
                "before_cursor": before,
                "end_of_stream": len(remaining) <= per_page,
            }
        )

    return router


def content_routes(store: ZendeskStore) -> Routes:
    """Attachment downloads live outside ``/api/v2`` (``content_url``), without the gate."""
    router = Routes()

    @router.get("/token/{token}")
    async def attachment_content(request: Request, token: str) -> Response:
        name = request.query_params.get("name")
        for attachment in store.attachments.values():
            if attachment["_token"] == token and name in (None, attachment["file_name"]):
                return Response(attachment["_data"], media_type=attachment["content_type"])
        return Response(b"Not Found", 404, media_type="text/plain")

    return router
