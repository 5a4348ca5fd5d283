"""A settlement run, computed in full and in memory: pots → postings, statements, obligations, netting.

``compute_run`` is pure: the same inputs and run id give the same result, transfer for transfer and
byte for byte (every collection is iterated in sorted order, ids are derived from the run id and the
position in that order). Nothing is posted here; the service layer stores the result in one
transaction only when every invariant holds (``RunResult.failed_invariants``).

Postings per pot (in the licence's currency, hub ``H``, licensee ``L``):

| code                   | debit                         | credit                          |
| ---------------------- | ----------------------------- | ------------------------------- |
| ``<STAGE>_FEE_COLLECTED`` | ``licensee/L/receivable``  | ``society/H/collected``         |
| ``ADMIN_FEE_KEPT``     | ``society/H/collected``       | ``society/H/admin-fee``         |
| ``ROYALTY_DISTRIBUTED``| ``society/H/collected``       | ``society/H/payable/<S>`` per S |
| ``ROYALTY_SUSPENDED``  | ``society/H/collected``       | ``society/H/suspense``          |

so every pot leaves its hub's collected account at zero, and per currency: collected = distributed +
admin fees + suspense.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date

from nordclear.platform.domain.money import Currency, Money, allocate
from nordclear.platform.domain.societies import MEMBER_SOCIETIES, society_by_code
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.consent import AiStage
from nordclear.repertoire.domain.work import Right
from nordclear.settlement.domain import ledger, netting
from nordclear.settlement.domain.deadlines import YearEnd, payment_deadline, year_end_of
from nordclear.settlement.domain.fx import FxTable
from nordclear.settlement.domain.royalties import (
    Inputs,
    Pot,
    PotBuilder,
    PotOutcome,
    RightsLookup,
    SuspenseReason,
    WorkRights,
    distribute,
)


@functools.lru_cache(maxsize=256)
def _member_code(code: str) -> str:
    """A member society's CISAC code in its normal three-digit form (asked once per share: remembered)."""
    return society_by_code(code).cisac_code


MEMBER_CODES: tuple[str, ...] = tuple(sorted(s.cisac_code for s in MEMBER_SOCIETIES))


@dataclass(frozen=True, slots=True)
class StatementEntry:
    """What one share of one work earned from one licence and source, for one society."""

    society_code: str
    hub_code: str
    licence_id: str
    licensee_id: str
    report_id: str
    work_id: str
    party_key: str
    right: Right
    share_bp: int
    stage: AiStage
    territory: Territory
    period_start: date
    period_end: date
    currency_code: str
    amount_minor: int
    settlement_amount_minor: int


@dataclass(frozen=True, slots=True)
class SuspenseEntry:
    """Money held in suspense by a hub, with the reason."""

    suspense_id: str
    hub_code: str
    licence_id: str
    work_id: str
    party_key: str
    right: Right | None
    stage: AiStage
    territory: Territory
    currency_code: str
    amount_minor: int
    reason: SuspenseReason
    detail: str


@dataclass(frozen=True, slots=True)
class ObligationEntry:
    """What a hub owes another society in one currency, converted, with its deadline."""

    obligation_id: str
    debtor_code: str
    creditor_code: str
    currency_code: str
    amount_minor: int
    settlement_amount_minor: int
    financial_year_end: date
    deadline: date


@dataclass(frozen=True, slots=True)
class PaymentEntry:
    """A payment instruction settling net positions."""

    instruction_id: str
    payer_code: str
    payee_code: str
    amount_minor: int
    due_date: date
    reference: str


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    """A run's money in one currency of collection."""

    currency_code: str
    collected_minor: int
    distributed_minor: int
    admin_fees_minor: int
    suspense_minor: int


@dataclass(frozen=True, slots=True)
class InvariantCheck:
    """One invariant checked after the run."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything a run produces."""

    run_id: str
    period_start: date
    period_end: date
    settlement_currency_code: str
    fx_rate_date: date
    inputs_sha256: str
    transfers: tuple[ledger.Transfer, ...]
    statement: tuple[StatementEntry, ...]
    suspense: tuple[SuspenseEntry, ...]
    obligations: tuple[ObligationEntry, ...]
    positions: tuple[netting.Position, ...]
    payments: tuple[PaymentEntry, ...]
    totals: tuple[CurrencyTotals, ...]
    invariants: tuple[InvariantCheck, ...]
    report_ids: tuple[tuple[str, str], ...]
    """(licensee id, report id) of every report whose usage the run settled."""

    @property
    def failed_invariants(self) -> tuple[InvariantCheck, ...]:
        """The invariants that did not hold (empty for a run that may be posted)."""
        return tuple(check for check in self.invariants if not check.passed)


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What to run."""

    run_id: str
    period_start: date
    period_end: date
    settlement_currency_code: str
    fx_rate_date: date
    financial_years: Mapping[str, YearEnd]

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise InvalidArgument(
                "period.end_date", self.period_end.isoformat(), "must not be before period.start_date"
            )
        Currency.of(self.settlement_currency_code, "settlement_currency_code")


class _RecordingRights:
    """Wraps a rights lookup, remembering every answer (they are part of the run's inputs)."""

    def __init__(self, rights: RightsLookup) -> None:
        self._rights = rights
        self.answers: dict[tuple[str, AiStage, Territory, date], WorkRights] = {}

    def __call__(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> WorkRights:
        key = (work_id, stage, territory, on)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answers[key] = self._rights(work_id, stage, territory, on)
        return answer


def compute_run(
    request: RunRequest, inputs: Inputs, rights: RightsLookup, fx: FxTable, pots: Sequence[Pot] | None = None
) -> RunResult:
    """The complete run (see the module docstring); raises before anything is computed half-way.

    ``pots`` may be given when the caller built them already (with ``PotBuilder`` on the same inputs).
    """
    recording = _RecordingRights(rights)
    if pots is None:
        pots = PotBuilder(inputs, recording, fx).build()
    outcomes = [distribute(pot, recording) for pot in pots]
    transfers = _transfers(request.run_id, outcomes)
    obligations = _obligations(request, outcomes, fx)
    statement = _statement(outcomes, fx, request.settlement_currency_code)
    suspense = _suspense(request.run_id, outcomes)
    positions = netting.net_positions(
        ((o.debtor_code, o.creditor_code, o.settlement_amount_minor) for o in obligations), MEMBER_CODES
    )
    payments = _payments(request.run_id, positions, obligations, request.period_end)
    totals = _totals(outcomes)
    invariants = check_invariants(transfers, totals, statement, positions, payments)
    reports = sorted(
        {
            (o.pot.licensee_id, o.pot.key.source.removeprefix("report:"))
            for o in outcomes
            if o.pot.key.source.startswith("report:")
        }
    )
    return RunResult(
        run_id=request.run_id,
        period_start=request.period_start,
        period_end=request.period_end,
        settlement_currency_code=request.settlement_currency_code,
        fx_rate_date=request.fx_rate_date,
        inputs_sha256=inputs_digest(request, inputs, recording.answers, fx),
        transfers=tuple(transfers),
        statement=tuple(statement),
        suspense=tuple(suspense),
        obligations=tuple(obligations),
        positions=tuple(positions),
        payments=tuple(payments),
        totals=tuple(totals),
        invariants=tuple(invariants),
        report_ids=tuple(reports),
    )


def _describe(outcome: PotOutcome) -> str:
    key = outcome.pot.key
    return (
        f"licence {key.licence_id} {key.source} {key.stage.value} {key.territory.value} "
        f"{key.period_start.isoformat()}..{key.period_end.isoformat()}"
    )


def _transfers(run_id: str, outcomes: Sequence[PotOutcome]) -> list[ledger.Transfer]:
    transfers: list[ledger.Transfer] = []

    def post(debit: str, credit: str, currency: str, amount: int, code: str, description: str) -> None:
        if amount > 0:
            transfer_id = f"{run_id}/{len(transfers) + 1:08d}"
            transfers.append(
                ledger.Transfer(transfer_id, debit, credit, currency, amount, code, description, run_id)
            )

    for outcome in outcomes:
        pot = outcome.pot
        cur, hub = pot.currency_code, pot.hub_code
        collected = ledger.collected_account(hub, cur)
        text = _describe(outcome)
        post(
            ledger.receivable_account(pot.licensee_id, cur),
            collected,
            cur,
            pot.gross_minor,
            f"{pot.key.stage.value.upper()}_FEE_COLLECTED",
            text,
        )
        post(
            collected,
            ledger.admin_fee_account(hub, cur),
            cur,
            outcome.admin_fee_minor,
            "ADMIN_FEE_KEPT",
            text,
        )
        by_society: dict[str, int] = {}
        for share in outcome.paid:
            code = _member_code(share.society_code)
            by_society[code] = by_society.get(code, 0) + share.amount_minor
        for code in sorted(by_society):
            post(
                collected,
                ledger.payable_account(hub, code, cur),
                cur,
                by_society[code],
                "ROYALTY_DISTRIBUTED",
                text,
            )
        post(
            collected,
            ledger.suspense_account(hub, cur),
            cur,
            sum(h.amount_minor for h in outcome.held),
            "ROYALTY_SUSPENDED",
            text,
        )
    return transfers


def _obligations(request: RunRequest, outcomes: Sequence[PotOutcome], fx: FxTable) -> list[ObligationEntry]:
    owed: dict[tuple[str, str, str], int] = {}
    for outcome in outcomes:
        for share in outcome.paid:
            creditor = _member_code(share.society_code)
            if creditor != outcome.pot.hub_code:
                key = (outcome.pot.hub_code, creditor, outcome.pot.currency_code)
                owed[key] = owed.get(key, 0) + share.amount_minor
    result = []
    for number, (debtor, creditor, currency) in enumerate(sorted(owed), start=1):
        amount = owed[(debtor, creditor, currency)]
        settlement = fx.convert(Money.of(currency, amount), request.settlement_currency_code).amount_minor
        year_end, deadline = payment_deadline(
            request.period_end, year_end_of(debtor, request.financial_years)
        )
        result.append(
            ObligationEntry(
                f"{request.run_id}/obl/{number:04d}",
                debtor,
                creditor,
                currency,
                amount,
                settlement,
                year_end,
                deadline,
            )
        )
    return result


_LineKey = tuple[str, str, str, str, str, str, str, Right, int, AiStage, Territory, date, date, str]
_HeldKey = tuple[str, str, str, str, Right | None, AiStage, Territory, str, SuspenseReason, str]


def _statement_entry(k: _LineKey, amount_minor: int, settlement_minor: int) -> StatementEntry:
    return StatementEntry(
        society_code=k[0],
        hub_code=k[1],
        licence_id=k[2],
        licensee_id=k[3],
        report_id=k[4],
        work_id=k[5],
        party_key=k[6],
        right=k[7],
        share_bp=k[8],
        stage=k[9],
        territory=k[10],
        period_start=k[11],
        period_end=k[12],
        currency_code=k[13],
        amount_minor=amount_minor,
        settlement_amount_minor=settlement_minor,
    )


def _statement(outcomes: Sequence[PotOutcome], fx: FxTable, settlement_currency: str) -> list[StatementEntry]:
    amounts: dict[_LineKey, int] = {}
    for outcome in outcomes:
        pot, key = outcome.pot, outcome.pot.key
        report_id = key.source.removeprefix("report:") if key.source.startswith("report:") else ""
        for share in outcome.paid:
            line_key = (
                _member_code(share.society_code),
                pot.hub_code,
                key.licence_id,
                pot.licensee_id,
                report_id,
                share.work_id,
                share.party_key,
                share.right,
                share.share_bp,
                key.stage,
                key.territory,
                key.period_start,
                key.period_end,
                pot.currency_code,
            )
            amounts[line_key] = amounts.get(line_key, 0) + share.amount_minor
    ordered = sorted(amounts, key=_sortable)
    # Settlement amounts: each (hub, society, currency) group converted once and split over its lines by
    # largest remainder, so the lines add up exactly to the obligation's converted amount.
    groups: dict[tuple[str, str, str], list[_LineKey]] = {}
    for line_key in ordered:
        groups.setdefault((line_key[0], line_key[1], line_key[13]), []).append(line_key)
    converted: dict[_LineKey, int] = {}
    for (_, _, currency), keys in groups.items():
        total = sum(amounts[k] for k in keys)
        settlement_total = fx.convert(Money.of(currency, total), settlement_currency).amount_minor
        for k, part in zip(keys, allocate(settlement_total, [amounts[k] for k in keys]), strict=True):
            converted[k] = part
    return [_statement_entry(k, amounts[k], converted[k]) for k in ordered]


def _suspense(run_id: str, outcomes: Sequence[PotOutcome]) -> list[SuspenseEntry]:
    amounts: dict[_HeldKey, int] = {}
    for outcome in outcomes:
        pot, key = outcome.pot, outcome.pot.key
        for held in outcome.held:
            item_key = (
                pot.hub_code,
                key.licence_id,
                held.work_id,
                held.party_key,
                held.right,
                key.stage,
                key.territory,
                pot.currency_code,
                held.reason,
                held.detail,
            )
            amounts[item_key] = amounts.get(item_key, 0) + held.amount_minor
    ordered = [k for k in sorted(amounts, key=_sortable) if amounts[k]]
    return [
        SuspenseEntry(f"{run_id}/sus/{n:06d}", *k[:8], amount_minor=amounts[k], reason=k[8], detail=k[9])
        for n, k in enumerate(ordered, start=1)
    ]


def _payments(
    run_id: str,
    positions: Sequence[netting.Position],
    obligations: Sequence[ObligationEntry],
    period_end: date,
) -> list[PaymentEntry]:
    earliest_by_debtor: dict[str, date] = {}
    for obligation in obligations:
        current = earliest_by_debtor.get(obligation.debtor_code)
        if current is None or obligation.deadline < current:
            earliest_by_debtor[obligation.debtor_code] = obligation.deadline
    fallback = min(earliest_by_debtor.values(), default=period_end)
    return [
        PaymentEntry(
            f"{run_id}/pay/{n}",
            p.payer_code,
            p.payee_code,
            p.amount_minor,
            earliest_by_debtor.get(p.payer_code, fallback),
            f"NORDCLEAR {run_id} {n}",
        )
        for n, p in enumerate(netting.payments(positions), start=1)
    ]


def _totals(outcomes: Sequence[PotOutcome]) -> list[CurrencyTotals]:
    sums: dict[str, list[int]] = {}
    for outcome in outcomes:
        row = sums.setdefault(outcome.pot.currency_code, [0, 0, 0, 0])
        row[0] += outcome.pot.gross_minor
        row[1] += sum(s.amount_minor for s in outcome.paid)
        row[2] += outcome.admin_fee_minor
        row[3] += sum(h.amount_minor for h in outcome.held)
    return [CurrencyTotals(code, *sums[code]) for code in sorted(sums)]


def check_invariants(
    transfers: Sequence[ledger.Transfer],
    totals: Sequence[CurrencyTotals],
    statement: Sequence[StatementEntry],
    positions: Sequence[netting.Position],
    payments: Sequence[PaymentEntry],
) -> list[InvariantCheck]:
    """The money invariants of BRIEF §5.4 and §7.2, each with its figures."""
    checks = []
    debits: dict[str, int] = {}
    credits: dict[str, int] = {}
    by_code: dict[tuple[str, str], int] = {}
    for transfer in transfers:
        debits[transfer.currency_code] = debits.get(transfer.currency_code, 0) + transfer.amount_minor
        credits[transfer.currency_code] = credits.get(transfer.currency_code, 0) + transfer.amount_minor
        kind = ledger.parse_account(transfer.credit_account_id).kind
        by_code[(transfer.currency_code, kind.value)] = (
            by_code.get((transfer.currency_code, kind.value), 0) + transfer.amount_minor
        )
    balance_sums: dict[str, int] = {}
    for balance in ledger.balances(transfers).values():
        balance_sums[balance.currency_code] = (
            balance_sums.get(balance.currency_code, 0) + balance.balance_minor
        )
    ok = debits == credits and all(v == 0 for v in balance_sums.values())
    checks.append(
        InvariantCheck(
            "DEBITS_EQUAL_CREDITS",
            ok,
            "; ".join(
                f"{c}: debits {debits[c]} credits {credits[c]} balance sum {balance_sums.get(c, 0)}"
                for c in sorted(debits)
            )
            or "no transfers",
        )
    )
    details, ok = [], True
    statement_sums: dict[str, int] = {}
    for line in statement:
        statement_sums[line.currency_code] = statement_sums.get(line.currency_code, 0) + line.amount_minor
    for t in totals:
        c = t.currency_code
        ledger_ok = (
            by_code.get((c, "collected"), 0) == t.collected_minor
            and by_code.get((c, "payable"), 0) == t.distributed_minor
            and by_code.get((c, "admin-fee"), 0) == t.admin_fees_minor
            and by_code.get((c, "suspense"), 0) == t.suspense_minor
        )
        holds = (
            t.collected_minor == t.distributed_minor + t.admin_fees_minor + t.suspense_minor
            and ledger_ok
            and statement_sums.get(c, 0) == t.distributed_minor
        )
        ok = ok and holds
        details.append(
            f"{c}: collected {t.collected_minor} = distributed {t.distributed_minor} + admin fees "
            f"{t.admin_fees_minor} + suspense {t.suspense_minor} "
            f"(ledger {'agrees' if ledger_ok else 'DISAGREES'})"
        )
    checks.append(InvariantCheck("CONSERVATION", ok, "; ".join(details) or "nothing collected"))
    net_sum = sum(p.net_minor for p in positions)
    checks.append(
        InvariantCheck("NET_POSITIONS_SUM_TO_ZERO", net_sum == 0, f"sum of net positions {net_sum}")
    )
    nets = {p.society_code: p.net_minor for p in positions}
    for payment in payments:
        nets[payment.payer_code] += payment.amount_minor
        nets[payment.payee_code] -= payment.amount_minor
    settled = all(v == 0 for v in nets.values()) and len(payments) <= max(0, len(positions) - 1)
    checks.append(
        InvariantCheck(
            "PAYMENTS_SETTLE_NET_POSITIONS",
            settled,
            f"{len(payments)} payments for {len(positions)} societies",
        )
    )
    return checks


def inputs_digest(
    request: RunRequest,
    inputs: Inputs,
    answers: Mapping[tuple[str, AiStage, Territory, date], WorkRights],
    fx: FxTable,
) -> str:
    """SHA-256 over the canonical inputs of a run.

    The request, licences, tariffs, fees, usage, rates and the rights answers the run used, sorted and
    rendered field by field, so the hash is independent of the order the events arrived in.
    """
    digest = hashlib.sha256()

    def feed(*items: object) -> None:
        for item in items:
            digest.update(_canonical(item).encode())
            digest.update(b"\n")

    feed(
        request.run_id,
        request.period_start,
        request.period_end,
        request.settlement_currency_code,
        request.fx_rate_date,
    )
    feed(*(inputs.licences[k] for k in sorted(inputs.licences)))
    feed(*(inputs.tariffs[k] for k in sorted(inputs.tariffs)))
    feed(*sorted(inputs.fees, key=lambda f: f.fee_id))
    if inputs.usage_sha256:
        feed(inputs.usage_sha256)
    else:
        # Usage lines hold no sets, so their generated repr is canonical already, and far cheaper.
        for line in sorted(inputs.usage, key=lambda u: (u.licensee_id, u.report_id, u.line_number)):
            digest.update(repr(line).encode())
            digest.update(b"\n")
    feed(inputs.policy, *fx.used_rates())
    # Rights answers hold no sets either (their shares mapping is built in a fixed order): repr is canonical.
    for key in sorted(answers, key=lambda k: (k[0], k[1].value, k[2].value, k[3])):
        digest.update(repr((key, answers[key])).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _canonical(value: object) -> str:
    if is_dataclass(value) and not isinstance(value, type):
        return "(" + ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in fields(value)) + ")"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_canonical(k)}:{_canonical(value[k])}" for k in sorted(value, key=str)) + "}"
    if isinstance(value, (frozenset, set)):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, (tuple, list)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _sortable(key: tuple[object, ...]) -> tuple[str, ...]:
    return tuple("" if v is None else (v.isoformat() if isinstance(v, date) else str(v)) for v in key)
