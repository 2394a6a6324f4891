"""Character n-grams of a word, hashed into rows of a table (fastText's subwords), for
``cnn.py buckets=N``.

A word the student has no row for ("disliked", "unnecessarily") is read from the rows of
its pieces (" di", "dis", "lik", "ked "…) as well as the shared unknown row, as fastText
does (Bojanowski et al., 2017). The n-grams are the engine's own (``char_grams``) and the
hash is CRC-32, not Python's salted ``hash``, so an engine reading such a student would
map a word to the same rows. The sixth round tried it; it was not shipped (README).
"""

from __future__ import annotations

import zlib
from typing import Final

from core.nlp.text import char_grams

#: at most this many n-grams of a word are read (its 3-grams first)
MAX_NGRAMS: Final = 32


def ngram_buckets(word: str, buckets: int) -> list[int]:
    """The table rows of ``word``'s character 3- to 5-grams (:func:`char_grams`): CRC-32
    of each n-gram's UTF-8 bytes, modulo ``buckets``."""
    grams = char_grams(word)[:MAX_NGRAMS]
    return [zlib.crc32(gram.encode("utf-8")) % buckets for gram in grams]
