"""The settlement service's gRPC servicer.

Every RPC of the contract is inherited from the generated base class and answers UNIMPLEMENTED until
the settlement issue fills it in; the servicer exists now so that the server, its health, reflection,
authentication and access policy already run.
"""

from __future__ import annotations

from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc


class SettlementServicer(pb_grpc.SettlementServiceServicer):
    """Implements ``nordclear.settlement.v1.SettlementService``."""
