"""The matcher's in-memory repertoire, built from the read model and kept in step with its journal.

The read model (tables) is written by the repertoire event consumer, possibly in another replica; every
applied change is journalled with an increasing number. ``MatcherView.catch_up`` reloads the works the
journal names since the last number it applied, so every replica's matcher follows the same read model.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Final

from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.matcher import Matcher, MatchIndex
from nordclear.platform.logging import get_logger

log = get_logger(__name__)

_LOAD_PAGE: Final = 5_000
_CHANGES_PAGE: Final = 5_000
# Journal numbers are taken in one order and may commit in another (PostgreSQL): changes this far
# behind the newest applied one are read again, and those already applied are skipped.
_REREAD_WINDOW: Final = 200


class MatcherView:
    """A ``Matcher`` over a ``MatchIndex`` that follows the read model."""

    def __init__(
        self, uow_factory: Callable[[], MatchingUnitOfWork], auto_accept_bp: int, review_floor_bp: int
    ) -> None:
        self._uow = uow_factory
        self.index = MatchIndex()
        self.matcher = Matcher(self.index, auto_accept_bp, review_floor_bp)
        self._applied_through = 0
        self._recently_applied: set[int] = set()
        self._lock = asyncio.Lock()

    async def build(self) -> None:
        """Load every indexed work (at start)."""
        async with self._lock, self._uow() as uow:
            self._applied_through = await uow.index.last_change_no()
            after = ""
            while True:
                works = await uow.index.works(after=after, limit=_LOAD_PAGE)
                if not works:
                    break
                for work in works:
                    self.index.upsert(work)
                after = works[-1].work_id
                await asyncio.sleep(0)
        # The index is millions of long-lived objects; left to the collector, every full collection
        # walks them all while a report streams in (measured: a third of the intake time). Freezing
        # moves what exists now out of its sight; entries replaced later are freed by reference count.
        gc.freeze()
        log.info("matcher index built", works=len(self.index))

    async def catch_up(self) -> int:
        """Apply the read model's changes since the last call; the number of works reloaded."""
        async with self._lock:
            reloaded = 0
            while True:
                async with self._uow() as uow:
                    changes = await uow.index.changes_after(
                        max(0, self._applied_through - _REREAD_WINDOW), _CHANGES_PAGE
                    )
                    fresh = [(no, work_id) for no, work_id in changes if no not in self._recently_applied]
                    if not fresh:
                        return reloaded
                    work_ids = list(dict.fromkeys(work_id for _, work_id in fresh))
                    works = {work.work_id: work for work in await uow.index.works(work_ids)}
                for work_id in work_ids:
                    work = works.get(work_id)
                    if work is None:
                        self.index.remove(work_id)
                    else:
                        self.index.upsert(work)
                reloaded += len(work_ids)
                for no, _ in fresh:
                    self._recently_applied.add(no)
                self._applied_through = max(self._applied_through, *(no for no, _ in fresh))
                floor = self._applied_through - _REREAD_WINDOW
                self._recently_applied = {no for no in self._recently_applied if no > floor}
