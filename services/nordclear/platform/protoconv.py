"""Conversions between shared domain values and the shared protobuf types (``nordclear.common.v1``).

Every servicer and event translator uses these, so a society or a timestamp is converted the same way
everywhere, and an out-of-range enum number from a client is an INVALID_ARGUMENT naming the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from nordclear.gen.common.v1 import codes_pb2, dates_pb2
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument

_SOCIETY_TO_PROTO: dict[str, codes_pb2.Society.ValueType] = {
    "KODA": codes_pb2.SOCIETY_KODA,
    "STEF": codes_pb2.SOCIETY_STEF,
    "STIM": codes_pb2.SOCIETY_STIM,
    "TEOSTO": codes_pb2.SOCIETY_TEOSTO,
    "TONO": codes_pb2.SOCIETY_TONO,
}
_SOCIETY_FROM_PROTO = {value: name for name, value in _SOCIETY_TO_PROTO.items()}


def society_to_proto(name: str) -> codes_pb2.Society.ValueType:
    """The protobuf society of a member society's name."""
    return _SOCIETY_TO_PROTO[name]


def society_from_proto(value: codes_pb2.Society.ValueType, field: str) -> str | None:
    """The member society's name, or None when unspecified; InvalidArgument for an unknown number."""
    if value == codes_pb2.SOCIETY_UNSPECIFIED:
        return None
    name = _SOCIETY_FROM_PROTO.get(value)
    if name is None:
        raise InvalidArgument(field, value, "must be one of the five member societies")
    return name


_TERRITORY_TO_PROTO: dict[Territory, codes_pb2.Territory.ValueType] = {
    Territory.DK: codes_pb2.TERRITORY_DK,
    Territory.FI: codes_pb2.TERRITORY_FI,
    Territory.IS: codes_pb2.TERRITORY_IS,
    Territory.NO: codes_pb2.TERRITORY_NO,
    Territory.SE: codes_pb2.TERRITORY_SE,
}
_TERRITORY_FROM_PROTO = {value: territory for territory, value in _TERRITORY_TO_PROTO.items()}


def territory_to_proto(territory: Territory) -> codes_pb2.Territory.ValueType:
    """The protobuf territory of a licence territory."""
    return _TERRITORY_TO_PROTO[territory]


def territory_from_proto(value: codes_pb2.Territory.ValueType, field: str) -> Territory:
    """The licence territory of a protobuf ``Territory``; InvalidArgument when unset or unknown."""
    territory = _TERRITORY_FROM_PROTO.get(value)
    if territory is None:
        raise InvalidArgument(field, value, "must be one of TERRITORY_DK, _FI, _IS, _NO or _SE")
    return territory


def timestamp_from_proto(value: Timestamp, field: str) -> datetime:
    """The UTC instant of a protobuf ``Timestamp``; InvalidArgument when it lies outside any calendar."""
    try:
        return value.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidArgument(
            field, f"{value.seconds}s {value.nanos}ns", "must be a timestamp between years 1 and 9999"
        ) from None


def date_from_proto(message: dates_pb2.Date, field: str) -> date:
    """A calendar date; InvalidArgument naming ``field`` when it is unset or impossible."""
    try:
        return date(message.year, message.month, message.day)
    except ValueError as error:
        shown = f"{message.year:04d}-{message.month:02d}-{message.day:02d}"
        raise InvalidArgument(field, shown, f"not a calendar date ({error})") from None


def optional_date_from_proto(message: dates_pb2.Date, field: str) -> date | None:
    """A calendar date, or None when the message is all zeros (unset)."""
    if message.year == 0 and message.month == 0 and message.day == 0:
        return None
    return date_from_proto(message, field)


def date_to_proto(value: date | None) -> dates_pb2.Date:
    """The Date message of ``value`` (all zeros for None)."""
    if value is None:
        return dates_pb2.Date()
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def timestamp_to_proto(value: datetime) -> Timestamp:
    """The protobuf ``Timestamp`` of an instant (a naive datetime is taken as UTC)."""
    stamp = Timestamp()
    stamp.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))
    return stamp
