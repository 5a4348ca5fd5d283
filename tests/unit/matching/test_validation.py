"""Report validation: whole-report errors with line numbers, and flags that keep lines (never drop them)."""

from __future__ import annotations

from datetime import date

import pytest

from nordclear.matching.domain.licence import Licence, LicenceStatus, licence_for_report
from nordclear.matching.domain.model import (
    DateRange,
    Influence,
    LineFlag,
    ReportKind,
    Stage,
    UsageLine,
    UsageReference,
)
from nordclear.matching.domain.validation import ReportHeaderFacts, ReportValidator
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import FailedPrecondition, NotFound, PermissionDenied

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
LICENCE = Licence(
    licence_id="lic-1",
    licensee_id="acme",
    stages=frozenset({Stage.TRAINING, Stage.OUTPUT}),
    territories=frozenset({Territory.SE, Territory.DK}),
    term=DateRange(date(2026, 1, 1), date(2026, 12, 31)),
    status=LicenceStatus.ACTIVE,
    output_label="trainedAlgorithmicMedia",
)


def _validator(kind: ReportKind, declared: int = 0) -> ReportValidator:
    return ReportValidator(ReportHeaderFacts(kind, MARCH, declared), LICENCE)


def _manifest(number: int, **reference: object) -> UsageLine:
    return UsageLine(number, ReportKind.TRAINING_MANIFEST, units=(UsageReference(**reference),))  # type: ignore[arg-type]


def _output(number: int, *shares: int, territory: Territory = Territory.SE, label: bool = True) -> UsageLine:
    return UsageLine(
        number,
        ReportKind.OUTPUT_ATTRIBUTION,
        influences=tuple(Influence(UsageReference(title="A song"), share, 9_000) for share in shares),
        territory=territory,
        amount=Money.of("SEK", 100),
        output_id=f"out-{number}",
        label_applied=label,
        used_on=date(2026, 3, 5),
    )


def test_identifiers_are_normalised() -> None:
    validator = _validator(ReportKind.TRAINING_MANIFEST)

    line = validator.check(
        _manifest(
            1, isrc="se-aaa-24-00001", iswc="T-070.000.004-9", society_code="STIM", society_work_code="1"
        )
    )

    assert line is not None
    assert (line.units[0].isrc, line.units[0].iswc, line.units[0].society_code) == (
        "SEAAA2400001",
        "T0700000049",
        "079",
    )


@pytest.mark.parametrize(
    ("reference", "field"),
    [
        ({"isrc": "SE-AAA-24"}, "training_manifest.reference.isrc"),
        ({"iswc": "T-070.000.004-1"}, "training_manifest.reference.iswc"),
        ({}, "training_manifest.reference"),
        ({"title": "x", "duration_ms": -1}, "training_manifest.reference.duration_ms"),
    ],
)
def test_a_bad_reference_is_a_violation_naming_line_field_and_value(
    reference: dict[str, object], field: str
) -> None:
    validator = _validator(ReportKind.TRAINING_MANIFEST)
    validator.note_line_number(1)

    assert validator.check(_manifest(1, **reference)) is None

    assert not validator.accepted
    assert (validator.violations[0].line_number, validator.violations[0].field) == (1, field)


def test_attribution_shares_of_one_output_total_at_most_100_percent() -> None:
    validator = _validator(ReportKind.OUTPUT_ATTRIBUTION)

    assert validator.check(_output(1, 6_000, 4_000)) is not None
    assert validator.check(_output(2, 6_000, 4_001)) is None
    assert validator.violations[0].rule == "the shares of one output total at most 10000 bp"


def test_lines_outside_the_licence_are_flagged_and_kept() -> None:
    validator = _validator(ReportKind.OUTPUT_ATTRIBUTION)

    outside = validator.check(_output(1, 5_000, territory=Territory.NO, label=False))
    again = validator.check(_output(1, 5_000))

    assert outside is not None
    assert outside.flags == {LineFlag.TERRITORY_NOT_LICENSED, LineFlag.LABEL_NOT_APPLIED}
    assert outside.outside_licence
    assert again is not None
    assert LineFlag.DUPLICATE in again.flags
    assert validator.accepted
    assert validator.lines_flagged == 2


def test_a_stage_the_licence_lacks_flags_every_line() -> None:
    validator = _validator(ReportKind.SERVICE_REVENUE)

    line = validator.check(
        UsageLine(1, ReportKind.SERVICE_REVENUE, territory=Territory.SE, amount=Money.of("SEK", 5))
    )

    assert line is not None
    assert line.flags == {LineFlag.STAGE_NOT_LICENSED}
    assert line.period == MARCH


def test_negative_revenue_is_refused() -> None:
    validator = _validator(ReportKind.SERVICE_REVENUE)

    line = validator.check(
        UsageLine(1, ReportKind.SERVICE_REVENUE, territory=Territory.SE, amount=Money.of("SEK", -5))
    )

    assert line is None
    assert validator.violations[0].field == "service_revenue.revenue.amount_minor"


def test_line_numbers_and_counts_are_checked_over_the_whole_report() -> None:
    validator = _validator(ReportKind.TRAINING_MANIFEST, declared=3)
    for number in (1, 3):
        validator.note_line_number(number)
        validator.check(_manifest(number, title="A"))

    validator.finish(trailer_line_count=2)

    assert [(v.line_number, v.field) for v in validator.violations] == [
        (3, "line_number"),
        (0, "declared_line_count"),
    ]


def test_a_report_is_only_taken_under_the_licensees_own_licence_in_force() -> None:
    with pytest.raises(PermissionDenied):
        licence_for_report(LICENCE, "lic-1", "someone-else", MARCH)
    with pytest.raises(NotFound):
        licence_for_report(None, "lic-x", "acme", MARCH)
    with pytest.raises(FailedPrecondition, match="suspended"):
        licence_for_report(
            LICENCE.with_status(LicenceStatus.SUSPENDED, date(2026, 2, 1)), "lic-1", "acme", MARCH
        )
    expired = LICENCE.with_status(LicenceStatus.EXPIRED, date(2026, 12, 31))
    assert licence_for_report(expired, "lic-1", "acme", MARCH) is expired
    with pytest.raises(FailedPrecondition, match="expired"):
        licence_for_report(expired, "lic-1", "acme", DateRange(date(2026, 12, 1), date(2027, 1, 31)))


def test_revoked_is_final() -> None:
    revoked = LICENCE.with_status(LicenceStatus.REVOKED, date(2026, 6, 1))

    assert revoked.with_status(LicenceStatus.ACTIVE, date(2026, 7, 1)).status is LicenceStatus.REVOKED
