"""Unit tests of title and name normalisation: Nordic letters, transliteration, credits and versions."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.repertoire.search import normalise
from nordclear.repertoire.search.normalise import (
    MAX_INPUT_CHARS,
    loose_key,
    normalise_name,
    normalise_title,
    split_title,
    strict_key,
    tokens,
)

pytestmark = pytest.mark.unit


def test_the_documented_examples_hold() -> None:
    result = doctest.testmod(normalise, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("spelling", ["Malmö", "Malmo", "Malmoe", "MALMÖ", "malmö!", " Malmö "])
def test_every_common_spelling_of_malmo_shares_the_loose_key(spelling: str) -> None:
    assert loose_key(spelling) == "malmo"


def test_the_strict_key_keeps_the_nordic_transliteration_apart_from_a_dropped_accent() -> None:
    assert strict_key("Malmö") == strict_key("Malmoe") == "malmoe"
    assert strict_key("Malmo") == "malmo"


@pytest.mark.parametrize(
    ("written", "strict"),
    [
        ("Þórður", "thordur"),
        ("Thordur", "thordur"),
        ("ÞÓRÐUR", "thordur"),
        ("Guðrún", "gudrun"),
        ("Ærø", "aeroe"),
        ("Sørensen", "soerensen"),
        ("Århus", "aarhus"),
        ("Mäkelä", "maekelae"),
        ("Straße", "strasse"),
        ("Café Déjà Vu", "cafe deja vu"),
    ],
)
def test_nordic_letters_are_transliterated_deliberately(written: str, strict: str) -> None:
    assert strict_key(written) == strict


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Århus", "Arhus"),
        ("Aarhus", "Arhus"),
        ("Mäkelä", "Makela"),
        ("Kærlighed", "Kaerlighed"),
        ("Søndag", "Sondag"),
    ],
)
def test_loose_keys_meet_across_transliterations(first: str, second: str) -> None:
    assert loose_key(first) == loose_key(second)


def test_case_punctuation_and_whitespace_do_not_matter() -> None:
    assert strict_key("  Don't   STOP,  me-now!! ") == strict_key("dont stop me now") == "dont stop me now"
    assert strict_key("Don\u2019t stop") == "dont stop"


def test_compatibility_forms_are_folded() -> None:
    # Full-width letters and ligatures come out of copy-paste more often than one would think.
    assert strict_key("\uff21\uff22\uff23 \ufb01re") == "abc fire"  # full-width ABC, the fi ligature
    assert strict_key("o\u0308l") == strict_key("öl") == "oel"  # decomposed ö


def test_other_scripts_are_kept_as_letters() -> None:
    assert strict_key("Кино — Группа крови") == "кино группа крови"


def test_tokens_are_the_words_of_the_loose_key() -> None:
    assert tokens("Sommar, sommar och sol!") == ("somar", "somar", "och", "sol")


@pytest.mark.parametrize(
    ("written", "base", "featured", "versions"),
    [
        ("Sommarnatt - Remastered 2011", "Sommarnatt", (), ("Remastered 2011",)),
        ("Sommarnatt (Live)", "Sommarnatt", (), ("Live",)),
        ("Sommarnatt (Radio Edit)", "Sommarnatt", (), ("Radio Edit",)),
        ("Sommarnatt [Demo]", "Sommarnatt", (), ("Demo",)),
        ("Sommarnatt - Remix", "Sommarnatt", (), ("Remix",)),
        ("Sommarnatt (Akustisk)", "Sommarnatt", (), ("Akustisk",)),
        ("Sommarnatt feat. Lisa Ekdahl", "Sommarnatt", ("Lisa Ekdahl",), ()),
        ("Sommarnatt ft. Lisa Ekdahl", "Sommarnatt", ("Lisa Ekdahl",), ()),
        ("Sommarnatt featuring Lisa Ekdahl & Ola Salo", "Sommarnatt", ("Lisa Ekdahl", "Ola Salo"), ()),
        ("Sommarnatt (feat. Lisa Ekdahl)", "Sommarnatt", ("Lisa Ekdahl",), ()),
        (
            "Sommarnatt (feat. Lisa Ekdahl) - Live at Gröna Lund",
            "Sommarnatt",
            ("Lisa Ekdahl",),
            ("Live at Gröna Lund",),
        ),
        ("Sommarnatt (Live) - Remastered 2011", "Sommarnatt", (), ("Live", "Remastered 2011")),
        ("Sommarnatt \u2013 Live", "Sommarnatt", (), ("Live",)),
    ],
)
def test_credits_and_version_suffixes_are_split_off_and_kept(
    written: str, base: str, featured: tuple[str, ...], versions: tuple[str, ...]
) -> None:
    assert split_title(written) == (base, featured, versions)
    title = normalise_title(written)
    assert (title.strict, title.featured, title.versions) == ("sommarnatt", featured, versions)


@pytest.mark.parametrize(
    ("written", "strict"),
    [
        ("(I Can't Get No) Satisfaction", "i cant get no satisfaction"),
        ("Visa (vid vindens ängar)", "visa vid vindens aengar"),
        ("Hej - hopp", "hej hopp"),
        ("Live", "live"),
        ("(Live)", "live"),
        ("Feat. of Clay", "feat of clay"),
    ],
)
def test_brackets_and_dashes_that_name_no_version_stay_in_the_title(written: str, strict: str) -> None:
    title = normalise_title(written)
    assert title.strict == strict
    assert title.versions == ()


@pytest.mark.parametrize(
    "written", ["Evert Taube", "Taube, Evert", "TAUBE EVERT", "taube evert", " Taube ,Evert "]
)
def test_name_word_order_does_not_matter(written: str) -> None:
    assert normalise_name(written).key == "evert taube"


def test_a_last_first_name_is_turned_round() -> None:
    assert normalise_name("Taube, Evert").strict == "evert taube"
    assert (
        normalise_name("Þórðarson, Jón").strict == normalise_name("Jon Thordarson").strict == "jon thordarson"
    )


def test_a_name_with_several_commas_is_left_in_order() -> None:
    assert normalise_name("Andersson, Benny, Ulvaeus").strict == "andersson benny ulvaeus"


def test_huge_input_is_cut_rather_than_processed_whole() -> None:
    assert len(strict_key("å" * 100_000)) == 2 * MAX_INPUT_CHARS
    assert len(normalise_title("a (" * 50_000).strict) <= MAX_INPUT_CHARS


@given(st.text(max_size=200))
def test_any_text_normalises_without_error_to_a_stable_key(text: str) -> None:
    title = normalise_title(text)
    assert title.tokens == tuple(title.loose.split())
    assert title.strict == title.strict.strip()
    assert "  " not in title.strict


_LATIN_AND_NORDIC = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzåäöøæþðéáüABCÅÄÖØÆÞÐ 0123456789-'.,!()"), max_size=60
)


@given(_LATIN_AND_NORDIC)
def test_keys_are_idempotent_and_loose_refines_strict(text: str) -> None:
    strict = strict_key(text)
    assert strict_key(strict) == strict
    assert loose_key(strict) == loose_key(text)
    assert loose_key(loose_key(text)) == loose_key(text)
    assert strict.isascii()
