"""Keeping the licence read model current from the licensing service's lifecycle events."""

from __future__ import annotations

from datetime import date

from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.licence import Licence, LicenceStatus


async def licence_issued(uow: MatchingUnitOfWork, licence: Licence) -> None:
    """Record an issued licence (a re-delivered issue event leaves a later status alone)."""
    held = await uow.licences.get(licence.licence_id)
    if held is not None:
        return
    await uow.licences.put(licence)


async def licence_changed(
    uow: MatchingUnitOfWork, licence_id: str, status: LicenceStatus, since: date | None
) -> None:
    """Record a lifecycle transition; one for a licence not (yet) known is kept for nothing to act on.

    Events of one licence arrive in order on one partition, so a transition always follows its issue; a
    transition without one means the issue event was lost upstream, and there is nothing to update.
    """
    held = await uow.licences.get(licence_id)
    if held is None:
        return
    await uow.licences.put(held.with_status(status, since))
