"""Domain events of the repertoire: facts other services learn through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from nordclear.repertoire.domain.consent import ConsentEntry
from nordclear.repertoire.domain.work import Recording, Work


@dataclass(frozen=True, slots=True)
class WorkChanged:
    """A work was registered (previous revision 0), changed, or deleted; carries its full new state."""

    work: Work
    previous_revision: int
    request_id: str
    reason: str = ""
    recordings: tuple[Recording, ...] = ()
    """The recordings linked to the work now, so the event carries the work's whole state."""
    """Why, when the change is a deletion (kept with the event; the work document has no place for it)."""


@dataclass(frozen=True, slots=True)
class ConsentChanged:
    """An entry was appended to the consent register (a grant or a revocation)."""

    entry: ConsentEntry
    request_id: str


@dataclass(frozen=True, slots=True)
class RecordingChanged:
    """A recording was registered or updated (with its links to works)."""

    recording: Recording
    request_id: str
