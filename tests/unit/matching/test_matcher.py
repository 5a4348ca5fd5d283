"""The matcher's decisions: identifiers first, fuzzy after, and precision before recall."""

from __future__ import annotations

import pytest

from nordclear.matching.domain.matcher import Matcher, MatchIndex
from nordclear.matching.domain.model import MatchMethod, MatchStatus, UsageReference
from nordclear.matching.domain.read_model import IndexedRecording, IndexedWork


def _work(
    work_id: str,
    title: str,
    creators: tuple[str, ...],
    *,
    iswc: str | None = None,
    recordings: tuple[IndexedRecording, ...] = (),
    society_ids: tuple[tuple[str, str], ...] = (),
    alternates: tuple[str, ...] = (),
) -> IndexedWork:
    return IndexedWork(
        work_id,
        title,
        iswc,
        creators,
        recordings,
        1,
        alternate_titles=alternates,
        society_work_ids=society_ids,
    )


@pytest.fixture
def matcher() -> Matcher:
    index = MatchIndex()
    index.upsert(
        _work(
            "w-vem",
            "Vem kan segla förutan vind",
            ("Evert Taube",),
            iswc="T0700000049",
            recordings=(
                IndexedRecording(
                    "SEAAA2400001", "Vem kan segla förutan vind", "Sofia Karlsson", 187_000, "r-1"
                ),
            ),
        )
    )
    index.upsert(_work("w-malmo", "Sommarnatt i Malmö", ("Lisa Nilsson",), society_ids=(("079", "STIM-1"),)))
    index.upsert(_work("w-solo-a", "Sommarnatt", ("Anna Berg",)))
    index.upsert(_work("w-solo-b", "Sommarnatt", ("Olle Lind",)))
    index.upsert(
        _work("w-visa", "Visa vid vindens ängar", ("Lasse Dahlquist",), alternates=("Vindens visa",))
    )
    return Matcher(index)


def test_an_isrc_matches_its_recordings_work_with_full_confidence(matcher: Matcher) -> None:
    match = matcher.match(UsageReference(isrc="SEAAA2400001"))

    assert (match.status, match.work_id, match.recording_id) == (MatchStatus.MATCHED, "w-vem", "r-1")
    assert (match.method, match.confidence_bp) == (MatchMethod.ISRC, 10_000)


@pytest.mark.parametrize(
    ("reference", "method", "work_id"),
    [
        (UsageReference(iswc="T0700000049"), MatchMethod.ISWC, "w-vem"),
        (
            UsageReference(society_code="079", society_work_code="STIM-1"),
            MatchMethod.SOCIETY_WORK_ID,
            "w-malmo",
        ),
        (UsageReference(work_id="w-visa"), MatchMethod.WORK_ID, "w-visa"),
    ],
)
def test_every_identifier_matches(
    matcher: Matcher, reference: UsageReference, method: MatchMethod, work_id: str
) -> None:
    match = matcher.match(reference)

    assert (match.status, match.method, match.work_id) == (MatchStatus.MATCHED, method, work_id)


def test_identifiers_naming_two_works_go_to_review_with_both(matcher: Matcher) -> None:
    match = matcher.match(UsageReference(isrc="SEAAA2400001", society_code="079", society_work_code="STIM-1"))

    assert match.status is MatchStatus.IN_REVIEW
    assert {candidate.work_id for candidate in match.candidates} == {"w-vem", "w-malmo"}


def test_an_identifier_contradicted_by_title_and_names_yields_to_them(matcher: Matcher) -> None:
    match = matcher.match(
        UsageReference(isrc="SEAAA2400001", title="Sommarnatt i Malmö", writers=("Lisa Nilsson",))
    )

    assert (match.status, match.work_id, match.method) == (MatchStatus.MATCHED, "w-malmo", MatchMethod.FUZZY)


def test_an_identifier_contradicted_by_a_title_alone_goes_to_review(matcher: Matcher) -> None:
    match = matcher.match(UsageReference(isrc="SEAAA2400001", title="Sommarnatt i Malmö"))

    assert match.status is MatchStatus.IN_REVIEW
    assert [c.work_id for c in match.candidates][:2] == ["w-vem", "w-malmo"]


@pytest.mark.parametrize(
    "title",
    [
        "Sommarnatt i Malmo",
        "Sommarnatt i Malmoe",
        "SOMMARNATT I MALMÖ",
        "Sommarnatt i Malmö (feat. Kent)",
        "Sommarnatt i Malmö - Remastered 2011",
        "Sommarnatt i Malmö (Live)",
        "Somarnatt i Malmö",
    ],
)
def test_fuzzy_matching_tolerates_case_accents_nordic_letters_credits_suffixes_and_typos(
    matcher: Matcher, title: str
) -> None:
    match = matcher.match(UsageReference(title=title, writers=("Nilsson, Lisa",)))

    assert (match.status, match.work_id, match.method) == (MatchStatus.MATCHED, "w-malmo", MatchMethod.FUZZY)
    assert matcher.review_floor_bp <= match.confidence_bp <= 10_000


def test_a_title_alone_never_auto_accepts(matcher: Matcher) -> None:
    match = matcher.match(UsageReference(title="Sommarnatt i Malmö"))

    assert match.status is MatchStatus.IN_REVIEW
    assert match.candidates[0].work_id == "w-malmo"


def test_works_sharing_a_title_are_told_apart_by_names_or_sent_to_review(matcher: Matcher) -> None:
    by_name = matcher.match(UsageReference(title="Sommarnatt", writers=("Olle Lind",)))
    by_wrong_name = matcher.match(UsageReference(title="Sommarnatt", writers=("Karin Ek",)))

    assert (by_name.status, by_name.work_id) == (MatchStatus.MATCHED, "w-solo-b")
    assert by_wrong_name.status is MatchStatus.IN_REVIEW


def test_a_recording_artist_counts_as_a_name(matcher: Matcher) -> None:
    match = matcher.match(UsageReference(title="Vem kan segla förutan vind", main_artist="Sofia Karlsson"))

    assert (match.status, match.work_id, match.recording_id) == (MatchStatus.MATCHED, "w-vem", "r-1")


def test_an_unknown_work_is_unmatched(matcher: Matcher) -> None:
    match = matcher.match(UsageReference(title="Helt okänd låt om ingenting", writers=("Ingen Alls",)))

    assert match.status is MatchStatus.UNMATCHED


def test_an_unknown_isrc_falls_back_to_the_title(matcher: Matcher) -> None:
    match = matcher.match(
        UsageReference(isrc="NOXXX2400009", title="Vindens visa", writers=("Lasse Dahlquist",))
    )

    assert (match.status, match.work_id, match.method) == (MatchStatus.MATCHED, "w-visa", MatchMethod.FUZZY)


def test_a_removed_work_is_never_matched_again(matcher: Matcher) -> None:
    matcher.index.remove("w-vem")

    assert matcher.match(UsageReference(isrc="SEAAA2400001")).status is MatchStatus.UNMATCHED
    assert matcher.match(UsageReference(iswc="T0700000049")).status is MatchStatus.UNMATCHED


def test_a_far_off_duration_costs_confidence(matcher: Matcher) -> None:
    title = "Vem kan segla förutan vind"
    near = matcher.match(UsageReference(title=title, main_artist="Sofia Karlsson", duration_ms=186_000))
    far = matcher.match(UsageReference(title=title, main_artist="Sofia Karlsson", duration_ms=400_000))

    assert (near.status, near.work_id) == (MatchStatus.MATCHED, "w-vem")
    far_score = far.confidence_bp if far.status is MatchStatus.MATCHED else far.candidates[0].score_bp
    assert far_score < near.confidence_bp


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Matcher(MatchIndex(), auto_accept_bp=5_000, review_floor_bp=6_000)
