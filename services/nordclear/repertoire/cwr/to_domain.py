"""From a CWR work transaction to the repertoire's domain values: a ``Work`` draft, its recordings, problems.

``work_from_transaction`` takes one ``Transaction`` as ``read_cwr`` yields it and the member society that
imports the file, and returns an ``ImportedWork``: the work in the normal form of
``nordclear.repertoire.domain.rules``, the recordings named by its REC records, and every problem of the
transaction, so the acknowledgement can explain each one. Nothing here reads files or stores anything.

Transaction types:

- NWR, REV and ISW are turned into a work the same way. The caller decides what a REV replaces; an ISW (a
  society's ISWC notification) carries the whole work with its ISWC, so it is read as that work.
- EXC reports an existing work that conflicts with a registration. It registers nothing: the work is
  converted (so a person can see it) but a TR problem rejects it from storage.
- An ACK that carries the acknowledged work (the NWR/REV and its records after the MSG records) is
  converted from that work. Any other transaction (an ACK without a work, an AGR) raises ``ValueError``.

Mapping (record → domain):

| CWR                                   | domain                                                       |
| ------------------------------------- | ------------------------------------------------------------ |
| NWR title, ISWC, language, duration   | ``Work.title``, ``iswc``, ``language_code``, ``duration_ms``   |
| NWR version type ORI / MOD            | ``VersionType.ORIGINAL`` / ``MODIFIED``                        |
| NWR submitter work number             | ``SocietyWorkId`` of the importing society                   |
| XRF (CWR 2.2) of type W, not marked N | ``SocietyWorkId(organisation code, identifier)``             |
| VER                                   | ``OriginalWork``: title, ISWC, writers as ``"LAST, FIRST"``   |
| ALT; NAT that fits an ALT (≤ 60)      | ``AlternateTitle``                                           |
| PER                                   | ``PerformingArtist``                                         |
| SPU / OPU                             | publisher, ``controlled`` True / False; ``chain_sequence`` is  |
|                                       | the publisher sequence, i.e. the chain number (1 for the     |
|                                       | first original publisher and every AM/SE in its chain)       |
| SWR / OWR                             | writer, ``controlled`` True / False                           |
| PR/MR/SR society and share            | ``Affiliation`` per society given; ``RightShare`` per share  |
|                                       | above 0                                                      |
| SPT / SWT                             | ``CollectionShare``: TIS code, I/E, shares above 0, sequence |
| PWR                                   | the writer's ``publisher_party_keys``                        |
| NPN / NWN                             | the party's ``non_roman_name`` (NWN as ``"LAST, FIRST"``)     |
| REC                                   | ``Recording``: ISRC, title (2.2 recording title, else the    |
|                                       | work's), main artist (2.2 display artist), duration, release |
|                                       | date, label (2.2 record label, else first album label)       |

Party keys are the interested party numbers. CWR repeats a number when one publisher sits in two chains
(the same sub-publisher under two original publishers), and leaves it blank for unknown parties, while
a key is unique within a work; so the n-th repeat of number N gets the key ``N~n`` (n from 2) and the
n-th party without a number ``~n``. ``writer`` writes the part before ``~`` back as the number. A PWR
names its publisher by number: the one in the chain it names (CWR 2.2), else the first with the number.

Not kept, and reported as RR problems (the record is left out, the work stands): ORN, NPR, NOW, NPA,
records the reader keeps unmodelled (EWT, COM, INS, IND, ARI, ...), XRF that are not a valid work
identifier of a CISAC society, a NAT title that does not fit an ALT, an NPN/NWN naming no party of the
work, a second VER, a REC holding nothing the repertoire models, and an OPU/OWR without a publisher type
or writer designation that owns nothing (one that owns a share is a TR problem: its share cannot be
placed). Bookkeeping fields are dropped without a problem, because they describe the registration rather
than the work: distribution category, copyright date and number, recorded indicator, text-music
relationship, composite, excerpt, arrangement and adaptation codes, contact, work type, grand rights,
opus and catalogue numbers, priority; tax ids, agreement numbers and flags of parties; the shares-change
flag of SPT/SWT; IPI base numbers of PER and VER writers; REC album, catalogue number, EAN and format.

The work is then put through ``normalised_work`` (and each recording through ``normalised_recording``);
every rule broken becomes a TR problem on the record it concerns (the SPU/SWR of a party, the SPT/SWT of a
collection share, the ALT, PER, VER, XRF or REC), its rule text ending with the rule code in brackets,
for example ``[SHARE_TOTAL]``. A share rule the reader already reported for the transaction (ownership
totals, the publisher PR cap, zero-ownership publishers, the original writer, collection totals) is not
reported twice. Conversion problems end with an ``ImportRule`` code the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from nordclear.platform.domain.societies import Society, cisac_society
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.cwr.items import Transaction
from nordclear.repertoire.cwr.problems import CwrProblem, Level, problem
from nordclear.repertoire.cwr.records import (
    Acknowledgement,
    AlternateTitle,
    CrossReference,
    DetailRecord,
    NonRomanPublisherName,
    NonRomanTitle,
    NonRomanWriterName,
    OriginalWork,
    PerformingArtist,
    PublisherForWriter,
    PublisherRecord,
    PublisherTerritory,
    Recording,
    WorkRecord,
    WriterRecord,
    WriterTerritory,
)
from nordclear.repertoire.domain import work as domain
from nordclear.repertoire.domain.rules import RuleCode, Violation, normalised_recording, normalised_work

PARTY_KEY_SEPARATOR: Final = "~"
"""Separates the CWR interested party number from the repeat count in a party key (``N~2``)."""

MAX_ALTERNATE_TITLE_CHARS: Final = 60

_TITLE_TYPES: Final = frozenset(title_type.value for title_type in domain.TitleType)

_Source = tuple[int, str]
"""(record number, record type) of the record a value came from."""


class ImportRule(StrEnum):
    """Stable names of the conversion's own rules (the domain's are ``rules.RuleCode``)."""

    NOT_MODELLED = "NOT_MODELLED"
    """A record the repertoire does not keep (RR)."""
    NOT_A_REGISTRATION = "NOT_A_REGISTRATION"
    """EXC: reports a conflicting work, registers nothing (TR)."""
    ROLE_MISSING = "ROLE_MISSING"
    """An OPU/OWR without publisher type or writer designation (RR when it owns nothing, else TR)."""
    NO_SUCH_PARTY = "NO_SUCH_PARTY"
    """An NPN/NWN whose interested party number names no party of the work (RR)."""
    SECOND_ORIGINAL_WORK = "SECOND_ORIGINAL_WORK"
    """A VER after the first: a work is a version of one work (RR)."""
    EMPTY_RECORDING = "EMPTY_RECORDING"
    """A REC with no ISRC, date, duration, label, title or artist (RR)."""
    CROSS_REFERENCE = "CROSS_REFERENCE"
    """An XRF that is not a valid work identifier of a CISAC society (RR)."""


# The reader's share checks (``validation.check_shares``) and the domain rules that repeat them: the reader
# rejected the transaction for these already, and the same rule twice in the ACK would only confuse.
_READER_REPORTED: Final[dict[RuleCode, Callable[[CwrProblem], bool]]] = {
    RuleCode.SHARE_TOTAL: lambda p: (
        p.field in ("pr_ownership_total", "mr_ownership_total", "sr_ownership_total")
    ),
    RuleCode.PUBLISHER_PR_CAP: lambda p: p.field == "publisher_pr_ownership_total",
    RuleCode.ZERO_OWNERSHIP: lambda p: "(SE, AM, PA, ES) owns no share" in p.rule,
    RuleCode.ORIGINAL_WRITER: lambda p: p.field == "writer designations",
    RuleCode.COLLECTION_TOTAL: lambda p: "_collection_total in TIS" in p.field,
}


@dataclass(frozen=True, slots=True)
class ImportedWork:
    """One work transaction in domain form, with every problem found on the way.

    ``work`` is in the normal form of ``rules.normalised_work`` (as far as it could be normalised) and
    has no ``work_id`` yet. ``recordings`` have no ``recording_id`` and no ``work_ids``: the caller links
    them once the work is stored. ``problems`` holds the reader's problems of the transaction, then the
    conversion's, then the domain rules', in that order. ``transaction_type`` is the transaction's (ACK
    for a work carried by an acknowledgement).
    """

    group_id: int
    transaction_sequence: int | None
    transaction_type: str
    submitter_work_number: str
    work: domain.Work
    recordings: tuple[domain.Recording, ...]
    problems: tuple[CwrProblem, ...]

    @property
    def rejected(self) -> bool:
        """Whether a problem rejects the transaction (TR or worse): the work must not be stored."""
        return any(item.severity.rejects_transaction for item in self.problems)

    @property
    def changed(self) -> bool:
        """Whether a field was cleared (FR) or a record left out (RR): stored, but not as sent."""
        return any(item.severity in (Level.FIELD, Level.RECORD) for item in self.problems)


def work_from_transaction(transaction: Transaction, submitting_society: Society) -> ImportedWork:
    """The work, recordings and problems of one NWR/REV/ISW/EXC transaction (or an ACK carrying a work).

    ``submitting_society`` is the member society importing the file: the work's ``submitting_society``,
    and the society whose work id the submitter work number becomes.
    """
    header, records = _work_records(transaction)
    builder = _Builder(header, submitting_society, transaction.problems)
    for record in records:
        builder.add(record)
    return builder.finish(transaction)


def _work_records(transaction: Transaction) -> tuple[WorkRecord, Sequence[DetailRecord]]:
    if isinstance(transaction.header, WorkRecord):
        return transaction.header, transaction.records
    if isinstance(transaction.header, Acknowledgement):
        for index, record in enumerate(transaction.records):
            if isinstance(record, WorkRecord):
                return record, transaction.records[index + 1 :]
    raise ValueError(
        f"the {transaction.transaction_type} transaction at record {transaction.header.record_number} "
        "carries no work (NWR, REV, ISW or EXC)"
    )


@dataclass(slots=True)
class _Party:
    """A party being built, with the records its parts came from (for placing rule violations)."""

    record: PublisherRecord | WriterRecord
    key: str
    role: domain.PartyRole
    collection: list[domain.CollectionShare] = field(default_factory=list)
    collection_records: list[int] = field(default_factory=list)
    publisher_keys: list[str] = field(default_factory=list)
    non_roman_name: str = ""

    def built(self) -> domain.InterestedParty:
        record = self.record
        return domain.InterestedParty(
            party_key=self.key,
            role=self.role,
            name=record.last_name if isinstance(record, WriterRecord) else record.name,
            first_name=record.first_name if isinstance(record, WriterRecord) else "",
            non_roman_name=self.non_roman_name,
            ipi_name_number=record.ipi_name_number,
            ipi_base_number=record.ipi_base_number,
            controlled=record.controlled,
            affiliations=tuple(
                domain.Affiliation(right, society)
                for right, society in zip(
                    domain.Right, (record.pr_society, record.mr_society, record.sr_society), strict=True
                )
                if society is not None
            ),
            ownership_shares=_right_shares(record.pr_share_bp, record.mr_share_bp, record.sr_share_bp),
            collection_shares=tuple(self.collection),
            publisher_party_keys=tuple(self.publisher_keys),
            chain_sequence=(record.publisher_sequence or 0) if isinstance(record, PublisherRecord) else 0,
        )


class _Builder:
    """Follows the records of one work transaction in order and collects the domain values."""

    def __init__(self, header: WorkRecord, society: Society, reader_problems: Sequence[CwrProblem]) -> None:
        self.header = header
        self.society = society
        self.reader_problems = reader_problems
        self.problems: list[CwrProblem] = []
        self.parties: list[_Party] = []
        self.current: _Party | None = None
        self.key_counts: dict[str, int] = {}
        self.alternate_titles: list[tuple[domain.AlternateTitle, _Source]] = []
        self.artists: list[tuple[domain.PerformingArtist, _Source]] = []
        self.original: tuple[domain.OriginalWork, int] | None = None
        self.work_ids: list[tuple[domain.SocietyWorkId, _Source]] = []
        if header.submitter_work_number:
            work_id = domain.SocietyWorkId(society.cisac_code, header.submitter_work_number)
            self.work_ids.append((work_id, _source(header)))
        self.recordings: list[tuple[domain.Recording, int]] = []

    def add(self, record: DetailRecord) -> None:
        if isinstance(record, PublisherRecord | WriterRecord):
            self._party(record)
        elif isinstance(record, PublisherTerritory | WriterTerritory):
            self._territory(record)
        elif isinstance(record, PublisherForWriter):
            self._publisher_link(record)
        elif isinstance(record, AlternateTitle):
            title = domain.AlternateTitle(
                record.title, domain.TitleType(record.title_type), record.language_code or None
            )
            self.alternate_titles.append((title, _source(record)))
        elif isinstance(record, NonRomanTitle):
            self._non_roman_title(record)
        elif isinstance(record, NonRomanPublisherName | NonRomanWriterName):
            self._non_roman_name(record)
        elif isinstance(record, PerformingArtist):
            artist = domain.PerformingArtist(record.last_name, record.first_name, record.ipi_name_number)
            self.artists.append((artist, _source(record)))
        elif isinstance(record, OriginalWork):
            self._original_work(record)
        elif isinstance(record, CrossReference):
            self._cross_reference(record)
        elif isinstance(record, Recording):
            self._recording(record)
        else:
            self._not_kept(record, "the repertoire does not model this record")

    # Parties

    def _party(self, record: PublisherRecord | WriterRecord) -> None:
        role = _role(record)
        self.current = None
        if role is None:
            self._party_without_role(record)
            return
        party = _Party(record, self._key(record.interested_party_number), role)
        self.parties.append(party)
        self.current = party

    def _key(self, number: str) -> str:
        count = self.key_counts.get(number, 0) + 1
        self.key_counts[number] = count
        return number if number and count == 1 else f"{number}{PARTY_KEY_SEPARATOR}{count}"

    def _party_without_role(self, record: PublisherRecord | WriterRecord) -> None:
        code_field = "designation" if isinstance(record, WriterRecord) else "publisher_type"
        if any(
            p.record_number == record.record_number and p.field == code_field for p in self.reader_problems
        ):
            return  # the reader reported the missing or invalid code already
        what = "writer designation" if isinstance(record, WriterRecord) else "publisher type"
        owns = record.pr_share_bp or record.mr_share_bp or record.sr_share_bp
        if owns:
            rule = f"a party that owns a share needs a {what}; without it the share cannot be placed"
            self._report(record, code_field, "", rule, Level.TRANSACTION, ImportRule.ROLE_MISSING)
        else:
            rule = f"a party without a {what} is not kept (it owns no share, so no share is lost)"
            self._report(record, code_field, "", rule, Level.RECORD, ImportRule.ROLE_MISSING)

    def _territory(self, record: PublisherTerritory | WriterTerritory) -> None:
        party = self.current
        # The reader left out territory records that do not follow their party (RR); one whose party was
        # not kept goes with it, and one with an unreadable code or indicator was rejected (TR) already.
        if party is None or record.tis_code is None or record.inclusion_indicator not in ("I", "E"):
            return
        entry = domain.CollectionShare(
            tis_code=record.tis_code,
            inclusion=domain.Inclusion(record.inclusion_indicator),
            shares=_right_shares(
                record.pr_collection_share_bp, record.mr_collection_share_bp, record.sr_collection_share_bp
            ),
            sequence_number=record.sequence or len(party.collection) + 1,
        )
        party.collection.append(entry)
        party.collection_records.append(record.record_number)

    def _publisher_link(self, record: PublisherForWriter) -> None:
        writer = self.current
        if writer is None or not writer.role.is_writer:
            return
        candidates = [
            party
            for party in self.parties
            if party.role.is_publisher and party.record.interested_party_number == record.publisher_ip_number
        ]
        chained = [
            party
            for party in candidates
            if isinstance(party.record, PublisherRecord)
            and party.record.publisher_sequence == record.publisher_sequence
        ]
        chosen = chained or candidates
        # A link to no publisher is kept as written: the domain rule PUBLISHER_LINK then names it.
        writer.publisher_keys.append(chosen[0].key if chosen else record.publisher_ip_number)

    def _non_roman_name(self, record: NonRomanPublisherName | NonRomanWriterName) -> None:
        wants_writer = isinstance(record, NonRomanWriterName)
        matches = [
            party
            for party in self.parties
            if party.role.is_writer == wants_writer
            and party.record.interested_party_number == record.interested_party_number
        ]
        party = self.current if self.current in matches else next(iter(matches), None)
        if party is None:
            rule = f"names no {'writer' if wants_writer else 'publisher'} of the work; the name is not kept"
            self._report(
                record,
                "interested_party_number",
                record.interested_party_number,
                rule,
                Level.RECORD,
                ImportRule.NO_SUCH_PARTY,
            )
            return
        if isinstance(record, NonRomanWriterName):
            party.non_roman_name = _person_name(record.last_name, record.first_name)
        else:
            party.non_roman_name = record.name

    # Titles, artists, the original work, identifiers, recordings

    def _non_roman_title(self, record: NonRomanTitle) -> None:
        if record.title_type not in _TITLE_TYPES or len(record.title) > MAX_ALTERNATE_TITLE_CHARS:
            rule = (
                f"a non-Roman title is kept as an alternate title when it has a title type and at most "
                f"{MAX_ALTERNATE_TITLE_CHARS} characters"
            )
            self._report(record, "title", record.title, rule, Level.RECORD, ImportRule.NOT_MODELLED)
            return
        title = domain.AlternateTitle(
            record.title, domain.TitleType(record.title_type), record.language_code or None
        )
        self.alternate_titles.append((title, _source(record)))

    def _original_work(self, record: OriginalWork) -> None:
        if self.original is not None:
            rule = "a work is a version of one original work; only the first VER is kept"
            self._report(record, "title", record.title, rule, Level.RECORD, ImportRule.SECOND_ORIGINAL_WORK)
            return
        names = (
            _person_name(record.writer_1_last_name, record.writer_1_first_name),
            _person_name(record.writer_2_last_name, record.writer_2_first_name),
        )
        original = domain.OriginalWork(record.title, record.iswc, tuple(name for name in names if name))
        self.original = (original, record.record_number)

    def _cross_reference(self, record: CrossReference) -> None:
        if record.identifier_type not in ("W", ""):
            rule = "only work identifiers (type W) are kept; recording, product and video ones are not"
            self._report(
                record,
                "identifier_type",
                record.identifier_type,
                rule,
                Level.RECORD,
                ImportRule.CROSS_REFERENCE,
            )
            return
        if record.validity == "N":
            rule = "the sender marks this identifier as not valid, so it is not kept"
            self._report(record, "validity", "N", rule, Level.RECORD, ImportRule.CROSS_REFERENCE)
            return
        try:
            code = cisac_society(record.organisation_code, "organisation_code").cisac_code
        except InvalidArgument as error:
            rule = f"society work ids are kept for CISAC societies only: {error.rule}"
            self._report(
                record,
                "organisation_code",
                record.organisation_code,
                rule,
                Level.RECORD,
                ImportRule.CROSS_REFERENCE,
            )
            return
        work_id = domain.SocietyWorkId(code, record.identifier)
        if all(work_id != known for known, _ in self.work_ids):  # the submitter's own number, repeated
            self.work_ids.append((work_id, _source(record)))

    def _recording(self, record: Recording) -> None:
        label = record.record_label or record.first_album_label
        if not (
            record.isrc
            or record.first_release_date
            or record.first_release_duration_s
            or label
            or record.recording_title
            or record.display_artist
        ):
            rule = "holds no ISRC, release date, duration, label, title or artist, so no recording is made"
            self._report(record, "isrc", "", rule, Level.RECORD, ImportRule.EMPTY_RECORDING)
            return
        duration_s = record.first_release_duration_s
        recording = domain.Recording(
            recording_id="",
            title=record.recording_title or self.header.title,
            isrc=record.isrc,
            main_artist=record.display_artist,
            duration_ms=None if duration_s is None else duration_s * 1000,
            label=label,
            release_date=record.first_release_date,
            submitting_society=self.society,
        )
        self.recordings.append((recording, record.record_number))

    def _not_kept(self, record: DetailRecord, rule: str) -> None:
        self._report(record, "record_type", record.record_type, rule, Level.RECORD, ImportRule.NOT_MODELLED)

    def _report(
        self, record: DetailRecord, field_name: str, value: str, rule: str, level: Level, code: ImportRule
    ) -> None:
        self.problems.append(
            problem(record.record_number, record.record_type, field_name, value, f"{rule} [{code}]", level)
        )

    # The result

    def finish(self, transaction: Transaction) -> ImportedWork:
        header = self.header
        if header.record_type == "EXC":
            rule = "an EXC reports an existing work in conflict; it registers nothing, so nothing is stored"
            self.problems.append(
                problem(
                    header.record_number,
                    "EXC",
                    "record_type",
                    "EXC",
                    f"{rule} [{ImportRule.NOT_A_REGISTRATION}]",
                    Level.TRANSACTION,
                )
            )
        draft = domain.Work(
            work_id="",
            title=header.title,
            submitting_society=self.society,
            parties=tuple(party.built() for party in self.parties),
            iswc=header.iswc,
            alternate_titles=tuple(title for title, _ in self.alternate_titles),
            language_code=header.language_code or None,
            version_type=domain.VersionType.MODIFIED
            if header.version_type == "MOD"
            else domain.VersionType.ORIGINAL,
            original_work=self.original[0] if self.original is not None else None,
            society_work_ids=tuple(work_id for work_id, _ in self.work_ids),
            performing_artists=tuple(artist for artist, _ in self.artists),
            duration_ms=None if header.duration_s is None else header.duration_s * 1000,
        )
        work, violations = normalised_work(draft)
        reader_problems = self.reader_problems
        rule_problems = [
            self._violation_problem(violation)
            for violation in violations
            if not _reported_by_reader(violation.code, reader_problems)
        ]
        recordings = []
        for recording, record_number in self.recordings:
            normal, recording_violations = normalised_recording(recording)
            recordings.append(normal)
            rule_problems += [
                _rule_problem(record_number, "REC", violation) for violation in recording_violations
            ]
        return ImportedWork(
            group_id=transaction.group_id,
            transaction_sequence=header.transaction_sequence,
            transaction_type=transaction.transaction_type,
            submitter_work_number=header.submitter_work_number,
            work=work,
            recordings=tuple(recordings),
            problems=(*reader_problems, *self.problems, *rule_problems),
        )

    def _violation_problem(self, violation: Violation) -> CwrProblem:
        record_number, record_type = self._record_of(violation.field)
        return _rule_problem(record_number, record_type, violation)

    def _record_of(self, path: str) -> _Source:
        """The record a domain field path such as ``work.parties[2].collection_shares[0]`` came from."""
        header = (self.header.record_number, self.header.record_type)
        parts = path.split(".")
        if len(parts) < 2:  # "work" and one field at least
            return header
        name, index = _indexed(parts[1])
        if name == "parties" and index is not None and index < len(self.parties):
            party = self.parties[index]
            if len(parts) > 2:
                sub_name, sub_index = _indexed(parts[2])
                if (
                    sub_name == "collection_shares"
                    and sub_index is not None
                    and sub_index < len(party.collection_records)
                ):
                    territory_type = "SPT" if party.role.is_publisher else "SWT"
                    return party.collection_records[sub_index], territory_type
            return party.record.record_number, party.record.record_type
        listed: dict[str, Sequence[tuple[object, _Source]]] = {
            "alternate_titles": self.alternate_titles,
            "performing_artists": self.artists,
            "society_work_ids": self.work_ids,
        }
        if name in listed and index is not None and index < len(listed[name]):
            return listed[name][index][1]
        if name == "original_work" and self.original is not None:
            return self.original[1], "VER"
        return header


def _source(record: WorkRecord | DetailRecord) -> _Source:
    return record.record_number, record.record_type


def _indexed(part: str) -> tuple[str, int | None]:
    """``"parties[2]"`` → ``("parties", 2)``; ``"title"`` → ``("title", None)``."""
    name, bracket, rest = part.partition("[")
    if not bracket:
        return name, None
    digits = rest.split("]", 1)[0]
    return name, int(digits) if digits.isdigit() else None


def _rule_problem(record_number: int, record_type: str, violation: Violation) -> CwrProblem:
    return problem(
        record_number,
        record_type,
        violation.field,
        str(violation.value),
        f"{violation.rule} [{violation.code}]",
        Level.TRANSACTION,
    )


def _reported_by_reader(code: RuleCode, reader_problems: Sequence[CwrProblem]) -> bool:
    matches = _READER_REPORTED.get(code)
    return matches is not None and any(
        item.severity is Level.TRANSACTION and matches(item) for item in reader_problems
    )


def _role(record: PublisherRecord | WriterRecord) -> domain.PartyRole | None:
    if isinstance(record, WriterRecord):
        if not record.designation:
            return None
        return domain.PartyRole.writer(domain.WriterRole(record.designation))
    if not record.publisher_type:
        return None
    return domain.PartyRole.publisher(domain.PublisherType(record.publisher_type))


def _right_shares(pr_bp: int, mr_bp: int, sr_bp: int) -> tuple[domain.RightShare, ...]:
    return tuple(
        domain.RightShare(right, share_bp)
        for right, share_bp in zip(domain.Right, (pr_bp, mr_bp, sr_bp), strict=True)
        if share_bp
    )


def _person_name(last_name: str, first_name: str) -> str:
    """``"LAST, FIRST"``, or whichever of the two is given."""
    return ", ".join(part for part in (last_name, first_name) if part)
