"""The decision engine: conversation snapshot in, explainable decision out. Pure, no I/O."""

from core.engine.engine import Engine

__all__ = ["Engine"]
