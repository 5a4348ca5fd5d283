"""What licensing publishes: the events settlement and matching consume, with every field they read."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nordclear.gen.common.v1 import codes_pb2
from nordclear.licensing.adapters.coverage_cache import RightsChanged
from nordclear.licensing.adapters.events import LicensingEventTranslator
from nordclear.licensing.adapters.seed import demo_book
from nordclear.licensing.domain import events
from nordclear.licensing.domain.licence import (
    OUTPUT_LABELLING_REQUIRED,
    Actor,
    Licence,
    LicenceStatus,
    LicensedSociety,
    StatusChange,
)
from nordclear.licensing.domain.model import Scope, TrainingDeclaration, TrainingDisclosure
from nordclear.licensing.domain.pricing import PricingInput, price
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
STIM, KODA = society_by_name("STIM"), society_by_name("KODA")
BOOK = demo_book()
SCOPE = Scope(
    "Skald", "2.1", tuple(AiStage), (Territory.DK, Territory.SE), date(2026, 1, 1), date(2026, 12, 31)
)
QUOTE = price(
    PricingInput(
        quote_id="quo_1",
        application_id="app_1",
        hub=STIM,
        scope=SCOPE,
        expected_revenue=Money.of("SEK", 1_000_000),
        expected_output_count=10,
        training=TrainingDeclaration(TrainingDisclosure.NONE),
        training_basis={Territory.DK: 3, Territory.SE: 7},
        training_work_count=9,
        quoted_at=NOW,
    ),
    BOOK.tariffs,
    BOOK.fx,
)
LICENCE = Licence(
    licence_id="NC-2026-000001",
    application_id="app_1",
    quote_id="quo_1",
    licensee_id="skald-ai",
    licensee_legal_name="Skald AI AB",
    scope=SCOPE,
    hub=STIM,
    hub_admin_fee_bp=500,
    societies=(LicensedSociety(KODA, 3000, 3), LicensedSociety(STIM, 7000, 7)),
    tariffs=QUOTE.tariffs,
    presumption_applied=True,
    presumption_statement=QUOTE.presumption_statement,
    output_labelling=OUTPUT_LABELLING_REQUIRED,
    total=QUOTE.total,
    due_at_issue=QUOTE.due_at_issue,
    issued_at=NOW,
    history=(
        StatusChange(
            None, LicenceStatus.ACTIVE, date(2026, 1, 1), NOW, Actor("ops", "ops:STIM", STIM), "issued"
        ),
    ),
)
translate = LicensingEventTranslator("licensing.events")


def test_licence_issued_carries_what_settlement_splits_by() -> None:
    [(topic, envelope)] = translate(events.LicenceIssued(LICENCE, "req-1"))
    issued = envelope.licence_issued

    assert topic == "licensing.events"
    assert envelope.aggregate_id == "NC-2026-000001"
    assert envelope.event_id == "licence:NC-2026-000001:issued"
    assert envelope.correlation_id == "req-1"
    assert issued.hub_society == codes_pb2.SOCIETY_STIM
    assert issued.hub_admin_fee_bp == 500
    assert issued.currency_code == "SEK"
    assert [(s.society, s.repertoire_share_bp, s.licensable_work_count) for s in issued.societies] == [
        (codes_pb2.SOCIETY_KODA, 3000, 3),
        (codes_pb2.SOCIETY_STIM, 7000, 7),
    ]
    assert {(t.tariff_id, t.version) for t in issued.tariffs} == {
        (f"{society}-{stage}", "2025-1")
        for society in ("koda", "stim")
        for stage in ("training", "service", "output")
    }
    assert issued.presumption_applied
    assert issued.output_label_iptc_digital_source_type.endswith("/trainedAlgorithmicMedia")
    assert (issued.term.start_date.year, issued.term.end_date.month) == (2026, 12)


def test_the_training_fee_is_due_at_issue_per_society_and_territory_summing_exactly() -> None:
    [fee] = events.fees_due_at_issue(LICENCE, QUOTE, "req-1")
    [(_, envelope)] = translate(fee)
    message = envelope.fee_due

    assert envelope.aggregate_id == "NC-2026-000001"
    assert message.fee_id == "NC-2026-000001:training:at-issue"
    assert message.stage == codes_pb2.AI_STAGE_TRAINING
    assert message.amount.amount_minor == QUOTE.due_at_issue.amount_minor
    assert sum(line.amount.amount_minor for line in message.lines) == message.amount.amount_minor
    assert [(line.society, line.territory, line.basis_work_count) for line in message.lines] == [
        (codes_pb2.SOCIETY_KODA, codes_pb2.TERRITORY_DK, 3),
        (codes_pb2.SOCIETY_STIM, codes_pb2.TERRITORY_SE, 7),
    ]
    assert (message.due_on.year, message.due_on.month, message.due_on.day) == (2026, 3, 31)


def test_each_status_change_is_its_own_event_keyed_by_the_licence() -> None:
    suspended = LICENCE.suspend(date(2026, 3, 2), "unpaid", Actor("ops", "ops:STIM", STIM), NOW)
    revoked = suspended.revoke(date(2026, 3, 5), "still unpaid", Actor("ops", "ops:STIM", STIM), NOW)
    [(_, first)] = translate(events.LicenceStatusChanged(suspended, suspended.history[-1], "r1"))
    [(_, second)] = translate(events.LicenceStatusChanged(revoked, revoked.history[-1], "r2"))

    assert first.WhichOneof("payload") == "licence_suspended"
    assert first.licence_suspended.reason == "unpaid"
    assert second.WhichOneof("payload") == "licence_revoked"
    assert (second.licence_revoked.effective_from.month, second.licence_revoked.effective_from.day) == (3, 5)
    assert first.event_id != second.event_id
    assert first.aggregate_id == second.aggregate_id == "NC-2026-000001"


def test_published_tariffs_and_cache_notes() -> None:
    [(_, envelope)] = translate(events.TariffPublished(BOOK.tariffs[0]))
    assert envelope.tariff_published.illustrative
    assert envelope.tariff_published.components
    assert translate(RightsChanged(("W1",))) == []
