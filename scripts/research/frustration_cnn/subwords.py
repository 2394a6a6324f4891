"""Character n-grams of a word, hashed into rows of a table (fastText's subwords), for
``cnn.py buckets=N``.

A word the student has no row for ("disliked", "unnecessarily") is read from the rows of
its pieces (" di", "dis", "lik", "ked "…) as well as the shared unknown row, as fastText
does (Bojanowski et al., 2017). The rows are the engine's own
(:func:`core.nlp.models.subword_rows`), so the engine reads an exported student's
subwords exactly as it was trained.
"""

from __future__ import annotations

from common import REPO  # noqa: F401  (puts the repository on sys.path)

from core.nlp.models import SUBWORD_NGRAMS as MAX_NGRAMS
from core.nlp.models import subword_rows as ngram_buckets

__all__ = ["MAX_NGRAMS", "ngram_buckets"]
