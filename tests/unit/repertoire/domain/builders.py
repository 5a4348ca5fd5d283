"""Small builders of valid works, parties and consent entries for the repertoire domain tests.

Each builder makes the common case in one call; a test changes only what it is about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from nordclear.platform.domain.societies import STIM, Society
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    ConsentSubject,
    Evidence,
    PrincipalKind,
    WorkSubject,
)
from nordclear.repertoire.domain.work import (
    CollectionShare,
    Inclusion,
    InterestedParty,
    Mandate,
    PartyRole,
    PublisherType,
    Right,
    RightShare,
    Work,
    WriterRole,
)

PR, MR, SR = Right.PERFORMING, Right.MECHANICAL, Right.SYNCHRONISATION
VALID_ISWC = "T0345246801"
VALID_IPI = "00014107338"
VALID_IPI_BASE = "I-000000229-7"
WORK_ID = "wrk_1"
WORK_SUBJECT = WorkSubject(WORK_ID)


def shares(pr: int = 0, mr: int = 0, sr: int = 0) -> tuple[RightShare, ...]:
    """Ownership or collection shares per right, leaving out rights at 0 bp."""
    return tuple(RightShare(right, bp) for right, bp in ((PR, pr), (MR, mr), (SR, sr)) if bp)


def mandate(
    right: Right, society_code: str = STIM.cisac_code, tis_code: int = 2136, **kwargs: Any
) -> Mandate:
    """A mandate naming ``society_code`` for ``right`` in ``tis_code`` (World by default)."""
    return Mandate(right=right, tis_code=tis_code, society_code=society_code, **kwargs)


def writer(
    key: str = "w1",
    role: WriterRole = WriterRole.COMPOSER_AUTHOR,
    *,
    pr: int = 0,
    mr: int = 0,
    sr: int = 0,
    **kwargs: Any,
) -> InterestedParty:
    """A writer owning the given bp of each right."""
    return InterestedParty(
        party_key=key,
        role=PartyRole.writer(role),
        name=f"Writer {key}",
        ownership_shares=kwargs.pop("ownership_shares", shares(pr, mr, sr)),
        **kwargs,
    )


def publisher(
    key: str = "p1",
    publisher_type: PublisherType = PublisherType.ORIGINAL_PUBLISHER,
    *,
    pr: int = 0,
    mr: int = 0,
    sr: int = 0,
    chain_sequence: int = 1,
    **kwargs: Any,
) -> InterestedParty:
    """A publisher owning the given bp of each right."""
    return InterestedParty(
        party_key=key,
        role=PartyRole.publisher(publisher_type),
        name=f"Publisher {key}",
        ownership_shares=kwargs.pop("ownership_shares", shares(pr, mr, sr)),
        chain_sequence=chain_sequence,
        **kwargs,
    )


def collection(tis_code: int, pr: int = 0, mr: int = 0, sr: int = 0, **kwargs: Any) -> CollectionShare:
    """An include collection entry for ``tis_code``."""
    return CollectionShare(
        tis_code=tis_code, inclusion=Inclusion.INCLUDE, shares=shares(pr, mr, sr), **kwargs
    )


def work(*parties: InterestedParty, society: Society = STIM, **kwargs: Any) -> Work:
    """A work with ``parties``; by default one CA writer owning everything."""
    chosen = parties or (writer(pr=10000, mr=10000, sr=10000),)
    return Work(
        work_id=WORK_ID,
        submitting_society=society,
        parties=chosen,
        **{"title": "Visa vid vindens ängar", **kwargs},
    )


def day(text: str) -> date:
    """A date from ISO text, to keep timelines readable."""
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    """A UTC instant from ISO text (date or date and time)."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


STIM_OPS = Actor(PrincipalKind.SOCIETY, "079", "STIM ops: A. Andersson", STIM)
OPT_IN = Evidence("Opt-in form signed by all rightsholders", "stim-docs://opt-in/1", day("2025-01-01"))


def grant(
    entry_id: str,
    effective_from: str,
    until: str | None = None,
    *,
    recorded: str = "2025-01-01",
    subject: ConsentSubject = WORK_SUBJECT,
    stage: AiStage = AiStage.TRAINING,
    evidence: Evidence | None = OPT_IN,
) -> ConsentEntry:
    """A grant from ``effective_from`` through ``until``, recorded at ``recorded``."""
    return ConsentEntry(
        entry_id=entry_id,
        subject=subject,
        stage=stage,
        action=ConsentAction.GRANT,
        effective_from=day(effective_from),
        effective_until=day(until) if until is not None else None,
        evidence=evidence,
        recorded_by=STIM_OPS,
        recorded_at=at(recorded),
        society=STIM,
    )


def revoke(
    entry_id: str,
    effective_from: str,
    *,
    recorded: str = "2025-01-01",
    subject: ConsentSubject = WORK_SUBJECT,
    stage: AiStage = AiStage.TRAINING,
) -> ConsentEntry:
    """A revocation from ``effective_from``, recorded at ``recorded``."""
    return ConsentEntry(
        entry_id=entry_id,
        subject=subject,
        stage=stage,
        action=ConsentAction.REVOKE,
        effective_from=day(effective_from),
        recorded_by=STIM_OPS,
        recorded_at=at(recorded),
        society=STIM,
        note="Rightsholders withdrew their opt-in",
    )
