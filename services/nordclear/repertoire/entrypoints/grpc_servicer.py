"""The repertoire's gRPC servicer: translate the request, call the use case, translate the answer.

RPCs of the contract that are not implemented yet are inherited from the generated base class, which
answers UNIMPLEMENTED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import Principal, PrincipalKind
from nordclear.platform.errors import InvalidArgument, PermissionDenied, Unimplemented
from nordclear.platform.protoconv import society_from_proto
from nordclear.platform.rpc.access import current_principal
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.entrypoints import translate
from nordclear.repertoire.service_layer import services

Context = grpc.aio.ServicerContext[Any, Any]


class RepertoireServicer(pb_grpc.RepertoireServiceServicer):
    """Implements ``nordclear.repertoire.v1.RepertoireService``."""

    def __init__(self, uow_factory: Callable[[], RepertoireUnitOfWork]) -> None:
        self._uow = uow_factory

    async def RegisterWork(
        self, request: pb.RegisterWorkRequest, context: Context
    ) -> pb.RegisterWorkResponse:
        """Register a work for the caller's society (ops name the society)."""
        principal = current_principal()
        request_id = translate.request_id(request.request_id)
        society = _submitting_society(principal, request.work.submitting_society)
        registration = translate.registration_from_proto(request.work, society)
        # Request ids are unique per principal: two societies may both use "0001".
        scoped_id = f"{principal.subject}/{request_id}"
        result = await services.register_work(self._uow(), scoped_id, registration)
        return pb.RegisterWorkResponse(work=translate.work_to_proto(result.work), replayed=result.replayed)

    async def GetWork(self, request: pb.GetWorkRequest, context: Context) -> pb.GetWorkResponse:
        """One work by its id or ISWC."""
        reference = request.work.WhichOneof("ref")
        if reference == "work_id":
            work = await services.get_work(self._uow(), request.work.work_id)
        elif reference == "iswc":
            work = await services.get_work_by_iswc(self._uow(), request.work.iswc)
        elif reference is None:
            raise InvalidArgument("work", "unset", "name the work by work_id, iswc, isrc or society_work_id")
        else:
            raise Unimplemented(
                f"work.{reference}: lookup by {reference} is not available in this version yet"
            )
        return pb.GetWorkResponse(work=translate.work_to_proto(work))


def _submitting_society(principal: Principal, requested: int) -> str:
    named = society_from_proto(requested, "work.submitting_society")  # type: ignore[arg-type]
    if principal.kind is PrincipalKind.SOCIETY or principal.society is not None:
        own = principal.society
        assert own is not None
        if named is not None and named != own:
            raise PermissionDenied(f"{principal.describe()} may register works for {own} only, not {named}")
        return own
    if named is None:
        raise InvalidArgument(
            "work.submitting_society", "SOCIETY_UNSPECIFIED", "clearing-house ops must name the society"
        )
    return named
