"""Compose the daemon from settings: store, engine, Zendesk, CRM, workers, web server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import structlog
import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler

from config.mappings import load_mapping
from config.rules import load_engine
from config.settings import BatonSettings
from connectors.summarizer.client import OpenAICompatibleSummarizer
from connectors.zendesk import ZendeskTickets
from core.context.fields import routing_problems
from core.context.model import HandoffContext
from core.context.summary import Summarizer
from core.conversation import CustomerInfo
from core.crm.card import CardResult
from core.engine import compiled as engine_compiled
from core.errors import BatonError, ConfigError
from core.ports import TicketSystem
from observability.metrics import Metrics
from render.charts import trajectory_png
from scheduler.assembly import ContextLinks, HandoffAssembler, derive_link_secret
from scheduler.enrichment import Enricher
from scheduler.handoff import HandoffWorker, WorkerPolicy, WorkerPool, utcnow
from store.context_views import record_context_view
from store.conversations import latest_episode_decision, load_snapshot
from store.db import Database
from store.ingest import IngestResult
from store.outbox import counts_by_status, enqueue_card_update, pending_cards
from store.schema import ConversationRow
from web.app import Services, WebhookConfig, create_app
from web.context import context_router

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


def build_enricher(
    settings: BatonSettings, clock: Callable[[], datetime], on_ready: Callable[..., None]
) -> Enricher | None:
    """The CRM enrichment service the mapping asks for, or None without a mapping."""
    from commands.crm import build_enricher as build  # the CRM SDKs load only when used

    if settings.crm.mapping_file is None:
        return None
    mapping = load_mapping(settings.crm.mapping_file)
    if settings.salesforce is None and settings.hubspot is None:
        raise ConfigError(
            f"{settings.crm.mapping_file} is set as crm.mapping_file, but neither "
            "'salesforce:' nor 'hubspot:' is configured"
        )
    return build(mapping, settings.salesforce, settings.hubspot, clock=clock, on_ready=on_ready)


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
        self.clock = clock
        self.tickets = tickets
        self.engine = load_engine(settings.rules)
        self.metrics = Metrics()
        self._sock = self._bind()
        self.db = Database(settings.database)
        self.db.migrate()
        webhook_secrets = [s.get_secret_value() for s in settings.webhook.secrets]
        link_secrets = [s.get_secret_value() for s in settings.context.link_secrets] or [
            derive_link_secret(secret) for secret in webhook_secrets
        ]
        self.enricher = build_enricher(settings, clock, self._card_arrived)
        self.assembler = HandoffAssembler(
            engine=self.engine,
            clock=clock,
            routing=settings.context.routing,
            masking=settings.context.masking,
            cards=self.enricher,
            card_budget_seconds=settings.crm.card_budget_seconds,
            links=ContextLinks(
                base_url=str(settings.context.base_url or self.url),
                secrets=link_secrets,
                ttl=timedelta(days=settings.context.link_ttl_days),
            ),
            summarizer=_summarizer(settings),
            chart=trajectory_png,
        )
        policy = WorkerPolicy(
            lease=timedelta(seconds=settings.workers.lease_seconds),
            max_attempts=settings.workers.max_attempts,
        )
        identity = f"{socket.gethostname()}-{os.getpid()}"
        workers = []
        for i in range(settings.workers.count):
            worker = HandoffWorker(
                self.db,
                tickets,
                worker_id=f"{identity}-w{i}",
                policy=policy,
                clock=clock,
                assembler=self.assembler,
            )
            worker.on_ticket = self.metrics.handoff_seconds.observe
            workers.append(worker)
        self.pool = WorkerPool(workers, poll_interval=settings.workers.poll_interval_seconds)
        self.services = Services(
            db=self.db,
            engine=self.engine,
            webhook=WebhookConfig(
                secrets=webhook_secrets,
                max_body_bytes=settings.webhook.max_body_bytes,
                tolerance_seconds=settings.webhook.tolerance_seconds,
            ),
            clock=clock,
            metrics=self.metrics,
            on_enqueued=lambda _result: self.pool.wake.set(),
            on_started=self._prefetch,
            masking=settings.context.masking,
            crm_fields=self.enricher.crm_fields if self.enricher is not None else None,
        )
        router = context_router(
            load=self.load_context,
            secrets=link_secrets,
            record_view=lambda cid, episode, at: record_context_view(self.db, cid, episode, at),
            clock=clock,
        )
        self.app = create_app(self.services, routers=[router])
        self.jobs = BackgroundScheduler(timezone="UTC")
        self.jobs.add_job(self.refresh_directory, "interval", minutes=15, id="directory")
        self.jobs.add_job(self._gauge_outbox, "interval", seconds=15, id="outbox_gauge")
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- wiring callbacks ----------------------------------------------------------------

    def _prefetch(self, result: IngestResult) -> None:
        """Start the CRM lookups of new conversations, so the card is ready at handoff."""
        if self.enricher is not None:
            for conversation_id, customer in result.started:
                self.enricher.prefetch(conversation_id, customer)

    def _card_arrived(self, conversation_id: str, _card: CardResult) -> None:
        """A card that missed its ticket arrived: queue adding it (from the enricher)."""
        try:
            if enqueue_card_update(self.db, conversation_id, self.clock()):
                self.pool.wake.set()
        except Exception:  # the enricher's thread must survive; the sweep will retry
            log.exception("crm.card_update_not_queued", conversation_id=conversation_id)

    def load_context(self, conversation_id: str, episode: int) -> HandoffContext | None:
        """What the context page shows for one episode (never waits for the CRM)."""
        with self.db.transaction() as session:
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None:
                return None
            decision = latest_episode_decision(session, conversation_id, episode)
            if decision is None:
                return None
            snapshot = load_snapshot(session, conversation)
        card = self.assembler.card(snapshot, 0)
        return self.assembler.context(snapshot, decision, episode, card)

    def refresh_directory(self) -> None:
        """Zendesk's ticket fields and groups by name, for routing and custom fields."""
        try:
            directory = self.tickets.directory()
        except BatonError as err:
            log.warning("zendesk.directory_unavailable", error=str(err))
            return
        self.assembler.directory = directory
        for problem in routing_problems(self.assembler.routing, directory):
            log.warning("zendesk.routing_problem", problem=problem)

    def _gauge_outbox(self) -> None:
        for status, n in counts_by_status(self.db).items():
            self.metrics.outbox.labels(status).set(n)

    def _resume_pending_cards(self) -> None:
        """Ask the CRM again for tickets that went out without their card before a restart."""
        if self.enricher is None:
            return
        since = self.clock() - timedelta(days=1)
        for conversation_id, email, phone, customer_id in pending_cards(self.db, since):
            customer = CustomerInfo(id=customer_id, email=email, phone=phone)
            card = self.enricher.card_for(conversation_id, customer, 0)
            if card.status != "pending":
                self._card_arrived(conversation_id, card)

    # -- life cycle ----------------------------------------------------------------------

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
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _start_background(self) -> None:
        self.refresh_directory()
        self._resume_pending_cards()
        self.jobs.start()
        self.pool.start()

    def serve_forever(self) -> None:
        """Serve until SIGINT/SIGTERM, then drain: in-flight requests, then handoffs."""
        self._server = self._uvicorn()
        self._start_background()
        self._log_started()
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self._shutdown()

    def start(self) -> Daemon:
        """Serve in a background thread (demo, tests)."""
        self._server = self._uvicorn()
        self._start_background()
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
        self._log_started()
        return self

    def _log_started(self) -> None:
        log.info(
            "daemon.started",
            url=self.url,
            workers=len(self.pool.workers),
            engine="compiled" if engine_compiled() else "python",
        )

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
        if self.jobs.running:
            self.jobs.shutdown(wait=False)
        if self.enricher is not None:
            self.enricher.close()
        with contextlib.suppress(OSError):
            self._sock.close()
        self.db.dispose()
        log.info("daemon.stopped", drained=drained)


def _summarizer(settings: BatonSettings) -> Summarizer | None:
    if settings.summarizer is None:
        return None
    return OpenAICompatibleSummarizer(settings.summarizer, settings.context.masking)
