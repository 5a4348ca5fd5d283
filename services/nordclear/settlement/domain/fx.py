"""FX rates as input data (source and date), exact conversion, and central-bank CSV files.

A rate says how many whole units of the quote currency one whole unit of the base currency buys, in
parts per billion (``1 EUR = 11.1234 SEK`` is ``11_123_400_000``). Rates are never computed from
markets here; they are loaded with their source and reference date and kept immutable.

``FxTable`` answers the rate for a pair on one reference date: the direct rate, else the inverse of
the opposite pair, else a cross rate through one common base currency that both sides are quoted
against on that date from the same source (central banks publish against one base: the ECB against
EUR). The rate stays an exact fraction; ``money.convert`` rounds once, half to even. A pair with none
of these is ``MissingFxRate`` naming the pair and the date.

CSV files (``parse_rates_csv``), two shapes, detected by the header:

- wide, as the ECB publishes ``eurofxref.csv`` / ``eurofxref-hist.csv``: ``Date,USD,JPY,…,SEK,…``, one row
  per date, each value the units of that currency per 1 EUR; dates as ``2026-11-20`` or
  ``20 November 2026``; empty and ``N/A`` cells skipped; currencies the clearing house does not
  support (JPY, …) skipped;
- long: ``rate_date,base_currency,quote_currency,rate`` with one rate per row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Final

from nordclear.platform.domain.money import Currency, Money, convert, parse_fx_rate
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument

PPB: Final = 1_000_000_000
MAX_CSV_BYTES: Final = 64 * 1024 * 1024
WIDE_BASE_CURRENCY: Final = "EUR"


@dataclass(frozen=True, slots=True)
class FxRate:
    """One loaded rate: ``rate_ppb`` whole units of ``quote`` per whole unit of ``base``, on a date."""

    base_currency_code: str
    quote_currency_code: str
    rate_ppb: int
    rate_date: date
    source: str

    def __post_init__(self) -> None:
        Currency.of(self.base_currency_code, "base_currency_code")
        Currency.of(self.quote_currency_code, "quote_currency_code")
        if self.base_currency_code == self.quote_currency_code:
            raise InvalidArgument(
                "quote_currency_code", self.quote_currency_code, "must differ from the base currency"
            )
        if isinstance(self.rate_ppb, bool) or not isinstance(self.rate_ppb, int) or self.rate_ppb <= 0:
            raise InvalidArgument("rate_ppb", self.rate_ppb, "must be a positive integer (parts per billion)")
        if not self.source.strip():
            raise InvalidArgument("source", self.source, "every rate names its source")

    @property
    def key(self) -> tuple[date, str, str, str]:
        """What identifies the rate: date, base, quote and source."""
        return (self.rate_date, self.base_currency_code, self.quote_currency_code, self.source)

    @property
    def rate(self) -> Fraction:
        """The exact rate."""
        return Fraction(self.rate_ppb, PPB)


class MissingFxRate(FailedPrecondition):
    """No rate converts a needed pair on the run's reference date."""

    def __init__(self, from_code: str, to_code: str, on: date) -> None:
        super().__init__(
            f"no FX rate {from_code}/{to_code} (nor {to_code}/{from_code}, nor a cross rate) "
            f"for {on.isoformat()}: "
            "load the period's reference rates with LoadFxRates first"
        )
        self.from_code = from_code
        self.to_code = to_code
        self.on = on


class FxTable:
    """The rates of one reference date; converts exactly, or names the missing pair."""

    def __init__(self, on: date, rates: Iterable[FxRate]) -> None:
        self.on = on
        self._direct: dict[tuple[str, str], FxRate] = {}
        for rate in sorted(rates, key=lambda r: r.key):
            if rate.rate_date != on:
                continue
            # Several sources for one pair: the first by source name wins, so the choice is reproducible.
            self._direct.setdefault((rate.base_currency_code, rate.quote_currency_code), rate)

    def rate(self, from_code: str, to_code: str) -> Fraction:
        """Units of ``to_code`` per unit of ``from_code``."""
        if from_code == to_code:
            return Fraction(1)
        direct = self._direct.get((from_code, to_code))
        if direct is not None:
            return direct.rate
        inverse = self._direct.get((to_code, from_code))
        if inverse is not None:
            return 1 / inverse.rate
        for (base, quote), leg in sorted(self._direct.items()):
            if quote != from_code:
                continue
            other = self._direct.get((base, to_code))
            if other is not None and other.source == leg.source:
                return other.rate / leg.rate
        raise MissingFxRate(from_code, to_code, self.on)

    def convert(self, money: Money, to_code: str) -> Money:
        """``money`` in ``to_code``, rounded once half to even."""
        if money.currency.code == to_code:
            return money
        return convert(money, to_code, self.rate(money.currency.code, to_code))

    def used_rates(self) -> list[FxRate]:
        """Every rate of the date, in key order (part of a run's canonical inputs)."""
        return sorted(self._direct.values(), key=lambda r: r.key)


def merge_rates(
    stored: Mapping[tuple[date, str, str, str], FxRate], new: Iterable[FxRate]
) -> tuple[list[FxRate], int]:
    """The rates of ``new`` not yet stored, and how many were stored already with the same value.

    A different value for a stored key is AlreadyExists: published reference rates do not change.
    """
    added: dict[tuple[date, str, str, str], FxRate] = {}
    unchanged = 0
    for rate in new:
        earlier = stored.get(rate.key) or added.get(rate.key)
        if earlier is None:
            added[rate.key] = rate
        elif earlier.rate_ppb == rate.rate_ppb:
            unchanged += 1
        else:
            raise AlreadyExists(
                f"FX rate {rate.base_currency_code}/{rate.quote_currency_code} on "
                f"{rate.rate_date.isoformat()} from {rate.source!r} is already loaded as "
                f"{earlier.rate_ppb} ppb; refusing {rate.rate_ppb} ppb"
            )
    return list(added.values()), unchanged


def rate_ppb_from_text(text: str, field: str) -> int:
    """Parts per billion from decimal text such as ``"11.1234"``; more than nine decimals is refused."""
    exact = parse_fx_rate(text, field) * PPB
    if exact.denominator != 1:
        raise InvalidArgument(
            field, text, "a rate has at most 9 decimals (it is stored in parts per billion)"
        )
    return int(exact)


def parse_rates_csv(content: bytes, source: str) -> list[FxRate]:
    """The supported-currency rates in a central-bank CSV file (see the module docstring)."""
    if not source.strip():
        raise InvalidArgument(
            "csv_source",
            source,
            "name the source of the rates, e.g. 'ECB euro foreign exchange reference rates'",
        )
    if len(content) > MAX_CSV_BYTES:
        raise InvalidArgument("csv_file", f"{len(content)} bytes", f"at most {MAX_CSV_BYTES} bytes")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidArgument("csv_file", f"byte {error.start}", "must be UTF-8 text") from None
    # strict: a quoted cell left open at the end (a cut-off file) is an error, not a shorter rate.
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        rows = [[cell.strip() for cell in row] for row in reader if any(c.strip() for c in row)]
    except csv.Error as error:
        raise InvalidArgument(
            f"csv_file.line[{reader.line_num}]", "", f"is not readable as CSV: {error}"
        ) from None
    if not rows:
        raise InvalidArgument("csv_file", "", "is empty; expected a header row and rates")
    header = [cell.lower() for cell in rows[0]]
    if header[:4] == ["rate_date", "base_currency", "quote_currency", "rate"]:
        return _long_rows(rows[1:], source)
    if header and header[0] == "date":
        return _wide_rows(rows[0], rows[1:], source)
    raise InvalidArgument(
        "csv_file.header",
        ",".join(rows[0])[:200],
        "must start 'Date,<currency>,…' (ECB) or be 'rate_date,base_currency,quote_currency,rate'",
    )


def _long_rows(rows: list[list[str]], source: str) -> list[FxRate]:
    rates = []
    for number, row in enumerate(rows, start=2):
        if len(row) < 4:
            raise InvalidArgument(f"csv_file.line[{number}]", ",".join(row), "needs 4 columns")
        rates.append(
            FxRate(
                base_currency_code=Currency.of(row[1], f"csv_file.line[{number}].base_currency").code,
                quote_currency_code=Currency.of(row[2], f"csv_file.line[{number}].quote_currency").code,
                rate_ppb=rate_ppb_from_text(row[3], f"csv_file.line[{number}].rate"),
                rate_date=_csv_date(row[0], f"csv_file.line[{number}].rate_date"),
                source=source,
            )
        )
    return rates


def _wide_rows(header: list[str], rows: list[list[str]], source: str) -> list[FxRate]:
    columns: list[tuple[int, str]] = []
    for index, name in enumerate(header[1:], start=1):
        try:
            code = Currency.of(name, "csv_file.header").code
        except InvalidArgument:
            continue  # A currency the clearing house does not settle in (JPY, USD …): not needed.
        if code != WIDE_BASE_CURRENCY:
            columns.append((index, code))
    rates = []
    for number, row in enumerate(rows, start=2):
        on = _csv_date(row[0], f"csv_file.line[{number}].Date")
        for index, code in columns:
            cell = row[index] if index < len(row) else ""
            if cell in ("", "N/A", "-"):
                continue
            rates.append(
                FxRate(
                    WIDE_BASE_CURRENCY,
                    code,
                    rate_ppb_from_text(cell, f"csv_file.line[{number}].{code}"),
                    on,
                    source,
                )
            )
    return rates


def _csv_date(text: str, field: str) -> date:
    for pattern in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidArgument(field, text, "must be a date such as 2026-11-20 or '20 November 2026'")
