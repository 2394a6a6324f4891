"""Users (create, show, search by email and external_id), organizations, groups and
ticket fields."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from sandbox.http import json_response, public_base_url
from sandbox.routing import Routes
from sandbox.zendesk.errors import bad_request, not_found
from sandbox.zendesk.pagination import paginate
from sandbox.zendesk.store import Record, ZendeskStore
from sandbox.zendesk.tickets import id_list, read_json

# `email:a@b.c`, `external_id:x`, `name:"Ana Tan"`, or a bare term.
_TERM = re.compile(r'(?:(\w+):)?(?:"([^"]*)"|(\S+))')


def _matches(user: Record, query: str) -> bool:
    for match in _TERM.finditer(query):
        field, quoted, bare = match.groups()
        value = (quoted if quoted is not None else bare or "").lower()
        if field in ("email", "external_id", "name", "role", "phone"):
            if str(user.get(field) or "").lower() != value:
                return False
        elif field is None:
            haystack = f"{user['name']} {user.get('email') or ''}".lower()
            if value not in haystack:
                return False
        else:
            return False
    return True


def routes(store: ZendeskStore) -> Routes:
    router = Routes()

    def with_url(request: Request, kind: str, record: Record) -> Record:
        return {"url": f"{public_base_url(request)}/api/v2/{kind}/{record['id']}.json", **record}

    def listing(request: Request, kind: str, items: dict[int, Record]) -> Response:
        return json_response(
            paginate(
                request,
                kind,
                list(items.values()),
                f"/api/v2/{kind}.json",
                lambda r: with_url(request, kind, r),
            )
        )

    # --- users -----------------------------------------------------------------------

    @router.post("/users")
    async def create_user(request: Request) -> Response:
        data = (await read_json(request)).get("user")
        if not isinstance(data, dict):
            raise bad_request("InvalidValue", "Parameter 'user' is required")
        user = store.create_user(data)
        return json_response({"user": with_url(request, "users", user)}, 201)

    @router.get("/users")
    async def list_users(request: Request) -> Response:
        return listing(request, "users", store.users)

    @router.get("/users/search")
    async def search_users(request: Request) -> Response:
        params = request.query_params
        external_id, query = params.get("external_id"), params.get("query")
        if external_id is not None:
            found = [u for u in store.users.values() if u["external_id"] == external_id]
        elif query:
            found = [u for u in store.users.values() if _matches(u, query.strip())]
        else:
            raise bad_request(
                "InvalidValue", "Query parameter 'query' or 'external_id' is required"
            )
        body = paginate(
            request,
            "users",
            found,
            "/api/v2/users/search.json",
            lambda r: with_url(request, "users", r),
        )
        return json_response(body)

    @router.get("/users/show_many")
    async def show_many_users(request: Request) -> Response:
        ids = id_list(request.query_params.get("ids"))
        found = [with_url(request, "users", store.users[i]) for i in ids if i in store.users]
        return json_response(
            {"users": found, "next_page": None, "previous_page": None, "count": len(found)}
        )

    @router.get("/users/me")
    async def me(request: Request) -> Response:
        user = store.user(request.state.zendesk_user_id)
        return json_response({"user": with_url(request, "users", user)})

    @router.get("/users/{user_id:int}")
    async def show_user(request: Request, user_id: int) -> Response:
        return json_response({"user": with_url(request, "users", store.user(user_id))})

    @router.put("/users/{user_id:int}")
    async def update_user(request: Request, user_id: int) -> Response:
        data = (await read_json(request)).get("user")
        if not isinstance(data, dict):
            raise bad_request("InvalidValue", "Parameter 'user' is required")
        user = store.update_user(user_id, data)
        return json_response({"user": with_url(request, "users", user)})

    # --- organizations, groups, ticket fields -----------------------------------------

    @router.post("/organizations")
    async def create_organization(request: Request) -> Response:
        data = (await read_json(request)).get("organization")
        if not isinstance(data, dict):
            raise bad_request("InvalidValue", "Parameter 'organization' is required")
        org = store.create_organization(data)
        return json_response({"organization": with_url(request, "organizations", org)}, 201)

    @router.get("/organizations")
    async def list_organizations(request: Request) -> Response:
        return listing(request, "organizations", store.organizations)

    @router.get("/organizations/{org_id:int}")
    async def show_organization(request: Request, org_id: int) -> Response:
        org = store.organizations.get(org_id)
        if org is None:
            raise not_found()
        return json_response({"organization": with_url(request, "organizations", org)})

    @router.put("/organizations/{org_id:int}")
    async def update_organization(request: Request, org_id: int) -> Response:
        data = (await read_json(request)).get("organization")
        if not isinstance(data, dict):
            raise bad_request("InvalidValue", "Parameter 'organization' is required")
        org = store.update_organization(org_id, data)
        return json_response({"organization": with_url(request, "organizations", org)})

    @router.post("/groups")
    async def create_group(request: Request) -> Response:
        data = (await read_json(request)).get("group")
        if not isinstance(data, dict):
            raise bad_request("InvalidValue", "Parameter 'group' is required")
        group = store.create_group(data)
        return json_response({"group": with_url(request, "groups", group)}, 201)

    @router.get("/groups")
    async def list_groups(request: Request) -> Response:
        return listing(request, "groups", store.groups)

    @router.get("/groups/{group_id:int}")
    async def show_group(request: Request, group_id: int) -> Response:
        group = store.groups.get(group_id)
        if group is None:
            raise not_found()
        return json_response({"group": with_url(request, "groups", group)})

    @router.post("/ticket_fields")
    async def create_ticket_field(request: Request) -> Response:
        data = (await read_json(request)).get("ticket_field")
        if not isinstance(data, dict):
            raise bad_request("InvalidValue", "Parameter 'ticket_field' is required")
        field = store.create_ticket_field(data)
        return json_response({"ticket_field": with_url(request, "ticket_fields", field)}, 201)

    @router.get("/ticket_fields")
    async def list_ticket_fields(request: Request) -> Response:
        # The real endpoint is not paginated by default: every field in one answer.
        fields = sorted(store.ticket_fields.values(), key=lambda f: (f["position"], f["id"]))
        rendered = [with_url(request, "ticket_fields", f) for f in fields]
        return json_response(
            {
                "ticket_fields": rendered,
                "next_page": None,
                "previous_page": None,
                "count": len(rendered),
            }
        )

    @router.get("/ticket_fields/{field_id:int}")
    async def show_ticket_field(request: Request, field_id: int) -> Response:
        field = store.ticket_fields.get(field_id)
        if field is None:
            raise not_found()
        return json_response({"ticket_field": with_url(request, "ticket_fields", field)})

    return router
