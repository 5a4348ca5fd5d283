"""``nordclear repertoire …``: look works up and record AI consent, for society staff and scripts."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Annotated

import grpc
import typer

from nordclear.cli.client import Token, call, default_address, metadata, show
from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import consent_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import society_to_proto
from nordclear.platform.topology import REPERTOIRE

app = typer.Typer(help="The joint works database and the AI consent register.", no_args_is_help=True)
consent_app = typer.Typer(help="AI consent (opt-in, per work and stage).", no_args_is_help=True)
app.add_typer(consent_app, name="consent")

Address = Annotated[str, typer.Option(help="Repertoire service HOST:PORT.")]
DEFAULT_ADDRESS = default_address(REPERTOIRE.grpc_port)
STAGES = {
    "training": codes_pb2.AI_STAGE_TRAINING,
    "service": codes_pb2.AI_STAGE_SERVICE,
    "output": codes_pb2.AI_STAGE_OUTPUT,
}


def _work_ref(work_id: str | None, iswc: str | None, isrc: str | None) -> identifiers_pb2.WorkRef:
    given = [(name, value) for name, value in (("work_id", work_id), ("iswc", iswc), ("isrc", isrc)) if value]
    if len(given) != 1:
        raise typer.BadParameter("name the work by exactly one of --work-id, --iswc, --isrc")
    name, value = given[0]
    reference = identifiers_pb2.WorkRef()
    setattr(reference, name, value)
    return reference


def _date(value: str, option: str) -> dates_pb2.Date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option}: {value!r} is not a date YYYY-MM-DD") from None
    return dates_pb2.Date(year=day.year, month=day.month, day=day.day)


def _stages(values: list[str]) -> list[codes_pb2.AiStage.ValueType]:
    unknown = [value for value in values if value not in STAGES]
    if unknown or not values:
        raise typer.BadParameter(f"--stage must be one or more of {', '.join(STAGES)}; got {values}")
    return [STAGES[value] for value in values]


WorkId = Annotated[str | None, typer.Option(help="Internal work id.")]
Iswc = Annotated[str | None, typer.Option(help="ISWC, e.g. T-070.000.004-9.")]
Isrc = Annotated[str | None, typer.Option(help="ISRC of a recording of the work.")]


@app.command()
def get(
    token: Token = "",
    work_id: WorkId = None,
    iswc: Iswc = None,
    isrc: Isrc = None,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print one work, by id, ISWC or ISRC."""
    request = pb.GetWorkRequest(work=_work_ref(work_id, iswc, isrc))

    async def rpc(channel: grpc.aio.Channel) -> pb.GetWorkResponse:
        response: pb.GetWorkResponse = await pb_grpc.RepertoireServiceStub(channel).GetWork(
            request, metadata=metadata(token)
        )
        return response

    show(asyncio.run(call(address, rpc)).work)


@app.command()
def search(
    title: Annotated[str, typer.Argument(help="The title to look for; typos and spellings are tolerated.")],
    token: Token = "",
    creator: Annotated[
        list[str] | None, typer.Option(help="A creator's name, e.g. 'Taube, Evert'; repeat for several.")
    ] = None,
    top: Annotated[int, typer.Option(help="How many works to show at most.")] = 10,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Fuzzy search by title (and creators): one line per work, best first, with its score."""
    request = pb.SearchWorksRequest(
        title=title, creator_names=creator or [], top_k=top, view=pb.WORK_VIEW_SUMMARY
    )

    async def rpc(channel: grpc.aio.Channel) -> pb.SearchWorksResponse:
        response: pb.SearchWorksResponse = await pb_grpc.RepertoireServiceStub(channel).SearchWorks(
            request, metadata=metadata(token)
        )
        return response

    for hit in asyncio.run(call(address, rpc)).hits:
        score = f"{hit.score_bp / 100:6.2f} %"
        typer.echo(f"{score}  {hit.work.work_id}  {hit.work.iswc or '-':11}  {hit.work.title}")


@consent_app.command("record")
def consent_record(
    stage: Annotated[list[str], typer.Option(help="training, service or output; repeat for several.")],
    effective_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    evidence: Annotated[str, typer.Option(help="What the consent rests on, e.g. 'opt-in form'.")],
    evidence_uri: Annotated[str, typer.Option(help="Where the evidence document is kept.")],
    evidence_date: Annotated[str, typer.Option(help="When the evidence was issued, YYYY-MM-DD.")],
    token: Token = "",
    work_id: WorkId = None,
    iswc: Iswc = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD; open-ended if omitted.")] = None,
    request_id: Annotated[str | None, typer.Option(help="Idempotency key; a fresh one if omitted.")] = None,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Record the rightsholders' opt-in for a work and one or more AI stages."""
    request = pb.RecordConsentRequest(
        request_id=request_id or str(uuid.uuid4()),
        subject=consent_pb2.ConsentSubject(work=_work_ref(work_id, iswc, None)),
        stages=_stages(stage),
        effective_from=_date(effective_from, "--from"),
        effective_until=_date(until, "--until") if until else None,
        evidence=audit_pb2.Evidence(
            description=evidence, document_uri=evidence_uri, issued_on=_date(evidence_date, "--evidence-date")
        ),
    )

    async def rpc(channel: grpc.aio.Channel) -> pb.RecordConsentResponse:
        response: pb.RecordConsentResponse = await pb_grpc.RepertoireServiceStub(channel).RecordConsent(
            request, metadata=metadata(token)
        )
        return response

    show(asyncio.run(call(address, rpc)))


@consent_app.command("status")
def consent_status(
    token: Token = "",
    work_id: WorkId = None,
    iswc: Iswc = None,
    on: Annotated[str | None, typer.Option(help="Day to answer for, YYYY-MM-DD; today if omitted.")] = None,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print whether each AI stage is consented for a work on a day."""
    request = pb.GetConsentStatusRequest(
        subject=consent_pb2.ConsentSubject(work=_work_ref(work_id, iswc, None)),
        as_of=_date(on, "--on") if on else None,
    )

    async def rpc(channel: grpc.aio.Channel) -> pb.GetConsentStatusResponse:
        response: pb.GetConsentStatusResponse = await pb_grpc.RepertoireServiceStub(channel).GetConsentStatus(
            request, metadata=metadata(token)
        )
        return response

    show(asyncio.run(call(address, rpc)))


@app.command("import-cwr")
def import_cwr(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CWR registration file.")],
    ack: Annotated[Path | None, typer.Option(help="Where to save the acknowledgement file.")] = None,
    token: Token = "",
    society: Annotated[str, typer.Option(help="For clearing-house ops: the submitting society.")] = "",
    dry_run: Annotated[bool, typer.Option(help="Check and answer, store nothing.")] = False,
    request_id: Annotated[
        str | None, typer.Option(help="Idempotency key; derived from the file if omitted.")
    ] = None,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Import a CWR 2.1/2.2 registration file; print the outcome and save the ACK file."""
    content = file.read_bytes()
    header = pb.ImportCwrHeader(
        # The same file imported twice without an explicit id is recognised as a retry.
        request_id=request_id or f"cli-{hashlib.sha256(content).hexdigest()[:32]}",
        file_name=file.name,
        submitting_society=_society(society),
        dry_run=dry_run,
    )

    async def parts() -> AsyncIterator[pb.ImportCwrRequest]:
        yield pb.ImportCwrRequest(header=header)
        for offset in range(0, len(content), UPLOAD_CHUNK_BYTES):
            yield pb.ImportCwrRequest(chunk=content[offset : offset + UPLOAD_CHUNK_BYTES])

    async def rpc(channel: grpc.aio.Channel) -> pb.ImportCwrResponse:
        response: pb.ImportCwrResponse = await pb_grpc.RepertoireServiceStub(channel).ImportCwr(
            parts(), metadata=metadata(token)
        )
        return response

    response = asyncio.run(call(address, rpc))
    target = ack or file.with_name(response.ack_file_name)
    if response.ack_file:
        target.write_bytes(response.ack_file)
    summary = pb.ImportCwrResponse()
    summary.CopyFrom(response)
    summary.ClearField("ack_file")
    show(summary)
    typer.echo(
        f"acknowledgement: {target if response.ack_file else 'too large; use StreamCwrAcknowledgement'}"
    )
    if response.outcome == pb.CWR_IMPORT_OUTCOME_REJECTED:
        raise typer.Exit(1)


UPLOAD_CHUNK_BYTES = 1024 * 1024


def _society(name: str) -> codes_pb2.Society.ValueType:
    if not name:
        return codes_pb2.SOCIETY_UNSPECIFIED
    try:
        return society_to_proto(society_by_name(name).name)
    except InvalidArgument as error:
        raise typer.BadParameter(str(error)) from None
