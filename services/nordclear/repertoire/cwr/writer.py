"""Exporting domain works (with their recordings) as a CWR registration file, CWR 2.1 by default.

``registration_lines`` yields the file line by line (CR LF included): HDR, one GRH NWR (or REV) group,
one transaction per work, GRT and TRL with their counts. It holds one work's lines at a time, so a
million works stream through in flat memory; ``fixed.write_lines`` encodes them onto a binary stream.

A transaction holds its records in CWR order: NWR, then per controlled publisher SPU (NPN) SPT..., the
other publishers OPU (NPN), per controlled writer SWR (NWN) SWT... PWR..., the other writers OWR (NWN),
then ALT..., VER, PER..., REC... and (CWR 2.2) XRF.... Parties are written in that order whatever their
order in ``Work.parties``, which is why ``to_domain`` on a written file gives the parties in that order.

Field by field, this is the inverse of ``to_domain`` (see its table); what CWR cannot carry is listed by
``unwritten_fields`` for one work, and is:

- anything without a CWR field: the work id, revision, timestamps, mandates, collection share dates;
- collection shares of parties the submitter does not control (CWR has SPT/SWT for SPU/SWR only), and
  publisher links of such writers (PWR follows an SWR only);
- a right listed with a share of 0 (written as 0, read back as not listed), a duration that is not whole
  seconds, original work writers beyond the two a VER holds;
- in CWR 2.1, which has no XRF and a shorter REC: society work ids other than the submitter work number,
  a recording title other than the work's, and the recording's main artist;
- a party key that is not a CWR interested party number (more than 9 characters, not printable ASCII):
  such a party gets a number made up for the file (``X`` and eight digits).

The submitter work number is the submitting society's work id (its first, when it has several), else
the work id when it fits the 14 characters, else the work cannot be written. Fields the domain does not
model are written with neutral values: distribution category ``UNC``, recorded indicator ``Y`` when a
recording is given (else ``U``), arrangement and lyric adaptation ``UNS`` for a modified work.

A value that does not fit its field raises ``CwrWriteError`` naming it; ``registration_lines`` with
``on_unwritable`` skips such a work instead (and reports it), so the file stays whole and its counts true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from nordclear.repertoire.cwr.envelope import (
    CwrSender,
    group_header_line,
    group_trailer_line,
    header_line,
    trailer_line,
)
from nordclear.repertoire.cwr.fixed import CwrWriteError, FieldValue, record_line
from nordclear.repertoire.cwr.records import CwrVersion
from nordclear.repertoire.cwr.to_domain import PARTY_KEY_SEPARATOR
from nordclear.repertoire.domain.work import (
    InterestedParty,
    Recording,
    Right,
    SocietyWorkId,
    VersionType,
    Work,
)

MAX_PARTY_NUMBER_CHARS: Final = 9
MAX_SUBMITTER_WORK_NUMBER_CHARS: Final = 14
MAX_VER_WRITERS: Final = 2
DISTRIBUTION_CATEGORY: Final = "UNC"
UNSPECIFIED: Final = "UNS"
_MS_PER_SECOND: Final = 1000
_MAX_DURATION_S: Final = 99 * 3600 + 59 * 60 + 59
_MADE_UP_NUMBER_PREFIX: Final = "X"


@dataclass(frozen=True, slots=True)
class WorkToWrite:
    """A work and the recordings to write with it (REC records)."""

    work: Work
    recordings: tuple[Recording, ...] = ()


Values = dict[str, FieldValue]
Unwritable = Callable[[Work, CwrWriteError], None]


def registration_lines(
    works: Iterable[WorkToWrite],
    *,
    sender: CwrSender,
    created_at: datetime,
    version: CwrVersion = CwrVersion.V2_1,
    transaction_type: str = "NWR",
    character_set: str = "UTF-8",
    software_version: str = "",
    on_unwritable: Unwritable | None = None,
) -> Iterator[str]:
    """The lines of a CWR registration file holding ``works``, each with its CR LF.

    ``transaction_type`` is NWR (new registrations) or REV (revisions). ``character_set`` is written in
    the HDR; the default says what ``fixed.write_lines`` writes (UTF-8, of which ASCII is a part). A work
    that cannot be written raises ``CwrWriteError``, or with ``on_unwritable`` is reported to it and left
    out of the file.
    """
    writer = RegistrationFileWriter(
        sender=sender,
        created_at=created_at,
        version=version,
        transaction_type=transaction_type,
        character_set=character_set,
        software_version=software_version,
    )
    yield from writer.begin()
    for entry in works:
        try:
            yield from writer.add(entry)
        except CwrWriteError as error:
            if on_unwritable is None:
                raise
            on_unwritable(entry.work, error)
    yield from writer.end()


class RegistrationFileWriter:
    """Writes a registration file a work at a time, so an export of any size never holds the file whole.

    Call ``begin`` once, ``add`` per work, ``end`` once; each returns the lines to append. A work that
    cannot be written raises ``CwrWriteError`` from ``add`` and leaves the file as it was.
    """

    def __init__(
        self,
        *,
        sender: CwrSender,
        created_at: datetime,
        version: CwrVersion = CwrVersion.V2_1,
        transaction_type: str = "NWR",
        character_set: str = "UTF-8",
        software_version: str = "",
    ) -> None:
        self._sender = sender
        self._created_at = created_at
        self._version = version
        self._transaction_type = transaction_type
        self._character_set = character_set
        self._software_version = software_version
        self.transaction_count = 0
        self.record_count = 0
        self._group_records = 0

    def begin(self) -> list[str]:
        """The HDR line."""
        return self._counted(
            [
                header_line(
                    self._sender,
                    self._created_at,
                    self._version,
                    character_set=self._character_set,
                    software_version=self._software_version,
                )
            ]
        )

    def add(self, entry: WorkToWrite) -> list[str]:
        """The lines of one work's transaction (after the GRH, before the first one)."""
        lines = work_lines(
            entry.work,
            entry.recordings,
            transaction_sequence=self.transaction_count,
            version=self._version,
            transaction_type=self._transaction_type,
        )
        opening = []
        if self.transaction_count == 0:
            opening.append(group_header_line(self._transaction_type, 1, self._version))
            self._group_records = 1
        self.transaction_count += 1
        self._group_records += len(lines)
        return self._counted([*opening, *lines])

    def end(self) -> list[str]:
        """The GRT (when there was a transaction) and the TRL."""
        lines = []
        group_count = 0
        if self.transaction_count:
            self._group_records += 1
            group_count = 1
            lines.append(group_trailer_line(1, self.transaction_count, self._group_records, self._version))
        lines.append(
            trailer_line(group_count, self.transaction_count, self._group_records + 2, self._version)
        )
        return self._counted(lines)

    def _counted(self, lines: list[str]) -> list[str]:
        self.record_count += len(lines)
        return lines


def work_lines(
    work: Work,
    recordings: Sequence[Recording] = (),
    *,
    transaction_sequence: int = 0,
    version: CwrVersion = CwrVersion.V2_1,
    transaction_type: str = "NWR",
) -> list[str]:
    """The records of one work transaction, numbered; raises ``CwrWriteError`` if a value does not fit."""
    records = _WorkRecords(work, recordings, version, transaction_type).records()
    return [
        record_line(
            record_type,
            version,
            {**values, "transaction_sequence": transaction_sequence, "record_sequence": record_sequence},
        )
        for record_sequence, (record_type, values) in enumerate(records)
    ]


def submitter_work_id(work: Work) -> SocietyWorkId | None:
    """The society work id written as the submitter work number: the submitting society's first one."""
    code = work.submitting_society.cisac_code
    return next((work_id for work_id in work.society_work_ids if work_id.society_code == code), None)


def unwritten_fields(
    work: Work, recordings: Sequence[Recording] = (), version: CwrVersion = CwrVersion.V2_1
) -> tuple[str, ...]:
    """The field paths of ``work`` and ``recordings`` whose values a CWR file of ``version`` loses."""
    lost: list[str] = []
    own_id = submitter_work_id(work)
    for index, work_id in enumerate(work.society_work_ids):
        if version is CwrVersion.V2_1 and work_id != own_id:
            lost.append(f"work.society_work_ids[{index}]")
    if work.duration_ms is not None and work.duration_ms % _MS_PER_SECOND:
        lost.append("work.duration_ms")
    if work.original_work is not None and len(work.original_work.writer_names) > MAX_VER_WRITERS:
        lost.append("work.original_work.writer_names")
    for index, party in enumerate(work.parties):
        lost += _unwritten_party_fields(party, f"work.parties[{index}]")
    for index, recording in enumerate(recordings):
        field = f"recordings[{index}]"
        if version is CwrVersion.V2_1 and recording.title != work.title:
            lost.append(f"{field}.title")
        if version is CwrVersion.V2_1 and recording.main_artist:
            lost.append(f"{field}.main_artist")
        if recording.duration_ms is not None and recording.duration_ms % _MS_PER_SECOND:
            lost.append(f"{field}.duration_ms")
    return tuple(lost)


def _unwritten_party_fields(party: InterestedParty, field: str) -> list[str]:
    lost = []
    number = party.party_key.partition(PARTY_KEY_SEPARATOR)[0]
    if not _fits_party_number(number) and (party.controlled or number):
        lost.append(f"{field}.party_key")
    if party.mandates:
        lost.append(f"{field}.mandates")
    if party.collection_shares and not party.controlled:
        lost.append(f"{field}.collection_shares")
    if any(entry.valid_from or entry.valid_until for entry in party.collection_shares):
        lost.append(f"{field}.collection_shares.valid_from/valid_until")
    if party.publisher_party_keys and not (party.controlled and party.role.is_writer):
        lost.append(f"{field}.publisher_party_keys")
    shares = [
        *party.ownership_shares,
        *(share for entry in party.collection_shares for share in entry.shares),
    ]
    if any(share.share_bp == 0 for share in shares):
        lost.append(f"{field}: shares of 0 bp")
    return lost


class _WorkRecords:
    """The (record type, values) of one work transaction, in CWR order."""

    def __init__(self, work: Work, recordings: Sequence[Recording], version: CwrVersion, kind: str) -> None:
        self.work = work
        self.recordings = recordings
        self.version = version
        self.kind = kind
        self.numbers = _party_numbers(work.parties)
        self.publishers = {party.party_key: party for party in work.parties if party.role.is_publisher}

    def records(self) -> list[tuple[str, Values]]:
        work = self.work
        out: list[tuple[str, Values]] = [(self.kind, self._work())]
        publishers = [party for party in work.parties if party.role.is_publisher]
        writers = [party for party in work.parties if party.role.is_writer]
        for party in (*[p for p in publishers if p.controlled], *[p for p in publishers if not p.controlled]):
            out += self._publisher(party)
        for party in (*[p for p in writers if p.controlled], *[p for p in writers if not p.controlled]):
            out += self._writer(party)
        out += [
            (
                "ALT",
                {
                    "title": title.title,
                    "title_type": title.title_type.value,
                    "language_code": title.language_code,
                },
            )
            for title in work.alternate_titles
        ]
        if work.original_work is not None:
            out.append(("VER", self._original_work()))
        out += [
            (
                "PER",
                {
                    "last_name": artist.name,
                    "first_name": artist.first_name,
                    "ipi_name_number": artist.ipi_name_number,
                },
            )
            for artist in work.performing_artists
        ]
        out += [("REC", self._recording(recording)) for recording in self.recordings]
        if self.version is CwrVersion.V2_2:
            own_id = submitter_work_id(work)
            out += [
                (
                    "XRF",
                    {
                        "organisation_code": work_id.society_code,
                        "identifier": work_id.work_code,
                        "identifier_type": "W",
                        "validity": "Y",
                    },
                )
                for work_id in work.society_work_ids
                if work_id != own_id
            ]
        return out

    def _work(self) -> Values:
        work = self.work
        modified = work.version_type is VersionType.MODIFIED
        return {
            "title": work.title,
            "language_code": work.language_code,
            "submitter_work_number": self._submitter_work_number(),
            "iswc": work.iswc,
            "copyright_date": 0,
            "musical_work_distribution_category": DISTRIBUTION_CATEGORY,
            "duration": _hhmmss(work.duration_ms, "work.duration_ms"),
            "recorded_indicator": "Y" if self.recordings else "U",
            "version_type": work.version_type.value,
            "music_arrangement": UNSPECIFIED if modified else None,
            "lyric_adaptation": UNSPECIFIED if modified else None,
            "composite_component_count": 0,
            "printed_edition_publication_date": 0,
        }

    def _submitter_work_number(self) -> str:
        own_id = submitter_work_id(self.work)
        if own_id is not None:
            return own_id.work_code
        if self.work.work_id and len(self.work.work_id) <= MAX_SUBMITTER_WORK_NUMBER_CHARS:
            return self.work.work_id
        rule = (
            f"the submitter work number is the work id of the submitting society "
            f"({self.work.submitting_society.cisac_code}), or the work id if it has at most "
            f"{MAX_SUBMITTER_WORK_NUMBER_CHARS} characters; this work has neither"
        )
        raise CwrWriteError("work.society_work_ids", list(self.work.society_work_ids), rule)

    def _shares(self, party: InterestedParty) -> Values:
        societies = {affiliation.right: affiliation.society_code for affiliation in party.affiliations}
        values: Values = {}
        for right in Right:
            prefix = right.value.lower()
            values[f"{prefix}_society"] = societies.get(right)
            values[f"{prefix}_share"] = party.ownership_bp(right)
        return values

    def _publisher(self, party: InterestedParty) -> list[tuple[str, Values]]:
        number = self.numbers[party.party_key]
        record: Values = {
            "publisher_sequence": party.chain_sequence,
            "interested_party_number": number,
            "name": party.name,
            "unknown_indicator": "Y" if not party.controlled and not party.name else None,
            "publisher_type": party.role.code.value,
            "ipi_name_number": party.ipi_name_number,
            "ipi_base_number": party.ipi_base_number,
            **self._shares(party),
        }
        out = [("SPU" if party.controlled else "OPU", record)]
        if party.non_roman_name:
            out.append(
                (
                    "NPN",
                    {
                        "publisher_sequence": party.chain_sequence,
                        "interested_party_number": number,
                        "name": party.non_roman_name,
                    },
                )
            )
        if party.controlled:
            out += [("SPT", values) for values in self._territories(party, number)]
        return out

    def _writer(self, party: InterestedParty) -> list[tuple[str, Values]]:
        number = self.numbers[party.party_key]
        record: Values = {
            "interested_party_number": number,
            "last_name": party.name,
            "first_name": party.first_name,
            "unknown_indicator": "Y" if not party.controlled and not party.name else None,
            "designation": party.role.code.value,
            "ipi_name_number": party.ipi_name_number,
            "ipi_base_number": party.ipi_base_number,
            **self._shares(party),
        }
        out = [("SWR" if party.controlled else "OWR", record)]
        if party.non_roman_name:
            last_name, first_name = _split_name(party.non_roman_name)
            out.append(
                ("NWN", {"interested_party_number": number, "last_name": last_name, "first_name": first_name})
            )
        if party.controlled:
            out += [("SWT", values) for values in self._territories(party, number)]
            out += [("PWR", self._publisher_link(key, number)) for key in party.publisher_party_keys]
        return out

    def _territories(self, party: InterestedParty, number: str) -> list[Values]:
        return [
            {
                "interested_party_number": number,
                "pr_collection_share": entry.share_bp(Right.PERFORMING),
                "mr_collection_share": entry.share_bp(Right.MECHANICAL),
                "sr_collection_share": entry.share_bp(Right.SYNCHRONISATION),
                "inclusion_indicator": entry.inclusion.value,
                "tis_code": entry.tis_code,
                "sequence": entry.sequence_number,
            }
            for entry in party.collection_shares
        ]

    def _publisher_link(self, publisher_key: str, writer_number: str) -> Values:
        publisher = self.publishers.get(publisher_key)
        values: Values = {
            "publisher_ip_number": self.numbers.get(
                publisher_key, publisher_key.partition(PARTY_KEY_SEPARATOR)[0]
            ),
            "publisher_name": publisher.name if publisher is not None else "",
            "writer_ip_number": writer_number,
        }
        if self.version is CwrVersion.V2_2 and publisher is not None:
            values["publisher_sequence"] = publisher.chain_sequence
        return values

    def _original_work(self) -> Values:
        original = self.work.original_work
        assert original is not None
        values: Values = {"title": original.title, "iswc": original.iswc}
        for position, name in enumerate(original.writer_names[:MAX_VER_WRITERS], start=1):
            last_name, first_name = _split_name(name)
            values[f"writer_{position}_last_name"] = last_name
            values[f"writer_{position}_first_name"] = first_name
        return values

    def _recording(self, recording: Recording) -> Values:
        values: Values = {
            "first_release_date": recording.release_date or 0,
            "first_release_duration": _hhmmss(recording.duration_ms, "recording.duration_ms"),
            "isrc": recording.isrc,
        }
        if self.version is CwrVersion.V2_2:
            values |= {
                "recording_title": recording.title,
                "display_artist": recording.main_artist,
                "record_label": recording.label,
                "submitter_recording_identifier": recording.recording_id
                if len(recording.recording_id) <= MAX_SUBMITTER_WORK_NUMBER_CHARS
                else None,
            }
        else:
            values["first_album_label"] = recording.label
        return values


def _party_numbers(parties: Sequence[InterestedParty]) -> dict[str, str]:
    """The CWR interested party number of each party key: the key up to ``~``, or one made up."""
    numbers: dict[str, str] = {}
    taken = {
        base
        for party in parties
        if _fits_party_number(base := party.party_key.partition(PARTY_KEY_SEPARATOR)[0])
    }
    made_up = 0
    for party in parties:
        base = party.party_key.partition(PARTY_KEY_SEPARATOR)[0]
        # An unknown party of someone else's (OPU/OWR) may have no number; a controlled one must.
        if _fits_party_number(base) or (not base and not party.controlled):
            numbers[party.party_key] = base
            continue
        made_up += 1
        while f"{_MADE_UP_NUMBER_PREFIX}{made_up:08d}" in taken:
            made_up += 1
        numbers[party.party_key] = f"{_MADE_UP_NUMBER_PREFIX}{made_up:08d}"
    return numbers


def _fits_party_number(number: str) -> bool:
    return (
        0 < len(number) <= MAX_PARTY_NUMBER_CHARS
        and number.isascii()
        and number.isprintable()
        and number == number.strip()
    )


def _split_name(name: str) -> tuple[str, str]:
    """``"LAST, FIRST"`` → ``("LAST", "FIRST")``, the inverse of ``to_domain``'s joining."""
    last_name, _, first_name = name.partition(", ")
    return last_name, first_name


def _hhmmss(duration_ms: int | None, field: str) -> str:
    if duration_ms is None:
        return "000000"
    seconds = duration_ms // _MS_PER_SECOND
    if not 0 <= seconds <= _MAX_DURATION_S:
        raise CwrWriteError(field, duration_ms, "a CWR duration is HHMMSS, at most 99:59:59")
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}{minutes:02d}{seconds:02d}"
