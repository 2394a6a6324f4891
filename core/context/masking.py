"""Mask card numbers and configured secrets in conversation text, before anything is stored.

What counts as a card number: 13 to 19 digits that pass the Luhn check and do not start
with 0, written

- plain (``4111111111111111``),
- in card groupings separated by single spaces or dashes (``4111 1111 1111 1111``,
  ``4111-1111-1111-1111``, 4-4-4-4-3, Amex 4-6-5, Diners 4-6-4),
- or typed across consecutive customer messages (``my card is 4111 1111`` then
  ``1111 1111``): the number's start ends one message and its rest opens the next ones.

Every digit but the last four becomes ``•``, separators stay, so the agent can still ask
"the card ending 1111?". Near-misses are kept: order and phone numbers (too short, or not
Luhn-valid), dates and other digit runs whose grouping is not a card's, runs longer than
19 digits, and numbers glued to letters (identifiers such as ``INV4111111111111111``).

Configured patterns (regular expressions, e.g. API keys or national ids) are replaced by
``[<name> removed]``.

Masking is idempotent: masked text masks to itself, so the whole transcript can be masked
again at every later step (note, summarizer, context page) at no risk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MASK = "•"
#: How many previous customer messages :func:`mask_message` may need (split numbers).
SPLIT_LOOKBACK = 8

_DIGIT = "0-9\uff10-\uff19"  # ASCII and full-width digits (CJK input methods)
_SEPARATORS = " \u00a0-"
# Latin letters and digits (ASCII and full-width): a number glued to one is an identifier.
# A mask counts too: digits right after one belong to a number masked already. CJK text
# is not a boundary problem: Chinese writes numbers right after characters.
_GLUE = f"A-Za-z0-9_\uff10-\uff19\uff21-\uff3a\uff41-\uff5a{MASK}"
# A run of digit groups joined by single separators, not glued to a letter or digit.
_RUN = re.compile(rf"(?<![{_GLUE}])[{_DIGIT}]+(?:[{_SEPARATORS}][{_DIGIT}]+)*(?![{_GLUE}])")
_GROUP = re.compile(rf"[{_DIGIT}]+")
_TRAILER = " \t\r\n.,;:!?)…"


class MaskPattern(BaseModel):
    """One configured secret pattern: a name (shown in the mask) and a regular expression."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_ -]+$")
    regex: str = Field(min_length=1)
    ignore_case: bool = False

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from err
        if compiled.fullmatch(""):
            raise ValueError("the pattern matches the empty string")
        return value

    def compiled(self) -> re.Pattern[str]:
        return _compile(self.regex, self.ignore_case)


class MaskingRules(BaseModel):
    """What to mask besides card numbers (always masked)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patterns: tuple[MaskPattern, ...] = ()


_COMPILED: dict[tuple[str, bool], re.Pattern[str]] = {}


def _compile(regex: str, ignore_case: bool) -> re.Pattern[str]:
    key = (regex, ignore_case)
    pattern = _COMPILED.get(key)
    if pattern is None:
        pattern = re.compile(regex, re.IGNORECASE if ignore_case else 0)
        _COMPILED[key] = pattern
    return pattern


@dataclass(frozen=True, slots=True)
class MaskResult:
    """The masked message, and the earlier customer messages that must be rewritten.

    ``changed_previous`` maps an index of the ``previous_customer_texts`` given to
    :func:`mask_message` to that message's new text (a card number was split across it
    and the new message). Whoever stored those messages must replace them.
    """

    text: str
    changed_previous: Mapping[int, str] = field(default_factory=dict)
    cards: int = 0
    patterns: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.cards or self.patterns)


# -- card numbers --------------------------------------------------------------------


def _digit_value(ch: str) -> int:
    return ord(ch) - (0xFF10 if ch >= "\uff10" else 0x30)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by every payment card number."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = _digit_value(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and _digit_value(digits[0]) != 0 and luhn_valid(digits)


def _card_grouping(lengths: Sequence[int]) -> bool:
    """Whether digit groups of these lengths are written the way card numbers are."""
    if len(lengths) == 1:
        return True
    if tuple(lengths) in ((4, 6, 5), (4, 6, 4)):  # Amex, Diners
        return True
    return all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


@dataclass(frozen=True, slots=True)
class _Group:
    piece: int  # which text: 0..n-1 of the chain
    start: int
    end: int
    digits: str


def _groups(text: str, span: tuple[int, int], piece: int) -> list[_Group]:
    return [
        _Group(piece, m.start(), m.end(), m.group())
        for m in _GROUP.finditer(text, span[0], span[1])
    ]


def _mask_groups(texts: list[str], groups: Sequence[_Group]) -> None:
    """Replace all digits of ``groups`` but the last four with the mask, in place."""
    keep = 4
    edits: dict[int, list[tuple[int, int, str]]] = {}
    for g in reversed(groups):
        kept = min(keep, len(g.digits))
        keep -= kept
        masked = MASK * (len(g.digits) - kept) + g.digits[len(g.digits) - kept :]
        edits.setdefault(g.piece, []).append((g.start, g.end, masked))
    for piece, spans in edits.items():
        text = texts[piece]
        for start, end, masked in sorted(spans, reverse=True):
            text = text[:start] + masked + text[end:]
        texts[piece] = text


def _mask_cards_in(text: str) -> tuple[str, int]:
    """Mask card numbers written within one text."""
    texts = [text]
    found = 0
    for run in _RUN.finditer(text):
        groups = _groups(text, run.span(), 0)
        i = 0
        while i < len(groups):
            match = None
            total = 0
            for j in range(i, len(groups)):
                total += len(groups[j].digits)
                if total > 19:
                    break
                window = groups[i : j + 1]
                if (
                    total >= 13
                    and _card_grouping([len(g.digits) for g in window])
                    and _is_card("".join(g.digits for g in window))
                ):
                    match = j  # keep looking: the longest valid window wins
            if match is None:
                i += 1
                continue
            _mask_groups(texts, groups[i : match + 1])
            found += 1
            i = match + 1
    return texts[0], found


def _tail_span(text: str) -> tuple[int, int] | None:
    """The digit run that ends ``text`` (trailing spaces and punctuation aside)."""
    end = len(text.rstrip(_TRAILER))
    last = None
    for run in _RUN.finditer(text, 0, end):
        last = run
    if last is None or last.end() != end:
        return None
    return last.span()


def _head_span(text: str) -> tuple[int, int] | None:
    """The digit run that opens ``text`` (leading spaces aside)."""
    start = len(text) - len(text.lstrip())
    run = _RUN.match(text, start)
    return run.span() if run else None


def _is_only_digits(text: str, span: tuple[int, int]) -> bool:
    return not text[: span[0]].strip() and not text[span[1] :].strip(_TRAILER)


def _mask_split(previous: list[str], current: str) -> tuple[list[str], str, set[int], int]:
    """Mask a card number whose digits start in earlier messages and end in ``current``.

    The chain is: the digit run that ends a previous message (and whole previous messages
    made only of digits before it), then the digit run that opens ``current``. A card is
    any suffix of that chain, ending where the run in ``current`` ends, that crosses a
    message boundary.
    """
    head = _head_span(current)
    if head is None or not previous:
        return previous, current, set(), 0
    chain: list[tuple[int, tuple[int, int]]] = []  # (index in previous, span), newest first
    digits = 0
    for index in range(len(previous) - 1, max(len(previous) - 1 - SPLIT_LOOKBACK, -1), -1):
        text = previous[index]
        tail = _tail_span(text)
        if tail is None:
            break
        chain.append((index, tail))
        digits += sum(len(g) for g in _GROUP.findall(text, tail[0], tail[1]))
        if digits >= 19 or not _is_only_digits(text, tail):
            break
    if not chain:
        return previous, current, set(), 0
    chain.reverse()
    texts = [previous[index] for index, _ in chain] + [current]
    spans = [span for _, span in chain] + [head]
    groups = [g for piece, span in enumerate(spans) for g in _groups(texts[piece], span, piece)]
    last_piece = len(texts) - 1
    for start in range(len(groups)):
        window = groups[start:]
        if window[0].piece == last_piece:
            break  # no longer crosses a boundary
        joined = "".join(g.digits for g in window)
        if len(joined) > 19:
            continue
        if _is_card(joined):
            _mask_groups(texts, window)
            touched = {chain[g.piece][0] for g in window if g.piece != last_piece}
            out = list(previous)
            for piece, (index, _) in enumerate(chain):
                out[index] = texts[piece]
            return out, texts[-1], touched, 1
    return previous, current, set(), 0


# -- configured patterns ---------------------------------------------------------------


def _mask_patterns(text: str, rules: MaskingRules) -> tuple[str, int]:
    found = 0
    for pattern in rules.patterns:
        text, n = pattern.compiled().subn(f"[{pattern.name} removed]", text)
        found += n
    return text, found


# -- public API --------------------------------------------------------------------------


def mask_text(text: str, rules: MaskingRules | None = None) -> str:
    """``text`` with card numbers and configured patterns masked (one message, no context)."""
    masked, _ = _mask_cards_in(text)
    if rules is not None and rules.patterns:
        masked, _ = _mask_patterns(masked, rules)
    return masked


def mask_message(
    text: str,
    previous_customer_texts: Sequence[str] = (),
    rules: MaskingRules | None = None,
) -> MaskResult:
    """Mask a new customer message, given the conversation's earlier customer messages.

    ``previous_customer_texts`` are the (already masked) texts of the conversation's
    earlier customer messages, oldest first; the last :data:`SPLIT_LOOKBACK` are enough.
    Call this at ingest, before anything is stored or logged; then store ``result.text``
    and replace each earlier message named in ``result.changed_previous``.
    """
    masked, cards = _mask_cards_in(text)
    previous = list(previous_customer_texts)
    new_previous, masked, touched, split = _mask_split(previous, masked)
    changed = {index: new_previous[index] for index in sorted(touched)}
    patterns = 0
    if rules is not None and rules.patterns:
        masked, patterns = _mask_patterns(masked, rules)
    return MaskResult(text=masked, changed_previous=changed, cards=cards + split, patterns=patterns)


def mask_transcript(
    texts: Sequence[str], customer: Sequence[bool], rules: MaskingRules | None = None
) -> list[str]:
    """Mask a whole transcript in order; ``customer[i]`` says whether message i is the
    customer's (only customer messages are joined when a number is split across them)."""
    out = list(texts)
    customer_indexes: list[int] = []
    for i, text in enumerate(texts):
        if not customer[i]:
            out[i] = mask_text(text, rules)
            continue
        previous = [out[k] for k in customer_indexes[-SPLIT_LOOKBACK:]]
        offset = len(customer_indexes) - len(previous)
        result = mask_message(text, previous, rules)
        out[i] = result.text
        for index, new_text in result.changed_previous.items():
            out[customer_indexes[offset + index]] = new_text
        customer_indexes.append(i)
    return out


def mask_json(value: Any, rules: MaskingRules | None = None) -> Any:
    """Every string inside a JSON-like value (dicts, lists) masked, e.g. event metadata."""
    if isinstance(value, str):
        return mask_text(value, rules)
    if isinstance(value, Mapping):
        return {k: mask_json(v, rules) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_json(v, rules) for v in value]
    return value
