"""The noisy usage generator: reproducible, truthful about each line, and covering every kind of noise."""

from __future__ import annotations

from nordclear.matching.usage_generator import UsageNoise, indexed_work, noisy_usage
from nordclear.repertoire.catalogue.generator import generate_work


def test_the_same_seed_gives_the_same_lines() -> None:
    assert list(noisy_usage(3, 500, 200)) == list(noisy_usage(3, 500, 200))
    assert list(noisy_usage(3, 500, 200)) != list(noisy_usage(4, 500, 200))


def test_every_kind_of_noise_appears_and_the_truth_is_told() -> None:
    lines = list(noisy_usage(5, 400, 3_000))

    assert {line.noise for line in lines} == set(UsageNoise)
    for number, line in enumerate(lines):
        if line.noise is UsageNoise.DUPLICATE:
            assert any(earlier.reference == line.reference for earlier in lines[:number])
            continue
        if line.noise is UsageNoise.NOT_IN_REPERTOIRE:
            assert line.true_work_id is None
            continue
        assert line.true_work_id is not None
        work = generate_work(5, int(line.true_work_id.removeprefix("NCW")))
        if line.noise is UsageNoise.ISWC:
            assert line.reference.iswc == work.iswc
        if line.noise is UsageNoise.ISRC:
            assert line.reference.isrc in {recording.isrc for recording in work.recordings}
        if line.noise is UsageNoise.WRONG_ISRC:
            assert line.reference.isrc not in {recording.isrc for recording in work.recordings}
        if line.noise is UsageNoise.TITLE_ONLY:
            assert (line.reference.title, line.reference.writers, line.reference.main_artist) == (
                work.title,
                (),
                "",
            )


def test_an_indexed_work_keeps_identifiers_titles_and_names() -> None:
    work = generate_work(1, 42)

    indexed = indexed_work(work)

    assert (indexed.work_id, indexed.iswc, indexed.title) == (work.work_id, work.iswc, work.title)
    assert indexed.creator_names == work.writer_names
    assert indexed.society_work_ids == ((work.society_code, work.society_work_id),)
    assert [recording.isrc for recording in indexed.recordings] == [
        recording.isrc for recording in work.recordings
    ]
