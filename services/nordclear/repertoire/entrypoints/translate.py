"""Protobuf ↔ domain for the repertoire servicer: validate what arrives, say exactly what is refused.

Fields of the ``Work`` contract that this version does not store yet are refused with UNIMPLEMENTED and
their names, rather than accepted and dropped: a society must never believe we hold data we threw away.
"""

from __future__ import annotations

from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.errors import InvalidArgument, Unimplemented
from nordclear.platform.protoconv import society_to_proto
from nordclear.repertoire.adapters.protocodes import party_role_to_proto, writer_role_from_proto
from nordclear.repertoire.domain.model import Creator, Work, WorkRegistration

STORED_WORK_FIELDS = frozenset({"iswc", "title", "parties", "submitting_society"})
STORED_PARTY_FIELDS = frozenset({"name", "first_name", "ipi_name_number", "role"})
SERVER_ASSIGNED_WORK_FIELDS = frozenset({"work_id", "revision", "created_at", "updated_at", "deleted"})
MAX_REQUEST_ID_CHARS = 128


def request_id(value: str) -> str:
    """A client's idempotency key: present, printable, at most 128 characters."""
    if not value.strip():
        raise InvalidArgument("request_id", value, "a client-chosen idempotency key is required")
    if len(value) > MAX_REQUEST_ID_CHARS or not value.isprintable():
        raise InvalidArgument("request_id", value, f"at most {MAX_REQUEST_ID_CHARS} printable characters")
    return value


def registration_from_proto(work: work_pb2.Work, society: str) -> WorkRegistration:
    """The domain registration of a ``Work`` message submitted by ``society``."""
    _refuse_fields(work)
    creators = [
        Creator(
            last_name=party.name,
            first_name=party.first_name,
            role=writer_role_from_proto(party.role, f"work.parties[{index}].role"),
            ipi_name_number=party.ipi_name_number or None,
        )
        for index, party in enumerate(work.parties)
    ]
    return WorkRegistration.create(title=work.title, iswc=work.iswc, creators=creators, society=society)


def work_to_proto(work: Work) -> work_pb2.Work:
    """The ``Work`` message of a stored work."""
    message = work_pb2.Work(
        work_id=work.work_id,
        iswc=work.iswc or "",
        title=work.title,
        parties=[
            work_pb2.InterestedParty(
                name=creator.last_name,
                first_name=creator.first_name,
                ipi_name_number=creator.ipi_name_number or "",
                role=party_role_to_proto(creator.role),
            )
            for creator in work.creators
        ],
        submitting_society=society_to_proto(work.society),
        revision=1,
    )
    message.created_at.FromDatetime(work.registered_at)
    message.updated_at.FromDatetime(work.registered_at)
    return message


def _refuse_fields(work: work_pb2.Work) -> None:
    present = {descriptor.name for descriptor, _ in work.ListFields()}
    assigned = sorted(present & SERVER_ASSIGNED_WORK_FIELDS)
    if assigned:
        raise InvalidArgument(f"work.{assigned[0]}", "set", "assigned by the server; leave it empty")
    unsupported = sorted(present - STORED_WORK_FIELDS)
    for index, party in enumerate(work.parties):
        party_fields = {descriptor.name for descriptor, _ in party.ListFields()}
        unsupported += [f"parties[{index}].{name}" for name in sorted(party_fields - STORED_PARTY_FIELDS)]
    if unsupported:
        fields = ", ".join(f"work.{name}" for name in unsupported)
        raise Unimplemented(f"{fields}: not stored by this version yet; nothing was registered")
