"""Unit tests of usage-report noise: every kind damages a title as labelled, reproducibly."""

from __future__ import annotations

import random

import pytest
from rapidfuzz.distance import OSA

from nordclear.repertoire.catalogue.generator import iter_works
from nordclear.repertoire.catalogue.noise import (
    TITLE_NOISE_KINDS,
    NoiseKind,
    applicable_title_kinds,
    noisy_name,
    noisy_variant,
    typo,
)
from nordclear.repertoire.search.normalise import loose_key, normalise_name, normalise_title

pytestmark = pytest.mark.unit

TITLES = [work.title for work in iter_works(3, 400)]


def test_the_same_seed_gives_the_same_noise() -> None:
    first = [noisy_variant(title, random.Random(9)) for title in TITLES]
    second = [noisy_variant(title, random.Random(9)) for title in TITLES]
    assert first == second


def test_a_drawn_kind_is_one_that_applies_and_the_label_is_the_truth() -> None:
    rng = random.Random(1)
    for title in TITLES:
        noisy = noisy_variant(title, rng)
        assert noisy.kind in (*applicable_title_kinds(title), NoiseKind.NONE)
        assert (noisy.text == title) == (noisy.kind is NoiseKind.NONE)


def test_nordic_noise_on_a_title_without_nordic_letters_is_labelled_none() -> None:
    assert noisy_variant("Blue Night", random.Random(1), NoiseKind.NORDIC_STRIPPED).kind is NoiseKind.NONE
    assert NoiseKind.NORDIC_STRIPPED not in applicable_title_kinds("Blue Night")
    assert NoiseKind.NORDIC_STRIPPED in applicable_title_kinds("Blå natt")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (NoiseKind.NORDIC_STRIPPED, "Sommarnatt pa Oland, Thorsmork"),
        (NoiseKind.NORDIC_TRANSLITERATED, "Sommarnatt paa Oeland, Thorsmoerk"),
        (NoiseKind.NONE, "Sommarnatt på Öland, Þórsmörk"),
    ],
)
def test_nordic_letters_are_dropped_or_transliterated(kind: NoiseKind, expected: str) -> None:
    assert noisy_variant("Sommarnatt på Öland, Þórsmörk", random.Random(1), kind).text == expected


@pytest.mark.parametrize(
    "kind",
    [
        NoiseKind.CASE,
        NoiseKind.NORDIC_TRANSLITERATED,
        NoiseKind.FEATURED_ARTIST,
        NoiseKind.REMASTER_SUFFIX,
        NoiseKind.LIVE_SUFFIX,
        NoiseKind.EDIT_SUFFIX,
    ],
)
def test_noise_that_loses_nothing_normalises_back_to_the_strict_key(kind: NoiseKind) -> None:
    rng = random.Random(2)
    for title in TITLES:
        noisy = noisy_variant(title, rng, kind)
        assert normalise_title(noisy.text).strict == normalise_title(title).strict, noisy


def test_stripped_nordic_letters_normalise_back_to_the_loose_key() -> None:
    rng = random.Random(3)
    for title in TITLES:
        assert loose_key(noisy_variant(title, rng, NoiseKind.NORDIC_STRIPPED).text) == loose_key(title)


def test_suffix_and_credit_noise_is_recognised_as_such() -> None:
    rng = random.Random(4)
    for title in TITLES[:100]:
        assert normalise_title(noisy_variant(title, rng, NoiseKind.LIVE_SUFFIX).text).versions
        assert normalise_title(noisy_variant(title, rng, NoiseKind.REMASTER_SUFFIX).text).versions
        assert normalise_title(noisy_variant(title, rng, NoiseKind.FEATURED_ARTIST).text).featured


def test_a_typo_is_one_edit_on_a_letter() -> None:
    rng = random.Random(5)
    for title in TITLES:
        damaged = typo(title, rng)
        assert damaged != title
        assert OSA.distance(damaged, title) == 1


def test_a_typo_leaves_text_with_fewer_than_two_letters_alone() -> None:
    assert typo("A", random.Random(1)) == "A"
    assert typo("1 2 3", random.Random(1)) == "1 2 3"


def test_name_noise_keeps_the_name_recognisable() -> None:
    rng = random.Random(6)
    assert noisy_name("Evert Taube", rng, NoiseKind.NAME_REVERSED).text == "Taube, Evert"
    assert noisy_name("Þórður Jónsson", rng, NoiseKind.NORDIC_STRIPPED).text == "Thordur Jonsson"
    for kind in (NoiseKind.NAME_REVERSED, NoiseKind.CASE, NoiseKind.NORDIC_TRANSLITERATED):
        noisy = noisy_name("Søren Østergaard", rng, kind)
        assert normalise_name(noisy.text).key == normalise_name("Søren Østergaard").key


def test_every_title_kind_is_drawn_over_a_catalogue() -> None:
    rng = random.Random(7)
    drawn = {noisy_variant(title, rng).kind for title in TITLES}
    assert drawn >= set(TITLE_NOISE_KINDS)
