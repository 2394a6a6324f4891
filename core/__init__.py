"""Baton's pure domain: event schema, conversations, the decision engine, handoff drafts.

Nothing in here does I/O or imports a connector, the store, the web layer or an SDK;
``tests/test_layers.py`` and import-linter hold that line.
"""
