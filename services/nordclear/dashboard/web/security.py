"""Signing in with an ops token, the session cookie, and the CSRF check of every form post.

The token a person pastes is verified with the same public key and verifier the services use, and only
an ops token is accepted. It is kept in an HttpOnly, SameSite=Strict cookie: scripts cannot read it and
other sites' pages cannot make the browser send it. Forms carry a CSRF value derived from the session
token with an HMAC, which only someone holding the token can compute, so a forged post fails even
where SameSite is not enforced; the check needs no server-side session store, so replicas agree.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from nordclear.platform.auth import Principal, PrincipalKind, TokenVerifier
from nordclear.platform.errors import PermissionDenied, Unauthenticated

SESSION_COOKIE = "nordclear_ops_session"
_CSRF_CONTEXT = b"nordclear-dashboard-csrf-v1"


def sign_in(verifier: TokenVerifier, token: str) -> Principal:
    """The ops principal ``token`` names; Unauthenticated or PermissionDenied otherwise."""
    cleaned = token.strip().removeprefix("Bearer ").strip()
    if not cleaned:
        raise Unauthenticated("paste your ops token to sign in")
    principal = verifier.verify(cleaned)
    if principal.kind is not PrincipalKind.OPS:
        raise PermissionDenied(
            f"the dashboard is for operations staff; this token names a {principal.kind.value}"
        )
    return principal


def csrf_value(session_token: str) -> str:
    """The value every form of this session must post back."""
    return hmac.new(session_token.encode(), _CSRF_CONTEXT, hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, posted: str) -> bool:
    """Whether ``posted`` is this session's CSRF value (compared in constant time)."""
    return hmac.compare_digest(csrf_value(session_token), posted)


def cookie_max_age_s(token_expires_at_s: float, now: datetime | None = None) -> int:
    """Keep the cookie no longer than the token is valid."""
    current = (now or datetime.now(UTC)).timestamp()
    return max(0, int(token_expires_at_s - current))
