"""Matching a usage reference to a work: identifiers first, then fuzzy title and names (BRIEF §5.2).

``MatchIndex`` holds the repertoire as the matcher needs it, in memory: works by id, ISRC → recording →
work, ISWC → work, society work id → work, and a fuzzy ``WorkIndex`` (the repertoire's published search
module) over titles, alternate titles, writers and recording artists. It is rebuilt from the service's
read model at start and kept in step with it, so matching a line never calls another service.

``Matcher.match`` decides one unit, precision before recall (a wrong match pays the wrong person):

1. **Identifiers.** The clearing house's work id, the ISRC (through its recording), the ISWC and the
   society work id are looked up. Identifiers that point at different works are a conflict: review. An
   identifier whose work's titles do not resemble the line's title (a wrong ISRC pasted from the next
   row) is not trusted blindly: when title and names match another work with confidence of at least
   ``CONTRADICTED_IDENTIFIER_ACCEPT_BP`` that work is matched (fuzzy), otherwise the line goes to review
   with the identifier's work and the fuzzy candidates. Otherwise matched with the identifier's method
   and confidence 10000.
2. **Fuzzy.** Unknown or absent identifiers fall back to the title with the writers, the main artist and
   any featured credits as names. Blocking is the index's (rare title words, near spellings), so a line
   costs the same against a thousand works or a million. A known duration within
   ``DURATION_TOLERANCE_MS`` of a recording of the candidate adds a little; one far off costs. A line is
   matched only when the best candidate reaches the auto-accept threshold, at least one of its names
   agrees with the work, and it leads the next work by ``AMBIGUITY_MARGIN_BP``; a title alone, or two
   works with the same title and no names to tell them apart, go to review. Below ``review_floor_bp``
   there is no candidate worth a person's time: unmatched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz

from nordclear.matching.domain.model import (
    FULL_BP,
    Candidate,
    MatchMethod,
    MatchStatus,
    UnitMatch,
    UsageReference,
)
from nordclear.matching.domain.read_model import IndexedRecording, IndexedWork
from nordclear.repertoire.search.index import WorkIndex
from nordclear.repertoire.search.normalise import NormalisedTitle, loose_key, normalise_name, normalise_title

DEFAULT_AUTO_ACCEPT_BP: Final = 9_000
DEFAULT_REVIEW_FLOOR_BP: Final = 6_000
AMBIGUITY_MARGIN_BP: Final = 300
MAX_CANDIDATES: Final = 10
DURATION_TOLERANCE_MS: Final = 5_000
DURATION_MISMATCH_MS: Final = 30_000
DURATION_BONUS_BP: Final = 150
DURATION_PENALTY_BP: Final = 800
TITLE_ONLY_CAP_BP: Final = 8_900
"""A title without any name never reaches the auto-accept threshold: many works share a title."""
IDENTIFIER_TITLE_AGREEMENT_PERCENT: Final = 55.0
"""Below this similarity an identifier's work is not the work the line's title names."""
CONTRADICTED_IDENTIFIER_ACCEPT_BP: Final = 9_500
"""A text match overrules an identifier whose work has another title only from this confidence."""
IDENTIFIER_TITLE_CONFIRMS_PERCENT: Final = 80.0
"""From this similarity the title confirms the identifier; between the two, the names must as well."""
_CREATORS_MATCHED: Final = re.compile(r"^creators (\d+)/(\d+)$")


@dataclass(slots=True)
class _Entry:
    """What the matcher keeps per work besides the fuzzy index."""

    title: str
    alternate_titles: tuple[str, ...]
    title_keys: tuple[str, ...]
    strict_keys: tuple[str, ...]
    iswc: str | None
    creator_names: tuple[str, ...]
    society_ids: tuple[tuple[str, str], ...]
    recordings: dict[str, IndexedRecording] = field(default_factory=dict)
    duration_ms: int = 0
    name_keys: frozenset[str] = frozenset()
    recording_title_keys: tuple[str, ...] = ()


class MatchIndex:
    """The repertoire in memory, shaped for matching; one writer at a time, no search during a write."""

    def __init__(self) -> None:
        self._works: dict[str, _Entry] = {}
        self._by_isrc: dict[str, tuple[str, str]] = {}
        self._by_iswc: dict[str, str] = {}
        self._by_society_id: dict[tuple[str, str], str] = {}
        self._fuzzy = WorkIndex()
        # The outcome of a line naming only this ISRC (or ISWC), made once: the identifier fast path.
        self._isrc_matches: dict[str, UnitMatch] = {}
        self._iswc_matches: dict[str, UnitMatch] = {}
        # Loose title key → works with that (main or alternate) title: the exact fast path.
        self._by_title_key: dict[str, list[str]] = {}
        self.revision = 0
        """Incremented at every change, so callers can tell whether a re-try could find anything new."""

    def __len__(self) -> int:
        return len(self._works)

    def __contains__(self, work_id: object) -> bool:
        return work_id in self._works

    def upsert(self, work: IndexedWork) -> None:
        """Add or replace a work with its recordings."""
        if work.work_id in self._works:
            self.remove(work.work_id)
        titles = (work.title, *work.alternate_titles)
        strict_keys = tuple(normalise_title(t).strict for t in titles)
        entry = _Entry(
            title=work.title,
            alternate_titles=work.alternate_titles,
            title_keys=tuple(loose_key(key) for key in strict_keys),
            strict_keys=strict_keys,
            iswc=work.iswc,
            creator_names=work.creator_names,
            society_ids=work.society_work_ids,
            duration_ms=work.duration_ms,
        )
        self._works[work.work_id] = entry
        if work.iswc:
            self._by_iswc[work.iswc] = work.work_id
            self._iswc_matches[work.iswc] = UnitMatch(
                MatchStatus.MATCHED, work_id=work.work_id, method=MatchMethod.ISWC, confidence_bp=FULL_BP
            )
        for key in work.society_work_ids:
            self._by_society_id[key] = work.work_id
        for recording in work.recordings:
            self._link(recording, work.work_id)
        for title_key in set(entry.title_keys):
            self._by_title_key.setdefault(title_key, []).append(work.work_id)
        self._index_fuzzy(work.work_id)
        self.revision += 1

    def put_recording(self, recording: IndexedRecording, work_id: str) -> None:
        """Link a recording (by ISRC) to an indexed work; the artist becomes a searchable name."""
        if work_id not in self._works:
            return
        previous = self._by_isrc.get(recording.isrc)
        if previous is not None and previous[0] != work_id and previous[0] in self._works:
            self._works[previous[0]].recordings.pop(recording.isrc, None)
            self._index_fuzzy(previous[0])
        self._link(recording, work_id)
        self._index_fuzzy(work_id)
        self.revision += 1

    def remove(self, work_id: str) -> None:
        """Take a work out: it is never matched again."""
        entry = self._works.pop(work_id, None)
        if entry is None:
            return
        if entry.iswc and self._by_iswc.get(entry.iswc) == work_id:
            del self._by_iswc[entry.iswc]
            del self._iswc_matches[entry.iswc]
        for key in entry.society_ids:
            if self._by_society_id.get(key) == work_id:
                del self._by_society_id[key]
        for isrc in entry.recordings:
            if self._by_isrc.get(isrc, ("",))[0] == work_id:
                del self._by_isrc[isrc]
                del self._isrc_matches[isrc]
        for title_key in set(entry.title_keys):
            holders = self._by_title_key.get(title_key)
            if holders is not None and work_id in holders:
                holders.remove(work_id)
            if not holders:
                self._by_title_key.pop(title_key, None)
        if work_id in self._fuzzy:
            self._fuzzy.remove(work_id)
        self.revision += 1

    def _link(self, recording: IndexedRecording, work_id: str) -> None:
        self._works[work_id].recordings[recording.isrc] = recording
        self._by_isrc[recording.isrc] = (work_id, recording.recording_id)
        self._isrc_matches[recording.isrc] = UnitMatch(
            MatchStatus.MATCHED,
            work_id=work_id,
            recording_id=recording.recording_id,
            method=MatchMethod.ISRC,
            confidence_bp=FULL_BP,
        )

    def identifier_match(self, isrc: str, iswc: str) -> UnitMatch | None:
        """The ready outcome of a line naming only this ISRC or only this ISWC, if the index holds it."""
        if isrc:
            return None if iswc else self._isrc_matches.get(isrc)
        return self._iswc_matches.get(iswc)

    def _index_fuzzy(self, work_id: str) -> None:
        entry = self._works[work_id]
        artists = {recording.main_artist for recording in entry.recordings.values() if recording.main_artist}
        names = (*entry.creator_names, *sorted(artists - set(entry.creator_names)))
        entry.name_keys = frozenset(normalise_name(name).key for name in names)
        entry.recording_title_keys = tuple(
            {loose_key(normalise_title(r.title).strict) for r in entry.recordings.values()}
            - set(entry.title_keys)
        )
        self._fuzzy.upsert(work_id, entry.title, entry.alternate_titles, names)

    # Lookups used by the matcher -----------------------------------------------------------------

    def work_by_isrc(self, isrc: str) -> tuple[str, str] | None:
        """(work id, recording id) of the recording with ``isrc``."""
        return self._by_isrc.get(isrc)

    def work_by_iswc(self, iswc: str) -> str | None:
        """The work with ``iswc``."""
        return self._by_iswc.get(iswc)

    def work_by_society_id(self, society_code: str, work_code: str) -> str | None:
        """The work a society knows by ``work_code``."""
        return self._by_society_id.get((society_code, work_code))

    def title_of(self, work_id: str) -> str:
        """The work's main title ('' when it is not indexed)."""
        entry = self._works.get(work_id)
        return entry.title if entry else ""

    def entry(self, work_id: str) -> _Entry | None:
        """What the matcher keeps about a work, or None."""
        return self._works.get(work_id)

    def works_titled(self, loose_title_key: str) -> list[str]:
        """Works whose main or alternate title has exactly this loose key."""
        return self._by_title_key.get(loose_title_key, [])

    def search(self, title: str, names: list[str], top_k: int) -> list[tuple[str, int, int]]:
        """Fuzzy candidates as (work id, score bp, names matched), best first."""
        return [
            (hit.work_id, hit.score_bp, _names_matched(hit.reasons))
            for hit in self._fuzzy.search(title, creators=names, top_k=top_k)
        ]

    def describe(self, work_id: str) -> tuple[str, str, tuple[str, ...]] | None:
        """(title, ISWC, writer names) of an indexed work, for review candidates."""
        entry = self._works.get(work_id)
        if entry is None:
            return None
        return entry.title, entry.iswc or "", entry.creator_names


class Matcher:
    """Decides each unit against a ``MatchIndex`` with the configured thresholds."""

    def __init__(
        self,
        index: MatchIndex,
        auto_accept_bp: int = DEFAULT_AUTO_ACCEPT_BP,
        review_floor_bp: int = DEFAULT_REVIEW_FLOOR_BP,
    ) -> None:
        if not 0 < review_floor_bp <= auto_accept_bp <= FULL_BP:
            raise ValueError("thresholds must satisfy 0 < review floor <= auto-accept <= 10000")
        self.index = index
        self.auto_accept_bp = auto_accept_bp
        self.review_floor_bp = review_floor_bp

    def match(self, reference: UsageReference) -> UnitMatch:
        """The outcome for one (validated) reference."""
        if not (reference.title or reference.work_id or reference.society_work_code):
            # Nothing to cross-check an identifier against: its outcome is made once, when indexed.
            ready = self.index.identifier_match(reference.isrc, reference.iswc)
            if ready is not None:
                return ready
        found = self._by_identifiers(reference) if reference.has_identifier else []
        if found:
            return self._identified(reference, found)
        return self._fuzzy(reference, ())

    def match_identifiers(self, reference: UsageReference) -> UnitMatch | None:
        """The identifier outcome alone, or None when no identifier is known (the fast path)."""
        found = self._by_identifiers(reference)
        return self._identified(reference, found) if found else None

    def _by_identifiers(self, reference: UsageReference) -> list[Candidate]:
        index = self.index
        found: list[Candidate] = []
        if reference.work_id and reference.work_id in index:
            found.append(Candidate(reference.work_id, MatchMethod.WORK_ID, FULL_BP))
        if reference.isrc:
            hit = index.work_by_isrc(reference.isrc)
            if hit is not None:
                found.append(Candidate(hit[0], MatchMethod.ISRC, FULL_BP, hit[1]))
        if reference.iswc:
            work_id = index.work_by_iswc(reference.iswc)
            if work_id is not None:
                found.append(Candidate(work_id, MatchMethod.ISWC, FULL_BP))
        if reference.society_work_code:
            work_id = index.work_by_society_id(reference.society_code, reference.society_work_code)
            if work_id is not None:
                found.append(Candidate(work_id, MatchMethod.SOCIETY_WORK_ID, FULL_BP))
        return found

    def _identified(self, reference: UsageReference, found: list[Candidate]) -> UnitMatch:
        first = found[0]
        if any(candidate.work_id != first.work_id for candidate in found):
            # Two identifiers, two works: one of them is wrong, and only a person can tell which.
            distinct = {candidate.work_id: candidate for candidate in reversed(found)}
            return UnitMatch(MatchStatus.IN_REVIEW, candidates=tuple(distinct.values())[:MAX_CANDIDATES])
        if reference.title.strip() and not self._title_agrees(reference, first.work_id):
            fuzzy = self._fuzzy(reference, ())
            if (
                fuzzy.status is MatchStatus.MATCHED
                and fuzzy.work_id != first.work_id
                and fuzzy.confidence_bp >= max(self.auto_accept_bp, CONTRADICTED_IDENTIFIER_ACCEPT_BP)
            ):
                # Title and names agree on another work, clearly: the identifier was pasted from the
                # wrong row, the commonest way an identifier goes wrong in a report.
                return fuzzy
            demoted = Candidate(first.work_id, first.method, self.review_floor_bp, first.recording_id)
            candidates = (demoted, *(c for c in fuzzy.candidates if c.work_id != first.work_id))
            return UnitMatch(MatchStatus.IN_REVIEW, candidates=candidates[:MAX_CANDIDATES])
        return UnitMatch(
            MatchStatus.MATCHED,
            work_id=first.work_id,
            recording_id=first.recording_id or _recording_for(found),
            method=first.method,
            confidence_bp=FULL_BP,
        )

    def _title_agrees(self, reference: UsageReference, work_id: str) -> bool:
        entry = self.index.entry(work_id)
        if entry is None:
            return False
        query = loose_key(normalise_title(reference.title).strict)
        keys = (*entry.title_keys, *entry.recording_title_keys)
        if query in keys:
            return True
        similarity = max((fuzz.ratio(query, key) for key in keys if key), default=0.0)
        if similarity >= IDENTIFIER_TITLE_CONFIRMS_PERCENT:
            return True
        if similarity < IDENTIFIER_TITLE_AGREEMENT_PERCENT:
            return False
        # A title only half like the work's: the names must agree too, if the line gives any.
        names = [name for name in (*reference.writers, reference.main_artist) if name.strip()]
        return not names or not entry.name_keys.isdisjoint(normalise_name(name).key for name in names)

    def _fuzzy(self, reference: UsageReference, exclude: tuple[str, ...]) -> UnitMatch:
        title = reference.title.strip()
        if not title:
            return UnitMatch(MatchStatus.UNMATCHED)
        normalised = normalise_title(title)
        if not normalised.loose:
            return UnitMatch(MatchStatus.UNMATCHED)
        # Featured artists perform; they name the work only when nothing else does.
        names = [name for name in (*reference.writers, reference.main_artist) if name.strip()]
        if not names:
            names = [name for name in normalised.featured if name.strip()]
        elif not exclude:
            exact = self._exact(reference, normalised, names)
            if exact is not None:
                return exact
        scored: list[tuple[int, str, int]] = []  # (score, work id, names matched)
        for work_id, score_bp, matched in self.index.search(title, names, MAX_CANDIDATES):
            score = score_bp + self._duration_adjustment(reference.duration_ms, work_id)
            scored.append((max(0, min(FULL_BP, score)), work_id, matched))
        scored.sort(key=lambda item: (-item[0], item[1]))
        candidates = tuple(
            Candidate(work_id, MatchMethod.FUZZY, score)
            for score, work_id, _ in scored
            if work_id not in exclude
        )
        if not scored or scored[0][0] < self.review_floor_bp:
            return UnitMatch(MatchStatus.UNMATCHED)
        best_score, best_work, best_names = scored[0]
        if not names:
            best_score = min(best_score, TITLE_ONLY_CAP_BP)
        runner_up = next((score for score, work_id, _ in scored[1:] if work_id != best_work), 0)
        if (
            best_score >= self.auto_accept_bp
            and best_names > 0
            and best_score - runner_up >= AMBIGUITY_MARGIN_BP
            and best_work not in exclude
        ):
            return UnitMatch(
                MatchStatus.MATCHED,
                work_id=best_work,
                recording_id=self._recording_of(best_work, reference),
                method=MatchMethod.FUZZY,
                confidence_bp=best_score,
                candidates=candidates[:MAX_CANDIDATES],
            )
        kept = tuple(c for c in candidates if c.score_bp >= self.review_floor_bp)
        if not kept:
            return UnitMatch(MatchStatus.UNMATCHED)
        return UnitMatch(MatchStatus.IN_REVIEW, candidates=kept[:MAX_CANDIDATES])

    def _exact(self, reference: UsageReference, title: NormalisedTitle, names: list[str]) -> UnitMatch | None:
        """The one work with this title (up to case, accents, suffixes) and one of these names, if so.

        Most text lines name their work this plainly; finding it by key costs microseconds where the
        fuzzy search costs milliseconds. Anything less clear-cut — no such work, several, a name that
        does not agree, a duration far off — goes the fuzzy way, which scores it the same or lower.
        """
        holders = self.index.works_titled(title.loose)
        if not holders:
            return None
        query_keys = {normalise_name(name).key for name in names}
        named = []
        for work_id in holders:
            entry = self.index.entry(work_id)
            if entry is not None and not entry.name_keys.isdisjoint(query_keys):
                named.append((work_id, entry))
        if len(named) != 1:
            return None
        work_id, entry = named[0]
        adjustment = self._duration_adjustment(reference.duration_ms, work_id)
        if adjustment < 0:
            return None
        # The same scores the fuzzy index gives an exact (10000) or loosely equal (9800) title.
        if title.strict == entry.strict_keys[0]:
            confidence = FULL_BP
        elif title.strict in entry.strict_keys[1:]:
            confidence = FULL_BP * 99 // 100
        else:
            confidence = 9_800 if title.loose == entry.title_keys[0] else 9_700
        if confidence < self.auto_accept_bp:
            return None
        return UnitMatch(
            MatchStatus.MATCHED,
            work_id=work_id,
            recording_id=self._recording_of(work_id, reference),
            method=MatchMethod.FUZZY,
            confidence_bp=confidence,
            candidates=(Candidate(work_id, MatchMethod.FUZZY, confidence),),
        )

    def _duration_adjustment(self, duration_ms: int, work_id: str) -> int:
        if duration_ms <= 0:
            return 0
        entry = self.index.entry(work_id)
        if entry is None:
            return 0
        known = [r.duration_ms for r in entry.recordings.values() if r.duration_ms > 0]
        if entry.duration_ms > 0:
            known.append(entry.duration_ms)
        if not known:
            return 0
        nearest_ms = min(abs(known_ms - duration_ms) for known_ms in known)
        if nearest_ms <= DURATION_TOLERANCE_MS:
            return DURATION_BONUS_BP
        if nearest_ms >= DURATION_MISMATCH_MS:
            return -DURATION_PENALTY_BP
        return 0

    def _recording_of(self, work_id: str, reference: UsageReference) -> str:
        """The recording of the matched work that the line most likely names (by artist), or ''."""
        entry = self.index.entry(work_id)
        if entry is None or not reference.main_artist:
            return ""
        artist = loose_key(reference.main_artist)
        for recording in entry.recordings.values():
            if recording.recording_id and loose_key(recording.main_artist) == artist:
                return recording.recording_id
        return ""


def _recording_for(found: list[Candidate]) -> str:
    return next((candidate.recording_id for candidate in found if candidate.recording_id), "")


def _names_matched(reasons: tuple[str, ...]) -> int:
    for reason in reasons:
        matched = _CREATORS_MATCHED.match(reason)
        if matched is not None:
            return int(matched.group(1))
    return 0
