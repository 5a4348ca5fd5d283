"""Licences: a filtered, paged list with counts by status and hub society, and one licence's history."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from nordclear.dashboard.views.clients import Problem, ServiceClients, ServiceProblem
from nordclear.dashboard.views.common import Paged, Viewer, failed, page_request, paged
from nordclear.dashboard.views.formatting import (
    date_text,
    enum_choices,
    enum_label,
    enum_value,
    society_label,
    timestamp_text,
)
from nordclear.gen.common.v1 import codes_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as pb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc

SERVICE = "licensing"


@dataclass(frozen=True, slots=True)
class LicenceFilter:
    """The list's filters, as enum value names from the query string (empty: any)."""

    status: str = ""
    hub_society: str = ""
    territory: str = ""
    stage: str = ""
    licensee_id: str = ""
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class LicenceRow:
    """One licence in the list."""

    licence_id: str
    licensee: str
    model: str
    status: str
    hub_society: str
    territories: str
    stages: str
    term: str
    issued_at: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One status change of a licence."""

    changed_at: str
    previous_status: str
    status: str
    effective_from: str
    changed_by: str
    reason: str


@dataclass(frozen=True, slots=True)
class LicenceDetail:
    """One licence with its societies and its whole status history."""

    row: LicenceRow
    currency_code: str
    hub_admin_fee_bp: int
    societies: list[tuple[str, int, int]]
    """(society, repertoire share in basis points, licensable works)."""
    presumption_applied: bool
    history: list[HistoryRow]


def _row(licence: licence_pb2.Licence) -> LicenceRow:
    term = f"{date_text(licence.term.start_date)} to {date_text(licence.term.end_date)}"
    return LicenceRow(
        licence_id=licence.licence_id,
        licensee=licence.licensee_legal_name or licence.licensee_id,
        model=f"{licence.model_name} {licence.model_version}".strip(),
        status=enum_label(licence_pb2.LicenceStatus, licence.status),
        hub_society=society_label(licence.hub_society),
        territories=", ".join(enum_label(codes_pb2.Territory, t).upper() for t in licence.territories),
        stages=", ".join(enum_label(codes_pb2.AiStage, s) for s in licence.stages),
        term=term,
        issued_at=timestamp_text(licence.issued_at),
    )


def _request(viewer: Viewer, chosen: LicenceFilter, page_size: int) -> pb.ListLicencesRequest:
    return pb.ListLicencesRequest(
        licensee_id=chosen.licensee_id,
        hub_society=enum_value(codes_pb2.Society, chosen.hub_society, "hub_society"),
        # A society's ops see the licences that cover their society's repertoire.
        involved_society=viewer.society,
        status=enum_value(licence_pb2.LicenceStatus, chosen.status, "status"),
        territory=enum_value(codes_pb2.Territory, chosen.territory, "territory"),
        stage=enum_value(codes_pb2.AiStage, chosen.stage, "stage"),
        page=page_request(chosen.page_token, page_size),
    )


async def list_licences(
    clients: ServiceClients, viewer: Viewer, chosen: LicenceFilter, page_size: int
) -> Paged[LicenceRow]:
    """One page of licences matching ``chosen``, newest first."""
    stub = pb_grpc.LicensingServiceStub(clients.channels[SERVICE])
    try:
        response = await clients.call(
            SERVICE, "ListLicences", stub.ListLicences, _request(viewer, chosen, page_size), viewer.token
        )
    except ServiceProblem as error:
        return failed(error)
    return paged([_row(licence) for licence in response.licences], response.page)


async def counts_by(
    clients: ServiceClients, viewer: Viewer, dimension: str
) -> tuple[list[tuple[str, int]], Problem | None]:
    """Licences per status (``status``) or per hub society (``hub_society``), from the list's totals.

    One one-row page per value asks the service to count; no licence list is loaded for a count.
    """
    if dimension == "status":
        filters = [
            (label, LicenceFilter(status=name)) for name, label in enum_choices(licence_pb2.LicenceStatus)
        ]
    else:
        filters = [
            (label, LicenceFilter(hub_society=name))
            for name, label in enum_choices(codes_pb2.Society, upper=True)
        ]
    stub = pb_grpc.LicensingServiceStub(clients.channels[SERVICE])

    async def one(chosen: LicenceFilter) -> int | None:
        response = await clients.call(
            SERVICE, "ListLicences", stub.ListLicences, _request(viewer, chosen, 1), viewer.token
        )
        return response.page.total_size if response.page.HasField("total_size") else None

    try:
        totals = await asyncio.gather(*(one(chosen) for _, chosen in filters))
    except ServiceProblem as error:
        return [], error.problem
    counted = [(label, total) for (label, _), total in zip(filters, totals, strict=True)]
    return [(label, total) for label, total in counted if total is not None], None


async def licence_detail(
    clients: ServiceClients, viewer: Viewer, licence_id: str
) -> tuple[LicenceDetail | None, Problem | None]:
    """One licence and its history, or the problem that kept it from the page."""
    stub = pb_grpc.LicensingServiceStub(clients.channels[SERVICE])
    try:
        response = await clients.call(
            SERVICE,
            "GetLicence",
            stub.GetLicence,
            pb.GetLicenceRequest(licence_id=licence_id),
            viewer.token,
        )
    except ServiceProblem as error:
        return None, error.problem
    licence = response.licence
    history = [
        HistoryRow(
            changed_at=timestamp_text(change.changed_at),
            previous_status=enum_label(licence_pb2.LicenceStatus, change.previous_status) or "—",
            status=enum_label(licence_pb2.LicenceStatus, change.status),
            effective_from=date_text(change.effective_from),
            changed_by=change.changed_by.display_name or change.changed_by.principal_id,
            reason=change.reason,
        )
        for change in licence.history
    ]
    return (
        LicenceDetail(
            row=_row(licence),
            currency_code=licence.currency_code,
            hub_admin_fee_bp=licence.hub_admin_fee_bp,
            societies=[
                (society_label(s.society), s.repertoire_share_bp, s.licensable_work_count)
                for s in licence.societies
            ],
            presumption_applied=licence.presumption_applied,
            history=history,
        ),
        None,
    )
