"""The AI consent register: who allowed which AI use of what, from when, on what evidence (BRIEF §3.4).

The register is append-only. A grant or a revocation is a new ``ConsentEntry``; nothing is changed or
deleted, so the history answers "who recorded what, when, on what evidence" for any day. The state on a
day is derived from the entries by ``consent_state``:

- Opt-in: without a grant in force there is no consent.
- A grant applies from ``effective_from`` through ``effective_until``, both inclusive (open-ended when
  ``effective_until`` is None).
- A revocation applies from its ``effective_from`` on and never before: it stops coverage from that day
  but leaves every earlier day as it was, so what was licensed, reported and settled stays true.
- Entries are read in recorded order and the last one that applies to the day decides: a grant recorded
  after a revocation grants again from its own ``effective_from``.
- A subject is a work or one attribute (voice, likeness, style) of one performer. They never stand in for
  each other: a work's consent says nothing about its performer's voice.

Decisions beyond the brief, enforced when an entry is appended (``append_consent``):

- A revocation for a subject and stage that was never granted is refused: there is nothing to revoke,
  and accepting it would suggest a consent that never existed.
- A revocation may not take effect before the day it is recorded (UTC; Iceland, the westernmost licence
  territory, keeps UTC all year, so no Nordic day is cut short). Backdating it would change answers
  already given for past days. Grants may be backdated, because opt-in paperwork often arrives late and
  a late grant takes nothing from anyone.
- Grants need evidence (the rightsholders' signed opt-in). Revocations may carry it but need not: a
  rightsholder withdrawing must never wait on paperwork.
- An entry is never recorded before the entries already in the register, so register order is recorded
  order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Final

from nordclear.platform.domain.identifiers import normalise_ipi_name_number
from nordclear.platform.domain.societies import Society
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.rules import RuleCode, Violation, raise_for_violations
from nordclear.repertoire.domain.work import in_force

_SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
_ISNI_SHAPE: Final = re.compile(r"[0-9]{15}[0-9X]")
MAX_NOTE_CHARS: Final = 2000
"""A note explains an entry; it is not a document store (evidence references point to those)."""


class AiStage(StrEnum):
    """The stages of the AI value chain that need a licence (the societies' joint position)."""

    TRAINING = "training"
    SERVICE = "service"
    OUTPUT = "output"


class ConsentAction(StrEnum):
    """Whether an entry grants or revokes consent."""

    GRANT = "grant"
    REVOKE = "revoke"


class PerformerAttribute(StrEnum):
    """Attributes of a performer protected separately from the works they perform."""

    VOICE = "voice"
    LIKENESS = "likeness"
    STYLE = "style"


class PerformerIdScheme(StrEnum):
    """The identifier a performer is named by in a consent."""

    IPI_NAME_NUMBER = "ipi_name_number"
    ISNI = "isni"


class PrincipalKind(StrEnum):
    """The kind of principal that recorded an entry."""

    SOCIETY = "society"
    LICENSEE = "licensee"
    OPS = "ops"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class WorkSubject:
    """Consent about a work, given by its rightsholders through their society."""

    work_id: str


@dataclass(frozen=True, slots=True)
class PerformerAttributeSubject:
    """Consent about one attribute of one performer, named by one identifier.

    ``name`` is for display only and takes no part in identity, so a corrected spelling of a name does
    not make a new subject.
    """

    scheme: PerformerIdScheme
    performer_id: str
    attribute: PerformerAttribute
    name: str = field(default="", compare=False)


ConsentSubject = WorkSubject | PerformerAttributeSubject


@dataclass(frozen=True, slots=True)
class Actor:
    """Who recorded an entry: the principal of the call, for the audit trail."""

    kind: PrincipalKind
    principal_id: str
    display_name: str = ""
    society: Society | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an entry rests on, e.g. the opt-in form signed by all rightsholders."""

    kind: str
    """What the evidence is, in words."""
    reference: str
    """Where the document is kept (a URI or document number in the recording society's store)."""
    received_on: date
    document_sha256: str | None = None
    """SHA-256 of the document, lower-case hex, so it can be checked later."""


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    """One entry of the register: a grant or a revocation of consent for one subject and stage."""

    entry_id: str
    subject: ConsentSubject
    stage: AiStage
    action: ConsentAction
    effective_from: date
    recorded_by: Actor
    recorded_at: datetime
    society: Society
    evidence: Evidence | None = None
    effective_until: date | None = None
    """Grants only: the last day the grant applies; None means until revoked."""
    note: str = ""

    def applies_on(self, on: date) -> bool:
        """Whether this entry decides ``on``: a grant within its days, a revocation from its first day on."""
        if self.action is ConsentAction.GRANT:
            return in_force(self.effective_from, self.effective_until, on)
        return self.effective_from <= on


@dataclass(frozen=True, slots=True)
class ConsentState:
    """Whether ``subject`` may be used for ``stage`` on ``on``, and the entry that decided it."""

    subject: ConsentSubject
    stage: AiStage
    on: date
    granted: bool
    decided_by: ConsentEntry | None
    """The last entry in recorded order that applies on ``on``; None when none does."""

    @property
    def revoked(self) -> bool:
        """Whether a revocation decided the state."""
        return self.decided_by is not None and self.decided_by.action is ConsentAction.REVOKE

    @property
    def reason(self) -> str:
        """The state in words, naming the deciding entry."""
        if self.decided_by is None:
            return f"no grant of {self.stage} consent in force on {self.on} (consent is opt-in)"
        entry = self.decided_by
        if self.granted:
            return f"granted by entry {entry.entry_id} from {entry.effective_from}"
        return f"revoked by entry {entry.entry_id} from {entry.effective_from}"


def consent_state(
    entries: Iterable[ConsentEntry], subject: ConsentSubject, stage: AiStage, on: date
) -> ConsentState:
    """The consent for ``subject`` and ``stage`` on ``on``, derived from the register ``entries``."""
    decided_by: ConsentEntry | None = None
    for entry in consent_history(entries, subject, stage):
        if entry.applies_on(on):
            decided_by = entry
    granted = decided_by is not None and decided_by.action is ConsentAction.GRANT
    return ConsentState(subject=subject, stage=stage, on=on, granted=granted, decided_by=decided_by)


def consent_history(
    entries: Iterable[ConsentEntry], subject: ConsentSubject, stage: AiStage | None = None
) -> tuple[ConsentEntry, ...]:
    """The entries for ``subject`` (and ``stage``, if given) in recorded order.

    The sort is stable, so entries recorded at the same instant keep their register order.
    """
    relevant = [
        entry for entry in entries if entry.subject == subject and (stage is None or entry.stage is stage)
    ]
    return tuple(sorted(relevant, key=lambda entry: entry.recorded_at))


def append_consent(history: Sequence[ConsentEntry], entry: ConsentEntry) -> tuple[ConsentEntry, ...]:
    """The register with ``entry`` appended, normalised; ``RuleViolations`` lists every rule it breaks."""
    normal, violations = normalised_consent_entry(entry, history)
    raise_for_violations(violations)
    return (*history, normal)


def consent_violations(entry: ConsentEntry, history: Sequence[ConsentEntry]) -> list[Violation]:
    """Every rule that appending ``entry`` to ``history`` would break."""
    return normalised_consent_entry(entry, history)[1]


def normalised_consent_entry(
    entry: ConsentEntry, history: Sequence[ConsentEntry]
) -> tuple[ConsentEntry, list[Violation]]:
    """``entry`` with its identifiers in normal form, and every rule appending it would break."""
    violations: list[Violation] = []
    subject = _normalised_subject(entry.subject, violations)
    normal = replace(entry, entry_id=entry.entry_id.strip(), subject=subject, note=entry.note.strip())
    _check_identity(normal, history, violations)
    _check_recorded(normal, history, violations)
    if normal.action is ConsentAction.GRANT:
        _check_grant(normal, violations)
    else:
        _check_revocation(normal, history, violations)
    if normal.evidence is not None:
        _check_evidence(normal.evidence, normal.recorded_at, violations)
    return normal, violations


def normalise_isni(value: str, field: str = "isni") -> str:
    """The stored form of an ISNI: 16 characters, 15 digits and an ISO 7064 MOD 11-2 check character.

    Spaces and hyphens are forgiven (``0000 0002 1825 0097``); the check character ``x`` is upper-cased.
    """
    if not isinstance(value, str) or len(value) > 32 or not value.isascii():
        raise InvalidArgument(field, value, "an ISNI is 16 characters, e.g. 0000 0002 1825 0097")
    compact = value.strip().replace(" ", "").replace("-", "").upper()
    if _ISNI_SHAPE.fullmatch(compact) is None:
        raise InvalidArgument(field, value, "an ISNI is 15 digits and a check digit or X (16 characters)")
    expected = isni_check_character(compact[:15])
    if compact[15] != expected:
        raise InvalidArgument(field, value, f"ISNI check character must be {expected}, got {compact[15]}")
    return compact


def isni_check_character(fifteen_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an ISNI's first 15 digits (``0``-``9`` or ``X``)."""
    total = 0
    for digit in fifteen_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def _normalised_subject(subject: ConsentSubject, violations: list[Violation]) -> ConsentSubject:
    if isinstance(subject, WorkSubject):
        work_id = subject.work_id.strip()
        if not work_id:
            violations.append(
                Violation("consent.subject.work_id", subject.work_id, "names a work", RuleCode.REQUIRED)
            )
        return WorkSubject(work_id)
    id_field = f"consent.subject.performer_attribute.{subject.scheme.value}"
    try:
        if subject.scheme is PerformerIdScheme.IPI_NAME_NUMBER:
            performer_id = normalise_ipi_name_number(subject.performer_id, id_field)
        else:
            performer_id = normalise_isni(subject.performer_id, id_field)
    except InvalidArgument as error:
        violations.append(Violation(error.field, error.value, error.rule, RuleCode.IDENTIFIER))
        return subject
    return replace(subject, performer_id=performer_id, name=subject.name.strip())


def _check_identity(
    entry: ConsentEntry, history: Sequence[ConsentEntry], violations: list[Violation]
) -> None:
    if not entry.entry_id:
        violations.append(
            Violation("consent.entry_id", entry.entry_id, "every entry has an id", RuleCode.REQUIRED)
        )
    elif any(earlier.entry_id == entry.entry_id for earlier in history):
        violations.append(
            Violation("consent.entry_id", entry.entry_id, "is already in the register", RuleCode.DUPLICATE)
        )
    if not entry.recorded_by.principal_id.strip():
        violations.append(
            Violation(
                "consent.recorded_by.principal_id",
                entry.recorded_by.principal_id,
                "names who recorded the entry (audit trail)",
                RuleCode.REQUIRED,
            )
        )
    if len(entry.note) > MAX_NOTE_CHARS:
        violations.append(
            Violation(
                "consent.note", entry.note[:64], f"at most {MAX_NOTE_CHARS} characters", RuleCode.TEXT_LENGTH
            )
        )


def _check_recorded(
    entry: ConsentEntry, history: Sequence[ConsentEntry], violations: list[Violation]
) -> None:
    if entry.recorded_at.utcoffset() is None:
        violations.append(
            Violation(
                "consent.recorded_at",
                entry.recorded_at.isoformat(),
                "must carry a time zone",
                RuleCode.TIMESTAMP,
            )
        )
        return
    latest = max((earlier.recorded_at for earlier in history), default=None)
    if latest is not None and entry.recorded_at < latest:
        violations.append(
            Violation(
                "consent.recorded_at",
                entry.recorded_at.isoformat(),
                f"the register is append-only: not before the latest entry, recorded {latest.isoformat()}",
                RuleCode.TIMESTAMP,
            )
        )


def _check_grant(entry: ConsentEntry, violations: list[Violation]) -> None:
    if entry.evidence is None:
        violations.append(
            Violation(
                "consent.evidence",
                None,
                "a grant rests on evidence (the rightsholders' opt-in)",
                RuleCode.CONSENT,
            )
        )
    if entry.effective_until is not None and entry.effective_until < entry.effective_from:
        violations.append(
            Violation(
                "consent.effective_until",
                entry.effective_until.isoformat(),
                f"must not be before effective_from {entry.effective_from}",
                RuleCode.DATE_RANGE,
            )
        )


def _check_revocation(
    entry: ConsentEntry, history: Sequence[ConsentEntry], violations: list[Violation]
) -> None:
    if entry.effective_until is not None:
        violations.append(
            Violation(
                "consent.effective_until",
                entry.effective_until.isoformat(),
                "a revocation has no end; a later grant restores consent",
                RuleCode.CONSENT,
            )
        )
    if not any(
        earlier.action is ConsentAction.GRANT
        for earlier in consent_history(history, entry.subject, entry.stage)
    ):
        violations.append(
            Violation(
                "consent.action",
                entry.action.value,
                f"nothing to revoke: no {entry.stage} consent was ever granted for this subject",
                RuleCode.CONSENT,
            )
        )
    recorded_on = _utc_day(entry.recorded_at)
    if recorded_on is not None and entry.effective_from < recorded_on:
        violations.append(
            Violation(
                "consent.effective_from",
                entry.effective_from.isoformat(),
                f"a revocation never rewrites the past: it takes effect on or after the day it is recorded "
                f"({recorded_on}, UTC)",
                RuleCode.CONSENT,
            )
        )


def _check_evidence(evidence: Evidence, recorded_at: datetime, violations: list[Violation]) -> None:
    for name, text in (("kind", evidence.kind), ("reference", evidence.reference)):
        if not text.strip():
            violations.append(
                Violation(f"consent.evidence.{name}", text, "must not be empty", RuleCode.REQUIRED)
            )
    digest = evidence.document_sha256
    if digest is not None and _SHA256_HEX.fullmatch(digest) is None:
        violations.append(
            Violation(
                "consent.evidence.document_sha256",
                digest[:80],
                "a SHA-256 digest is 64 lower-case hex characters",
                RuleCode.IDENTIFIER,
            )
        )
    recorded_on = _utc_day(recorded_at)
    if recorded_on is not None and evidence.received_on > recorded_on:
        violations.append(
            Violation(
                "consent.evidence.received_on",
                evidence.received_on.isoformat(),
                f"evidence cannot be received after the entry is recorded ({recorded_on}, UTC)",
                RuleCode.DATE_RANGE,
            )
        )


def _utc_day(stamp: datetime) -> date | None:
    return stamp.astimezone(UTC).date() if stamp.utcoffset() is not None else None
