"""Writer roles between the repertoire's domain and the protobuf ``PartyRole`` enum, both ways."""

from __future__ import annotations

from nordclear.gen.common.v1 import codes_pb2
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.model import WriterRole

_ROLE_TO_PROTO: dict[WriterRole, codes_pb2.PartyRole.ValueType] = {
    WriterRole.COMPOSER_AUTHOR: codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR,
    WriterRole.AUTHOR: codes_pb2.PARTY_ROLE_AUTHOR,
    WriterRole.COMPOSER: codes_pb2.PARTY_ROLE_COMPOSER,
    WriterRole.ARRANGER: codes_pb2.PARTY_ROLE_ARRANGER,
    WriterRole.ADAPTER: codes_pb2.PARTY_ROLE_ADAPTOR,
    WriterRole.SUB_ARRANGER: codes_pb2.PARTY_ROLE_SUB_ARRANGER,
    WriterRole.SUB_AUTHOR: codes_pb2.PARTY_ROLE_SUB_AUTHOR,
    WriterRole.TRANSLATOR: codes_pb2.PARTY_ROLE_TRANSLATOR,
    WriterRole.INCOME_PARTICIPANT: codes_pb2.PARTY_ROLE_WRITER_INCOME_PARTICIPANT,
}
_ROLE_FROM_PROTO = {value: role for role, value in _ROLE_TO_PROTO.items()}


def party_role_to_proto(role: WriterRole) -> codes_pb2.PartyRole.ValueType:
    """The protobuf party role of a writer role."""
    return _ROLE_TO_PROTO[role]


def is_writer_role(value: codes_pb2.PartyRole.ValueType) -> bool:
    """True for the writer designations (publisher types are not writers)."""
    return value in _ROLE_FROM_PROTO


def writer_role_from_proto(value: codes_pb2.PartyRole.ValueType, field: str) -> WriterRole:
    """The writer role of a protobuf party role; InvalidArgument for a publisher type or unset."""
    role = _ROLE_FROM_PROTO.get(value)
    if role is None:
        shown = codes_pb2.PartyRole.Name(value) if value in codes_pb2.PartyRole.values() else value
        raise InvalidArgument(field, shown, "must be a writer designation (CA, A, C, AR, AD, SR, SA, TR, PA)")
    return role
