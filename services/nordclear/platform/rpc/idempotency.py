"""Client-chosen request ids: validated, scoped to their principal, and fingerprinted.

A write RPC carries ``request_id``; the service stores it with a digest of the request so that a retry
returns the first answer and the same id with other content is refused (ALREADY_EXISTS). Ids are scoped
to the calling principal: two societies may both number their requests from 1.
"""

from __future__ import annotations

import hashlib

from google.protobuf.message import Message

from nordclear.platform.auth import Principal
from nordclear.platform.errors import InvalidArgument

MAX_REQUEST_ID_CHARS = 128


def scoped_request_id(principal: Principal, value: str, field: str = "request_id") -> str:
    """``value`` checked (present, printable, at most 128 characters) and scoped to ``principal``."""
    if not value.strip():
        raise InvalidArgument(field, value, "a client-chosen idempotency key is required")
    if len(value) > MAX_REQUEST_ID_CHARS or not value.isprintable():
        raise InvalidArgument(field, value, f"at most {MAX_REQUEST_ID_CHARS} printable characters")
    return f"{principal.subject}/{value}"


def fingerprint(request: Message, id_field: str = "request_id") -> str:
    """SHA-256 of the request without its id: equal for a retry, different for other content."""
    content = type(request)()
    content.CopyFrom(request)
    content.ClearField(id_field)
    return hashlib.sha256(content.SerializeToString(deterministic=True)).hexdigest()
