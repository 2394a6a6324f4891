"""The decision engine: conversation snapshot in, explainable decision out. Pure, no I/O."""

from core.engine import engine as _module
from core.engine.analysis import TurnAnalysis
from core.engine.engine import Engine, SentimentPoint

__all__ = ["Engine", "SentimentPoint", "TurnAnalysis", "compiled"]


def compiled() -> bool:
    """Whether the engine runs as C extensions compiled by mypyc (``scripts/compile_engine.py``)
    rather than as its Python source: the same decisions, about 1.4x the throughput."""
    return not (_module.__file__ or "").endswith(".py")
