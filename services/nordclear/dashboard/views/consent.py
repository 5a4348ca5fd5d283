"""The consent audit: the register's history, of one work or all, filterable by society and stage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nordclear.dashboard.views.clients import Problem, ServiceClients, ServiceProblem
from nordclear.dashboard.views.common import Paged, Viewer, failed, page_request, paged
from nordclear.dashboard.views.formatting import (
    date_text,
    enum_label,
    enum_value,
    society_label,
    timestamp_text,
)
from nordclear.gen.common.v1 import codes_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import consent_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc

SERVICE = "repertoire"
_ISWC = re.compile(r"^T[-.\s]?\d{3}[-.\s]?\d{3}[-.\s]?\d{3}[-.\s]?\w$", re.IGNORECASE)
_ISRC = re.compile(r"^[A-Z]{2}-?[A-Z0-9]{3}-?\d{2}-?\d{5}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ConsentFilter:
    """The audit's filters: the work (ISWC, ISRC or work id), the society and the stage."""

    work: str = ""
    society: str = ""
    stage: str = ""
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class ConsentRow:
    """One register entry."""

    consent_id: str
    recorded_at: str
    society: str
    stage: str
    action: str
    effective_from: str
    effective_until: str
    evidence: str
    evidence_uri: str
    recorded_by: str
    note: str


@dataclass(frozen=True, slots=True)
class WorkHeading:
    """The work the history is about."""

    work_id: str
    iswc: str
    title: str


def work_ref(text: str) -> identifiers_pb2.WorkRef:
    """A work reference from what a person typed: an ISWC, an ISRC, or a work id."""
    value = text.strip()
    if _ISWC.match(value):
        return identifiers_pb2.WorkRef(iswc=value)
    if _ISRC.match(value):
        return identifiers_pb2.WorkRef(isrc=value)
    return identifiers_pb2.WorkRef(work_id=value)


async def work_heading(
    clients: ServiceClients, viewer: Viewer, text: str
) -> tuple[WorkHeading | None, Problem | None]:
    """The work named by ``text``, to head the history with its title."""
    stub = pb_grpc.RepertoireServiceStub(clients.channels[SERVICE])
    try:
        response = await clients.call(
            SERVICE,
            "GetWork",
            stub.GetWork,
            pb.GetWorkRequest(work=work_ref(text), view=pb.WORK_VIEW_SUMMARY),
            viewer.token,
        )
    except ServiceProblem as error:
        return None, error.problem
    work = response.work
    return WorkHeading(work.work_id, work.iswc, work.title), None


async def history(
    clients: ServiceClients, viewer: Viewer, chosen: ConsentFilter, page_size: int
) -> Paged[ConsentRow]:
    """One page of the register's history (of the chosen work, or of all works), in recorded order."""
    request = pb.GetConsentHistoryRequest(
        subject=consent_pb2.ConsentSubject(work=work_ref(chosen.work)) if chosen.work else None,
        # A society's ops see the entries recorded through their society.
        society=enum_value(codes_pb2.Society, chosen.society, "society") or viewer.society,
        stage=enum_value(codes_pb2.AiStage, chosen.stage, "stage"),
        page=page_request(chosen.page_token, page_size),
    )
    stub = pb_grpc.RepertoireServiceStub(clients.channels[SERVICE])
    try:
        response = await clients.call(
            SERVICE, "GetConsentHistory", stub.GetConsentHistory, request, viewer.token
        )
    except ServiceProblem as error:
        return failed(error)
    rows = [
        ConsentRow(
            consent_id=c.consent_id,
            recorded_at=timestamp_text(c.recorded_at),
            society=society_label(c.society),
            stage=enum_label(codes_pb2.AiStage, c.stage),
            action=enum_label(consent_pb2.ConsentAction, c.action),
            effective_from=date_text(c.effective_from),
            effective_until=date_text(c.effective_until),
            evidence=c.evidence.description,
            evidence_uri=c.evidence.document_uri,
            recorded_by=c.recorded_by.display_name or c.recorded_by.principal_id,
            note=c.note,
        )
        for c in response.consents
    ]
    return paged(rows, response.page)
