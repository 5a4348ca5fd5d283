"""Unit tests of the repertoire generator: determinism, valid identifiers, CWR share rules, streaming."""

from __future__ import annotations

import inspect
import itertools
from collections import Counter

import pytest

from nordclear.platform.domain.identifiers import is_valid_ipi_name_number, is_valid_isrc, is_valid_iswc
from nordclear.platform.domain.societies import MEMBER_SOCIETIES, cisac_society
from nordclear.repertoire.catalogue.generator import (
    RIGHTS,
    WRITER_ROLES,
    GeneratedWork,
    generate_work,
    iter_works,
    split_exact,
)

pytestmark = pytest.mark.unit

SEED = 11
SAMPLE_WORKS = 5_000


@pytest.fixture(scope="module")
def works() -> list[GeneratedWork]:
    return list(iter_works(SEED, SAMPLE_WORKS))


def test_the_same_seed_gives_the_same_works() -> None:
    assert list(iter_works(SEED, 300)) == list(iter_works(SEED, 300))


def test_a_shorter_run_is_a_prefix_of_a_longer_one_and_any_work_can_be_made_alone() -> None:
    long_run = list(iter_works(SEED, 200))
    assert list(iter_works(SEED, 50)) == long_run[:50]
    assert list(iter_works(SEED, 20, start=100)) == long_run[100:120]
    assert generate_work(SEED, 137) == long_run[137]


def test_different_seeds_give_different_catalogues() -> None:
    first, second = list(iter_works(1, 100)), list(iter_works(2, 100))
    assert [work.title for work in first] != [work.title for work in second]
    assert {work.iswc for work in first}.isdisjoint({work.iswc for work in second})


def test_works_are_streamed_not_built_as_a_list() -> None:
    stream = iter_works(SEED, 10**12)
    assert inspect.isgenerator(stream)
    # A trillion works would not fit in memory: taking three proves nothing is built ahead.
    assert len(list(itertools.islice(stream, 3))) == 3


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        list(iter_works(SEED, -1))


def test_every_identifier_is_valid(works: list[GeneratedWork]) -> None:
    for work in works:
        assert is_valid_iswc(work.iswc), work.iswc
        for party in work.parties:
            assert is_valid_ipi_name_number(party.ipi_name_number), party
            assert len(party.ipi_name_number) == 11
        for recording in work.recordings:
            assert is_valid_isrc(recording.isrc), recording.isrc


def test_iswcs_and_isrcs_are_unique(works: list[GeneratedWork]) -> None:
    iswcs = [work.iswc for work in works]
    isrcs = [recording.isrc for work in works for recording in work.recordings]
    assert len(set(iswcs)) == len(iswcs)
    assert len(set(isrcs)) == len(isrcs)
    assert len(isrcs) > len(works)  # most works have a recording, some several


def test_an_ipi_name_number_always_names_the_same_party(works: list[GeneratedWork]) -> None:
    names: dict[str, set[str]] = {}
    for work in works:
        for party in work.parties:
            names.setdefault(party.ipi_name_number, set()).add(party.name)
    assert all(len(party_names) == 1 for party_names in names.values())
    # Popular writers recur across works, as they do in a real catalogue.
    appearances = Counter(party.ipi_name_number for work in works for party in work.writers)
    assert sum(1 for count in appearances.values() if count > 1) >= 100


def test_shares_follow_the_cwr_rules(works: list[GeneratedWork]) -> None:
    for work in works:
        for right in RIGHTS:
            assert work.share_total_bp(right) == 10_000, (work.work_id, right)
        assert sum(publisher.pr_share_bp for publisher in work.publishers) <= 5_000
        assert all(party.share_bp(right) >= 0 for party in work.parties for right in RIGHTS)
        assert work.writers[0].role == "CA"
        assert all(writer.role in WRITER_ROLES for writer in work.writers)
        assert all(publisher.role == "E" and not publisher.first_name for publisher in work.publishers)


def test_writer_and_publisher_counts_are_in_range(works: list[GeneratedWork]) -> None:
    writer_counts = Counter(len(work.writers) for work in works)
    publisher_counts = Counter(len(work.publishers) for work in works)
    assert set(writer_counts) == {1, 2, 3, 4}
    assert set(publisher_counts) == {0, 1, 2}
    assert all(len({party.ipi_name_number for party in work.writers}) == len(work.writers) for work in works)


def test_submitting_societies_are_the_members_with_stim_largest(works: list[GeneratedWork]) -> None:
    counts = Counter(work.society_code for work in works)
    assert set(counts) == {society.cisac_code for society in MEMBER_SOCIETIES}
    assert counts.most_common(1)[0][0] == "079"
    assert min(counts, key=lambda code: counts[code]) == "077"


def test_affiliations_are_real_cisac_societies_including_foreign_ones(works: list[GeneratedWork]) -> None:
    pr_codes = {party.pr_society_code for work in works for party in work.parties}
    mr_codes = {party.mr_society_code for work in works for party in work.parties}
    for code in pr_codes | mr_codes:
        cisac_society(code)  # raises for a code not in the CISAC list
    assert {"052", "035"} <= pr_codes  # PRS and GEMA co-writers
    assert "048" in mr_codes  # NCB for Nordic mechanicals


def test_recordings_carry_the_country_of_the_submitting_society(works: list[GeneratedWork]) -> None:
    country = {"079": "SE", "090": "NO", "040": "DK", "089": "FI", "077": "IS"}
    for work in works:
        for recording in work.recordings:
            assert recording.isrc[:2] == country[work.society_code]
            assert recording.title.startswith(work.title)
            assert 60 <= recording.duration_s <= 900
            assert recording.main_artist


def test_titles_and_names_look_nordic(works: list[GeneratedWork]) -> None:
    text = " ".join(work.title + " " + " ".join(work.writer_names) for work in works)
    assert set("åäöøæþðÅÄÖØÆÞ") <= set(text)
    languages = Counter(work.language for work in works)
    assert set(languages) == {"SV", "NO", "DA", "FI", "IS", "EN"}
    assert languages["SV"] > languages["IS"]
    assert any(len(work.title.split()) >= 4 for work in works)
    assert 0.03 < sum(bool(work.alternate_titles) for work in works) / len(works) < 0.12
    # Real catalogues repeat titles, but most titles are not shared.
    title_counts = Counter(work.title for work in works)
    assert 0.7 < len(title_counts) / len(works) < 1.0


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (10_000, [1, 1, 1], [3334, 3333, 3333]),
        (6_666, [1, 2], [2222, 4444]),
        (5, [1, 1, 1, 1], [2, 1, 1, 1]),
        (0, [3], [0]),
    ],
)
def test_split_exact_sums_to_the_total(total: int, weights: list[int], expected: list[int]) -> None:
    assert split_exact(total, weights) == expected
    assert sum(split_exact(total, weights)) == total
