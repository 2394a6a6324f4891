"""hubspot-api-client, configured once, with bounded retries and translated errors.

- ``host=`` points the generated clients at ``settings.base_url`` (the sandbox works as is).
- Each ``client.crm.<package>.<api>`` access builds a new ``ApiClient`` and connection pool,
  so the API objects are created once here and reused.
- urllib3 retries are switched off (``Retry(0)``): tenacity, in :meth:`HubSpotClient.call`,
  is the only retry layer inside a call. (Caveat if that ever changes: urllib3 does not
  retry POST by default, and HubSpot's search and batch reads are all POSTs:
  ``allowed_methods=None`` would be needed.)
- Errors leave through :func:`connectors.hubspot.errors.translate` only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import structlog
import urllib3
from hubspot import HubSpot
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors.hubspot.errors import translate
from connectors.hubspot.settings import HubSpotSettings
from core.errors import RateLimited, RetryableError

log = structlog.get_logger("baton.crm.hubspot")
T = TypeVar("T")


class HubSpotClient:
    """The generated API objects Baton uses, and the one way to call them."""

    def __init__(
        self, settings: HubSpotSettings, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        hub = HubSpot(
            access_token=settings.access_token.get_secret_value(),
            host=settings.host,
            retry=urllib3.Retry(total=0, redirect=0, raise_on_status=False),
        )
        crm = hub.crm
        self.contacts_batch = crm.contacts.batch_api
        self.contacts_search = crm.contacts.search_api
        self.contacts_basic = crm.contacts.basic_api
        self.batch_apis: dict[str, Any] = {
            "contacts": self.contacts_batch,
            "companies": crm.companies.batch_api,
            "deals": crm.deals.batch_api,
            "tickets": crm.tickets.batch_api,
            "notes": crm.objects.notes.batch_api,
        }
        self.associations_batch = crm.associations.v4.batch_api
        self.associations_basic = crm.associations.v4.basic_api
        self.notes = crm.objects.notes.basic_api
        self.properties = crm.properties.core_api
        self.owners = crm.owners.owners_api
        first = settings.retry_wait_seconds
        self._wait = wait_exponential_jitter(multiplier=first, max=2.0, jitter=first)

    @property
    def timeout(self) -> float:
        return self.settings.timeout_seconds

    def call(self, operation: Callable[[], T], what: str, *, idempotent: bool = True) -> T:
        """Run ``operation``; retry transient failures a few times if it is idempotent.

        Searches and batch reads are POSTs but idempotent; creates are not (a lost
        answer after a commit would duplicate the note), so they are tried once.
        """
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.call_attempts if idempotent else 1),
            wait=self._wait_for,
            retry=retry_if_exception(self._inline_retry),
            reraise=True,
            sleep=self._sleep,
        )
        return retrying(self._once, operation, what)

    def _once(self, operation: Callable[[], T], what: str) -> T:
        try:
            return operation()
        except Exception as err:
            translated = translate(err, rate_limit_default=self.settings.rate_limit_wait_seconds)
            if isinstance(translated, RetryableError):
                log.debug("hubspot.call_failed", call=what, error=str(translated))
            raise translated from err

    def _inline_retry(self, err: BaseException) -> bool:
        if not isinstance(err, RetryableError):
            return False
        if isinstance(err, RateLimited):
            wait = err.retry_after
            return wait is not None and wait <= self.settings.max_inline_wait_seconds
        return True

    def _wait_for(self, state: RetryCallState) -> float:
        outcome = state.outcome
        err = outcome.exception() if outcome is not None else None
        if isinstance(err, RateLimited) and err.retry_after is not None:
            return err.retry_after
        return float(self._wait(state))
