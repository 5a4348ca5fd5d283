"""The repertoire's in-memory search index, kept in step with the works this process commits.

Built from the database at start, then updated after every committed work change. Each replica keeps
its own index from its own writes: with several replicas on PostgreSQL, a replica's index misses other
replicas' writes until it restarts (the fix, a per-replica consumer of the repertoire's own events, is
noted for later; the embedded default runs one process).
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
        """Index every live work in the database."""
        after, total = "", 0
        while True:
            async with uow_factory() as uow:
                page = await uow.works.page(
                    society=None, after_work_id=after, limit=PAGE, include_deleted=False
                )
            for work in page:
                self._put(work)
            total += len(page)
            if len(page) < PAGE:
                break
            after = page[-1].work_id
        log.info("search index built", works=total)

    def apply(self, events: Sequence[object]) -> None:
        """Follow committed work changes."""
        for event in events:
            if isinstance(event, WorkChanged):
                if event.work.deleted:
                    if event.work.work_id in self.index:
                        self.index.remove(event.work.work_id)
                else:
                    self._put(event.work)

    def search(self, title: str, creators: Sequence[str], top_k: int, min_score_bp: int) -> list[Hit]:
        """The best matches, best first."""
        return self.index.search(title, creators, top_k=top_k, min_score_bp=min_score_bp)

    def _put(self, work: Work) -> None:
        self.index.upsert(
            work.work_id,
            work.title,
            alternate_titles=[title.title for title in work.alternate_titles],
            creators=creator_names(work),
        )
