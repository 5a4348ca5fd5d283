"""Kafka event handlers of the settlement service: licensing, matching and repertoire events → read models.

Handlers only translate and store; the platform's inbox consumer provides the transaction, the
deduplication and the dead-lettering.
"""

from __future__ import annotations

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.platform.protoconv import date_from_proto, optional_date_from_proto
from nordclear.platform.rights import RIGHTS_EVENT_TYPES
from nordclear.settlement.adapters.events_in import report_kind_from_proto
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork

HANDLED_LICENSING_EVENTS = frozenset(
    {
        "nordclear.events.v1.LicenceIssued",
        "nordclear.events.v1.LicenceSuspended",
        "nordclear.events.v1.LicenceReactivated",
        "nordclear.events.v1.LicenceRevoked",
        "nordclear.events.v1.LicenceExpired",
        "nordclear.events.v1.FeeDue",
        "nordclear.events.v1.TariffPublished",
    }
)
HANDLED_MATCHING_EVENTS = frozenset(
    {"nordclear.events.v1.UsageMatched", "nordclear.events.v1.ReportMatchingCompleted"}
)
HANDLED_REPERTOIRE_EVENTS = RIGHTS_EVENT_TYPES


async def handle_licensing_event(envelope: envelope_pb2.EventEnvelope, uow: SettlementUnitOfWork) -> None:
    """Keep settlement's copy of licences, fees and tariffs."""
    kind = envelope.WhichOneof("payload")
    if kind == "licence_issued":
        await uow.repo.put_licence(envelope.licence_issued)
    elif kind == "fee_due":
        await uow.repo.put_fee(envelope.fee_due)
    elif kind == "tariff_published":
        await uow.repo.put_tariff(envelope.tariff_published)
    elif kind in ("licence_suspended", "licence_reactivated", "licence_revoked"):
        change = getattr(envelope, kind)
        status = {
            "licence_suspended": "suspended",
            "licence_reactivated": "active",
            "licence_revoked": "revoked",
        }[kind]
        await uow.repo.set_licence_status(
            change.licence_id,
            status,
            optional_date_from_proto(change.effective_from, f"{kind}.effective_from"),
        )
    elif kind == "licence_expired":
        expired = envelope.licence_expired
        await uow.repo.set_licence_status(
            expired.licence_id,
            "expired",
            optional_date_from_proto(expired.term_end, "licence_expired.term_end"),
        )


async def handle_matching_event(envelope: envelope_pb2.EventEnvelope, uow: SettlementUnitOfWork) -> None:
    """Keep the highest revision of every matched usage line, and which reports are complete."""
    kind = envelope.WhichOneof("payload")
    if kind == "usage_matched":
        event = envelope.usage_matched
        report_kind = report_kind_from_proto(event.kind, "usage_matched.kind")
        await uow.repo.put_usage(event, report_kind)
    elif kind == "report_matching_completed":
        done = envelope.report_matching_completed
        await uow.repo.put_report(
            done.licensee_id,
            done.report_id,
            done.licence_id,
            report_kind_from_proto(done.kind, "report_matching_completed.kind"),
            (
                date_from_proto(done.period.start_date, "report_matching_completed.period.start_date"),
                date_from_proto(done.period.end_date, "report_matching_completed.period.end_date"),
            ),
            True,
            done.lines_total,
        )


async def handle_repertoire_event(envelope: envelope_pb2.EventEnvelope, uow: SettlementUnitOfWork) -> None:
    """Keep the rights view (works, shares, mandates, consents) current."""
    await uow.rights.apply(envelope)
