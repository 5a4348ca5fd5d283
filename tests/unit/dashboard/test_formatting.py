"""Unit tests of how the dashboard shows values: money, enums, rates and dates."""

from __future__ import annotations

import pytest

from nordclear.dashboard.views.formatting import (
    enum_choices,
    enum_label,
    enum_value,
    money_text,
    per_second,
    percent_bp,
    society_label,
)
from nordclear.gen.common.v1 import codes_pb2, money_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.platform.errors import InvalidArgument

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("currency", "amount_minor", "text"),
    [
        ("SEK", 12345, "123.45 SEK"),
        ("ISK", 12345, "12\u202f345 ISK"),
        ("EUR", -123456789, "-1\u202f234\u202f567.89 EUR"),
        ("NOK", 5, "0.05 NOK"),
    ],
)
def test_money_is_shown_in_major_units_with_the_currency_decimals(
    currency: str, amount_minor: int, text: str
) -> None:
    assert money_text(money_pb2.Money(currency_code=currency, amount_minor=amount_minor)) == text


def test_unset_money_is_empty() -> None:
    assert money_text(money_pb2.Money()) == ""


def test_enum_labels_drop_the_prefix() -> None:
    assert enum_label(licence_pb2.LicenceStatus, licence_pb2.LICENCE_STATUS_SUSPENDED) == "suspended"
    assert enum_label(licence_pb2.LicenceStatus, 0) == ""
    assert enum_label(licence_pb2.LicenceStatus, 99) == "99"
    assert society_label(codes_pb2.SOCIETY_TEOSTO) == "TEOSTO"
    assert ("SOCIETY_STIM", "STIM") in enum_choices(codes_pb2.Society, upper=True)


def test_a_filter_value_must_be_a_value_of_the_enum() -> None:
    assert enum_value(codes_pb2.AiStage, "AI_STAGE_OUTPUT", "stage") == codes_pb2.AI_STAGE_OUTPUT
    assert enum_value(codes_pb2.AiStage, "", "stage") == codes_pb2.AI_STAGE_UNSPECIFIED
    with pytest.raises(InvalidArgument) as caught:
        enum_value(codes_pb2.AiStage, "AI_STAGE_DREAMING", "stage")
    assert "stage" in str(caught.value)
    assert "AI_STAGE_DREAMING" in str(caught.value)
    assert "AI_STAGE_TRAINING" in str(caught.value)


def test_rates_and_percentages_read_well() -> None:
    assert per_second(None) == "—"
    assert per_second(0.25) == "0.25/s"
    assert per_second(3.14) == "3.1/s"
    assert per_second(250.4) == "250/s"
    assert percent_bp(9512) == "95.12 %"
    assert percent_bp(5) == "0.05 %"
