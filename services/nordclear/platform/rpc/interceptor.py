"""The server interceptor every service runs: authenticate, authorise, log, measure, map errors.

For each call it reads the bearer token, checks the service's access policy, binds request id and
principal to the logging context, runs the servicer, turns a Nordclear error into its status code (see
``status``), and writes one canonical log line and the RPC metrics. An exception that is not a Nordclear
error is a bug: it is logged with its traceback and answered INTERNAL with the request id, never with
internals.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import grpc
import structlog

from nordclear.platform import metrics
from nordclear.platform.auth import Principal, TokenVerifier
from nordclear.platform.errors import Unauthenticated
from nordclear.platform.logging import get_logger
from nordclear.platform.rpc.access import AccessPolicy, set_current_principal
from nordclear.platform.rpc.status import classify, status_for

log = get_logger("nordclear.rpc")

REQUEST_ID_HEADER = "x-request-id"

_StreamBehaviour = Callable[..., AsyncIterator[Any]]
"""A grpc.aio streaming handler: our servicers write streams as async generators."""


def _status_of(context: grpc.aio.ServicerContext[Any, Any]) -> grpc.StatusCode:
    # The stubs say code() is always a StatusCode; at runtime it is None until the servicer set one.
    code: grpc.StatusCode | None = context.code()
    return code if code is not None else grpc.StatusCode.UNKNOWN


class _Call:
    """Book-keeping of one RPC from its first byte to its status."""

    def __init__(self, owner: ServiceInterceptor, method: str, metadata: dict[str, str]) -> None:
        self._owner = owner
        self.method = method
        self.metadata = metadata
        self.request_id = metadata.get(REQUEST_ID_HEADER) or str(uuid.uuid4())
        self.principal: Principal | None = None
        self.code = grpc.StatusCode.OK
        self.started_s = time.perf_counter()

    async def begin(self, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=self.request_id, rpc=self.method)
        # Trailing, not initial, metadata: it rides on the status instead of costing a message of its own.
        context.set_trailing_metadata(((REQUEST_ID_HEADER, self.request_id),))
        self.principal = self._owner.authenticate(self.method, self.metadata)
        set_current_principal(self.principal)
        if self.principal is not None:
            structlog.contextvars.bind_contextvars(principal=self.principal.describe())
        self._owner.policy.check(self.method, self.principal)

    async def fail(self, error: Exception, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        known = classify(error)
        if known is not None:
            self.code = status_for(known)
            message = str(known)
            if self.code is grpc.StatusCode.UNAVAILABLE:
                log.warning("rpc failed: dependency unavailable", error=str(error))
        else:
            self.code = grpc.StatusCode.INTERNAL
            message = f"internal error; quote request id {self.request_id} to the operators"
            log.exception("rpc failed with an unexpected error")
        await context.abort(self.code, message, trailing_metadata=((REQUEST_ID_HEADER, self.request_id),))

    def finish(self, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        duration_s = time.perf_counter() - self.started_s
        service = self._owner.service_label
        metrics.RPC_REQUESTS.labels(service, self.method, self.code.name).inc()
        metrics.RPC_LATENCY.labels(service, self.method).observe(duration_s)
        log.info(
            "rpc",
            code=self.code.name,
            duration_ms=round(duration_s * 1000, 3),
            peer=context.peer(),
        )
        set_current_principal(None)


class ServiceInterceptor(grpc.aio.ServerInterceptor):
    """Wraps every RPC handler of one server."""

    def __init__(self, service_label: str, policy: AccessPolicy, verifier: TokenVerifier) -> None:
        self.service_label = service_label
        self.policy = policy
        self._verifier = verifier

    def authenticate(self, method: str, metadata: dict[str, str]) -> Principal | None:
        """The caller named by the call's bearer token; None for a public call without one."""
        rule = self.policy.rule_for(method)
        header = metadata.get("authorization", "")
        if not header and (rule is None or rule.public):
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            if rule is None or rule.public:
                return None
            raise Unauthenticated("metadata 'authorization' must be 'Bearer <token>'")
        return self._verifier.verify(token.strip())

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method
        metadata = {
            key: value
            for key, value in (handler_call_details.invocation_metadata or ())
            if isinstance(value, str)
        }
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(handler.unary_unary, method, metadata),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary is not None:
            return grpc.stream_unary_rpc_method_handler(
                self._wrap_unary(handler.stream_unary, method, metadata),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(cast(_StreamBehaviour, handler.unary_stream), method, metadata),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return grpc.stream_stream_rpc_method_handler(
            self._wrap_stream(cast(_StreamBehaviour, handler.stream_stream), method, metadata),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _wrap_unary(
        self, behaviour: Callable[..., Any], method: str, metadata: dict[str, str]
    ) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]:
        async def wrapped(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            call = _Call(self, method, metadata)
            try:
                await call.begin(context)
                return await behaviour(request, context)
            except grpc.aio.AbortError:
                call.code = _status_of(context)
                raise
            except asyncio.CancelledError:
                call.code = grpc.StatusCode.CANCELLED
                raise
            except Exception as error:
                await call.fail(error, context)
            finally:
                call.finish(context)

        return wrapped

    def _wrap_stream(
        self, behaviour: _StreamBehaviour, method: str, metadata: dict[str, str]
    ) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Any]]:
        async def wrapped(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            call = _Call(self, method, metadata)
            try:
                await call.begin(context)
                async for response in behaviour(request, context):
                    yield response
            except grpc.aio.AbortError:
                call.code = _status_of(context)
                raise
            except asyncio.CancelledError:
                call.code = grpc.StatusCode.CANCELLED
                raise
            except Exception as error:
                await call.fail(error, context)
            finally:
                call.finish(context)

        return wrapped
