"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Insert, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same for every replica running migrations.
_MIGRATION_LOCK = 0x6261746F6E  # "baton"


def sqlite_url(state_dir: Path) -> str:
    """The default database: ``baton.db`` in the state directory."""
    return f"sqlite:///{state_dir / 'baton.db'}"


class Database:
    """One engine and its session factory. Use :meth:`transaction` for units of work."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        try:
            parsed = make_url(url)
        except Exception as err:
            raise ConfigError(f"database url {url!r} is not a valid SQLAlchemy URL") from err
        self.url = parsed
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine: Engine = create_engine(parsed, **kwargs)
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; queueing threads here is fair and prompt, where
        # SQLite's own busy handler sleeps in growing steps (tens of ms) under contention.
        self._writer: AbstractContextManager[object] = (
            threading.Lock() if self.is_sqlite else nullcontext()
        )
        self._inserts: dict[tuple[str, tuple[str, ...], str | None], Insert] = {}

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with self._writer, self.sessions() as session, session.begin():
            yield session

    def insert_ignoring(
        self, table: Table, conflict: tuple[str, ...], returning: str | None = None
    ) -> Insert:
        """``INSERT … ON CONFLICT (conflict) DO NOTHING [RETURNING returning]`` on this
        database's dialect, built once: the values come with each execution, so the hot
        path neither rebuilds nor re-compiles the statement."""
        key = (table.name, conflict, returning)
        stmt = self._inserts.get(key)
        if stmt is None:
            dialect = sqlite if self.is_sqlite else postgresql
            stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
            if returning is not None:
                stmt = stmt.returning(table.c[returning])
            self._inserts[key] = stmt
        return stmt

    def migrate(self) -> None:
        """Bring the schema to the newest revision (safe to run from several replicas)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            if not self.is_sqlite:
                # Replicas starting together must not run the same migration twice.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def _tune_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so writers queue instead of deadlocking."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
