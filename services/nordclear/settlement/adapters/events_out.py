"""Translating settlement's domain events into the ``nordclear.events.v1`` messages it publishes.

Event ids are derived from what the event is about (the run id, the suspense item, the request), so a
retried request that records the same fact again deduplicates downstream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from google.protobuf.message import Message

from nordclear.gen.events.v1 import settlement_events_pb2 as events
from nordclear.platform.db.unit_of_work import Published
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.platform.protoconv import date_to_proto
from nordclear.platform.topology import SETTLEMENT
from nordclear.settlement.adapters.run_proto import actor, date_range, money, rate_to_proto, society
from nordclear.settlement.domain.events import RatesLoaded, RunCompleted, RunFailed, SuspenseReleased


class SettlementEventTranslator:
    """Turns domain events into (topic, envelope) pairs for the outbox."""

    def __init__(self, topic: str) -> None:
        self._topic = topic

    def __call__(self, event: object) -> Sequence[Published]:
        """What to publish for ``event``."""
        if isinstance(event, RunCompleted):
            return self._run_completed(event)
        if isinstance(event, RunFailed):
            payload = events.SettlementRunFailed(
                run_id=event.run_id, period=date_range(*event.period), reason=event.reason
            )
            return [self._wrap(payload, event.run_id, f"run:{event.run_id}:failed", event.request_id)]
        if isinstance(event, SuspenseReleased):
            released = events.SuspenseReleased(
                suspense_id=event.suspense_id,
                run_id=event.run_id,
                work_id=event.work_id,
                amount=money(event.currency_code, event.amount_minor),
                released_to=society(event.released_to),
                released_by=actor(event.released_by),
                reason=event.reason,
                transfer_id=event.transfer_id,
            )
            return [
                self._wrap(released, event.run_id, f"suspense:{event.suspense_id}:released", event.request_id)
            ]
        if isinstance(event, RatesLoaded):
            loaded = events.FxRatesLoaded(rates=[rate_to_proto(rate) for rate in event.rates])
            digest = hashlib.sha256(loaded.SerializeToString(deterministic=True)).hexdigest()[:32]
            return [self._wrap(loaded, "fx-rates", f"fx:{digest}", event.request_id)]
        raise TypeError(f"no translation for settlement event {type(event).__name__}")

    def _wrap(self, payload: Message, aggregate_id: str, event_id: str, correlation_id: str) -> Published:
        envelope = new_envelope(
            payload,
            producer=SETTLEMENT.name,
            aggregate_id=aggregate_id,
            correlation_id=correlation_id,
            event_id=event_id,
        )
        return (self._topic, envelope)

    def _run_completed(self, event: RunCompleted) -> list[Published]:
        result = event.result
        currency = result.settlement_currency_code
        completed = events.SettlementRunCompleted(
            run_id=result.run_id,
            period=date_range(result.period_start, result.period_end),
            settlement_currency_code=currency,
            fx_rate_date=date_to_proto(result.fx_rate_date),
            inputs_sha256=result.inputs_sha256,
            totals=[
                events.RunCurrencyTotals(
                    currency_code=t.currency_code,
                    collected=money(t.currency_code, t.collected_minor),
                    distributed=money(t.currency_code, t.distributed_minor),
                    admin_fees=money(t.currency_code, t.admin_fees_minor),
                    suspense=money(t.currency_code, t.suspense_minor),
                )
                for t in result.totals
            ],
            net_positions=[
                events.RunNetPosition(society=society(p.society_code), net=money(currency, p.net_minor))
                for p in result.positions
            ],
            transfers_posted=event.transfers_posted,
            payment_instruction_count=len(result.payments),
        )
        run_id = result.run_id
        published = [self._wrap(completed, run_id, f"run:{run_id}:completed", event.request_id)]
        if result.report_ids:
            settled = events.ReportsSettled(
                run_id=run_id,
                reports=[
                    events.SettledReport(licensee_id=licensee, report_id=report)
                    for licensee, report in result.report_ids
                ],
            )
            published.append(self._wrap(settled, run_id, f"run:{run_id}:reports-settled", event.request_id))
        lines: dict[str, int] = {}
        earned: dict[str, int] = {}
        for line in result.statement:
            lines[line.society_code] = lines.get(line.society_code, 0) + 1
            earned[line.society_code] = earned.get(line.society_code, 0) + line.settlement_amount_minor
        for code in sorted(lines):
            statement = events.StatementPublished(
                run_id=run_id,
                society=society(code),
                lines_total=lines[code],
                earned_settlement=money(currency, earned[code]),
            )
            published.append(
                self._wrap(statement, run_id, f"run:{run_id}:statement:{code}", event.request_id)
            )
        return published
