"""Compose the daemon from settings: store, engine, Zendesk, workers, webhook server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import structlog
import uvicorn

from config.settings import BatonSettings
from config.yamlfile import load_yaml_model
from connectors.zendesk import ZendeskTickets
from core.engine import Engine
from core.errors import ConfigError
from core.ports import TicketSystem
from core.rules import Rules
from observability.metrics import Metrics
from scheduler.handoff import HandoffWorker, WorkerPolicy, WorkerPool, utcnow
from store.db import Database
from web.app import Services, WebhookConfig, create_app

log = structlog.get_logger("baton.daemon")


class _Server(uvicorn.Server):
    """uvicorn, minus re-raising SIGTERM after its own shutdown.

    uvicorn re-raises a captured signal once it has stopped serving, which would kill the
    process before the handoff workers drain. Baton drains them, then exits 0.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def load_rules(path: Path | None) -> Rules:
    return load_yaml_model(path, Rules) if path is not None else Rules()


class Daemon:
    """One Baton process: the webhook server and the handoff workers, sharing a store."""

    def __init__(
        self,
        settings: BatonSettings,
        *,
        tickets: TicketSystem | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not settings.webhook.secrets:
            raise ConfigError(
                "webhook.secrets is empty: set BATON_WEBHOOK__SECRETS (comma-separated)"
            )
        if tickets is None:
            if settings.zendesk is None:
                raise ConfigError("zendesk is not configured: add a 'zendesk:' section")
            tickets = ZendeskTickets(settings.zendesk)
        self.settings = settings
        self.db = Database(settings.database)
        self.db.migrate()
        self.engine = Engine(load_rules(settings.rules_file))
        self.metrics = Metrics()
        policy = WorkerPolicy(
            lease=timedelta(seconds=settings.workers.lease_seconds),
            max_attempts=settings.workers.max_attempts,
        )
        identity = f"{socket.gethostname()}-{os.getpid()}"
        self.pool = WorkerPool(
            [
                HandoffWorker(
                    self.db, tickets, worker_id=f"{identity}-w{i}", policy=policy, clock=clock
                )
                for i in range(settings.workers.count)
            ],
            poll_interval=settings.workers.poll_interval_seconds,
        )
        self.services = Services(
            db=self.db,
            engine=self.engine,
            webhook=WebhookConfig(
                secrets=[s.get_secret_value() for s in settings.webhook.secrets],
                max_body_bytes=settings.webhook.max_body_bytes,
                tolerance_seconds=settings.webhook.tolerance_seconds,
            ),
            clock=clock,
            metrics=self.metrics,
            on_enqueued=lambda _result: self.pool.wake.set(),
        )
        self.app = create_app(self.services)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    def _uvicorn(self) -> uvicorn.Server:
        return _Server(
            uvicorn.Config(
                self.app,
                log_config=None,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=int(self.settings.workers.shutdown_grace_seconds) or 1,
            )
        )

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.settings.server.host, self.settings.server.port))
        return sock

    @property
    def url(self) -> str:
        assert self._sock is not None, "the daemon is not started"
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Serve until SIGINT/SIGTERM, then drain: in-flight requests, then handoffs."""
        self._sock = self._bind()
        self._server = self._uvicorn()
        self.pool.start()
        log.info("daemon.started", url=self.url, workers=len(self.pool.workers))
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self._shutdown()

    def start(self) -> Daemon:
        """Serve in a background thread (demo, tests)."""
        self._sock = self._bind()
        self._server = self._uvicorn()
        self.pool.start()
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            daemon=True,
            name="baton-web",
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the webhook server did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._shutdown()

    def _shutdown(self) -> None:
        drained = self.pool.stop(timeout=self.settings.workers.shutdown_grace_seconds)
        if not drained:
            log.warning("daemon.stopped_with_work_in_flight", note="claims expire and rerun")
        if self._sock is not None:
            self._sock.close()
        self.db.dispose()
        log.info("daemon.stopped", drained=drained)
