"""The matching service's picture of the repertoire: what it needs to match usage lines to works.

It is a copy, built from the repertoire's events. Every applied change is also journalled, because a
change to the repertoire is the moment to re-try lines that did not match before (BRIEF §5.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ChangeKind(StrEnum):
    """What happened to a work in the read model."""

    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class IndexedRecording:
    """A recording of an indexed work, matched by ISRC."""

    isrc: str
    title: str
    main_artist: str
    duration_ms: int
    recording_id: str = ""


@dataclass(frozen=True, slots=True)
class IndexedWork:
    """A work as the matcher sees it."""

    work_id: str
    title: str
    iswc: str | None
    creator_names: tuple[str, ...]
    recordings: tuple[IndexedRecording, ...]
    revision: int
    """The repertoire revision this copy reflects; an older event never overwrites a newer copy."""
    alternate_titles: tuple[str, ...] = ()
    society_work_ids: tuple[tuple[str, str], ...] = ()
    """(CISAC society code, the society's work code) pairs."""
    duration_ms: int = 0


@dataclass(frozen=True, slots=True)
class IndexStatus:
    """Size and freshness of the read model."""

    works_indexed: int
    recordings_indexed: int
    changes_applied: int
    last_change_at: datetime | None
