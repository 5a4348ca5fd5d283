"""How values read on a page: enum names without their prefix, money in major units, dates, rates.

Money stays in integer minor units until it is shown; it is formatted through the platform's Money so
ISK shows no decimals and the others two, exactly, never through a float.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from nordclear.gen.common.v1 import codes_pb2, dates_pb2, money_pb2
from nordclear.platform.domain.money import Currency, Money
from nordclear.platform.errors import InvalidArgument

if TYPE_CHECKING:  # The generic wrapper exists in the type stubs only.
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

V = TypeVar("V", bound=int)


def enum_label(enum: _EnumTypeWrapper[V], value: int) -> str:
    """``LICENCE_STATUS_ACTIVE`` → ``active``; unknown numbers as themselves; unset as an empty string."""
    try:
        name = enum.Name(value)  # type: ignore[arg-type]  # any number may arrive on the wire
    except ValueError:
        return str(value)
    if name.endswith("_UNSPECIFIED"):
        return ""
    prefix = _common_prefix(enum)
    return name.removeprefix(prefix).lower().replace("_", " ")


def _common_prefix(enum: _EnumTypeWrapper[V]) -> str:
    unspecified = next((n for n in enum.keys() if n.endswith("_UNSPECIFIED")), "")  # noqa: SIM118
    return unspecified.removesuffix("UNSPECIFIED")


def enum_choices(enum: _EnumTypeWrapper[V], *, upper: bool = False) -> list[tuple[str, str]]:
    """(value name, label) of every specified value, for a filter's options; codes in upper case."""
    return [
        (name, label.upper() if upper else label)
        for name, number in enum.items()
        if number != 0
        for label in (enum_label(enum, number),)
    ]


def enum_value(enum: _EnumTypeWrapper[V], name: str, field: str) -> V:
    """The number of value ``name`` (as in a filter's query parameter); 0 for an empty one."""
    if not name:
        return enum.Value(next(n for n in enum.keys() if n.endswith("_UNSPECIFIED")))  # noqa: SIM118
    try:
        number = enum.Value(name)
    except ValueError:
        known = ", ".join(n for n, v in enum.items() if v != 0)
        raise InvalidArgument(field, name, f"must be one of {known}") from None
    return number


def society_label(value: int) -> str:
    """``SOCIETY_STIM`` → ``STIM``."""
    return enum_label(codes_pb2.Society, value).upper()


def money_text(money: money_pb2.Money) -> str:
    """``123.45 SEK``; ``12345 ISK``; an empty string when unset."""
    if not money.currency_code:
        return ""
    try:
        amount = Money.of(Currency.of(money.currency_code), money.amount_minor)
    except InvalidArgument:
        return f"{money.amount_minor} minor units of {money.currency_code}"
    return f"{_grouped(amount.to_decimal_string())} {money.currency_code}"


def _grouped(decimal_text: str) -> str:
    """Thousands separated by thin spaces, as Nordic readers expect: ``1 234 567.89``."""
    sign = "-" if decimal_text.startswith("-") else ""
    whole, _, fraction = decimal_text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = "\u202f".join(groups)
    return f"{sign}{text}.{fraction}" if fraction else f"{sign}{text}"


def date_of(value: dates_pb2.Date) -> date | None:
    """A proto date as a date; None when unset."""
    if not value.year:
        return None
    return date(value.year, value.month, value.day)


def date_text(value: dates_pb2.Date) -> str:
    """``2026-03-31``, or empty when unset."""
    found = date_of(value)
    return found.isoformat() if found else ""


def to_proto_date(value: date) -> dates_pb2.Date:
    """A date as a proto date."""
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def timestamp_text(value: Timestamp) -> str:
    """``2026-03-31 14:05 UTC``, or empty when unset."""
    if not value.seconds and not value.nanos:
        return ""
    return value.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%d %H:%M UTC")


def percent_bp(basis_points: int) -> str:
    """``9 512`` bp → ``95.12 %``."""
    return f"{basis_points // 100}.{basis_points % 100:02d} %"


def per_second(value: float | None) -> str:
    """A rate for a person: ``12.3/s``, ``0.05/s``; ``—`` until there are two samples."""
    if value is None:
        return "—"
    if value >= 10:
        return f"{value:.0f}/s"
    if value >= 1:
        return f"{value:.1f}/s"
    return f"{value:.2f}/s"


def ratio_text(value: float | None) -> str:
    """A fraction as a percentage with one decimal; ``—`` when unknown."""
    return "—" if value is None else f"{value * 100:.1f} %"


def now_utc() -> datetime:
    """The current time (one place, so views read the clock the same way)."""
    return datetime.now(UTC)
