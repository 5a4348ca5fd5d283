"""Unit tests of nordclear.platform.domain.societies: the member societies and the CISAC code list."""

from __future__ import annotations

from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.domain.money import DKK, EUR, ISK, NOK, SEK, Currency
from nordclear.platform.domain.societies import (
    KODA,
    MEMBER_SOCIETIES,
    NCB_CISAC_CODE,
    STEF,
    STIM,
    TEOSTO,
    TONO,
    Society,
    cisac_societies,
    cisac_society,
    cisac_society_name,
    is_member_society_code,
    normalise_cisac_code,
    society_by_code,
    society_by_name,
    society_for_territory,
)
from nordclear.platform.domain.territories import LICENCE_TERRITORIES, Territory
from nordclear.platform.errors import InvalidArgument

pytestmark = pytest.mark.unit

# Rows in the packaged cisac_societies.csv (one society per line, no header).
CISAC_LIST_ROWS = 384


def _as_any(value: object) -> Any:
    """Lets a test pass a wrongly typed value on purpose, as an untyped caller could."""
    return cast(Any, value)


@pytest.mark.parametrize(
    ("society", "name", "code", "territory", "tis_code", "currency"),
    [
        (KODA, "KODA", "040", Territory.DK, 208, DKK),
        (STEF, "STEF", "077", Territory.IS, 352, ISK),
        (STIM, "STIM", "079", Territory.SE, 752, SEK),
        (TEOSTO, "TEOSTO", "089", Territory.FI, 246, EUR),
        (TONO, "TONO", "090", Territory.NO, 578, NOK),
    ],
)
def test_member_societies_match_the_brief(
    society: Society, name: str, code: str, territory: Territory, tis_code: int, currency: Currency
) -> None:
    assert (society.name, society.cisac_code, society.territory, society.currency) == (
        name,
        code,
        territory,
        currency,
    )
    assert society.tis_code == tis_code
    assert society_by_code(code) is society
    assert society_by_name(name.lower()) is society
    assert society_for_territory(territory) is society
    assert society_for_territory(territory.value.lower()) is society


def test_every_licence_territory_has_exactly_one_member_society() -> None:
    assert len(MEMBER_SOCIETIES) == 5
    assert {society.territory for society in MEMBER_SOCIETIES} == LICENCE_TERRITORIES


def test_stef_settles_in_whole_kronur() -> None:
    assert STEF.currency.minor_digits == 0


@pytest.mark.parametrize("value", ["40", "040", 40, " 40 "])
def test_society_codes_are_found_with_or_without_leading_zeros(value: int | str) -> None:
    assert society_by_code(value) is KODA
    assert is_member_society_code(value)


@pytest.mark.parametrize(("value", "code"), [(0, "000"), ("7", "007"), ("079", "079"), (888, "888")])
def test_normalise_cisac_code_pads_to_three_digits(value: int | str, code: str) -> None:
    assert normalise_cisac_code(value) == code


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0400",
        "4a",
        "-40",
        "\N{ARABIC-INDIC DIGIT FOUR}\N{ARABIC-INDIC DIGIT ZERO}",
        -40,
        1000,
        True,
        None,
        40.0,
    ],
)
def test_malformed_cisac_codes_are_invalid_argument(value: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalise_cisac_code(_as_any(value), field="licence.issuer")

    assert raised.value.field == "licence.issuer"
    assert "1 to 3 digits" in raised.value.rule
    assert not is_member_society_code(value)


def test_ncb_is_a_known_society_but_not_a_member() -> None:
    assert NCB_CISAC_CODE == "048"
    assert cisac_society_name(NCB_CISAC_CODE) == "NCB"
    with pytest.raises(InvalidArgument, match="member society"):
        society_by_code(NCB_CISAC_CODE)
    assert not is_member_society_code("48")


@pytest.mark.parametrize("name", ["NCB", "ASCAP", "", "KODA DK", "\N{FULLWIDTH LATIN CAPITAL LETTER K}ODA"])
def test_society_by_name_refuses_non_members(name: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        society_by_name(name)

    assert raised.value.field == "society"


def test_society_for_territory_refuses_territories_outside_the_licence() -> None:
    with pytest.raises(InvalidArgument):
        society_for_territory("GB")


def test_the_packaged_cisac_list_parses_completely() -> None:
    societies = cisac_societies()

    assert len(societies) == CISAC_LIST_ROWS
    assert all(len(code) == 3 and code.isdigit() for code in societies)
    assert all(society.name and society.country for society in societies.values())


def test_cisac_list_rows_with_quoted_commas_and_non_ascii_names() -> None:
    assert cisac_society("83").country == "CONGO, THE DEMOCRATIC REPUBLIC OF THE"
    assert cisac_society_name(161) == "MÜST"
    assert cisac_society_name("010") == "ASCAP"


@pytest.mark.parametrize(
    ("society", "country"),
    [(KODA, "DENMARK"), (STEF, "ICELAND"), (STIM, "SWEDEN"), (TEOSTO, "FINLAND"), (TONO, "NORWAY")],
)
def test_member_societies_agree_with_the_cisac_list(society: Society, country: str) -> None:
    listed = cisac_society(society.cisac_code)

    assert listed.name == society.name
    assert listed.country == country


def test_unknown_cisac_code_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgument, match="not a code in the CISAC society list") as raised:
        cisac_society_name("999", field="rows[4].society_code")

    assert raised.value.field == "rows[4].society_code"


@given(code=st.integers(min_value=0, max_value=999))
def test_every_written_form_of_a_code_normalises_alike(code: int) -> None:
    expected = f"{code:03d}"

    assert normalise_cisac_code(code) == expected
    assert normalise_cisac_code(str(code)) == expected
    assert normalise_cisac_code(expected) == expected
