"""Noisy usage lines with ground truth, drawn from the repertoire's generated Nordic catalogue.

For measuring the matcher (and comparing it with other tools) on what licensees really send: each line
names a catalogue work (or a work the repertoire does not hold) through one kind of noise, and says
which work it truly is, so precision and recall can be counted overall and per kind of noise:

- identifiers as registered (``isrc``, ``iswc``, ``society_work_id``);
- no identifiers, only text: the title with one kind of damage (typo, case, Nordic letters stripped or
  transliterated, a "feat." credit, a remaster/live/edit suffix) and a writer or the recording artist,
  themselves sometimes damaged ("Taube, Evert", upper case, stripped letters);
- a wrong identifier: the ISRC of another work, pasted beside this work's title;
- a title alone, no names;
- a duplicate of an earlier line;
- a work not in the repertoire at all (the same generator past the catalogue's end, so its titles and
  writers look just like the real ones).

Everything follows the seed: the same arguments give the same lines on every machine.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from nordclear.matching.domain.model import UsageReference
from nordclear.matching.domain.read_model import IndexedRecording, IndexedWork
from nordclear.repertoire.catalogue.generator import GeneratedWork, generate_work
from nordclear.repertoire.catalogue.noise import NoiseKind, noisy_name, noisy_variant


class UsageNoise(StrEnum):
    """How a usage line names its work."""

    ISRC = "isrc"
    ISWC = "iswc"
    SOCIETY_WORK_ID = "society_work_id"
    CLEAN_TEXT = "clean_text"
    TYPO = "typo"
    CASE = "case"
    NORDIC_STRIPPED = "nordic_stripped"
    NORDIC_TRANSLITERATED = "nordic_transliterated"
    FEATURED_ARTIST = "featured_artist"
    REMASTER_SUFFIX = "remaster_suffix"
    LIVE_SUFFIX = "live_suffix"
    EDIT_SUFFIX = "edit_suffix"
    ARTIST_CREDIT = "artist_credit"
    NAME_NOISE = "name_noise"
    WRONG_ISRC = "wrong_isrc"
    TITLE_ONLY = "title_only"
    DUPLICATE = "duplicate"
    NOT_IN_REPERTOIRE = "not_in_repertoire"


# How often each kind appears: identifiers are common in manifests, the rest is the hard part.
NOISE_WEIGHTS: Final[dict[UsageNoise, int]] = {
    UsageNoise.ISRC: 20,
    UsageNoise.ISWC: 8,
    UsageNoise.SOCIETY_WORK_ID: 4,
    UsageNoise.CLEAN_TEXT: 6,
    UsageNoise.TYPO: 8,
    UsageNoise.CASE: 4,
    UsageNoise.NORDIC_STRIPPED: 6,
    UsageNoise.NORDIC_TRANSLITERATED: 6,
    UsageNoise.FEATURED_ARTIST: 4,
    UsageNoise.REMASTER_SUFFIX: 4,
    UsageNoise.LIVE_SUFFIX: 4,
    UsageNoise.EDIT_SUFFIX: 3,
    UsageNoise.ARTIST_CREDIT: 5,
    UsageNoise.NAME_NOISE: 5,
    UsageNoise.WRONG_ISRC: 3,
    UsageNoise.TITLE_ONLY: 3,
    UsageNoise.DUPLICATE: 3,
    UsageNoise.NOT_IN_REPERTOIRE: 8,
}
_TITLE_NOISE: Final = {
    UsageNoise.TYPO: NoiseKind.TYPO,
    UsageNoise.CASE: NoiseKind.CASE,
    UsageNoise.NORDIC_STRIPPED: NoiseKind.NORDIC_STRIPPED,
    UsageNoise.NORDIC_TRANSLITERATED: NoiseKind.NORDIC_TRANSLITERATED,
    UsageNoise.FEATURED_ARTIST: NoiseKind.FEATURED_ARTIST,
    UsageNoise.REMASTER_SUFFIX: NoiseKind.REMASTER_SUFFIX,
    UsageNoise.LIVE_SUFFIX: NoiseKind.LIVE_SUFFIX,
    UsageNoise.EDIT_SUFFIX: NoiseKind.EDIT_SUFFIX,
}
_KINDS: Final = tuple(NOISE_WEIGHTS)
_CUMULATIVE: Final = tuple(itertools.accumulate(NOISE_WEIGHTS.values()))


@dataclass(frozen=True, slots=True)
class NoisyUsage:
    """A usage reference, the work it truly is (None: not in the repertoire), and how it was damaged."""

    reference: UsageReference
    true_work_id: str | None
    noise: UsageNoise


def indexed_work(work: GeneratedWork) -> IndexedWork:
    """A generated catalogue work as the matching read model holds it."""
    return IndexedWork(
        work_id=work.work_id,
        title=work.title,
        iswc=work.iswc,
        creator_names=work.writer_names,
        recordings=tuple(
            IndexedRecording(
                isrc=recording.isrc,
                title=recording.title,
                main_artist=recording.main_artist,
                duration_ms=recording.duration_s * 1000,
                recording_id=f"{work.work_id}-R{number}",
            )
            for number, recording in enumerate(work.recordings)
        ),
        revision=1,
        alternate_titles=work.alternate_titles,
        society_work_ids=((work.society_code, work.society_work_id),),
    )


def noisy_usage(seed: int, catalogue_size: int, count: int) -> Iterator[NoisyUsage]:
    """``count`` noisy lines about the first ``catalogue_size`` works of the catalogue for ``seed``."""
    if catalogue_size < 2:
        raise ValueError("the catalogue needs at least two works (a wrong ISRC comes from another one)")
    rng = random.Random(seed * 7_919 + catalogue_size)  # noqa: S311 - reproducible test data
    recent: list[NoisyUsage] = []
    for _ in range(count):
        noise = rng.choices(_KINDS, cum_weights=_CUMULATIVE)[0]
        if noise is UsageNoise.DUPLICATE and recent:
            original = rng.choice(recent)
            yield NoisyUsage(original.reference, original.true_work_id, UsageNoise.DUPLICATE)
            continue
        if noise is UsageNoise.DUPLICATE:
            noise = UsageNoise.CLEAN_TEXT
        line = _line(seed, catalogue_size, noise, rng)
        recent.append(line)
        if len(recent) > 1_000:
            recent.pop(0)
        yield line


def _line(seed: int, catalogue_size: int, noise: UsageNoise, rng: random.Random) -> NoisyUsage:
    if noise is UsageNoise.NOT_IN_REPERTOIRE:
        outsider = generate_work(seed, catalogue_size + rng.randrange(10 * catalogue_size))
        return NoisyUsage(_text_reference(outsider, outsider.title, rng), None, noise)
    work = generate_work(seed, rng.randrange(catalogue_size))
    if noise is UsageNoise.ISRC and work.recordings:
        recording = rng.choice(work.recordings)
        return NoisyUsage(UsageReference(isrc=recording.isrc, title=recording.title), work.work_id, noise)
    if noise in (UsageNoise.ISWC, UsageNoise.ISRC):
        return NoisyUsage(UsageReference(iswc=work.iswc, title=work.title), work.work_id, UsageNoise.ISWC)
    if noise is UsageNoise.SOCIETY_WORK_ID:
        reference = UsageReference(society_code=work.society_code, society_work_code=work.society_work_id)
        return NoisyUsage(reference, work.work_id, noise)
    if noise is UsageNoise.WRONG_ISRC:
        other = generate_work(seed, (work.index + 1 + rng.randrange(catalogue_size - 1)) % catalogue_size)
        if other.recordings:
            wrong = rng.choice(other.recordings).isrc
            return NoisyUsage(
                UsageReference(isrc=wrong, title=work.title, writers=(rng.choice(work.writer_names),)),
                work.work_id,
                noise,
            )
        noise = UsageNoise.CLEAN_TEXT
    if noise is UsageNoise.TITLE_ONLY:
        return NoisyUsage(UsageReference(title=work.title), work.work_id, noise)
    if noise is UsageNoise.ARTIST_CREDIT and work.recordings:
        recording = work.recordings[0]
        reference = UsageReference(
            title=recording.title, main_artist=recording.main_artist, duration_ms=recording.duration_s * 1000
        )
        return NoisyUsage(reference, work.work_id, noise)
    if noise in _TITLE_NOISE:
        damaged = noisy_variant(work.title, rng, _TITLE_NOISE[noise])
        if damaged.kind is NoiseKind.NONE:  # a Nordic kind on a title without Nordic letters
            noise = UsageNoise.CLEAN_TEXT
        return NoisyUsage(_text_reference(work, damaged.text, rng), work.work_id, noise)
    if noise is UsageNoise.NAME_NOISE:
        writer = noisy_name(rng.choice(work.writer_names), rng).text
        return NoisyUsage(UsageReference(title=work.title, writers=(writer,)), work.work_id, noise)
    return NoisyUsage(_text_reference(work, work.title, rng), work.work_id, UsageNoise.CLEAN_TEXT)


def _text_reference(work: GeneratedWork, title: str, rng: random.Random) -> UsageReference:
    """A title with one writer (as written) and, when there is a recording, its artist and duration."""
    writers = (rng.choice(work.writer_names),)
    if work.recordings and rng.random() < 0.5:
        recording = work.recordings[0]
        return UsageReference(
            title=title,
            writers=writers,
            main_artist=recording.main_artist,
            duration_ms=recording.duration_s * 1000,
        )
    return UsageReference(title=title, writers=writers)
