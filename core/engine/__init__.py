"""The decision engine: conversation snapshot in, explainable decision out. Pure, no I/O."""

from core.engine.analysis import TurnAnalysis
from core.engine.engine import Engine, SentimentPoint

__all__ = ["Engine", "SentimentPoint", "TurnAnalysis"]
