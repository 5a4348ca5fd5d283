"""The licence lifecycle: active ⇄ suspended → revoked | expired, each change kept with its first day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nordclear.licensing.domain.coverage import CoverageIssue, licence_issues
from nordclear.licensing.domain.licence import (
    OUTPUT_LABELLING_REQUIRED,
    Actor,
    Licence,
    LicenceStatus,
    StatusChange,
)
from nordclear.licensing.domain.model import Scope
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import FailedPrecondition, InvalidArgument
from nordclear.repertoire.domain.consent import AiStage

OPS = Actor("ops", "ops:STIM", society_by_name("STIM"))
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _licence() -> Licence:
    return Licence(
        licence_id="NC-2026-000001",
        application_id="app_1",
        quote_id="quo_1",
        licensee_id="skald-ai",
        licensee_legal_name="Skald AI AB",
        scope=Scope(
            "Skald", "2.1", (AiStage.TRAINING,), (Territory.SE,), date(2026, 1, 1), date(2026, 12, 31)
        ),
        hub=society_by_name("STIM"),
        hub_admin_fee_bp=500,
        societies=(),
        tariffs=(("stim-training", "2025-1"),),
        presumption_applied=True,
        presumption_statement="",
        output_labelling=OUTPUT_LABELLING_REQUIRED,
        total=Money.of("SEK", 1),
        due_at_issue=Money.of("SEK", 1),
        issued_at=NOW,
        history=(StatusChange(None, LicenceStatus.ACTIVE, date(2026, 1, 1), NOW, OPS, "issued"),),
    )


def test_suspension_and_reactivation_apply_from_their_days_and_keep_the_past() -> None:
    licence = _licence().suspend(date(2026, 4, 1), "unpaid invoice", OPS, NOW)
    licence = licence.reactivate(date(2026, 5, 1), "paid", OPS, NOW)

    assert licence.status is LicenceStatus.ACTIVE
    assert [c.status for c in licence.history] == [
        LicenceStatus.ACTIVE,
        LicenceStatus.SUSPENDED,
        LicenceStatus.ACTIVE,
    ]
    assert licence.status_on(date(2026, 3, 31)) is LicenceStatus.ACTIVE
    assert licence.status_on(date(2026, 4, 15)) is LicenceStatus.SUSPENDED
    assert licence.status_on(date(2026, 5, 1)) is LicenceStatus.ACTIVE
    assert licence_issues(licence, AiStage.TRAINING, Territory.SE, date(2026, 4, 2)) == (
        CoverageIssue.LICENCE_NOT_ACTIVE,
    )


def test_revoked_is_final() -> None:
    revoked = _licence().revoke(date(2026, 3, 2), "breach of the labelling duty", OPS, NOW)
    with pytest.raises(FailedPrecondition, match="revoked"):
        revoked.reactivate(date(2026, 3, 3), "sorry", OPS, NOW)
    with pytest.raises(FailedPrecondition):
        revoked.suspend(date(2026, 3, 3), "again", OPS, NOW)


def test_only_suspended_licences_are_reactivated_and_only_active_ones_suspended() -> None:
    with pytest.raises(FailedPrecondition, match="only when suspended"):
        _licence().reactivate(date(2026, 3, 2), "why", OPS, NOW)
    suspended = _licence().suspend(date(2026, 3, 2), "why", OPS, NOW)
    with pytest.raises(FailedPrecondition, match="only when active"):
        suspended.suspend(date(2026, 3, 3), "why", OPS, NOW)


def test_a_change_needs_a_reason_and_may_not_be_backdated() -> None:
    with pytest.raises(InvalidArgument) as no_reason:
        _licence().suspend(date(2026, 3, 2), " ", OPS, NOW)
    with pytest.raises(InvalidArgument) as backdated:
        _licence().revoke(date(2026, 2, 1), "fraud", OPS, NOW)
    assert no_reason.value.field == "reason"
    assert backdated.value.field == "effective_from"
    assert "before the day it is recorded" in backdated.value.rule


def test_expiry_applies_from_the_day_after_the_term() -> None:
    expired = _licence().expire(Actor("service", "licensing"), datetime(2027, 1, 2, tzinfo=UTC))
    assert expired.status is LicenceStatus.EXPIRED
    assert expired.status_on(date(2026, 12, 31)) is LicenceStatus.ACTIVE
    assert expired.status_on(date(2027, 1, 1)) is LicenceStatus.EXPIRED


def test_licence_level_coverage_names_every_gap() -> None:
    licence = _licence()
    assert licence_issues(licence, AiStage.TRAINING, Territory.SE, date(2026, 6, 1)) == ()
    assert licence_issues(licence, AiStage.OUTPUT, Territory.NO, date(2027, 6, 1)) == (
        CoverageIssue.OUTSIDE_TERM,
        CoverageIssue.STAGE_NOT_LICENSED,
        CoverageIssue.TERRITORY_NOT_LICENSED,
    )
