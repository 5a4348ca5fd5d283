"""Money as whole minor units of an ISO 4217 currency, with splits in which no öre appears or vanishes.

Rules every service relies on (BRIEF §5.4):

- An amount is an ``int`` count of minor units (öre, cents, whole krónur for ISK). Floats are refused
  everywhere: a binary float cannot hold 0.10 exactly, and one lost unit breaks
  ``collected = distributed + fees + suspense``.
- Money in different currencies never mixes: adding, subtracting or comparing DKK with SEK raises
  ``CurrencyMismatch``; convert first, at an explicit rate.
- Every split uses the largest-remainder (Hamilton) method, so the parts always sum exactly to the whole
  (``allocate``, ``allocate_money``, ``split_equally``).
- Conversion uses an exact rational rate and rounds once, half to even, to the target currency's minor
  unit (``convert``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from nordclear.platform.domain._display import shown
from nordclear.platform.errors import InvalidArgument

# Minor digits per currency (ISO 4217). ISK has none (BRIEF §3.1). The table is closed on purpose: a
# currency nobody has thought about is refused rather than guessed at two decimals.
_MINOR_DIGITS_BY_CODE: Final[dict[str, int]] = {
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "ISK": 0,
    "NOK": 2,
    "SEK": 2,
    "USD": 2,
}

# Amounts travel as protobuf int64 and are stored as SQL BIGINT. Refusing wider values here makes an
# overflow a clear error where it happens instead of a failed write somewhere later.
AMOUNT_MINOR_MIN: Final = -(2**63)
AMOUNT_MINOR_MAX: Final = 2**63 - 1

# Decimal text as people and files write it: optional minus, ASCII digits, optional point and decimals.
# No exponent, no thousands separator, no plus sign: each of those has caused misreadings in money files.
_DECIMAL_TEXT: Final = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_RATE_TEXT: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Long enough for any int64 amount written in major units; longer text is refused before parsing.
_MAX_DECIMAL_TEXT_CHARS: Final = 40


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency code and the number of digits of its minor unit."""

    code: str
    minor_digits: int

    def __post_init__(self) -> None:
        expected_digits = _MINOR_DIGITS_BY_CODE.get(self.code) if isinstance(self.code, str) else None
        if expected_digits is None:
            raise InvalidArgument("currency", self.code, _known_currencies_rule())
        digits = self.minor_digits
        if isinstance(digits, bool) or not isinstance(digits, int) or digits != expected_digits:
            raise InvalidArgument(
                "currency.minor_digits",
                self.minor_digits,
                f"{self.code} has {expected_digits} minor digits (ISO 4217)",
            )

    @classmethod
    def of(cls, code: str, field: str = "currency") -> Currency:
        """The currency for an ISO 4217 code such as ``"DKK"`` (surrounding spaces and case ignored)."""
        if not isinstance(code, str) or not code.isascii():
            raise InvalidArgument(field, code, _known_currencies_rule())
        normalised = code.strip().upper()
        minor_digits = _MINOR_DIGITS_BY_CODE.get(normalised)
        if minor_digits is None:
            raise InvalidArgument(field, code, _known_currencies_rule())
        return cls(normalised, minor_digits)

    @property
    def minor_per_major(self) -> int:
        """How many minor units make one major unit (100 for DKK, 1 for ISK)."""
        return _ten_to_the(self.minor_digits)

    def __str__(self) -> str:
        return self.code


DKK: Final = Currency("DKK", 2)
EUR: Final = Currency("EUR", 2)
GBP: Final = Currency("GBP", 2)
ISK: Final = Currency("ISK", 0)
NOK: Final = Currency("NOK", 2)
SEK: Final = Currency("SEK", 2)
USD: Final = Currency("USD", 2)


class CurrencyMismatch(InvalidArgument):
    """Two amounts in different currencies were combined; convert one of them first."""

    def __init__(self, field: str, expected: Currency, got: Currency, operation: str) -> None:
        super().__init__(
            field, got.code, f"must be {expected.code} to {operation} {expected.code} money; convert it first"
        )
        self.expected = expected
        self.got = got


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: a currency and a signed whole number of its minor units.

    Negative amounts are allowed because reversals and net positions are negative.
    """

    currency: Currency
    amount_minor: int

    def __post_init__(self) -> None:
        if not isinstance(self.currency, Currency):
            raise InvalidArgument("currency", self.currency, "must be a Currency, e.g. Currency.of('DKK')")
        _require_amount_minor(self.amount_minor, "amount_minor")

    @classmethod
    def of(cls, currency: Currency | str, amount_minor: int) -> Money:
        """Money from a currency (or its code) and an integer count of minor units."""
        return cls(_as_currency(currency, "currency"), amount_minor)

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        """No money in ``currency``; the start of every sum."""
        return cls(_as_currency(currency, "currency"), 0)

    @classmethod
    def parse(cls, text: str, currency: Currency | str, field: str = "amount") -> Money:
        """Money from decimal text in major units, e.g. ``"123.45"`` DKK is 12345 øre.

        Text with more decimals than the currency has is refused, even trailing zeros ("1.0" ISK):
        a file that writes more decimals than the currency has was usually made for another currency.
        """
        target = _as_currency(currency, "currency")
        if not isinstance(text, str):
            raise InvalidArgument(field, text, "must be decimal text such as '123.45'")
        stripped = text.strip()
        match = _DECIMAL_TEXT.fullmatch(stripped) if len(stripped) <= _MAX_DECIMAL_TEXT_CHARS else None
        if match is None:
            raise InvalidArgument(field, shown(text), _DECIMAL_TEXT_RULE)
        minus, whole, decimals = match.group(1), match.group(2), match.group(3) or ""
        if len(decimals) > target.minor_digits:
            raise InvalidArgument(
                field, text, f"{_decimals_rule(target)}; got {_count(len(decimals), 'decimal')}"
            )
        magnitude = int(whole) * target.minor_per_major + int(decimals.ljust(target.minor_digits, "0") or "0")
        return cls(target, _in_int64(-magnitude if minus else magnitude, field, text))

    @classmethod
    def from_major(cls, amount: Decimal | int, currency: Currency | str, field: str = "amount") -> Money:
        """Money from an exact ``Decimal`` (or ``int``) in major units.

        Unlike ``parse``, trailing zeros are harmless here (``Decimal("1.500")`` DKK is 150 øre), because a
        Decimal's exponent says nothing about where it came from; a real fraction of a minor unit is
        refused.
        """
        target = _as_currency(currency, "currency")
        if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)):
            raise InvalidArgument(field, amount, "must be a Decimal or int in major units; never a float")
        if isinstance(amount, int):
            return cls(target, _in_int64(amount * target.minor_per_major, field, amount))
        return cls(target, _in_int64(_decimal_to_minor(amount, target, field), field, amount))

    def to_decimal(self) -> Decimal:
        """The amount in major units as an exact Decimal (12345 øre is ``Decimal("123.45")``)."""
        return Decimal(self.amount_minor).scaleb(-self.currency.minor_digits)

    def to_decimal_string(self) -> str:
        """The amount in major units with exactly the currency's decimals: ``"123.45"``, ``"-0.05"``."""
        digits = self.currency.minor_digits
        sign = "-" if self.amount_minor < 0 else ""
        whole, fraction = divmod(abs(self.amount_minor), self.currency.minor_per_major)
        if digits == 0:
            return f"{sign}{whole}"
        return f"{sign}{whole}.{fraction:0{digits}d}"

    def __str__(self) -> str:
        return f"{self.to_decimal_string()} {self.currency.code}"

    def is_zero(self) -> bool:
        """Whether the amount is exactly nothing."""
        return self.amount_minor == 0

    def is_negative(self) -> bool:
        """Whether the amount is below zero (a debit, a reversal, a net payer)."""
        return self.amount_minor < 0

    def __neg__(self) -> Money:
        return Money(self.currency, -self.amount_minor)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._require_same_currency(other, "add")
        return Money(self.currency, self.amount_minor + other.amount_minor)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._require_same_currency(other, "subtract")
        return Money(self.currency, self.amount_minor - other.amount_minor)

    def __lt__(self, other: Money) -> bool:
        return self._compared_minor(other) < 0

    def __le__(self, other: Money) -> bool:
        return self._compared_minor(other) <= 0

    def __gt__(self, other: Money) -> bool:
        return self._compared_minor(other) > 0

    def __ge__(self, other: Money) -> bool:
        return self._compared_minor(other) >= 0

    def _compared_minor(self, other: Money) -> int:
        # Ordering DKK against SEK would silently compare numbers of different size; refuse instead.
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._require_same_currency(other, "compare with")
        return self.amount_minor - other.amount_minor

    def _require_same_currency(self, other: Money, operation: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch("currency", self.currency, other.currency, operation)


def sum_money(amounts: Iterable[Money], currency: Currency | str) -> Money:
    """The total of ``amounts``, all in ``currency``; an empty iterable totals zero.

    The currency is a parameter rather than taken from the first item so that an empty list has a
    well-defined total and a wrong first item is caught too.
    """
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total


def allocate(total_minor: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_minor`` in proportion to ``weights`` so that the parts sum exactly to the total.

    Largest-remainder (Hamilton) method: every part first gets ``floor(total * w / W)`` (``W`` the sum
    of the weights); the units left over go one each to the parts with the largest remainders, and
    equal remainders go to the lowest index, so the same input always gives the same output. Hence
    every part is within one unit of its exact share, and a zero weight always gets zero.

    A negative total is split symmetrically: ``allocate(-t, w) == [-p for p in allocate(t, w)]``, so a
    reversal undoes the original split unit for unit.

    Raises ``InvalidArgument`` for a negative or non-integer weight, or for weights that sum to zero
    while the total is not zero (there is nobody to give the money to). A zero total with zero
    weights splits into zeros.
    """
    total = _require_int(total_minor, "total_minor")
    checked_weights = _checked_weights(weights)
    weight_total = sum(checked_weights)
    if weight_total == 0:
        if total != 0:
            raise InvalidArgument(
                "weights",
                list(checked_weights),
                "at least one weight must be positive to split a non-zero total",
            )
        return [0] * len(checked_weights)
    if total < 0:
        return [-part for part in _allocate_non_negative(-total, checked_weights, weight_total)]
    return _allocate_non_negative(total, checked_weights, weight_total)


def allocate_money(money: Money, weights: Sequence[int]) -> list[Money]:
    """Split ``money`` by ``weights`` with ``allocate``; every part is in the same currency."""
    return [Money(money.currency, part) for part in allocate(money.amount_minor, weights)]


def split_equally(total_minor: int, n: int) -> list[int]:
    """Split ``total_minor`` into ``n`` parts differing by at most one unit; earlier parts get the extras."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidArgument("n", n, "must be a whole number of parts, at least 1")
    return allocate(total_minor, [1] * n)


def parse_fx_rate(text: str, field: str = "fx_rate") -> Fraction:
    """An exact FX rate from decimal text such as ``"7.4604"``; must be positive."""
    if not isinstance(text, str):
        raise InvalidArgument(field, text, "must be decimal text such as '7.4604'")
    stripped = text.strip()
    if len(stripped) > _MAX_DECIMAL_TEXT_CHARS or _RATE_TEXT.fullmatch(stripped) is None:
        raise InvalidArgument(field, shown(text), "must be a positive decimal number such as '7.4604'")
    return _require_rate(Fraction(stripped), field)


def convert(money: Money, to_currency: Currency | str, rate: Fraction | int) -> Money:
    """``money`` in ``to_currency`` at ``rate`` target major units per one source major unit.

    The product is exact (``Fraction``) and is rounded once, half to even, to the target currency's
    minor unit. Half-even rather than half-up because settlement converts many obligations: ties then
    round up as often as down and no systematic drift builds up, and ``convert(-m) == -convert(m)``.
    Converting a currency to itself requires rate 1.
    """
    target = _as_currency(to_currency, "to_currency")
    exact_rate = _require_rate(rate, "fx_rate")
    if target == money.currency and exact_rate != 1:
        raise InvalidArgument("fx_rate", rate, f"converting {target.code} to {target.code} needs rate 1")
    exact_minor = (
        Fraction(money.amount_minor) * exact_rate * target.minor_per_major / money.currency.minor_per_major
    )
    # round() on a Fraction with no digits argument rounds half to even, exactly.
    return Money(target, _in_int64(round(exact_minor), "amount_minor", exact_minor))


def _allocate_non_negative(total: int, weights: list[int], weight_total: int) -> list[int]:
    floors_and_remainders = [divmod(total * weight, weight_total) for weight in weights]
    parts = [floor for floor, _ in floors_and_remainders]
    units_left = total - sum(parts)
    # Fewer units are left than there are non-zero remainders, so zero weights never receive one.
    by_largest_remainder = sorted(range(len(weights)), key=lambda i: (-floors_and_remainders[i][1], i))
    for index in by_largest_remainder[:units_left]:
        parts[index] += 1
    return parts


def _checked_weights(weights: Sequence[int]) -> list[int]:
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
        raise InvalidArgument("weights", shown(weights), "must be a sequence of non-negative integers")
    for index, weight in enumerate(weights):
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
            raise InvalidArgument(f"weights[{index}]", weight, "must be a non-negative integer")
    return list(weights)


def _require_int(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(field, value, _not_an_int_rule(value))
    return value


def _require_amount_minor(value: int, field: str) -> int:
    return _in_int64(_require_int(value, field), field, value)


def _in_int64(amount_minor: int, field: str, shown_value: object) -> int:
    if not AMOUNT_MINOR_MIN <= amount_minor <= AMOUNT_MINOR_MAX:
        raise InvalidArgument(
            field, shown_value, "is out of range: amounts must fit in 64 bits of minor units"
        )
    return amount_minor


def _require_rate(rate: Fraction | int, field: str) -> Fraction:
    if isinstance(rate, bool) or not isinstance(rate, (Fraction, int)):
        raise InvalidArgument(
            field, rate, "must be an exact Fraction or int (see parse_fx_rate); never a float"
        )
    exact = Fraction(rate)
    if exact <= 0:
        raise InvalidArgument(field, rate, "must be positive")
    return exact


def _decimal_to_minor(amount: Decimal, currency: Currency, field: str) -> int:
    sign, digit_tuple, exponent = amount.as_tuple()
    if not isinstance(exponent, int):
        raise InvalidArgument(field, amount, "must be a finite number")
    coefficient = int("".join(map(str, digit_tuple)) or "0")
    # Work with the coefficient and exponent directly: Decimal arithmetic rounds to its context
    # precision (28 digits), which could hide a fraction of a minor unit.
    shift = exponent + currency.minor_digits
    if coefficient == 0:
        return 0
    if shift >= 0:
        # Guard before exponentiation: such a value cannot fit in 64 bits anyway.
        if shift + len(digit_tuple) > 20:
            raise InvalidArgument(
                field, amount, "is out of range: amounts must fit in 64 bits of minor units"
            )
        magnitude = coefficient * _ten_to_the(shift)
    else:
        if -shift > len(digit_tuple):
            raise InvalidArgument(
                field, amount, f"{_decimals_rule(currency)}; this amount has a fraction of a minor unit"
            )
        magnitude, fraction = divmod(coefficient, _ten_to_the(-shift))
        if fraction:
            raise InvalidArgument(
                field, amount, f"{_decimals_rule(currency)}; this amount has a fraction of a minor unit"
            )
    return -magnitude if sign else magnitude


def _ten_to_the(exponent: int) -> int:
    # A non-negative int power of ten; spelled out because int ** int is typed Any (it may be a float).
    return int(10**exponent)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _as_currency(currency: Currency | str, field: str) -> Currency:
    return currency if isinstance(currency, Currency) else Currency.of(currency, field)


def _decimals_rule(currency: Currency) -> str:
    if currency.minor_digits == 0:
        return f"{currency.code} has no minor unit, so an amount must be a whole number without decimals"
    digits = currency.minor_digits
    return f"{currency.code} has {digits} minor digits, so an amount has at most {digits} decimals"


def _not_an_int_rule(value: object) -> str:
    if isinstance(value, float):
        return "must be an int of minor units; floats are never accepted for money"
    if isinstance(value, Decimal):
        return "must be an int of minor units; use Money.from_major for a Decimal in major units"
    return "must be an int of minor units"


def _known_currencies_rule() -> str:
    return "must be a supported ISO 4217 currency code: " + ", ".join(sorted(_MINOR_DIGITS_BY_CODE))


_DECIMAL_TEXT_RULE: Final = (
    "must be a decimal number such as '123.45': digits, an optional leading '-', "
    "an optional '.' and decimals; no exponent, sign '+' or thousands separator"
)
