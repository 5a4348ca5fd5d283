"""Translation between the licensing domain and its contract messages (``nordclear.licensing.v1``).

The servicer uses these for requests and responses, and the repository stores aggregates as the same
messages, so one translation serves the wire and the database.
"""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, money_pb2, tariff_pb2
from nordclear.gen.licensing.v1 import licence_pb2 as pb
from nordclear.gen.licensing.v1 import licensing_service_pb2 as service_pb
from nordclear.licensing.domain.coverage import CoverageIssue
from nordclear.licensing.domain.document import VerificationFailure
from nordclear.licensing.domain.licence import (
    Actor,
    Licence,
    LicenceStatus,
    LicensedSociety,
    OutputLabelling,
    StatusChange,
)
from nordclear.licensing.domain.model import (
    Application,
    ApplicationStatus,
    Contact,
    Licensee,
    Scope,
    TrainingDeclaration,
    TrainingDisclosure,
)
from nordclear.licensing.domain.pricing import Quote, QuoteLine
from nordclear.licensing.domain.tariffs import ComponentKind, FxRate, Tariff, TariffComponent
from nordclear.platform.domain.money import Currency, Money
from nordclear.platform.domain.societies import Society, society_by_name
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import (
    date_to_proto,
    optional_date_from_proto,
    society_from_proto,
    society_to_proto,
    territory_from_proto,
    territory_to_proto,
    timestamp_to_proto,
)
from nordclear.repertoire.domain.consent import AiStage

_STAGES: dict[codes_pb2.AiStage.ValueType, AiStage] = {
    codes_pb2.AI_STAGE_TRAINING: AiStage.TRAINING,
    codes_pb2.AI_STAGE_SERVICE: AiStage.SERVICE,
    codes_pb2.AI_STAGE_OUTPUT: AiStage.OUTPUT,
}
_STAGE_NUMBERS = {stage: number for number, stage in _STAGES.items()}
_DISCLOSURES = {
    pb.TRAINING_DATA_DISCLOSURE_FULL_MANIFEST: TrainingDisclosure.FULL_MANIFEST,
    pb.TRAINING_DATA_DISCLOSURE_NONE: TrainingDisclosure.NONE,
}
_DISCLOSURE_NUMBERS = {value: number for number, value in _DISCLOSURES.items()}
_APPLICATION_STATUSES = {
    pb.APPLICATION_STATUS_QUOTED: ApplicationStatus.QUOTED,
    pb.APPLICATION_STATUS_ACCEPTED: ApplicationStatus.ACCEPTED,
    pb.APPLICATION_STATUS_ISSUED: ApplicationStatus.ISSUED,
    pb.APPLICATION_STATUS_REJECTED: ApplicationStatus.REJECTED,
    pb.APPLICATION_STATUS_QUOTE_EXPIRED: ApplicationStatus.QUOTE_EXPIRED,
}
_APPLICATION_STATUS_NUMBERS = {value: number for number, value in _APPLICATION_STATUSES.items()}
_LICENCE_STATUSES = {
    pb.LICENCE_STATUS_ACTIVE: LicenceStatus.ACTIVE,
    pb.LICENCE_STATUS_SUSPENDED: LicenceStatus.SUSPENDED,
    pb.LICENCE_STATUS_REVOKED: LicenceStatus.REVOKED,
    pb.LICENCE_STATUS_EXPIRED: LicenceStatus.EXPIRED,
}
_LICENCE_STATUS_NUMBERS = {value: number for number, value in _LICENCE_STATUSES.items()}
_COMPONENTS = {
    tariff_pb2.TARIFF_COMPONENT_KIND_TRAINING_FIXED: ComponentKind.TRAINING_FIXED,
    tariff_pb2.TARIFF_COMPONENT_KIND_TRAINING_PER_WORK: ComponentKind.TRAINING_PER_WORK,
    tariff_pb2.TARIFF_COMPONENT_KIND_SERVICE_REVENUE_SHARE: ComponentKind.SERVICE_REVENUE_SHARE,
    tariff_pb2.TARIFF_COMPONENT_KIND_SERVICE_MINIMUM: ComponentKind.SERVICE_MINIMUM,
    tariff_pb2.TARIFF_COMPONENT_KIND_OUTPUT_PER_USE: ComponentKind.OUTPUT_PER_USE,
    tariff_pb2.TARIFF_COMPONENT_KIND_OUTPUT_REVENUE_SHARE: ComponentKind.OUTPUT_REVENUE_SHARE,
}
_COMPONENT_NUMBERS = {value: number for number, value in _COMPONENTS.items()}
_PRINCIPAL_KINDS = {
    "society": audit_pb2.PRINCIPAL_KIND_SOCIETY,
    "licensee": audit_pb2.PRINCIPAL_KIND_LICENSEE,
    "ops": audit_pb2.PRINCIPAL_KIND_OPS,
    "service": audit_pb2.PRINCIPAL_KIND_SERVICE,
}
_PRINCIPAL_KIND_NAMES = {number: name for name, number in _PRINCIPAL_KINDS.items()}


# --- scalars -----------------------------------------------------------------------------------


def stage_from_proto(value: codes_pb2.AiStage.ValueType, field: str) -> AiStage:
    """The stage of a protobuf ``AiStage``; InvalidArgument when unset or unknown."""
    stage = _STAGES.get(value)
    if stage is None:
        raise InvalidArgument(field, value, "must be AI_STAGE_TRAINING, AI_STAGE_SERVICE or AI_STAGE_OUTPUT")
    return stage


def stage_to_proto(stage: AiStage) -> codes_pb2.AiStage.ValueType:
    """The protobuf ``AiStage`` of a stage."""
    return _STAGE_NUMBERS[stage]


def from_timestamp(stamp: Timestamp) -> datetime:
    """An aware UTC datetime of a Timestamp."""
    return stamp.ToDatetime(tzinfo=UTC)


def money_from_proto(message: money_pb2.Money, field: str) -> Money:
    """Money from the contract; InvalidArgument naming ``field`` for an unknown currency."""
    return Money(Currency.of(message.currency_code, f"{field}.currency_code"), message.amount_minor)


def money_to_proto(money: Money) -> money_pb2.Money:
    """The contract's Money."""
    return money_pb2.Money(currency_code=money.currency.code, amount_minor=money.amount_minor)


def society_of(value: codes_pb2.Society.ValueType, field: str) -> Society | None:
    """The member society of a protobuf ``Society``; None when unset."""
    name = society_from_proto(value, field)
    return society_by_name(name) if name is not None else None


def society_number(society: Society) -> codes_pb2.Society.ValueType:
    """The protobuf ``Society`` of a member society."""
    return society_to_proto(society.name)


def disclosure_from_proto(value: pb.TrainingDataDisclosure.ValueType, field: str) -> TrainingDisclosure:
    """The disclosure; InvalidArgument when unset."""
    disclosure = _DISCLOSURES.get(value)
    if disclosure is None:
        raise InvalidArgument(
            field,
            value,
            "must be TRAINING_DATA_DISCLOSURE_FULL_MANIFEST or TRAINING_DATA_DISCLOSURE_NONE "
            "(presumption rule)",
        )
    return disclosure


def application_status_from_proto(value: pb.ApplicationStatus.ValueType) -> ApplicationStatus | None:
    """The status filter of a list request; None when unset."""
    return _APPLICATION_STATUSES.get(value)


def licence_status_from_proto(value: pb.LicenceStatus.ValueType) -> LicenceStatus | None:
    """The status filter of a list request; None when unset."""
    return _LICENCE_STATUSES.get(value)


def licence_status_to_proto(status: LicenceStatus | None) -> pb.LicenceStatus.ValueType:
    """The protobuf status (unspecified for None)."""
    return _LICENCE_STATUS_NUMBERS[status] if status is not None else pb.LICENCE_STATUS_UNSPECIFIED


def actor_to_proto(actor: Actor) -> audit_pb2.Actor:
    """The contract's Actor."""
    return audit_pb2.Actor(
        kind=_PRINCIPAL_KINDS.get(actor.kind, audit_pb2.PRINCIPAL_KIND_UNSPECIFIED),
        principal_id=actor.principal_id,
        society=society_number(actor.society) if actor.society else codes_pb2.SOCIETY_UNSPECIFIED,
    )


def actor_from_proto(message: audit_pb2.Actor) -> Actor:
    """An Actor as stored."""
    return Actor(
        kind=_PRINCIPAL_KIND_NAMES.get(message.kind, "service"),
        principal_id=message.principal_id,
        society=society_of(message.society, "actor.society"),
    )


def verification_failure_to_proto(
    failure: VerificationFailure | None,
) -> service_pb.VerificationFailure.ValueType:
    """The contract's ``VerificationFailure`` number."""
    numbers: dict[VerificationFailure | None, service_pb.VerificationFailure.ValueType] = {
        None: service_pb.VERIFICATION_FAILURE_UNSPECIFIED,
        VerificationFailure.SIGNATURE_MISMATCH: service_pb.VERIFICATION_FAILURE_SIGNATURE_MISMATCH,
        VerificationFailure.MALFORMED_SIGNATURE: service_pb.VERIFICATION_FAILURE_MALFORMED_SIGNATURE,
        VerificationFailure.MALFORMED_DOCUMENT: service_pb.VERIFICATION_FAILURE_MALFORMED_DOCUMENT,
        VerificationFailure.UNKNOWN_KEY: service_pb.VERIFICATION_FAILURE_UNKNOWN_KEY,
    }
    return numbers[failure]


_COVERAGE_ISSUES: dict[CoverageIssue, service_pb.CoverageIssue.ValueType] = {
    CoverageIssue.LICENCE_NOT_ACTIVE: service_pb.COVERAGE_ISSUE_LICENCE_NOT_ACTIVE,
    CoverageIssue.OUTSIDE_TERM: service_pb.COVERAGE_ISSUE_OUTSIDE_TERM,
    CoverageIssue.STAGE_NOT_LICENSED: service_pb.COVERAGE_ISSUE_STAGE_NOT_LICENSED,
    CoverageIssue.TERRITORY_NOT_LICENSED: service_pb.COVERAGE_ISSUE_TERRITORY_NOT_LICENSED,
    CoverageIssue.NOT_IN_REPERTOIRE: service_pb.COVERAGE_ISSUE_NOT_IN_REPERTOIRE,
    CoverageIssue.NO_CONSENT: service_pb.COVERAGE_ISSUE_NO_CONSENT,
    CoverageIssue.CONSENT_REVOKED: service_pb.COVERAGE_ISSUE_CONSENT_REVOKED,
    CoverageIssue.NO_MANDATE: service_pb.COVERAGE_ISSUE_NO_MANDATE,
    CoverageIssue.WORK_DELETED: service_pb.COVERAGE_ISSUE_WORK_DELETED,
}


def coverage_issue_to_proto(issue: CoverageIssue) -> service_pb.CoverageIssue.ValueType:
    """The contract's ``CoverageIssue`` number."""
    return _COVERAGE_ISSUES[issue]


# --- licensee ----------------------------------------------------------------------------------


def licensee_from_proto(message: pb.Licensee, licensee_id: str, registered_at: datetime) -> Licensee:
    """A licensee from a registration request (not yet validated)."""
    return Licensee(
        licensee_id=licensee_id,
        legal_name=message.legal_name,
        country_code=message.country_code,
        registration_number=message.registration_number,
        contacts=tuple(Contact(c.name, c.email, c.phone, c.role) for c in message.contacts),
        registered_at=registered_at,
    )


def licensee_to_proto(licensee: Licensee) -> pb.Licensee:
    """The contract's Licensee."""
    return pb.Licensee(
        licensee_id=licensee.licensee_id,
        legal_name=licensee.legal_name,
        country_code=licensee.country_code,
        registration_number=licensee.registration_number,
        contacts=[
            pb.Contact(name=c.name, email=c.email, phone=c.phone, role=c.role) for c in licensee.contacts
        ],
        registered_at=timestamp_to_proto(licensee.registered_at),
    )


def stored_licensee(body: bytes) -> Licensee:
    """A licensee as stored."""
    message = pb.Licensee.FromString(body)
    return licensee_from_proto(message, message.licensee_id, from_timestamp(message.registered_at))


# --- application -------------------------------------------------------------------------------


def application_to_proto(application: Application) -> pb.Application:
    """The contract's Application."""
    scope = application.scope
    training = application.training
    return pb.Application(
        application_id=application.application_id,
        licensee_id=application.licensee_id,
        hub_society=society_number(application.hub),
        model_name=scope.model_name,
        model_version=scope.model_version,
        stages=[stage_to_proto(stage) for stage in scope.stages],
        territories=[territory_to_proto(territory) for territory in scope.territories],
        term=dates_pb2.DateRange(
            start_date=date_to_proto(scope.term_start), end_date=date_to_proto(scope.term_end)
        ),
        expected_revenue=money_to_proto(application.expected_revenue),
        expected_output_count=application.expected_output_count,
        training_data=pb.TrainingDataDeclaration(
            disclosure=_DISCLOSURE_NUMBERS[training.disclosure],
            declared_item_count=training.declared_item_count,
            description=training.description,
        ),
        status=_APPLICATION_STATUS_NUMBERS[application.status],
        quote_id=application.quote_id,
        licence_id=application.licence_id,
        submitted_at=timestamp_to_proto(application.submitted_at),
        status_changed_at=timestamp_to_proto(application.status_changed_at),
        rejection_reason=application.rejection_reason,
    )


def stored_application(body: bytes) -> Application:
    """An application as stored (it was validated before it was stored)."""
    message = pb.Application.FromString(body)
    hub = society_of(message.hub_society, "hub_society")
    assert hub is not None, "a stored application names its hub"
    return Application(
        application_id=message.application_id,
        licensee_id=message.licensee_id,
        hub=hub,
        scope=stored_scope(
            message.model_name, message.model_version, message.stages, message.territories, message.term
        ),
        expected_revenue=money_from_proto(message.expected_revenue, "expected_revenue"),
        expected_output_count=message.expected_output_count,
        training=TrainingDeclaration(
            disclosure=_DISCLOSURES[message.training_data.disclosure],
            declared_item_count=message.training_data.declared_item_count,
            description=message.training_data.description,
        ),
        status=_APPLICATION_STATUSES[message.status],
        quote_id=message.quote_id,
        licence_id=message.licence_id,
        submitted_at=from_timestamp(message.submitted_at),
        status_changed_at=from_timestamp(message.status_changed_at),
        rejection_reason=message.rejection_reason,
    )


def stored_scope(
    model_name: str,
    model_version: str,
    stages: object,
    territories: object,
    term: dates_pb2.DateRange,
) -> Scope:
    """A scope as stored."""
    start = optional_date_from_proto(term.start_date, "term.start_date")
    end = optional_date_from_proto(term.end_date, "term.end_date")
    assert start is not None, "a stored scope has both ends of its term"
    assert end is not None, "a stored scope has both ends of its term"
    return Scope(
        model_name=model_name,
        model_version=model_version,
        stages=tuple(_STAGES[number] for number in stages),  # type: ignore[attr-defined]
        territories=tuple(territory_from_proto(number, "territories") for number in territories),  # type: ignore[attr-defined]
        term_start=start,
        term_end=end,
    )


# --- tariffs and quotes ------------------------------------------------------------------------


def fx_rate_to_proto(rate: FxRate) -> money_pb2.FxRate:
    """The contract's FxRate."""
    return money_pb2.FxRate(
        base_currency_code=rate.base.code,
        quote_currency_code=rate.quote.code,
        rate_ppb=rate.rate_ppb,
        rate_date=date_to_proto(rate.rate_date),
        source=rate.source,
    )


def fx_rate_from_proto(message: money_pb2.FxRate) -> FxRate:
    """An FxRate as stored."""
    rate_date = optional_date_from_proto(message.rate_date, "rate_date")
    assert rate_date is not None
    return FxRate(
        base=Currency.of(message.base_currency_code),
        quote=Currency.of(message.quote_currency_code),
        rate_ppb=message.rate_ppb,
        rate_date=rate_date,
        source=message.source,
    )


def component_kind_to_proto(kind: ComponentKind) -> tariff_pb2.TariffComponentKind.ValueType:
    """The contract's TariffComponentKind."""
    return _COMPONENT_NUMBERS[kind]


def tariff_to_proto(tariff: Tariff) -> pb.Tariff:
    """The contract's Tariff."""
    return pb.Tariff(
        tariff_id=tariff.tariff_id,
        version=tariff.version,
        society=society_number(tariff.society),
        stage=stage_to_proto(tariff.stage),
        validity=dates_pb2.DateRange(
            start_date=date_to_proto(tariff.valid_from), end_date=date_to_proto(tariff.valid_until)
        ),
        currency_code=tariff.currency.code,
        components=[component_to_proto(component) for component in tariff.components],
        illustrative=tariff.illustrative,
        description=tariff.description,
    )


def component_to_proto(component: TariffComponent) -> tariff_pb2.TariffComponent:
    """The contract's TariffComponent."""
    message = tariff_pb2.TariffComponent(
        kind=_COMPONENT_NUMBERS[component.kind], rate_bp=component.rate_bp, description=component.description
    )
    if component.amount is not None:
        message.amount.CopyFrom(money_to_proto(component.amount))
    return message


def stored_tariff(body: bytes) -> Tariff:
    """A tariff as stored."""
    message = pb.Tariff.FromString(body)
    society = society_of(message.society, "society")
    valid_from = optional_date_from_proto(message.validity.start_date, "validity.start_date")
    assert society is not None
    assert valid_from is not None
    return Tariff(
        tariff_id=message.tariff_id,
        version=message.version,
        society=society,
        stage=_STAGES[message.stage],
        valid_from=valid_from,
        valid_until=optional_date_from_proto(message.validity.end_date, "validity.end_date"),
        currency=Currency.of(message.currency_code),
        components=tuple(
            TariffComponent(
                kind=_COMPONENTS[c.kind],
                amount=money_from_proto(c.amount, "amount") if c.HasField("amount") else None,
                rate_bp=c.rate_bp,
                description=c.description,
            )
            for c in message.components
        ),
        illustrative=message.illustrative,
        description=message.description,
    )


def quote_to_proto(quote: Quote) -> pb.Quote:
    """The contract's Quote."""
    return pb.Quote(
        quote_id=quote.quote_id,
        application_id=quote.application_id,
        total=money_to_proto(quote.total),
        due_at_issue=money_to_proto(quote.due_at_issue),
        lines=[_line_to_proto(line) for line in quote.lines],
        fx_basis=[fx_rate_to_proto(rate) for rate in quote.fx_basis],
        presumption_applied=quote.presumption_applied,
        presumption_statement=quote.presumption_statement,
        training_work_count=quote.training_work_count,
        quoted_at=timestamp_to_proto(quote.quoted_at),
        valid_until=timestamp_to_proto(quote.valid_until),
    )


def _line_to_proto(line: QuoteLine) -> pb.QuoteLine:
    message = pb.QuoteLine(
        stage=stage_to_proto(line.stage),
        society=society_number(line.society),
        territory=territory_to_proto(line.territory),
        component=_COMPONENT_NUMBERS[line.component],
        tariff=pb.TariffRef(tariff_id=line.tariff_id, version=line.tariff_version),
        basis_work_count=line.basis_work_count,
        basis_output_count=line.basis_output_count,
        tariff_amount=money_to_proto(line.tariff_amount),
        amount=money_to_proto(line.amount),
        estimated=line.estimated,
        due_at_issue=line.due_at_issue,
        description=line.description,
    )
    if line.basis_revenue is not None:
        message.basis_revenue.CopyFrom(money_to_proto(line.basis_revenue))
    return message


def stored_quote(body: bytes) -> Quote:
    """A quote as stored."""
    message = pb.Quote.FromString(body)
    return Quote(
        quote_id=message.quote_id,
        application_id=message.application_id,
        total=money_from_proto(message.total, "total"),
        due_at_issue=money_from_proto(message.due_at_issue, "due_at_issue"),
        lines=tuple(_stored_line(line) for line in message.lines),
        fx_basis=tuple(fx_rate_from_proto(rate) for rate in message.fx_basis),
        presumption_applied=message.presumption_applied,
        presumption_statement=message.presumption_statement,
        training_work_count=message.training_work_count,
        quoted_at=from_timestamp(message.quoted_at),
        valid_until=from_timestamp(message.valid_until),
    )


def _stored_line(message: pb.QuoteLine) -> QuoteLine:
    society = society_of(message.society, "society")
    assert society is not None
    return QuoteLine(
        stage=_STAGES[message.stage],
        society=society,
        territory=territory_from_proto(message.territory, "territory"),
        component=_COMPONENTS[message.component],
        tariff_id=message.tariff.tariff_id,
        tariff_version=message.tariff.version,
        basis_work_count=message.basis_work_count,
        basis_revenue=money_from_proto(message.basis_revenue, "basis_revenue")
        if message.HasField("basis_revenue")
        else None,
        basis_output_count=message.basis_output_count,
        tariff_amount=money_from_proto(message.tariff_amount, "tariff_amount"),
        amount=money_from_proto(message.amount, "amount"),
        estimated=message.estimated,
        due_at_issue=message.due_at_issue,
        description=message.description,
    )


# --- licence -----------------------------------------------------------------------------------


def licence_to_proto(licence: Licence) -> pb.Licence:
    """The contract's Licence."""
    scope = licence.scope
    return pb.Licence(
        licence_id=licence.licence_id,
        application_id=licence.application_id,
        quote_id=licence.quote_id,
        licensee_id=licence.licensee_id,
        licensee_legal_name=licence.licensee_legal_name,
        model_name=scope.model_name,
        model_version=scope.model_version,
        stages=[stage_to_proto(stage) for stage in scope.stages],
        territories=[territory_to_proto(territory) for territory in scope.territories],
        term=dates_pb2.DateRange(
            start_date=date_to_proto(scope.term_start), end_date=date_to_proto(scope.term_end)
        ),
        hub_society=society_number(licence.hub),
        hub_admin_fee_bp=licence.hub_admin_fee_bp,
        currency_code=licence.hub.currency.code,
        societies=[
            pb.LicensedSociety(
                society=society_number(entry.society),
                repertoire_share_bp=entry.repertoire_share_bp,
                licensable_work_count=entry.licensable_work_count,
            )
            for entry in licence.societies
        ],
        tariffs=[
            pb.TariffRef(tariff_id=tariff_id, version=version) for tariff_id, version in licence.tariffs
        ],
        presumption_applied=licence.presumption_applied,
        output_labelling=pb.OutputLabelling(
            required=licence.output_labelling.required,
            iptc_digital_source_type=licence.output_labelling.iptc_digital_source_type,
            label_text=licence.output_labelling.label_text,
        ),
        status=_LICENCE_STATUS_NUMBERS[licence.status],
        issued_at=timestamp_to_proto(licence.issued_at),
        history=[_change_to_proto(change) for change in licence.history],
    )


def _change_to_proto(change: StatusChange) -> pb.LicenceStatusChange:
    return pb.LicenceStatusChange(
        previous_status=licence_status_to_proto(change.previous),
        status=_LICENCE_STATUS_NUMBERS[change.status],
        effective_from=date_to_proto(change.effective_from),
        changed_at=timestamp_to_proto(change.changed_at),
        changed_by=actor_to_proto(change.changed_by),
        reason=change.reason,
    )


def stored_licence(body: bytes, quote: Quote) -> Licence:
    """A licence as stored, completed from its quote (presumption statement and amounts)."""
    message = pb.Licence.FromString(body)
    hub = society_of(message.hub_society, "hub_society")
    assert hub is not None
    return Licence(
        licence_id=message.licence_id,
        application_id=message.application_id,
        quote_id=message.quote_id,
        licensee_id=message.licensee_id,
        licensee_legal_name=message.licensee_legal_name,
        scope=stored_scope(
            message.model_name, message.model_version, message.stages, message.territories, message.term
        ),
        hub=hub,
        hub_admin_fee_bp=message.hub_admin_fee_bp,
        societies=tuple(
            LicensedSociety(
                society=society_by_name(society_from_proto(entry.society, "society") or ""),
                repertoire_share_bp=entry.repertoire_share_bp,
                licensable_work_count=entry.licensable_work_count,
            )
            for entry in message.societies
        ),
        tariffs=tuple((ref.tariff_id, ref.version) for ref in message.tariffs),
        presumption_applied=message.presumption_applied,
        presumption_statement=quote.presumption_statement,
        output_labelling=OutputLabelling(
            required=message.output_labelling.required,
            iptc_digital_source_type=message.output_labelling.iptc_digital_source_type,
            label_text=message.output_labelling.label_text,
        ),
        total=quote.total,
        due_at_issue=quote.due_at_issue,
        issued_at=from_timestamp(message.issued_at),
        history=tuple(_stored_change(change) for change in message.history),
    )


def _stored_change(message: pb.LicenceStatusChange) -> StatusChange:
    effective = optional_date_from_proto(message.effective_from, "effective_from")
    assert effective is not None
    return StatusChange(
        previous=_LICENCE_STATUSES.get(message.previous_status),
        status=_LICENCE_STATUSES[message.status],
        effective_from=effective,
        changed_at=from_timestamp(message.changed_at),
        changed_by=actor_from_proto(message.changed_by),
        reason=message.reason,
    )
