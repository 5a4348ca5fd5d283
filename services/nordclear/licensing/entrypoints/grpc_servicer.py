"""The licensing service's gRPC servicer.

Every RPC of the contract is inherited from the generated base class and answers UNIMPLEMENTED until
the licensing issue fills it in; the servicer exists now so that the server, its health, reflection,
authentication and access policy already run.
"""

from __future__ import annotations

from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc


class LicensingServicer(pb_grpc.LicensingServiceServicer):
    """Implements ``nordclear.licensing.v1.LicensingService``."""
