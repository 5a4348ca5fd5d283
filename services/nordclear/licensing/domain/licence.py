"""The licence and its lifecycle: active ⇄ suspended → revoked | expired (BRIEF §4 "Lifecycle").

A licence is issued active. Every later change is a ``StatusChange`` appended to its history with the
first day it applies, who made it and why; nothing is changed in place, so the status on any day is read
from the history, and coverage for a past day keeps the answer it had. Revoked and expired are final.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from nordclear.licensing.domain.model import Scope
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import Society
from nordclear.platform.errors import FailedPrecondition, InvalidArgument

IPTC_TRAINED_ALGORITHMIC_MEDIA: Final = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
)
"""The IPTC digital source type for media created by a model trained on sampled content."""
OUTPUT_LABEL_TEXT: Final = "AI-generated music"


class LicenceStatus(StrEnum):
    """The status of an issued licence."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


FINAL_STATUSES: Final = frozenset({LicenceStatus.REVOKED, LicenceStatus.EXPIRED})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, for the audit trail."""

    kind: str
    """``licensee``, ``society``, ``ops`` or ``service``."""
    principal_id: str
    society: Society | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status change of a licence; the issue itself is the first, from no status."""

    previous: LicenceStatus | None
    status: LicenceStatus
    effective_from: date
    changed_at: datetime
    changed_by: Actor
    reason: str


@dataclass(frozen=True, slots=True)
class LicensedSociety:
    """A society whose repertoire a licence covers, with its share of that repertoire."""

    society: Society
    repertoire_share_bp: int
    licensable_work_count: int


@dataclass(frozen=True, slots=True)
class OutputLabelling:
    """How outputs must be labelled as AI-generated (BRIEF §4)."""

    required: bool
    iptc_digital_source_type: str
    label_text: str


OUTPUT_LABELLING_REQUIRED: Final = OutputLabelling(
    required=True, iptc_digital_source_type=IPTC_TRAINED_ALGORITHMIC_MEDIA, label_text=OUTPUT_LABEL_TEXT
)


@dataclass(frozen=True, slots=True)
class Licence:
    """One issued licence: one model version, some stages and territories, one term."""

    licence_id: str
    application_id: str
    quote_id: str
    licensee_id: str
    licensee_legal_name: str
    scope: Scope
    hub: Society
    hub_admin_fee_bp: int
    societies: tuple[LicensedSociety, ...]
    tariffs: tuple[tuple[str, str], ...]
    presumption_applied: bool
    presumption_statement: str
    output_labelling: OutputLabelling
    total: Money
    due_at_issue: Money
    issued_at: datetime
    history: tuple[StatusChange, ...]

    @property
    def status(self) -> LicenceStatus:
        """The status after the latest change."""
        return self.history[-1].status

    def status_on(self, day: date) -> LicenceStatus | None:
        """The status on ``day``: that of the last change in force by then; None before any."""
        status: LicenceStatus | None = None
        for change in self.history:
            if change.effective_from <= day:
                status = change.status
        return status

    def involves(self, society: Society) -> bool:
        """Whether the licence is the society's business: it issued it, or licenses its repertoire."""
        return self.hub == society or any(entry.society == society for entry in self.societies)

    def suspend(self, effective_from: date, reason: str, actor: Actor, at: datetime) -> Licence:
        """Suspended from ``effective_from``; only an active licence."""
        return self._change(
            LicenceStatus.SUSPENDED, {LicenceStatus.ACTIVE}, effective_from, reason, actor, at
        )

    def reactivate(self, effective_from: date, reason: str, actor: Actor, at: datetime) -> Licence:
        """Active again from ``effective_from``; only a suspended licence within its term."""
        if effective_from > self.scope.term_end:
            raise FailedPrecondition(
                f"licence {self.licence_id}: its term ended on {self.scope.term_end}; "
                f"it cannot be reactivated "
                f"from {effective_from}"
            )
        return self._change(
            LicenceStatus.ACTIVE, {LicenceStatus.SUSPENDED}, effective_from, reason, actor, at
        )

    def revoke(self, effective_from: date, reason: str, actor: Actor, at: datetime) -> Licence:
        """No longer in force from ``effective_from``; final."""
        allowed = {LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED}
        return self._change(LicenceStatus.REVOKED, allowed, effective_from, reason, actor, at)

    def expire(self, actor: Actor, at: datetime) -> Licence:
        """The term ended: expired from the day after its last day; final."""
        allowed = {LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED}
        day_after = date.fromordinal(self.scope.term_end.toordinal() + 1)
        return self._change(
            LicenceStatus.EXPIRED, allowed, day_after, "the term ended", actor, at, check=False
        )

    def _change(
        self,
        status: LicenceStatus,
        allowed: set[LicenceStatus],
        effective_from: date,
        reason: str,
        actor: Actor,
        at: datetime,
        *,
        check: bool = True,
    ) -> Licence:
        if self.status not in allowed:
            raise FailedPrecondition(
                f"licence {self.licence_id} is {self.status.value}; it can be made {status.value} only when "
                + " or ".join(sorted(s.value for s in allowed))
            )
        if check:
            if not reason.strip():
                raise InvalidArgument("reason", reason, "say why: the reason is kept with the change")
            if effective_from < at.date():
                # Backdating would change coverage answers already given (and settled) for past days.
                raise InvalidArgument(
                    "effective_from",
                    str(effective_from),
                    f"may not be before the day it is recorded, {at.date()}",
                )
            last = self.history[-1].effective_from
            if effective_from < last:
                raise InvalidArgument(
                    "effective_from",
                    str(effective_from),
                    f"may not be before the last change, in force from {last}",
                )
            if effective_from < self.scope.term_start and status is not LicenceStatus.REVOKED:
                raise InvalidArgument(
                    "effective_from",
                    str(effective_from),
                    f"may not be before the term starts on {self.scope.term_start}",
                )
        change = StatusChange(
            previous=self.status,
            status=status,
            effective_from=effective_from,
            changed_at=at,
            changed_by=actor,
            reason=reason.strip(),
        )
        return dataclasses.replace(self, history=(*self.history, change))
