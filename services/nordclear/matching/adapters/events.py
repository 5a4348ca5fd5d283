"""Translating the matching service's domain events into the ``nordclear.events.v1`` messages it publishes.

Event ids are derived from the report's key and the event's place in the report (accepted, batch n,
completed), so a replayed or re-sent fact deduplicates downstream instead of counting twice. Every event
of a report is keyed by its report id, so settlement receives them in order on one partition.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.message import Message

from nordclear.gen.common.v1 import dates_pb2, usage_pb2
from nordclear.gen.events.v1 import matching_events_pb2 as events
from nordclear.gen.events.v1.envelope_pb2 import EventEnvelope
from nordclear.matching.adapters import report_proto
from nordclear.matching.domain import events as domain
from nordclear.matching.domain.model import FULL_BP, ReportKind
from nordclear.matching.domain.report import Report
from nordclear.platform.db.unit_of_work import Published
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.platform.topology import MATCHING

MAX_EVENT_ERRORS = 100


class MatchingEventTranslator:
    """Callable given to the unit of work: one domain event → the envelopes it publishes."""

    def __init__(self, topic: str) -> None:
        self.topic = topic

    def __call__(self, event: object) -> Sequence[Published]:
        envelope = self.envelope(event)
        return [] if envelope is None else [(self.topic, envelope)]

    def envelope(self, event: object) -> EventEnvelope | None:
        """The envelope of ``event``; None for events that are not published."""
        if isinstance(event, domain.UsageBatchMatched):
            return _wrap(event.report, f"usage:{event.batch_sequence}", _usage_matched(event))
        if isinstance(event, domain.ReportAccepted):
            report = event.report
            return _wrap(
                report,
                "accepted",
                events.ReportAccepted(
                    report_id=report.header.report_id,
                    licensee_id=report.header.licensee_id,
                    licence_id=report.header.licence_id,
                    kind=report_proto.KIND_TO_PROTO[report.header.kind],
                    period=report_proto.range_to_proto(report.header.period),
                    lines_total=report.lines_total,
                    units_total=report.units_total,
                    content_sha256=report.content_sha256,
                ),
            )
        if isinstance(event, domain.ReportRejected):
            report = event.report
            return _wrap(
                report,
                "rejected",
                events.ReportRejected(
                    report_id=report.header.report_id,
                    licensee_id=report.header.licensee_id,
                    licence_id=report.header.licence_id,
                    kind=report_proto.KIND_TO_PROTO[report.header.kind],
                    errors_total=report.errors_total,
                    errors=[report_proto.violation_to_proto(v) for v in report.errors[:MAX_EVENT_ERRORS]],
                ),
            )
        if isinstance(event, domain.ReportMatchingCompleted):
            report = event.report
            return _wrap(
                report,
                "completed",
                events.ReportMatchingCompleted(
                    report_id=report.header.report_id,
                    licensee_id=report.header.licensee_id,
                    licence_id=report.header.licence_id,
                    kind=report_proto.KIND_TO_PROTO[report.header.kind],
                    period=report_proto.range_to_proto(report.header.period),
                    batch_count=event.batch_count,
                    lines_total=report.lines_total,
                    units_total=report.units_total,
                    units_matched=event.counts.matched,
                    units_in_review=event.counts.in_review,
                    units_unmatched=event.counts.unmatched,
                ),
            )
        return None


def _wrap(report: Report, what: str, payload: Message) -> EventEnvelope:
    return new_envelope(
        payload,
        producer=MATCHING.name,
        aggregate_id=report.header.report_id,
        correlation_id=report.report_pk,
        event_id=f"matching:{report.report_pk}:{what}",
    )


def _usage_matched(event: domain.UsageBatchMatched) -> events.UsageMatched:
    header = event.report.header
    report_period = report_proto.range_to_proto(header.period)
    return events.UsageMatched(
        report_id=header.report_id,
        licensee_id=header.licensee_id,
        licence_id=header.licence_id,
        kind=report_proto.KIND_TO_PROTO[header.kind],
        period=report_proto.range_to_proto(header.period),
        batch_sequence=event.batch_sequence,
        lines=[_line(report_period, matched) for matched in event.lines],
    )


def _line(report_period: dates_pb2.DateRange, matched: domain.MatchedLine) -> events.MatchedUsageLine:
    line = matched.line
    kind = line.kind
    message = events.MatchedUsageLine(
        line_number=line.line_number,
        revision=matched.revision,
        stage=report_proto.STAGE_TO_PROTO[kind.stage],
        territory=report_proto.territory_or_unspecified(line.territory),
        period=report_proto.range_to_proto(line.period) if line.period else report_period,
        active_users=line.active_users,
        output_id=line.output_id,
        label_applied=line.label_applied,
        outside_licence=line.outside_licence,
    )
    if line.amount is not None:
        message.amount.CopyFrom(report_proto.money_to_proto(line.amount))
    for unit in matched.units:
        influence = line.influences[unit.influence_index] if kind is ReportKind.OUTPUT_ATTRIBUTION else None
        message.works.append(
            events.MatchedWork(
                influence_index=unit.influence_index,
                work_id=unit.work_id if unit.method is not None and unit.work_id else "",
                recording_id=unit.recording_id,
                share_bp=influence.share_bp if influence is not None else FULL_BP,
                method=report_proto.METHOD_TO_PROTO[unit.method]
                if unit.method
                else usage_pb2.MATCH_METHOD_UNSPECIFIED,
                match_confidence_bp=unit.confidence_bp,
                attribution_confidence_bp=influence.confidence_bp if influence is not None else 0,
            )
        )
    return message
