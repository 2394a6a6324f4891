"""Text normalisation shared by the phrase-matching triggers."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def normalize(text: str) -> str:
    """Lower-case, NFKC, punctuation to spaces, single spaces: for phrase matching."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def compile_phrases(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex matching any of the phrases on word boundaries, or None when empty."""
    cleaned = sorted({normalize(p) for p in phrases if normalize(p)}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(p) for p in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
