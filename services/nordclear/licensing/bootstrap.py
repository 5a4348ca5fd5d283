"""Composition root of the licensing service: builds every part by hand and wires them together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from nordclear.licensing.adapters import orm
from nordclear.licensing.adapters.consumers import apply_repertoire_event
from nordclear.licensing.adapters.coverage_cache import CoverageCache
from nordclear.licensing.adapters.events import LicensingEventTranslator
from nordclear.licensing.adapters.licence_cache import LicenceCache
from nordclear.licensing.adapters.seed import demo_book, load_book
from nordclear.licensing.adapters.signing import first_signer
from nordclear.licensing.adapters.unit_of_work import LicensingUnitOfWork
from nordclear.licensing.entrypoints.access import ACCESS_POLICY
from nordclear.licensing.entrypoints.grpc_servicer import LicensingServicer
from nordclear.licensing.service_layer import services
from nordclear.licensing.settings import LicensingSettings, licensing_settings
from nordclear.platform.db.engine import is_sqlite
from nordclear.platform.logging import get_logger
from nordclear.platform.messaging.consumer import InboxConsumer
from nordclear.platform.rights import RIGHTS_EVENT_TYPES
from nordclear.platform.service_runtime import ServiceRuntime, service_main
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import LICENSING, REPERTOIRE

log = get_logger(__name__)


def build(settings: ServiceSettings) -> ServiceRuntime:
    """The licensing service, ready to ``start`` or ``run``."""
    config = licensing_settings(settings)
    signer, key_file, created = first_signer(config.signing_key_paths())
    if created:
        log.warning("generated a new licence signing key", key_file=str(key_file), key_id=signer.key_id)
    book = load_book(config.tariff_book_file) if config.tariff_book_file else demo_book()
    runtime = ServiceRuntime(
        spec=LICENSING,
        settings=config,
        tables=orm.messaging,
        migrations="nordclear.licensing:migrations",
        policy=ACCESS_POLICY,
    )
    translate = LicensingEventTranslator(runtime.kafka_names.events_topic(LICENSING))

    # A process-local cache is coherent only where this process is the database's only writer (SQLite).
    single_writer = is_sqlite(config.database_url)
    licences = LicenceCache(enabled=single_writer)
    works = CoverageCache(enabled=single_writer)

    def committed(events: Sequence[object]) -> None:
        licences.apply(events)
        works.apply(events)

    def unit_of_work() -> LicensingUnitOfWork:
        return LicensingUnitOfWork(
            runtime.session_factory, runtime.relay.wake, translate, on_committed=committed
        )

    def read_unit_of_work() -> LicensingUnitOfWork:
        # Reads only: it has no event translator, so a write through it would fail loudly.
        return LicensingUnitOfWork(runtime.read_session_factory)

    async def prepare() -> None:
        now = datetime.now(UTC)
        await services.register_signing_key(unit_of_work(), signer, now)
        published = await services.publish_tariffs(unit_of_work(), book)
        expired = await services.expire_licences(unit_of_work(), now)
        log.info(
            "licensing ready", signing_key=signer.key_id, tariffs_published=published, expired=len(expired)
        )

    async def expire() -> None:
        expired = await services.expire_licences(unit_of_work(), datetime.now(UTC))
        if expired:
            log.info("licences expired", licences=expired)

    runtime.add_startup(prepare)
    runtime.add_periodic(expire, config.expiry_check_interval_ms, "licensing-expiry")
    names = runtime.kafka_names
    group = names.consumer_group(LICENSING, REPERTOIRE)
    runtime.add_consumer(
        InboxConsumer(
            group_id=group,
            topics=[names.events_topic(REPERTOIRE)],
            bootstrap_servers=config.kafka_bootstrap_servers,
            uow_factory=unit_of_work,
            handler=apply_repertoire_event,
            handled_event_types=RIGHTS_EVENT_TYPES,
            dead_letter_producer=runtime.producer,
            offset_commit_interval_ms=config.offset_commit_interval_ms,
            dead_letter_topic=names.dead_letter_topic(group),
        )
    )
    servicer = LicensingServicer(unit_of_work, read_unit_of_work, book, signer, licences, works)
    runtime.add_servicer(lambda server: pb_grpc.add_LicensingServiceServicer_to_server(servicer, server))
    return runtime


def main() -> None:
    """``python -m nordclear.licensing``."""
    service_main(LICENSING, build, LicensingSettings)
