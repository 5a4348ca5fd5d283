"""Fixed-width layouts of the CWR 2.1 and 2.2 records: every field's name, start position and length.

Positions are 1-based, as in the CISAC functional specifications, so each line can be checked against
the spec by eye. They were also checked against real files written by other tools (the test fixtures).
CWR 2.2 keeps every 2.1 position and only appends fields at the end of some records: HDR (version,
revision, software package), PWR (publisher sequence) and REC (recording title ... submitter recording
identifier), and ORN (V-ISAN, EIDR); XRF is new in 2.2.

Records written by some tools stop early, with trailing blanks cut; a field past the end of the line is
read as blank. Positions are counted in characters of the decoded line.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from nordclear.repertoire.cwr.records import CwrVersion


@dataclass(frozen=True, slots=True)
class Field:
    """One fixed-width field: its name and where it sits in the record (1-based start)."""

    name: str
    start: int
    length: int

    @property
    def begin(self) -> int:
        """The 0-based index of the first character, for slicing."""
        return self.start - 1

    @property
    def end(self) -> int:
        """The 0-based index just past the last character, for slicing."""
        return self.start - 1 + self.length


Layout = tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Slicer:
    """A layout in the form the reader uses on every line: field names, and one call that cuts them all."""

    names: tuple[str, ...]
    cut: Callable[[str], tuple[str, ...]]


_PREFIX: Final[Layout] = (
    Field("record_type", 1, 3),
    Field("transaction_sequence", 4, 8),
    Field("record_sequence", 12, 8),
)


def _layout(*fields: tuple[str, int, int], prefix: Layout = _PREFIX) -> Layout:
    return prefix + tuple(Field(name, start, length) for name, start, length in fields)


_HDR_2_1: Final = _layout(
    ("sender_type", 4, 2),
    ("sender_id", 6, 9),
    ("sender_name", 15, 45),
    ("edi_standard_version", 60, 5),
    ("creation_date", 65, 8),
    ("creation_time", 73, 6),
    ("transmission_date", 79, 8),
    ("character_set", 87, 15),
    prefix=(Field("record_type", 1, 3),),
)
_HDR_2_2_EXTENSION: Final = (
    Field("version", 102, 3),
    Field("revision", 105, 3),
    Field("software_package", 108, 30),
    Field("software_package_version", 138, 30),
)

_GRH: Final = _layout(
    ("transaction_type", 4, 3),
    ("group_id", 7, 5),
    ("version_number", 12, 5),
    ("batch_request", 17, 10),
    ("submission_distribution_type", 27, 2),
    prefix=(Field("record_type", 1, 3),),
)
_GRT: Final = _layout(
    ("group_id", 4, 5),
    ("transaction_count", 9, 8),
    ("record_count", 17, 8),
    ("currency_indicator", 25, 3),
    ("total_monetary_value", 28, 10),
    prefix=(Field("record_type", 1, 3),),
)
_TRL: Final = _layout(
    ("group_count", 4, 5),
    ("transaction_count", 9, 8),
    ("record_count", 17, 8),
    prefix=(Field("record_type", 1, 3),),
)

_WORK: Final = _layout(
    ("title", 20, 60),
    ("language_code", 80, 2),
    ("submitter_work_number", 82, 14),
    ("iswc", 96, 11),
    ("copyright_date", 107, 8),
    ("copyright_number", 115, 12),
    ("musical_work_distribution_category", 127, 3),
    ("duration", 130, 6),
    ("recorded_indicator", 136, 1),
    ("text_music_relationship", 137, 3),
    ("composite_type", 140, 3),
    ("version_type", 143, 3),
    ("excerpt_type", 146, 3),
    ("music_arrangement", 149, 3),
    ("lyric_adaptation", 152, 3),
    ("contact_name", 155, 30),
    ("contact_id", 185, 10),
    ("cwr_work_type", 195, 2),
    ("grand_rights_indicator", 197, 1),
    ("composite_component_count", 198, 3),
    ("printed_edition_publication_date", 201, 8),
    ("exceptional_clause", 209, 1),
    ("opus_number", 210, 25),
    ("catalogue_number", 235, 25),
    ("priority_flag", 260, 1),
)

_PUBLISHER: Final = _layout(
    ("publisher_sequence", 20, 2),
    ("interested_party_number", 22, 9),
    ("name", 31, 45),
    ("unknown_indicator", 76, 1),
    ("publisher_type", 77, 2),
    ("tax_id", 79, 9),
    ("ipi_name_number", 88, 11),
    ("submitter_agreement_number", 99, 14),
    ("pr_society", 113, 3),
    ("pr_share", 116, 5),
    ("mr_society", 121, 3),
    ("mr_share", 124, 5),
    ("sr_society", 129, 3),
    ("sr_share", 132, 5),
    ("special_agreements_indicator", 137, 1),
    ("first_recording_refusal", 138, 1),
    ("filler", 139, 1),
    ("ipi_base_number", 140, 13),
    ("international_standard_agreement_code", 153, 14),
    ("society_assigned_agreement_number", 167, 14),
    ("agreement_type", 181, 2),
    ("usa_license_indicator", 183, 1),
)

_PUBLISHER_TERRITORY: Final = _layout(
    ("interested_party_number", 20, 9),
    ("constant", 29, 6),
    ("pr_collection_share", 35, 5),
    ("mr_collection_share", 40, 5),
    ("sr_collection_share", 45, 5),
    ("inclusion_indicator", 50, 1),
    ("tis_code", 51, 4),
    ("shares_change", 55, 1),
    ("sequence", 56, 3),
)

_WRITER: Final = _layout(
    ("interested_party_number", 20, 9),
    ("last_name", 29, 45),
    ("first_name", 74, 30),
    ("unknown_indicator", 104, 1),
    ("designation", 105, 2),
    ("tax_id", 107, 9),
    ("ipi_name_number", 116, 11),
    ("pr_society", 127, 3),
    ("pr_share", 130, 5),
    ("mr_society", 135, 3),
    ("mr_share", 138, 5),
    ("sr_society", 143, 3),
    ("sr_share", 146, 5),
    ("reversionary_indicator", 151, 1),
    ("first_recording_refusal", 152, 1),
    ("work_for_hire", 153, 1),
    ("filler", 154, 1),
    ("ipi_base_number", 155, 13),
    ("personal_number", 168, 12),
    ("usa_license_indicator", 180, 1),
)

_WRITER_TERRITORY: Final = _layout(
    ("interested_party_number", 20, 9),
    ("pr_collection_share", 29, 5),
    ("mr_collection_share", 34, 5),
    ("sr_collection_share", 39, 5),
    ("inclusion_indicator", 44, 1),
    ("tis_code", 45, 4),
    ("shares_change", 49, 1),
    ("sequence", 50, 3),
)

_PUBLISHER_FOR_WRITER_2_1: Final = _layout(
    ("publisher_ip_number", 20, 9),
    ("publisher_name", 29, 45),
    ("submitter_agreement_number", 74, 14),
    ("society_assigned_agreement_number", 88, 14),
    ("writer_ip_number", 102, 9),
)

_ALTERNATE_TITLE: Final = _layout(("title", 20, 60), ("title_type", 80, 2), ("language_code", 82, 2))

_PERFORMING_ARTIST: Final = _layout(
    ("last_name", 20, 45),
    ("first_name", 65, 30),
    ("ipi_name_number", 95, 11),
    ("ipi_base_number", 106, 13),
)

_RECORDING_2_1: Final = _layout(
    ("first_release_date", 20, 8),
    ("constant_1", 28, 60),
    ("first_release_duration", 88, 6),
    ("constant_2", 94, 5),
    ("first_album_title", 99, 60),
    ("first_album_label", 159, 60),
    ("first_release_catalog_number", 219, 18),
    ("ean", 237, 13),
    ("isrc", 250, 12),
    ("recording_format", 262, 1),
    ("recording_technique", 263, 1),
    ("media_type", 264, 3),
)
_RECORDING_2_2_EXTENSION: Final = (
    Field("recording_title", 267, 60),
    Field("version_title", 327, 60),
    Field("display_artist", 387, 60),
    Field("record_label", 447, 60),
    Field("isrc_validity", 507, 20),
    Field("submitter_recording_identifier", 527, 14),
)

_WORK_ORIGIN_2_1: Final = _layout(
    ("intended_purpose", 20, 3),
    ("production_title", 23, 60),
    ("cd_identifier", 83, 15),
    ("cut_number", 98, 4),
    ("library", 102, 60),
    ("bltvr", 162, 1),
    ("visan", 163, 25),
    ("production_number", 188, 12),
    ("episode_title", 200, 60),
    ("episode_number", 260, 20),
    ("year_of_production", 280, 4),
    ("avi_society_code", 284, 3),
    ("audio_visual_number", 287, 15),
)
_WORK_ORIGIN_2_2_EXTENSION: Final = (Field("v_isan", 302, 26), Field("eidr", 328, 21))

_ORIGINAL_WORK: Final = _layout(
    ("title", 20, 60),
    ("iswc", 80, 11),
    ("language_code", 91, 2),
    ("writer_1_last_name", 93, 45),
    ("writer_1_first_name", 138, 30),
    ("source", 168, 60),
    ("writer_1_ipi_name_number", 228, 11),
    ("writer_1_ipi_base_number", 239, 13),
    ("writer_2_last_name", 252, 45),
    ("writer_2_first_name", 297, 30),
    ("writer_2_ipi_name_number", 327, 11),
    ("writer_2_ipi_base_number", 338, 13),
    ("submitter_work_number", 351, 14),
)

_CROSS_REFERENCE: Final = _layout(
    ("organisation_code", 20, 3),
    ("identifier", 23, 14),
    ("identifier_type", 37, 1),
    ("validity", 38, 1),
)

_NON_ROMAN_TITLE: Final = _layout(("title", 20, 640), ("title_type", 660, 2), ("language_code", 662, 2))
_NON_ROMAN_PUBLISHER_NAME: Final = _layout(
    ("publisher_sequence", 20, 2),
    ("interested_party_number", 22, 9),
    ("name", 31, 480),
    ("language_code", 511, 2),
)
_NON_ROMAN_WRITER_NAME: Final = _layout(
    ("interested_party_number", 20, 9),
    ("last_name", 29, 160),
    ("first_name", 189, 160),
    ("language_code", 349, 2),
)
_NON_ROMAN_PERFORMER: Final = _layout(
    ("name", 20, 160),
    ("first_name", 180, 160),
    ("ipi_name_number", 340, 11),
    ("ipi_base_number", 351, 13),
    ("language_code", 364, 2),
    ("performance_language", 366, 2),
    ("performance_dialect", 368, 3),
)
_NON_ROMAN_OTHER_WRITER: Final = _layout(
    ("name", 20, 160),
    ("first_name", 180, 160),
    ("language_code", 340, 2),
    ("writer_position", 342, 1),
)
_NON_ROMAN_AGREEMENT_PARTY: Final = _layout(
    ("interested_party_number", 20, 9),
    ("name", 29, 160),
    ("writer_first_name", 189, 160),
    ("language_code", 349, 2),
)

_ACKNOWLEDGEMENT: Final = _layout(
    ("creation_date", 20, 8),
    ("creation_time", 28, 6),
    ("original_group_id", 34, 5),
    ("original_transaction_sequence", 39, 8),
    ("original_transaction_type", 47, 3),
    ("creation_title", 50, 60),
    ("submitter_creation_number", 110, 20),
    ("recipient_creation_number", 130, 20),
    ("processing_date", 150, 8),
    ("transaction_status", 158, 2),
)

_MESSAGE: Final = _layout(
    ("message_type", 20, 1),
    ("original_record_sequence", 21, 8),
    ("original_record_type", 29, 3),
    ("message_level", 32, 1),
    ("validation_number", 33, 3),
    ("message_text", 36, 150),
)

_LAYOUTS_2_1: Final[Mapping[str, Layout]] = MappingProxyType(
    {
        "HDR": _HDR_2_1,
        "GRH": _GRH,
        "GRT": _GRT,
        "TRL": _TRL,
        **dict.fromkeys(("NWR", "REV", "ISW", "EXC"), _WORK),
        **dict.fromkeys(("SPU", "OPU"), _PUBLISHER),
        "SPT": _PUBLISHER_TERRITORY,
        **dict.fromkeys(("SWR", "OWR"), _WRITER),
        "SWT": _WRITER_TERRITORY,
        "PWR": _PUBLISHER_FOR_WRITER_2_1,
        "ALT": _ALTERNATE_TITLE,
        "PER": _PERFORMING_ARTIST,
        "REC": _RECORDING_2_1,
        "ORN": _WORK_ORIGIN_2_1,
        "VER": _ORIGINAL_WORK,
        "NAT": _NON_ROMAN_TITLE,
        "NPN": _NON_ROMAN_PUBLISHER_NAME,
        "NWN": _NON_ROMAN_WRITER_NAME,
        "NPR": _NON_ROMAN_PERFORMER,
        "NOW": _NON_ROMAN_OTHER_WRITER,
        "NPA": _NON_ROMAN_AGREEMENT_PARTY,
        "ACK": _ACKNOWLEDGEMENT,
        "MSG": _MESSAGE,
    }
)

_LAYOUTS_2_2: Final[Mapping[str, Layout]] = MappingProxyType(
    {
        **_LAYOUTS_2_1,
        "HDR": _HDR_2_1 + _HDR_2_2_EXTENSION,
        "PWR": (*_PUBLISHER_FOR_WRITER_2_1, Field("publisher_sequence", 111, 2)),
        "REC": _RECORDING_2_1 + _RECORDING_2_2_EXTENSION,
        "ORN": _WORK_ORIGIN_2_1 + _WORK_ORIGIN_2_2_EXTENSION,
        "XRF": _CROSS_REFERENCE,
    }
)

TRANSACTION_TYPES: Final = frozenset({"NWR", "REV", "ISW", "EXC", "ACK", "AGR"})
"""Record types that open a transaction (and may name a group's type in its GRH)."""

WORK_TRANSACTION_TYPES: Final = frozenset({"NWR", "REV", "ISW", "EXC"})
"""Transaction types that carry a work and are validated as a registration."""

UNMODELLED_RECORD_TYPES: Final = frozenset(
    {"AGR", "TER", "IPA", "EWT", "COM", "INS", "IND", "ARI", "NET", "NCT", "NVT"}
)
"""Valid CWR 2.1/2.2 record types the repertoire keeps as text without modelling their fields."""


def layout_for(record_type: str, version: CwrVersion) -> Layout | None:
    """The layout of ``record_type`` in ``version``, or ``None`` if it is not a modelled record type."""
    layouts = _LAYOUTS_2_2 if version is CwrVersion.V2_2 else _LAYOUTS_2_1
    return layouts.get(record_type)


def slicer_for(record_type: str, version: CwrVersion) -> Slicer | None:
    """The ``Slicer`` of ``record_type`` in ``version``, or ``None`` if it is not modelled."""
    return _SLICERS.get((record_type, version))


def layout_length(layout: Layout) -> int:
    """The number of characters a record with this layout has when no trailing field is cut."""
    last = layout[-1]
    return last.start - 1 + last.length


def is_known_record_type(record_type: str, version: CwrVersion) -> bool:
    """Whether ``record_type`` exists in CWR ``version`` (modelled or not)."""
    return layout_for(record_type, version) is not None or record_type in UNMODELLED_RECORD_TYPES


def all_layouts() -> Mapping[tuple[str, CwrVersion], Layout]:
    """Every modelled layout by (record type, version), for checking the tables themselves."""
    return MappingProxyType(
        {
            **{(record_type, CwrVersion.V2_1): layout for record_type, layout in _LAYOUTS_2_1.items()},
            **{(record_type, CwrVersion.V2_2): layout for record_type, layout in _LAYOUTS_2_2.items()},
        }
    )


def _slicer(layout: Layout) -> Slicer:
    # itemgetter with slices cuts every field of a line in one call: at a million works, per-field
    # slicing in Python is a large part of the reading time.
    cut = operator.itemgetter(*(slice(field.begin, field.end) for field in layout))
    return Slicer(tuple(field.name for field in layout), cut)


_SLICERS: Final[Mapping[tuple[str, CwrVersion], Slicer]] = MappingProxyType(
    {key: _slicer(layout) for key, layout in all_layouts().items()}
)
