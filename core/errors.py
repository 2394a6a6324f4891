"""One error tree for Baton, grouped by what the caller must do about a failure.

::

    BatonError
    ├── ConfigError            a person must fix configuration; retrying will not help
    │   └── MappingError       a CRM mapping file is wrong (file, line, field named)
    ├── InputError             a request or event is malformed; reject it, store nothing
    ├── RetryableError         transient: try again later (outbox backoff, tenacity inside a call)
    │   ├── RateLimited        the remote asked us to slow down; ``retry_after`` seconds if known
    │   └── Unavailable        timeout, dropped connection, 5xx, outage
    ├── PermanentError         the remote refused this request for good: dead-letter it
    │   └── AuthError          credentials missing or wrong (also a ConfigError for ops)
    └── SkippableError         this item can be skipped without failing the batch

Workers branch on the class, never on a vendor's message text. Connectors translate
vendor exceptions at their edge with ``raise ... from err``.
"""

from __future__ import annotations


class BatonError(Exception):
    """Base of every error Baton raises on purpose."""

    #: who must act on this failure: ``config`` (ops/admin), ``system`` (remote), ``transient``
    who_acts: str = "system"


class ConfigError(BatonError):
    """Configuration is invalid or incomplete; a person must fix it."""

    who_acts = "config"


class MappingError(ConfigError):
    """A CRM mapping file is invalid; the message names file, line and field."""


class InputError(BatonError):
    """An incoming request or event is malformed; nothing of it is stored."""

    who_acts = "sender"


class RetryableError(BatonError):
    """A transient failure: the same request may succeed later."""

    who_acts = "transient"


class RateLimited(RetryableError):
    """The remote service asked us to slow down."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(RetryableError):
    """Timeout, dropped connection, 5xx or outage of a remote service."""


class PermanentError(BatonError):
    """The remote refused the request for good; retrying the same request cannot help."""


class AuthError(PermanentError, ConfigError):
    """Credentials are missing, wrong or expired beyond refresh."""

    who_acts = "config"


class SkippableError(BatonError):
    """This item can be skipped without failing the rest of its batch."""
