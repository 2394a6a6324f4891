"""Send a vendor's HTTPS traffic to a local server without the client noticing.

zenpy always builds ``https://{subdomain}.zendesk.com/api/v2/...`` and simple-salesforce
always builds ``https://{host}/services/data/...``. Mount :class:`LoopbackAdapter` on the
``requests.Session`` the client uses, for the vendor's origin, and every request goes to
``target`` (e.g. the sandbox at ``http://127.0.0.1:PORT``) instead::

    session = requests.Session()
    session.mount("https://acme.zendesk.com", LoopbackAdapter("http://127.0.0.1:8080"))
    zenpy = Zenpy(subdomain="acme", email=..., token=..., session=session)

The original host and scheme travel in ``X-Forwarded-Host`` / ``X-Forwarded-Proto``, so
the server can build absolute links (``next_page``, ``links.next``, ``after_url``) that
route back through this adapter. After the exchange the adapter puts the original URL
back on ``response.request.url`` and ``response.url``: zenpy picks its deserializer by
checking ``api.base_url in response.request.url`` and silently returns raw
``requests.Response`` objects when that check fails.

No process-global state (unlike zenpy's ``ZENPY_FORCE_NETLOC``), so two clients in one
process can point at two different servers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

__all__ = ["LoopbackAdapter", "mount_loopback"]


class LoopbackAdapter(HTTPAdapter):
    """A transport adapter that rewrites the scheme and host of each request to ``target``.

    Keyword arguments go to :class:`requests.adapters.HTTPAdapter` unchanged (e.g.
    ``max_retries=Retry(...)``, or zenpy's ``Zenpy.http_adapter_kwargs()``).
    """

    def __init__(self, target: str, **kwargs: Any) -> None:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"target must be an absolute http(s) URL, got {target!r}")
        self.target_scheme = parts.scheme
        self.target_netloc = parts.netloc
        super().__init__(**kwargs)

    def send(  # type: ignore[override]
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        original = request.url or ""
        parts = urlsplit(original)
        request.url = urlunsplit(
            (self.target_scheme, self.target_netloc, parts.path, parts.query, parts.fragment)
        )
        request.headers["X-Forwarded-Host"] = parts.netloc
        request.headers["X-Forwarded-Proto"] = parts.scheme
        try:
            # Proxies were chosen by requests for the vendor's host; a loopback target is
            # reached directly.
            response = super().send(
                request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=None
            )
        finally:
            request.url = original
        response.url = original
        response.request = request
        return response


def mount_loopback(session: Any, origin: str, target: str, **adapter_kwargs: Any) -> Any:
    """Mount a :class:`LoopbackAdapter` for ``origin`` (e.g. ``https://acme.zendesk.com``).

    Returns the session, for chaining.
    """
    session.mount(origin.rstrip("/"), LoopbackAdapter(target, **adapter_kwargs))
    return session
