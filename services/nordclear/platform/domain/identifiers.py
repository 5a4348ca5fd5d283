"""Normalise and validate the identifiers of works, recordings and parties (BRIEF §3.2).

Every identifier that enters the system goes through one ``normalise_*`` function, which either returns
the single stored form or raises ``InvalidArgument`` naming the field, the value and the broken rule;
nothing is dropped silently. The ``is_valid_*`` helpers answer the same question without raising.

| identifier      | accepted input (case, spaces and separators are forgiven) | stored form      |
| --------------- | ---------------------------------------------------------- | ---------------- |
| ISWC            | ``T-123.456.789-4``, ``t 123456789 4``, ``T1234567894``     | ``T1234567894``  |
| ISRC            | ``US-RC1-76-07839``, ``usrc17607839``                       | ``USRC17607839`` |
| IPI name number | 11 digits, or 9 digits from older (CAE-era) files           | 11 digits        |
| IPI base number | ``I-000000229-7``, ``i0000002297``                          | ``I-000000229-7``|

The stored forms are the ones CWR files carry, so an identifier read from a file and one typed into a
form compare equal. Input must be ASCII once surrounding whitespace is removed: case-folding other
scripts can turn a foreign letter into an ASCII one (Turkish dotless i, U+0131, upper-cases to ``I``),
which would
accept an identifier nobody typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from nordclear.platform.domain._display import shown
from nordclear.platform.errors import InvalidArgument

_ISWC_SEPARATORS: Final = " -."
_ISRC_SEPARATORS: Final = " -"
_IPI_BASE_SEPARATORS: Final = " -"
# The longest legitimate input is a dotted ISWC with some spaces; anything much longer is not an
# identifier and is refused before any further work.
_MAX_INPUT_CHARS: Final = 32

_ISWC_SHAPE: Final = re.compile(r"T[0-9]{10}")
_IPI_BASE_SHAPE: Final = re.compile(r"I[0-9]{10}")
_ISRC_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_ISRC_REGISTRANT: Final = re.compile(r"[A-Z0-9]{3}")
_ISRC_YEAR: Final = re.compile(r"[0-9]{2}")
_ISRC_DESIGNATION: Final = re.compile(r"[0-9]{5}")
_NINE_DIGITS: Final = re.compile(r"[0-9]{9}")


def iswc_check_digit(nine_digits: str) -> int:
    """The ISWC check digit for the nine digits after the ``T``.

    C = (10 - ((1 + Σ i·dᵢ, i=1..9) mod 10)) mod 10.
    """
    return _weighted_mod10_check_digit(nine_digits, start=1)


def ipi_base_number_check_digit(nine_digits: str) -> int:
    """The IPI base number check digit: the ISWC formula with the sum starting at 2 instead of 1."""
    return _weighted_mod10_check_digit(nine_digits, start=2)


def ipi_name_number_check(nine_digits: str) -> int:
    """The two check digits (0-99) of an IPI name number, computed from its first nine digits.

    t = (Σ dᵢ·(11-i), i=1..9) mod 101; check = 0 if t = 0 else (101 - t) mod 100.
    """
    digits = _require_nine_digits(nine_digits)
    weighted_sum_mod_101 = sum(digit * (10 - index) for index, digit in enumerate(digits)) % 101
    return 0 if weighted_sum_mod_101 == 0 else (101 - weighted_sum_mod_101) % 100


def normalise_iswc(value: str, field: str = "iswc") -> str:
    """The stored form ``T1234567894`` of an ISWC written in any common form."""
    compact = _compact(value, field, _ISWC_SEPARATORS, "an ISWC such as T-123.456.789-4")
    if _ISWC_SHAPE.fullmatch(compact) is None:
        raise InvalidArgument(
            field, value, "an ISWC is 'T' and 10 digits, written T-123.456.789-4 or T1234567894"
        )
    expected, actual = iswc_check_digit(compact[1:10]), int(compact[10])
    if actual != expected:
        raise InvalidArgument(field, value, f"ISWC check digit must be {expected}, got {actual}")
    return compact


def format_iswc(value: str, field: str = "iswc") -> str:
    """The dotted display form ``T-123.456.789-4`` of a valid ISWC."""
    iswc = normalise_iswc(value, field)
    return f"T-{iswc[1:4]}.{iswc[4:7]}.{iswc[7:10]}-{iswc[10]}"


def is_valid_iswc(value: object) -> bool:
    """Whether ``value`` normalises to a valid ISWC."""
    return _is_valid(normalise_iswc, value)


def normalise_isrc(value: str, field: str = "isrc") -> str:
    """The stored form: 12 upper-case characters, country code, registrant, year, designation."""
    compact = _compact(value, field, _ISRC_SEPARATORS, "an ISRC such as US-RC1-76-07839")
    if len(compact) != 12:
        raise InvalidArgument(
            field,
            value,
            f"an ISRC has 12 characters (CC-XXX-YY-NNNNN) without hyphens and spaces, got {len(compact)}",
        )
    for part, start, end, description in _ISRC_PARTS:
        if part.fullmatch(compact[start:end]) is None:
            raise InvalidArgument(field, value, f"ISRC {description}, got '{compact[start:end]}'")
    return compact


def is_valid_isrc(value: object) -> bool:
    """Whether ``value`` normalises to a valid ISRC."""
    return _is_valid(normalise_isrc, value)


def normalise_ipi_name_number(value: str, field: str = "ipi_name_number") -> str:
    """The stored form: 11 digits whose last two check the first nine.

    Nine-digit numbers from older files are padded with two leading zeros, which is how the IPI system
    took over the older CAE numbers. All zeros is refused: files use it as a placeholder for "unknown",
    and accepting it would make unrelated parties look identical.
    """
    compact = _compact(value, field, "", "an IPI name number such as 00014107338")
    if not compact.isdigit():
        raise InvalidArgument(field, value, "an IPI name number has digits only")
    if len(compact) == 9:
        compact = "00" + compact
    if len(compact) != 11:
        raise InvalidArgument(
            field, value, f"an IPI name number has 11 digits (9 in older files), got {len(compact)}"
        )
    if compact == "0" * 11:
        raise InvalidArgument(field, value, "all zeros is a placeholder, not an IPI name number")
    expected, actual = ipi_name_number_check(compact[:9]), int(compact[9:])
    if actual != expected:
        raise InvalidArgument(
            field, value, f"IPI name number check digits must be {expected:02d}, got {actual:02d}"
        )
    return compact


def is_valid_ipi_name_number(value: object) -> bool:
    """Whether ``value`` normalises to a valid IPI name number."""
    return _is_valid(normalise_ipi_name_number, value)


def normalise_ipi_base_number(value: str, field: str = "ipi_base_number") -> str:
    """The stored form ``I-123456789-C`` (13 characters, as CWR carries it) of an IPI base number."""
    compact = _compact(value, field, _IPI_BASE_SEPARATORS, "an IPI base number such as I-000000229-7")
    if _IPI_BASE_SHAPE.fullmatch(compact) is None:
        raise InvalidArgument(field, value, "an IPI base number is 'I' and 10 digits, written I-123456789-C")
    expected, actual = ipi_base_number_check_digit(compact[1:10]), int(compact[10])
    if actual != expected:
        raise InvalidArgument(field, value, f"IPI base number check digit must be {expected}, got {actual}")
    return f"I-{compact[1:10]}-{compact[10]}"


def is_valid_ipi_base_number(value: object) -> bool:
    """Whether ``value`` normalises to a valid IPI base number."""
    return _is_valid(normalise_ipi_base_number, value)


# (pattern, first index, end index, what the part must be) for the four parts of an ISRC.
_ISRC_PARTS: Final = (
    (_ISRC_COUNTRY, 0, 2, "country code (characters 1-2) must be 2 letters"),
    (_ISRC_REGISTRANT, 2, 5, "registrant code (characters 3-5) must be 3 letters or digits"),
    (_ISRC_YEAR, 5, 7, "year (characters 6-7) must be 2 digits"),
    (_ISRC_DESIGNATION, 7, 12, "designation code (characters 8-12) must be 5 digits"),
)


def _compact(value: str, field: str, separators: str, example: str) -> str:
    """``value`` without surrounding whitespace and ``separators``, upper-cased; or InvalidArgument."""
    if not isinstance(value, str):
        raise InvalidArgument(field, shown(value), f"must be text: {example}")
    stripped = value.strip()
    if not stripped:
        raise InvalidArgument(field, value, f"must not be empty: give {example}")
    if len(stripped) > _MAX_INPUT_CHARS:
        raise InvalidArgument(field, shown(value), f"is too long ({len(stripped)} characters) for {example}")
    if not stripped.isascii():
        raise InvalidArgument(field, value, f"must be plain ASCII letters, digits and separators: {example}")
    return stripped.translate(str.maketrans("", "", separators)).upper()


def _weighted_mod10_check_digit(nine_digits: str, start: int) -> int:
    digits = _require_nine_digits(nine_digits)
    weighted_sum = start + sum(position * digit for position, digit in enumerate(digits, start=1))
    return (10 - weighted_sum % 10) % 10


def _require_nine_digits(nine_digits: str) -> list[int]:
    # A programming error in callers rather than bad input, but cheap to state clearly all the same.
    if not isinstance(nine_digits, str) or _NINE_DIGITS.fullmatch(nine_digits) is None:
        raise InvalidArgument("nine_digits", nine_digits, "must be exactly 9 ASCII digits")
    return [int(character) for character in nine_digits]


def _is_valid(normalise: Callable[[str], str], value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        normalise(value)
    except InvalidArgument:
        return False
    return True
