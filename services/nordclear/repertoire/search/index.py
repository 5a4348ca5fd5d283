"""An in-memory fuzzy index of works, searched by title and creator names (top-k with scores).

How a search runs, and why it stays fast at a million works:

1. **Normalise** the query title (``normalise.normalise_title``): loose key, words, and the version
   suffixes and featured credits set aside (they are reported in the reasons, never scored).
2. **Block** on words. Every indexed title's loose words point to the works that use them (an inverted
   index of compact integer arrays). Each query word is expanded to the indexed words within one edit
   (two from eight letters up): a typo leaves the first or the last letters of a word intact, so only
   indexed words sharing that prefix or suffix are compared, with rapidfuzz's C edit distance. Adjacent
   query words are also tried glued together ("sommar natt" finds "sommarnatt"). Query words are then
   taken rarest first and their works collected until a budget is spent: rare words tell titles apart,
   and the common ones ("i", "och", "the") would only add time.
3. **Prefilter** the collected works' distinct titles with rapidfuzz (C) and keep the hundred most
   similar, with every work that has one of them, so all works sharing a title reach step 4 and the
   creators can decide between them.
4. **Score** the survivors (``Hit.score_bp``, 0-10000):

   - title: 10000 when the strict keys are equal (the same title up to case, accents, punctuation and
     the Nordic transliteration å→aa, ö→oe …); 9800 when only the loose keys are (Malmö vs Malmo);
     otherwise 96 % of a similarity that is four fifths the loose keys' (the better of their
     edit-distance ratio and word-order-free ratio) and one fifth the strict keys' edit-distance ratio,
     which breaks ties between titles that only the loose key conflates. An alternate title counts 1 %
     less than the main title.
   - creators, when the query names any: each query name is compared with the work's most similar
     creator, word order free ("Taube, Evert" = "Evert Taube"); the mean similarity ``c`` (0-1) scales
     the title score by ``0.8 + 0.2·c``: the right creators keep the title score, wrong ones cost up to
     a fifth of it. A work without creators counts ``c = 0.5``.

Hits are ordered by score, highest first, then by work id, so equal scores always come back in the same
order.

Writes (``add``, ``update``, ``upsert``, ``remove``) take effect at once. A removed or replaced work
leaves a dead slot in the postings that searches skip; when dead slots reach a quarter of all slots the
postings are rebuilt without them, so removal stays cheap and memory does not leak.

Per work the index keeps a handful of strings in flat lists rather than one object per work, which
keeps memory down and leaves the garbage collector almost nothing to traverse (a million tracked objects
would make every full collection a pause of a second). It has no locks: one writer at a time and no
search during a write; a service that touches it only from its event loop satisfies both.
"""

from __future__ import annotations

import heapq
import itertools
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from nordclear.platform.errors import AlreadyExists, InvalidArgument, NotFound
from nordclear.repertoire.search.normalise import (
    NormalisedTitle,
    normalise_name,
    normalise_title,
    split_title,
    strict_key,
)

__all__ = ["FULL_SCORE_BP", "MAX_TOP_K", "Hit", "WorkIndex"]

MAX_TOP_K: Final = 1_000
FULL_SCORE_BP: Final = 10_000

# Scores as fractions of a full score (see the module docstring).
_LOOSE_EQUAL_SCORE: Final = 0.98
_FUZZY_SCALE: Final = 0.96
_WORD_ORDER_FREE_SCALE: Final = 0.98
# Share of the strict-key similarity in a fuzzy title score: loose keys conflate "Satamatuli" and
# "Satamatuuli", and the strict keys tell which of the two a misspelling is closer to.
_STRICT_WEIGHT: Final = 0.2
_ALTERNATE_TITLE_SCALE: Final = 0.99
_CREATOR_WEIGHT: Final = 0.2
_CREATOR_SUBSET_SCALE: Final = 0.9
_CREATOR_MATCHED_PERCENT: Final = 85.0
_UNKNOWN_CREATORS_SIMILARITY: Final = 0.5

# Works collected from the rarest query words before the more common words are skipped. The rarest
# word is always taken whole (up to the hard cap), so the budget only limits how many common words add
# candidates; measured on generated catalogues, raising it buys no accuracy and costs latency.
_POSTINGS_BUDGET: Final = 12_000
# A query of nothing but "i" or "the" would otherwise touch a third of all works.
_MAX_POSTINGS_PER_QUERY: Final = 60_000
# Distinct candidate titles kept by the prefilter for full scoring (with every work that has one).
_PREFILTER_TITLES: Final = 100
# Dead slots (removed or replaced works) tolerated before the postings are rebuilt.
_DEAD_SLOT_FRACTION: Final = 0.25
_MIN_SLOTS_BEFORE_COMPACTION: Final = 1_024


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the work, its score in basis points (10000: exact title and creators), and why.

    ``matched_title`` is the indexed title (main or alternate) that scored best, as it was added.
    ``reasons`` are short facts for a reviewer: how the title matched (``"title exact"``, ``"title
    loosely equal"`` — equal but for accents, transliteration or doubled letters — or ``"title
    similar"``, each also as ``"alternate title …"``), ``"creators 1/2"`` (query names matched) when
    creators were given, and ``"version ignored: Live"`` / ``"featured credit ignored: X"``.
    """

    work_id: str
    score_bp: int
    matched_title: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Query:
    title: NormalisedTitle
    creator_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Work:
    """A work as given to ``add``, reduced to what the index keeps."""

    work_id: str
    titles: tuple[str, ...]
    title_keys: tuple[str, ...]
    creator_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _TitleMatch:
    """How one candidate's best title matched: score (0-1), which title (0 = main), and how."""

    score: float
    position: int
    how: str  # "exact", "loosely equal" or "similar"


@dataclass(frozen=True, slots=True)
class _WordPostings:
    """The postings of the indexed words near one query word (or glued pair of words)."""

    postings: tuple[array[int], ...]
    size: int
    is_compound: bool


class WorkIndex:
    """Works by title, alternate titles and creator names, searchable with typos and transliteration."""

    def __init__(self) -> None:
        """An empty index."""
        self._reset()

    def _reset(self) -> None:
        # Per slot (a slot is one version of one work; slots are never reused until compaction).
        self._work_ids: list[str | None] = []  # None: the slot is dead
        self._titles: list[str] = []
        self._title_keys: list[str] = []
        self._creator_keys: list[tuple[str, ...]] = []
        # Alternate titles are rare, so they live in a side table: slot -> ((title, key), ...).
        self._alternates: dict[int, tuple[tuple[str, str], ...]] = {}
        self._slot_by_work_id: dict[str, int] = {}
        self._postings: dict[str, array[int]] = {}
        # Indexed words filed by their first and by their last letters, to find near words quickly.
        self._words_by_affix: dict[str, list[str]] = {}
        # Creator keys recur across works (popular writers): one shared string each saves memory.
        self._interned: dict[str, str] = {}
        self._dead_slots = 0

    def __len__(self) -> int:
        """The number of works in the index."""
        return len(self._slot_by_work_id)

    def __contains__(self, work_id: object) -> bool:
        """Whether a work with this id is in the index."""
        return work_id in self._slot_by_work_id

    # Writes -------------------------------------------------------------------------------------

    def add(
        self, work_id: str, title: str, alternate_titles: Sequence[str] = (), creators: Sequence[str] = ()
    ) -> None:
        """Add a new work; ``AlreadyExists`` if the id is taken (use ``update`` or ``upsert``)."""
        work = self._prepare(work_id, title, alternate_titles, creators)
        if work_id in self._slot_by_work_id:
            raise AlreadyExists(f"work {work_id!r} is already in the search index")
        self._insert(work)

    def update(
        self, work_id: str, title: str, alternate_titles: Sequence[str] = (), creators: Sequence[str] = ()
    ) -> None:
        """Replace an indexed work's titles and creators; ``NotFound`` if it is not indexed."""
        work = self._prepare(work_id, title, alternate_titles, creators)
        self.remove(work_id)
        self._insert(work)

    def upsert(
        self, work_id: str, title: str, alternate_titles: Sequence[str] = (), creators: Sequence[str] = ()
    ) -> None:
        """Add the work, or replace it if present (what a "work upserted" event asks for)."""
        work = self._prepare(work_id, title, alternate_titles, creators)
        if work_id in self._slot_by_work_id:
            self.remove(work_id)
        self._insert(work)

    def remove(self, work_id: str) -> None:
        """Remove a work; ``NotFound`` if it is not indexed."""
        slot = self._slot_by_work_id.pop(work_id, None)
        if slot is None:
            raise NotFound(f"work {work_id!r} is not in the search index")
        self._work_ids[slot] = None
        # The postings still name the slot; free its strings now, the postings at the next compaction.
        self._titles[slot] = self._title_keys[slot] = ""
        self._creator_keys[slot] = ()
        self._alternates.pop(slot, None)
        self._dead_slots += 1
        slot_count = len(self._work_ids)
        if slot_count >= _MIN_SLOTS_BEFORE_COMPACTION and self._dead_slots > _DEAD_SLOT_FRACTION * slot_count:
            self._compact()

    # Search -------------------------------------------------------------------------------------

    def search(
        self, title: str, creators: Sequence[str] = (), top_k: int = 10, min_score_bp: int = 0
    ) -> list[Hit]:
        """The ``top_k`` best works for ``title`` (and ``creators``, if given), best first.

        ``creators`` are writer or artist names in any order and form ("Taube, Evert"). Hits scoring
        below ``min_score_bp`` are left out. Equal scores are ordered by work id.
        """
        if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise InvalidArgument("top_k", top_k, f"must be an integer from 1 to {MAX_TOP_K}")
        if not isinstance(min_score_bp, int) or not 0 <= min_score_bp <= FULL_SCORE_BP:
            raise InvalidArgument(
                "min_score_bp", min_score_bp, f"must be an integer from 0 to {FULL_SCORE_BP}"
            )
        query = _Query(_normalised_title(title, "title"), _creator_keys(creators))
        slots, positions, keys = self._prefilter(query.title.loose, self._candidates(query.title))
        hits = self._score(query, slots, positions, keys, top_k)
        return [hit for hit in hits if hit.score_bp >= min_score_bp]

    # Blocking -----------------------------------------------------------------------------------

    def _candidates(self, title: NormalisedTitle) -> set[int]:
        """Slots (live or dead) of works sharing a word, maybe misspelt, with the query."""
        slots: set[int] = set()
        spent = 0
        original_word_taken = False
        for word in sorted(self._postings_per_word(title.tokens), key=lambda word: word.size):
            if original_word_taken and spent + word.size > _POSTINGS_BUDGET:
                break
            for posting in word.postings:
                room = _MAX_POSTINGS_PER_QUERY - spent
                slots.update(posting if len(posting) <= room else posting[:room])
                spent += min(len(posting), room)
            # A glued pair may be a real but unrelated compound, so it never ends the search alone.
            original_word_taken = original_word_taken or not word.is_compound
        return slots

    def _postings_per_word(self, words: Sequence[str]) -> list[_WordPostings]:
        distinct = list(dict.fromkeys(words))
        glued = [first + second for first, second in itertools.pairwise(distinct)]
        result = []
        for word, is_compound in [*((w, False) for w in distinct), *((w, True) for w in glued)]:
            postings = tuple(self._postings[near] for near in self._words_near(word))
            if postings:
                result.append(_WordPostings(postings, sum(len(p) for p in postings), is_compound))
        return result

    def _words_near(self, word: str) -> set[str]:
        """Indexed words within the edit allowance of ``word`` (itself included when indexed)."""
        near = {word} if word in self._postings else set()
        max_edits = _max_edits(len(word))
        if max_edits == 0:
            return near
        for affix_key in _lookup_affix_keys(word, max_edits):
            bucket = self._words_by_affix.get(affix_key)
            if bucket:
                matches = process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=max_edits, limit=None
                )
                near.update(match for match, _, _ in matches)
        return near

    def _prefilter(self, query_key: str, slots: set[int]) -> tuple[list[int], list[int], list[str]]:
        """The live candidates whose titles are most like the query: (slots, title positions, keys).

        Position 0 is a work's main title, 1.. its alternates. Every candidate whose title equals a kept
        title is kept as well, so works sharing a title are never split by the cut.
        """
        work_ids, title_keys = self._work_ids, self._title_keys
        live = [slot for slot in slots if work_ids[slot] is not None]
        keys = [title_keys[slot] for slot in live]
        positions = [0] * len(live)
        for slot in slots & self._alternates.keys():
            for position, (_, key) in enumerate(self._alternates[slot], start=1):
                live.append(slot)
                positions.append(position)
                keys.append(key)
        distinct_keys = list(dict.fromkeys(keys))
        if len(distinct_keys) <= _PREFILTER_TITLES:
            return live, positions, keys
        best = process.extract(query_key, distinct_keys, scorer=fuzz.ratio, limit=_PREFILTER_TITLES)
        kept = {key for key, _, _ in best}
        chosen = [index for index, key in enumerate(keys) if key in kept]
        return [live[i] for i in chosen], [positions[i] for i in chosen], [keys[i] for i in chosen]

    # Scoring ------------------------------------------------------------------------------------

    def _score(
        self, query: _Query, slots: list[int], positions: list[int], keys: list[str], top_k: int
    ) -> list[Hit]:
        """Full scores for the prefiltered candidates; the best ``top_k`` become hits."""
        best_title: dict[int, _TitleMatch] = {}
        loose_by_key: dict[str, float] = {}
        strict_by_title: dict[str, str] = {}
        for slot, position, key in zip(slots, positions, keys, strict=True):
            title = self._title(slot, position)
            strict = strict_by_title.get(title)
            if strict is None:
                # Only ~100 distinct titles get here, so deriving the strict key again is cheaper than
                # keeping a second key for every work in memory.
                strict = strict_by_title[title] = _strict_title_key(title)
            if key == query.title.loose:
                how = "exact" if strict == query.title.strict else "loosely equal"
                score = 1.0 if how == "exact" else _LOOSE_EQUAL_SCORE
            else:
                loose = loose_by_key.get(key)
                if loose is None:
                    loose = loose_by_key[key] = _loose_similarity_percent(query.title.loose, key)
                strict_percent = fuzz.ratio(query.title.strict, strict)
                how = "similar"
                score = (
                    _FUZZY_SCALE * ((1.0 - _STRICT_WEIGHT) * loose + _STRICT_WEIGHT * strict_percent) / 100
                )
            if position > 0:
                score *= _ALTERNATE_TITLE_SCALE
            best = best_title.get(slot)
            if best is None or score > best.score:
                best_title[slot] = _TitleMatch(score, position, how)
        if not best_title:
            return []
        # A title this far below the best cannot overtake it even with perfect creators (0.8 + 0.2).
        floor = (1.0 - _CREATOR_WEIGHT) * max(match.score for match in best_title.values())
        ranked: list[tuple[int, str, int, int]] = []  # (-score_bp, work_id, slot, creators matched)
        for slot, match in best_title.items():
            score = match.score
            matched = 0
            if query.creator_keys:
                if score < floor:
                    continue
                similarity, matched = _creator_similarity(query.creator_keys, self._creator_keys[slot])
                score *= 1.0 - _CREATOR_WEIGHT + _CREATOR_WEIGHT * similarity
            work_id = self._work_ids[slot]
            assert work_id is not None, "dead slots are dropped by the prefilter"
            ranked.append((-_to_bp(score), work_id, slot, matched))
        return [
            self._hit(query, slot, -negative_bp, best_title[slot], matched)
            for negative_bp, _, slot, matched in heapq.nsmallest(top_k, ranked)
        ]

    def _hit(self, query: _Query, slot: int, score_bp: int, match: _TitleMatch, creators_matched: int) -> Hit:
        where = "alternate title" if match.position > 0 else "title"
        reasons = [f"{where} {match.how}"]
        if query.creator_keys:
            reasons.append(f"creators {creators_matched}/{len(query.creator_keys)}")
        reasons.extend(f"version ignored: {version}" for version in query.title.versions)
        reasons.extend(f"featured credit ignored: {credit}" for credit in query.title.featured)
        work_id = self._work_ids[slot]
        assert work_id is not None
        return Hit(work_id, score_bp, self._title(slot, match.position), tuple(reasons))

    def _title(self, slot: int, position: int) -> str:
        return self._titles[slot] if position == 0 else self._alternates[slot][position - 1][0]

    # Maintenance --------------------------------------------------------------------------------

    def _prepare(
        self, work_id: str, title: str, alternate_titles: Sequence[str], creators: Sequence[str]
    ) -> _Work:
        """Validate and normalise a work before anything is changed, so a bad write changes nothing."""
        if not isinstance(work_id, str) or not work_id.strip():
            raise InvalidArgument("work_id", work_id, "must be a non-empty string")
        if isinstance(alternate_titles, str):
            raise InvalidArgument("alternate_titles", alternate_titles, "must be a sequence of titles")
        titles = (title, *alternate_titles)
        fields = ("title", *("alternate_titles" for _ in alternate_titles))
        keys = tuple(_normalised_title(text, field).loose for text, field in zip(titles, fields, strict=True))
        creator_keys = tuple(self._interned.setdefault(key, key) for key in _creator_keys(creators))
        return _Work(work_id, titles, keys, creator_keys)

    def _insert(self, work: _Work) -> None:
        slot = len(self._work_ids)
        self._work_ids.append(work.work_id)
        self._titles.append(work.titles[0])
        self._title_keys.append(work.title_keys[0])
        self._creator_keys.append(work.creator_keys)
        if len(work.titles) > 1:
            self._alternates[slot] = tuple(zip(work.titles[1:], work.title_keys[1:], strict=True))
        self._slot_by_work_id[work.work_id] = slot
        for word in {word for key in work.title_keys for word in key.split()}:
            postings = self._postings.get(word)
            if postings is None:
                postings = self._postings[word] = array("I")
                for affix_key in _indexed_affix_keys(word):
                    self._words_by_affix.setdefault(affix_key, []).append(word)
            postings.append(slot)

    def _compact(self) -> None:
        """Renumber the live works densely and rebuild the postings without dead slots."""
        live = [
            _Work(
                work_id,
                (self._titles[slot], *(title for title, _ in self._alternates.get(slot, ()))),
                (self._title_keys[slot], *(key for _, key in self._alternates.get(slot, ()))),
                self._creator_keys[slot],
            )
            for slot, work_id in enumerate(self._work_ids)
            if work_id is not None
        ]
        self._reset()
        for work in live:
            self._interned.update((key, key) for key in work.creator_keys)
            self._insert(work)


# Helpers ------------------------------------------------------------------------------------------


def _strict_title_key(title: str) -> str:
    # The strict key of an indexed title as ``normalise_title`` would give it, suffixes set aside.
    return strict_key(split_title(title)[0])


def _normalised_title(text: str, field: str) -> NormalisedTitle:
    if not isinstance(text, str):
        raise InvalidArgument(field, text, "must be a string")
    normalised = normalise_title(text)
    if not normalised.loose:
        raise InvalidArgument(field, text, "must contain at least one letter or digit")
    return normalised


def _creator_keys(creators: Sequence[str]) -> tuple[str, ...]:
    if isinstance(creators, str):
        raise InvalidArgument("creators", creators, "must be a sequence of names, not one string")
    keys = []
    for name in creators:
        if not isinstance(name, str):
            raise InvalidArgument("creators", name, "each creator must be a name (a string)")
        key = normalise_name(name).key
        if key:
            keys.append(key)
    return tuple(dict.fromkeys(keys))


def _loose_similarity_percent(query_key: str, key: str) -> float:
    return max(fuzz.ratio(query_key, key), _WORD_ORDER_FREE_SCALE * fuzz.token_sort_ratio(query_key, key))


def _creator_similarity(query_keys: Sequence[str], work_keys: Sequence[str]) -> tuple[float, int]:
    """Mean best similarity (0-1) of the query names to the work's names, and how many matched."""
    if not work_keys:
        return _UNKNOWN_CREATORS_SIMILARITY, 0
    total = 0.0
    matched = 0
    for query_key in query_keys:
        best = max(_name_similarity_percent(query_key, work_key) for work_key in work_keys)
        total += best / 100.0
        matched += best >= _CREATOR_MATCHED_PERCENT
    return total / len(query_keys), matched


def _name_similarity_percent(query_key: str, work_key: str) -> float:
    # Keys are sorted words, so plain ratio is already word-order free; the subset ratio lets "Taube"
    # or "E Taube" count for "Evert Taube", a little below a full match.
    return max(
        fuzz.ratio(query_key, work_key), _CREATOR_SUBSET_SCALE * fuzz.token_set_ratio(query_key, work_key)
    )


def _to_bp(score: float) -> int:
    return min(FULL_SCORE_BP, max(0, round(score * FULL_SCORE_BP)))


def _max_edits(length: int) -> int:
    # A single letter is matched exactly (one edit reaches every word of up to two letters). Two-letter
    # words do get an edit: "Fa" must still find "Far", and their near words are few and, being common,
    # are taken last by the blocking.
    if length < 2:
        return 0
    return 1 if length < 8 else 2


def _affix_length(length: int) -> int:
    # With one edit in a word, its first or its last k letters survive; longer words use a longer k so
    # that the buckets of common beginnings ("st", "sk") stay small.
    if length <= 3:
        return 1
    return 2 if length <= 6 else 3


def _indexed_affix_keys(word: str) -> tuple[str, ...]:
    if len(word) < 2:
        return ()
    k = _affix_length(len(word))
    return (f"<{word[:k]}", f">{word[-k:]}")


def _lookup_affix_keys(word: str, max_edits: int) -> set[str]:
    """The affix keys under which any indexed word within ``max_edits`` of ``word`` is filed."""
    keys: set[str] = set()
    for length in range(max(2, len(word) - max_edits), len(word) + max_edits + 1):
        k = min(_affix_length(length), len(word))
        keys.add(f"<{word[:k]}")
        keys.add(f">{word[-k:]}")
    return keys
