"""Filling an empty read model from the repertoire's StreamSnapshot, before any event has arrived.

A fresh matching database would otherwise wait for the repertoire to publish its whole history again.
The snapshot is consistent as of one repertoire transaction; events after it arrive as usual, and the
read model's revision guard makes the overlap harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import grpc

from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as repertoire_pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as repertoire_grpc
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.read_model import IndexedRecording, IndexedWork
from nordclear.matching.service_layer.read_model import index_recording, index_work
from nordclear.platform.auth import PrincipalKind, load_private_key, mint_token, principal_for
from nordclear.platform.logging import get_logger
from nordclear.platform.topology import MATCHING

log = get_logger(__name__)

_WORKS_PER_TRANSACTION: Final = 1_000
_TOKEN_TTL: Final = timedelta(hours=1)
_WRITER_ROLES: Final = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9})
"""PARTY_ROLE_COMPOSER_AUTHOR … PARTY_ROLE_WRITER_INCOME_PARTICIPANT: writers, not publishers."""


async def bootstrap_from_snapshot(
    uow_factory: Callable[[], MatchingUnitOfWork], address: str, signing_key_file: Path
) -> int:
    """Fill the read model from the repertoire if it is empty; the number of works taken in."""
    async with uow_factory() as uow:
        if not await uow.index.is_empty():
            return 0
    token = mint_token(
        load_private_key(signing_key_file),
        principal_for(PrincipalKind.SERVICE, service=MATCHING.name),
        _TOKEN_TTL,
    )
    taken = 0
    as_of = datetime.now(UTC)
    batch: list[IndexedWork] = []
    recordings: list[tuple[IndexedRecording, list[str]]] = []
    async with grpc.aio.insecure_channel(address) as channel:
        stub = repertoire_grpc.RepertoireServiceStub(channel)
        stream = stub.StreamSnapshot(
            repertoire_pb.StreamSnapshotRequest(), metadata=(("authorization", f"Bearer {token}"),)
        )
        async for item in stream:
            kind = item.WhichOneof("item")
            if kind == "work":
                batch.append(work_from_snapshot(item.work))
            elif kind == "recording" and item.recording.isrc and item.recording.work_ids:
                recording = item.recording
                indexed = IndexedRecording(
                    recording.isrc,
                    recording.title,
                    recording.main_artist,
                    recording.duration_ms,
                    recording.recording_id,
                )
                recordings.append((indexed, list(recording.work_ids)))
            elif kind == "summary":
                as_of = item.summary.as_of.ToDatetime(tzinfo=UTC)
            if len(batch) + len(recordings) >= _WORKS_PER_TRANSACTION:
                taken += await _store(uow_factory, batch, recordings, as_of)
                batch, recordings = [], []
    taken += await _store(uow_factory, batch, recordings, as_of)
    log.info("read model filled from the repertoire snapshot", works=taken)
    return taken


async def _store(
    uow_factory: Callable[[], MatchingUnitOfWork],
    works: list[IndexedWork],
    recordings: list[tuple[IndexedRecording, list[str]]],
    as_of: datetime,
) -> int:
    if not works and not recordings:
        return 0
    async with uow_factory() as uow:
        for work in works:
            await index_work(uow, work, f"snapshot:{work.work_id}:{work.revision}", as_of)
        for recording, work_ids in recordings:
            await index_recording(uow, recording, work_ids, f"snapshot:{recording.recording_id}", as_of)
        await uow.commit()
    return len(works)


def work_from_snapshot(work: work_pb2.Work) -> IndexedWork:
    """The read model's copy of a snapshot work."""
    return IndexedWork(
        work_id=work.work_id,
        title=work.title,
        iswc=work.iswc or None,
        creator_names=tuple(
            " ".join(part for part in (party.first_name, party.name) if part)
            for party in work.parties
            if party.role in _WRITER_ROLES
        ),
        recordings=tuple(
            IndexedRecording(r.isrc, r.title, r.main_artist, r.duration_ms, r.recording_id)
            for r in work.recordings
            if r.isrc
        ),
        revision=work.revision,
        alternate_titles=tuple(t.title for t in work.alternate_titles if t.title),
        society_work_ids=tuple((s.society_code, s.work_code) for s in work.society_work_ids if s.work_code),
        duration_ms=work.duration_ms,
    )
