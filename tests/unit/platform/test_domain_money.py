"""Unit tests of nordclear.platform.domain.money: exact amounts, exact splits, exact conversion."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.domain.money import (
    AMOUNT_MINOR_MAX,
    AMOUNT_MINOR_MIN,
    DKK,
    EUR,
    GBP,
    ISK,
    NOK,
    SEK,
    USD,
    Currency,
    CurrencyMismatch,
    Money,
    allocate,
    allocate_money,
    convert,
    parse_fx_rate,
    split_equally,
    sum_money,
)
from nordclear.platform.errors import InvalidArgument

pytestmark = pytest.mark.unit

ALL_CURRENCIES = (DKK, EUR, GBP, ISK, NOK, SEK, USD)
currencies = st.sampled_from(ALL_CURRENCIES)
int64_amounts = st.integers(min_value=AMOUNT_MINOR_MIN, max_value=AMOUNT_MINOR_MAX)
totals = st.integers(min_value=-(10**15), max_value=10**15)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(
    lambda weights: sum(weights) > 0
)


def _as_any(value: object) -> Any:
    """Lets a test pass a wrongly typed value on purpose, as an untyped caller could."""
    return cast(Any, value)


# --- Currency -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "minor_digits"),
    [("DKK", 2), ("ISK", 0), ("SEK", 2), ("EUR", 2), ("NOK", 2), ("USD", 2), ("GBP", 2)],
)
def test_known_currencies_have_their_iso_minor_digits(code: str, minor_digits: int) -> None:
    currency = Currency.of(code)

    assert currency.code == code
    assert currency.minor_digits == minor_digits
    assert currency.minor_per_major == 10**minor_digits


def test_currency_code_is_normalised_for_case_and_spaces() -> None:
    assert Currency.of(" dkk ") == DKK


@pytest.mark.parametrize("code", ["XYZ", "", "DK", "DKKK", "\N{LATIN SMALL LETTER DOTLESS I}sk", "€", "JPY"])
def test_unknown_currency_is_invalid_argument_naming_field_and_value(code: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        Currency.of(code, field="settlement_currency")

    assert raised.value.field == "settlement_currency"
    assert raised.value.value == code
    assert "ISO 4217" in raised.value.rule


def test_currency_with_wrong_minor_digits_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="ISK has 0 minor digits"):
        Currency("ISK", 2)


def test_currency_rejects_non_int_minor_digits() -> None:
    with pytest.raises(InvalidArgument):
        Currency("DKK", _as_any(2.0))


# --- Money construction and formatting ------------------------------------------------------------


@pytest.mark.parametrize("amount", [1.0, 0.1, Decimal("1"), Decimal("0.5"), True, "100", None])
def test_money_refuses_anything_but_int_minor_units(amount: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        Money(DKK, _as_any(amount))

    assert raised.value.field == "amount_minor"


def test_float_refusal_says_floats_are_never_accepted() -> None:
    with pytest.raises(InvalidArgument, match="floats are never accepted"):
        Money(SEK, _as_any(12.5))


def test_money_refuses_amounts_outside_64_bits() -> None:
    Money(DKK, AMOUNT_MINOR_MAX)
    Money(DKK, AMOUNT_MINOR_MIN)
    with pytest.raises(InvalidArgument, match="64 bits"):
        Money(DKK, AMOUNT_MINOR_MAX + 1)
    with pytest.raises(InvalidArgument, match="64 bits"):
        Money(DKK, AMOUNT_MINOR_MIN - 1)


def test_money_refuses_a_currency_code_in_place_of_a_currency() -> None:
    with pytest.raises(InvalidArgument) as raised:
        Money(_as_any("DKK"), 100)

    assert raised.value.field == "currency"


def test_money_of_accepts_a_currency_code() -> None:
    assert Money.of("nok", 250) == Money(NOK, 250)


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(DKK, 12345), "123.45"),
        (Money(DKK, -5), "-0.05"),
        (Money(DKK, 0), "0.00"),
        (Money(EUR, 100), "1.00"),
        (Money(ISK, 12345), "12345"),
        (Money(ISK, -7), "-7"),
    ],
)
def test_to_decimal_string_writes_exactly_the_currency_decimals(money: Money, text: str) -> None:
    assert money.to_decimal_string() == text
    assert str(money) == f"{text} {money.currency.code}"
    assert money.to_decimal() == Decimal(text)


# --- Parsing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "amount_minor"),
    [
        ("123.45", DKK, 12345),
        ("123.4", DKK, 12340),
        ("123", DKK, 12300),
        ("-0.05", SEK, -5),
        (" 7.10 ", EUR, 710),
        ("0", NOK, 0),
        ("1500", ISK, 1500),
        ("-1500", ISK, -1500),
        ("007.00", USD, 700),
    ],
)
def test_parse_reads_major_units_in_the_currency_minor_digits(
    text: str, currency: Currency, amount_minor: int
) -> None:
    assert Money.parse(text, currency) == Money(currency, amount_minor)


def test_parse_of_decimals_in_isk_is_refused_naming_the_value() -> None:
    with pytest.raises(InvalidArgument) as raised:
        Money.parse("1.5", ISK, field="line_amount")

    assert raised.value.field == "line_amount"
    assert raised.value.value == "1.5"
    assert "ISK has no minor unit" in raised.value.rule
    assert "'1.5'" in str(raised.value)


@pytest.mark.parametrize(("text", "currency"), [("1.0", ISK), ("1.234", DKK), ("0.001", EUR), ("1.500", SEK)])
def test_parse_refuses_more_decimals_than_the_currency_has(text: str, currency: Currency) -> None:
    with pytest.raises(InvalidArgument, match="decimal"):
        Money.parse(text, currency)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "1,50",
        "1e3",
        "+1",
        ".5",
        "5.",
        "1 000",
        "abc",
        "--1",
        "1.2.3",
        "\N{ARABIC-INDIC DIGIT ONE}",
        "\N{FULLWIDTH DIGIT ONE}",
        "NaN",
        "Infinity",
    ],
)
def test_parse_refuses_text_that_is_not_a_plain_decimal(text: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        Money.parse(text, DKK)

    assert raised.value.field == "amount"


def test_parse_refuses_non_text_and_overlong_text() -> None:
    with pytest.raises(InvalidArgument):
        Money.parse(_as_any(None), DKK)
    with pytest.raises(InvalidArgument):
        Money.parse(_as_any(12.5), DKK)
    with pytest.raises(InvalidArgument) as raised:
        Money.parse("9" * 10_000, DKK)
    # The error repeats only the start of a hostile value, not all of it.
    assert len(str(raised.value)) < 400


def test_parse_refuses_amounts_beyond_64_bits() -> None:
    with pytest.raises(InvalidArgument, match="64 bits"):
        Money.parse("92233720368547758.08", DKK)


@given(currency=currencies, amount_minor=int64_amounts)
def test_parse_reads_back_what_to_decimal_string_writes(currency: Currency, amount_minor: int) -> None:
    money = Money(currency, amount_minor)

    assert Money.parse(money.to_decimal_string(), currency) == money
    assert Money.from_major(money.to_decimal(), currency) == money


@given(text=st.text(max_size=50), currency=currencies)
def test_parse_of_any_text_gives_money_or_invalid_argument(text: str, currency: Currency) -> None:
    try:
        money = Money.parse(text, currency)
    except InvalidArgument:
        return
    assert Money.parse(money.to_decimal_string(), currency) == money


# --- from_major ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "amount_minor"),
    [
        (Decimal("1.500"), DKK, 150),
        (Decimal("-0.01"), EUR, -1),
        (Decimal("1E+3"), ISK, 1000),
        (Decimal("0E-1000"), DKK, 0),
        (Decimal("12.000"), ISK, 12),
        (5, ISK, 5),
        (5, SEK, 500),
    ],
)
def test_from_major_accepts_exact_values_with_whole_minor_units(
    amount: Decimal | int, currency: Currency, amount_minor: int
) -> None:
    assert Money.from_major(amount, currency) == Money(currency, amount_minor)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        (Decimal("1.505"), DKK),
        (Decimal("0.5"), ISK),
        (Decimal("1E-1000"), DKK),
        (Decimal("1.0000000000000000000000000000001"), DKK),
    ],
)
def test_from_major_refuses_a_fraction_of_a_minor_unit(amount: Decimal, currency: Currency) -> None:
    with pytest.raises(InvalidArgument, match="fraction of a minor unit"):
        Money.from_major(amount, currency)


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("1E+30"), 1.5, True, "1"])
def test_from_major_refuses_floats_non_finite_and_huge_values(amount: object) -> None:
    with pytest.raises(InvalidArgument):
        Money.from_major(_as_any(amount), DKK)


# --- Arithmetic ----------------------------------------------------------------------------------------


def test_add_and_subtract_in_one_currency() -> None:
    assert Money(DKK, 150) + Money(DKK, 25) == Money(DKK, 175)
    assert Money(DKK, 150) - Money(DKK, 175) == Money(DKK, -25)
    assert -Money(ISK, 7) == Money(ISK, -7)


@pytest.mark.parametrize(
    ("operation", "apply"), [("add", operator.add), ("subtract", operator.sub)], ids=["add", "subtract"]
)
def test_mixing_currencies_raises_currency_mismatch(
    operation: str, apply: Callable[[Money, Money], Money]
) -> None:
    with pytest.raises(CurrencyMismatch) as raised:
        apply(Money(DKK, 100), Money(SEK, 100))

    assert isinstance(raised.value, InvalidArgument)
    assert raised.value.field == "currency"
    assert raised.value.value == "SEK"
    assert raised.value.expected == DKK
    assert f"to {operation} DKK" in raised.value.rule


def test_comparison_within_a_currency_and_mismatch_across() -> None:
    assert Money(EUR, 1) < Money(EUR, 2)
    assert Money(EUR, 2) <= Money(EUR, 2)
    assert Money(EUR, 3) > Money(EUR, 2)
    assert Money(EUR, 2) >= Money(EUR, 2)
    with pytest.raises(CurrencyMismatch):
        _ = Money(EUR, 1) < Money(NOK, 2)
    # Equality across currencies is simply false: 100 øre are not 100 öre.
    assert Money(DKK, 100) != Money(SEK, 100)


def test_adding_a_plain_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = Money(DKK, 1) + _as_any(1)


def test_is_zero_and_is_negative() -> None:
    assert Money.zero("ISK").is_zero()
    assert Money(DKK, -1).is_negative()
    assert not Money(DKK, 0).is_negative()


def test_sum_money_totals_exactly_and_refuses_other_currencies() -> None:
    assert sum_money([], DKK) == Money(DKK, 0)
    assert sum_money([Money(DKK, 1), Money(DKK, 2), Money(DKK, -4)], "DKK") == Money(DKK, -1)
    with pytest.raises(CurrencyMismatch):
        sum_money([Money(DKK, 1), Money(SEK, 2)], DKK)


@given(a=int64_amounts, b=int64_amounts, currency=currencies)
def test_add_is_exact_or_refuses_overflow(a: int, b: int, currency: Currency) -> None:
    try:
        total = Money(currency, a) + Money(currency, b)
    except InvalidArgument:
        assert not AMOUNT_MINOR_MIN <= a + b <= AMOUNT_MINOR_MAX
        return
    assert total.amount_minor == a + b
    assert total - Money(currency, b) == Money(currency, a)


# --- allocate -------------------------------------------------------------------------------------------


@given(total_minor=totals, weights=weight_lists)
def test_allocate_parts_sum_exactly_to_the_total(total_minor: int, weights: list[int]) -> None:
    assert sum(allocate(total_minor, weights)) == total_minor


@given(total_minor=totals, weights=weight_lists)
def test_allocate_parts_are_within_one_unit_of_the_exact_share(total_minor: int, weights: list[int]) -> None:
    weight_total = sum(weights)
    for part, weight in zip(allocate(total_minor, weights), weights, strict=True):
        exact_share = Fraction(total_minor * weight, weight_total)
        assert abs(part - exact_share) < 1
        # Each part is the share rounded towards zero, plus at most one unit away from zero.
        toward_zero = int(exact_share)
        assert part in (toward_zero, toward_zero + (1 if total_minor >= 0 else -1))


@given(total_minor=totals, weights=weight_lists)
def test_allocate_is_deterministic_and_gives_zero_weights_nothing(
    total_minor: int, weights: list[int]
) -> None:
    parts = allocate(total_minor, weights)

    assert allocate(total_minor, list(weights)) == parts
    assert all(part == 0 for part, weight in zip(parts, weights, strict=True) if weight == 0)


@given(total_minor=totals, weights=weight_lists)
def test_allocate_of_a_negative_total_mirrors_the_positive_one(total_minor: int, weights: list[int]) -> None:
    assert allocate(-total_minor, weights) == [-part for part in allocate(total_minor, weights)]


@given(total_minor=st.integers(min_value=0, max_value=10**15), weights=weight_lists)
def test_allocate_never_gives_a_larger_weight_less(total_minor: int, weights: list[int]) -> None:
    parts = allocate(total_minor, weights)
    for i, weight_i in enumerate(weights):
        for j, weight_j in enumerate(weights):
            if weight_i > weight_j:
                assert parts[i] >= parts[j]


@given(total_minor=st.integers(min_value=0, max_value=10**6), n=st.integers(min_value=1, max_value=50))
def test_ties_go_to_the_lowest_index(total_minor: int, n: int) -> None:
    parts = allocate(total_minor, [7] * n)

    assert parts == sorted(parts, reverse=True)
    assert max(parts) - min(parts) <= 1


@pytest.mark.parametrize(
    ("total_minor", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (1, [1, 1, 1], [1, 0, 0]),
        (2, [1, 1, 1], [1, 1, 0]),
        (-1, [1, 1, 1], [-1, 0, 0]),
        # Largest remainder, not lowest index: 10 by 1:2 is 3.33 + 6.67, the spare unit goes to 6.67.
        (10, [1, 2], [3, 7]),
        (10, [2, 1], [7, 3]),
        # 100 % in CWR hundredths of a percent: 33.33 / 33.33 / 33.34.
        (1000, [3333, 3333, 3334], [333, 333, 334]),
        (5, [0, 1, 0], [0, 5, 0]),
        (0, [1, 2, 3], [0, 0, 0]),
        (0, [0, 0], [0, 0]),
        (0, [], []),
    ],
)
def test_allocate_known_splits(total_minor: int, weights: list[int], parts: list[int]) -> None:
    assert allocate(total_minor, weights) == parts


def test_allocate_with_zero_total_weight_and_non_zero_total_is_invalid() -> None:
    with pytest.raises(InvalidArgument) as raised:
        allocate(100, [0, 0])

    assert raised.value.field == "weights"
    assert "at least one weight must be positive" in raised.value.rule
    with pytest.raises(InvalidArgument):
        allocate(1, [])


@pytest.mark.parametrize("weights", [[1, -1], [1, 1.5], [True, 1], [1, None], [Fraction(1, 2)]])
def test_allocate_refuses_negative_or_non_integer_weights(weights: list[object]) -> None:
    with pytest.raises(InvalidArgument) as raised:
        allocate(100, _as_any(weights))

    assert raised.value.field.startswith("weights[")
    assert "non-negative integer" in raised.value.rule


@pytest.mark.parametrize("weights", ["123", 12, None, {1, 2}])
def test_allocate_refuses_weights_that_are_not_a_sequence(weights: object) -> None:
    with pytest.raises(InvalidArgument):
        allocate(100, _as_any(weights))


@pytest.mark.parametrize("total", [1.0, Decimal("1"), True, "1"])
def test_allocate_refuses_a_non_int_total(total: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        allocate(_as_any(total), [1, 1])

    assert raised.value.field == "total_minor"


@given(
    amount_minor=st.integers(min_value=-(10**12), max_value=10**12), weights=weight_lists, currency=currencies
)
def test_allocate_money_keeps_currency_and_total(
    amount_minor: int, weights: list[int], currency: Currency
) -> None:
    parts = allocate_money(Money(currency, amount_minor), weights)

    assert all(part.currency == currency for part in parts)
    assert sum_money(parts, currency) == Money(currency, amount_minor)


def test_split_equally_gives_extras_to_the_first_parts() -> None:
    assert split_equally(10, 3) == [4, 3, 3]
    assert split_equally(-10, 3) == [-4, -3, -3]
    assert split_equally(2, 5) == [1, 1, 0, 0, 0]


@pytest.mark.parametrize("n", [0, -1, True, 2.0])
def test_split_equally_needs_at_least_one_part(n: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        split_equally(10, _as_any(n))

    assert raised.value.field == "n"


# --- conversion ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "to_currency", "rate", "converted"),
    [
        # 10.00 EUR at 7.4604 is 74.604 DKK: rounds to 74.60.
        (Money(EUR, 1000), DKK, Fraction("7.4604"), Money(DKK, 7460)),
        # 100.00 DKK at 20.13 ISK per DKK: whole krónur.
        (Money(DKK, 10000), ISK, Fraction("20.13"), Money(ISK, 2013)),
        # 1 ISK at 0.0497 DKK is 4.97 øre: rounds to 5 øre.
        (Money(ISK, 1), DKK, Fraction("0.0497"), Money(DKK, 5)),
        # Ties go to the even minor unit: 0.5 → 0, 1.5 → 2, 2.5 → 2, -1.5 → -2.
        (Money(SEK, 1), NOK, Fraction(1, 2), Money(NOK, 0)),
        (Money(SEK, 3), NOK, Fraction(1, 2), Money(NOK, 2)),
        (Money(SEK, 5), NOK, Fraction(1, 2), Money(NOK, 2)),
        (Money(SEK, -3), NOK, Fraction(1, 2), Money(NOK, -2)),
        (Money(DKK, 12345), "DKK", 1, Money(DKK, 12345)),
    ],
)
def test_convert_rounds_half_to_even_in_the_target_minor_unit(
    money: Money, to_currency: Currency | str, rate: Fraction | int, converted: Money
) -> None:
    assert convert(money, to_currency, rate) == converted


@given(
    amount_minor=st.integers(min_value=-(10**12), max_value=10**12),
    source=currencies,
    target=currencies,
    rate=st.fractions(min_value=Fraction(1, 10**6), max_value=1000),
)
def test_convert_is_within_half_a_minor_unit_and_symmetric_in_sign(
    amount_minor: int, source: Currency, target: Currency, rate: Fraction
) -> None:
    if source == target:
        rate = Fraction(1)
    converted = convert(Money(source, amount_minor), target, rate)
    exact = Fraction(amount_minor) * rate * target.minor_per_major / source.minor_per_major

    assert converted.currency == target
    assert abs(converted.amount_minor - exact) <= Fraction(1, 2)
    assert convert(Money(source, -amount_minor), target, rate) == -converted


@pytest.mark.parametrize("rate", [0, -1, Fraction(-1, 2), 7.46, Decimal("7.46"), "7.46", True])
def test_convert_refuses_non_positive_or_inexact_rates(rate: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        convert(Money(EUR, 100), DKK, _as_any(rate))

    assert raised.value.field == "fx_rate"


def test_convert_to_the_same_currency_needs_rate_one() -> None:
    with pytest.raises(InvalidArgument, match="needs rate 1"):
        convert(Money(DKK, 100), DKK, Fraction(2))


def test_parse_fx_rate_is_exact() -> None:
    assert parse_fx_rate("7.4604") == Fraction(74604, 10000)
    assert parse_fx_rate(" 1 ") == 1


@pytest.mark.parametrize(
    "text", ["0", "0.000", "-1", "1e3", "abc", "", "1/3", "7,46", "\N{FULLWIDTH DIGIT ONE}"]
)
def test_parse_fx_rate_refuses_non_positive_or_malformed_text(text: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        parse_fx_rate(text, field="rates[0].rate")

    assert raised.value.field == "rates[0].rate"
