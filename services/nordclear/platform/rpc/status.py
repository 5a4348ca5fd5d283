"""The one place where Nordclear errors become gRPC status codes.

Services raise subclasses of the platform errors; the interceptor looks the class up here (nearest base
wins), so adding a service error never needs a new mapping and no servicer picks codes by hand.
"""

from __future__ import annotations

import grpc
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from nordclear.platform import errors

_STATUS_BY_ERROR: dict[type[errors.NordclearError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Aborted: grpc.StatusCode.ABORTED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.Unimplemented: grpc.StatusCode.UNIMPLEMENTED,
}


def status_for(error: errors.NordclearError) -> grpc.StatusCode:
    """The status code for ``error``: that of its nearest mapped base class."""
    for cls in type(error).__mro__:
        code = _STATUS_BY_ERROR.get(cls)
        if code is not None:
            return code
    # NordclearError itself, raised directly, means a condition nobody classified: a server-side bug.
    return grpc.StatusCode.INTERNAL


def classify(error: Exception) -> errors.NordclearError | None:
    """The Nordclear error an exception stands for, or None when it is a bug.

    An RPC of the contract that is not implemented yet answers UNIMPLEMENTED, as gRPC prescribes.

    A database that cannot be reached (connection refused or lost, SQLite busy beyond its timeout) is
    a condition of the moment, not of the request: UNAVAILABLE tells the client to retry later.
    """
    if isinstance(error, errors.NordclearError):
        return error
    if isinstance(error, NotImplementedError):
        # What the generated servicer base classes raise for an RPC nobody implemented yet.
        return errors.Unimplemented("this RPC is in the contract but not implemented in this version yet")
    if isinstance(error, OperationalError | InterfaceError) or _database_unreachable(error):
        return errors.Unavailable("the service's database is unavailable; retry later")
    return None


_UNREACHABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
"""PostgreSQL: administrator or crash shutdown, cannot connect now, too many connections."""


def _database_unreachable(error: Exception) -> bool:
    """Whether a database error says the server cannot be reached, rather than that a statement failed.

    An error with no statement came from opening a connection (e.g. PostgreSQL refusing connections to
    a database, SQLSTATE 55000); SQLSTATE class 08 and the codes above are connection failures anywhere.
    """
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or "")
    return (
        error.statement is None
        or error.connection_invalidated
        or sqlstate.startswith("08")
        or sqlstate in _UNREACHABLE_SQLSTATES
    )
