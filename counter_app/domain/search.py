"""Type-ahead search over the procedure catalogue.

The officer types while the citizen talks: "khai sinh", "dang ky kh", "đăng kí kết hôn", "1.001193",
"DKKS". Every query must answer in a few milliseconds over a catalogue of ~2,000 procedures, so the
index is built once and a query only does dictionary look-ups, set intersections and binary searches
over sorted lists — never a scan that scores every procedure in Python.

Normalisation (the same for the index and the query): :func:`counter_app.textnorm.fold` (lower case,
no diacritics, đ → d), then "y" → "i" inside words, because "kí"/"ký", "lí"/"lý", "quí"/"quý" are
both accepted spellings and officers type either.

Ranking, best first (``SearchHit.score`` follows the same order):

====  ==========================================================  =====
tier  what matched                                                base
====  ==========================================================  =====
1     the code exactly ("1.001193")                               1000
2     a code prefix ("1.0011") or ≥ 4 digits inside a code        950 / 900
3     the name starts with the query (last word may be partial)   800
4     the initials exactly ("dkks" = Đăng Ký Khai Sinh)           780
5     the query as a phrase inside the name                       700
6     the query as a phrase in a keyword ("giấy khai sinh")       650
7     every query word somewhere in the name                      600
8     every query word in name, keywords or field name            500
9     every query word as a word prefix in the name ("dang k kh") 480
10    initials prefix ("dkk")                                     450
11    some of the query words (partial)                           < 400
====  ==========================================================  =====

In tiers 7 and 8 every query word must be a whole word except the last, which may be the start of a
word (the officer is still typing it); tier 9 relaxes that. Within a tier, higher ``popularity``
comes first, then the name with fewer words (the query covers more of it, so with equal popularity
"khai sinh" finds "Đăng ký khai sinh" before "Đăng ký khai sinh kết hợp nhận cha, mẹ, con"), then the
folded name alphabetically. The score inside a tier is ``base + 9 × popularity / max popularity``.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from counter_app.domain.catalogue import Procedure
from counter_app.textnorm import fold

__all__ = ["CatalogueIndex", "SearchHit", "search_key", "search_tokens"]

# A query longer than this is not typed by hand (a pasted paragraph, a barcode); the first part is
# enough to rank, and the cap bounds the work per query.
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 12

# Phrase keys keep this many words: a typed phrase longer than that is still found by the
# "all words in the name" tier, just one tier lower.
_PHRASE_WORDS = 8

_WORD_RE = re.compile(r"[^\W_]+")
_DOTTED_CODE_RE = re.compile(r"^\d+\.[\d.]*$")
_CODE_QUERY_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")

_TIER_CODE_EXACT = 1000.0
_TIER_CODE_PREFIX = 950.0
_TIER_CODE_DIGITS = 900.0
_TIER_START = 800.0
_TIER_INITIALS = 780.0
_TIER_PHRASE = 700.0
_TIER_ALL_IN_NAME = 600.0
_TIER_KEYWORD_PHRASE = 650.0
_TIER_ALL_ANYWHERE = 500.0
_TIER_ALL_PREFIXES = 480.0
_TIER_INITIALS_PREFIX = 450.0
_TIER_PARTIAL = 400.0


def search_tokens(text: str) -> list[str]:
    """Words of ``text`` as the index stores them: folded, ``y`` → ``i``."""
    return [w.replace("y", "i") for w in _WORD_RE.findall(fold(text))]


def search_key(text: str) -> str:
    """The normalised string form of ``text`` used for phrase and prefix matching."""
    return " ".join(search_tokens(text))


@dataclass(frozen=True)
class SearchHit:
    """One result: the procedure and its score (higher = better; see the module docstring)."""

    procedure: Procedure
    score: float


class _SortedPrefixIndex:
    """Sorted (key, doc) pairs; all docs whose key starts with a prefix by binary search."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        items = sorted(pairs)  # duplicates are harmless: _Collector de-duplicates docs
        self._keys = [k for k, _ in items]
        self._docs = [d for _, d in items]

    def starting_with(self, prefix: str) -> Iterator[int]:
        keys = self._keys
        i = bisect_left(keys, prefix)
        n = len(keys)
        while i < n and keys[i].startswith(prefix):
            yield self._docs[i]
            i += 1

    def exactly(self, key: str) -> Iterator[int]:
        keys = self._keys
        i = bisect_left(keys, key)
        while i < len(keys) and keys[i] == key:
            yield self._docs[i]
            i += 1


class CatalogueIndex:
    """Search index over a list of procedures, built once (O(total name length))."""

    def __init__(self, procedures: Sequence[Procedure]) -> None:
        self._procedures: list[Procedure] = list(procedures)
        n_docs = len(self._procedures)
        # Static order inside a tier: more popular, fewer name words, then folded name.
        self._rank: list[tuple[int, int, str, int]] = []
        name_prefix: dict[str, set[int]] = {}
        any_prefix: dict[str, set[int]] = {}
        name_word: dict[str, set[int]] = {}
        any_word: dict[str, set[int]] = {}
        starts: list[tuple[str, int]] = []
        phrases: list[tuple[str, int]] = []
        keyword_phrases: list[tuple[str, int]] = []
        initials: list[tuple[str, int]] = []
        codes: list[tuple[str, int]] = []
        self._digits: list[tuple[str, int]] = []
        # Field names and keywords repeat across procedures; fold each distinct string once.
        token_cache: dict[str, list[str]] = {}

        def tokens_of(text: str) -> list[str]:
            cached = token_cache.get(text)
            if cached is None:
                cached = token_cache[text] = search_tokens(text)
            return cached

        for doc, p in enumerate(self._procedures):
            name_tokens = search_tokens(p.name)
            key = " ".join(name_tokens)
            self._rank.append((-p.popularity, len(name_tokens) or 99, key, doc))
            starts.append((key, doc))
            # Suffixes at word boundaries, cut to a bounded length: long land-procedure names would
            # otherwise make the sort at start-up quadratic in name length.
            phrases.extend((" ".join(name_tokens[i:i + _PHRASE_WORDS]), doc) for i in range(len(name_tokens)))
            if name_tokens:
                initials.append(("".join(t[0] for t in name_tokens), doc))
            _add_words(name_word, name_tokens, doc)
            _add_words(any_word, name_tokens, doc)
            for kw in p.keywords:
                kw_tokens = tokens_of(kw)
                keyword_phrases.extend(
                    (" ".join(kw_tokens[i:i + _PHRASE_WORDS]), doc) for i in range(len(kw_tokens))
                )
                _add_words(any_word, kw_tokens, doc)
            _add_words(any_word, tokens_of(p.field_name), doc)
            code = p.code.casefold()
            codes.append((code, doc))
            self._digits.append((re.sub(r"\D", "", code), doc))
        # Prefix maps are derived per distinct word, not per occurrence: ~10x fewer set updates.
        _add_prefixes(name_prefix, name_word)
        _add_prefixes(any_prefix, any_word)
        self._name_prefix = {k: frozenset(v) for k, v in name_prefix.items()}
        self._any_prefix = {k: frozenset(v) for k, v in any_prefix.items()}
        self._name_word = {k: frozenset(v) for k, v in name_word.items()}
        self._any_word = {k: frozenset(v) for k, v in any_word.items()}
        self._max_popularity = max((p.popularity for p in self._procedures), default=0)
        self._starts = _SortedPrefixIndex(starts)
        self._phrases = _SortedPrefixIndex(phrases)
        self._keyword_phrases = _SortedPrefixIndex(keyword_phrases)
        self._initials = _SortedPrefixIndex(initials)
        self._codes = _SortedPrefixIndex(codes)
        self._default_order = sorted(range(n_docs), key=lambda d: (-self._procedures[d].popularity, d))

    def __len__(self) -> int:
        return len(self._procedures)

    @property
    def procedures(self) -> list[Procedure]:
        """The indexed procedures in their original order (a copy)."""
        return list(self._procedures)

    def get(self, code: str) -> Procedure | None:
        """The procedure with exactly this code (case-insensitive), if any."""
        for doc in self._codes.exactly(code.strip().casefold()):
            return self._procedures[doc]
        return None

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Best ``limit`` procedures for ``query``; empty query → the most popular ones.

        Never raises on odd input (SQL metacharacters, emoji, control characters are just text).
        """
        if limit <= 0:
            return []
        query = query[:MAX_QUERY_CHARS] if isinstance(query, str) else ""
        tokens = search_tokens(query)[:MAX_QUERY_TOKENS]
        compact = "".join(query.split()).casefold()
        if not tokens and not compact:
            return [SearchHit(self._procedures[d], 0.0) for d in self._default_order[:limit]]

        collector = _Collector(self._procedures, self._rank, limit, self._max_popularity)

        # Tiers 1–2: codes. Checked on the raw compact text so "1.001193" keeps its dots.
        if _CODE_QUERY_RE.match(compact):
            collector.add(self._codes.exactly(compact), _TIER_CODE_EXACT)
            if not collector.full:
                collector.add(self._codes.starting_with(compact), _TIER_CODE_PREFIX)
            digits = re.sub(r"\D", "", compact)
            if not collector.full and len(digits) >= 4 and digits == compact.replace(".", ""):
                collector.add((d for s, d in self._digits if digits in s), _TIER_CODE_DIGITS)
        # A dotted number ("1.001193", "2.0008") is a code, never words: "2" must not match "cấp 2".
        if collector.full or not tokens or _DOTTED_CODE_RE.match(compact):
            return collector.hits()

        joined = " ".join(tokens)
        # Tier 3: the name starts with the query.
        collector.add(self._starts.starting_with(joined), _TIER_START)
        # Tier 4: initials, only for a single letters-only word of 2+ letters ("dkks").
        single = tokens[0] if len(tokens) == 1 and len(tokens[0]) >= 2 and tokens[0].isalpha() else None
        if single and not collector.full:
            collector.add(self._initials.exactly(single), _TIER_INITIALS)
        # Tier 5: phrase anywhere in the name.
        if not collector.full:
            collector.add(self._phrases.starting_with(joined), _TIER_PHRASE)
        # Tier 6: a curated keyword ("sổ đỏ", "hộ khẩu") is a stronger signal than scattered words.
        if not collector.full:
            collector.add(self._keyword_phrases.starting_with(joined), _TIER_KEYWORD_PHRASE)
        # Tier 7: every word somewhere in the name (whole words; the last may be a prefix).
        if not collector.full:
            collector.add(_words_then_prefix(self._name_word, self._name_prefix, tokens), _TIER_ALL_IN_NAME)
        if not collector.full:
            collector.add(_words_then_prefix(self._any_word, self._any_prefix, tokens), _TIER_ALL_ANYWHERE)
        if not collector.full and len(tokens) > 1:
            collector.add(_intersect(self._name_prefix, tokens), _TIER_ALL_PREFIXES)
        if single and not collector.full:
            collector.add(self._initials.starting_with(single), _TIER_INITIALS_PREFIX)
        # Tier 11: partial matches, scored by the share of query words found.
        if not collector.full and len(tokens) > 1:
            counts: Counter[int] = Counter()
            for token in set(tokens):
                counts.update(self._any_prefix.get(token, ()))
            distinct = len(set(tokens))
            by_count: dict[int, list[int]] = {}
            for doc, count in counts.items():
                by_count.setdefault(count, []).append(doc)
            for count in sorted(by_count, reverse=True):
                if collector.full:
                    break
                collector.add(by_count[count], _TIER_PARTIAL * count / (distinct + 1))
        return collector.hits()


def _add_prefixes(index: dict[str, set[int]], words: dict[str, set[int]]) -> None:
    for word, docs in words.items():
        for end in range(1, len(word) + 1):
            index.setdefault(word[:end], set()).update(docs)


def _add_words(index: dict[str, set[int]], tokens: Iterable[str], doc: int) -> None:
    for token in tokens:
        index.setdefault(token, set()).add(doc)


def _words_then_prefix(words: dict[str, frozenset[int]], prefixes: dict[str, frozenset[int]],
                       tokens: Sequence[str]) -> frozenset[int]:
    """Docs containing tokens[:-1] as whole words and a word starting with tokens[-1]."""
    last = prefixes.get(tokens[-1])
    if not last:
        return frozenset()
    head = _intersect(words, tokens[:-1]) if len(tokens) > 1 else None
    return last if head is None else head & last


def _intersect(index: dict[str, frozenset[int]], tokens: Sequence[str]) -> frozenset[int]:
    sets = [index.get(t) for t in set(tokens)]
    if not sets or any(s is None for s in sets):
        return frozenset()
    ordered = sorted((s for s in sets if s is not None), key=len)  # smallest first: cheapest
    result = ordered[0]
    for s in ordered[1:]:
        result = result & s
        if not result:
            break
    return result


class _Collector:
    """Accumulates results tier by tier; within a tier keeps the best by the static rank."""

    def __init__(self, procedures: list[Procedure], rank: list[tuple[int, int, str, int]],
                 limit: int, max_popularity: int) -> None:
        self._procedures = procedures
        self._rank = rank
        self._limit = limit
        self._max_popularity = max_popularity
        self._seen: set[int] = set()
        self._hits: list[SearchHit] = []

    @property
    def full(self) -> bool:
        return len(self._hits) >= self._limit

    def add(self, docs: Iterable[int], base: float) -> None:
        room = self._limit - len(self._hits)
        if room <= 0:
            return
        fresh = {d for d in docs if d not in self._seen}
        if not fresh:
            return
        # nsmallest is O(n log room): cheap even when a one-letter query matches every procedure.
        best = heapq.nsmallest(room, fresh, key=self._rank.__getitem__)
        for doc in best:
            procedure = self._procedures[doc]
            # Bonus < 10 keeps tiers (at least 20 apart) in order; non-increasing within a tier.
            bonus = 9.0 * max(procedure.popularity, 0) / self._max_popularity if self._max_popularity > 0 else 0.0
            self._hits.append(SearchHit(procedure, round(base + bonus, 3)))
            self._seen.add(doc)

    def hits(self) -> list[SearchHit]:
        return self._hits
