"""The repertoire's in-memory search index, kept in step with the works committed.

Built from the database at start, then updated after every work change this process commits. With
several replicas on PostgreSQL, each replica also follows the repertoire's own events
(``search_follower``) so that other replicas' writes reach its index too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nordclear.platform.logging import get_logger
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.domain.events import WorkChanged
from nordclear.repertoire.domain.work import Work
from nordclear.repertoire.search.index import Hit, WorkIndex

log = get_logger(__name__)
PAGE = 1_000


def creator_names(work: Work) -> list[str]:
    """Names of a work's writers, as the index compares them."""
    return [" ".join(p for p in (party.first_name, party.name) if p) for party in work.writers if party.name]


class SearchView:
    """Owns the index; ``apply`` is the unit of work's after-commit hook."""

    def __init__(self) -> None:
        self.index = WorkIndex()

    async def build(self, uow_factory: Callable[[], RepertoireUnitOfWork]) -> None:
        """Index every live work in the database; searches use the old index until the new one is whole."""
        fresh = WorkIndex()
        after, total = "", 0
        while True:
            async with uow_factory() as uow:
                page = await uow.works.page(
                    society=None, after_work_id=after, limit=PAGE, include_deleted=False
                )
            for work in page:
                _put(fresh, work)
            total += len(page)
            if len(page) < PAGE:
                break
            after = page[-1].work_id
        self.index = fresh
        log.info("search index built", works=total)

    def apply(self, events: Sequence[object]) -> None:
        """Follow committed work changes."""
        for event in events:
            if isinstance(event, WorkChanged):
                if event.work.deleted:
                    self.remove(event.work.work_id)
                else:
                    self.put(event.work)

    def put(self, work: Work) -> None:
        """Index ``work`` as it is now (added or replaced)."""
        _put(self.index, work)

    def remove(self, work_id: str) -> None:
        """Take a work out of the index (deleted); unknown ids are ignored."""
        if work_id in self.index:
            self.index.remove(work_id)

    def search(self, title: str, creators: Sequence[str], top_k: int, min_score_bp: int) -> list[Hit]:
        """The best matches, best first."""
        return self.index.search(title, creators, top_k=top_k, min_score_bp=min_score_bp)


def _put(index: WorkIndex, work: Work) -> None:
    index.upsert(
        work.work_id,
        work.title,
        alternate_titles=[title.title for title in work.alternate_titles],
        creators=creator_names(work),
    )
