"""A small settlement scenario as the events other services publish: works, consents, a licence, usage.

Works and consents go through the repertoire's own event translator; licensing and matching events are
built exactly as ``protos/nordclear/events/v1`` defines them. Used by the integration tests, which
apply them directly or send them through the broker.

The scenario (hub STIM, SEK, 5 % admin fee, presumption rule, territories SE, NO, DK):

- ``w-sv``: writer with STIM mandates for PR and MR in the Nordic countries; consent for every stage;
- ``w-dk``: KODA writer (50 %) and a publisher without mandate (50 %); consent for every stage;
- ``w-no``: TONO writer; consent for training only, so its output money is held (no consent);
- a training fee of 100,000.00 SEK (60 % SE, 40 % NO) due 2026-02-01;
- an output report in EUR: two outputs in SE and NO attributed to the works, one influence below the
  confidence threshold;
- a service revenue report: 200,000.00 SEK of revenue in SE.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from nordclear.gen.common.v1 import codes_pb2, dates_pb2, money_pb2, tariff_pb2, usage_pb2
from nordclear.gen.events.v1 import licensing_events_pb2 as lic
from nordclear.gen.events.v1 import matching_events_pb2 as match
from nordclear.gen.events.v1.envelope_pb2 import EventEnvelope
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.repertoire.adapters.events import RepertoireEventTranslator
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    PrincipalKind,
    WorkSubject,
)
from nordclear.repertoire.domain.events import ConsentChanged, WorkChanged
from nordclear.repertoire.domain.work import (
    InterestedParty,
    Mandate,
    PartyRole,
    PublisherType,
    Right,
    RightShare,
    Work,
    WriterRole,
)

LICENCE_ID = "lic-acme-1"
LICENSEE_ID = "acme-ai"
NORDIC = 2127
STIM, KODA, TONO = society_by_name("stim"), society_by_name("koda"), society_by_name("tono")
PERIOD_START, PERIOD_END = date(2026, 1, 1), date(2026, 3, 31)
ECB_CSV = (
    b"Date, USD, JPY, DKK, ISK, NOK, SEK, \n"
    b"31 March 2026, 1.0812, 163.12, 7.4604, 150.10, 11.6540, 11.1234, \n"
)


def _sek(minor: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="SEK", amount_minor=minor)


def _eur(minor: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="EUR", amount_minor=minor)


def _date(value: date) -> dates_pb2.Date:
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def _writer(key: str, name: str, society_code: str | None, share_bp: int = 10_000) -> InterestedParty:
    mandates = (
        ()
        if society_code is None
        else (
            Mandate(Right.PERFORMING, NORDIC, society_code),
            Mandate(Right.MECHANICAL, NORDIC, society_code),
        )
    )
    return InterestedParty(
        party_key=key,
        role=PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
        name=name,
        ipi_name_number="00014107338",
        ownership_shares=(RightShare(Right.PERFORMING, share_bp), RightShare(Right.MECHANICAL, share_bp)),
        mandates=mandates,
    )


def works() -> list[Work]:
    publisher = InterestedParty(
        party_key="pub",
        role=PartyRole.publisher(PublisherType.ORIGINAL_PUBLISHER),
        name="Unmandated Music",
        ownership_shares=(RightShare(Right.PERFORMING, 5_000), RightShare(Right.MECHANICAL, 5_000)),
    )
    stamp = datetime(2025, 12, 1, tzinfo=UTC)
    return [
        Work(
            "w-sv",
            "Vem kan segla förutan vind",
            STIM,
            (_writer("sv-writer", "Taube", STIM.cisac_code),),
            iswc="T0700000049",
            revision=1,
            updated_at=stamp,
        ),
        Work(
            "w-dk",
            "Den danske sang",
            KODA,
            (_writer("dk-writer", "Nielsen", KODA.cisac_code, 5_000), publisher),
            revision=1,
            updated_at=stamp,
        ),
        Work(
            "w-no",
            "Norsk vise",
            TONO,
            (_writer("no-writer", "Grieg", TONO.cisac_code),),
            revision=1,
            updated_at=stamp,
        ),
    ]


def repertoire_envelopes(topic: str) -> list[EventEnvelope]:
    translate = RepertoireEventTranslator(topic)
    events: list[object] = [WorkChanged(work, 0, f"req-{work.work_id}") for work in works()]
    consents = {"w-sv": tuple(AiStage), "w-dk": tuple(AiStage), "w-no": (AiStage.TRAINING,)}
    number = 0
    for work_id, stages in consents.items():
        for stage in stages:
            number += 1
            entry = ConsentEntry(
                entry_id=f"consent-{number}",
                subject=WorkSubject(work_id),
                stage=stage,
                action=ConsentAction.GRANT,
                effective_from=date(2025, 12, 1),
                recorded_by=Actor(PrincipalKind.SOCIETY, "society:STIM", society=STIM),
                recorded_at=datetime(2025, 12, 1, 12, number, tzinfo=UTC),
                society=STIM,
            )
            events.append(ConsentChanged(entry, f"req-consent-{number}"))
    return [envelope for event in events for _, envelope in translate(event)]


def _licensing(payload: object, aggregate_id: str, event_id: str) -> EventEnvelope:
    return new_envelope(payload, producer="licensing", aggregate_id=aggregate_id, event_id=event_id)  # type: ignore[arg-type]


def _tariff(
    stage: codes_pb2.AiStage.ValueType, name: str, components: list[tariff_pb2.TariffComponent]
) -> lic.TariffPublished:
    return lic.TariffPublished(
        tariff_id=f"stim-{name}",
        version="2026.1",
        society=codes_pb2.SOCIETY_STIM,
        stage=stage,
        validity=dates_pb2.DateRange(start_date=_date(date(2026, 1, 1))),
        currency_code="SEK",
        components=components,
    )


def licensing_envelopes() -> list[EventEnvelope]:
    tariffs = [
        _tariff(
            codes_pb2.AI_STAGE_SERVICE,
            "service",
            [
                tariff_pb2.TariffComponent(
                    kind=tariff_pb2.TARIFF_COMPONENT_KIND_SERVICE_REVENUE_SHARE, rate_bp=1_000
                ),
                tariff_pb2.TariffComponent(
                    kind=tariff_pb2.TARIFF_COMPONENT_KIND_SERVICE_MINIMUM, amount=_sek(500_000)
                ),
            ],
        ),
        _tariff(
            codes_pb2.AI_STAGE_OUTPUT,
            "output",
            [
                tariff_pb2.TariffComponent(
                    kind=tariff_pb2.TARIFF_COMPONENT_KIND_OUTPUT_REVENUE_SHARE, rate_bp=2_500
                ),
                tariff_pb2.TariffComponent(
                    kind=tariff_pb2.TARIFF_COMPONENT_KIND_OUTPUT_PER_USE, amount=_sek(100)
                ),
            ],
        ),
    ]
    issued = lic.LicenceIssued(
        licence_id=LICENCE_ID,
        application_id="app-1",
        licensee_id=LICENSEE_ID,
        licensee_legal_name="Acme AI AB",
        model_name="acme-music",
        model_version="1.0",
        stages=[codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE, codes_pb2.AI_STAGE_OUTPUT],
        territories=[codes_pb2.TERRITORY_SE, codes_pb2.TERRITORY_NO, codes_pb2.TERRITORY_DK],
        term=dates_pb2.DateRange(start_date=_date(date(2026, 1, 1)), end_date=_date(date(2026, 12, 31))),
        hub_society=codes_pb2.SOCIETY_STIM,
        hub_admin_fee_bp=500,
        currency_code="SEK",
        tariffs=[lic.TariffVersionRef(tariff_id=t.tariff_id, version=t.version) for t in tariffs],
        presumption_applied=True,
    )
    fee = lic.FeeDue(
        fee_id=f"{LICENCE_ID}/training",
        licence_id=LICENCE_ID,
        licensee_id=LICENSEE_ID,
        hub_society=codes_pb2.SOCIETY_STIM,
        stage=codes_pb2.AI_STAGE_TRAINING,
        amount=_sek(10_000_000),
        due_on=_date(date(2026, 2, 1)),
        presumption_applied=True,
        lines=[
            lic.FeeDueLine(
                society=codes_pb2.SOCIETY_STIM,
                territory=codes_pb2.TERRITORY_SE,
                amount=_sek(6_000_000),
                basis_work_count=3,
            ),
            lic.FeeDueLine(
                society=codes_pb2.SOCIETY_TONO,
                territory=codes_pb2.TERRITORY_NO,
                amount=_sek(4_000_000),
                basis_work_count=3,
            ),
        ],
    )
    envelopes = [_licensing(t, t.tariff_id, f"tariff:{t.tariff_id}:{t.version}") for t in tariffs]
    envelopes.append(_licensing(issued, LICENCE_ID, f"licence:{LICENCE_ID}:issued"))
    envelopes.append(_licensing(fee, LICENCE_ID, f"fee:{fee.fee_id}"))
    return envelopes


def _line(
    number: int,
    territory: codes_pb2.Territory.ValueType,
    stage: codes_pb2.AiStage.ValueType,
    amount: money_pb2.Money,
    works: list[match.MatchedWork],
) -> match.MatchedUsageLine:
    return match.MatchedUsageLine(
        line_number=number,
        revision=1,
        stage=stage,
        territory=territory,
        period=dates_pb2.DateRange(start_date=_date(PERIOD_START), end_date=_date(PERIOD_END)),
        amount=amount,
        output_id=f"out-{number}" if stage == codes_pb2.AI_STAGE_OUTPUT else "",
        works=works,
    )


def _influence(index: int, work_id: str, share_bp: int, confidence_bp: int) -> match.MatchedWork:
    return match.MatchedWork(
        influence_index=index,
        work_id=work_id,
        share_bp=share_bp,
        method=usage_pb2.MATCH_METHOD_ISWC,
        match_confidence_bp=10_000,
        attribution_confidence_bp=confidence_bp,
    )


def matching_envelopes() -> list[EventEnvelope]:
    period = dates_pb2.DateRange(start_date=_date(PERIOD_START), end_date=_date(PERIOD_END))
    output = match.UsageMatched(
        report_id="outputs-q1",
        licensee_id=LICENSEE_ID,
        licence_id=LICENCE_ID,
        kind=usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION,
        period=period,
        batch_sequence=1,
        lines=[
            _line(
                1,
                codes_pb2.TERRITORY_SE,
                codes_pb2.AI_STAGE_OUTPUT,
                _eur(100_000),
                [
                    _influence(0, "w-sv", 6_000, 9_500),
                    _influence(1, "w-no", 3_000, 9_000),
                    _influence(2, "w-dk", 1_000, 2_000),
                ],
            ),
            _line(
                2,
                codes_pb2.TERRITORY_NO,
                codes_pb2.AI_STAGE_OUTPUT,
                _eur(33_333),
                [_influence(0, "w-dk", 8_000, 9_900)],
            ),
        ],
    )
    service = match.UsageMatched(
        report_id="service-q1",
        licensee_id=LICENSEE_ID,
        licence_id=LICENCE_ID,
        kind=usage_pb2.USAGE_REPORT_KIND_SERVICE_REVENUE,
        period=period,
        batch_sequence=1,
        lines=[_line(1, codes_pb2.TERRITORY_SE, codes_pb2.AI_STAGE_SERVICE, _sek(20_000_000), [])],
    )
    done = match.ReportMatchingCompleted(
        report_id="outputs-q1",
        licensee_id=LICENSEE_ID,
        licence_id=LICENCE_ID,
        kind=usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION,
        period=period,
        batch_count=1,
        lines_total=2,
    )
    return [
        new_envelope(output, producer="matching", aggregate_id="outputs-q1", event_id="usage:outputs-q1:1"),
        new_envelope(service, producer="matching", aggregate_id="service-q1", event_id="usage:service-q1:1"),
        new_envelope(done, producer="matching", aggregate_id="outputs-q1", event_id="usage:outputs-q1:done"),
    ]


__all__ = ["licensing_envelopes", "matching_envelopes", "repertoire_envelopes"]
