"""Unit tests of nordclear.platform.domain.identifiers: ISWC, ISRC and IPI normalisation and checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.domain.identifiers import (
    format_iswc,
    ipi_base_number_check_digit,
    ipi_name_number_check,
    is_valid_ipi_base_number,
    is_valid_ipi_name_number,
    is_valid_isrc,
    is_valid_iswc,
    iswc_check_digit,
    normalise_ipi_base_number,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
)
from nordclear.platform.errors import InvalidArgument

pytestmark = pytest.mark.unit

Normaliser = Callable[[str], str]
Validator = Callable[[object], bool]

NORMALISERS: list[tuple[Normaliser, Validator]] = [
    (normalise_iswc, is_valid_iswc),
    (normalise_isrc, is_valid_isrc),
    (normalise_ipi_name_number, is_valid_ipi_name_number),
    (normalise_ipi_base_number, is_valid_ipi_base_number),
]
NORMALISER_IDS = ["iswc", "isrc", "ipi_name_number", "ipi_base_number"]

# ISWCs as found in the ISWC field (columns 96-106) of NWR/REV records in real CWR 2.1 files:
# CW220001000_DMP.V21, CW220001DMP_000.V21 (django-music-publisher) and ackexample.V21 (WESO).
REAL_ISWCS = [
    "T3005600277",
    "T1234567894",
    "T0605860067",
    "T0709769210",
    "T0710203681",
    "T0710203692",
    "T0710203705",
    "T0715741404",
    "T0722039635",
    "T7001652617",
    "T7001652628",
    "T9110536293",
    "T9110625279",
    "T9131110195",
    "T9135726748",
    "T9140110049",
    "T9140118598",
    "T9140118601",
]


def _as_any(value: object) -> Any:
    """Lets a test pass a wrongly typed value on purpose, as an untyped caller could."""
    return cast(Any, value)


def _iswc_from(nine_digits: str) -> str:
    return f"T{nine_digits}{iswc_check_digit(nine_digits)}"


# --- ISWC -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("iswc", REAL_ISWCS)
def test_real_iswcs_from_cwr_files_validate(iswc: str) -> None:
    assert normalise_iswc(iswc) == iswc
    assert is_valid_iswc(iswc)


@pytest.mark.parametrize(
    "written",
    [
        "T-123.456.789-4",
        "T1234567894",
        "t1234567894",
        " T 123 456 789 4 ",
        "T-123456789-4",
        "t-123.456.789-4\n",
    ],
)
def test_iswc_forms_normalise_to_the_stored_form(written: str) -> None:
    assert normalise_iswc(written) == "T1234567894"


def test_format_iswc_gives_the_dotted_display_form() -> None:
    assert format_iswc("t1234567894") == "T-123.456.789-4"
    assert format_iswc("T0722039635") == "T-072.203.963-5"


def test_wrong_iswc_check_digit_names_expected_and_actual() -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalise_iswc("T-123.456.789-3", field="works[0].iswc")

    assert raised.value.field == "works[0].iswc"
    assert raised.value.value == "T-123.456.789-3"
    assert raised.value.rule == "ISWC check digit must be 4, got 3"


def test_iswc_check_digit_matches_the_brief_formula() -> None:
    # 1 + 1·1 + 2·2 + ... + 9·9 = 286; (10 - 286 mod 10) mod 10 = 4.
    assert iswc_check_digit("123456789") == 4
    # Sum 1 only: (10 - 1) mod 10 = 9.
    assert iswc_check_digit("000000000") == 9


@given(nine_digits=st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_generated_iswcs_round_trip_through_the_display_form(nine_digits: str) -> None:
    iswc = _iswc_from(nine_digits)

    assert normalise_iswc(format_iswc(iswc)) == iswc


@given(
    nine_digits=st.text(alphabet="0123456789", min_size=9, max_size=9),
    wrong=st.integers(min_value=1, max_value=9),
)
def test_any_wrong_iswc_check_digit_is_caught(nine_digits: str, wrong: int) -> None:
    iswc = _iswc_from(nine_digits)
    altered = iswc[:10] + str((int(iswc[10]) + wrong) % 10)

    assert not is_valid_iswc(altered)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "T",
        "T123456789",
        "T12345678945",
        "X1234567894",
        "1234567894",
        "T-123.456.789-4X",
        "T_123_456_789_4",
        "\N{FULLWIDTH LATIN CAPITAL LETTER T}1234567894",
        "T" + "\N{ARABIC-INDIC DIGIT ONE}" * 10,
        "T1234567894\x00",
        "T" + "1" * 1000,
    ],
)
def test_malformed_iswcs_are_invalid_argument(value: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalise_iswc(value)

    assert raised.value.field == "iswc"
    assert len(str(raised.value)) < 400


# --- ISRC --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("US-RC1-76-07839", "USRC17607839"),
        ("usrc17607839", "USRC17607839"),
        ("GB AYE 06 01498", "GBAYE0601498"),
        ("SE-A1B-24-00001", "SEA1B2400001"),
    ],
)
def test_isrc_forms_normalise_to_twelve_upper_case_characters(written: str, stored: str) -> None:
    assert normalise_isrc(written) == stored
    assert is_valid_isrc(written)


@pytest.mark.parametrize(
    ("value", "rule_part"),
    [
        ("1SRC17607839", "country code (characters 1-2) must be 2 letters"),
        ("USR_17607839", "registrant code (characters 3-5) must be 3 letters or digits"),
        ("USRC1A607839", "year (characters 6-7) must be 2 digits"),
        ("USRC1760783X", "designation code (characters 8-12) must be 5 digits"),
        ("USRC1760783", "has 12 characters"),
        ("USRC176078391", "has 12 characters"),
        ("US.RC1.76.07839", "has 12 characters"),
    ],
)
def test_malformed_isrc_names_the_broken_part(value: str, rule_part: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalise_isrc(value, field="recordings[3].isrc")

    assert raised.value.field == "recordings[3].isrc"
    assert raised.value.value == value
    assert rule_part in raised.value.rule


# --- IPI name number ------------------------------------------------------------------------------------


def test_publisher_ipi_from_django_music_publisher_files_passes() -> None:
    assert normalise_ipi_name_number("09000000020") == "09000000020"
    assert ipi_name_number_check("090000000") == 20


def test_demo_ipi_from_the_cwr_22_example_fails_its_check() -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalise_ipi_name_number("00854632549", field="publishers[0].ipi_name_number")

    assert raised.value.field == "publishers[0].ipi_name_number"
    assert raised.value.value == "00854632549"
    assert raised.value.rule == "IPI name number check digits must be 21, got 49"
    assert not is_valid_ipi_name_number("00854632549")


def test_nine_digit_ipi_name_numbers_are_zero_padded() -> None:
    # 00014107338: the nine-digit form 014107338 from an older file.
    assert normalise_ipi_name_number("014107338") == "00014107338"
    assert normalise_ipi_name_number(" 00014107338 ") == "00014107338"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0900000002",
        "090000000200",
        "0900000002O",
        "09 000 000 020",
        "-9000000020",
        "00000000000",
        "000000000",
    ],
)
def test_malformed_ipi_name_numbers_are_invalid_argument(value: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalise_ipi_name_number(value)

    assert raised.value.field == "ipi_name_number"


def test_all_zero_ipi_name_number_is_refused_as_a_placeholder() -> None:
    with pytest.raises(InvalidArgument, match="placeholder"):
        normalise_ipi_name_number("00000000000")


# --- IPI base number --------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["I-000000229-7", "i0000002297", " I 000000229 7 "])
def test_ipi_base_number_forms_normalise_to_the_hyphenated_form(written: str) -> None:
    assert normalise_ipi_base_number(written) == "I-000000229-7"


def test_ipi_base_number_sum_starts_at_two_not_one() -> None:
    # For 000000229 the ISWC rule (sum from 1) gives 8, the IPI base rule (sum from 2) gives 7.
    assert iswc_check_digit("000000229") == 8
    assert ipi_base_number_check_digit("000000229") == 7
    with pytest.raises(InvalidArgument) as raised:
        normalise_ipi_base_number("I-000000229-8")
    assert raised.value.rule == "IPI base number check digit must be 7, got 8"


@pytest.mark.parametrize("value", ["", "I-00000229-7", "T-000000229-7", "I-000000229-", "I.000000229.7"])
def test_malformed_ipi_base_numbers_are_invalid_argument(value: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalise_ipi_base_number(value)

    assert raised.value.field == "ipi_base_number"


# --- every normaliser --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("normalise", "is_valid"), NORMALISERS, ids=NORMALISER_IDS)
@pytest.mark.parametrize("value", [None, 1234567894, 12.5, b"T1234567894", ["T1234567894"], object()])
def test_non_text_values_are_invalid_argument(
    normalise: Normaliser, is_valid: Validator, value: object
) -> None:
    with pytest.raises(InvalidArgument):
        normalise(_as_any(value))
    assert not is_valid(value)


@pytest.mark.parametrize("helper", [iswc_check_digit, ipi_base_number_check_digit, ipi_name_number_check])
@pytest.mark.parametrize(
    "value", ["12345678", "1234567890", "12345678X", "\N{ARABIC-INDIC DIGIT ONE}" * 9, ""]
)
def test_check_digit_helpers_need_exactly_nine_ascii_digits(helper: Callable[[str], int], value: str) -> None:
    with pytest.raises(InvalidArgument):
        helper(value)


@pytest.mark.parametrize(("normalise", "is_valid"), NORMALISERS, ids=NORMALISER_IDS)
@given(value=st.text(max_size=40))
def test_fuzzed_text_is_normalised_or_invalid_argument(
    normalise: Normaliser, is_valid: Validator, value: str
) -> None:
    try:
        normalised = normalise(value)
    except InvalidArgument:
        assert not is_valid(value)
        return
    # A normalised value is a fixed point: normalising it again changes nothing.
    assert normalise(normalised) == normalised
    assert is_valid(value)


@pytest.mark.parametrize(("normalise", "is_valid"), NORMALISERS, ids=NORMALISER_IDS)
@given(value=st.text(alphabet="TtIiUSGB0123456789-. \t", max_size=20))
def test_fuzzed_near_identifiers_are_normalised_or_invalid_argument(
    normalise: Normaliser, is_valid: Validator, value: str
) -> None:
    # An alphabet close to real identifiers reaches the check-digit code far more often than random text.
    try:
        normalised = normalise(value)
    except InvalidArgument:
        assert not is_valid(value)
        return
    assert normalise(normalised) == normalised
    assert normalised.isascii()
    assert normalised == normalised.upper()
