"""Errors of the repertoire service, each a subclass of a platform error (and so of one status code)."""

from __future__ import annotations

from nordclear.platform.errors import Aborted, AlreadyExists, FailedPrecondition, NotFound


class WorkNotFound(NotFound):
    """No work with the requested identifier."""


class RecordingNotFound(NotFound):
    """No recording with the requested identifier."""


class DuplicateIswc(AlreadyExists):
    """Another work already carries this ISWC; an ISWC identifies exactly one work."""


class DuplicateSocietyWorkId(AlreadyExists):
    """Another work already carries this society work id; it identifies one work per society."""


class DuplicateIsrc(AlreadyExists):
    """Another recording already carries this ISRC."""


class RequestIdReused(AlreadyExists):
    """A request id was sent again with different content; request ids are idempotency keys."""


class WorkDeleted(FailedPrecondition):
    """The work was deleted; it stays readable but cannot be changed."""


class AmbiguousRecording(FailedPrecondition):
    """A recording linked to several works was used where exactly one work is required."""


class StaleRevision(Aborted):
    """The work changed since the revision the caller expected."""
