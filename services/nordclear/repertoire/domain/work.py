"""Works, their interested parties and shares, and recordings: the full repertoire model (BRIEF §3.3).

Shares are integers in basis points (bp): 10000 bp = 100 %. That is exactly the precision of a CWR share
field (five digits, two of them decimals), so a CWR round trip loses nothing and no float ever touches a
share.

A party's role is a pair (kind, code) rather than one code, because CWR reuses ``PA`` for two different
things: a writer-side income participant (writer designation) and a publisher-side income participant
(publisher type). As plain strings the two would compare equal.

Territories in shares and mandates are CISAC TIS-N codes with an include/exclude indicator, applied in
order as CWR SPT/SWT records are (see ``nordclear.platform.domain.territories``). Validity dates are
inclusive at both ends and ``None`` means open on that side.

These types hold values as given; ``rules.validated_work`` normalises identifiers and checks every rule,
and every write goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from nordclear.platform.domain._display import shown
from nordclear.platform.domain.societies import Society
from nordclear.platform.errors import InvalidArgument


class Right(StrEnum):
    """A right that ownership and collection shares are given for (CWR right codes)."""

    PERFORMING = "PR"
    MECHANICAL = "MR"
    SYNCHRONISATION = "SR"


class PartyKind(StrEnum):
    """Whether an interested party is a writer or a publisher."""

    WRITER = "writer"
    PUBLISHER = "publisher"


class WriterRole(StrEnum):
    """CWR writer designation codes."""

    COMPOSER_AUTHOR = "CA"
    AUTHOR = "A"
    COMPOSER = "C"
    ARRANGER = "AR"
    ADAPTER = "AD"
    SUB_ARRANGER = "SR"
    SUB_AUTHOR = "SA"
    TRANSLATOR = "TR"
    INCOME_PARTICIPANT = "PA"


class PublisherType(StrEnum):
    """CWR publisher type codes."""

    ORIGINAL_PUBLISHER = "E"
    ADMINISTRATOR = "AM"
    INCOME_PARTICIPANT = "PA"
    SUB_PUBLISHER = "SE"
    SUBSTITUTED_PUBLISHER = "ES"
    ACQUIRER = "AQ"


ORIGINAL_CREATOR_ROLES: Final = frozenset(
    {WriterRole.COMPOSER_AUTHOR, WriterRole.AUTHOR, WriterRole.COMPOSER}
)
"""Writers who made the work itself; a work with none of them is a version of another work."""

ZERO_OWNERSHIP_PUBLISHER_TYPES: Final = frozenset(
    {
        PublisherType.SUB_PUBLISHER,
        PublisherType.ADMINISTRATOR,
        PublisherType.INCOME_PARTICIPANT,
        PublisherType.SUBSTITUTED_PUBLISHER,
    }
)
"""Publisher types that collect or administer but own nothing (CWR 2.1 §4.5.5)."""


@dataclass(frozen=True, slots=True)
class PartyRole:
    """A writer designation or a publisher type; build with ``PartyRole.writer`` / ``.publisher``."""

    kind: PartyKind
    code: WriterRole | PublisherType

    def __post_init__(self) -> None:
        # A mismatched pair is a programming error (parsers go through ``parse``), not bad input.
        expected = WriterRole if self.kind is PartyKind.WRITER else PublisherType
        assert isinstance(self.code, expected), f"{self.kind} role needs a {expected.__name__}"

    @classmethod
    def writer(cls, code: WriterRole) -> PartyRole:
        """A writer role, e.g. ``PartyRole.writer(WriterRole.COMPOSER)``."""
        return cls(PartyKind.WRITER, code)

    @classmethod
    def publisher(cls, code: PublisherType) -> PartyRole:
        """A publisher role, e.g. ``PartyRole.publisher(PublisherType.ORIGINAL_PUBLISHER)``."""
        return cls(PartyKind.PUBLISHER, code)

    @property
    def is_writer(self) -> bool:
        """Whether the party is a writer."""
        return self.kind is PartyKind.WRITER

    @property
    def is_publisher(self) -> bool:
        """Whether the party is a publisher."""
        return self.kind is PartyKind.PUBLISHER

    def __str__(self) -> str:
        return f"{self.kind} {self.code.value}"


def parse_party_role(kind: str, code: str, field: str = "role") -> PartyRole:
    """The role for a kind (``"writer"``/``"publisher"``) and a CWR code, e.g. ``("publisher", "PA")``."""
    try:
        party_kind = PartyKind(kind.strip().lower()) if isinstance(kind, str) else None
    except ValueError:
        party_kind = None
    if party_kind is None:
        raise InvalidArgument(f"{field}.kind", shown(kind), "must be 'writer' or 'publisher'")
    codes: type[WriterRole] | type[PublisherType] = (
        WriterRole if party_kind is PartyKind.WRITER else PublisherType
    )
    normal = code.strip().upper() if isinstance(code, str) else code
    if normal not in {member.value for member in codes}:
        allowed = ", ".join(member.value for member in codes)
        raise InvalidArgument(f"{field}.code", shown(code), f"a {party_kind} role is one of {allowed}")
    return PartyRole(party_kind, codes(normal))


class Inclusion(StrEnum):
    """Whether a territory entry adds territories or removes them (CWR indicator I/E)."""

    INCLUDE = "I"
    EXCLUDE = "E"


class VersionType(StrEnum):
    """Whether a work is original or a version of another work (CWR version type)."""

    ORIGINAL = "ORI"
    MODIFIED = "MOD"


class TitleType(StrEnum):
    """CWR title types of alternate titles."""

    ALTERNATIVE = "AT"
    FIRST_LINE = "TE"
    FORMAL = "FT"
    INCORRECT = "IT"
    ORIGINAL = "OT"
    ORIGINAL_TRANSLATED = "TT"
    PART = "PT"
    RESTRICTED = "RT"
    EXTRA_SEARCH = "ET"
    ORIGINAL_NATIONAL = "OL"
    ALTERNATIVE_NATIONAL = "AL"


def in_force(valid_from: date | None, valid_until: date | None, on: date) -> bool:
    """Whether an inclusive, possibly open-ended span of days contains ``on``."""
    return (valid_from is None or valid_from <= on) and (valid_until is None or on <= valid_until)


@dataclass(frozen=True, slots=True)
class RightShare:
    """A share of one right in basis points (0-10000)."""

    right: Right
    share_bp: int


@dataclass(frozen=True, slots=True)
class Affiliation:
    """The society a party belongs to for one right (CWR PR/MR/SR affiliation society)."""

    right: Right
    society_code: str


@dataclass(frozen=True, slots=True)
class CollectionShare:
    """Who collects what in a territory (a CWR SPT/SWT record); entries apply in sequence order."""

    tis_code: int
    inclusion: Inclusion
    shares: tuple[RightShare, ...] = ()
    sequence_number: int = 1
    valid_from: date | None = None
    valid_until: date | None = None

    def share_bp(self, right: Right) -> int:
        """The collection share of ``right`` in bp; 0 when the right is not listed."""
        return sum(share.share_bp for share in self.shares if share.right is right)

    def in_force(self, on: date) -> bool:
        """Whether the entry applies on ``on``."""
        return in_force(self.valid_from, self.valid_until, on)


@dataclass(frozen=True, slots=True)
class Mandate:
    """The society that administers a party's share of a right in a territory (BRIEF §3.3)."""

    right: Right
    tis_code: int
    society_code: str
    inclusion: Inclusion = Inclusion.INCLUDE
    valid_from: date | None = None
    valid_until: date | None = None

    def in_force(self, on: date) -> bool:
        """Whether the mandate applies on ``on``."""
        return in_force(self.valid_from, self.valid_until, on)


@dataclass(frozen=True, slots=True)
class InterestedParty:
    """A writer or publisher of a work, with its shares and mandates (CWR SWR/OWR, SPU/OPU and details).

    ``party_key`` identifies the party within the work only; it is how writers name their publishers.
    """

    party_key: str
    role: PartyRole
    name: str
    first_name: str = ""
    non_roman_name: str = ""
    ipi_name_number: str | None = None
    ipi_base_number: str | None = None
    controlled: bool = True
    affiliations: tuple[Affiliation, ...] = ()
    ownership_shares: tuple[RightShare, ...] = ()
    collection_shares: tuple[CollectionShare, ...] = ()
    mandates: tuple[Mandate, ...] = ()
    publisher_party_keys: tuple[str, ...] = ()
    chain_sequence: int = 0
    """Publishers: position in the chain, 1 = original publisher. Writers: 0."""

    def ownership_bp(self, right: Right) -> int:
        """The party's ownership share of ``right`` in bp; 0 when the right is not listed."""
        return sum(share.share_bp for share in self.ownership_shares if share.right is right)


@dataclass(frozen=True, slots=True)
class AlternateTitle:
    """Another title of a work (CWR ALT, and national-character titles)."""

    title: str
    title_type: TitleType = TitleType.ALTERNATIVE
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class OriginalWork:
    """The work a modified version is based on (CWR VER)."""

    title: str
    iswc: str | None = None
    writer_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SocietyWorkId:
    """A work's identifier in one society's database (CWR submitter work number or XRF)."""

    society_code: str
    work_code: str


@dataclass(frozen=True, slots=True)
class PerformingArtist:
    """A performing artist named for a work (CWR PER)."""

    name: str
    first_name: str = ""
    ipi_name_number: str | None = None


@dataclass(frozen=True, slots=True)
class Work:
    """A musical work with everything the clearing house models about it.

    ``work_id`` is empty until the repository assigns one. Recordings are not held here: a recording
    links to its works (``Recording.work_ids``), because one recording can record several works.
    """

    work_id: str
    title: str
    submitting_society: Society
    parties: tuple[InterestedParty, ...]
    iswc: str | None = None
    alternate_titles: tuple[AlternateTitle, ...] = ()
    language_code: str | None = None
    version_type: VersionType = VersionType.ORIGINAL
    original_work: OriginalWork | None = None
    society_work_ids: tuple[SocietyWorkId, ...] = ()
    performing_artists: tuple[PerformingArtist, ...] = ()
    duration_ms: int | None = None
    revision: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False

    @property
    def writers(self) -> tuple[InterestedParty, ...]:
        """The writers, in the order given."""
        return tuple(party for party in self.parties if party.role.is_writer)

    @property
    def publishers(self) -> tuple[InterestedParty, ...]:
        """The publishers, in the order given."""
        return tuple(party for party in self.parties if party.role.is_publisher)

    def total_ownership_bp(self, right: Right) -> int:
        """All parties' ownership shares of ``right`` together, in bp."""
        return sum(party.ownership_bp(right) for party in self.parties)

    def party(self, party_key: str) -> InterestedParty | None:
        """The party with ``party_key``, or None."""
        return next((party for party in self.parties if party.party_key == party_key), None)


@dataclass(frozen=True, slots=True)
class Recording:
    """A sound recording, linked to the work(s) it records (a medley links several)."""

    recording_id: str
    title: str
    isrc: str | None = None
    main_artist: str = ""
    duration_ms: int | None = None
    work_ids: tuple[str, ...] = ()
    label: str = ""
    release_date: date | None = None
    submitting_society: Society | None = None
    revision: int = 0
