"""Normalisation, tokens and the shared feature set of the learned text scorers.

Tokens are lower-cased words (letters and apostrophes), numbers, and single CJK
characters (Chinese is written without spaces, so each character is a token and
multi-character terms match as token sequences). ``!`` and ``?`` are kept as tokens
for the learned scorers; lexicon matching ignores them.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff])")
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:[.,]\d+)*|[!?]")
_ASCII_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:[.,]\d+)*|[!?]")  # lower-cased ASCII
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'"})

#: Words after which the next few tokens are marked as negated (``~word``).
_NEGATOR_TEXT = (
    "not no never nothing nobody none neither nor cannot cant dont wont isnt wasnt didnt "
    "doesnt havent hasnt arent werent couldnt shouldnt wouldnt aint without"
)
NEGATORS = frozenset(_NEGATOR_TEXT.split())
_NEGATION_SPAN = 3


def normalize(text: str) -> str:
    """NFKC, case-folded, typographic apostrophes made plain."""
    if text.isascii():  # nothing for NFKC or the quote table to do
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)


def tokenize(text: str) -> list[str]:
    """Words, numbers, single CJK characters, and ``!``/``?`` marks, in order."""
    norm = normalize(text)
    if norm.isascii():  # same tokens, without the Unicode character classes' cost
        return _ASCII_TOKEN.findall(norm)
    return _TOKEN.findall(_CJK.sub(r" \1 ", norm))


def is_cjk(token: str) -> bool:
    return bool(_CJK.fullmatch(token))


def _negator(token: str) -> bool:
    if token in NEGATORS:
        return True
    return "'" in token and (token.replace("'", "") in NEGATORS or token.endswith("n't"))


def word_features(tokens: list[str]) -> list[str]:
    """Unigrams (``~w`` within three tokens after a negator) and bigrams ``"a b"``, once each."""
    words: list[str] = []
    negated = 0
    for tok in tokens:
        if tok in ("!", "?"):
            negated = 0
            words.append(tok)
            continue
        words.append("~" + tok if negated else tok)
        negated = _NEGATION_SPAN if _negator(tok) else max(negated - 1, 0)
    words.extend(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return list(dict.fromkeys(words))


@functools.lru_cache(maxsize=200_000)
def char_grams(token: str) -> tuple[str, ...]:
    """``#`` + the 3- to 5-character n-grams of one token padded with spaces (memoised)."""
    if token in ("!", "?"):
        return ()
    padded = f" {token} "
    size = len(padded)
    return tuple("#" + padded[i : i + n] for n in (3, 4, 5) for i in range(size - n + 1))


def text_features(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The two feature blocks every learned scorer reads: words and character n-grams.

    Words are a set (:func:`word_features`); characters are every token's n-grams, with
    repeats (:func:`char_grams`), so a scorer can sum them token by token from a cache.
    Each block is scaled by 1/sqrt(its size).
    """
    chars: list[str] = []
    for tok in tokens:
        chars.extend(char_grams(tok))
    return word_features(tokens), chars
