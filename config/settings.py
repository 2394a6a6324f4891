"""The daemon's settings: a YAML file, overridden by ``BATON_*`` environment variables.

Secrets (webhook secrets, API tokens) belong in the environment or in files the service
manager provides, never in the YAML; they are ``SecretStr`` and never logged.
Nested keys use ``__`` in the environment: ``BATON_ZENDESK__TOKEN``, ``BATON_WEBHOOK__SECRETS``.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from config.yamlfile import line_of, read_yaml
from connectors.hubspot import HubSpotSettings
from connectors.salesforce import SalesforceSettings
from connectors.summarizer.client import SummarizerSettings
from connectors.zendesk.settings import ZendeskSettings
from core.context.masking import MaskingRules
from core.context.model import RoutingRules
from core.errors import ConfigError


def _split_secrets(value: Any) -> Any:
    """Comma-separated secrets (one environment variable) as a tuple."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class WebhookSettings(_Section):
    #: one or more secrets (several during a rotation); comma-separated in the environment
    secrets: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    tolerance_seconds: float = Field(default=300, gt=0, le=3600)

    @field_validator("secrets", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _split_secrets(value)


class WorkerSettings(_Section):
    count: int = Field(default=2, ge=1, le=64)
    lease_seconds: float = Field(default=60, ge=5)
    max_attempts: int = Field(default=8, ge=1)
    poll_interval_seconds: float = Field(default=0.5, gt=0)
    shutdown_grace_seconds: float = Field(default=20, ge=0)


class ContextSettings(_Section):
    """The agent's context: the page behind the note's link, masking, ticket routing."""

    #: the address agents reach the daemon at (links in notes); default: its own URL
    base_url: HttpUrl | None = None
    #: signs context links (the first signs, all verify); default: derived from the
    #: webhook secrets, so a link survives restarts without another secret to manage
    link_secrets: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    link_ttl_days: float = Field(default=14, gt=0, le=365)
    masking: MaskingRules = MaskingRules()
    routing: RoutingRules = RoutingRules()

    @field_validator("link_secrets", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _split_secrets(value)


class CrmSettings(_Section):
    """How CRM records reach tickets (the CRMs themselves: ``salesforce:``/``hubspot:``)."""

    #: the CRM admins' mapping file; no mapping, no enrichment
    mapping_file: Path | None = None
    #: the ticket never waits longer than this for the card; a late card is added after
    card_budget_seconds: float = Field(default=2.0, ge=0, le=30)


class LogSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "console"] = "json"


_FILE_DATA: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "baton_settings_file", default=MappingProxyType({})
)


class _YamlSource(PydanticBaseSettingsSource):
    """The settings file, below the environment in priority."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return _FILE_DATA.get().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_FILE_DATA.get())


class BatonSettings(BaseSettings):
    """Everything ``baton run`` needs."""

    model_config = SettingsConfigDict(
        env_prefix="BATON_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    state_dir: Path = Path("state")
    database_url: str | None = None
    server: ServerSettings = ServerSettings()
    webhook: WebhookSettings = WebhookSettings()
    workers: WorkerSettings = WorkerSettings()
    log: LogSettings = LogSettings()
    zendesk: ZendeskSettings | None = None
    crm: CrmSettings = CrmSettings()
    salesforce: SalesforceSettings | None = None
    hubspot: HubSpotSettings | None = None
    context: ContextSettings = ContextSettings()
    summarizer: SummarizerSettings | None = None
    #: escalation rules: a preset (default, finance, ecommerce, telecom) or a YAML file
    rules: str | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlSource(settings_cls), file_secret_settings)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'baton.db'}"


def _describe(
    path: Path | None, err: ValidationError, lines: dict[tuple[str | int, ...], int]
) -> str:
    """One line per problem, naming the environment variable when the value came from there."""
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        field = ".".join(str(p) for p in loc)
        env_name = "BATON_" + "__".join(str(p) for p in loc).upper()
        if env_name in os.environ:
            out.append(f"environment {env_name}: {field}: {e['msg']}")
            continue
        hint = f" (set it in the file or in {env_name})" if e["type"] == "missing" else ""
        line = line_of(lines, loc)
        where = f"{path}:{line}" if path is not None and line else str(path or "settings")
        out.append(f"{where}: {field}: {e['msg']}{hint}")
    return "\n".join(out)


def load_settings(path: Path | None = None, **overrides: Any) -> BatonSettings:
    """Settings from ``path`` (optional) and the environment; errors name file, line, field."""
    data: dict[str, Any] = {}
    lines: dict[tuple[str | int, ...], int] = {}
    if path is not None:
        raw, lines = read_yaml(path)
        if raw is not None and not isinstance(raw, dict):
            raise ConfigError(f"{path}:1: expected a mapping at the top level")
        data = raw or {}
    token = _FILE_DATA.set(data)
    try:
        return BatonSettings(**overrides)
    except ValidationError as err:
        raise ConfigError(_describe(path, err, lines)) from err
    finally:
        _FILE_DATA.reset(token)
