"""Unit tests of nordclear.platform.protoconv: shared domain values to and from nordclear.common.v1."""

from __future__ import annotations

import pytest

from nordclear.gen.common.v1 import codes_pb2
from nordclear.platform.domain.societies import MEMBER_SOCIETIES
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import society_from_proto, society_to_proto

pytestmark = pytest.mark.unit

SOCIETY_NAMES = [society.name for society in MEMBER_SOCIETIES]


@pytest.mark.parametrize("name", SOCIETY_NAMES)
def test_every_member_society_round_trips(name: str) -> None:
    value = society_to_proto(name)
    assert value != codes_pb2.SOCIETY_UNSPECIFIED
    assert codes_pb2.Society.Name(value) == f"SOCIETY_{name}"
    assert society_from_proto(value, "society") == name


def test_the_five_societies_map_to_five_distinct_numbers() -> None:
    assert len({society_to_proto(name) for name in SOCIETY_NAMES}) == 5
    defined = set(codes_pb2.Society.values()) - {codes_pb2.SOCIETY_UNSPECIFIED}
    assert {society_to_proto(name) for name in SOCIETY_NAMES} == defined


def test_unspecified_is_none() -> None:
    assert society_from_proto(codes_pb2.SOCIETY_UNSPECIFIED, "work.submitting_society") is None


@pytest.mark.parametrize("number", [6, 99, -1, 2**31 - 1])
def test_an_unknown_number_is_invalid_argument_naming_the_field(number: int) -> None:
    with pytest.raises(InvalidArgument) as caught:
        society_from_proto(codes_pb2.Society.ValueType(number), "work.submitting_society")
    assert caught.value.field == "work.submitting_society"
    assert caught.value.value == number
    assert str(caught.value).startswith("work.submitting_society: ")
