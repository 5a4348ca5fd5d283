"""Unit tests of nordclear.platform.rpc.status: the one mapping from Nordclear errors to gRPC codes."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from nordclear.platform import errors
from nordclear.platform.rpc.status import classify, status_for
from nordclear.repertoire import errors as repertoire_errors

pytestmark = pytest.mark.unit


def _instance(cls: type[errors.NordclearError]) -> errors.NordclearError:
    if issubclass(cls, errors.InvalidArgument):
        return cls("field", "value", "rule")
    return cls("message")


@pytest.mark.parametrize(
    ("error_class", "code"),
    [
        (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
        (errors.NotFound, grpc.StatusCode.NOT_FOUND),
        (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
        (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
        (errors.Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
        (errors.PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
        (errors.Unavailable, grpc.StatusCode.UNAVAILABLE),
        (errors.Unimplemented, grpc.StatusCode.UNIMPLEMENTED),
        (errors.NordclearError, grpc.StatusCode.INTERNAL),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_each_platform_error_has_its_code(
    error_class: type[errors.NordclearError], code: grpc.StatusCode
) -> None:
    assert status_for(_instance(error_class)) is code


def test_every_platform_error_class_is_mapped_to_something_other_than_internal() -> None:
    for cls in errors.NordclearError.__subclasses__():
        assert status_for(_instance(cls)) is not grpc.StatusCode.INTERNAL, cls.__name__


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (repertoire_errors.DuplicateIswc("T0345246801 is taken"), grpc.StatusCode.ALREADY_EXISTS),
        (repertoire_errors.RequestIdReused("r-1"), grpc.StatusCode.ALREADY_EXISTS),
        (repertoire_errors.WorkNotFound("w-1"), grpc.StatusCode.NOT_FOUND),
    ],
    ids=["DuplicateIswc", "RequestIdReused", "WorkNotFound"],
)
def test_a_service_error_takes_the_code_of_its_platform_base(
    error: errors.NordclearError, code: grpc.StatusCode
) -> None:
    assert status_for(error) is code


def test_the_nearest_mapped_base_wins() -> None:
    class Intermediate(errors.NordclearError):
        pass

    class Specific(Intermediate, errors.FailedPrecondition):
        pass

    class Deeper(errors.NotFound):
        pass

    class Deepest(Deeper):
        pass

    assert status_for(Intermediate("x")) is grpc.StatusCode.INTERNAL
    assert status_for(Specific("x")) is grpc.StatusCode.FAILED_PRECONDITION
    assert status_for(Deepest("x")) is grpc.StatusCode.NOT_FOUND


def test_invalid_argument_message_names_field_value_and_rule() -> None:
    error = errors.InvalidArgument("work.title", "", "a work needs a title")
    assert (error.field, error.value, error.rule) == ("work.title", "", "a work needs a title")
    assert str(error) == "work.title: '' is invalid: a work needs a title"


# --- classify -----------------------------------------------------------------------------------------


def test_a_nordclear_error_classifies_as_itself() -> None:
    error = errors.FailedPrecondition("period is closed")
    assert classify(error) is error


class _WithSqlState(Exception):
    """A driver exception carrying a SQLSTATE, as asyncpg's do."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused")),
        InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        # Refused while connecting (PostgreSQL: "database is not currently accepting connections").
        DBAPIError(None, None, _WithSqlState("55000")),
        DBAPIError("SELECT 1", {}, _WithSqlState("57P01")),
        DBAPIError("SELECT 1", {}, _WithSqlState("08006")),
    ],
    ids=["operational", "interface", "refused-at-connect", "admin-shutdown", "connection-failure"],
)
def test_a_lost_database_is_unavailable(error: Exception) -> None:
    classified = classify(error)
    assert isinstance(classified, errors.Unavailable)
    assert status_for(classified) is grpc.StatusCode.UNAVAILABLE
    assert "retry" in str(classified)
    assert "SELECT" not in str(classified)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bug"),
        KeyError("x"),
        IntegrityError("INSERT", {}, Exception("unique")),
        RuntimeError(),
        DBAPIError("SELECT 1", {}, _WithSqlState("22003")),  # A statement's own fault: numeric overflow.
    ],
    ids=["value", "key", "integrity", "runtime", "statement-error"],
)
def test_anything_else_is_a_bug(error: Exception) -> None:
    assert classify(error) is None
