"""Licensing and matching events into settlement's inputs: valid ones translate, malformed ones are named."""

from __future__ import annotations

from datetime import date

import pytest

from nordclear.gen.common.v1 import codes_pb2, money_pb2
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.consent import AiStage
from nordclear.settlement.adapters.events_in import fee_from_event, licence_from_event, tariff_from_event
from nordclear.settlement.domain.model import TariffComponentKind
from tests.unit.settlement.envelopes import licensing_envelopes

pytestmark = pytest.mark.unit

TARIFF_SERVICE, TARIFF_OUTPUT, ISSUED, FEE = licensing_envelopes()


def test_a_licence_keeps_what_settlement_needs() -> None:
    licence = licence_from_event(ISSUED.licence_issued)

    assert (licence.hub_code, licence.currency_code, licence.hub_admin_fee_bp) == ("079", "SEK", 500)
    assert licence.territories == {Territory.SE, Territory.NO, Territory.DK}
    assert licence.stages == set(AiStage)
    assert (licence.term_start, licence.term_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert licence.tariff_refs == (("stim-output", "2026.1"), ("stim-service", "2026.1"))


def test_tariffs_and_fees_translate() -> None:
    tariff = tariff_from_event(TARIFF_SERVICE.tariff_published)
    fee = fee_from_event(FEE.fee_due)

    assert tariff.component(TariffComponentKind.SERVICE_MINIMUM) is not None
    assert tariff.valid_until is None
    assert [(line.territory, line.amount_minor) for line in fee.lines] == [
        (Territory.SE, 6_000_000),
        (Territory.NO, 4_000_000),
    ]


def test_malformed_events_are_refused_naming_the_field() -> None:
    issued = type(ISSUED.licence_issued)()
    issued.CopyFrom(ISSUED.licence_issued)
    issued.currency_code = "XYZ"
    with pytest.raises(InvalidArgument, match=r"licence_issued\.currency_code"):
        licence_from_event(issued)
    issued.currency_code, issued.hub_society = "SEK", codes_pb2.SOCIETY_UNSPECIFIED
    with pytest.raises(InvalidArgument, match=r"licence_issued\.hub_society"):
        licence_from_event(issued)
    fee = type(FEE.fee_due)()
    fee.CopyFrom(FEE.fee_due)
    fee.amount.CopyFrom(money_pb2.Money(currency_code="SEK", amount_minor=1))
    with pytest.raises(InvalidArgument, match="must sum exactly to amount 1"):
        fee_from_event(fee)
    fee.CopyFrom(FEE.fee_due)
    fee.lines[0].amount.currency_code = "EUR"
    with pytest.raises(InvalidArgument, match=r"fee_due.lines\[0\].amount.currency_code"):
        fee_from_event(fee)
