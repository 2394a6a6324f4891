"""An optional remote summarizer: any OpenAI-compatible ``/chat/completions`` endpoint."""

from connectors.summarizer.client import OpenAICompatibleSummarizer, SummarizerSettings

__all__ = ["OpenAICompatibleSummarizer", "SummarizerSettings"]
