"""The licensing service's gRPC servicer: translate the request, call the use case, translate the answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
from cryptography.hazmat.primitives import serialization

from nordclear.gen.common.v1 import paging_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as pb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from nordclear.licensing.adapters import proto
from nordclear.licensing.adapters.consumers import society_work_key
from nordclear.licensing.adapters.coverage_cache import CoverageCache
from nordclear.licensing.adapters.licence_cache import LicenceCache
from nordclear.licensing.adapters.repository import SignedDocument
from nordclear.licensing.adapters.seed import TariffBook
from nordclear.licensing.adapters.signing import LicenceSigner
from nordclear.licensing.adapters.unit_of_work import LicensingUnitOfWork
from nordclear.licensing.domain.document import ALGORITHM, MEDIA_TYPE
from nordclear.licensing.domain.model import TrainingDeclaration, validated_scope
from nordclear.licensing.service_layer import services
from nordclear.licensing.service_layer.services import ApplicationDraft, Caller, CoverageSubject, SubjectKind
from nordclear.platform.auth import Principal
from nordclear.platform.domain.identifiers import normalise_isrc, normalise_iswc
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.errors import InvalidArgument, NotFound
from nordclear.platform.protoconv import optional_date_from_proto, territory_from_proto, timestamp_to_proto
from nordclear.platform.rpc.access import current_principal
from nordclear.platform.rpc.idempotency import fingerprint, scoped_request_id

Context = grpc.aio.ServicerContext[Any, Any]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1_000


class LicensingServicer(pb_grpc.LicensingServiceServicer):
    """Implements ``nordclear.licensing.v1.LicensingService``."""

    def __init__(
        self,
        uow_factory: Callable[[], LicensingUnitOfWork],
        read_uow_factory: Callable[[], LicensingUnitOfWork],
        book: TariffBook,
        signer: LicenceSigner,
        licences: LicenceCache | None = None,
        works: CoverageCache | None = None,
    ) -> None:
        self._licences = licences
        self._works = works
        self._uow = uow_factory
        self._read = read_uow_factory
        self._book = book
        self._signer = signer

    async def RegisterLicensee(
        self, request: pb.RegisterLicenseeRequest, context: Context
    ) -> pb.RegisterLicenseeResponse:
        """Register an AI company as a licensee."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        if request.licensee.licensee_id or request.licensee.HasField("registered_at"):
            raise InvalidArgument(
                "licensee.licensee_id",
                request.licensee.licensee_id,
                "server-assigned: leave it and registered_at empty",
            )
        now = datetime.now(UTC)
        written = await services.register_licensee(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            draft=proto.licensee_from_proto(request.licensee, "", now),
            caller=_caller(principal),
            now=now,
        )
        return pb.RegisterLicenseeResponse(
            licensee=proto.licensee_to_proto(written.value), replayed=written.replayed
        )

    async def GetLicensee(self, request: pb.GetLicenseeRequest, context: Context) -> pb.GetLicenseeResponse:
        """One licensee."""
        licensee = await services.get_licensee(
            self._read(), request.licensee_id, _caller(current_principal())
        )
        return pb.GetLicenseeResponse(licensee=proto.licensee_to_proto(licensee))

    async def Apply(self, request: pb.ApplyRequest, context: Context) -> pb.ApplyResponse:
        """Apply for a licence; answers the application with its quote."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        quoted = await services.apply(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            draft=_draft(request.application, principal),
            caller=_caller(principal),
            book=self._book,
            now=datetime.now(UTC),
        )
        return pb.ApplyResponse(
            application=proto.application_to_proto(quoted.application),
            quote=proto.quote_to_proto(quoted.quote),
            replayed=quoted.replayed,
        )

    async def GetApplication(
        self, request: pb.GetApplicationRequest, context: Context
    ) -> pb.GetApplicationResponse:
        """One application."""
        application = await services.get_application(
            self._read(), request.application_id, _caller(current_principal())
        )
        return pb.GetApplicationResponse(application=proto.application_to_proto(application))

    async def ListApplications(
        self, request: pb.ListApplicationsRequest, context: Context
    ) -> pb.ListApplicationsResponse:
        """Applications, newest first."""
        page = await services.list_applications(
            self._read(),
            caller=_caller(current_principal()),
            licensee_id=request.licensee_id or None,
            hub=proto.society_of(request.hub_society, "hub_society"),
            status=proto.application_status_from_proto(request.status),
            page_token=request.page.page_token,
            limit=_page_size(request.page),
        )
        return pb.ListApplicationsResponse(
            applications=[proto.application_to_proto(item) for item in page.items],
            page=paging_pb2.PageResponse(next_page_token=page.next_page_token),
        )

    async def GetQuote(self, request: pb.GetQuoteRequest, context: Context) -> pb.GetQuoteResponse:
        """One quote."""
        quote = await services.get_quote(self._read(), request.quote_id, _caller(current_principal()))
        return pb.GetQuoteResponse(quote=proto.quote_to_proto(quote))

    async def AcceptQuote(self, request: pb.AcceptQuoteRequest, context: Context) -> pb.AcceptQuoteResponse:
        """The licensee accepts its quote."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        written = await services.accept_quote(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            quote_id=_required(request.quote_id, "quote_id"),
            caller=_caller(principal),
            now=datetime.now(UTC),
        )
        return pb.AcceptQuoteResponse(
            application=proto.application_to_proto(written.value), replayed=written.replayed
        )

    async def ApproveApplication(
        self, request: pb.ApproveApplicationRequest, context: Context
    ) -> pb.ApproveApplicationResponse:
        """The hub society's ops approve: the licence is issued and signed."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        issued = await services.approve(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            application_id=_required(request.application_id, "application_id"),
            caller=_caller(principal),
            book=self._book,
            signer=self._signer,
            now=datetime.now(UTC),
        )
        return pb.ApproveApplicationResponse(
            application=proto.application_to_proto(issued.application),
            licence=proto.licence_to_proto(issued.licence),
            document=_document(issued.document),
            replayed=issued.replayed,
        )

    async def RejectApplication(
        self, request: pb.RejectApplicationRequest, context: Context
    ) -> pb.RejectApplicationResponse:
        """The hub society's ops reject an application."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        written = await services.reject(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            application_id=_required(request.application_id, "application_id"),
            reason=request.reason,
            caller=_caller(principal),
            now=datetime.now(UTC),
        )
        return pb.RejectApplicationResponse(
            application=proto.application_to_proto(written.value), replayed=written.replayed
        )

    async def GetLicence(self, request: pb.GetLicenceRequest, context: Context) -> pb.GetLicenceResponse:
        """One licence, with its signed document when asked."""
        licence, signed = await services.get_licence(
            self._read(),
            _required(request.licence_id, "licence_id"),
            _caller(current_principal()),
            include_document=request.include_document,
        )
        response = pb.GetLicenceResponse(licence=proto.licence_to_proto(licence))
        if signed is not None:
            response.document.CopyFrom(_document(signed))
        return response

    async def ListLicences(
        self, request: pb.ListLicencesRequest, context: Context
    ) -> pb.ListLicencesResponse:
        """Licences, newest first."""
        page = await services.list_licences(
            self._read(),
            caller=_caller(current_principal()),
            licensee_id=request.licensee_id or None,
            hub=proto.society_of(request.hub_society, "hub_society"),
            involved=proto.society_of(request.involved_society, "involved_society"),
            status=proto.licence_status_from_proto(request.status),
            territory=territory_from_proto(request.territory, "territory") if request.territory else None,
            stage=proto.stage_from_proto(request.stage, "stage") if request.stage else None,
            page_token=request.page.page_token,
            limit=_page_size(request.page),
        )
        return pb.ListLicencesResponse(
            licences=[proto.licence_to_proto(item) for item in page.items],
            page=paging_pb2.PageResponse(next_page_token=page.next_page_token),
        )

    async def SuspendLicence(
        self, request: pb.SuspendLicenceRequest, context: Context
    ) -> pb.SuspendLicenceResponse:
        """Suspend an active licence."""
        licence, replayed = await self._change("suspend", request)
        return pb.SuspendLicenceResponse(licence=licence, replayed=replayed)

    async def ReactivateLicence(
        self, request: pb.ReactivateLicenceRequest, context: Context
    ) -> pb.ReactivateLicenceResponse:
        """Reactivate a suspended licence."""
        licence, replayed = await self._change("reactivate", request)
        return pb.ReactivateLicenceResponse(licence=licence, replayed=replayed)

    async def RevokeLicence(
        self, request: pb.RevokeLicenceRequest, context: Context
    ) -> pb.RevokeLicenceResponse:
        """Revoke a licence; final."""
        licence, replayed = await self._change("revoke", request)
        return pb.RevokeLicenceResponse(licence=licence, replayed=replayed)

    async def VerifyLicence(
        self, request: pb.VerifyLicenceRequest, context: Context
    ) -> pb.VerifyLicenceResponse:
        """Check a document's signature; a tampered document is an answer, not an error."""
        verified = await services.verify_document(
            self._read(), request.document, request.signature, request.key_id
        )
        verification = verified.verification
        return pb.VerifyLicenceResponse(
            valid=verification.valid,
            failure=proto.verification_failure_to_proto(verification.failure),
            detail=verification.detail,
            licence_id=verification.licence_id,
            current_status=proto.licence_status_to_proto(verified.current_status),
        )

    async def GetPublicKey(
        self, request: pb.GetPublicKeyRequest, context: Context
    ) -> pb.GetPublicKeyResponse:
        """The public key licence documents are signed with."""
        key_id = request.key_id or self._signer.key_id
        async with self._read() as uow:
            keys = await uow.signing_keys.all()
        if key_id not in keys:
            raise NotFound(f"key_id {key_id!r}: no such signing key")
        key, first_used = keys[key_id]
        return pb.GetPublicKeyResponse(
            key=licence_pb2.PublicKey(
                key_id=key_id,
                algorithm=ALGORITHM,
                public_key_pem=key.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ).decode(),
                public_key_raw=key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
                valid_from=timestamp_to_proto(first_used),
            )
        )

    async def CheckCoverage(
        self, request: pb.CheckCoverageRequest, context: Context
    ) -> pb.CheckCoverageResponse:
        """Whether a work or recording is covered by a licence for a stage, territory and day."""
        answer = await services.check_coverage(
            self._read(),
            licence_id=_required(request.licence_id, "licence_id"),
            subject=_subject(request),
            stage=proto.stage_from_proto(request.stage, "stage"),
            territory=territory_from_proto(request.territory, "territory"),
            day=optional_date_from_proto(request.date, "date") or datetime.now(UTC).date(),
            caller=_caller(current_principal()),
            cache=self._licences,
            rights_cache=self._works,
        )
        return pb.CheckCoverageResponse(
            covered=answer.covered,
            licence_issues=[proto.coverage_issue_to_proto(issue) for issue in answer.licence_issues],
            works=[
                pb.WorkCoverage(
                    work_id=work.work_id,
                    covered=work.covered,
                    issues=[proto.coverage_issue_to_proto(issue) for issue in work.issues],
                )
                for work in answer.works
            ],
        )

    async def ListTariffs(self, request: pb.ListTariffsRequest, context: Context) -> pb.ListTariffsResponse:
        """Tariff versions by society, stage and validity start (one page: the book is small)."""
        tariffs = await services.list_tariffs(
            self._read(),
            society=proto.society_of(request.society, "society"),
            stage=proto.stage_from_proto(request.stage, "stage") if request.stage else None,
            in_force_on=optional_date_from_proto(request.in_force_on, "in_force_on"),
        )
        start = _offset(request.page.page_token)
        size = _page_size(request.page)
        page = tariffs[start : start + size]
        next_token = str(start + size) if start + size < len(tariffs) else ""
        return pb.ListTariffsResponse(
            tariffs=[proto.tariff_to_proto(tariff) for tariff in page],
            page=paging_pb2.PageResponse(next_page_token=next_token, total_size=len(tariffs)),
        )

    async def _change(
        self,
        action: str,
        request: pb.SuspendLicenceRequest | pb.ReactivateLicenceRequest | pb.RevokeLicenceRequest,
    ) -> tuple[licence_pb2.Licence, bool]:
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        written = await services.change_status(
            self._uow(),
            request_id=request_id,
            fingerprint=fingerprint(request),
            action=action,
            licence_id=_required(request.licence_id, "licence_id"),
            reason=request.reason,
            effective_from=optional_date_from_proto(request.effective_from, "effective_from"),
            caller=_caller(principal),
            now=datetime.now(UTC),
        )
        return proto.licence_to_proto(written.value), written.replayed


def _caller(principal: Principal) -> Caller:
    return Caller(
        kind=principal.kind.value,
        principal_id=principal.describe(),
        licensee_id=principal.licensee_id,
        society=society_by_name(principal.society) if principal.society else None,
    )


def _draft(message: licence_pb2.Application, principal: Principal) -> ApplicationDraft:
    for name in ("application_id", "quote_id", "licence_id", "rejection_reason"):
        if getattr(message, name):
            raise InvalidArgument(
                f"application.{name}", getattr(message, name), "server-assigned: leave it empty"
            )
    if message.status:
        raise InvalidArgument("application.status", message.status, "server-assigned: leave it unset")
    if message.licensee_id and message.licensee_id != principal.licensee_id:
        raise InvalidArgument(
            "application.licensee_id", message.licensee_id, "must be empty or the caller's own licensee id"
        )
    hub = proto.society_of(message.hub_society, "application.hub_society")
    if hub is None:
        raise InvalidArgument(
            "application.hub_society", 0, "name the society the application is made through"
        )
    stages = [proto.stage_from_proto(s, f"application.stages[{i}]") for i, s in enumerate(message.stages)]
    territories = [
        territory_from_proto(t, f"application.territories[{i}]") for i, t in enumerate(message.territories)
    ]
    scope = validated_scope(
        message.model_name,
        message.model_version,
        stages,
        territories,
        optional_date_from_proto(message.term.start_date, "application.term.start_date"),
        optional_date_from_proto(message.term.end_date, "application.term.end_date"),
    )
    if not message.HasField("expected_revenue"):
        raise InvalidArgument(
            "application.expected_revenue", None, f"required, in {hub.currency.code} (0 when there is none)"
        )
    revenue = proto.money_from_proto(message.expected_revenue, "application.expected_revenue")
    training = TrainingDeclaration(
        disclosure=proto.disclosure_from_proto(
            message.training_data.disclosure, "application.training_data.disclosure"
        ),
        declared_item_count=message.training_data.declared_item_count,
        description=message.training_data.description,
    )
    return ApplicationDraft(
        hub=hub,
        scope=scope,
        expected_revenue=revenue,
        expected_output_count=message.expected_output_count,
        training=training,
    )


def _subject(request: pb.CheckCoverageRequest) -> CoverageSubject:
    kind = request.WhichOneof("subject")
    if kind == "work":
        ref = request.work.WhichOneof("ref")
        if ref == "work_id":
            return CoverageSubject(SubjectKind.WORK_ID, _required(request.work.work_id, "work.work_id"))
        if ref == "iswc":
            return CoverageSubject(SubjectKind.ISWC, normalise_iswc(request.work.iswc, "work.iswc"))
        if ref == "isrc":
            # A work named by a recording of it: the recording's works, as for a recording.
            return CoverageSubject(SubjectKind.RECORDING, normalise_isrc(request.work.isrc, "work.isrc"))
        if ref == "society_work_id":
            reference = request.work.society_work_id
            if not reference.work_code.strip():
                raise InvalidArgument("work.society_work_id.work_code", reference.work_code, "required")
            key = society_work_key(reference.society_code, reference.work_code)
            return CoverageSubject(SubjectKind.SOCIETY_WORK_ID, key)
        raise InvalidArgument("work", "unset", "name the work by work_id, iswc, isrc or society_work_id")
    if kind == "recording":
        recording_ref = request.recording.WhichOneof("ref")
        if recording_ref == "isrc":
            return CoverageSubject(
                SubjectKind.RECORDING, normalise_isrc(request.recording.isrc, "recording.isrc")
            )
        if recording_ref == "recording_id":
            value = _required(request.recording.recording_id, "recording.recording_id")
            return CoverageSubject(SubjectKind.RECORDING, value)
        raise InvalidArgument("recording", "unset", "name the recording by recording_id or isrc")
    raise InvalidArgument("subject", "unset", "ask about a work or a recording")


def _document(signed: SignedDocument) -> licence_pb2.LicenceDocument:
    return licence_pb2.LicenceDocument(
        document=signed.document,
        media_type=MEDIA_TYPE,
        signature=signed.signature,
        signature_algorithm=ALGORITHM,
        key_id=signed.key_id,
    )


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidArgument(field, value, "required")
    return value.strip()


def _page_size(page: paging_pb2.PageRequest) -> int:
    if page.page_size < 0:
        raise InvalidArgument("page.page_size", page.page_size, "may not be negative")
    # Above the maximum is lowered, not refused (the paging contract).
    return min(page.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _offset(token: str) -> int:
    if not token:
        return 0
    if not token.isdigit():
        raise InvalidArgument("page.page_token", token, "not a token this service issued")
    return int(token)
