"""Read-side views: answers built straight from stored documents, without the domain round trip.

A lookup needs no rules applied and no events recorded, so decoding a stored ``Work`` document into the
domain model only to encode it again would be wasted work on the hottest path of the service. These
views read the documents as the contract's messages (the documents are those messages, serialised).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.repertoire.adapters.orm import recording_works, recordings, works


async def work_with_recordings(session: AsyncSession, work_id: str) -> work_pb2.Work | None:
    """The stored ``Work`` message of a work with its recordings, or None; one query each."""
    document = await session.scalar(select(works.c.document).where(works.c.work_id == work_id))
    if document is None:
        return None
    message = work_pb2.Work.FromString(document)
    linked = await session.scalars(
        select(recordings.c.document)
        .join(recording_works, recording_works.c.recording_id == recordings.c.recording_id)
        .where(recording_works.c.work_id == work_id)
        .order_by(recordings.c.recording_id)
    )
    message.recordings.extend(work_pb2.Recording.FromString(recording) for recording in linked)
    return message
