"""Kafka event handlers of the licensing service: repertoire events → the rights read model.

The handler applies each event to the shared rights view and keeps the work identifiers licensees ask
coverage by (ISWC, society work ids) beside it, inside the consumer's transaction; the platform's inbox
consumer provides that transaction, the deduplication and the dead-lettering.
"""

from __future__ import annotations

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.gen.events.v1 import repertoire_events_pb2 as events
from nordclear.licensing.adapters import orm
from nordclear.licensing.adapters.coverage_cache import touched_works
from nordclear.licensing.adapters.unit_of_work import LicensingUnitOfWork
from nordclear.platform.domain.societies import normalise_cisac_code
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.rights import RightsStore

ISWC = "iswc"
SOCIETY_WORK_ID = "society_work_id"


def society_work_key(society_code: str, work_code: str) -> str:
    """The key of a society work id: ``<CISAC code>:<work code>`` with the code normalised."""
    return f"{normalise_cisac_code(society_code)}:{work_code.strip()}"


def work_keys_of(state: events.WorkRegistered | events.WorkUpdated) -> list[tuple[str, str]]:
    """The identifiers a work can be asked about by."""
    keys = [(ISWC, state.iswc)] if state.iswc else []
    for reference in state.society_work_ids:
        try:
            keys.append((SOCIETY_WORK_ID, society_work_key(reference.society_code, reference.work_code)))
        except InvalidArgument:
            continue  # the repertoire validated it; an unusable code is simply not a key to ask by
    return keys


async def apply_repertoire_event(envelope: envelope_pb2.EventEnvelope, uow: LicensingUnitOfWork) -> None:
    """Apply one repertoire event to the rights read model (inside the consumer's transaction)."""
    await RightsStore(uow.session, orm.rights).apply(envelope)
    kind = envelope.WhichOneof("payload")
    if kind in ("work_registered", "work_updated"):
        state = envelope.work_registered if kind == "work_registered" else envelope.work_updated
        # The rights view ignores an event older than what it holds; so does the key index.
        if await uow.work_keys.stored_revision(state.work_id) == state.revision:
            await uow.work_keys.replace(state.work_id, work_keys_of(state))
    # Published nowhere; once the transaction commits, the in-process coverage cache drops these works.
    uow.record(touched_works(envelope))
