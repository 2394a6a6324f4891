"""Baton's state: events, conversations, messages, decisions, outbox, tickets, transitions.

SQLAlchemy 2 over SQLite (WAL, the embedded default) or PostgreSQL (replicas), with
Alembic migrations. The same code path serves both engines.
"""
