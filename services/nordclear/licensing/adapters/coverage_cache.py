"""Works and their consents kept in memory for coverage checks, which are asked once per report line.

A coverage answer is the repertoire's pure ``licensable_shares`` over a work and its consent entries, so
with both in memory it needs no database round trip. Coherent only where this process is its database's
only writer (the embedded default on SQLite): the consumer that applies repertoire events here records a
``RightsChanged`` marker for the works each event touches, and once that transaction has committed the
works are dropped from the cache. A read that raced with such a commit is not cached (the epoch moved).
On PostgreSQL replicas share the database, so the cache is off.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.licensing.domain.rights import WorkRights

MAX_WORKS: Final = 200_000
"""Works kept: the hot part of any catalogue, and a few hundred MB at most."""


@dataclass(frozen=True, slots=True)
class RightsChanged:
    """Repertoire events changed these works (empty: possibly any) in the transaction that records this."""

    work_ids: tuple[str, ...]


def touched_works(envelope: envelope_pb2.EventEnvelope) -> RightsChanged:
    """Which works a repertoire event changes, for the cache; a recording changes none of them."""
    kind = envelope.WhichOneof("payload")
    if kind == "work_registered":
        return RightsChanged((envelope.work_registered.work_id,))
    if kind == "work_updated":
        return RightsChanged((envelope.work_updated.work_id,))
    if kind == "work_deleted":
        return RightsChanged((envelope.work_deleted.work_id,))
    if kind == "consent_recorded":
        return RightsChanged((envelope.consent_recorded.work_id,))
    if kind == "consent_revoked":
        return RightsChanged((envelope.consent_revoked.work_id,))
    if kind == "recording_registered":
        return RightsChanged(("",))  # nothing cached depends on recordings
    return RightsChanged(())


class CoverageCache:
    """Work id → its rights as last committed, least recently used first out."""

    def __init__(self, enabled: bool, max_works: int = MAX_WORKS) -> None:
        self._enabled = enabled
        self._max_works = max_works
        self._works: OrderedDict[str, WorkRights] = OrderedDict()
        self.epoch = 0

    def get(self, work_id: str) -> WorkRights | None:
        """The cached rights of a work, or None."""
        if not self._enabled:
            return None
        found = self._works.get(work_id)
        if found is not None:
            self._works.move_to_end(work_id)
        return found

    def put(self, work_id: str, rights: WorkRights, epoch: int) -> None:
        """Cache rights read at ``epoch``, unless a change was committed since."""
        if not self._enabled or epoch != self.epoch:
            return
        self._works[work_id] = rights
        if len(self._works) > self._max_works:
            self._works.popitem(last=False)

    def apply(self, events: Sequence[object]) -> None:
        """Follow committed changes of the read model."""
        for event in events:
            if not isinstance(event, RightsChanged):
                continue
            self.epoch += 1
            if not event.work_ids:
                self._works.clear()
            for work_id in event.work_ids:
                self._works.pop(work_id, None)
