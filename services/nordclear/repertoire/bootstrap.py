"""Composition root of the repertoire service: builds every part by hand and wires them together."""

from __future__ import annotations

from collections.abc import Sequence

from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.db.engine import is_sqlite
from nordclear.platform.service_runtime import ServiceRuntime, service_main
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire.adapters import orm
from nordclear.repertoire.adapters.events import RepertoireEventTranslator
from nordclear.repertoire.adapters.search_follower import SearchFollower
from nordclear.repertoire.adapters.search_view import SearchView
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.adapters.views import WorkCache
from nordclear.repertoire.entrypoints.access import ACCESS_POLICY
from nordclear.repertoire.entrypoints.grpc_servicer import RepertoireServicer

LOOKUP_CACHE_ENTRIES = 200_000
"""Works kept in memory for GetWork: a few hundred MB at most, and the hot part of any catalogue."""


def build(settings: ServiceSettings) -> ServiceRuntime:
    """The repertoire service, ready to ``start`` or ``run``."""
    runtime = ServiceRuntime(
        spec=REPERTOIRE,
        settings=settings,
        tables=orm.messaging,
        migrations="nordclear.repertoire:migrations",
        policy=ACCESS_POLICY,
    )
    translate = RepertoireEventTranslator(runtime.kafka_names.events_topic(REPERTOIRE))

    search = SearchView()
    # A process-local cache is coherent only where this process is the database's only writer (SQLite).
    cache = WorkCache(LOOKUP_CACHE_ENTRIES if is_sqlite(settings.database_url) else 0)

    def after_commit(events: Sequence[object]) -> None:
        search.apply(events)
        cache.apply(events)

    def unit_of_work() -> RepertoireUnitOfWork:
        return RepertoireUnitOfWork(
            runtime.session_factory, orm.messaging, runtime.relay.wake, translate, on_committed=after_commit
        )

    def read_unit_of_work() -> RepertoireUnitOfWork:
        # Reads only: it has no event translator, so a write through it would fail loudly.
        return RepertoireUnitOfWork(runtime.read_session_factory, orm.messaging)

    servicer = RepertoireServicer(unit_of_work, read_unit_of_work, search, cache)
    runtime.add_servicer(lambda server: pb_grpc.add_RepertoireServiceServicer_to_server(servicer, server))
    runtime.add_startup(lambda: search.build(read_unit_of_work))
    if not is_sqlite(settings.database_url):
        # Other replicas may write the same database: follow every replica's work events as well.
        follower = SearchFollower(
            search,
            topic=runtime.kafka_names.events_topic(REPERTOIRE),
            bootstrap_servers=settings.kafka_bootstrap_servers,
            rebuild=lambda: search.build(read_unit_of_work),
        )
        runtime.add_background(follower.run, follower.stop)
    return runtime


def main() -> None:
    """``python -m nordclear.repertoire``."""
    service_main(REPERTOIRE, build)
