"""Works and recordings between the domain model and ``nordclear.repertoire.v1`` messages, both ways.

One translation serves the servicer (requests and responses), the repository (which stores each
revision as this message, serialised: a compact, versioned, forward-compatible document) and the
event translator. Enum numbers outside the contract and unset required enums are refused with the
field's path, before the domain rules run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from nordclear.gen.common.v1 import codes_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.domain.societies import Society, society_by_name
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import (
    date_to_proto,
    optional_date_from_proto,
    society_from_proto,
    society_to_proto,
)
from nordclear.repertoire.domain.work import (
    Affiliation,
    AlternateTitle,
    CollectionShare,
    Inclusion,
    InterestedParty,
    Mandate,
    OriginalWork,
    PartyRole,
    PerformingArtist,
    PublisherType,
    Recording,
    Right,
    RightShare,
    SocietyWorkId,
    TitleType,
    VersionType,
    Work,
    WriterRole,
)

E = TypeVar("E")
N = TypeVar("N", bound=int)

_ROLES: dict[codes_pb2.PartyRole.ValueType, PartyRole] = {
    codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR: PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
    codes_pb2.PARTY_ROLE_AUTHOR: PartyRole.writer(WriterRole.AUTHOR),
    codes_pb2.PARTY_ROLE_COMPOSER: PartyRole.writer(WriterRole.COMPOSER),
    codes_pb2.PARTY_ROLE_ARRANGER: PartyRole.writer(WriterRole.ARRANGER),
    codes_pb2.PARTY_ROLE_ADAPTOR: PartyRole.writer(WriterRole.ADAPTER),
    codes_pb2.PARTY_ROLE_SUB_ARRANGER: PartyRole.writer(WriterRole.SUB_ARRANGER),
    codes_pb2.PARTY_ROLE_SUB_AUTHOR: PartyRole.writer(WriterRole.SUB_AUTHOR),
    codes_pb2.PARTY_ROLE_TRANSLATOR: PartyRole.writer(WriterRole.TRANSLATOR),
    codes_pb2.PARTY_ROLE_WRITER_INCOME_PARTICIPANT: PartyRole.writer(WriterRole.INCOME_PARTICIPANT),
    codes_pb2.PARTY_ROLE_ORIGINAL_PUBLISHER: PartyRole.publisher(PublisherType.ORIGINAL_PUBLISHER),
    codes_pb2.PARTY_ROLE_ADMINISTRATOR: PartyRole.publisher(PublisherType.ADMINISTRATOR),
    codes_pb2.PARTY_ROLE_PUBLISHER_INCOME_PARTICIPANT: PartyRole.publisher(PublisherType.INCOME_PARTICIPANT),
    codes_pb2.PARTY_ROLE_SUB_PUBLISHER: PartyRole.publisher(PublisherType.SUB_PUBLISHER),
    codes_pb2.PARTY_ROLE_SUBSTITUTED_PUBLISHER: PartyRole.publisher(PublisherType.SUBSTITUTED_PUBLISHER),
    codes_pb2.PARTY_ROLE_ACQUIRER: PartyRole.publisher(PublisherType.ACQUIRER),
}
_RIGHTS: dict[codes_pb2.Right.ValueType, Right] = {
    codes_pb2.RIGHT_PERFORMING: Right.PERFORMING,
    codes_pb2.RIGHT_MECHANICAL: Right.MECHANICAL,
    codes_pb2.RIGHT_SYNCHRONISATION: Right.SYNCHRONISATION,
}
_INCLUSIONS: dict[codes_pb2.TerritoryInclusion.ValueType, Inclusion] = {
    codes_pb2.TERRITORY_INCLUSION_INCLUDE: Inclusion.INCLUDE,
    codes_pb2.TERRITORY_INCLUSION_EXCLUDE: Inclusion.EXCLUDE,
}
_VERSION_TYPES: dict[work_pb2.VersionType.ValueType, VersionType] = {
    work_pb2.VERSION_TYPE_ORIGINAL: VersionType.ORIGINAL,
    work_pb2.VERSION_TYPE_MODIFIED: VersionType.MODIFIED,
}
_TITLE_TYPES: dict[work_pb2.TitleType.ValueType, TitleType] = {
    work_pb2.TITLE_TYPE_ALTERNATIVE: TitleType.ALTERNATIVE,
    work_pb2.TITLE_TYPE_FIRST_LINE: TitleType.FIRST_LINE,
    work_pb2.TITLE_TYPE_FORMAL: TitleType.FORMAL,
    work_pb2.TITLE_TYPE_INCORRECT: TitleType.INCORRECT,
    work_pb2.TITLE_TYPE_ORIGINAL: TitleType.ORIGINAL,
    work_pb2.TITLE_TYPE_ORIGINAL_TRANSLATED: TitleType.ORIGINAL_TRANSLATED,
    work_pb2.TITLE_TYPE_PART: TitleType.PART,
    work_pb2.TITLE_TYPE_RESTRICTED: TitleType.RESTRICTED,
    work_pb2.TITLE_TYPE_EXTRA_SEARCH: TitleType.EXTRA_SEARCH,
    work_pb2.TITLE_TYPE_ORIGINAL_NATIONAL: TitleType.ORIGINAL_NATIONAL,
    work_pb2.TITLE_TYPE_ALTERNATIVE_NATIONAL: TitleType.ALTERNATIVE_NATIONAL,
}
_AFFILIATION_FIELDS = (
    (Right.PERFORMING, "pr_society_code"),
    (Right.MECHANICAL, "mr_society_code"),
    (Right.SYNCHRONISATION, "sr_society_code"),
)


def _enum(table: Mapping[N, E], value: N, field: str, *, default: E | None = None) -> E:
    if value == 0 and default is not None:
        return default
    found = table.get(value)
    if found is None:
        raise InvalidArgument(
            field, value, "must be one of the values the contract defines (not unspecified)"
        )
    return found


def _reverse(table: Mapping[N, E]) -> dict[E, N]:
    return {member: number for number, member in table.items()}


_ROLE_NUMBERS = _reverse(_ROLES)
_RIGHT_NUMBERS = _reverse(_RIGHTS)
_INCLUSION_NUMBERS = _reverse(_INCLUSIONS)
_VERSION_TYPE_NUMBERS = _reverse(_VERSION_TYPES)
_TITLE_TYPE_NUMBERS = _reverse(_TITLE_TYPES)


# --- dates and times ---------------------------------------------------------------------------


def _timestamp(target: Timestamp, value: datetime | None) -> None:
    if value is not None:
        target.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))


# --- work: proto → domain ----------------------------------------------------------------------


def work_from_proto(message: work_pb2.Work, *, work_id: str, submitting_society: Society) -> Work:
    """The domain work a ``Work`` message describes (before the domain rules normalise and check it)."""
    field = "work"
    return Work(
        work_id=work_id,
        title=message.title,
        submitting_society=submitting_society,
        parties=tuple(_party(party, i, f"{field}.parties[{i}]") for i, party in enumerate(message.parties)),
        iswc=message.iswc or None,
        alternate_titles=tuple(
            AlternateTitle(
                title=title.title,
                title_type=_enum(
                    _TITLE_TYPES,
                    title.title_type,
                    f"{field}.alternate_titles[{i}].title_type",
                    default=TitleType.ALTERNATIVE,
                ),
                language_code=title.language_code or None,
            )
            for i, title in enumerate(message.alternate_titles)
        ),
        language_code=message.language_code or None,
        version_type=_enum(
            _VERSION_TYPES, message.version_type, f"{field}.version_type", default=VersionType.ORIGINAL
        ),
        original_work=_original_work(message),
        society_work_ids=tuple(
            SocietyWorkId(society_code=ref.society_code, work_code=ref.work_code)
            for ref in message.society_work_ids
        ),
        performing_artists=tuple(
            PerformingArtist(name=a.name, first_name=a.first_name, ipi_name_number=a.ipi_name_number or None)
            for a in message.performing_artists
        ),
        duration_ms=message.duration_ms or None,
    )


def _original_work(message: work_pb2.Work) -> OriginalWork | None:
    if not message.HasField("original_work"):
        return None
    original = message.original_work
    return OriginalWork(
        title=original.title, iswc=original.iswc or None, writer_names=tuple(original.writer_names)
    )


def _party(message: work_pb2.InterestedParty, position: int, field: str) -> InterestedParty:
    return InterestedParty(
        # A key only matters where writers are linked to publishers; a client that links none may omit it.
        party_key=message.party_key or f"party-{position + 1}",
        role=_enum(_ROLES, message.role, f"{field}.role"),
        name=message.name,
        first_name=message.first_name,
        non_roman_name=message.non_roman_name,
        ipi_name_number=message.ipi_name_number or None,
        ipi_base_number=message.ipi_base_number or None,
        controlled=message.controlled,
        affiliations=tuple(
            Affiliation(right=right, society_code=getattr(message, name))
            for right, name in _AFFILIATION_FIELDS
            if getattr(message, name)
        ),
        ownership_shares=_shares(message.ownership_shares, f"{field}.ownership_shares"),
        collection_shares=tuple(
            _collection_share(share, f"{field}.collection_shares[{i}]")
            for i, share in enumerate(message.collection_shares)
        ),
        mandates=tuple(
            _mandate(mandate, f"{field}.mandates[{i}]") for i, mandate in enumerate(message.mandates)
        ),
        publisher_party_keys=tuple(message.publisher_party_keys),
        chain_sequence=message.chain_sequence,
    )


def _shares(shares: Sequence[work_pb2.RightShare], field: str) -> tuple[RightShare, ...]:
    return tuple(
        RightShare(right=_enum(_RIGHTS, share.right, f"{field}[{i}].right"), share_bp=share.share_bp)
        for i, share in enumerate(shares)
    )


def _collection_share(message: work_pb2.CollectionShare, field: str) -> CollectionShare:
    return CollectionShare(
        tis_code=message.tis_code,
        inclusion=_enum(_INCLUSIONS, message.inclusion, f"{field}.inclusion", default=Inclusion.INCLUDE),
        shares=_shares(message.shares, f"{field}.shares"),
        sequence_number=message.sequence_number or 1,
        valid_from=optional_date_from_proto(message.valid_from, f"{field}.valid_from"),
        valid_until=optional_date_from_proto(message.valid_until, f"{field}.valid_until"),
    )


def _mandate(message: work_pb2.Mandate, field: str) -> Mandate:
    return Mandate(
        right=_enum(_RIGHTS, message.right, f"{field}.right"),
        tis_code=message.tis_code,
        society_code=message.society_code,
        inclusion=_enum(_INCLUSIONS, message.inclusion, f"{field}.inclusion", default=Inclusion.INCLUDE),
        valid_from=optional_date_from_proto(message.valid_from, f"{field}.valid_from"),
        valid_until=optional_date_from_proto(message.valid_until, f"{field}.valid_until"),
    )


# --- work: domain → proto ----------------------------------------------------------------------


def work_to_proto(work: Work) -> work_pb2.Work:
    """The ``Work`` message of a stored work (without its recordings, which are stored separately)."""
    message = work_pb2.Work(
        work_id=work.work_id,
        iswc=work.iswc or "",
        title=work.title,
        alternate_titles=[
            work_pb2.AlternateTitle(
                title=t.title,
                title_type=_TITLE_TYPE_NUMBERS[t.title_type],
                language_code=t.language_code or "",
            )
            for t in work.alternate_titles
        ],
        language_code=work.language_code or "",
        version_type=_VERSION_TYPE_NUMBERS[work.version_type],
        society_work_ids=[
            identifiers_pb2.SocietyWorkId(society_code=ref.society_code, work_code=ref.work_code)
            for ref in work.society_work_ids
        ],
        parties=[_party_to_proto(party) for party in work.parties],
        performing_artists=[
            work_pb2.PerformingArtist(
                name=a.name, first_name=a.first_name, ipi_name_number=a.ipi_name_number or ""
            )
            for a in work.performing_artists
        ],
        duration_ms=work.duration_ms or 0,
        submitting_society=society_to_proto(work.submitting_society.name),
        revision=work.revision,
        deleted=work.deleted,
    )
    if work.original_work is not None:
        message.original_work.CopyFrom(
            work_pb2.OriginalWork(
                title=work.original_work.title,
                iswc=work.original_work.iswc or "",
                writer_names=list(work.original_work.writer_names),
            )
        )
    _timestamp(message.created_at, work.created_at)
    _timestamp(message.updated_at, work.updated_at)
    return message


def _party_to_proto(party: InterestedParty) -> work_pb2.InterestedParty:
    message = work_pb2.InterestedParty(
        party_key=party.party_key,
        name=party.name,
        first_name=party.first_name,
        non_roman_name=party.non_roman_name,
        ipi_name_number=party.ipi_name_number or "",
        ipi_base_number=party.ipi_base_number or "",
        role=_ROLE_NUMBERS[party.role],
        controlled=party.controlled,
        ownership_shares=_shares_to_proto(party.ownership_shares),
        collection_shares=[
            work_pb2.CollectionShare(
                tis_code=share.tis_code,
                inclusion=_INCLUSION_NUMBERS[share.inclusion],
                shares=_shares_to_proto(share.shares),
                sequence_number=share.sequence_number,
                valid_from=date_to_proto(share.valid_from),
                valid_until=date_to_proto(share.valid_until),
            )
            for share in party.collection_shares
        ],
        mandates=[
            work_pb2.Mandate(
                right=_RIGHT_NUMBERS[mandate.right],
                tis_code=mandate.tis_code,
                inclusion=_INCLUSION_NUMBERS[mandate.inclusion],
                society_code=mandate.society_code,
                valid_from=date_to_proto(mandate.valid_from),
                valid_until=date_to_proto(mandate.valid_until),
            )
            for mandate in party.mandates
        ],
        publisher_party_keys=list(party.publisher_party_keys),
        chain_sequence=party.chain_sequence,
    )
    for affiliation in party.affiliations:
        setattr(message, dict(_AFFILIATION_FIELDS)[affiliation.right], affiliation.society_code)
    return message


def _shares_to_proto(shares: tuple[RightShare, ...]) -> list[work_pb2.RightShare]:
    return [
        work_pb2.RightShare(right=_RIGHT_NUMBERS[share.right], share_bp=share.share_bp) for share in shares
    ]


# --- recordings --------------------------------------------------------------------------------


def recording_from_proto(
    message: work_pb2.Recording, *, recording_id: str, field: str, submitting_society: Society | None
) -> Recording:
    """The domain recording a ``Recording`` message describes."""
    return Recording(
        recording_id=recording_id,
        title=message.title,
        isrc=message.isrc or None,
        main_artist=message.main_artist,
        duration_ms=message.duration_ms or None,
        work_ids=tuple(message.work_ids),
        label=message.label,
        release_date=optional_date_from_proto(message.release_date, f"{field}.release_date"),
        submitting_society=submitting_society,
    )


def recording_to_proto(recording: Recording) -> work_pb2.Recording:
    """The ``Recording`` message of a stored recording."""
    return work_pb2.Recording(
        recording_id=recording.recording_id,
        isrc=recording.isrc or "",
        title=recording.title,
        main_artist=recording.main_artist,
        duration_ms=recording.duration_ms or 0,
        work_ids=list(recording.work_ids),
        label=recording.label,
        release_date=date_to_proto(recording.release_date),
        submitting_society=(
            society_to_proto(recording.submitting_society.name)
            if recording.submitting_society
            else codes_pb2.SOCIETY_UNSPECIFIED
        ),
        revision=recording.revision,
    )


def member_society(value: codes_pb2.Society.ValueType, field: str) -> Society | None:
    """The member society of a protobuf ``Society`` number; None when unspecified."""
    name = society_from_proto(value, field)
    return society_by_name(name) if name else None


def party_role_to_proto(role: PartyRole) -> codes_pb2.PartyRole.ValueType:
    """The protobuf party role of a domain role."""
    return _ROLE_NUMBERS[role]


def right_to_proto(right: Right) -> codes_pb2.Right.ValueType:
    """The protobuf right of a domain right."""
    return _RIGHT_NUMBERS[right]
