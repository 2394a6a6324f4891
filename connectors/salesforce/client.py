"""A simple-salesforce client with session refresh, bounded retries and translated errors.

Every call goes through :meth:`SalesforceClient.call`, which

1. gets an access token first if there is none yet (OAuth connected app);
2. on ``INVALID_SESSION_ID``, gets a new token once and repeats the call (simple-salesforce
   does not re-login when given a session id, so the connector does it);
3. retries transient failures (timeouts, 5xx, short ``Retry-After``) with tenacity, a
   few times within seconds; longer waits are left to the caller (the enrichment
   service reschedules, the outbox retries across runs);
4. translates whatever is left into :mod:`core.errors` at this edge.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
import structlog
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors.loopback import mount_loopback
from connectors.salesforce.errors import translate
from connectors.salesforce.settings import SalesforceSettings
from core.errors import AuthError, BatonError, RateLimited, RetryableError

log = structlog.get_logger("baton.crm.salesforce")
T = TypeVar("T")


class SalesforceClient:
    """Owns the ``requests.Session`` and the current simple-salesforce client."""

    def __init__(
        self,
        settings: SalesforceSettings,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self.session = session or requests.Session()
        self._local = threading.local()
        self.session.hooks["response"].append(self._remember)
        parts = urlsplit(settings.base)
        if parts.scheme == "http":
            # simple-salesforce always speaks https to the instance's host:port.
            mount_loopback(
                self.session, urlunsplit(("https", parts.netloc, "", "", "")), settings.base
            )
        self._lock = threading.Lock()
        self._token: str | None = (
            settings.session_id.get_secret_value() if settings.session_id else None
        )
        self._sf: Salesforce | None = None
        first = settings.retry_wait_seconds
        self._wait = wait_exponential_jitter(multiplier=first, max=2.0, jitter=first)

    # --- plumbing ------------------------------------------------------------------------

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._local.headers = response.headers

    def _client(self) -> Salesforce:
        with self._lock:
            if self._token is None:
                self._token = self._new_token()
            if self._sf is None:
                self._sf = Salesforce(
                    session_id=self._token,
                    instance_url=self.settings.base,
                    version=self.settings.api_version,
                    session=self.session,
                )
            return self._sf

    def _new_token(self) -> str:
        """An access token from the OAuth token endpoint (client credentials or refresh)."""
        s = self.settings
        if not s.can_refresh:
            raise AuthError("Salesforce session expired and no OAuth client is configured")
        assert s.client_id is not None
        form = {"client_id": s.client_id.get_secret_value()}
        if s.refresh_token is not None:
            form |= {
                "grant_type": "refresh_token",
                "refresh_token": s.refresh_token.get_secret_value(),
            }
        else:
            form["grant_type"] = "client_credentials"
        if s.client_secret is not None:
            form["client_secret"] = s.client_secret.get_secret_value()
        try:
            answer = self.session.post(s.oauth_token_url, data=form, timeout=s.timeout_seconds)
        except requests.RequestException as err:
            raise translate(err) from err
        if answer.status_code >= 500:
            from core.errors import Unavailable

            raise Unavailable(f"Salesforce token endpoint answered {answer.status_code}")
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if answer.status_code != 200 or "access_token" not in body:
            raise AuthError(
                f"Salesforce refused the OAuth grant ({body.get('error', answer.status_code)})"
            )
        log.info("salesforce.session_refreshed", grant=form["grant_type"])
        return str(body["access_token"])

    def _refresh(self, stale: Salesforce) -> None:
        with self._lock:
            if self._sf is not stale:
                return  # another thread refreshed already
            self._token = self._new_token()
            self._sf = None

    @property
    def api_usage(self) -> Any:
        return self._sf.api_usage if self._sf is not None else {}

    # --- the one way to call Salesforce -------------------------------------------------

    def call(self, operation: Callable[[Salesforce], T], what: str) -> T:
        """Run ``operation`` with bounded retries; raise only :mod:`core.errors`."""
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.call_attempts),
            wait=self._wait_for,
            retry=retry_if_exception(self._inline_retry),
            reraise=True,
            sleep=self._sleep,
        )
        return retrying(self._once, operation, what)

    def _once(self, operation: Callable[[Salesforce], T], what: str) -> T:
        sf = self._client()
        try:
            return operation(sf)
        except SalesforceExpiredSession as expired:
            if not self.settings.can_refresh:
                raise translate(expired) from expired
            self._refresh(sf)
            try:
                return operation(self._client())
            except Exception as err:
                raise self._translated(err) from err
        except BatonError:
            raise
        except Exception as err:
            raise self._translated(err) from err

    def _translated(self, err: Exception) -> BatonError:
        return translate(err, getattr(self._local, "headers", None))

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
