"""Make untrusted text (a remote summarizer's output) safe to show as plain text.

A language model's output is data, never instructions and never markup: tags, Markdown
images and links, bare URLs and control characters are removed, whitespace collapsed,
card numbers and configured secrets masked, and the length capped. What is left is
escaped again when it is written into HTML.
"""

from __future__ import annotations

import re
import unicodedata

from core.context.masking import MaskingRules, mask_text

_MD_IMAGE = re.compile(r"!\[([^\]]{0,300})\]\([^)]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]]{0,300})\]\([^)]{0,2000}\)")
_MD_REF = re.compile(r"^\s*\[[^\]]{1,100}\]:\s*\S+.*$", re.MULTILINE)
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]{0,2000}>")
_ANGLE = re.compile(r"[<>]")
_URL = re.compile(
    r"(?i)\b(?:[a-z][a-z0-9+.-]{1,20}:(?://)?|www\.)[^\s<>\"'()\[\]]+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ai|co|info|biz|xyz|ru|cn|app|dev|me|ly)"
    r"(?:/[^\s<>\"']*)?\b"
)
_SPACES = re.compile(r"\s+")
LINK_REMOVED = "[link removed]"


def _visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (category.startswith("C") and ch not in "\n\t")


def clean_untrusted(text: str, max_chars: int, rules: MaskingRules | None = None) -> str:
    """Plain, masked, single-line text with no markup and no links, at most ``max_chars``."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if _visible(ch))
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF.sub("", text)
    text = _TAG.sub(" ", text)
    text = _ANGLE.sub(" ", text)
    text = _URL.sub(LINK_REMOVED, text)
    text = mask_text(text, rules)
    text = _SPACES.sub(" ", text).strip()
    return shorten(text, max_chars)


def shorten(text: str, max_chars: int) -> str:
    """``text`` cut at a word boundary to at most ``max_chars`` (with an ellipsis)."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    space = cut.rfind(" ")
    if space >= max_chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"
