"""FX rates as data (direct, inverse, cross, CSV files) and the payment deadlines of Art. 15."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from nordclear.platform.domain.money import Money
from nordclear.platform.errors import AlreadyExists, InvalidArgument
from nordclear.settlement.domain.deadlines import YearEnd, add_months, payment_deadline
from nordclear.settlement.domain.fx import FxRate, FxTable, MissingFxRate, merge_rates, parse_rates_csv

pytestmark = pytest.mark.unit

DAY = date(2026, 3, 31)
TABLE = FxTable(
    DAY, [FxRate("EUR", "SEK", 11_123_400_000, DAY, "ECB"), FxRate("EUR", "ISK", 150_100_000_000, DAY, "ECB")]
)


def test_a_rate_converts_directly_inversely_and_across_the_common_base() -> None:
    assert TABLE.rate("EUR", "SEK") == Fraction(111234, 10000)
    assert TABLE.rate("SEK", "EUR") == Fraction(10000, 111234)
    assert TABLE.rate("SEK", "ISK") == Fraction(1501, 10) / Fraction(111234, 10000)
    assert TABLE.convert(Money.of("EUR", 100_000), "SEK") == Money.of("SEK", 1_112_340)
    # ISK has no minor unit: 1,000.00 EUR is 150,100 krónur.
    assert TABLE.convert(Money.of("EUR", 100_000), "ISK") == Money.of("ISK", 150_100)


def test_a_missing_pair_is_named_with_its_date() -> None:
    with pytest.raises(MissingFxRate, match=r"no FX rate DKK/NOK .* for 2026-03-31"):
        TABLE.rate("DKK", "NOK")
    with pytest.raises(MissingFxRate, match="EUR/SEK"):
        FxTable(date(2026, 4, 1), TABLE.used_rates()).rate("EUR", "SEK")


def test_a_loaded_rate_never_changes() -> None:
    stored = {rate.key: rate for rate in TABLE.used_rates()}
    same = FxRate("EUR", "SEK", 11_123_400_000, DAY, "ECB")
    new = FxRate("EUR", "NOK", 11_654_000_000, DAY, "ECB")

    assert merge_rates(stored, [same, new]) == ([new], 1)
    with pytest.raises(AlreadyExists, match="already loaded as 11123400000 ppb"):
        merge_rates(stored, [FxRate("EUR", "SEK", 11_000_000_000, DAY, "ECB")])


def test_the_ecb_csv_gives_the_supported_currencies_against_the_euro() -> None:
    content = (
        b"Date, USD, JPY, DKK, ISK, NOK, SEK, \n"
        b"31 March 2026, 1.0812, 163.12, 7.4604, 150.10, 11.6540, 11.1234, \n"
    )

    rates = parse_rates_csv(content, "ECB euro foreign exchange reference rates")

    assert {(r.quote_currency_code, r.rate_ppb) for r in rates} == {
        ("USD", 1_081_200_000),
        ("DKK", 7_460_400_000),
        ("ISK", 150_100_000_000),
        ("NOK", 11_654_000_000),
        ("SEK", 11_123_400_000),
    }
    assert {(r.base_currency_code, r.rate_date, r.source) for r in rates} == {
        ("EUR", DAY, "ECB euro foreign exchange reference rates")
    }


def test_the_long_csv_form_and_its_errors() -> None:
    rates = parse_rates_csv(
        b"rate_date,base_currency,quote_currency,rate\n2026-03-31,SEK,NOK,1.0477\n", "Riksbank"
    )
    assert rates == [FxRate("SEK", "NOK", 1_047_700_000, DAY, "Riksbank")]
    with pytest.raises(InvalidArgument, match=r"csv_file.line\[2\].rate"):
        parse_rates_csv(
            b"rate_date,base_currency,quote_currency,rate\n2026-03-31,SEK,NOK,1.0000000001\n", "x"
        )
    with pytest.raises(InvalidArgument, match=r"csv_file.line\[2\].base_currency"):
        parse_rates_csv(b"rate_date,base_currency,quote_currency,rate\n2026-03-31,XYZ,NOK,1\n", "x")
    with pytest.raises(InvalidArgument, match=r"csv_file\.header"):
        parse_rates_csv(b"when,what\n", "x")
    with pytest.raises(InvalidArgument, match="csv_source"):
        parse_rates_csv(b"Date,SEK\n2026-03-31,11\n", " ")


@pytest.mark.parametrize(
    ("collected", "year_end", "expected_end", "expected_deadline"),
    [
        (date(2026, 3, 31), YearEnd(12, 31), date(2026, 12, 31), date(2027, 9, 30)),
        (date(2026, 12, 31), YearEnd(12, 31), date(2026, 12, 31), date(2027, 9, 30)),
        (date(2026, 7, 1), YearEnd(6, 30), date(2027, 6, 30), date(2028, 3, 31)),
        (date(2026, 5, 15), YearEnd(5, 20), date(2026, 5, 20), date(2027, 2, 20)),
    ],
)
def test_the_deadline_is_nine_months_after_the_collecting_year_ends(
    collected: date, year_end: YearEnd, expected_end: date, expected_deadline: date
) -> None:
    assert payment_deadline(collected, year_end) == (expected_end, expected_deadline)


def test_months_are_added_with_the_day_clamped_to_the_month() -> None:
    assert add_months(date(2026, 5, 31), 9) == date(2027, 2, 28)
    with pytest.raises(InvalidArgument):
        YearEnd(2, 29)
