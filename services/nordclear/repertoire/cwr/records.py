"""Typed, immutable forms of the CWR 2.1 and 2.2 records the repertoire models.

Each class is one record type (or a pair that share a layout, such as SPU/OPU), named for what it holds;
its docstring gives the CWR record type. Values are already converted and validated by the reader:

- text fields are stripped of the space padding (CWR pads every field to its width);
- identifiers (ISWC, ISRC, IPI name and base numbers) are in the stored form of
  ``nordclear.platform.domain.identifiers``, or ``None`` when absent or rejected;
- society codes are three digits (``"052"``), or ``None`` when absent or rejected;
- shares are integer basis points, ``share_bp``: CWR writes a share as five digits with two implied
  decimals (``03750`` is 37.50 %), so the digits read as an integer are already basis points
  (0-10000);
- dates are ``datetime.date`` and ``None`` for blank or all-zero dates (CWR's "not given"); durations
  are whole seconds, ``duration_s``, and ``None`` for blank or ``000000``;
- one-letter flags (Y/N/U) and lookup codes are kept as written, ``""`` when blank, so a record can be
  written back unchanged.

``record_number`` is the record's 1-based position in the file (its line, blank lines not counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from nordclear.platform.domain.identifiers import is_valid_ipi_name_number


class CwrVersion(StrEnum):
    """The CWR version of a file, read from its HDR record."""

    V2_1 = "2.1"
    V2_2 = "2.2"


class FileKind(StrEnum):
    """What a file is for, by the transaction types of its groups (GRH)."""

    REGISTRATION = "registration"
    """NWR, REV, ISW, EXC: works registered, revised, given an ISWC, or in conflict."""
    ACKNOWLEDGEMENT = "acknowledgement"
    """ACK: a receiver's answer to an earlier submission."""
    AGREEMENT = "agreement"
    """AGR: agreements between interested parties."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """Fields every record has."""

    record_number: int
    record_type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TransmissionHeader(Record):
    """HDR: who sent the file, when, in which CWR version and character set."""

    sender_type: str
    sender_id: str
    sender_name: str
    edi_standard_version: str
    creation_date: date | None
    creation_time: time | None
    transmission_date: date | None
    character_set: str
    version: CwrVersion
    revision: int | None
    software_package: str
    software_package_version: str

    @property
    def sender_ipi_name_number(self) -> str | None:
        """The sender's IPI name number, when the header carries a valid one.

        Since CWR 2.1 revision 7 an 11-digit IPI name number that does not fit the 9-digit sender ID puts
        its first two digits in the sender type (``HDR09000000020`` is sender 09000000020); PB, AA and WR
        senders write the 9-digit form.
        """
        if self.sender_type.isdigit():
            candidate = self.sender_type + self.sender_id
        elif self.sender_type in ("PB", "AA", "WR"):
            candidate = self.sender_id.zfill(11)
        else:
            return None
        return candidate if is_valid_ipi_name_number(candidate) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupHeader(Record):
    """GRH: opens a group of transactions of one type."""

    transaction_type: str
    group_id: int | None
    version_number: str
    batch_request: int | None
    submission_distribution_type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupTrailer(Record):
    """GRT: closes a group, with the sender's count of its transactions and records."""

    group_id: int | None
    transaction_count: int | None
    record_count: int | None
    currency_indicator: str
    total_monetary_value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TransmissionTrailer(Record):
    """TRL: closes the file, with the sender's count of groups, transactions and records."""

    group_count: int | None
    transaction_count: int | None
    record_count: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionRecord(Record):
    """A record inside a transaction: its prefix numbers it within the group and the transaction."""

    transaction_sequence: int | None
    record_sequence: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkRecord(TransactionRecord):
    """NWR, REV, ISW or EXC: the work a transaction registers, revises, notifies or reports in conflict."""

    title: str
    language_code: str
    submitter_work_number: str
    iswc: str | None
    copyright_date: date | None
    copyright_number: str
    musical_work_distribution_category: str
    duration_s: int | None
    recorded_indicator: str
    text_music_relationship: str
    composite_type: str
    version_type: str
    excerpt_type: str
    music_arrangement: str
    lyric_adaptation: str
    contact_name: str
    contact_id: str
    cwr_work_type: str
    grand_rights_indicator: str
    composite_component_count: int | None
    printed_edition_publication_date: date | None
    exceptional_clause: str
    opus_number: str
    catalogue_number: str
    priority_flag: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PublisherRecord(TransactionRecord):
    """SPU (publisher controlled by the submitter) or OPU (other publisher), with ownership shares."""

    publisher_sequence: int | None
    interested_party_number: str
    name: str
    unknown_indicator: str
    publisher_type: str
    tax_id: str
    ipi_name_number: str | None
    submitter_agreement_number: str
    pr_society: str | None
    pr_share_bp: int
    mr_society: str | None
    mr_share_bp: int
    sr_society: str | None
    sr_share_bp: int
    special_agreements_indicator: str
    first_recording_refusal: str
    ipi_base_number: str | None
    international_standard_agreement_code: str
    society_assigned_agreement_number: str
    agreement_type: str
    usa_license_indicator: str

    @property
    def controlled(self) -> bool:
        """Whether the submitter controls this publisher (SPU) rather than naming another one (OPU)."""
        return self.record_type == "SPU"


@dataclass(frozen=True, slots=True, kw_only=True)
class PublisherTerritory(TransactionRecord):
    """SPT: the shares a controlled publisher collects in one territory (TIS code, include or exclude)."""

    interested_party_number: str
    pr_collection_share_bp: int
    mr_collection_share_bp: int
    sr_collection_share_bp: int
    inclusion_indicator: str
    tis_code: int | None
    shares_change: str
    sequence: int | None

    @property
    def included(self) -> bool:
        """Whether the territory is included ("I") rather than excluded ("E")."""
        return self.inclusion_indicator == "I"


@dataclass(frozen=True, slots=True, kw_only=True)
class WriterRecord(TransactionRecord):
    """SWR (writer controlled by the submitter) or OWR (other writer), with ownership shares."""

    interested_party_number: str
    last_name: str
    first_name: str
    unknown_indicator: str
    designation: str
    tax_id: str
    ipi_name_number: str | None
    pr_society: str | None
    pr_share_bp: int
    mr_society: str | None
    mr_share_bp: int
    sr_society: str | None
    sr_share_bp: int
    reversionary_indicator: str
    first_recording_refusal: str
    work_for_hire: str
    ipi_base_number: str | None
    personal_number: str
    usa_license_indicator: str

    @property
    def controlled(self) -> bool:
        """Whether the submitter controls this writer (SWR) rather than naming another one (OWR)."""
        return self.record_type == "SWR"


@dataclass(frozen=True, slots=True, kw_only=True)
class WriterTerritory(TransactionRecord):
    """SWT: the shares a controlled writer collects in one territory."""

    interested_party_number: str
    pr_collection_share_bp: int
    mr_collection_share_bp: int
    sr_collection_share_bp: int
    inclusion_indicator: str
    tis_code: int | None
    shares_change: str
    sequence: int | None

    @property
    def included(self) -> bool:
        """Whether the territory is included ("I") rather than excluded ("E")."""
        return self.inclusion_indicator == "I"


@dataclass(frozen=True, slots=True, kw_only=True)
class PublisherForWriter(TransactionRecord):
    """PWR: the publisher that represents a controlled writer (by interested party numbers)."""

    publisher_ip_number: str
    publisher_name: str
    submitter_agreement_number: str
    society_assigned_agreement_number: str
    writer_ip_number: str
    publisher_sequence: int | None
    """Which publisher chain (SPU publisher sequence) the writer belongs to; CWR 2.2 only."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AlternateTitle(TransactionRecord):
    """ALT: another title of the work, with its type (AT alternative, TE first line of text, ...)."""

    title: str
    title_type: str
    language_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PerformingArtist(TransactionRecord):
    """PER: an artist who performs the work."""

    last_name: str
    first_name: str
    ipi_name_number: str | None
    ipi_base_number: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Recording(TransactionRecord):
    """REC: a recording of the work; the fields from ``recording_title`` on exist in CWR 2.2 only."""

    first_release_date: date | None
    first_release_duration_s: int | None
    first_album_title: str
    first_album_label: str
    first_release_catalog_number: str
    ean: str
    isrc: str | None
    recording_format: str
    recording_technique: str
    media_type: str
    recording_title: str
    version_title: str
    display_artist: str
    record_label: str
    isrc_validity: str
    submitter_recording_identifier: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrigin(TransactionRecord):
    """ORN: where the work comes from (library, film, episode)."""

    intended_purpose: str
    production_title: str
    cd_identifier: str
    cut_number: int | None
    library: str
    bltvr: str
    visan: str
    production_number: str
    episode_title: str
    episode_number: str
    year_of_production: int | None
    avi_society_code: str
    audio_visual_number: str
    v_isan: str
    """CWR 2.2: the V-ISAN parts (ISAN, episode, check digit, version, check digit) as written."""
    eidr: str
    """CWR 2.2: the EIDR and its check digit as written."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginalWork(TransactionRecord):
    """VER: the original work a version (modified work) is based on."""

    title: str
    iswc: str | None
    language_code: str
    writer_1_last_name: str
    writer_1_first_name: str
    source: str
    writer_1_ipi_name_number: str | None
    writer_1_ipi_base_number: str | None
    writer_2_last_name: str
    writer_2_first_name: str
    writer_2_ipi_name_number: str | None
    writer_2_ipi_base_number: str | None
    submitter_work_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CrossReference(TransactionRecord):
    """XRF (CWR 2.2): the work's identifier in another organisation's system."""

    organisation_code: str
    identifier: str
    identifier_type: str
    validity: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NonRomanTitle(TransactionRecord):
    """NAT: a title in a non-Roman alphabet."""

    title: str
    title_type: str
    language_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NonRomanPublisherName(TransactionRecord):
    """NPN: a publisher's name in a non-Roman alphabet."""

    publisher_sequence: int | None
    interested_party_number: str
    name: str
    language_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NonRomanWriterName(TransactionRecord):
    """NWN: a controlled writer's name in a non-Roman alphabet."""

    interested_party_number: str
    last_name: str
    first_name: str
    language_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NonRomanPerformer(TransactionRecord):
    """NPR: a performing artist's name in a non-Roman alphabet, or the performance's language."""

    name: str
    first_name: str
    ipi_name_number: str | None
    ipi_base_number: str | None
    language_code: str
    performance_language: str
    performance_dialect: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NonRomanOtherWriter(TransactionRecord):
    """NOW: an other writer's name in a non-Roman alphabet (position 1 or 2 of a VER/EWT/COM writer)."""

    name: str
    first_name: str
    language_code: str
    writer_position: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NonRomanAgreementParty(TransactionRecord):
    """NPA: an agreement party's name in a non-Roman alphabet."""

    interested_party_number: str
    name: str
    writer_first_name: str
    language_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement(TransactionRecord):
    """ACK: the receiver's answer to one transaction of an earlier file (status AS, RA, RJ, CO, ...)."""

    creation_date: date | None
    creation_time: time | None
    original_group_id: int | None
    original_transaction_sequence: int | None
    original_transaction_type: str
    creation_title: str
    submitter_creation_number: str
    recipient_creation_number: str
    processing_date: date | None
    transaction_status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(TransactionRecord):
    """MSG: explains one problem an acknowledgement reports (type = level: F, R, T, G or E)."""

    message_type: str
    original_record_sequence: int | None
    original_record_type: str
    message_level: str
    validation_number: str
    message_text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UnmodelledRecord(TransactionRecord):
    """A valid CWR record the repertoire does not model (AGR, TER, IPA, EWT, COM, INS, IND, ARI, ...).

    Kept as written, so that nothing in a file disappears without a trace.
    """

    text: str


DetailRecord = (
    PublisherRecord
    | PublisherTerritory
    | WriterRecord
    | WriterTerritory
    | PublisherForWriter
    | AlternateTitle
    | PerformingArtist
    | Recording
    | WorkOrigin
    | OriginalWork
    | CrossReference
    | NonRomanTitle
    | NonRomanPublisherName
    | NonRomanWriterName
    | NonRomanPerformer
    | NonRomanOtherWriter
    | NonRomanAgreementParty
    | Message
    | WorkRecord
    | UnmodelledRecord
)
"""Any record that can follow a transaction header (an ACK carries the acknowledged work's records)."""

TransactionHeaderRecord = WorkRecord | Acknowledgement | UnmodelledRecord
"""The record that opens a transaction: NWR/REV/ISW/EXC, ACK, or an (unmodelled) AGR."""
