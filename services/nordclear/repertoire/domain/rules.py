"""The rules every write of a work or recording must pass, reported all at once (BRIEF §3.3).

A society fixing a rejected registration needs every problem in one answer, not one per round trip, so
the checks collect ``Violation`` values instead of stopping at the first. ``validated_work`` returns the
work with its identifiers and texts in normal form, or raises ``RuleViolations`` carrying them all; a
work that breaks any rule is refused whole, never stored in part.

Share rules (CWR 2.1 §4.5.5), all in basis points (bp, 10000 = 100 %):

| rule                 | what                                                                        |
| -------------------- | --------------------------------------------------------------------------- |
| SHARE_RANGE          | every ownership and collection share is 0-10000 bp, each right listed once   |
| SHARE_TOTAL          | per right the ownership shares total 0 or 10000 bp, within ±6 bp (±0.06 %)   |
| PUBLISHER_PR_CAP     | the publishers together own at most 5000 bp of PR                            |
| ZERO_OWNERSHIP       | publishers of type SE, AM, PA and ES own nothing                             |
| ORIGINAL_WRITER      | at least one writer is CA, A or C                                            |
| COLLECTION_TOTAL     | per right, licence territory and day, collection shares total ≤ 10000 bp    |
| MANDATE_CONFLICT     | a party's share of a right in a territory has one administering society     |

The publisher cap has no tolerance: a cap is a limit, not a sum that rounding makes miss its target,
and three publishers splitting 50 % write 1667 + 1667 + 1666.

Collection shares and mandates can carry validity dates, so their totals and conflicts are checked on
every day on which the set of entries in force changes (each start, and the day after each end): between
two such days nothing changes, so this is exact without walking the calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final, TypeVar

from nordclear.platform.domain._display import shown
from nordclear.platform.domain.identifiers import (
    normalise_ipi_base_number,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
)
from nordclear.platform.domain.societies import cisac_society
from nordclear.platform.domain.territories import (
    Territory,
    parse_tis_code,
    resolve_tis_entries,
    territories_covered_by,
)
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.work import (
    ORIGINAL_CREATOR_ROLES,
    ZERO_OWNERSHIP_PUBLISHER_TYPES,
    Affiliation,
    AlternateTitle,
    CollectionShare,
    Inclusion,
    InterestedParty,
    Mandate,
    OriginalWork,
    PerformingArtist,
    Recording,
    Right,
    RightShare,
    SocietyWorkId,
    VersionType,
    Work,
)

FULL_SHARE_BP: Final = 10000
"""100 %."""
SHARE_TOLERANCE_BP: Final = 6
"""CWR's ±0.06 % tolerance on ownership totals, which absorbs thirds rounded to two decimals."""
PUBLISHER_PR_CAP_BP: Final = 5000
"""Publishers own at most half of the performing right; the other half is the writers' by rule."""
MAX_TITLE_CHARS: Final = 60
"""CWR's title field width; a longer title could not be exported to the societies' systems."""
MAX_NAME_CHARS: Final = 45
"""CWR last name / publisher name width."""
MAX_FIRST_NAME_CHARS: Final = 30
"""CWR writer first name width."""
MAX_WORK_CODE_CHARS: Final = 64
"""Society work ids are free text per society; CWR carries 14 characters, databases sometimes more."""


class RuleCode(StrEnum):
    """Stable, machine-readable names of the rules, for clients that act on them."""

    REQUIRED = "REQUIRED"
    TEXT_LENGTH = "TEXT_LENGTH"
    IDENTIFIER = "IDENTIFIER"
    SOCIETY_CODE = "SOCIETY_CODE"
    LANGUAGE_CODE = "LANGUAGE_CODE"
    TERRITORY_CODE = "TERRITORY_CODE"
    DATE_RANGE = "DATE_RANGE"
    TIMESTAMP = "TIMESTAMP"
    NON_NEGATIVE = "NON_NEGATIVE"
    DUPLICATE = "DUPLICATE"
    VERSION = "VERSION"
    SHARE_RANGE = "SHARE_RANGE"
    SHARE_TOTAL = "SHARE_TOTAL"
    PUBLISHER_PR_CAP = "PUBLISHER_PR_CAP"
    ZERO_OWNERSHIP = "ZERO_OWNERSHIP"
    ORIGINAL_WRITER = "ORIGINAL_WRITER"
    COLLECTION_TOTAL = "COLLECTION_TOTAL"
    MANDATE_CONFLICT = "MANDATE_CONFLICT"
    PARTY_KEY = "PARTY_KEY"
    PUBLISHER_LINK = "PUBLISHER_LINK"
    CHAIN_SEQUENCE = "CHAIN_SEQUENCE"
    SEQUENCE_NUMBER = "SEQUENCE_NUMBER"
    CONSENT = "CONSENT"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: field path, offending value, the rule in words, and its stable code.

    Field paths follow the contract's names, e.g. ``work.parties[2].ownership_shares[PR]``.
    """

    field: str
    value: object
    rule: str
    code: RuleCode

    def __str__(self) -> str:
        return f"{self.field}: {self.value!r} is invalid: {self.rule}"


class RuleViolations(InvalidArgument):
    """A write broke one or more rules; ``violations`` lists every one, in the order found.

    It is an ``InvalidArgument`` naming the first violation, so code that reports one error still says
    something precise, while a gRPC layer can put all of ``violations`` into the response.
    """

    def __init__(self, violations: Sequence[Violation]) -> None:
        assert violations, "RuleViolations needs at least one violation"
        first = violations[0]
        super().__init__(first.field, first.value, first.rule)
        self.violations: tuple[Violation, ...] = tuple(violations)
        if len(self.violations) > 1:
            more = "; ".join(str(violation) for violation in self.violations[1:])
            self.args = (f"{first}; and {len(self.violations) - 1} more: {more}",)


def raise_for_violations(violations: Sequence[Violation]) -> None:
    """Raise ``RuleViolations`` carrying all of ``violations``; do nothing when there are none."""
    if violations:
        raise RuleViolations(violations)


def validated_work(work: Work) -> Work:
    """``work`` with identifiers and texts in normal form, or ``RuleViolations`` listing every rule broken."""
    normal, violations = normalised_work(work)
    raise_for_violations(violations)
    return normal


def work_violations(work: Work) -> list[Violation]:
    """Every rule ``work`` breaks; empty when it may be written."""
    return normalised_work(work)[1]


def normalised_work(work: Work) -> tuple[Work, list[Violation]]:
    """``work`` in normal form (as far as it could be normalised) and every rule it breaks."""
    findings = _Findings()
    normal = replace(
        work,
        title=findings.text(work.title, "work.title", MAX_TITLE_CHARS, required=True),
        iswc=findings.identifier(normalise_iswc, work.iswc, "work.iswc"),
        alternate_titles=tuple(
            _alternate_title(findings, title, f"work.alternate_titles[{index}]")
            for index, title in enumerate(work.alternate_titles)
        ),
        language_code=findings.language(work.language_code, "work.language_code"),
        original_work=_original_work(findings, work.version_type, work.original_work),
        society_work_ids=_society_work_ids(findings, work.society_work_ids),
        performing_artists=tuple(
            _performing_artist(findings, artist, f"work.performing_artists[{index}]")
            for index, artist in enumerate(work.performing_artists)
        ),
        parties=tuple(
            _party(findings, party, f"work.parties[{index}]") for index, party in enumerate(work.parties)
        ),
    )
    findings.non_negative(work.duration_ms, "work.duration_ms")
    findings.non_negative(work.revision, "work.revision")
    findings.timestamps(work.created_at, work.updated_at, "work")
    _check_cross_party_rules(findings, normal.parties)
    return normal, findings.violations


def validated_recording(recording: Recording) -> Recording:
    """``recording`` in normal form; raises ``RuleViolations`` listing every rule it breaks."""
    normal, violations = normalised_recording(recording)
    raise_for_violations(violations)
    return normal


def recording_violations(recording: Recording) -> list[Violation]:
    """Every rule ``recording`` breaks; empty when it may be written."""
    return normalised_recording(recording)[1]


def normalised_recording(recording: Recording) -> tuple[Recording, list[Violation]]:
    """``recording`` in normal form (as far as possible) and every rule it breaks."""
    findings = _Findings()
    normal = replace(
        recording,
        title=findings.text(recording.title, "recording.title", MAX_TITLE_CHARS, required=True),
        isrc=findings.identifier(normalise_isrc, recording.isrc, "recording.isrc"),
        main_artist=findings.text(recording.main_artist, "recording.main_artist", MAX_TITLE_CHARS),
    )
    findings.non_negative(recording.duration_ms, "recording.duration_ms")
    findings.non_negative(recording.revision, "recording.revision")
    findings.duplicates(recording.work_ids, "recording.work_ids")
    for index, work_id in enumerate(recording.work_ids):
        if not work_id.strip():
            findings.add(
                f"recording.work_ids[{index}]", work_id, "a linked work id is not blank", RuleCode.REQUIRED
            )
    return normal, findings.violations


def share_total_ok(total_bp: int) -> bool:
    """Whether an ownership total is 0 or 10000 bp within the ±6 bp tolerance."""
    return 0 <= total_bp <= SHARE_TOLERANCE_BP or abs(total_bp - FULL_SHARE_BP) <= SHARE_TOLERANCE_BP


def party_collection_bp(party: InterestedParty, right: Right, territory: Territory, on: date) -> int:
    """The collection share of ``right`` that ``party`` has in ``territory`` on ``on``, in bp.

    Entries in force apply in sequence order. An include entry contributes its share to the territories
    it names less those excluded by later exclude entries (``resolve_tis_entries`` semantics); two
    include entries that both name the territory both contribute, which is how overlapping entries such
    as 2136 World and 752 Sweden add up.
    """
    return _party_collection(party, on).get((right, territory), 0)


def mandate_in_force(party: InterestedParty, right: Right, territory: Territory, on: date) -> Mandate | None:
    """The mandate that gives the society administering ``party``'s ``right`` in ``territory`` on ``on``.

    Mandates apply in the order given, like CWR territory records: an include names the society for its
    territories, a later exclude removes it again. None when no mandate covers the territory.
    """
    chosen: Mandate | None = None
    for mandate in party.mandates:
        if mandate.right is not right or not mandate.in_force(on) or not _is_tis_code(mandate.tis_code):
            continue
        if territory in territories_covered_by(mandate.tis_code):
            chosen = mandate if mandate.inclusion is Inclusion.INCLUDE else None
    return chosen


class _Findings:
    """Collects violations while normalising; every method returns its best normal form."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def add(self, field: str, value: object, rule: str, code: RuleCode) -> None:
        self.violations.append(Violation(field, shown(value), rule, code))

    def text(self, value: str, field: str, max_chars: int, *, required: bool = False) -> str:
        cleaned = " ".join(value.split())
        if required and not cleaned:
            self.add(field, value, "must not be empty", RuleCode.REQUIRED)
        if len(cleaned) > max_chars:
            self.add(field, value, f"at most {max_chars} characters (CWR field width)", RuleCode.TEXT_LENGTH)
        return cleaned

    def identifier(self, normalise: Callable[[str, str], str], value: str | None, field: str) -> str | None:
        # Blank means "none given", as in CWR and proto3; only a non-blank value is validated.
        if value is None or not value.strip():
            return None
        try:
            return normalise(value, field)
        except InvalidArgument as error:
            self.add(error.field, error.value, error.rule, RuleCode.IDENTIFIER)
            return value

    def society_code(self, value: str, field: str) -> str:
        try:
            return cisac_society(value, field).cisac_code
        except InvalidArgument as error:
            self.add(error.field, error.value, error.rule, RuleCode.SOCIETY_CODE)
            return value

    def language(self, value: str | None, field: str) -> str | None:
        if value is None or not value.strip():
            return None
        code = value.strip().upper()
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            self.add(
                field, value, "an ISO 639-1 language code is two letters, e.g. SV", RuleCode.LANGUAGE_CODE
            )
        return code

    def tis_code(self, value: int, field: str) -> None:
        try:
            parse_tis_code(value, field)
        except InvalidArgument as error:
            self.add(error.field, error.value, error.rule, RuleCode.TERRITORY_CODE)

    def date_range(self, first: date | None, last: date | None, field: str) -> None:
        if first is not None and last is not None and last < first:
            self.add(
                f"{field}.valid_until",
                last.isoformat(),
                f"must not be before valid_from {first}",
                RuleCode.DATE_RANGE,
            )

    def non_negative(self, value: int | None, field: str) -> None:
        if value is not None and value < 0:
            self.add(field, value, "must not be negative", RuleCode.NON_NEGATIVE)

    def timestamps(self, created_at: datetime | None, updated_at: datetime | None, field: str) -> None:
        # Naive datetimes compare wrongly across time zones; the domain only holds aware ones.
        for name, stamp in (("created_at", created_at), ("updated_at", updated_at)):
            if stamp is not None and stamp.utcoffset() is None:
                self.add(f"{field}.{name}", stamp.isoformat(), "must carry a time zone", RuleCode.TIMESTAMP)
        if (
            created_at is not None
            and updated_at is not None
            and created_at.utcoffset() is not None
            and updated_at.utcoffset() is not None
            and updated_at < created_at
        ):
            self.add(
                f"{field}.updated_at",
                updated_at.isoformat(),
                "must not be before created_at",
                RuleCode.TIMESTAMP,
            )

    def duplicates(self, values: Iterable[object], field: str) -> None:
        seen: set[object] = set()
        for index, value in enumerate(values):
            if value in seen:
                self.add(f"{field}[{index}]", value, "is listed twice", RuleCode.DUPLICATE)
            seen.add(value)

    def shares(self, shares: Sequence[RightShare], field: str) -> None:
        seen: set[Right] = set()
        for share in shares:
            share_field = f"{field}[{share.right.value}]"
            if share.right in seen:
                self.add(share_field, share.share_bp, "each right is listed once", RuleCode.SHARE_RANGE)
            seen.add(share.right)
            if not 0 <= share.share_bp <= FULL_SHARE_BP:
                self.add(
                    share_field, share.share_bp, "a share is 0 to 10000 bp (0-100 %)", RuleCode.SHARE_RANGE
                )


def _alternate_title(findings: _Findings, title: AlternateTitle, field: str) -> AlternateTitle:
    return replace(
        title,
        title=findings.text(title.title, f"{field}.title", MAX_TITLE_CHARS, required=True),
        language_code=findings.language(title.language_code, f"{field}.language_code"),
    )


def _original_work(
    findings: _Findings, version_type: VersionType, original: OriginalWork | None
) -> OriginalWork | None:
    if original is None:
        return None
    if version_type is not VersionType.MODIFIED:
        findings.add(
            "work.original_work",
            original.title,
            "only a modified version (MOD) names an original work",
            RuleCode.VERSION,
        )
    return replace(
        original,
        title=findings.text(original.title, "work.original_work.title", MAX_TITLE_CHARS, required=True),
        iswc=findings.identifier(normalise_iswc, original.iswc, "work.original_work.iswc"),
    )


def _society_work_ids(findings: _Findings, ids: Sequence[SocietyWorkId]) -> tuple[SocietyWorkId, ...]:
    normal = tuple(
        SocietyWorkId(
            society_code=findings.society_code(work_id.society_code, f"work.society_work_ids[{index}]"),
            work_code=findings.text(
                work_id.work_code,
                f"work.society_work_ids[{index}].work_code",
                MAX_WORK_CODE_CHARS,
                required=True,
            ),
        )
        for index, work_id in enumerate(ids)
    )
    findings.duplicates(
        ((work_id.society_code, work_id.work_code) for work_id in normal), "work.society_work_ids"
    )
    return normal


def _performing_artist(findings: _Findings, artist: PerformingArtist, field: str) -> PerformingArtist:
    return replace(
        artist,
        name=findings.text(artist.name, f"{field}.name", MAX_NAME_CHARS, required=True),
        first_name=findings.text(artist.first_name, f"{field}.first_name", MAX_FIRST_NAME_CHARS),
        ipi_name_number=findings.identifier(
            normalise_ipi_name_number, artist.ipi_name_number, f"{field}.ipi_name_number"
        ),
    )


def _party(findings: _Findings, party: InterestedParty, field: str) -> InterestedParty:
    party_key = party.party_key.strip()
    if not party_key:
        findings.add(f"{field}.party_key", party.party_key, "every party has a key", RuleCode.PARTY_KEY)
    _check_chain_sequence(findings, party, field)
    findings.shares(party.ownership_shares, f"{field}.ownership_shares")
    _check_zero_ownership(findings, party, field)
    return replace(
        party,
        party_key=party_key,
        # CWR lets a submitter name parties it does not control as unknown (OWR/OPU with the "unknown"
        # flag and no name); they still own their shares, so only controlled parties must be named.
        name=findings.text(party.name, f"{field}.name", MAX_NAME_CHARS, required=party.controlled),
        first_name=findings.text(party.first_name, f"{field}.first_name", MAX_FIRST_NAME_CHARS),
        non_roman_name=party.non_roman_name.strip(),
        ipi_name_number=findings.identifier(
            normalise_ipi_name_number, party.ipi_name_number, f"{field}.ipi_name_number"
        ),
        ipi_base_number=findings.identifier(
            normalise_ipi_base_number, party.ipi_base_number, f"{field}.ipi_base_number"
        ),
        affiliations=_affiliations(findings, party.affiliations, f"{field}.affiliations"),
        collection_shares=_collection_shares(findings, party.collection_shares, f"{field}.collection_shares"),
        mandates=_mandates(findings, party.mandates, f"{field}.mandates"),
        publisher_party_keys=tuple(key.strip() for key in party.publisher_party_keys),
    )


def _check_chain_sequence(findings: _Findings, party: InterestedParty, field: str) -> None:
    if party.role.is_writer and party.chain_sequence != 0:
        findings.add(
            f"{field}.chain_sequence", party.chain_sequence, "is 0 for a writer", RuleCode.CHAIN_SEQUENCE
        )
    if party.role.is_publisher and party.chain_sequence < 1:
        findings.add(
            f"{field}.chain_sequence",
            party.chain_sequence,
            "a publisher's position in the chain starts at 1 (the original publisher)",
            RuleCode.CHAIN_SEQUENCE,
        )


def _check_zero_ownership(findings: _Findings, party: InterestedParty, field: str) -> None:
    if party.role.code not in ZERO_OWNERSHIP_PUBLISHER_TYPES or not party.role.is_publisher:
        return
    for share in party.ownership_shares:
        if share.share_bp != 0:
            findings.add(
                f"{field}.ownership_shares[{share.right.value}]",
                share.share_bp,
                f"a publisher of type {party.role.code.value} (SE, AM, PA, ES) owns nothing (CWR 2.1 §4.5.5)",
                RuleCode.ZERO_OWNERSHIP,
            )


def _affiliations(
    findings: _Findings, affiliations: Sequence[Affiliation], field: str
) -> tuple[Affiliation, ...]:
    findings.duplicates((affiliation.right for affiliation in affiliations), field)
    return tuple(
        replace(
            affiliation, society_code=findings.society_code(affiliation.society_code, f"{field}[{index}]")
        )
        for index, affiliation in enumerate(affiliations)
    )


def _collection_shares(
    findings: _Findings, entries: Sequence[CollectionShare], field: str
) -> tuple[CollectionShare, ...]:
    findings.duplicates((entry.sequence_number for entry in entries), f"{field}.sequence_number")
    for index, entry in enumerate(entries):
        entry_field = f"{field}[{index}]"
        findings.tis_code(entry.tis_code, f"{entry_field}.tis_code")
        findings.date_range(entry.valid_from, entry.valid_until, entry_field)
        findings.shares(entry.shares, f"{entry_field}.shares")
        if entry.sequence_number < 1:
            findings.add(
                f"{entry_field}.sequence_number",
                entry.sequence_number,
                "starts at 1",
                RuleCode.SEQUENCE_NUMBER,
            )
        if entry.inclusion is Inclusion.EXCLUDE and any(share.share_bp for share in entry.shares):
            # CWR ignores shares on an exclusion; refusing them is better than dropping them silently.
            findings.add(
                f"{entry_field}.shares",
                entry.tis_code,
                "an exclusion carries no shares",
                RuleCode.SHARE_RANGE,
            )
    return tuple(entries)


def _mandates(findings: _Findings, mandates: Sequence[Mandate], field: str) -> tuple[Mandate, ...]:
    normal: list[Mandate] = []
    for index, mandate in enumerate(mandates):
        mandate_field = f"{field}[{index}]"
        findings.tis_code(mandate.tis_code, f"{mandate_field}.tis_code")
        findings.date_range(mandate.valid_from, mandate.valid_until, mandate_field)
        code = findings.society_code(mandate.society_code, f"{mandate_field}.society_code")
        normal.append(replace(mandate, society_code=code))
    return tuple(normal)


def _check_cross_party_rules(findings: _Findings, parties: Sequence[InterestedParty]) -> None:
    _check_party_keys(findings, parties)
    _check_publisher_links(findings, parties)
    _check_original_writer(findings, parties)
    _check_ownership_totals(findings, parties)
    _check_publisher_pr_cap(findings, parties)
    _check_collection_totals(findings, parties)
    for index, party in enumerate(parties):
        _check_mandate_conflicts(findings, party, f"work.parties[{index}].mandates")


def _check_party_keys(findings: _Findings, parties: Sequence[InterestedParty]) -> None:
    if not parties:
        findings.add("work.parties", [], "a work has at least one writer", RuleCode.ORIGINAL_WRITER)
    seen: set[str] = set()
    for index, party in enumerate(parties):
        if party.party_key and party.party_key in seen:
            findings.add(
                f"work.parties[{index}].party_key",
                party.party_key,
                "is unique within the work",
                RuleCode.PARTY_KEY,
            )
        seen.add(party.party_key)


def _check_publisher_links(findings: _Findings, parties: Sequence[InterestedParty]) -> None:
    publisher_keys = {party.party_key for party in parties if party.role.is_publisher}
    for index, party in enumerate(parties):
        field = f"work.parties[{index}].publisher_party_keys"
        if party.role.is_publisher and party.publisher_party_keys:
            findings.add(
                field,
                list(party.publisher_party_keys),
                "only writers name their publishers",
                RuleCode.PUBLISHER_LINK,
            )
            continue
        findings.duplicates(party.publisher_party_keys, field)
        for link_index, key in enumerate(party.publisher_party_keys):
            if key not in publisher_keys:
                findings.add(
                    f"{field}[{link_index}]",
                    key,
                    "must be the party_key of a publisher of this work",
                    RuleCode.PUBLISHER_LINK,
                )


def _check_original_writer(findings: _Findings, parties: Sequence[InterestedParty]) -> None:
    if parties and not any(
        party.role.is_writer and party.role.code in ORIGINAL_CREATOR_ROLES for party in parties
    ):
        findings.add(
            "work.parties",
            [str(party.role) for party in parties],
            "at least one writer with role CA, A or C (CWR 2.1 §4.5.5)",
            RuleCode.ORIGINAL_WRITER,
        )


def _check_ownership_totals(findings: _Findings, parties: Sequence[InterestedParty]) -> None:
    for right in Right:
        total = sum(party.ownership_bp(right) for party in parties)
        if not share_total_ok(total):
            findings.add(
                f"work.ownership_shares[{right.value}]",
                total,
                f"the ownership shares of {right.value} total 10000 bp (100 %) or 0 bp, "
                f"within ±{SHARE_TOLERANCE_BP} bp (CWR 2.1 §4.5.5)",
                RuleCode.SHARE_TOTAL,
            )


def _check_publisher_pr_cap(findings: _Findings, parties: Sequence[InterestedParty]) -> None:
    publisher_pr = sum(party.ownership_bp(Right.PERFORMING) for party in parties if party.role.is_publisher)
    if publisher_pr > PUBLISHER_PR_CAP_BP:
        findings.add(
            "work.ownership_shares[PR].publishers",
            publisher_pr,
            f"publishers own at most {PUBLISHER_PR_CAP_BP} bp (50 %) of PR (CWR 2.1 §4.5.5)",
            RuleCode.PUBLISHER_PR_CAP,
        )


def _check_collection_totals(findings: _Findings, parties: Sequence[InterestedParty]) -> None:
    days = _change_days(
        (entry.valid_from, entry.valid_until) for party in parties for entry in party.collection_shares
    )
    reported: set[tuple[Right, Territory]] = set()
    for day in days:
        by_party = {party.party_key: _party_collection(party, day) for party in parties}
        for right in Right:
            for territory in Territory:
                shares_bp = {key: shares.get((right, territory), 0) for key, shares in by_party.items()}
                total = sum(shares_bp.values())
                if total <= FULL_SHARE_BP or (right, territory) in reported:
                    continue
                reported.add((right, territory))
                findings.add(
                    f"work.collection_shares[{right.value}][{territory.value}]",
                    total,
                    f"collection shares of {right.value} in {territory.value} total at most "
                    f"{FULL_SHARE_BP} bp{_from_day(day)}; by party: {_nonzero(shares_bp)}",
                    RuleCode.COLLECTION_TOTAL,
                )


def _party_collection(party: InterestedParty, on: date) -> dict[tuple[Right, Territory], int]:
    entries = sorted(
        (entry for entry in party.collection_shares if entry.in_force(on) and _is_tis_code(entry.tis_code)),
        key=lambda entry: entry.sequence_number,
    )
    totals: dict[tuple[Right, Territory], int] = {}
    for entry, territories in _include_coverage(entries):
        for territory in territories:
            for share in entry.shares:
                key = (share.right, territory)
                totals[key] = totals.get(key, 0) + share.share_bp
    return totals


def _check_mandate_conflicts(findings: _Findings, party: InterestedParty, field: str) -> None:
    reported: set[tuple[Right, Territory]] = set()
    for day in _change_days((mandate.valid_from, mandate.valid_until) for mandate in party.mandates):
        for right in Right:
            in_force = [
                m for m in party.mandates if m.right is right and m.in_force(day) and _is_tis_code(m.tis_code)
            ]
            coverage = _include_coverage(in_force)
            for territory in Territory:
                societies = sorted({m.society_code for m, covered in coverage if territory in covered})
                if len(societies) <= 1 or (right, territory) in reported:
                    continue
                reported.add((right, territory))
                findings.add(
                    field,
                    societies,
                    f"one society administers {right.value} in {territory.value} at a time"
                    f"{_from_day(day)}; these mandates overlap",
                    RuleCode.MANDATE_CONFLICT,
                )


_Entry = TypeVar("_Entry", CollectionShare, Mandate)


def _include_coverage(entries: Sequence[_Entry]) -> list[tuple[_Entry, frozenset[Territory]]]:
    """Each include entry with the licence territories it covers once later exclusions are applied."""
    covered: list[tuple[_Entry, frozenset[Territory]]] = []
    for index, entry in enumerate(entries):
        if entry.inclusion is not Inclusion.INCLUDE:
            continue
        later_exclusions: list[tuple[int, str]] = [
            (later.tis_code, "E") for later in entries[index + 1 :] if _excludes(later)
        ]
        covered.append((entry, resolve_tis_entries([(entry.tis_code, "I"), *later_exclusions])))
    return covered


def _change_days(spans: Iterable[tuple[date | None, date | None]]) -> list[date]:
    """The days on which the set of entries in force can change.

    They are the first day ever, each start, and the day after each end.
    """
    days = {date.min}
    for first, last in spans:
        if first is not None:
            days.add(first)
        if last is not None and last < date.max:
            days.add(last + timedelta(days=1))
    return sorted(days)


def _from_day(day: date) -> str:
    return "" if day == date.min else f" (from {day.isoformat()})"


def _nonzero(by_party: dict[str, int]) -> str:
    return ", ".join(f"{key} {share_bp}" for key, share_bp in by_party.items() if share_bp)


def _excludes(entry: CollectionShare | Mandate) -> bool:
    return entry.inclusion is Inclusion.EXCLUDE


def _is_tis_code(code: int) -> bool:
    # Entries with a bad code are reported where they stand; totals are computed from the rest.
    try:
        parse_tis_code(code)
    except InvalidArgument:
        return False
    return True
