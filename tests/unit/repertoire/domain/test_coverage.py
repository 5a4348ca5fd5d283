"""Unit tests of coverage: licensable or not for a stage, territory and day, and who gets each share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.domain.societies import KODA, NCB_CISAC_CODE, STIM, TEOSTO
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import (
    AiStage,
    ConsentEntry,
    PerformerAttribute,
    PerformerAttributeSubject,
    PerformerIdScheme,
)
from nordclear.repertoire.domain.coverage import (
    RIGHTS_BY_STAGE,
    Coverage,
    NotLicensable,
    SuspenseReason,
    licensable_shares,
)
from nordclear.repertoire.domain.rules import work_violations
from nordclear.repertoire.domain.work import Inclusion, Right, Work
from tests.unit.repertoire.domain.builders import (
    MR,
    PR,
    SR,
    VALID_IPI,
    day,
    grant,
    mandate,
    publisher,
    revoke,
    work,
    writer,
)

pytestmark = pytest.mark.unit

ALL_STAGES_GRANTED = [grant(f"g-{stage}", "2025-01-01", stage=stage) for stage in AiStage]


def _song() -> Work:
    """A writer administered by STIM everywhere; a publisher by KODA in Denmark only, and NCB for MR."""
    return work(
        writer("w1", pr=5000, mr=5000, mandates=(mandate(PR, STIM.cisac_code), mandate(MR, STIM.cisac_code))),
        publisher(
            "p1",
            pr=5000,
            mr=5000,
            mandates=(mandate(PR, KODA.cisac_code, tis_code=208), mandate(MR, NCB_CISAC_CODE, tis_code=2127)),
        ),
    )


def _coverage(
    stage: AiStage,
    territory: Territory,
    on: str = "2025-03-01",
    consents: list[ConsentEntry] | None = None,
    subject: Work | None = None,
) -> Coverage:
    chosen = _song() if subject is None else subject
    return licensable_shares(
        chosen, ALL_STAGES_GRANTED if consents is None else consents, stage, territory, day(on)
    )


def _societies(coverage: Coverage) -> list[tuple[str, str, int, str | None]]:
    return [
        (share.right.value, share.party_key, share.share_bp, share.society_code)
        for right in coverage.rights
        for share in right.assignments
    ]


def test_the_example_work_is_valid() -> None:
    assert work_violations(_song()) == []


# --- the stage table ------------------------------------------------------------------------------


def test_each_stage_uses_its_rights_and_none_uses_sync() -> None:
    assert RIGHTS_BY_STAGE[AiStage.TRAINING] == (MR,)
    assert RIGHTS_BY_STAGE[AiStage.SERVICE] == (PR,)
    assert RIGHTS_BY_STAGE[AiStage.OUTPUT] == (PR, MR)
    assert set(RIGHTS_BY_STAGE) == set(AiStage)
    assert all(SR not in rights for rights in RIGHTS_BY_STAGE.values())


# --- who gets each share --------------------------------------------------------------------------


def test_training_assigns_the_mechanical_shares() -> None:
    coverage = _coverage(AiStage.TRAINING, Territory.SE)
    assert coverage.licensable
    assert coverage.reasons == ()
    assert _societies(coverage) == [("MR", "w1", 5000, "079"), ("MR", "p1", 5000, "048")]
    assert coverage.rights[0].bp_by_society() == {"079": 5000, "048": 5000}
    # NCB is no member: settlement holds that money until it is passed on.
    assert [share.member_society for share in coverage.rights[0].assignments] == [True, False]


def test_service_assigns_the_performing_shares_per_territory() -> None:
    assert _societies(_coverage(AiStage.SERVICE, Territory.DK)) == [
        ("PR", "w1", 5000, STIM.cisac_code),
        ("PR", "p1", 5000, KODA.cisac_code),
    ]


def test_output_assigns_both_rights() -> None:
    coverage = _coverage(AiStage.OUTPUT, Territory.DK)
    assert [right.right for right in coverage.rights] == [PR, MR]
    assert [right.total_bp for right in coverage.rights] == [10000, 10000]


def test_a_share_without_a_mandate_is_reported_for_suspense_but_does_not_stop_the_licence() -> None:
    coverage = _coverage(AiStage.SERVICE, Territory.FI)
    assert coverage.licensable
    assert _societies(coverage) == [("PR", "w1", 5000, STIM.cisac_code), ("PR", "p1", 5000, None)]
    (unmandated,) = coverage.unmandated
    assert (unmandated.party_key, unmandated.mandated, unmandated.suspense_reason) == (
        "p1",
        False,
        SuspenseReason.NO_MANDATE,
    )
    assert str(SuspenseReason.NO_MANDATE) == "no mandate"
    assert coverage.rights[0].unmandated_bp == 5000


def test_an_excluded_territory_has_no_mandate() -> None:
    excluded_norway = work(
        writer(
            pr=10000,
            mandates=(
                mandate(PR, STIM.cisac_code),
                mandate(PR, STIM.cisac_code, 578, inclusion=Inclusion.EXCLUDE),
            ),
        )
    )
    assert _societies(_coverage(AiStage.SERVICE, Territory.SE, subject=excluded_norway)) == [
        ("PR", "w1", 10000, "079")
    ]
    assert _societies(_coverage(AiStage.SERVICE, Territory.NO, subject=excluded_norway)) == [
        ("PR", "w1", 10000, None)
    ]


def test_the_mandate_in_force_on_the_day_decides() -> None:
    moved = work(
        writer(
            pr=10000,
            mandates=(
                mandate(PR, STIM.cisac_code, valid_until=day("2025-06-30")),
                mandate(PR, TEOSTO.cisac_code, valid_from=day("2025-07-01")),
            ),
        )
    )
    assert _societies(_coverage(AiStage.SERVICE, Territory.SE, "2025-06-30", subject=moved))[0][3] == "079"
    assert _societies(_coverage(AiStage.SERVICE, Territory.SE, "2025-07-01", subject=moved))[0][3] == "089"
    before_any = work(
        writer(pr=10000, mandates=(mandate(PR, STIM.cisac_code, valid_from=day("2025-07-01")),))
    )
    assert (
        _societies(_coverage(AiStage.SERVICE, Territory.SE, "2025-06-30", subject=before_any))[0][3] is None
    )


def test_parties_without_a_share_of_the_right_get_no_assignment() -> None:
    lyricist_only_pr = work(writer("w1", pr=5000, mr=10000), writer("w2", pr=5000))
    coverage = _coverage(AiStage.TRAINING, Territory.SE, subject=lyricist_only_pr)
    assert [share.party_key for share in coverage.rights[0].assignments] == ["w1"]


# --- licensable or not ----------------------------------------------------------------------------


def test_without_consent_a_work_is_not_licensable() -> None:
    coverage = _coverage(AiStage.TRAINING, Territory.SE, consents=[])
    assert not coverage.licensable
    assert [reason.code for reason in coverage.reasons] == [NotLicensable.NO_CONSENT]
    assert "opt-in" in coverage.reasons[0].detail
    # The shares are still reported, so settlement can hold their money with the right reason.
    assert coverage.rights[0].total_bp == 10000


def test_consent_for_one_stage_does_not_license_another() -> None:
    service_only = [grant("g1", "2025-01-01", stage=AiStage.SERVICE)]
    assert _coverage(AiStage.SERVICE, Territory.SE, consents=service_only).licensable
    assert not _coverage(AiStage.TRAINING, Territory.SE, consents=service_only).licensable


@pytest.mark.parametrize(
    ("on", "licensable"), [("2025-05-31", True), ("2025-06-01", False), ("2025-12-01", False)]
)
def test_a_revocation_stops_coverage_from_its_day_on(on: str, licensable: bool) -> None:
    consents = [grant("g1", "2025-01-01"), revoke("r1", "2025-06-01", recorded="2025-05-15")]
    coverage = _coverage(AiStage.TRAINING, Territory.SE, on, consents=consents)
    assert coverage.licensable is licensable
    if not licensable:
        assert [reason.code for reason in coverage.reasons] == [NotLicensable.CONSENT_REVOKED]
        assert coverage.consent.decided_by == consents[1]


def test_a_consent_not_yet_in_force_does_not_cover() -> None:
    assert not _coverage(AiStage.TRAINING, Territory.SE, "2024-12-31").licensable


def test_performer_consents_do_not_license_a_work() -> None:
    voice = PerformerAttributeSubject(PerformerIdScheme.IPI_NAME_NUMBER, VALID_IPI, PerformerAttribute.VOICE)
    consents = [grant("g1", "2025-01-01", subject=voice)]
    assert not _coverage(AiStage.TRAINING, Territory.SE, consents=consents).licensable


def test_a_deleted_work_is_never_licensable() -> None:
    deleted = work(writer(pr=10000, mr=10000, mandates=(mandate(MR),)), deleted=True)
    coverage = _coverage(AiStage.TRAINING, Territory.SE, subject=deleted)
    assert [reason.code for reason in coverage.reasons] == [NotLicensable.DELETED]


def test_a_right_nobody_owns_cannot_be_licensed() -> None:
    performing_only = work(writer(pr=10000, mandates=(mandate(PR),)))
    training = _coverage(AiStage.TRAINING, Territory.SE, subject=performing_only)
    assert [reason.code for reason in training.reasons] == [NotLicensable.NO_OWNERSHIP]
    assert _coverage(AiStage.SERVICE, Territory.SE, subject=performing_only).licensable


def test_every_reason_is_given() -> None:
    deleted_unowned = work(writer(pr=10000), deleted=True)
    coverage = _coverage(AiStage.TRAINING, Territory.SE, consents=[], subject=deleted_unowned)
    assert [reason.code for reason in coverage.reasons] == [
        NotLicensable.DELETED,
        NotLicensable.NO_CONSENT,
        NotLicensable.NO_OWNERSHIP,
    ]


# --- properties -----------------------------------------------------------------------------------


@st.composite
def _mandated_works(draw: st.DrawFn) -> Work:
    """Writers with arbitrary shares (not necessarily valid) and arbitrary mandates."""
    society_codes = st.sampled_from([STIM.cisac_code, KODA.cisac_code, TEOSTO.cisac_code, NCB_CISAC_CODE])
    tis_codes = st.sampled_from([208, 246, 352, 578, 752, 2127, 2131, 2136, 826])
    mandates = st.builds(
        mandate,
        st.sampled_from(list(Right)),
        society_codes,
        tis_codes,
        inclusion=st.sampled_from(list(Inclusion)),
    )
    parties = [
        writer(
            f"w{index}",
            pr=draw(st.integers(0, 10000)),
            mr=draw(st.integers(0, 10000)),
            mandates=tuple(draw(st.lists(mandates, max_size=4))),
        )
        for index in range(draw(st.integers(1, 5)))
    ]
    return work(*parties)


@given(_mandated_works(), st.sampled_from(list(AiStage)), st.sampled_from(list(Territory)))
def test_assignments_always_sum_to_the_right_total(
    candidate: Work, stage: AiStage, territory: Territory
) -> None:
    coverage = licensable_shares(candidate, ALL_STAGES_GRANTED, stage, territory, day("2025-03-01"))
    for right in coverage.rights:
        assert sum(share.share_bp for share in right.assignments) == right.total_bp
        assert sum(right.bp_by_society().values()) + right.unmandated_bp == right.total_bp
        assert right.total_bp == candidate.total_ownership_bp(right.right)
