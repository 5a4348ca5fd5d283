"""Licences kept in memory for coverage checks, which are asked once per usage-report line.

Coherent only where this process is its database's only writer (the embedded default on SQLite): every
issue and status change committed here replaces the cached licence, and a read that raced with such a
change is not cached (the epoch moved). On PostgreSQL replicas share the database, so the cache is off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from nordclear.licensing.domain.events import LicenceIssued, LicenceStatusChanged
from nordclear.licensing.domain.licence import Licence

MAX_LICENCES: Final = 100_000


class LicenceCache:
    """Licence id → licence as last committed."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._licences: dict[str, Licence] = {}
        self.epoch = 0

    def get(self, licence_id: str) -> Licence | None:
        """The cached licence, or None."""
        return self._licences.get(licence_id) if self._enabled else None

    def put(self, licence: Licence, epoch: int) -> None:
        """Cache a licence read at ``epoch``, unless a change was committed since."""
        if self._enabled and epoch == self.epoch and len(self._licences) < MAX_LICENCES:
            self._licences[licence.licence_id] = licence

    def apply(self, events: Sequence[object]) -> None:
        """Follow committed changes."""
        for event in events:
            if isinstance(event, LicenceIssued | LicenceStatusChanged):
                self.epoch += 1
                if self._enabled:
                    self._licences[event.licence.licence_id] = event.licence
