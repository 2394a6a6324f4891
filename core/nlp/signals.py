"""Small per-message signals: amounts of money, typing behaviour, wording vectors."""

from __future__ import annotations

import functools
import itertools
import math
import re
import string
from collections.abc import Sequence
from typing import Final

_MULT = {
    "k": 1e3,
    "thousand": 1e3,
    "ribu": 1e3,
    "rb": 1e3,
    "libo": 1e3,
    "千": 1e3,
    "m": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "juta": 1e6,
    "jt": 1e6,
    "milyon": 1e6,
    "万": 1e4,
}
# \d++ is possessive: nothing that may follow a number starts with a digit, so giving
# digits back can never make a match, and trying it is what made long numbers slow
_NUM = r"(\d{1,3}(?:[,.]\d{3})+|\d++)(?:[.,](\d{1,2}))?"
_SCALE = r"\s?(k|thousand|ribu|rb|libo|千|m|mil|million|juta|jt|milyon|万)?"
_CUR_BEFORE = r"(?:rm|myr|sgd|s\$|usd|us\$|\$|rp\.?|idr|php|₱|€|£|¥|rmb|cny|eur|gbp)"
_CUR_AFTER = r"(?:dollars?|ringgit|rupiah|pesos?|piso|元|块|usd|sgd|myr|idr|php|eur|euros?|pounds?)"
_AMOUNT = re.compile(
    rf"(?<![\w.]){_CUR_BEFORE}\s?{_NUM}{_SCALE}(?!\w)|(?<![\w.,]){_NUM}{_SCALE}\s?{_CUR_AFTER}(?!\w)",
)  # matched against lower-cased text: twice as fast as re.IGNORECASE


_DIGIT = re.compile(r"\d")
#: the most characters an amount can start before its first digit: a three-letter
#: currency ("rp.", "us$") and a space
_LEAD = 4


def _value(whole: str, cents: str | None, scale: str | None) -> float:
    digits = re.sub(r"[,.]", "", whole)
    value = float(digits) + (float(f"0.{cents}") if cents else 0.0)
    return value * _MULT.get((scale or "").lower(), 1.0)


def amounts(text: str) -> tuple[float, ...]:
    """Money amounts named in the text ("RM 2,500", "$1.2k", "5 juta rupiah", "3000元")."""
    if _DIGIT.search(text) is None:
        return ()
    lowered = text.lower()
    first = _DIGIT.search(lowered)
    if first is None:  # lower() can change the length of text, never remove its digits
        return ()
    found = []
    # Every amount holds a digit, so the scan starts just before the first one (the
    # pattern's look-behind still sees the text before that point).
    for m in _AMOUNT.finditer(lowered, max(first.start() - _LEAD, 0)):
        if m.group(1) is not None:
            found.append(_value(m.group(1), m.group(2), m.group(3)))
        else:
            found.append(_value(m.group(4), m.group(5), m.group(6)))
    return tuple(found)


_UPPER = string.ascii_uppercase.encode()
_LOWER = string.ascii_lowercase.encode()


def caps_shouting(text: str, min_letters: int, ratio: float) -> bool:
    """Mostly upper-case letters (only cased scripts count: Chinese cannot shout in caps)."""
    if text.isascii():  # the common case, counted in C
        raw = text.encode()
        upper = len(raw) - len(raw.translate(None, _UPPER))
        if upper < min_letters * ratio:
            return False
        letters = upper + len(raw) - len(raw.translate(None, _LOWER))
        return letters >= min_letters and upper / letters >= ratio
    upper = sum(map(str.isupper, text))
    if upper < min_letters * ratio:
        return False
    letters = upper + sum(map(str.islower, text))
    return letters >= min_letters and upper / letters >= ratio


def punctuation_run(text: str, length: int) -> str | None:
    """The first run of at least ``length`` ``!``/``?`` marks (full-width too), if any."""
    if "!" not in text and "?" not in text and "！" not in text and "？" not in text:
        return None
    m = _punctuation(length).search(text)
    return m.group(0) if m else None


@functools.lru_cache(maxsize=8)
def _punctuation(length: int) -> re.Pattern[str]:
    return re.compile(rf"[!?！？]{{{length},}}")


def double_question(text: str) -> bool:
    return "??" in text or "？？" in text


# Function words of the five built-in languages: they carry no meaning for loops.
_STOP_TEXT = """i me my mine we our you your yours it its is are was were be been being am
    do does did
    have has had a an the to of in on for and or but if so can could would should will shall may
    might how what when where why which who whom this that these those with from at by as about
    into up out please pls hi hello hey help need want know tell get got just still yet any some
    there here then than too very really also again ok okay yes no not thanks thank im i'm it's
    saya aku awak anda kamu dia kami kita mereka ini itu yang dan atau di ke dari untuk dengan
    ada tak tidak nak mau ingin boleh bisa sudah dah belum lagi ya je lah kah pun apa bagaimana
    macam mana kenapa bila tolong sila mohon ako ko mo ka siya kami tayo sila ang ng sa na ay
    mga po ba naman lang din rin ito iyan yan yung at pero kung paano bakit saan kailan pa
    我 你 他 她 的 了 吗 呢 是 在 有 和 就 不 也 都 要 会 能 请 这 那 吧 啊"""
STOPWORDS = frozenset(_STOP_TEXT.split())


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(tokens: Sequence[str]) -> list[str]:
    return [_stem(t) for t in tokens if t not in STOPWORDS and t not in ("!", "?")]


@functools.lru_cache(maxsize=100_000)
def _grams(word: str) -> tuple[str, ...]:
    """The character 3/4-grams of one word padded with spaces."""
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (3, 4) for i in range(len(padded) - n + 1))


_GRAM_WEIGHT = 0.25  # a shared character n-gram counts a quarter of a shared word


class Wording:
    """The sets of content words and of their character n-grams, with the vector's norm.

    Read-only attributes, not a frozen dataclass: see :class:`core.nlp.lexicon.Match`.
    """

    __slots__ = ("grams", "norm", "words")

    def __init__(self, words: frozenset[str], grams: frozenset[str], norm: float) -> None:
        self.words: Final = words
        self.grams: Final = grams
        self.norm: Final = norm


def wording_vector(words: Sequence[str]) -> Wording:
    """Content words and their character 3/4-grams (typo tolerant), for :func:`cosine`."""
    unique = frozenset(words)
    grams = frozenset(itertools.chain.from_iterable(map(_grams, unique)))
    square = len(unique) + len(grams) * _GRAM_WEIGHT * _GRAM_WEIGHT
    return Wording(unique, grams, math.sqrt(square) or 1.0)


def cosine(a: Wording, b: Wording) -> float:
    """Cosine of two binary wording vectors (words weigh 1, character n-grams a quarter)."""
    dot = len(a.words & b.words) + len(a.grams & b.grams) * _GRAM_WEIGHT * _GRAM_WEIGHT
    return dot / (a.norm * b.norm)
