"""Translating licensing and matching events into settlement's domain inputs.

Handlers of the consumers call these; a malformed event is an ``InvalidArgument`` naming the field, which
the inbox consumer parks on the dead-letter topic with the reason.
"""

from __future__ import annotations

from nordclear.gen.common.v1 import codes_pb2, tariff_pb2, usage_pb2
from nordclear.gen.events.v1 import licensing_events_pb2 as lic_events
from nordclear.gen.events.v1 import matching_events_pb2 as match_events
from nordclear.platform.domain.money import Currency
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import (
    date_from_proto,
    optional_date_from_proto,
    society_from_proto,
    territory_from_proto,
)
from nordclear.repertoire.domain.consent import AiStage
from nordclear.settlement.domain.model import (
    FeeDue,
    FeeLine,
    Licence,
    ReportKind,
    Tariff,
    TariffComponent,
    TariffComponentKind,
    UsageLine,
    UsageUnit,
)

_STAGES: dict[int, AiStage] = {
    codes_pb2.AI_STAGE_TRAINING: AiStage.TRAINING,
    codes_pb2.AI_STAGE_SERVICE: AiStage.SERVICE,
    codes_pb2.AI_STAGE_OUTPUT: AiStage.OUTPUT,
}
STAGE_TO_PROTO = {stage: number for number, stage in _STAGES.items()}
_KINDS: dict[int, ReportKind] = {
    usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST: ReportKind.TRAINING_MANIFEST,
    usage_pb2.USAGE_REPORT_KIND_SERVICE_REVENUE: ReportKind.SERVICE_REVENUE,
    usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION: ReportKind.OUTPUT_ATTRIBUTION,
}
_COMPONENTS: dict[int, TariffComponentKind] = {
    tariff_pb2.TARIFF_COMPONENT_KIND_TRAINING_FIXED: TariffComponentKind.TRAINING_FIXED,
    tariff_pb2.TARIFF_COMPONENT_KIND_TRAINING_PER_WORK: TariffComponentKind.TRAINING_PER_WORK,
    tariff_pb2.TARIFF_COMPONENT_KIND_SERVICE_REVENUE_SHARE: TariffComponentKind.SERVICE_REVENUE_SHARE,
    tariff_pb2.TARIFF_COMPONENT_KIND_SERVICE_MINIMUM: TariffComponentKind.SERVICE_MINIMUM,
    tariff_pb2.TARIFF_COMPONENT_KIND_OUTPUT_PER_USE: TariffComponentKind.OUTPUT_PER_USE,
    tariff_pb2.TARIFF_COMPONENT_KIND_OUTPUT_REVENUE_SHARE: TariffComponentKind.OUTPUT_REVENUE_SHARE,
}


def stage_from_proto(value: int, field: str) -> AiStage:
    """The AI stage of a protobuf ``AiStage``; InvalidArgument when unset or unknown."""
    stage = _STAGES.get(value)
    if stage is None:
        raise InvalidArgument(field, value, "must be AI_STAGE_TRAINING, _SERVICE or _OUTPUT")
    return stage


def report_kind_from_proto(value: int, field: str) -> ReportKind:
    """The report kind of a protobuf ``UsageReportKind``."""
    kind = _KINDS.get(value)
    if kind is None:
        raise InvalidArgument(field, value, "must be a usage report kind")
    return kind


def society_code(value: int, field: str) -> str:
    """The CISAC code of a member society named by a protobuf ``Society``; required."""
    name = society_from_proto(value, field)  # type: ignore[arg-type]
    if name is None:
        raise InvalidArgument(field, value, "a member society is required")
    return society_by_name(name, field).cisac_code


def licence_from_event(event: lic_events.LicenceIssued) -> Licence:
    """The licence settlement keeps from LicenceIssued."""
    if not event.licence_id:
        raise InvalidArgument("licence_issued.licence_id", "", "a licence id is required")
    if not 0 <= event.hub_admin_fee_bp <= 10_000:
        raise InvalidArgument(
            "licence_issued.hub_admin_fee_bp", event.hub_admin_fee_bp, "must be 0 to 10000 bp"
        )
    return Licence(
        licence_id=event.licence_id,
        licensee_id=event.licensee_id,
        hub_code=society_code(event.hub_society, "licence_issued.hub_society"),
        hub_admin_fee_bp=event.hub_admin_fee_bp,
        currency_code=Currency.of(event.currency_code, "licence_issued.currency_code").code,
        stages=frozenset(stage_from_proto(s, "licence_issued.stages") for s in event.stages),
        territories=frozenset(
            territory_from_proto(t, "licence_issued.territories") for t in event.territories
        ),
        term_start=date_from_proto(event.term.start_date, "licence_issued.term.start_date"),
        term_end=optional_date_from_proto(event.term.end_date, "licence_issued.term.end_date"),
        presumption_applied=event.presumption_applied,
        tariff_refs=tuple(sorted((ref.tariff_id, ref.version) for ref in event.tariffs)),
    )


def tariff_from_event(event: lic_events.TariffPublished) -> Tariff:
    """A tariff version from TariffPublished."""
    currency = Currency.of(event.currency_code, "tariff_published.currency_code").code
    components = []
    for index, component in enumerate(event.components):
        kind = _COMPONENTS.get(component.kind)
        if kind is None:
            raise InvalidArgument(
                f"tariff_published.components[{index}].kind", component.kind, "must be a known kind"
            )
        components.append(TariffComponent(kind, component.amount.amount_minor, component.rate_bp))
    return Tariff(
        tariff_id=event.tariff_id,
        version=event.version,
        society_code=society_code(event.society, "tariff_published.society"),
        stage=stage_from_proto(event.stage, "tariff_published.stage"),
        currency_code=currency,
        valid_from=date_from_proto(event.validity.start_date, "tariff_published.validity.start_date"),
        valid_until=optional_date_from_proto(event.validity.end_date, "tariff_published.validity.end_date"),
        components=tuple(components),
    )


def fee_from_event(event: lic_events.FeeDue) -> FeeDue:
    """A fee due from FeeDue; its lines must sum exactly to its amount."""
    currency = Currency.of(event.amount.currency_code, "fee_due.amount.currency_code").code
    lines = []
    for index, line in enumerate(event.lines):
        if line.amount.currency_code and line.amount.currency_code != currency:
            raise InvalidArgument(
                f"fee_due.lines[{index}].amount.currency_code",
                line.amount.currency_code,
                f"must be {currency}",
            )
        lines.append(
            FeeLine(
                society_code(line.society, f"fee_due.lines[{index}].society"),
                territory_from_proto(line.territory, f"fee_due.lines[{index}].territory"),
                line.amount.amount_minor,
            )
        )
    if not lines:
        raise InvalidArgument("fee_due.lines", "[]", "a fee has at least one line (society and territory)")
    if sum(line.amount_minor for line in lines) != event.amount.amount_minor:
        raise InvalidArgument(
            "fee_due.lines",
            sum(line.amount_minor for line in lines),
            f"must sum exactly to amount {event.amount.amount_minor}",
        )
    return FeeDue(
        fee_id=event.fee_id,
        licence_id=event.licence_id,
        stage=stage_from_proto(event.stage, "fee_due.stage"),
        currency_code=currency,
        amount_minor=event.amount.amount_minor,
        due_on=date_from_proto(event.due_on, "fee_due.due_on"),
        presumption_applied=event.presumption_applied,
        lines=tuple(lines),
    )


def usage_line_from_proto(
    line: match_events.MatchedUsageLine,
    *,
    licence_id: str,
    licensee_id: str,
    report_id: str,
    kind: ReportKind,
) -> UsageLine:
    """One matched usage line (the stored document) as the royalty rules take it."""
    territory: Territory | None = None
    if line.territory != codes_pb2.TERRITORY_UNSPECIFIED:
        territory = territory_from_proto(line.territory, "line.territory")
    currency = ""
    if line.HasField("amount") and line.amount.currency_code:
        currency = Currency.of(line.amount.currency_code, "line.amount.currency_code").code
    return UsageLine(
        licence_id=licence_id,
        licensee_id=licensee_id,
        report_id=report_id,
        kind=kind,
        line_number=line.line_number,
        revision=line.revision,
        stage=stage_from_proto(line.stage, "line.stage"),
        territory=territory,
        period_start=date_from_proto(line.period.start_date, "line.period.start_date"),
        period_end=date_from_proto(line.period.end_date, "line.period.end_date"),
        amount_minor=line.amount.amount_minor if line.HasField("amount") else 0,
        currency_code=currency,
        output_id=line.output_id,
        units=tuple(
            UsageUnit(unit.work_id, unit.share_bp, unit.attribution_confidence_bp, unit.match_confidence_bp)
            for unit in line.works
        ),
    )
