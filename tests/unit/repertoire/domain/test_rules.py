"""Unit tests of the work rules: every rule passes and fails naming its field, all found at once."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.domain.societies import KODA, STIM
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.rules import (
    RuleCode,
    RuleViolations,
    Violation,
    party_collection_bp,
    raise_for_violations,
    recording_violations,
    share_total_ok,
    validated_recording,
    validated_work,
    work_violations,
)
from nordclear.repertoire.domain.work import (
    Affiliation,
    AlternateTitle,
    CollectionShare,
    Inclusion,
    OriginalWork,
    PartyKind,
    PartyRole,
    PublisherType,
    Recording,
    Right,
    RightShare,
    SocietyWorkId,
    VersionType,
    Work,
    WriterRole,
    parse_party_role,
)
from tests.unit.repertoire.domain.builders import (
    MR,
    PR,
    SR,
    VALID_IPI,
    VALID_IPI_BASE,
    VALID_ISWC,
    at,
    collection,
    day,
    mandate,
    publisher,
    work,
    writer,
)

pytestmark = pytest.mark.unit


def _codes(candidate: Work) -> list[tuple[str, RuleCode]]:
    return [(violation.field, violation.code) for violation in work_violations(candidate)]


def _only(candidate: Work) -> Violation:
    violations = work_violations(candidate)
    assert len(violations) == 1, violations
    return violations[0]


# --- a valid work, and normalisation --------------------------------------------------------------


def test_a_valid_work_breaks_no_rule() -> None:
    writers_and_publisher = work(
        writer("w1", pr=2500, mr=2500, publisher_party_keys=("p1",)),
        writer("w2", WriterRole.AUTHOR, pr=2500, mr=2500, publisher_party_keys=("p1",)),
        publisher("p1", pr=5000, mr=5000),
    )
    assert work_violations(writers_and_publisher) == []
    assert validated_work(writers_and_publisher) == writers_and_publisher


def test_identifiers_texts_and_codes_come_back_in_normal_form() -> None:
    raw = work(
        writer(
            " w1 ",
            pr=10000,
            ipi_name_number="014107338",
            ipi_base_number="i0000002297",
            affiliations=(Affiliation(PR, "79"),),
            mandates=(mandate(PR, society_code="79"),),
        ),
        iswc="T-034.524.680-1",
        language_code="sv",
        alternate_titles=(AlternateTitle("  Visa   vid  vinden ", language_code="en"),),
        society_work_ids=(SocietyWorkId("79", " S-1 "),),
    )
    normal = validated_work(dataclasses.replace(raw, title="  Visa   vid vindens ängar "))

    assert normal.title == "Visa vid vindens ängar"
    assert normal.iswc == VALID_ISWC
    assert normal.language_code == "SV"
    assert normal.alternate_titles == (AlternateTitle("Visa vid vinden", language_code="EN"),)
    assert normal.society_work_ids == (SocietyWorkId("079", "S-1"),)
    party = normal.parties[0]
    assert (party.party_key, party.ipi_name_number, party.ipi_base_number) == (
        "w1",
        VALID_IPI,
        VALID_IPI_BASE,
    )
    assert party.affiliations == (Affiliation(PR, "079"),)
    assert party.mandates[0].society_code == "079"


def test_blank_identifiers_mean_none_given() -> None:
    normal = validated_work(work(iswc="  "))
    assert normal.iswc is None


# --- texts and identifiers ------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "ok"), [("x" * 60, True), ("x" * 61, False), ("   ", False)])
def test_titles_are_required_and_at_most_60_characters(title: str, ok: bool) -> None:
    violations = work_violations(work(title=title))
    assert (violations == []) is ok
    assert all(violation.field == "work.title" for violation in violations)


def test_an_alternate_title_is_at_most_60_characters() -> None:
    violation = _only(work(alternate_titles=(AlternateTitle("x" * 61),)))
    assert (violation.field, violation.code) == ("work.alternate_titles[0].title", RuleCode.TEXT_LENGTH)


def test_a_bad_iswc_check_digit_is_named() -> None:
    violation = _only(work(iswc="T0345246802"))
    assert (violation.field, violation.value, violation.code) == (
        "work.iswc",
        "T0345246802",
        RuleCode.IDENTIFIER,
    )
    assert "check digit" in violation.rule


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ipi_name_number": "00014107339"}, "work.parties[0].ipi_name_number"),
        ({"ipi_base_number": "I-000000229-8"}, "work.parties[0].ipi_base_number"),
    ],
)
def test_bad_ipi_numbers_are_named(changes: dict[str, Any], field: str) -> None:
    party = writer(pr=10000, **changes)
    assert _codes(work(party)) == [(field, RuleCode.IDENTIFIER)]


def test_party_names_are_required_and_fit_cwr() -> None:
    party = dataclasses.replace(writer(pr=10000), name=" ", first_name="x" * 31)
    assert _codes(work(party)) == [
        ("work.parties[0].name", RuleCode.REQUIRED),
        ("work.parties[0].first_name", RuleCode.TEXT_LENGTH),
    ]


def test_a_language_code_is_two_letters() -> None:
    assert _codes(work(language_code="swe")) == [("work.language_code", RuleCode.LANGUAGE_CODE)]


def test_only_a_modified_version_names_an_original_work() -> None:
    original = OriginalWork("Visa", iswc=VALID_ISWC)
    assert work_violations(work(version_type=VersionType.MODIFIED, original_work=original)) == []
    assert _codes(work(original_work=original)) == [("work.original_work", RuleCode.VERSION)]


def test_society_codes_must_be_in_the_cisac_list() -> None:
    candidate = work(society_work_ids=(SocietyWorkId("999", "A1"),))
    assert _codes(candidate) == [("work.society_work_ids[0]", RuleCode.SOCIETY_CODE)]


def test_a_society_work_id_is_listed_once() -> None:
    candidate = work(society_work_ids=(SocietyWorkId("079", "A1"), SocietyWorkId("79", "A1")))
    assert _codes(candidate) == [("work.society_work_ids[1]", RuleCode.DUPLICATE)]


def test_an_affiliation_names_a_known_society_once_per_right() -> None:
    party = writer(
        pr=10000, affiliations=(Affiliation(PR, "079"), Affiliation(PR, "040"), Affiliation(MR, "x"))
    )
    assert _codes(work(party)) == [
        ("work.parties[0].affiliations[1]", RuleCode.DUPLICATE),
        ("work.parties[0].affiliations[2]", RuleCode.SOCIETY_CODE),
    ]


def test_numbers_are_not_negative_and_timestamps_are_aware() -> None:
    candidate = work(duration_ms=-1, revision=-1, created_at=at("2025-01-02"), updated_at=at("2025-01-01"))
    assert _codes(candidate) == [
        ("work.duration_ms", RuleCode.NON_NEGATIVE),
        ("work.revision", RuleCode.NON_NEGATIVE),
        ("work.updated_at", RuleCode.TIMESTAMP),
    ]
    naive = work(created_at=at("2025-01-01").replace(tzinfo=None))
    assert _codes(naive) == [("work.created_at", RuleCode.TIMESTAMP)]


# --- ownership shares -----------------------------------------------------------------------------


@pytest.mark.parametrize("share_bp", [-1, 10001])
def test_a_share_is_0_to_10000_bp(share_bp: int) -> None:
    party = dataclasses.replace(
        writer(pr=10000), ownership_shares=(RightShare(PR, 10000), RightShare(MR, share_bp))
    )
    violations = work_violations(work(party))
    assert violations[0].field == "work.parties[0].ownership_shares[MR]"
    assert violations[0].code is RuleCode.SHARE_RANGE
    assert violations[0].value == share_bp


def test_a_right_is_listed_once_per_party() -> None:
    party = dataclasses.replace(writer(), ownership_shares=(RightShare(PR, 5000), RightShare(PR, 5000)))
    assert _codes(work(party)) == [("work.parties[0].ownership_shares[PR]", RuleCode.SHARE_RANGE)]


@pytest.mark.parametrize(
    ("total_bp", "ok"),
    [
        (0, True),
        (6, True),
        (7, False),
        (9993, False),
        (9994, True),
        (10000, True),
        (10006, True),
        (10007, False),
    ],
)
def test_ownership_totals_are_0_or_10000_within_6_bp(total_bp: int, ok: bool) -> None:
    parties = (writer("w1", pr=min(total_bp, 5000)), writer("w2", pr=max(total_bp - 5000, 0)))
    violations = work_violations(work(*parties))
    assert (violations == []) is ok
    if not ok:
        assert [(v.field, v.value, v.code) for v in violations] == [
            ("work.ownership_shares[PR]", total_bp, RuleCode.SHARE_TOTAL)
        ]


def test_every_right_is_totalled_separately() -> None:
    candidate = work(writer(pr=10000, mr=9000, sr=10000))
    assert _codes(candidate) == [("work.ownership_shares[MR]", RuleCode.SHARE_TOTAL)]


def test_publishers_may_own_half_of_pr() -> None:
    assert work_violations(work(writer(pr=5000), publisher(pr=5000))) == []


def test_one_publisher_owning_more_than_half_of_pr_is_refused() -> None:
    violation = _only(work(writer(pr=4999), publisher(pr=5001)))
    assert (violation.field, violation.value) == ("work.ownership_shares[PR].publishers", 5001)
    assert violation.code is RuleCode.PUBLISHER_PR_CAP


def test_the_pr_cap_is_on_all_publishers_together() -> None:
    candidate = work(writer(pr=4000), publisher("p1", pr=3000), publisher("p2", pr=3000, chain_sequence=2))
    assert _codes(candidate) == [("work.ownership_shares[PR].publishers", RuleCode.PUBLISHER_PR_CAP)]


def test_the_pr_cap_does_not_apply_to_mr() -> None:
    assert work_violations(work(writer(pr=10000, mr=2500), publisher(mr=7500))) == []


@pytest.mark.parametrize(
    "publisher_type",
    [
        PublisherType.SUB_PUBLISHER,
        PublisherType.ADMINISTRATOR,
        PublisherType.INCOME_PARTICIPANT,
        PublisherType.SUBSTITUTED_PUBLISHER,
    ],
)
def test_se_am_pa_es_publishers_own_nothing(publisher_type: PublisherType) -> None:
    owning_nothing = work(writer(pr=10000), publisher("p1", publisher_type))
    assert work_violations(owning_nothing) == []
    owning = work(writer(pr=9000), publisher("p1", publisher_type, pr=1000))
    violation = _only(owning)
    assert (violation.field, violation.value) == ("work.parties[1].ownership_shares[PR]", 1000)
    assert violation.code is RuleCode.ZERO_OWNERSHIP
    assert publisher_type.value in violation.rule


@pytest.mark.parametrize("publisher_type", [PublisherType.ORIGINAL_PUBLISHER, PublisherType.ACQUIRER])
def test_e_and_aq_publishers_may_own(publisher_type: PublisherType) -> None:
    assert work_violations(work(writer(pr=5000), publisher("p1", publisher_type, pr=5000))) == []


def test_a_writer_income_participant_may_own_unlike_a_publisher_one() -> None:
    # CWR uses PA for both; only the publisher-side PA owns nothing.
    candidate = work(writer("w1", pr=5000), writer("w2", WriterRole.INCOME_PARTICIPANT, pr=5000))
    assert work_violations(candidate) == []


@pytest.mark.parametrize("role", [WriterRole.COMPOSER_AUTHOR, WriterRole.AUTHOR, WriterRole.COMPOSER])
def test_one_original_writer_suffices(role: WriterRole) -> None:
    assert work_violations(work(writer("w1", role, pr=10000))) == []


def test_a_work_of_arrangers_only_is_refused() -> None:
    violation = _only(
        work(writer("w1", WriterRole.ARRANGER, pr=5000), writer("w2", WriterRole.TRANSLATOR, pr=5000))
    )
    assert (violation.field, violation.code) == ("work.parties", RuleCode.ORIGINAL_WRITER)
    assert violation.value == ["writer AR", "writer TR"]


def test_publishers_alone_are_no_original_writer() -> None:
    assert _codes(work(publisher(pr=5000))) == [
        ("work.parties", RuleCode.ORIGINAL_WRITER),
        ("work.ownership_shares[PR]", RuleCode.SHARE_TOTAL),
    ]


def test_a_work_without_parties_is_refused() -> None:
    assert _codes(dataclasses.replace(work(), parties=())) == [("work.parties", RuleCode.ORIGINAL_WRITER)]


# --- parties and links ----------------------------------------------------------------------------


def test_party_keys_are_unique_and_present() -> None:
    candidate = work(writer("w1", pr=5000), writer("w1", pr=5000), writer(" ", WriterRole.ARRANGER))
    assert _codes(candidate) == [
        ("work.parties[2].party_key", RuleCode.PARTY_KEY),
        ("work.parties[1].party_key", RuleCode.PARTY_KEY),
    ]


def test_writers_link_to_publishers_of_the_work() -> None:
    candidate = work(
        writer("w1", pr=5000, publisher_party_keys=("p1", "p9", "w2")),
        writer("w2", pr=2500),
        publisher("p1", pr=2500),
    )
    assert [(v.field, v.value) for v in work_violations(candidate)] == [
        ("work.parties[0].publisher_party_keys[1]", "p9"),
        ("work.parties[0].publisher_party_keys[2]", "w2"),
    ]


def test_publishers_name_no_publishers() -> None:
    candidate = work(
        writer(pr=10000), publisher("p1"), publisher("p2", chain_sequence=2, publisher_party_keys=("p1",))
    )
    assert _codes(candidate) == [("work.parties[2].publisher_party_keys", RuleCode.PUBLISHER_LINK)]


def test_chain_sequence_is_0_for_writers_and_from_1_for_publishers() -> None:
    candidate = work(writer(pr=10000, chain_sequence=1), publisher(chain_sequence=0))
    assert _codes(candidate) == [
        ("work.parties[0].chain_sequence", RuleCode.CHAIN_SEQUENCE),
        ("work.parties[1].chain_sequence", RuleCode.CHAIN_SEQUENCE),
    ]


def test_party_roles_keep_writer_and_publisher_pa_apart() -> None:
    writer_pa = parse_party_role("writer", "pa")
    publisher_pa = parse_party_role(" Publisher ", "PA")
    assert writer_pa == PartyRole.writer(WriterRole.INCOME_PARTICIPANT)
    assert publisher_pa == PartyRole(PartyKind.PUBLISHER, PublisherType.INCOME_PARTICIPANT)
    assert writer_pa != publisher_pa


@pytest.mark.parametrize(
    ("kind", "code", "field"), [("composer", "CA", "party.role.kind"), ("publisher", "CA", "party.role.code")]
)
def test_an_unknown_role_is_named(kind: str, code: str, field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_party_role(kind, code, "party.role")
    assert caught.value.field == field


# --- collection shares ----------------------------------------------------------------------------


def test_collection_shares_within_100_percent_per_territory_pass() -> None:
    candidate = work(
        writer("w1", pr=5000, collection_shares=(collection(2136, pr=5000),)),
        publisher("p1", pr=5000, collection_shares=(collection(2127, pr=5000),)),
    )
    assert work_violations(candidate) == []


def test_overlapping_includes_over_100_percent_in_one_territory_are_refused() -> None:
    candidate = work(
        writer("w1", pr=5000, collection_shares=(collection(2136, pr=6000),)),
        publisher("p1", pr=5000, collection_shares=(collection(752, pr=5000),)),
    )
    violation = _only(candidate)
    assert (violation.field, violation.value) == ("work.collection_shares[PR][SE]", 11000)
    assert violation.code is RuleCode.COLLECTION_TOTAL
    assert "w1 6000, p1 5000" in violation.rule


def test_one_partys_own_overlapping_entries_add_up() -> None:
    entries = (collection(2136, pr=6000), collection(752, pr=5000, sequence_number=2))
    violation = _only(work(writer(pr=10000, collection_shares=entries)))
    assert (violation.field, violation.value) == ("work.collection_shares[PR][SE]", 11000)


def test_an_exclusion_removes_a_territory_from_earlier_includes() -> None:
    candidate = work(
        writer(
            "w1",
            pr=5000,
            collection_shares=(
                collection(2136, pr=6000),
                CollectionShare(752, Inclusion.EXCLUDE, sequence_number=2),
            ),
        ),
        publisher("p1", pr=5000, collection_shares=(collection(752, pr=5000),)),
    )
    assert work_violations(candidate) == []


def test_collection_entries_apply_in_sequence_order() -> None:
    # Written out of order: the exclusion (sequence 2) still comes after the World include (sequence 1).
    entries = (CollectionShare(752, Inclusion.EXCLUDE, sequence_number=2), collection(2136, pr=6000))
    candidate = work(
        writer("w1", pr=5000, collection_shares=entries),
        publisher("p1", pr=5000, collection_shares=(collection(752, pr=5000),)),
    )
    assert work_violations(candidate) == []


def test_collection_shares_in_force_on_different_days_do_not_add_up() -> None:
    def parties(first_until: str) -> Work:
        return work(
            writer(
                "w1", pr=5000, collection_shares=(collection(2136, pr=6000, valid_until=day(first_until)),)
            ),
            publisher(
                "p1", pr=5000, collection_shares=(collection(752, pr=5000, valid_from=day("2025-07-01")),)
            ),
        )

    assert work_violations(parties("2025-06-30")) == []
    violation = _only(parties("2025-07-01"))
    assert violation.field == "work.collection_shares[PR][SE]"
    assert "from 2025-07-01" in violation.rule


def test_collection_entries_are_checked_one_by_one() -> None:
    entries = (
        collection(9999, pr=10001),
        CollectionShare(208, Inclusion.EXCLUDE, shares=(RightShare(PR, 100),), sequence_number=2),
        collection(752, sequence_number=2, valid_from=day("2025-02-01"), valid_until=day("2025-01-01")),
    )
    assert _codes(work(writer(pr=10000, collection_shares=entries))) == [
        ("work.parties[0].collection_shares.sequence_number[2]", RuleCode.DUPLICATE),
        ("work.parties[0].collection_shares[0].tis_code", RuleCode.TERRITORY_CODE),
        ("work.parties[0].collection_shares[0].shares[PR]", RuleCode.SHARE_RANGE),
        ("work.parties[0].collection_shares[1].shares", RuleCode.SHARE_RANGE),
        ("work.parties[0].collection_shares[2].valid_until", RuleCode.DATE_RANGE),
    ]


# --- mandates -------------------------------------------------------------------------------------


def test_a_mandate_names_a_known_society_and_a_valid_span() -> None:
    mandates = (
        mandate(PR, society_code="999"),
        mandate(MR, valid_from=day("2025-02-01"), valid_until=day("2025-01-31")),
        mandate(SR, tis_code=0),
    )
    assert _codes(work(writer(pr=10000, mandates=mandates))) == [
        ("work.parties[0].mandates[0].society_code", RuleCode.SOCIETY_CODE),
        ("work.parties[0].mandates[1].valid_until", RuleCode.DATE_RANGE),
        ("work.parties[0].mandates[2].tis_code", RuleCode.TERRITORY_CODE),
    ]


def test_two_societies_for_one_share_in_one_territory_conflict() -> None:
    mandates = (mandate(PR, STIM.cisac_code), mandate(PR, KODA.cisac_code, tis_code=208))
    violation = _only(work(writer(pr=10000, mandates=mandates)))
    assert (violation.field, violation.value) == ("work.parties[0].mandates", ["040", "079"])
    assert violation.code is RuleCode.MANDATE_CONFLICT
    assert "PR in DK" in violation.rule


def test_excluding_a_territory_makes_room_for_another_society() -> None:
    mandates = (
        mandate(PR, STIM.cisac_code),
        mandate(PR, STIM.cisac_code, tis_code=208, inclusion=Inclusion.EXCLUDE),
        mandate(PR, KODA.cisac_code, tis_code=208),
    )
    assert work_violations(work(writer(pr=10000, mandates=mandates))) == []


def test_successive_mandates_do_not_conflict() -> None:
    mandates = (
        mandate(PR, STIM.cisac_code, valid_until=day("2025-12-31")),
        mandate(PR, KODA.cisac_code, valid_from=day("2026-01-01")),
    )
    assert work_violations(work(writer(pr=10000, mandates=mandates))) == []


# --- all at once ----------------------------------------------------------------------------------


def test_every_violation_is_reported_at_once() -> None:
    candidate = work(
        writer(pr=9000, ipi_name_number="123"), publisher("p1", PublisherType.SUB_PUBLISHER, pr=500), title=""
    )
    with pytest.raises(RuleViolations) as caught:
        validated_work(candidate)
    error = caught.value
    assert [v.field for v in error.violations] == [
        "work.title",
        "work.parties[0].ipi_name_number",
        "work.parties[1].ownership_shares[PR]",
        "work.ownership_shares[PR]",
    ]
    # Still an InvalidArgument naming the first, for callers that report one error.
    assert isinstance(error, InvalidArgument)
    assert (error.field, error.value) == ("work.title", "")
    assert "and 3 more" in str(error)


def test_raise_for_violations_is_silent_without_violations() -> None:
    raise_for_violations([])


# --- recordings -----------------------------------------------------------------------------------


def test_a_recording_is_normalised() -> None:
    recording = Recording("rec_1", " Visa ", isrc="se-abc-25-00001", main_artist="Ane", work_ids=("wrk_1",))
    normal = validated_recording(recording)
    assert (normal.title, normal.isrc) == ("Visa", "SEABC2500001")


def test_a_bad_recording_is_refused_with_every_field_named() -> None:
    recording = Recording(
        "rec_1", "", isrc="SE-ABC-25-0001", duration_ms=-5, work_ids=("wrk_1", "wrk_1", " ")
    )
    assert [(v.field, v.code) for v in recording_violations(recording)] == [
        ("recording.title", RuleCode.REQUIRED),
        ("recording.isrc", RuleCode.IDENTIFIER),
        ("recording.duration_ms", RuleCode.NON_NEGATIVE),
        ("recording.work_ids[1]", RuleCode.DUPLICATE),
        ("recording.work_ids[2]", RuleCode.REQUIRED),
    ]


# --- properties -----------------------------------------------------------------------------------


@st.composite
def _valid_splits(draw: st.DrawFn) -> Work:
    """A work whose writers and one publisher split each right exactly, publishers within the PR cap."""
    writer_count = draw(st.integers(min_value=1, max_value=5))
    publisher_pr = draw(st.integers(min_value=0, max_value=5000))
    publisher_mr = draw(st.integers(min_value=0, max_value=10000))
    writers_pr = _split(draw, 10000 - publisher_pr, writer_count)
    writers_mr = _split(draw, 10000 - publisher_mr, writer_count)
    writers = [writer(f"w{i}", pr=writers_pr[i], mr=writers_mr[i]) for i in range(writer_count)]
    return work(*writers, publisher("p1", pr=publisher_pr, mr=publisher_mr))


def _split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    cuts = sorted(
        draw(st.lists(st.integers(min_value=0, max_value=total), min_size=parts - 1, max_size=parts - 1))
    )
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


@given(_valid_splits())
def test_any_exact_split_within_the_caps_passes(candidate: Work) -> None:
    assert work_violations(candidate) == []


@given(st.integers(min_value=0, max_value=20000), st.integers(min_value=0, max_value=10000))
def test_the_total_rule_is_exactly_the_tolerance(total_bp: int, first_bp: int) -> None:
    first = min(first_bp, total_bp, 10000)
    parties = (writer("w1", pr=first), writer("w2", pr=min(total_bp - first, 10000)))
    actual_total = sum(p.ownership_bp(PR) for p in parties)
    totals = [v for v in work_violations(work(*parties)) if v.code is RuleCode.SHARE_TOTAL]
    assert (totals == []) is (actual_total <= 6 or 9994 <= actual_total <= 10006)
    assert share_total_ok(actual_total) is (totals == [])


@given(
    st.lists(
        st.tuples(
            st.integers(-20000, 20000), st.sampled_from([PR, MR, SR]), st.sampled_from(list(PublisherType))
        ),
        max_size=6,
    )
)
def test_any_shares_give_violations_never_an_exception(
    entries: list[tuple[int, Right, PublisherType]],
) -> None:
    parties = [writer("w0", pr=1)] + [
        publisher(f"p{i}", kind, chain_sequence=i + 1, ownership_shares=(RightShare(right, bp),))
        for i, (bp, right, kind) in enumerate(entries)
    ]
    for violation in work_violations(work(*parties)):
        assert violation.field.startswith("work.")


def test_party_collection_bp_reports_one_partys_share_in_one_territory() -> None:
    entries = (
        collection(2136, pr=6000),
        CollectionShare(208, Inclusion.EXCLUDE, sequence_number=2),
        collection(752, pr=1000, sequence_number=3, valid_from=day("2025-07-01")),
    )
    party = writer(pr=10000, collection_shares=entries)
    assert party_collection_bp(party, PR, Territory.SE, day("2025-06-30")) == 6000
    assert party_collection_bp(party, PR, Territory.SE, day("2025-07-01")) == 7000
    assert party_collection_bp(party, PR, Territory.DK, day("2025-07-01")) == 0
    assert party_collection_bp(party, MR, Territory.SE, day("2025-07-01")) == 0
