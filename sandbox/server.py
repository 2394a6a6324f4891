"""Run the sandbox on a loopback port, in a background thread or in the foreground."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.state import SandboxState


class SandboxServer:
    """A sandbox on ``host:port`` (port 0 picks a free one), run in a daemon thread.

    >>> with SandboxServer() as sandbox:  # doctest: +SKIP
    ...     print(sandbox.url)
    """

    def __init__(
        self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.state = SandboxState(config or SandboxConfig())
        self.app = create_app(state=self.state)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_keep_alive=30,
                backlog=2048,
                # X-Forwarded-* are read by the sandbox itself (sandbox.http), for links.
                proxy_headers=False,
                # Hanging requests (fault injection) must not hold up a stop.
                timeout_graceful_shutdown=2,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            daemon=True,
            name="baton-sandbox",
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the sandbox did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sock.close()

    def connections_nodelay(self) -> list[bool]:
        """Whether Nagle's algorithm is off (TCP_NODELAY) on each open client connection.

        asyncio and uvloop set it on accepted sockets; the benchmark checks it here.
        """
        flags = []
        for protocol in list(self._server.server_state.connections):
            transport = getattr(protocol, "transport", None)
            sock = transport.get_extra_info("socket") if transport is not None else None
            if sock is not None:
                flags.append(bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
        return flags

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
