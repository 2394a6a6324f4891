"""Create tickets and internal notes on Zendesk through zenpy (``core.ports.TicketSystem``)."""

from __future__ import annotations

import contextvars
import io
import random
from collections.abc import Callable
from typing import Any, TypeVar

import requests
import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, CustomField, Organization, Ticket, User
from zenpy.lib.exception import RecordNotFoundException

from connectors.loopback import mount_loopback
from connectors.zendesk.errors import IdempotencyConflict, translate
from connectors.zendesk.settings import ZendeskSettings
from core.context.model import ZendeskDirectory
from core.errors import BatonError, RateLimited, Unavailable
from core.handoff import Attachment, TicketDraft, TicketRef, TicketUpdate

log = structlog.get_logger("baton.zendesk")
T = TypeVar("T")

_idempotency_key: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "zendesk_idempotency_key", default=None
)


class _BatonSession(requests.Session):
    """Adds ``Idempotency-Key`` to ticket creations and remembers the last response.

    zenpy has no per-call header hook; a context variable carries the key into the
    session, so zenpy's own retries of the same call keep it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.last_response: contextvars.ContextVar[requests.Response | None] = (
            contextvars.ContextVar("zendesk_last_response", default=None)
        )

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        key = _idempotency_key.get()
        if key is not None and str(method).upper() == "POST":
            headers = dict(kwargs.pop("headers", None) or {})
            headers["Idempotency-Key"] = key
            kwargs["headers"] = headers
        response = super().request(method, url, *args, **kwargs)
        self.last_response.set(response)
        return response


class ZendeskTickets:
    """Baton's ticket system on Zendesk: idempotent creates, internal notes, lookups."""

    def __init__(self, settings: ZendeskSettings) -> None:
        self.settings = settings
        self._session = _BatonSession()
        self._session.headers["User-Agent"] = "Baton/0.1 (+zenpy)"
        if settings.api_url is not None:
            mount_loopback(self._session, settings.origin, str(settings.api_url).rstrip("/"))
        self.client = Zenpy(
            subdomain=settings.subdomain,
            email=settings.email,
            token=settings.token.get_secret_value(),
            session=self._session,
            timeout=settings.timeout_seconds,
            ratelimit_budget=settings.ratelimit_budget_seconds,
            disable_cache=True,
        )
        self.calls = 0

    # -- TicketSystem -------------------------------------------------------------------

    def create_ticket(self, draft: TicketDraft, idempotency_key: str) -> TicketRef:
        uploads = [*draft.upload_tokens, *(self._upload(a) for a in draft.attachments)]
        ticket = Ticket(
            subject=draft.subject,
            requester=User(name=draft.requester.name, email=draft.requester.email),
            external_id=draft.external_id,
            priority=draft.priority,
            tags=list(draft.tags),
            comment=Comment(
                html_body=draft.note_html,
                public=False,
                uploads=uploads or None,
            ),
        )
        if draft.custom_fields:
            ticket.custom_fields = [CustomField(id=i, value=v) for i, v in draft.custom_fields]
        if draft.group_id is not None:
            ticket.group_id = draft.group_id

        def create() -> TicketRef:
            token = _idempotency_key.set(idempotency_key)
            try:
                audit = self.client.tickets.create(ticket)
            finally:
                _idempotency_key.reset(token)
            response = self._session.last_response.get()
            replayed = bool(
                response is not None and response.headers.get("x-idempotency-lookup") == "hit"
            )
            return TicketRef(
                ticket_id=int(audit.ticket.id),
                external_id=audit.ticket.external_id,
                created=not replayed,
            )

        try:
            ref = self._call("create_ticket", create)
            self._set_requester_fields(
                ref.ticket_id, draft.requester_fields, draft.organization_fields
            )
            return ref
        except IdempotencyConflict:
            # The key was used for this episode with an older body (the conversation grew
            # between attempts): the first attempt's ticket is the one to keep.
            found = self.find_ticket(draft.external_id)
            if found is None:
                raise
            return found

    def find_ticket(self, external_id: str) -> TicketRef | None:
        def find() -> TicketRef | None:
            for ticket in self.client.tickets(external_id=external_id):
                return TicketRef(
                    ticket_id=int(ticket.id), external_id=ticket.external_id, created=False
                )
            return None

        return self._call("find_ticket", find)

    def update_ticket(self, ticket_id: int, update: TicketUpdate) -> None:
        """Add/remove tags, set custom fields and add an internal note, in one update."""

        def apply() -> None:
            current = self.client.tickets(id=ticket_id)
            ticket = Ticket(id=ticket_id)
            tags = [t for t in (current.tags or []) if t not in update.remove_tags]
            tags += [t for t in update.add_tags if t not in tags]
            if tags != list(current.tags or []):
                ticket.tags = tags
            if update.custom_fields:
                ticket.custom_fields = [CustomField(id=i, value=v) for i, v in update.custom_fields]
            if update.priority is not None:
                ticket.priority = update.priority
            if update.note_html:
                ticket.comment = Comment(html_body=update.note_html, public=False)
            self.client.tickets.update(ticket)

        self._call("update_ticket", apply)
        self._set_requester_fields(ticket_id, update.requester_fields, update.organization_fields)

    def _set_requester_fields(
        self,
        ticket_id: int,
        user_fields: tuple[tuple[str, str], ...],
        organization_fields: tuple[tuple[str, str], ...],
    ) -> None:
        """Land CRM values on the requester's profile and their organization."""
        if not user_fields and not organization_fields:
            return

        def apply() -> None:
            requester_id = self.client.tickets(id=ticket_id).requester_id
            if user_fields:
                self.client.users.update(User(id=requester_id, user_fields=dict(user_fields)))
            if organization_fields:
                org_id = self.client.users(id=requester_id).organization_id
                if org_id is None:
                    log.info("zendesk.no_organization", ticket_id=ticket_id)
                    return
                self.client.organizations.update(
                    Organization(id=org_id, organization_fields=dict(organization_fields))
                )

        self._call("set_requester_fields", apply)

    def directory(self) -> ZendeskDirectory:
        """Custom ticket fields by title and groups by name, for routing and field ids."""

        def read() -> ZendeskDirectory:
            fields = {f.title: int(f.id) for f in self.client.ticket_fields() if f.title}
            groups = {g.name: int(g.id) for g in self.client.groups() if g.name}
            return ZendeskDirectory(fields=fields, groups=groups)

        return self._call("directory", read)

    def _upload(self, attachment: Attachment) -> str:
        def upload() -> str:
            # target_name: zenpy would otherwise send a local path as the file name.
            result = self.client.attachments.upload(
                io.BytesIO(attachment.data),
                target_name=attachment.filename,
                content_type=attachment.content_type,
            )
            return str(result.token)

        return self._call("upload", upload)

    def has_note(self, ticket_id: int, marker: str) -> bool:
        def look() -> bool:
            try:
                comments = self.client.tickets.comments(ticket=ticket_id)
                return any(marker in (c.html_body or c.body or "") for c in comments)
            except RecordNotFoundException:
                return False

        return self._call("has_note", look)

    # -- one call, retried on transient errors ------------------------------------------

    def _call(self, operation: str, fn: Callable[[], T]) -> T:
        def attempt() -> T:
            self.calls += 1
            try:
                return fn()
            except BatonError:
                raise
            except Exception as err:
                raise translate(err, self._session.last_response.get()) from err

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.call_attempts),
            wait=self._wait,
            retry=retry_if_exception(self._worth_retrying_now),
            reraise=True,
            before_sleep=lambda state: log.info(
                "zendesk.retrying",
                operation=operation,
                attempt=state.attempt_number,
                error=type(state.outcome.exception()).__name__ if state.outcome else None,
            ),
        )
        return retrying(attempt)

    def _worth_retrying_now(self, err: BaseException) -> bool:
        if isinstance(err, RateLimited):
            return err.retry_after is not None and (
                err.retry_after <= self.settings.max_inline_wait_seconds
            )
        return isinstance(err, Unavailable)

    def _wait(self, state: RetryCallState) -> float:
        err = state.outcome.exception() if state.outcome else None
        if isinstance(err, RateLimited) and err.retry_after is not None:
            return err.retry_after
        backoff = min(2.0, 0.2 * 2 ** (state.attempt_number - 1))
        return backoff + random.uniform(0, backoff / 2)
