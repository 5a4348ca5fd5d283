"""Unit tests of nordclear.platform.domain.territories: licence territories and CISAC TIS codes."""

from __future__ import annotations

from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.domain.territories import (
    LICENCE_TERRITORIES,
    TIS_NORDIC_COUNTRIES,
    TIS_WORLD,
    Territory,
    parse_territory,
    parse_tis_code,
    resolve_tis_entries,
    territories_covered_by,
    territory_for_tis_code,
)
from nordclear.platform.errors import InvalidArgument

pytestmark = pytest.mark.unit

ALL_FIVE = frozenset({Territory.DK, Territory.FI, Territory.IS, Territory.NO, Territory.SE})

tis_codes = st.one_of(
    st.sampled_from([208, 246, 352, 578, 752, 826, 2100, 2111, 2120, 2121, 2122, 2123, 2127, 2131, 2136]),
    st.integers(min_value=1, max_value=999),
)
indicators = st.sampled_from(["I", "E", "i", "e", True, False])
entry_lists = st.lists(st.tuples(tis_codes, indicators), max_size=12)


def _as_any(value: object) -> Any:
    """Lets a test pass a wrongly typed value on purpose, as an untyped caller could."""
    return cast(Any, value)


@pytest.mark.parametrize(
    ("territory", "tis_code", "country_name"),
    [
        (Territory.DK, 208, "Denmark"),
        (Territory.FI, 246, "Finland"),
        (Territory.IS, 352, "Iceland"),
        (Territory.NO, 578, "Norway"),
        (Territory.SE, 752, "Sweden"),
    ],
)
def test_licence_territories_carry_their_tis_codes(
    territory: Territory, tis_code: int, country_name: str
) -> None:
    assert territory.tis_code == tis_code
    assert territory.country_name == country_name
    assert territory_for_tis_code(tis_code) == territory
    assert territory_for_tis_code(f"{tis_code:04d}") == territory


def test_there_are_exactly_five_licence_territories() -> None:
    assert LICENCE_TERRITORIES == ALL_FIVE
    assert (TIS_NORDIC_COUNTRIES, TIS_WORLD) == (2127, 2136)


@pytest.mark.parametrize(
    ("value", "territory"), [("DK", Territory.DK), (" se ", Territory.SE), ("is", Territory.IS)]
)
def test_parse_territory_accepts_iso_alpha_2_in_any_case(value: str, territory: Territory) -> None:
    assert parse_territory(value) is territory


@pytest.mark.parametrize(
    "value", ["", "GB", "DNK", "D K", "\N{FULLWIDTH LATIN CAPITAL LETTER D}K", "208", None, 208]
)
def test_parse_territory_refuses_anything_else(value: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        parse_territory(_as_any(value), field="licence.territories[2]")

    assert raised.value.field == "licence.territories[2]"
    assert "DK, FI, IS, NO, SE" in raised.value.rule


@pytest.mark.parametrize(
    ("value", "code"), [(208, 208), ("0208", 208), (" 2136 ", 2136), ("1", 1), (999, 999)]
)
def test_parse_tis_code_accepts_countries_and_groups(value: int | str, code: int) -> None:
    assert parse_tis_code(value) == code


@pytest.mark.parametrize(
    "value",
    [0, 1000, 2099, 2137, -208, "", "abc", "12345", "-1", "\N{FULLWIDTH DIGIT TWO}08", True, 208.0, None],
)
def test_parse_tis_code_refuses_codes_outside_tis(value: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        parse_tis_code(_as_any(value))

    assert raised.value.field == "tis_code"


def test_territory_for_tis_code_refuses_territories_outside_the_licence() -> None:
    with pytest.raises(InvalidArgument, match="licence territory"):
        territory_for_tis_code(826)


@pytest.mark.parametrize(
    ("tis_code", "covered"),
    [
        (2127, ALL_FIVE),
        (2136, ALL_FIVE),
        (2120, ALL_FIVE),
        (2121, ALL_FIVE),
        (2122, ALL_FIVE - {Territory.IS}),
        (2123, frozenset({Territory.DK, Territory.FI, Territory.SE})),
        (2131, frozenset({Territory.DK, Territory.NO, Territory.SE})),
        (578, frozenset({Territory.NO})),
        (826, frozenset()),
        (2111, frozenset()),
        (2109, frozenset()),
    ],
)
def test_territories_covered_by_tis_groups(tis_code: int, covered: frozenset[Territory]) -> None:
    assert territories_covered_by(tis_code) == covered


@pytest.mark.parametrize(
    ("entries", "covered"),
    [
        ([], frozenset()),
        ([(2136, "I"), (208, "E")], ALL_FIVE - {Territory.DK}),
        # Order matters: the later include overrides the earlier exclude.
        ([(208, "E"), (2136, "I")], ALL_FIVE),
        ([(2127, "I"), (752, "E"), (752, "I")], ALL_FIVE),
        ([(2131, "I"), (246, "I")], frozenset({Territory.DK, Territory.NO, Territory.SE, Territory.FI})),
        ([("0208", True), ("0352", "i")], frozenset({Territory.DK, Territory.IS})),
        ([(2136, "I"), (2127, "E")], frozenset()),
        # As in ackexample.V21 (WESO): SPT records with Baltic States and Nordic Countries included.
        ([("2109", "I"), ("2127", "I")], ALL_FIVE),
        # As in ackexample.V21: Belgium and Luxembourg only, nothing of the licence.
        ([("0056", "I"), ("0442", "I")], frozenset()),
    ],
)
def test_resolve_tis_entries_applies_entries_in_order(
    entries: list[tuple[int | str, str | bool]], covered: frozenset[Territory]
) -> None:
    assert resolve_tis_entries(entries) == covered


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ([(2136, "I"), (208, "X")], "spt[1].indicator"),
        ([(2136, "I"), (208, "")], "spt[1].indicator"),
        ([(2136, "I"), (208, None)], "spt[1].indicator"),
        ([(9999, "I")], "spt[0].tis_code"),
        ([(True, "I")], "spt[0].tis_code"),
        ([("208",)], "spt[0]"),
        (["208I"], "spt[0]"),
        ([(208, "I", "extra")], "spt[0]"),
    ],
)
def test_resolve_tis_entries_names_the_bad_entry(entries: list[object], field: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        resolve_tis_entries(_as_any(entries), field="spt")

    assert raised.value.field == field


@given(entries=entry_lists)
def test_resolved_territories_are_always_licence_territories(entries: list[tuple[int, str | bool]]) -> None:
    assert resolve_tis_entries(entries) <= LICENCE_TERRITORIES


@given(entries=entry_lists, code=tis_codes)
def test_a_final_entry_decides_its_own_territories(entries: list[tuple[int, str | bool]], code: int) -> None:
    earlier = resolve_tis_entries(entries)
    covered = territories_covered_by(code)

    assert resolve_tis_entries([*entries, (code, "I")]) == earlier | covered
    assert resolve_tis_entries([*entries, (code, "E")]) == earlier - covered


@given(entries=entry_lists)
def test_a_final_world_entry_overrides_everything_before_it(entries: list[tuple[int, str | bool]]) -> None:
    assert resolve_tis_entries([*entries, (TIS_WORLD, "I")]) == ALL_FIVE
    assert resolve_tis_entries([*entries, (TIS_WORLD, "E")]) == frozenset()
