"""Errors of the repertoire service, each a subclass of a platform error (and so of one status code)."""

from __future__ import annotations

from nordclear.platform.errors import AlreadyExists, NotFound


class WorkNotFound(NotFound):
    """No work with the requested identifier."""


class DuplicateIswc(AlreadyExists):
    """Another work already carries this ISWC; an ISWC identifies exactly one work."""


class RequestIdReused(AlreadyExists):
    """A request id was sent again with different content; request ids are idempotency keys."""
