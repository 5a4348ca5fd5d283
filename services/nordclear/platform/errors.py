"""The error hierarchy every Nordclear service raises, independent of any transport.

Domain and service-layer code raise these; the gRPC layer maps them to status codes in exactly one
place (``nordclear.platform.grpc.status``). Each service derives its own errors from these classes, so a
new error never needs a new mapping.

    NordclearError
    ├── InvalidArgument      the request itself is wrong: names the field, the value and the rule
    ├── NotFound             the thing asked for does not exist (or is invisible to the caller)
    ├── AlreadyExists        a create with an id that is taken by different content
    ├── FailedPrecondition   the request is well formed but the state forbids it now
    ├── Aborted              a concurrent change won (optimistic concurrency); re-read and retry
    ├── Unauthenticated      no credential, or one that is expired or forged
    ├── PermissionDenied     a valid credential whose principal may not do this
    ├── Unavailable          a dependency is down; retrying later may succeed
    └── Unimplemented        a valid request for something this version does not do yet
"""

from __future__ import annotations


class NordclearError(Exception):
    """Base of every error a Nordclear service raises on purpose."""


class InvalidArgument(NordclearError):
    """A request field holds a value that breaks a rule.

    The message always names the field, the offending value and the rule, because the person reading it
    is usually fixing a file or a form and needs all three.
    """

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}: {value!r} is invalid: {rule}")


class NotFound(NordclearError):
    """The requested entity does not exist, or the caller may not know that it exists."""


class AlreadyExists(NordclearError):
    """An entity with this identity exists with different content (idempotency-key reuse)."""


class FailedPrecondition(NordclearError):
    """The request is valid but the current state does not allow it."""


class Aborted(NordclearError):
    """The entity changed since the caller read it (an expected revision no longer holds)."""


class Unauthenticated(NordclearError):
    """The call carries no valid credential."""


class PermissionDenied(NordclearError):
    """The caller is authenticated but not allowed to do this."""


class Unavailable(NordclearError):
    """A dependency (database, broker, another service) cannot be reached now."""


class Unimplemented(NordclearError):
    """A well-formed request for a feature this version does not provide yet; nothing was changed.

    Refusing is the honest answer: accepting the request and ignoring the parts we cannot store would
    lose data without telling anyone.
    """
