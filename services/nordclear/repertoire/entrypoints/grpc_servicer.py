"""The repertoire's gRPC servicer: translate the request, call the use case, translate the answer."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import IO, Any

import grpc

from nordclear.gen.common.v1 import audit_pb2, dates_pb2, identifiers_pb2, paging_pb2
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import Principal, PrincipalKind
from nordclear.platform.domain.identifiers import normalise_isrc
from nordclear.platform.domain.societies import Society, society_by_name
from nordclear.platform.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unimplemented,
)
from nordclear.platform.protoconv import (
    date_to_proto,
    optional_date_from_proto,
    territory_from_proto,
    timestamp_from_proto,
)
from nordclear.platform.rpc.access import current_principal
from nordclear.platform.rpc.idempotency import fingerprint, scoped_request_id
from nordclear.repertoire.adapters import consent_proto, views, work_proto
from nordclear.repertoire.adapters.licensability import licensability_to_proto
from nordclear.repertoire.adapters.repository import ConsentQuery, ImportRecord
from nordclear.repertoire.adapters.search_view import SearchView
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.cwr.ack import TransactionStatus
from nordclear.repertoire.cwr.envelope import CwrSender
from nordclear.repertoire.cwr.fixed import CwrWriteError
from nordclear.repertoire.cwr.records import CwrVersion
from nordclear.repertoire.cwr.writer import RegistrationFileWriter, WorkToWrite
from nordclear.repertoire.domain.consent import Actor, ConsentAction, ConsentSubject
from nordclear.repertoire.domain.consent import PrincipalKind as ConsentPrincipalKind
from nordclear.repertoire.errors import WorkNotFound
from nordclear.repertoire.service_layer import consents, cwr_import, recordings, services
from nordclear.repertoire.service_layer.services import Caller, WorkKey, WorkKeyKind

Context = grpc.aio.ServicerContext[Any, Any]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1_000
SERVER_ASSIGNED_FIELDS = ("work_id", "revision", "created_at", "updated_at", "deleted", "recordings")
"""Work fields a client may not set on registration (recordings are registered on their own)."""


class RepertoireServicer(pb_grpc.RepertoireServiceServicer):
    """Implements ``nordclear.repertoire.v1.RepertoireService``."""

    def __init__(
        self,
        uow_factory: Callable[[], RepertoireUnitOfWork],
        read_uow_factory: Callable[[], RepertoireUnitOfWork],
        search: SearchView,
        cache: views.WorkCache,
    ) -> None:
        self._uow = uow_factory
        self._read = read_uow_factory
        self._search = search
        self._cache = cache

    async def RegisterWork(
        self, request: pb.RegisterWorkRequest, context: Context
    ) -> pb.RegisterWorkResponse:
        """Register a work for the caller's society (clearing-house ops name the society)."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        _refuse_server_assigned(request.work)
        society = _acting_society(principal, request.work.submitting_society)
        draft = work_proto.work_from_proto(request.work, work_id="", submitting_society=society)
        written = await services.register_work(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            draft=draft,
            caller=_caller(principal),
            now=datetime.now(UTC),
        )
        return pb.RegisterWorkResponse(work=work_proto.work_to_proto(written.work), replayed=written.replayed)

    async def UpdateWork(self, request: pb.UpdateWorkRequest, context: Context) -> pb.UpdateWorkResponse:
        """Replace a work's state (full state, not a patch), optionally only at an expected revision."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        if not request.work.work_id:
            raise InvalidArgument("work.work_id", "", "name the work to update")
        if request.work.recordings:
            raise InvalidArgument(
                "work.recordings", "set", "recordings are registered with RegisterRecording"
            )
        society = _acting_society(principal, request.work.submitting_society)
        draft = work_proto.work_from_proto(
            request.work, work_id=request.work.work_id, submitting_society=society
        )
        written = await services.update_work(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            draft=draft,
            expected_revision=request.expected_revision or None,
            caller=_caller(principal),
            now=datetime.now(UTC),
        )
        return pb.UpdateWorkResponse(work=work_proto.work_to_proto(written.work), replayed=written.replayed)

    async def DeleteWork(self, request: pb.DeleteWorkRequest, context: Context) -> pb.DeleteWorkResponse:
        """Mark a work deleted; it stays readable for the audit trail."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        if not request.work_id:
            raise InvalidArgument("work_id", "", "name the work to delete")
        written = await services.delete_work(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            work_id=request.work_id,
            reason=request.reason,
            caller=_caller(principal),
            now=datetime.now(UTC),
        )
        return pb.DeleteWorkResponse(work=work_proto.work_to_proto(written.work), replayed=written.replayed)

    async def GetWork(self, request: pb.GetWorkRequest, context: Context) -> pb.GetWorkResponse:
        """One work by any of its identifiers, with its recordings."""
        key = _work_key(request.work, "work")
        if key.kind is WorkKeyKind.WORK_ID and (cached := self._cache.get(key.value)) is not None:
            return pb.GetWorkResponse(work=cached)
        epoch = self._cache.epoch
        async with self._read() as uow:
            work_id = await services.resolve_work_id(uow, key)
            message = await views.work_with_recordings(uow.session, work_id)
        if message is None:
            raise WorkNotFound(f"work_id {work_id!r}: no such work")
        self._cache.put(work_id, message, epoch)
        return pb.GetWorkResponse(work=message)

    async def ListWorks(self, request: pb.ListWorksRequest, context: Context) -> pb.ListWorksResponse:
        """A page of works in id order (page tokens are opaque and stable under concurrent writes)."""
        page_size = _page_size(request.page)
        changed_since = (
            timestamp_from_proto(request.changed_since, "changed_since")
            if request.HasField("changed_since")
            else None
        )
        works = await services.list_works(
            self._read(),
            society=work_proto.member_society(request.society, "society"),
            after_work_id=request.page.page_token,
            limit=page_size,
            include_deleted=request.include_deleted,
            changed_since=changed_since,
        )
        next_token = works[-1].work_id if len(works) == page_size else ""
        return pb.ListWorksResponse(
            works=[work_proto.work_to_proto(work) for work in works],
            page=paging_pb2.PageResponse(next_page_token=next_token),
        )

    async def BatchLookup(
        self, request_iterator: AsyncIterator[pb.BatchLookupRequest], context: Context
    ) -> AsyncIterator[pb.BatchLookupResponse]:
        """For each batch of keys the client sends, one answer with a result per key, in order."""
        async for request in request_iterator:
            if len(request.keys) > MAX_LOOKUP_KEYS:
                raise InvalidArgument(
                    "keys", len(request.keys), f"at most {MAX_LOOKUP_KEYS} keys per message"
                )
            limit = request.max_works_per_key or DEFAULT_WORKS_PER_KEY
            keys = [_lookup(key, f"keys[{i}]") for i, key in enumerate(request.keys)]
            valid = [key for key in keys if not isinstance(key, InvalidArgument)]
            async with self._read() as uow:
                found = await services.batch_lookup(uow, valid, limit)
                wanted = [work_id for outcome in found for work_id in outcome.work_ids]
                messages = await _works_in_view(uow, wanted, request.view)
            outcomes = iter(found)
            results = []
            for message, key in zip(request.keys, keys, strict=True):
                outcome = (
                    services.LookupOutcome(work_ids=[], error=key)
                    if isinstance(key, InvalidArgument)
                    else next(outcomes)
                )
                results.append(_lookup_result(message, outcome, messages))
            yield pb.BatchLookupResponse(results=results)

    async def SearchWorks(self, request: pb.SearchWorksRequest, context: Context) -> pb.SearchWorksResponse:
        """Top-k works by fuzzy title (and creator names), with scores in basis points."""
        for name in ("artist_name", "duration_ms"):
            if getattr(request, name):
                raise Unimplemented(f"{name}: search by {name} is not available in this version yet")
        society = work_proto.member_society(request.society, "society")
        top_k = request.top_k or DEFAULT_TOP_K
        # A society filter is applied after scoring, so ask the index for more to still return top_k.
        wanted = min(top_k * 5, MAX_SEARCH_CANDIDATES) if society else top_k
        hits = self._search.search(request.title, list(request.creator_names), wanted, request.min_score_bp)
        async with self._read() as uow:
            messages = await _works_in_view(uow, [hit.work_id for hit in hits], request.view)
        results = []
        for hit in hits:
            work = messages.get(hit.work_id)
            if (
                work is None
                or work.deleted
                or (society is not None and work.submitting_society != request.society)
            ):
                continue
            results.append(pb.SearchHit(work=work, score_bp=hit.score_bp, matched_title=hit.matched_title))
        return pb.SearchWorksResponse(hits=results[:top_k])

    async def ImportCwr(
        self, request_iterator: AsyncIterator[pb.ImportCwrRequest], context: Context
    ) -> pb.ImportCwrResponse:
        """Import a CWR registration file (header, then chunks) and answer with its acknowledgement file."""
        principal = current_principal()
        first = await anext(aiter(request_iterator), None)
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidArgument("header", "missing", "the first message carries the import header")
        header = first.header
        request_id = scoped_request_id(principal, header.request_id, "header.request_id")
        society = _acting_society(principal, header.submitting_society)
        digest = hashlib.sha256(_without_request_id(header))
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
            size = 0
            async for message in request_iterator:
                if message.WhichOneof("part") != "chunk":
                    raise InvalidArgument(
                        "chunk", message.WhichOneof("part"), "after the header only chunks follow"
                    )
                size += len(message.chunk)
                if size > MAX_CWR_FILE_BYTES:
                    raise InvalidArgument(
                        "chunk", size, f"a CWR file may be at most {MAX_CWR_FILE_BYTES} bytes"
                    )
                spool.write(message.chunk)
                digest.update(message.chunk)
            fingerprint_hex = digest.hexdigest()
            async with self._read() as uow:
                earlier = await uow.imports.by_request(request_id)
                if earlier is not None:
                    return await _replayed_import(uow, earlier, fingerprint_hex, header.request_id)
            spool.seek(0)
            with cwr_import.new_ack_spool() as ack:
                return await self._import(spool, ack, header, request_id, society, principal, fingerprint_hex)

    async def _import(
        self,
        source: IO[bytes],
        ack: IO[bytes],
        header: pb.ImportCwrHeader,
        request_id: str,
        society: Society,
        principal: Principal,
        fingerprint_hex: str,
    ) -> pb.ImportCwrResponse:
        now = datetime.now(UTC)
        report = await cwr_import.import_cwr(
            self._uow,
            source,
            ack,
            request_id=request_id,
            society=society,
            caller=_caller(principal),
            dry_run=header.dry_run,
            now=now,
        )
        import_id = cwr_import.new_import_id()
        response = _import_response(import_id, header.file_name, report)
        if not header.dry_run:
            async with self._uow() as uow:
                await uow.imports.add(
                    import_id=import_id,
                    request_id=request_id,
                    fingerprint=fingerprint_hex,
                    file_name=header.file_name,
                    society=society.name,
                    imported_at=now,
                    response=response.SerializeToString(),
                    ack_chunks=report.ack_chunks(ACK_CHUNK_BYTES),
                )
                await uow.commit()
        if report.ack_size_bytes() <= MAX_INLINE_ACK_BYTES:
            response.ack_file = b"".join(report.ack_chunks(ACK_CHUNK_BYTES))
        else:
            response.ack_file_omitted = True
        return response

    async def StreamCwrAcknowledgement(
        self, request: pb.StreamCwrAcknowledgementRequest, context: Context
    ) -> AsyncIterator[pb.StreamCwrAcknowledgementResponse]:
        """The acknowledgement file of an earlier import, in chunks."""
        principal = current_principal()
        async with self._read() as uow:
            found = await uow.imports.by_id(request.import_id)
            if found is None or (principal.society is not None and principal.society != found.society):
                # Another society's import is not its business: it does not exist for it.
                raise NotFound(f"import_id {request.import_id!r}: no such import")
            yield pb.StreamCwrAcknowledgementResponse(file_name=_ack_file_name(found.file_name))
            async for chunk in uow.imports.ack_chunks(found.import_id):
                for offset in range(0, len(chunk), ACK_CHUNK_BYTES):
                    yield pb.StreamCwrAcknowledgementResponse(chunk=chunk[offset : offset + ACK_CHUNK_BYTES])

    async def ExportCwr(
        self, request: pb.ExportCwrRequest, context: Context
    ) -> AsyncIterator[pb.ExportCwrResponse]:
        """A society's works as a CWR registration file (2.1 unless 2.2 is asked), in chunks."""
        principal = current_principal()
        society = _acting_society(principal, request.society)
        try:
            version = CwrVersion(request.cwr_version or CwrVersion.V2_1.value)
        except ValueError:
            raise InvalidArgument("cwr_version", request.cwr_version, "2.1 or 2.2") from None
        changed_since = (
            timestamp_from_proto(request.changed_since, "changed_since")
            if request.HasField("changed_since")
            else None
        )
        now = datetime.now(UTC)
        writer = RegistrationFileWriter(
            sender=CwrSender.society(society.cisac_code, society.name), created_at=now, version=version
        )
        yield pb.ExportCwrResponse(
            header=pb.ExportCwrHeader(
                file_name=f"CW{now:%y}0001{society.cisac_code}_000.V{version.value.replace('.', '')}",
                cwr_version=version.value,
            )
        )
        # The file is complete when the summary (with its SHA-256) arrives; a work that cannot be written
        # ends the stream with FAILED_PRECONDITION before it, so a partial file is never taken for whole.
        digest = hashlib.sha256()
        pending = writer.begin()
        works = services.stream_works(
            self._read, include_deleted=False, society=society.name, changed_since=changed_since
        )
        async for work, linked in works:
            try:
                pending += writer.add(WorkToWrite(work, tuple(linked)))
            except CwrWriteError as error:
                raise FailedPrecondition(
                    f"work {work.work_id} cannot be written as CWR {version.value}: {error}"
                ) from None
            if len(pending) >= EXPORT_LINES_PER_CHUNK:
                yield _export_chunk(pending, digest)
                pending = []
        yield _export_chunk([*pending, *writer.end()], digest)
        yield pb.ExportCwrResponse(
            summary=pb.ExportCwrSummary(
                works_exported=writer.transaction_count,
                records_total=writer.record_count,
                file_sha256=digest.hexdigest(),
            )
        )

    async def StreamSnapshot(
        self, request: pb.StreamSnapshotRequest, context: Context
    ) -> AsyncIterator[pb.StreamSnapshotResponse]:
        """Every work (and its recordings), then a summary, for bootstrapping another service's read model."""
        if request.include_consents:
            raise InvalidArgument("include_consents", True, "consents are not part of the snapshot yet")
        works_sent = recordings_sent = 0
        as_of = datetime.now(UTC)
        async for work, linked in services.stream_works(self._read, include_deleted=request.include_deleted):
            yield pb.StreamSnapshotResponse(work=work_proto.work_to_proto(work))
            works_sent += 1
            for recording in linked:
                yield pb.StreamSnapshotResponse(recording=work_proto.recording_to_proto(recording))
                recordings_sent += 1
        summary = pb.SnapshotSummary(works_sent=works_sent, recordings_sent=recordings_sent)
        summary.as_of.FromDatetime(as_of)
        yield pb.StreamSnapshotResponse(summary=summary)

    async def RegisterRecording(
        self, request: pb.RegisterRecordingRequest, context: Context
    ) -> pb.RegisterRecordingResponse:
        """Register a recording (or update the one with its ISRC) and link it to works."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        for name in ("recording_id", "revision"):
            if getattr(request.recording, name):
                raise InvalidArgument(
                    f"recording.{name}", getattr(request.recording, name), "assigned by the server"
                )
        caller = _caller(principal)
        draft = work_proto.recording_from_proto(
            request.recording, recording_id="", field="recording", submitting_society=caller.society
        )
        written = await recordings.register_recording(
            self._uow(), request_id=request_id, fingerprint=fingerprint(request), draft=draft, caller=caller
        )
        return pb.RegisterRecordingResponse(
            recording=work_proto.recording_to_proto(written.recording), replayed=written.replayed
        )

    async def GetRecording(
        self, request: pb.GetRecordingRequest, context: Context
    ) -> pb.GetRecordingResponse:
        """One recording by id or ISRC."""
        kind = request.recording.WhichOneof("ref")
        if kind == "recording_id":
            recording = await recordings.get_recording(
                self._read(), recording_id=request.recording.recording_id
            )
        elif kind == "isrc":
            isrc = normalise_isrc(request.recording.isrc, "recording.isrc")
            recording = await recordings.get_recording(self._read(), isrc=isrc)
        else:
            raise InvalidArgument("recording", "unset", "name the recording by recording_id or isrc")
        return pb.GetRecordingResponse(recording=work_proto.recording_to_proto(recording))

    async def RecordConsent(
        self, request: pb.RecordConsentRequest, context: Context
    ) -> pb.RecordConsentResponse:
        """Grant AI consent for a subject and one or more stages (one register entry per stage)."""
        recorded = await self._change_consent(request, ConsentAction.GRANT, request.effective_until)
        return pb.RecordConsentResponse(
            consents=[consent_proto.consent_to_proto(e) for e in recorded.entries], replayed=recorded.replayed
        )

    async def RevokeConsent(
        self, request: pb.RevokeConsentRequest, context: Context
    ) -> pb.RevokeConsentResponse:
        """Revoke AI consent from a date on; what was granted before that date stays as it was."""
        recorded = await self._change_consent(request, ConsentAction.REVOKE, None)
        return pb.RevokeConsentResponse(
            consents=[consent_proto.consent_to_proto(e) for e in recorded.entries], replayed=recorded.replayed
        )

    async def _change_consent(
        self,
        request: pb.RecordConsentRequest | pb.RevokeConsentRequest,
        action: ConsentAction,
        effective_until: dates_pb2.Date | None,
    ) -> consents.Recorded:
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        change = consents.ConsentChange(
            subject=await self._subject(request.subject),
            stages=tuple(
                consent_proto.stage_from_proto(stage, f"stages[{i}]")
                for i, stage in enumerate(request.stages)
            ),
            action=action,
            effective_from=consent_proto.required_date(request.effective_from, "effective_from"),
            effective_until=(
                optional_date_from_proto(effective_until, "effective_until") if effective_until else None
            ),
            evidence=consent_proto.evidence_from_proto(request.evidence, "evidence"),
            note=request.note,
        )
        return await consents.change_consent(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            change=change,
            caller=_caller(principal),
            actor=_actor(principal),
            now=datetime.now(UTC),
        )

    async def GetConsentHistory(
        self, request: pb.GetConsentHistoryRequest, context: Context
    ) -> pb.GetConsentHistoryResponse:
        """Register entries in the order they were recorded: one subject's, or the whole register's.

        Filtered by society, stage and time recorded in the query itself, and paged by position in the
        register, so the audit view of a large register reads one page at a time.
        """
        subject = await self._subject(request.subject) if request.HasField("subject") else None
        requested = work_proto.member_society(request.society, "society")
        society = requested.name if requested else None
        viewer = current_principal().society
        if subject is None and viewer is not None:
            # Across the register, a society (and its ops) reads the entries it recorded, nobody else's.
            if society is not None and society != viewer:
                raise PermissionDenied(
                    f"society {viewer} may read only its own entries of the whole register"
                )
            society = viewer
        query = ConsentQuery(
            subject=subject,
            stage=consent_proto.stage_from_proto(request.stage, "stage") if request.stage else None,
            society=society,
            recorded_since=(
                timestamp_from_proto(request.recorded_since, "recorded_since")
                if request.HasField("recorded_since")
                else None
            ),
        )
        page = await consents.history_page(
            self._read(), query, after=_position(request.page.page_token), limit=_page_size(request.page)
        )
        return pb.GetConsentHistoryResponse(
            consents=[consent_proto.consent_to_proto(entry) for entry in page.entries],
            page=paging_pb2.PageResponse(
                next_page_token="" if page.next_after is None else str(page.next_after),
                total_size=page.total,
            ),
        )

    async def GetConsentStatus(
        self, request: pb.GetConsentStatusRequest, context: Context
    ) -> pb.GetConsentStatusResponse:
        """The consent state of every stage for a subject on a date (today when unset)."""
        on = optional_date_from_proto(request.as_of, "as_of") or datetime.now(UTC).date()
        states = await consents.states(self._read(), await self._subject(request.subject), on)
        return pb.GetConsentStatusResponse(
            states=[
                pb.StageConsentState(
                    stage=consent_proto.stage_to_proto(state.stage),
                    consented=state.granted,
                    deciding_entry=(
                        consent_proto.consent_to_proto(state.decided_by) if state.decided_by else None
                    ),
                )
                for state in states
            ]
        )

    async def CheckLicensability(
        self, request: pb.CheckLicensabilityRequest, context: Context
    ) -> pb.CheckLicensabilityResponse:
        """Whether a work is licensable for a stage in a territory on a date, and who gets each share."""
        stage = consent_proto.stage_from_proto(request.stage, "stage")
        territory = territory_from_proto(request.territory, "territory")
        on = optional_date_from_proto(request.date, "date") or datetime.now(UTC).date()
        work, coverage = await consents.licensability(
            self._read(), _work_key(request.work, "work"), stage, territory, on
        )
        return licensability_to_proto(work, coverage)

    async def _subject(self, message: consent_pb2.ConsentSubject) -> ConsentSubject:
        kind = message.WhichOneof("subject")
        if kind == "work":
            return await consents.subject_of_work(self._read(), _work_key(message.work, "subject.work"))
        if kind == "performer_attribute":
            return consent_proto.performer_subject_from_proto(
                message.performer_attribute, "subject.performer_attribute"
            )
        raise InvalidArgument("subject", "unset", "name a work or a performer attribute")


def _refuse_server_assigned(work: work_pb2.Work) -> None:
    present = {descriptor.name for descriptor, _ in work.ListFields()}
    for name in SERVER_ASSIGNED_FIELDS:
        if name in present:
            rule = (
                "assigned by the server; leave it empty"
                if name != "recordings"
                else ("recordings are registered with RegisterRecording")
            )
            raise InvalidArgument(f"work.{name}", "set", rule)


def _acting_society(principal: Principal, requested: int) -> Society:
    """The society a write is made for: the caller's own, or, for clearing-house ops, the one named."""
    named = work_proto.member_society(requested, "work.submitting_society")  # type: ignore[arg-type]
    if principal.society is not None:
        own = society_by_name(principal.society)
        if named is not None and named != own:
            raise PermissionDenied(
                f"{principal.describe()} may write works for {own.name} only, not {named.name}"
            )
        return own
    if named is None:
        raise InvalidArgument(
            "work.submitting_society", "SOCIETY_UNSPECIFIED", "clearing-house ops must name it"
        )
    return named


def _caller(principal: Principal) -> Caller:
    society = society_by_name(principal.society) if principal.society else None
    if principal.kind is not PrincipalKind.OPS and society is None:
        # Only societies (and ops) write; the access policy has let nobody else through.
        raise PermissionDenied(f"{principal.describe()} may not change the repertoire")
    return Caller(description=principal.describe(), society=society)


def _work_key(reference: identifiers_pb2.WorkRef, field: str) -> WorkKey:
    kind = reference.WhichOneof("ref")
    if kind is None:
        raise InvalidArgument(field, "unset", "name the work by work_id, iswc, isrc or society_work_id")
    if kind == "society_work_id":
        ref = reference.society_work_id
        return WorkKey(WorkKeyKind.SOCIETY_WORK_ID, ref.work_code, society_code=ref.society_code)
    value: str = getattr(reference, kind)
    if not value:
        raise InvalidArgument(f"{field}.{kind}", value, "must not be empty")
    return WorkKey(WorkKeyKind(kind), value)


def _page_size(page: paging_pb2.PageRequest) -> int:
    if page.page_size < 0 or page.page_size > MAX_PAGE_SIZE:
        raise InvalidArgument("page.page_size", page.page_size, f"between 0 and {MAX_PAGE_SIZE}")
    return page.page_size or DEFAULT_PAGE_SIZE


def _actor(principal: Principal) -> Actor:
    society = society_by_name(principal.society) if principal.society else None
    return Actor(
        kind=ConsentPrincipalKind(principal.kind.value),
        principal_id=principal.subject,
        display_name=principal.describe(),
        society=society,
    )


MAX_LOOKUP_KEYS = 10_000
DEFAULT_TOP_K = 10
MAX_SEARCH_CANDIDATES = 100
DEFAULT_WORKS_PER_KEY = 100


def _position(page_token: str) -> int:
    """The register position a consent history page token stands for (0: from the start)."""
    if not page_token:
        return 0
    if not page_token.isdigit() or len(page_token) > MAX_POSITION_DIGITS:
        raise InvalidArgument("page.page_token", page_token, "must be a token from the previous page")
    return int(page_token)


def _lookup(key: pb.LookupKey, field: str) -> services.Lookup | InvalidArgument:
    kind = key.WhichOneof("key")
    try:
        if kind == "work":
            return services.Lookup(work=_work_key(key.work, f"{field}.work"))
        if kind == "party" and key.party.WhichOneof("ref") == "ipi_name_number":
            return services.Lookup(ipi_name_number=key.party.ipi_name_number)
        if kind == "party":
            return InvalidArgument(f"{field}.party", "ipi_base_number", "look parties up by IPI name number")
        return InvalidArgument(field, "unset", "a key names a work or a party")
    except InvalidArgument as error:
        return error


def _lookup_result(
    key: pb.LookupKey, outcome: services.LookupOutcome, messages: dict[str, work_pb2.Work]
) -> pb.LookupResult:
    result = pb.LookupResult(key=key, truncated=outcome.truncated)
    if outcome.error is not None:
        result.status = pb.LOOKUP_STATUS_INVALID
        error = outcome.error
        result.error.CopyFrom(
            audit_pb2.Violation(
                field=getattr(error, "field", ""),
                value=str(getattr(error, "value", "")),
                rule=getattr(error, "rule", ""),
                message=str(error),
            )
        )
        return result
    found = [messages[work_id] for work_id in outcome.work_ids if work_id in messages]
    result.status = pb.LOOKUP_STATUS_FOUND if found else pb.LOOKUP_STATUS_NOT_FOUND
    result.works.extend(found)
    return result


async def _works_in_view(
    uow: RepertoireUnitOfWork, work_ids: list[str], view: pb.WorkView.ValueType
) -> dict[str, work_pb2.Work]:
    """The works as the view asks: summaries from columns, or the full stored documents."""
    if view == pb.WORK_VIEW_SUMMARY:
        return await views.work_summaries(uow.session, work_ids)
    return await views.work_messages(uow.session, work_ids)


SPOOL_IN_MEMORY_BYTES = 16 * 1024 * 1024
EXPORT_LINES_PER_CHUNK = 2_000
MAX_CWR_FILE_BYTES = 1024 * 1024 * 1024
MAX_INLINE_ACK_BYTES = 4 * 1024 * 1024
ACK_CHUNK_BYTES = 1024 * 1024
MAX_REPORTED_PROBLEMS = 1_000
MAX_POSITION_DIGITS = 18
_STATUSES = {
    TransactionStatus.TRANSACTION_ACCEPTED: pb.CWR_TRANSACTION_STATUS_TRANSACTION_ACCEPTED,
    TransactionStatus.REGISTRATION_ACCEPTED: pb.CWR_TRANSACTION_STATUS_REGISTRATION_ACCEPTED,
    TransactionStatus.ACCEPTED_WITH_CHANGES: pb.CWR_TRANSACTION_STATUS_ACCEPTED_WITH_CHANGES,
    TransactionStatus.REJECTED: pb.CWR_TRANSACTION_STATUS_REJECTED,
    TransactionStatus.CONFLICT: pb.CWR_TRANSACTION_STATUS_CONFLICT,
}


def _without_request_id(header: pb.ImportCwrHeader) -> bytes:
    content = pb.ImportCwrHeader()
    content.CopyFrom(header)
    content.request_id = ""
    return content.SerializeToString(deterministic=True)


def _ack_file_name(file_name: str) -> str:
    stem = file_name.rsplit("/", 1)[-1] or "import"
    return f"{stem}.ACK"


def _import_response(import_id: str, file_name: str, report: cwr_import.ImportReport) -> pb.ImportCwrResponse:
    counts = report.status_counts
    rejected = counts[TransactionStatus.REJECTED] + counts[TransactionStatus.CONFLICT]
    if report.rejected_file is not None or (
        report.transactions_total and rejected == report.transactions_total
    ):
        outcome = pb.CWR_IMPORT_OUTCOME_REJECTED
    elif rejected:
        outcome = pb.CWR_IMPORT_OUTCOME_PARTIALLY_ACCEPTED
    else:
        outcome = pb.CWR_IMPORT_OUTCOME_ACCEPTED
    response = pb.ImportCwrResponse(
        import_id=import_id,
        outcome=outcome,
        transactions_total=report.transactions_total,
        status_counts=[
            pb.CwrStatusCount(status=_STATUSES[status], count=n) for status, n in sorted(counts.items())
        ],
        problems=[
            audit_pb2.Violation(
                line_number=p.record_number, field=p.field, value=p.value, rule=p.rule, message=p.rule
            )
            for p in report.problems[:MAX_REPORTED_PROBLEMS]
        ],
        problems_total=report.problems_total,
        ack_file_name=_ack_file_name(file_name),
    )
    if report.header is not None:
        response.file.CopyFrom(
            pb.CwrFileInfo(
                cwr_version=report.header.version.value,
                sender_type=report.header.sender_type,
                sender_id=report.header.sender_id,
                sender_name=report.header.sender_name,
                creation_date=date_to_proto(report.header.creation_date),
                character_set=report.header.character_set,
            )
        )
    return response


def _export_chunk(lines: list[str], digest: hashlib._Hash) -> pb.ExportCwrResponse:
    data = "".join(lines).encode()
    digest.update(data)
    return pb.ExportCwrResponse(chunk=data)


async def _replayed_import(
    uow: RepertoireUnitOfWork, earlier: ImportRecord, fingerprint_hex: str, request_id: str
) -> pb.ImportCwrResponse:
    if earlier.fingerprint != fingerprint_hex:
        raise AlreadyExists(f"header.request_id {request_id!r} was already used for a different file")
    response = pb.ImportCwrResponse.FromString(earlier.response)
    response.replayed = True
    if earlier.ack_size_bytes <= MAX_INLINE_ACK_BYTES:
        response.ack_file = b"".join([chunk async for chunk in uow.imports.ack_chunks(earlier.import_id)])
    else:
        response.ack_file_omitted = True
    return response
