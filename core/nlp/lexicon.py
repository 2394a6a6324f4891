"""Multilingual concept lexicons and the patterns built from them.

A *concept* is a named set of terms in any language (``human_agent``: "human", "agent",
"orang", "tao", "人工"...). A term is one or more tokens; a trailing ``*`` makes its last
token a prefix (``complain*``). Words of six letters or more also match with one typo
(insertion, deletion, substitution or swap), as customers type fast, unless the word as
typed is itself a known word (``known_words``: "cancel" is not a typo of "cancer").

A *pattern* asks for several concepts in one message within a window of tokens
("talk" + "human"; "stolen" + "card"), so that meaning comes from structure rather
than from a list of whole sentences, and code-mixed messages ("boleh I talk to
agent tak") match because every language's terms live in the same concept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from core.nlp.text import is_cjk, tokenize

_FUZZY_MIN = 6


class Match:
    """One concept found in a message: token span ``[start, end)`` and the term that matched.

    A plain class with read-only attributes rather than a frozen dataclass: the engine
    makes several per message, and compiled by mypyc a frozen dataclass's generated
    ``__init__`` costs about eight times a native one.
    """

    __slots__ = ("concept", "end", "start", "term")

    def __init__(self, concept: str, start: int, end: int, term: str) -> None:
        self.concept: Final = concept
        self.start: Final = start
        self.end: Final = end
        self.term: Final = term

    def __repr__(self) -> str:
        return f"Match({self.concept!r}, {self.start}, {self.end}, {self.term!r})"


@dataclass(frozen=True, slots=True)
class _Term:
    concept: str
    tokens: tuple[str, ...]
    prefix: bool
    text: str


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance of at most one (substitution, indel or swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _fuzzy_ok(word: str) -> bool:
    return len(word) >= _FUZZY_MIN and word.isalpha() and not is_cjk(word[0])


class Lexicon:
    """Finds every concept's terms in a token list. Build once; ``find`` is cheap."""

    def __init__(
        self, concepts: Mapping[str, Iterable[str]], known_words: frozenset[str] = frozenset()
    ) -> None:
        self._known = known_words
        self._index: dict[str, list[_Term]] = {}
        self._prefix: dict[str, list[_Term]] = {}
        words: set[str] = set()
        for concept, terms in concepts.items():
            for text in terms:
                prefix = text.rstrip().endswith("*")
                toks = tuple(tokenize(text.rstrip().rstrip("*")))
                toks = tuple(t for t in toks if t not in ("!", "?"))
                if not toks:
                    continue
                term = _Term(concept, toks, prefix, text.strip())
                if prefix and len(toks) == 1:
                    self._prefix.setdefault(toks[0], []).append(term)
                else:
                    self._index.setdefault(toks[0], []).append(term)
                words.update(toks[:-1] if prefix else toks)
        self._prefix_lengths = sorted({len(p) for p in self._prefix})
        self._deleted: dict[str, set[str]] = {}
        for word in words:
            if _fuzzy_ok(word):
                for variant in {word} | _deletions(word):
                    self._deleted.setdefault(variant, set()).add(word)
        self._fuzzy_memo: dict[str, tuple[str, ...]] = {}
        self._starts: dict[str, tuple[_Term, ...]] = {}
        self.concepts = frozenset(concepts)

    def _fuzzy(self, token: str) -> tuple[str, ...]:
        """Lexicon words within one edit of ``token`` (never the token itself)."""
        memo = self._fuzzy_memo.get(token)
        if memo is not None:
            return memo
        found: set[str] = set()
        if _fuzzy_ok(token) and token not in self._known:
            for variant in {token} | _deletions(token):
                for word in self._deleted.get(variant, ()):
                    if word != token and _one_edit(word, token):
                        found.add(word)
        out = tuple(sorted(found))
        if len(self._fuzzy_memo) > 50_000:
            self._fuzzy_memo.clear()
        self._fuzzy_memo[token] = out
        return out

    def _token_is(self, pattern: str, token: str, prefix: bool) -> bool:
        if prefix:
            return token.startswith(pattern)
        return pattern == token or pattern in self._fuzzy(token)

    def _starting(self, tok: str) -> tuple[_Term, ...]:
        """Terms whose first token matches ``tok`` (exactly, by prefix or with a typo),
        worked out and remembered; :meth:`find` looks in ``_starts`` first."""
        candidates: list[_Term] = list(self._index.get(tok, ()))
        if tok not in self._index:
            for alt in self._fuzzy(tok):
                candidates.extend(self._index.get(alt, ()))
        for length in self._prefix_lengths:
            if len(tok) < length:
                break
            candidates.extend(self._prefix.get(tok[:length], ()))
        out = tuple(candidates)
        if len(self._starts) > 100_000:
            self._starts.clear()
        self._starts[tok] = out
        return out

    def find(self, tokens: Sequence[str]) -> dict[str, list[Match]]:
        """Every concept's matches in the message, in token order."""
        found: dict[str, list[Match]] = {}
        n = len(tokens)
        starts = self._starts.get  # most tokens were seen before: skip the method call
        for i, tok in enumerate(tokens):
            candidates = starts(tok)
            if candidates is None:
                candidates = self._starting(tok)
            for term in candidates:
                size = len(term.tokens)
                if i + size > n:
                    continue
                ok = True
                for k in range(1, size):
                    last = k == size - 1
                    if not self._token_is(term.tokens[k], tokens[i + k], term.prefix and last):
                        ok = False
                        break
                if ok:
                    found.setdefault(term.concept, []).append(
                        Match(term.concept, i, i + size, term.text)
                    )
        return found


def match_all(
    found: Mapping[str, Sequence[Match]],
    concepts: Sequence[str],
    window: int,
    unless: Sequence[str] = (),
    unless_before: int = 3,
    ordered: bool = False,
) -> tuple[Match, ...] | None:
    """One match of every concept, starts within ``window`` tokens, not preceded by ``unless``.

    ``unless`` concepts (negations such as "don't need") cancel a combination when one of
    them ends at most ``unless_before`` tokens before the first concept's match.
    ``ordered``: the concepts appear in the order given ("talk ... agent", not
    "someone ... transferred").
    """
    if not concepts or any(c not in found for c in concepts):
        return None
    first, rest = concepts[0], concepts[1:]
    blockers = [m for c in unless for m in found.get(c, ())]
    for anchor in found[first]:
        combo = [anchor]
        for concept in rest:
            options = found[concept]
            if ordered:
                options = [m for m in options if m.start >= combo[-1].end]
                if not options:
                    break
            best = min(options, key=lambda m: abs(m.start - anchor.start))
            combo.append(best)
        if len(combo) < len(concepts):
            continue
        start = min(m.start for m in combo)
        if max(m.start for m in combo) - start > window:
            continue
        # a negation just before the first concept ("not stolen", "don't want to talk")
        # cancels it, unless the negation is part of a matched term ("didn't make")
        if any(
            anchor.start - unless_before <= b.end <= anchor.start
            and not any(m.start <= b.start and b.end <= m.end for m in combo)
            for b in blockers
        ):
            continue
        return tuple(sorted(combo, key=lambda m: m.start))
    return None
