"""The matching service's gRPC servicer: translate the request, call the use case, translate the answer.

RPCs of the contract that are not implemented yet are inherited from the generated base class, which
answers UNIMPLEMENTED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.service_layer.read_model import index_status

Context = grpc.aio.ServicerContext[Any, Any]


class MatchingServicer(pb_grpc.MatchingServiceServicer):
    """Implements ``nordclear.matching.v1.MatchingService``."""

    def __init__(self, uow_factory: Callable[[], MatchingUnitOfWork]) -> None:
        self._uow = uow_factory

    async def GetIndexStatus(
        self, request: pb.GetIndexStatusRequest, context: Context
    ) -> pb.GetIndexStatusResponse:
        """Size and freshness of the local repertoire read model."""
        status = await index_status(self._uow())
        response = pb.GetIndexStatusResponse(
            works_indexed=status.works_indexed,
            recordings_indexed=status.recordings_indexed,
            changes_applied=status.changes_applied,
        )
        if status.last_change_at is not None:
            response.last_change_at.FromDatetime(status.last_change_at)
        return response
