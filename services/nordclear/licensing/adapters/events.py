"""Translating licensing domain events into the ``nordclear.events.v1`` messages it publishes.

Every event of a licence is keyed by the licence id, so its consumers see issue, fees and status changes
in order; application events by the application id, licensee and tariff events by their own ids. Event
ids are derived from what happened (``licence:NC-2026-000001:issued``), so a fact published twice
deduplicates downstream instead of counting twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.message import Message

from nordclear.gen.common.v1 import dates_pb2
from nordclear.gen.events.v1 import licensing_events_pb2 as events
from nordclear.licensing.adapters import proto
from nordclear.licensing.adapters.coverage_cache import RightsChanged
from nordclear.licensing.domain import events as domain
from nordclear.licensing.domain.licence import LicenceStatus
from nordclear.platform.db.unit_of_work import Published
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.platform.protoconv import date_to_proto, territory_to_proto
from nordclear.platform.topology import LICENSING


class LicensingEventTranslator:
    """Turns domain events into (topic, envelope) pairs for the outbox."""

    def __init__(self, topic: str) -> None:
        self._topic = topic

    def __call__(self, event: object) -> Sequence[Published]:
        """What to publish for ``event``."""
        if isinstance(event, RightsChanged):
            return []  # a note for in-process caches, not a fact anyone else needs
        payload, aggregate_id, event_id, request_id = _translate(event)
        envelope = new_envelope(
            payload,
            producer=LICENSING.name,
            aggregate_id=aggregate_id,
            correlation_id=request_id,
            event_id=event_id,
        )
        return [(self._topic, envelope)]


def _translate(event: object) -> tuple[Message, str, str, str]:
    if isinstance(event, domain.LicenseeRegistered):
        licensee = event.licensee
        payload: Message = events.LicenseeRegistered(
            licensee_id=licensee.licensee_id,
            legal_name=licensee.legal_name,
            country_code=licensee.country_code,
        )
        return payload, licensee.licensee_id, f"licensee:{licensee.licensee_id}:registered", event.request_id
    if isinstance(event, domain.ApplicationQuoted):
        application, quote = event.application, event.quote
        payload = events.ApplicationQuoted(
            application_id=application.application_id,
            licensee_id=application.licensee_id,
            hub_society=proto.society_number(application.hub),
            quote_id=quote.quote_id,
            total=proto.money_to_proto(quote.total),
            presumption_applied=quote.presumption_applied,
            stages=[proto.stage_to_proto(stage) for stage in application.scope.stages],
            territories=[territory_to_proto(territory) for territory in application.scope.territories],
        )
        aggregate = application.application_id
        return payload, aggregate, f"application:{aggregate}:quoted", event.request_id
    if isinstance(event, domain.QuoteAccepted):
        application = event.application
        payload = events.QuoteAccepted(
            application_id=application.application_id,
            quote_id=application.quote_id,
            licensee_id=application.licensee_id,
            hub_society=proto.society_number(application.hub),
        )
        aggregate = application.application_id
        return payload, aggregate, f"application:{aggregate}:accepted", event.request_id
    if isinstance(event, domain.ApplicationRejected):
        application = event.application
        payload = events.ApplicationRejected(
            application_id=application.application_id,
            licensee_id=application.licensee_id,
            hub_society=proto.society_number(application.hub),
            reason=application.rejection_reason,
            rejected_by=proto.actor_to_proto(event.rejected_by),
        )
        aggregate = application.application_id
        return payload, aggregate, f"application:{aggregate}:rejected", event.request_id
    if isinstance(event, domain.LicenceIssued):
        licence_id = event.licence.licence_id
        return _issued(event), licence_id, f"licence:{licence_id}:issued", event.request_id
    if isinstance(event, domain.LicenceStatusChanged):
        licence_id = event.licence.licence_id
        index = len(event.licence.history) - 1
        return _status_changed(event), licence_id, f"licence:{licence_id}:change:{index}", event.request_id
    if isinstance(event, domain.FeeDue):
        return _fee_due(event), event.licence.licence_id, f"fee:{event.fee_id}", event.request_id
    if isinstance(event, domain.TariffPublished):
        tariff = event.tariff
        message = proto.tariff_to_proto(tariff)
        payload = events.TariffPublished(
            tariff_id=tariff.tariff_id,
            version=tariff.version,
            society=message.society,
            stage=message.stage,
            validity=message.validity,
            currency_code=tariff.currency.code,
            components=message.components,
            illustrative=tariff.illustrative,
        )
        key = f"{tariff.tariff_id}:{tariff.version}"
        return payload, tariff.tariff_id, f"tariff:{key}:published", ""
    raise TypeError(f"no translation for licensing event {type(event).__name__}")


def _issued(event: domain.LicenceIssued) -> events.LicenceIssued:
    licence = event.licence
    message = proto.licence_to_proto(licence)
    return events.LicenceIssued(
        licence_id=licence.licence_id,
        application_id=licence.application_id,
        licensee_id=licence.licensee_id,
        licensee_legal_name=licence.licensee_legal_name,
        model_name=licence.scope.model_name,
        model_version=licence.scope.model_version,
        stages=message.stages,
        territories=message.territories,
        term=message.term,
        hub_society=message.hub_society,
        hub_admin_fee_bp=licence.hub_admin_fee_bp,
        currency_code=licence.hub.currency.code,
        societies=[
            events.LicensedSocietyShare(
                society=entry.society,
                repertoire_share_bp=entry.repertoire_share_bp,
                licensable_work_count=entry.licensable_work_count,
            )
            for entry in message.societies
        ],
        tariffs=[
            events.TariffVersionRef(tariff_id=ref.tariff_id, version=ref.version) for ref in message.tariffs
        ],
        presumption_applied=licence.presumption_applied,
        output_label_iptc_digital_source_type=(
            licence.output_labelling.iptc_digital_source_type if licence.output_labelling.required else ""
        ),
        issued_at=message.issued_at,
    )


def _status_changed(
    event: domain.LicenceStatusChanged,
) -> events.LicenceSuspended | events.LicenceReactivated | events.LicenceRevoked | events.LicenceExpired:
    change = event.change
    licence_id = event.licence.licence_id
    effective: dates_pb2.Date = date_to_proto(change.effective_from)
    actor = proto.actor_to_proto(change.changed_by)
    if change.status is LicenceStatus.SUSPENDED:
        return events.LicenceSuspended(
            licence_id=licence_id, effective_from=effective, reason=change.reason, changed_by=actor
        )
    if change.status is LicenceStatus.ACTIVE:
        return events.LicenceReactivated(
            licence_id=licence_id, effective_from=effective, reason=change.reason, changed_by=actor
        )
    if change.status is LicenceStatus.REVOKED:
        return events.LicenceRevoked(
            licence_id=licence_id, effective_from=effective, reason=change.reason, changed_by=actor
        )
    return events.LicenceExpired(licence_id=licence_id, term_end=date_to_proto(event.licence.scope.term_end))


def _fee_due(event: domain.FeeDue) -> events.FeeDue:
    licence = event.licence
    return events.FeeDue(
        fee_id=event.fee_id,
        licence_id=licence.licence_id,
        licensee_id=licence.licensee_id,
        hub_society=proto.society_number(licence.hub),
        stage=proto.stage_to_proto(event.stage),
        amount=proto.money_to_proto(event.amount),
        due_on=date_to_proto(event.due_on),
        presumption_applied=licence.presumption_applied,
        lines=[
            events.FeeDueLine(
                society=proto.society_number(line.society),
                territory=territory_to_proto(line.territory),
                amount=proto.money_to_proto(line.amount),
                basis_work_count=line.basis_work_count,
                tariff=events.TariffVersionRef(tariff_id=line.tariff_id, version=line.tariff_version),
            )
            for line in event.lines
        ],
    )
