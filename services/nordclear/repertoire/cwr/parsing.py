"""One record line in, one typed record (``records``) and the problems of its fields out.

Each record type has a small function that reads its fields through a ``FieldReader``; the rules a
single field can break live there (a missing title, an invalid ISWC, a share that is not a number). Rules
that need the whole transaction (share totals, the order of records) are in ``validation``; rules about
the file's frame (counts, sequence numbers, groups) are in ``structure``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, TypedDict

from nordclear.repertoire.cwr.fields import FieldReader
from nordclear.repertoire.cwr.layouts import layout_for, layout_length, slicer_for
from nordclear.repertoire.cwr.problems import CwrProblem, Level
from nordclear.repertoire.cwr.records import (
    Acknowledgement,
    AlternateTitle,
    CrossReference,
    CwrVersion,
    GroupHeader,
    GroupTrailer,
    Message,
    NonRomanAgreementParty,
    NonRomanOtherWriter,
    NonRomanPerformer,
    NonRomanPublisherName,
    NonRomanTitle,
    NonRomanWriterName,
    OriginalWork,
    PerformingArtist,
    PublisherForWriter,
    PublisherRecord,
    PublisherTerritory,
    Record,
    Recording,
    TransactionRecord,
    TransmissionHeader,
    TransmissionTrailer,
    UnmodelledRecord,
    WorkOrigin,
    WorkRecord,
    WriterRecord,
    WriterTerritory,
)

DISTRIBUTION_CATEGORIES: Final = frozenset({"JAZ", "POP", "SER", "UNC"})
VERSION_TYPES: Final = frozenset({"MOD", "ORI"})
WRITER_DESIGNATIONS: Final = frozenset({"A", "AD", "AR", "C", "CA", "PA", "SA", "SR", "TR"})
PUBLISHER_TYPES: Final = frozenset({"AM", "AQ", "E", "ES", "PA", "SE"})
TITLE_TYPES: Final = frozenset({"AL", "AT", "ET", "FT", "IT", "OL", "OT", "PT", "RT", "TE", "TT"})
INCLUSION_INDICATORS: Final = frozenset({"E", "I"})


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """A record read from one line, with the problems of its fields."""

    record: Record
    problems: tuple[CwrProblem, ...]

    @property
    def rejected(self) -> bool:
        """Whether the record is rejected on its own (RR) and must be left out of its transaction.

        A record with a transaction-level problem stays in: its transaction is rejected as a whole, and
        the record shows what was wrong with it.
        """
        return any(item.severity is Level.RECORD for item in self.problems)


def parse_transaction_record(line: str, record_number: int, version: CwrVersion) -> ParsedRecord:
    """Read a record that belongs to a transaction (header or detail) of a modelled or known type."""
    record_type = line[:3]
    slicer = slicer_for(record_type, version)
    if slicer is None:
        return _parse_unmodelled(line, record_number, record_type)
    fields = FieldReader(line, slicer, record_number, record_type)
    _check_length(fields, line, version)
    record = _TRANSACTION_PARSERS[record_type](fields)
    return ParsedRecord(record, tuple(fields.problems))


def parse_header(
    line: str, record_number: int, version: CwrVersion
) -> tuple[TransmissionHeader, FieldReader]:
    """Read an HDR record; every problem it has is file-level, so the caller decides what to raise."""
    slicer = slicer_for("HDR", version)
    assert slicer is not None
    fields = FieldReader(line, slicer, record_number, "HDR")
    header = TransmissionHeader(
        record_number=record_number,
        record_type="HDR",
        sender_type=fields.text("sender_type"),
        sender_id=fields.text("sender_id"),
        sender_name=fields.text("sender_name"),
        edi_standard_version=fields.text("edi_standard_version"),
        creation_date=fields.required_date("creation_date", "the creation date", Level.ENTIRE_FILE),
        creation_time=fields.time_of_day("creation_time", Level.ENTIRE_FILE),
        transmission_date=fields.required_date(
            "transmission_date", "the transmission date", Level.ENTIRE_FILE
        ),
        character_set=fields.text("character_set"),
        version=version,
        revision=fields.integer("revision", Level.ENTIRE_FILE),
        software_package=fields.text("software_package"),
        software_package_version=fields.text("software_package_version"),
    )
    return header, fields


def parse_group_header(line: str, record_number: int, version: CwrVersion) -> tuple[GroupHeader, FieldReader]:
    """Read a GRH record; a missing or non-numeric group ID is file-level (ER), a bad batch request FR."""
    fields = _structural_reader("GRH", line, record_number, version)
    texts = fields.texts
    header = GroupHeader(
        record_number=record_number,
        record_type="GRH",
        transaction_type=texts["transaction_type"],
        group_id=fields.required_integer("group_id", "the group ID", Level.ENTIRE_FILE),
        version_number=texts["version_number"],
        batch_request=fields.integer("batch_request", Level.FIELD),
        submission_distribution_type=texts["submission_distribution_type"],
    )
    return header, fields


def parse_group_trailer(
    line: str, record_number: int, version: CwrVersion
) -> tuple[GroupTrailer, FieldReader]:
    """Read a GRT record; a count that is not a number rejects the group (GR)."""
    fields = _structural_reader("GRT", line, record_number, version)
    trailer = GroupTrailer(
        record_number=record_number,
        record_type="GRT",
        group_id=fields.required_integer("group_id", "the group ID", Level.GROUP),
        transaction_count=fields.required_integer("transaction_count", "the transaction count", Level.GROUP),
        record_count=fields.required_integer("record_count", "the record count", Level.GROUP),
        currency_indicator=fields.text("currency_indicator"),
        total_monetary_value=fields.text("total_monetary_value"),
    )
    return trailer, fields


def parse_transmission_trailer(
    line: str, record_number: int, version: CwrVersion
) -> tuple[TransmissionTrailer, FieldReader]:
    """Read a TRL record; a count that is not a number rejects the file (ER)."""
    fields = _structural_reader("TRL", line, record_number, version)
    trailer = TransmissionTrailer(
        record_number=record_number,
        record_type="TRL",
        group_count=fields.required_integer("group_count", "the group count", Level.ENTIRE_FILE),
        transaction_count=fields.required_integer(
            "transaction_count", "the transaction count", Level.ENTIRE_FILE
        ),
        record_count=fields.required_integer("record_count", "the record count", Level.ENTIRE_FILE),
    )
    return trailer, fields


def _structural_reader(record_type: str, line: str, record_number: int, version: CwrVersion) -> FieldReader:
    slicer = slicer_for(record_type, version)
    assert slicer is not None
    return FieldReader(line, slicer, record_number, record_type)


def _check_length(fields: FieldReader, line: str, version: CwrVersion) -> None:
    # Short lines are normal (trailing blanks cut); text past the layout is not part of any field, so it
    # is ignored and said so, since it usually means a field was shifted or the version is wrong.
    length = _record_length(fields.record_type, version)
    if len(line) > length and line[length:].strip():
        fields.report(
            f"characters {length + 1}-{len(line)}",
            line[length:].strip(),
            f"a {fields.record_type} record has {length} characters; the text past them was ignored",
            Level.FIELD,
        )


class _Prefix(TypedDict):
    record_number: int
    record_type: str
    transaction_sequence: int | None
    record_sequence: int | None


@functools.cache
def _record_length(record_type: str, version: CwrVersion) -> int:
    layout = layout_for(record_type, version)
    assert layout is not None
    return layout_length(layout)


def _prefix(fields: FieldReader) -> _Prefix:
    return {
        "record_number": fields.record_number,
        "record_type": fields.record_type,
        "transaction_sequence": fields.integer("transaction_sequence", Level.TRANSACTION),
        "record_sequence": fields.integer("record_sequence", Level.TRANSACTION),
    }


def _parse_unmodelled(line: str, record_number: int, record_type: str) -> ParsedRecord:
    record = UnmodelledRecord(
        record_number=record_number,
        record_type=record_type,
        transaction_sequence=_digits_or_none(line[3:11]),
        record_sequence=_digits_or_none(line[11:19]),
        text=line,
    )
    return ParsedRecord(record, ())


def _digits_or_none(value: str) -> int | None:
    stripped = value.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else None


def _work(fields: FieldReader) -> WorkRecord:
    texts = fields.texts
    return WorkRecord(
        **_prefix(fields),
        title=fields.required_text("title", "the work title"),
        language_code=texts["language_code"],
        submitter_work_number=fields.required_text("submitter_work_number", "the submitter work number"),
        iswc=fields.iswc("iswc"),
        copyright_date=fields.calendar_date("copyright_date"),
        copyright_number=texts["copyright_number"],
        musical_work_distribution_category=fields.code(
            "musical_work_distribution_category",
            DISTRIBUTION_CATEGORIES,
            required=True,
            severity=Level.TRANSACTION,
        ),
        duration_s=fields.duration_s("duration"),
        recorded_indicator=fields.flag("recorded_indicator"),
        text_music_relationship=texts["text_music_relationship"],
        composite_type=texts["composite_type"],
        version_type=fields.code("version_type", VERSION_TYPES, required=True, severity=Level.TRANSACTION),
        excerpt_type=texts["excerpt_type"],
        music_arrangement=texts["music_arrangement"],
        lyric_adaptation=texts["lyric_adaptation"],
        contact_name=texts["contact_name"],
        contact_id=texts["contact_id"],
        cwr_work_type=texts["cwr_work_type"],
        grand_rights_indicator=fields.flag("grand_rights_indicator"),
        composite_component_count=fields.integer("composite_component_count"),
        printed_edition_publication_date=fields.calendar_date("printed_edition_publication_date"),
        exceptional_clause=fields.flag("exceptional_clause"),
        opus_number=texts["opus_number"],
        catalogue_number=texts["catalogue_number"],
        priority_flag=fields.flag("priority_flag"),
    )


def _publisher(fields: FieldReader) -> PublisherRecord:
    texts = fields.texts
    controlled = fields.record_type == "SPU"
    unknown = fields.flag("unknown_indicator")
    # A controlled publisher must be identified; an other publisher may be unknown ("Y").
    if controlled:
        interested_party_number = fields.required_text("interested_party_number", "an SPU's party number")
        name = fields.required_text("name", "an SPU's publisher name")
    else:
        interested_party_number = texts["interested_party_number"]
        name = texts["name"]
    return PublisherRecord(
        **_prefix(fields),
        publisher_sequence=fields.required_integer("publisher_sequence", "the publisher sequence number"),
        interested_party_number=interested_party_number,
        name=name,
        unknown_indicator=unknown,
        publisher_type=fields.code(
            "publisher_type",
            PUBLISHER_TYPES,
            required=controlled,
            severity=Level.TRANSACTION if controlled else Level.FIELD,
        ),
        tax_id=texts["tax_id"],
        ipi_name_number=fields.ipi_name_number("ipi_name_number"),
        submitter_agreement_number=texts["submitter_agreement_number"],
        pr_society=fields.society("pr_society"),
        pr_share_bp=fields.share_bp("pr_share"),
        mr_society=fields.society("mr_society"),
        mr_share_bp=fields.share_bp("mr_share"),
        sr_society=fields.society("sr_society"),
        sr_share_bp=fields.share_bp("sr_share"),
        special_agreements_indicator=texts["special_agreements_indicator"],
        first_recording_refusal=fields.flag("first_recording_refusal"),
        ipi_base_number=fields.ipi_base_number("ipi_base_number"),
        international_standard_agreement_code=texts["international_standard_agreement_code"],
        society_assigned_agreement_number=texts["society_assigned_agreement_number"],
        agreement_type=texts["agreement_type"],
        usa_license_indicator=texts["usa_license_indicator"],
    )


def _publisher_territory(fields: FieldReader) -> PublisherTerritory:
    return PublisherTerritory(
        **_prefix(fields),
        interested_party_number=fields.required_text("interested_party_number", "an SPT's party number"),
        pr_collection_share_bp=fields.share_bp("pr_collection_share"),
        mr_collection_share_bp=fields.share_bp("mr_collection_share"),
        sr_collection_share_bp=fields.share_bp("sr_collection_share"),
        inclusion_indicator=fields.code(
            "inclusion_indicator", INCLUSION_INDICATORS, required=True, severity=Level.TRANSACTION
        ),
        tis_code=fields.tis_code("tis_code"),
        shares_change=fields.flag("shares_change"),
        sequence=fields.integer("sequence"),
    )


def _writer(fields: FieldReader) -> WriterRecord:
    texts = fields.texts
    controlled = fields.record_type == "SWR"
    if controlled:
        interested_party_number = fields.required_text("interested_party_number", "an SWR's party number")
        last_name = fields.required_text("last_name", "an SWR's last name")
    else:
        interested_party_number = texts["interested_party_number"]
        last_name = texts["last_name"]
    return WriterRecord(
        **_prefix(fields),
        interested_party_number=interested_party_number,
        last_name=last_name,
        first_name=texts["first_name"],
        unknown_indicator=fields.flag("unknown_indicator"),
        designation=fields.code(
            "designation",
            WRITER_DESIGNATIONS,
            required=controlled,
            severity=Level.TRANSACTION if controlled else Level.FIELD,
        ),
        tax_id=texts["tax_id"],
        ipi_name_number=fields.ipi_name_number("ipi_name_number"),
        pr_society=fields.society("pr_society"),
        pr_share_bp=fields.share_bp("pr_share"),
        mr_society=fields.society("mr_society"),
        mr_share_bp=fields.share_bp("mr_share"),
        sr_society=fields.society("sr_society"),
        sr_share_bp=fields.share_bp("sr_share"),
        reversionary_indicator=fields.flag("reversionary_indicator"),
        first_recording_refusal=fields.flag("first_recording_refusal"),
        work_for_hire=fields.flag("work_for_hire"),
        ipi_base_number=fields.ipi_base_number("ipi_base_number"),
        personal_number=texts["personal_number"],
        usa_license_indicator=texts["usa_license_indicator"],
    )


def _writer_territory(fields: FieldReader) -> WriterTerritory:
    return WriterTerritory(
        **_prefix(fields),
        interested_party_number=fields.required_text("interested_party_number", "an SWT's party number"),
        pr_collection_share_bp=fields.share_bp("pr_collection_share"),
        mr_collection_share_bp=fields.share_bp("mr_collection_share"),
        sr_collection_share_bp=fields.share_bp("sr_collection_share"),
        inclusion_indicator=fields.code(
            "inclusion_indicator", INCLUSION_INDICATORS, required=True, severity=Level.TRANSACTION
        ),
        tis_code=fields.tis_code("tis_code"),
        shares_change=fields.flag("shares_change"),
        sequence=fields.integer("sequence"),
    )


def _publisher_for_writer(fields: FieldReader) -> PublisherForWriter:
    texts = fields.texts
    # Without the publisher's party number the link is meaningless: drop the record. The writer's party
    # number may be blank in older files; the PWR then belongs to the SWR right before it.
    return PublisherForWriter(
        **_prefix(fields),
        publisher_ip_number=fields.required_text(
            "publisher_ip_number", "the publisher's party number", Level.RECORD
        ),
        publisher_name=texts["publisher_name"],
        submitter_agreement_number=texts["submitter_agreement_number"],
        society_assigned_agreement_number=texts["society_assigned_agreement_number"],
        writer_ip_number=texts["writer_ip_number"],
        publisher_sequence=fields.integer("publisher_sequence"),
    )


def _alternate_title(fields: FieldReader) -> AlternateTitle:
    texts = fields.texts
    return AlternateTitle(
        **_prefix(fields),
        title=fields.required_text("title", "the alternate title", Level.RECORD),
        title_type=fields.code("title_type", TITLE_TYPES, required=True, severity=Level.RECORD),
        language_code=texts["language_code"],
    )


def _performing_artist(fields: FieldReader) -> PerformingArtist:
    texts = fields.texts
    return PerformingArtist(
        **_prefix(fields),
        last_name=fields.required_text("last_name", "the performing artist's name", Level.RECORD),
        first_name=texts["first_name"],
        ipi_name_number=fields.ipi_name_number("ipi_name_number"),
        ipi_base_number=fields.ipi_base_number("ipi_base_number"),
    )


def _recording(fields: FieldReader) -> Recording:
    texts = fields.texts
    return Recording(
        **_prefix(fields),
        first_release_date=fields.calendar_date("first_release_date"),
        first_release_duration_s=fields.duration_s("first_release_duration"),
        first_album_title=texts["first_album_title"],
        first_album_label=texts["first_album_label"],
        first_release_catalog_number=texts["first_release_catalog_number"],
        ean=texts["ean"],
        isrc=fields.isrc("isrc"),
        recording_format=texts["recording_format"],
        recording_technique=texts["recording_technique"],
        media_type=texts["media_type"],
        recording_title=fields.text("recording_title"),
        version_title=fields.text("version_title"),
        display_artist=fields.text("display_artist"),
        record_label=fields.text("record_label"),
        isrc_validity=fields.text("isrc_validity"),
        submitter_recording_identifier=fields.text("submitter_recording_identifier"),
    )


def _work_origin(fields: FieldReader) -> WorkOrigin:
    texts = fields.texts
    return WorkOrigin(
        **_prefix(fields),
        intended_purpose=fields.required_text("intended_purpose", "the intended purpose", Level.RECORD),
        production_title=texts["production_title"],
        cd_identifier=texts["cd_identifier"],
        # CWR writes 0000 for "no cut" and "no year"; neither is a real value.
        cut_number=fields.integer("cut_number") or None,
        library=texts["library"],
        bltvr=texts["bltvr"],
        visan=texts["visan"],
        production_number=texts["production_number"],
        episode_title=texts["episode_title"],
        episode_number=texts["episode_number"],
        year_of_production=fields.integer("year_of_production") or None,
        avi_society_code=texts["avi_society_code"],
        audio_visual_number=texts["audio_visual_number"],
        v_isan=fields.text("v_isan"),
        eidr=fields.text("eidr"),
    )


def _original_work(fields: FieldReader) -> OriginalWork:
    texts = fields.texts
    return OriginalWork(
        **_prefix(fields),
        title=fields.required_text("title", "the original work's title", Level.RECORD),
        iswc=fields.iswc("iswc"),
        language_code=texts["language_code"],
        writer_1_last_name=texts["writer_1_last_name"],
        writer_1_first_name=texts["writer_1_first_name"],
        source=texts["source"],
        writer_1_ipi_name_number=fields.ipi_name_number("writer_1_ipi_name_number"),
        writer_1_ipi_base_number=fields.ipi_base_number("writer_1_ipi_base_number"),
        writer_2_last_name=texts["writer_2_last_name"],
        writer_2_first_name=texts["writer_2_first_name"],
        writer_2_ipi_name_number=fields.ipi_name_number("writer_2_ipi_name_number"),
        writer_2_ipi_base_number=fields.ipi_base_number("writer_2_ipi_base_number"),
        submitter_work_number=texts["submitter_work_number"],
    )


def _cross_reference(fields: FieldReader) -> CrossReference:
    texts = fields.texts
    return CrossReference(
        **_prefix(fields),
        organisation_code=fields.required_text("organisation_code", "the organisation code", Level.RECORD),
        identifier=fields.required_text("identifier", "the identifier", Level.RECORD),
        identifier_type=texts["identifier_type"],
        validity=texts["validity"],
    )


def _non_roman_title(fields: FieldReader) -> NonRomanTitle:
    texts = fields.texts
    return NonRomanTitle(
        **_prefix(fields),
        title=fields.required_text("title", "the title", Level.RECORD),
        title_type=texts["title_type"],
        language_code=texts["language_code"],
    )


def _non_roman_publisher_name(fields: FieldReader) -> NonRomanPublisherName:
    texts = fields.texts
    return NonRomanPublisherName(
        **_prefix(fields),
        publisher_sequence=fields.integer("publisher_sequence"),
        interested_party_number=texts["interested_party_number"],
        name=fields.required_text("name", "the publisher name", Level.RECORD),
        language_code=texts["language_code"],
    )


def _non_roman_writer_name(fields: FieldReader) -> NonRomanWriterName:
    texts = fields.texts
    return NonRomanWriterName(
        **_prefix(fields),
        interested_party_number=texts["interested_party_number"],
        last_name=fields.required_text("last_name", "the writer's last name", Level.RECORD),
        first_name=texts["first_name"],
        language_code=texts["language_code"],
    )


def _non_roman_performer(fields: FieldReader) -> NonRomanPerformer:
    texts = fields.texts
    return NonRomanPerformer(
        **_prefix(fields),
        name=texts["name"],
        first_name=texts["first_name"],
        ipi_name_number=fields.ipi_name_number("ipi_name_number"),
        ipi_base_number=fields.ipi_base_number("ipi_base_number"),
        language_code=texts["language_code"],
        performance_language=texts["performance_language"],
        performance_dialect=texts["performance_dialect"],
    )


def _non_roman_other_writer(fields: FieldReader) -> NonRomanOtherWriter:
    texts = fields.texts
    return NonRomanOtherWriter(
        **_prefix(fields),
        name=fields.required_text("name", "the writer's name", Level.RECORD),
        first_name=texts["first_name"],
        language_code=texts["language_code"],
        writer_position=texts["writer_position"],
    )


def _non_roman_agreement_party(fields: FieldReader) -> NonRomanAgreementParty:
    texts = fields.texts
    return NonRomanAgreementParty(
        **_prefix(fields),
        interested_party_number=texts["interested_party_number"],
        name=fields.required_text("name", "the party's name", Level.RECORD),
        writer_first_name=texts["writer_first_name"],
        language_code=texts["language_code"],
    )


def _acknowledgement(fields: FieldReader) -> Acknowledgement:
    texts = fields.texts
    return Acknowledgement(
        **_prefix(fields),
        creation_date=fields.calendar_date("creation_date"),
        creation_time=fields.time_of_day("creation_time"),
        original_group_id=fields.integer("original_group_id"),
        original_transaction_sequence=fields.integer("original_transaction_sequence"),
        original_transaction_type=texts["original_transaction_type"],
        creation_title=texts["creation_title"],
        submitter_creation_number=texts["submitter_creation_number"],
        recipient_creation_number=texts["recipient_creation_number"],
        processing_date=fields.calendar_date("processing_date"),
        transaction_status=texts["transaction_status"],
    )


def _message(fields: FieldReader) -> Message:
    texts = fields.texts
    return Message(
        **_prefix(fields),
        message_type=texts["message_type"],
        original_record_sequence=fields.integer("original_record_sequence"),
        original_record_type=texts["original_record_type"],
        message_level=texts["message_level"],
        validation_number=texts["validation_number"],
        message_text=texts["message_text"],
    )


_TRANSACTION_PARSERS: Final[Mapping[str, Callable[[FieldReader], TransactionRecord]]] = MappingProxyType(
    {
        **dict.fromkeys(("NWR", "REV", "ISW", "EXC"), _work),
        **dict.fromkeys(("SPU", "OPU"), _publisher),
        "SPT": _publisher_territory,
        **dict.fromkeys(("SWR", "OWR"), _writer),
        "SWT": _writer_territory,
        "PWR": _publisher_for_writer,
        "ALT": _alternate_title,
        "PER": _performing_artist,
        "REC": _recording,
        "ORN": _work_origin,
        "VER": _original_work,
        "XRF": _cross_reference,
        "NAT": _non_roman_title,
        "NPN": _non_roman_publisher_name,
        "NWN": _non_roman_writer_name,
        "NPR": _non_roman_performer,
        "NOW": _non_roman_other_writer,
        "NPA": _non_roman_agreement_party,
        "ACK": _acknowledgement,
        "MSG": _message,
    }
)
