"""Zendesk's two pagination styles over an id-ordered list.

- cursor (``page[size]``, ``page[after]``, ``page[before]``): ``meta.has_more``,
  ``meta.after_cursor``/``before_cursor`` and absolute ``links.next``/``links.prev``;
- offset (``page``, ``per_page``): absolute ``next_page``/``previous_page`` and ``count``.

Any ``page[...]`` parameter selects cursor pagination, as on the real API.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request

from sandbox.http import absolute_url
from sandbox.zendesk.errors import bad_request

MAX_PAGE_SIZE = 100

Item = dict[str, Any]


def encode_cursor(item_id: int) -> str:
    raw = json.dumps({"o": "id", "v": item_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded))["v"])
    except (ValueError, KeyError, TypeError, binascii.Error) as err:
        raise bad_request("InvalidPaginationParameter", "page[after] is invalid") from err


def _size(raw: str | None, name: str) -> int:
    if raw is None:
        return MAX_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise bad_request("InvalidPaginationParameter", f"{name} must be an integer") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise bad_request(
            "InvalidPaginationParameter",
            f"{name} must be between 1 and {MAX_PAGE_SIZE}",
        )
    return size


def paginate(
    request: Request,
    key: str,
    items: Sequence[Item],
    path: str,
    render: Callable[[Item], Item] = lambda item: item,
) -> dict[str, Any]:
    """One page of ``items`` (sorted by ``id``) as ``{key: [...], ...}``; ``path`` is the
    canonical path for links, e.g. ``/api/v2/tickets/7/comments.json``."""
    params = request.query_params
    if any(name.startswith("page[") for name in params):
        return _cursor_page(request, key, items, path, render)
    return _offset_page(request, key, items, path, render)


def _cursor_page(
    request: Request,
    key: str,
    items: Sequence[Item],
    path: str,
    render: Callable[[Item], Item],
) -> dict[str, Any]:
    params = request.query_params
    size = _size(params.get("page[size]"), "page[size]")
    after, before = params.get("page[after]"), params.get("page[before]")
    if after:
        pivot = decode_cursor(after)
        rest = [item for item in items if item["id"] > pivot]
        page, has_more = rest[:size], len(rest) > size
    elif before:
        pivot = decode_cursor(before)
        rest = [item for item in items if item["id"] < pivot]
        page, has_more = rest[-size:], len(rest) > size
    else:
        page, has_more = list(items[:size]), len(items) > size
    after_cursor = encode_cursor(page[-1]["id"]) if page else None
    before_cursor = encode_cursor(page[0]["id"]) if page else None
    keep = {
        name: value
        for name, value in params.multi_items()
        if name not in ("page[after]", "page[before]", "page[size]")
    }
    keep["page[size]"] = str(size)
    links = {
        "prev": absolute_url(request, path, {**keep, "page[before]": before_cursor})
        if before_cursor
        else None,
        "next": absolute_url(request, path, {**keep, "page[after]": after_cursor})
        if has_more and after_cursor
        else None,
    }
    return {
        key: [render(item) for item in page],
        "meta": {
            "has_more": has_more,
            "after_cursor": after_cursor,
            "before_cursor": before_cursor,
        },
        "links": links,
    }


def _offset_page(
    request: Request,
    key: str,
    items: Sequence[Item],
    path: str,
    render: Callable[[Item], Item],
) -> dict[str, Any]:
    params = request.query_params
    per_page = _size(params.get("per_page"), "per_page")
    try:
        number = max(1, int(params.get("page", "1")))
    except ValueError:
        raise bad_request("InvalidPaginationParameter", "page must be an integer") from None
    start = (number - 1) * per_page
    page = items[start : start + per_page]
    keep = {name: value for name, value in params.multi_items() if name not in ("page",)}
    if "per_page" in params:
        keep["per_page"] = str(per_page)
    has_next = start + per_page < len(items)
    return {
        key: [render(item) for item in page],
        "next_page": absolute_url(request, path, {**keep, "page": number + 1})
        if has_next
        else None,
        "previous_page": absolute_url(request, path, {**keep, "page": number - 1})
        if number > 1
        else None,
        "count": len(items),
    }
