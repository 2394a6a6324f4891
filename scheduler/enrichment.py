"""CRM enrichment service: prefetch, batch, cache, degrade — never block a ticket.

The handoff side calls two methods:

- :meth:`Enricher.prefetch` when a conversation starts or its risk rises: returns at
  once; the lookup runs in the background;
- :meth:`Enricher.card_for` at handoff, with a time budget: returns a
  :class:`~core.crm.card.CardResult` within it — the card (usually already cached, with
  its ``fetched_at``), or ``pending`` when the CRM is slow or down. When the CRM answers
  later, the card is delivered through ``on_ready(conversation_id, result)`` and
  :meth:`Enricher.take_ready`, so the worker can update the ticket.

Lookups requested within ``batch_window`` seconds of each other are coalesced: one
``lookup_many`` per CRM for the whole batch (one SOQL ``IN`` query, HubSpot batch reads).

**Cache: in memory, per process**, keyed by the customer's normalized keys, ``ttl`` for
found records and ``negative_ttl`` for "no match". Chosen over the store because the
records hold CRM data Baton should not persist (sensitive rule fields among them), and a
card is cheap to fetch again; the price is that with several replicas on PostgreSQL, a
prefetch warms only the replica that received the event, and another replica's worker
pays one lookup at handoff (still within the budget; still batched). The durable part —
"this ticket still needs its card" — belongs in the store (see the report / docs).

Failures: transient ones (``RetryableError``) are retried in the background with backoff
(``retry_delays``) for as long as someone waits for the card, up to ``give_up_after``;
config, auth and permanent errors end the lookup (``failed``). A CRM that starts failing
is logged once, and its recovery once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from core.conversation import CustomerInfo
from core.crm.card import TAG_NO_MATCH as _TAG_NO_MATCH
from core.crm.card import CardResult, Enrichment, ZendeskValues, build_enrichment
from core.crm.mapping import CrmMapping
from core.crm.matching import customer_keys
from core.crm.model import CrmSource, CustomerKeys, LookupResult, MatchKey, NoMatch
from core.errors import BatonError, RateLimited, RetryableError

log = structlog.get_logger("baton.crm")

ReadyHook = Callable[[str, CardResult], None]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class _Entry:
    keys: CustomerKeys
    state: str = "idle"  # idle | queued | running
    done: threading.Event = field(default_factory=threading.Event)
    enrichment: Enrichment | None = None
    fetched_at: datetime | None = None
    error: BatonError | None = None
    permanent: bool = False
    failures: int = 0
    first_failure: float | None = None
    next_attempt: float = 0.0  # time.monotonic()
    waiting: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class EnricherStats:
    lookups: int
    batches: int
    cache_hits: int
    cache_misses: int


class Enricher:
    """Prefetches, batches and caches CRM lookups for the handoff worker. Thread-safe."""

    def __init__(
        self,
        mapping: CrmMapping,
        sources: Mapping[str, CrmSource],
        *,
        clock: Callable[[], datetime] = utcnow,
        ttl: timedelta = timedelta(minutes=10),
        negative_ttl: timedelta = timedelta(minutes=2),
        max_stale: timedelta = timedelta(hours=1),
        batch_window: float = 0.05,
        max_batch: int = 50,
        retry_delays: Sequence[float] = (2.0, 5.0, 15.0, 60.0, 300.0),
        give_up_after: float = 3600.0,
        on_ready: ReadyHook | None = None,
        workers: int = 2,
        parallel_sources: bool = False,
        max_entries: int = 10_000,
    ) -> None:
        self.mapping = mapping
        self.sources = dict(sources)
        self.clock = clock
        self.ttl, self.negative_ttl, self.max_stale = ttl, negative_ttl, max_stale
        self.batch_window = batch_window
        self.max_batch = max_batch
        self.retry_delays = tuple(retry_delays) or (5.0,)
        self.give_up_after = give_up_after
        self.on_ready = on_ready
        self.parallel_sources = parallel_sources
        self.max_entries = max_entries
        self._cond = threading.Condition()
        self._entries: dict[str, _Entry] = {}
        self._queue: list[str] = []
        self._ready: list[tuple[str, CardResult]] = []
        self._failing: dict[str, str] = {}
        self._closed = False
        self._stats = {"lookups": 0, "batches": 0, "cache_hits": 0, "cache_misses": 0}
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="baton-crm")
        self._sources_pool = ThreadPoolExecutor(
            max_workers=max(1, workers) * max(1, len(self.sources)),
            thread_name_prefix="baton-crm-source",
        )
        self._thread = threading.Thread(target=self._loop, name="baton-crm-batcher", daemon=True)
        self._thread.start()

    # --- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Stop batching; lookups in flight finish, queued ones are dropped."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._sources_pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Enricher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the handoff worker's interface -----------------------------------------------------

    def prefetch(self, conversation_id: str, customer: CustomerInfo) -> None:
        """Start looking the customer up (if not cached); returns at once."""
        keys = customer_keys(customer)
        if not keys.usable:
            return
        with self._cond:
            entry = self._entry(keys)
            if self._fresh(entry) or entry.state != "idle":
                return
            if entry.failures and entry.next_attempt > time.monotonic():
                return  # the CRM is failing: the retry is already scheduled
            self._enqueue(entry)
        log.debug("crm.prefetch", conversation_id=conversation_id)

    def card_for(
        self, conversation_id: str, customer: CustomerInfo, timeout_s: float
    ) -> CardResult:
        """The customer's card within ``timeout_s`` seconds, or ``pending`` (never raises)."""
        keys = customer_keys(customer)
        if not keys.usable:
            return CardResult("ready", _no_keys(), self.clock())
        with self._cond:
            entry = self._entry(keys)
            if self._fresh(entry):
                self._stats["cache_hits"] += 1
                return self._result(entry)
            self._stats["cache_misses"] += 1
            if entry.permanent and entry.error is not None and not self._expired_failure(entry):
                return CardResult("failed", reason=str(entry.error))
            if entry.permanent:
                entry.permanent, entry.error, entry.failures = False, None, 0
            backing_off = entry.failures > 0 and entry.next_attempt > time.monotonic()
            if entry.state == "idle" and not backing_off:
                self._enqueue(entry)
            event = entry.done
        if not backing_off:
            event.wait(timeout=max(0.0, timeout_s))
        with self._cond:
            if self._fresh(entry):
                return self._result(entry)
            if entry.permanent and entry.error is not None:
                return CardResult("failed", reason=str(entry.error))
            if self._usable_stale(entry):
                return self._result(entry, stale=True)
            entry.waiting.add(conversation_id)
            if entry.state == "idle" and entry.failures:
                self._cond.notify_all()  # make sure its retry is scheduled
            reason = (
                f"CRM unavailable: {entry.error}"
                if entry.error is not None
                else f"the CRM did not answer within {timeout_s:g} s"
            )
        log.info("crm.card_pending", conversation_id=conversation_id, reason=reason)
        return CardResult("pending", reason=reason)

    def take_ready(self) -> list[tuple[str, CardResult]]:
        """Cards that arrived after ``card_for`` answered ``pending`` (each given once)."""
        with self._cond:
            ready, self._ready = self._ready, []
        return ready

    def pending(self) -> set[str]:
        """Conversations still waiting for their card."""
        with self._cond:
            return {c for e in self._entries.values() for c in e.waiting}

    def crm_fields(self, customer: CustomerInfo) -> Mapping[str, Any]:
        """Business-rule fields of the cached card (for ``ConversationSnapshot.crm``)."""
        keys = customer_keys(customer)
        with self._cond:
            entry = self._entries.get(keys.cache_key)
            if entry is None or entry.enrichment is None or not self._fresh(entry):
                return {}
            return dict(entry.enrichment.rules)

    def invalidate(self, customer: CustomerInfo) -> None:
        with self._cond:
            self._entries.pop(customer_keys(customer).cache_key, None)

    def stats(self) -> EnricherStats:
        with self._cond:
            return EnricherStats(**self._stats)

    # --- cache ----------------------------------------------------------------------------

    def _entry(self, keys: CustomerKeys) -> _Entry:
        entry = self._entries.get(keys.cache_key)
        if entry is None:
            if len(self._entries) >= self.max_entries:
                self._evict()
            entry = self._entries[keys.cache_key] = _Entry(keys)
        return entry

    def _evict(self) -> None:
        """Forget idle entries nobody waits for, oldest first, down to 90 % of the cap."""
        idle = [
            (e.fetched_at or datetime.min.replace(tzinfo=UTC), k)
            for k, e in self._entries.items()
            if e.state == "idle" and not e.waiting
        ]
        idle.sort()
        excess = len(self._entries) - int(self.max_entries * 0.9)
        for _, key in idle[: max(0, excess)]:
            del self._entries[key]

    def _age(self, entry: _Entry) -> timedelta | None:
        return None if entry.fetched_at is None else self.clock() - entry.fetched_at

    def _fresh(self, entry: _Entry) -> bool:
        age = self._age(entry)
        if age is None or entry.enrichment is None:
            return False
        ttl = self.ttl if entry.enrichment.status == "matched" else self.negative_ttl
        return age < ttl

    def _usable_stale(self, entry: _Entry) -> bool:
        age = self._age(entry)
        return entry.enrichment is not None and age is not None and age < self.max_stale

    def _expired_failure(self, entry: _Entry) -> bool:
        started = entry.first_failure
        return started is not None and time.monotonic() - started > (
            self.negative_ttl.total_seconds()
        )

    def _result(self, entry: _Entry, stale: bool = False) -> CardResult:
        return CardResult("ready", entry.enrichment, entry.fetched_at, stale=stale)

    # --- batching -------------------------------------------------------------------------

    def _enqueue(self, entry: _Entry) -> None:
        """Queue a lookup (caller holds the lock)."""
        entry.state = "queued"
        if entry.done.is_set():
            entry.done = threading.Event()
        self._queue.append(entry.keys.cache_key)
        self._cond.notify_all()

    def _due_retries(self, now: float) -> float | None:
        """Queue failed lookups someone waits for whose retry is due; next due time."""
        nearest: float | None = None
        for entry in self._entries.values():
            if entry.state != "idle" or not entry.failures or entry.permanent:
                continue
            if not entry.waiting:
                continue
            if entry.next_attempt <= now:
                self._enqueue(entry)
            elif nearest is None or entry.next_attempt < nearest:
                nearest = entry.next_attempt
        return nearest

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    nearest = self._due_retries(time.monotonic())
                    if self._queue:
                        break
                    timeout = None if nearest is None else max(0.01, nearest - time.monotonic())
                    self._cond.wait(timeout=timeout)
                if self._closed:
                    return
                deadline = time.monotonic() + self.batch_window
                while len(self._queue) < self.max_batch and not self._closed:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(timeout=left)
                batch_keys, self._queue = (
                    self._queue[: self.max_batch],
                    self._queue[self.max_batch :],
                )
                batch = []
                for key in dict.fromkeys(batch_keys):
                    entry = self._entries.get(key)
                    if entry is not None and entry.state == "queued":
                        entry.state = "running"
                        batch.append(entry)
                self._stats["batches"] += 1 if batch else 0
                self._stats["lookups"] += len(batch)
            if batch:
                try:
                    self._executor.submit(self._run, batch)
                except RuntimeError:  # shut down meanwhile
                    return

    # --- one batch ------------------------------------------------------------------------

    def _run(self, batch: list[_Entry]) -> None:
        """Look a batch up in its CRMs; each customer is answered as soon as it is settled.

        By default a CRM is asked only for the customers the previous ones did not match
        (one ``lookup_many`` per CRM and step): API calls are the scarce resource. With
        ``parallel_sources`` every CRM a customer may need is asked at once and the answers
        are read in the customer's source order: a batch then costs the slowest CRM's time
        instead of the sum, for a few extra calls.
        """
        entries = {e.keys.cache_key: e for e in batch}
        orders = {
            key: [
                s
                for s in self.mapping.sources_for(e.keys.email, e.keys.phone, e.keys.external_id)
                if s in self.sources
            ]
            for key, e in entries.items()
        }
        speculative = self.parallel_sources and self.mapping.match.on_none == "next_source"
        answers: dict[tuple[str, str], LookupResult | BatonError] = {}  # (source, customer)
        asked: dict[str, set[str]] = {}  # source -> customers asked
        running: dict[Future[Mapping[str, LookupResult]], tuple[str, list[str]]] = {}

        def ask(name: str, keys: list[str]) -> None:
            keys = [k for k in keys if k not in asked.setdefault(name, set())]
            if not keys:
                return
            asked[name].update(keys)
            customers = [entries[k].keys for k in keys]
            future = self._sources_pool.submit(self.sources[name].lookup_many, customers)
            running[future] = (name, keys)

        if speculative:
            everyone: dict[str, list[str]] = {}
            for key, order in orders.items():
                for name in order:
                    everyone.setdefault(name, []).append(key)
            for name, keys in everyone.items():
                ask(name, keys)
        open_keys = set(entries)
        while open_keys:
            settled_results: dict[str, LookupResult] = {}
            settled_errors: dict[str, BatonError] = {}
            next_round: dict[str, list[str]] = {}
            for key in sorted(open_keys):
                outcome = self._settle(key, orders[key], answers, asked)
                if isinstance(outcome, str):
                    if outcome not in asked or key not in asked[outcome]:
                        next_round.setdefault(outcome, []).append(key)
                elif isinstance(outcome, BatonError):
                    settled_errors[key] = outcome
                elif outcome is not None:
                    settled_results[key] = outcome
            if settled_results or settled_errors:
                done = [entries[k] for k in (*settled_results, *settled_errors)]
                open_keys -= set(settled_results) | set(settled_errors)
                self._finish(done, settled_results, settled_errors)
            # Ask a CRM only once no open customer can still come to it from an earlier
            # one: the customers routed straight to it and those the earlier CRM did not
            # match then share one call.
            later: set[str] = set()
            for key in open_keys:
                order = orders[key]
                unanswered = [i for i, n in enumerate(order) if (n, key) not in answers]
                if unanswered:
                    later.update(order[unanswered[0] + 1 :])
            launch = {n: keys for n, keys in next_round.items() if n not in later}
            if not launch and not running and next_round:
                first = next(iter(next_round))
                launch = {first: next_round[first]}
            for name, keys in launch.items():
                ask(name, keys)
            if not open_keys:
                break
            if not running:  # nothing left to wait for (cannot happen; be safe)
                self._finish([entries[k] for k in open_keys], {}, {})
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                name, keys = running.pop(future)
                try:
                    found = future.result()
                except BatonError as err:
                    self._source_failed(name, err)
                    answers.update({(name, k): err for k in keys})
                    continue
                except Exception as err:  # a bug in a connector: keep the daemon alive
                    log.exception("crm.lookup_bug", source=name)
                    failure = RetryableError(f"{name}: {type(err).__name__}")
                    answers.update({(name, k): failure for k in keys})
                    continue
                self._source_ok(name)
                answers.update({(name, k): found.get(k) or NoMatch(name, ()) for k in keys})

    def _settle(
        self,
        key: str,
        order: list[str],
        answers: Mapping[tuple[str, str], LookupResult | BatonError],
        asked: Mapping[str, set[str]],
    ) -> LookupResult | BatonError | str | None:
        """A customer's answer from the sources' answers, read in its source order.

        Returns the result, the error, the name of a source still to ask, or None while
        an asked source has not answered.
        """
        tried: list[MatchKey] = []
        for name in order:
            if key not in asked.get(name, set()):
                return name
            answer = answers.get((name, key))
            if answer is None:
                return None
            if isinstance(answer, BatonError):
                return answer
            if isinstance(answer, NoMatch) and self.mapping.match.on_none == "next_source":
                tried += answer.tried
                continue
            return answer
        return NoMatch("", tuple(dict.fromkeys(tried)))

    def _finish(
        self,
        batch: list[_Entry],
        results: Mapping[str, LookupResult],
        errors: Mapping[str, BatonError],
    ) -> None:
        now = self.clock()
        notify: list[tuple[str, CardResult]] = []
        with self._cond:
            for entry in batch:
                key = entry.keys.cache_key
                entry.state = "idle"
                if key in results:
                    entry.enrichment = build_enrichment(self.mapping, results[key])
                    entry.fetched_at = now
                    entry.error, entry.failures, entry.first_failure = None, 0, None
                    entry.permanent = False
                    card = self._result(entry)
                    notify += [(c, card) for c in sorted(entry.waiting)]
                    entry.waiting.clear()
                else:
                    err = errors.get(key) or RetryableError("lookup did not run")
                    notify += self._failed(entry, err)
                entry.done.set()
            self._ready += notify
            self._cond.notify_all()
        for conversation_id, card in notify:
            log.info("crm.card_ready", conversation_id=conversation_id, status=card.status)
            if self.on_ready is not None:
                try:
                    self.on_ready(conversation_id, card)
                except Exception:
                    log.exception("crm.on_ready_failed", conversation_id=conversation_id)

    def _failed(self, entry: _Entry, err: BatonError) -> list[tuple[str, CardResult]]:
        """Record a failure (lock held); the cards to hand out if the lookup is over."""
        now = time.monotonic()
        entry.error = err
        entry.failures += 1
        entry.first_failure = entry.first_failure or now
        if not isinstance(err, RetryableError) or now - entry.first_failure > self.give_up_after:
            entry.permanent = True
        if entry.permanent:
            card = CardResult("failed", reason=str(err))
            out = [(c, card) for c in sorted(entry.waiting)]
            entry.waiting.clear()
            return out
        delay = self.retry_delays[min(entry.failures - 1, len(self.retry_delays) - 1)]
        if isinstance(err, RateLimited) and err.retry_after:
            delay = max(delay, err.retry_after)
        entry.next_attempt = now + delay
        return []

    # --- log on change ------------------------------------------------------------------

    def _source_failed(self, name: str, err: BatonError) -> None:
        with self._cond:
            first = name not in self._failing
            self._failing[name] = str(err)
        if first:
            log.warning(
                "crm.source_failing", source=name, error=str(err), error_type=type(err).__name__
            )

    def _source_ok(self, name: str) -> None:
        with self._cond:
            was = self._failing.pop(name, None)
        if was is not None:
            log.info("crm.source_recovered", source=name)


def _no_keys() -> Enrichment:
    return Enrichment(
        "no_match",
        None,
        "The chat customer has no email, phone or customer id to look up.",
        zendesk=ZendeskValues(tags=(_TAG_NO_MATCH,)),
        rules={"crm_match": "no_match"},
    )
