"""A lean route table for the vendor APIs: plain Starlette routes, no dependency solving.

FastAPI's router costs more per request than everything else a sandbox handler does, and
the sandbox must never be what limits a benchmark. Handlers stay readable:
``async def handler(request, **path_params) -> Response``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router

Handler = Callable[..., Awaitable[Response]]


class Routes:
    """Collects handlers by method and path (Starlette syntax: ``/tickets/{id:int}``)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                return await handler(request, **request.path_params)

            endpoint.__name__ = handler.__name__
            methods = None if method == "*" else [method]  # "*": any method
            self.routes.append(Route(path, endpoint, methods=methods))
            return handler

        return register

    def get(self, path: str) -> Callable[[Handler], Handler]:
        return self.add("GET", path)

    def post(self, path: str) -> Callable[[Handler], Handler]:
        return self.add("POST", path)

    def put(self, path: str) -> Callable[[Handler], Handler]:
        return self.add("PUT", path)

    def extend(self, other: Routes) -> None:
        self.routes.extend(other.routes)

    def router(self, **kwargs: Any) -> Router:
        return Router(routes=list(self.routes), **kwargs)
