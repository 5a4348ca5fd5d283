"""Unit tests of signing in to the dashboard and of the CSRF value its forms carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nordclear.dashboard.web.security import cookie_max_age_s, csrf_ok, csrf_value, sign_in
from nordclear.platform.auth import PrincipalKind, TokenVerifier, load_public_key, principal_for
from nordclear.platform.errors import PermissionDenied, Unauthenticated
from tests.conftest import Keys

pytestmark = pytest.mark.unit


def _verifier(keys: Keys) -> TokenVerifier:
    return TokenVerifier(load_public_key(keys.public_key_file))


def test_ops_tokens_sign_in_with_their_scope(keys: Keys) -> None:
    verifier = _verifier(keys)
    everyone = sign_in(verifier, keys.token(principal_for(PrincipalKind.OPS)))
    assert everyone.is_clearing_house_ops
    stim = sign_in(verifier, "Bearer " + keys.token(principal_for(PrincipalKind.OPS, society="STIM")))
    assert stim.society == "STIM"
    assert not stim.is_clearing_house_ops


@pytest.mark.parametrize(
    "principal",
    [
        principal_for(PrincipalKind.SOCIETY, society="KODA"),
        principal_for(PrincipalKind.LICENSEE, licensee_id="acme-ai"),
        principal_for(PrincipalKind.SERVICE, service="matching"),
    ],
    ids=["society", "licensee", "service"],
)
def test_other_principals_may_not_sign_in(keys: Keys, principal: object) -> None:
    with pytest.raises(PermissionDenied, match="operations staff"):
        sign_in(_verifier(keys), keys.token(principal))  # type: ignore[arg-type]


def test_forged_expired_and_empty_tokens_are_refused(keys: Keys, tmp_path: object) -> None:
    verifier = _verifier(keys)
    token = keys.token(principal_for(PrincipalKind.OPS))
    with pytest.raises(Unauthenticated):
        sign_in(verifier, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    with pytest.raises(Unauthenticated, match="expired"):
        sign_in(verifier, keys.token(principal_for(PrincipalKind.OPS), ttl=timedelta(minutes=-5)))
    with pytest.raises(Unauthenticated, match="paste"):
        sign_in(verifier, "  ")


def test_csrf_value_belongs_to_its_session(keys: Keys) -> None:
    first = keys.token(principal_for(PrincipalKind.OPS))
    second = keys.token(principal_for(PrincipalKind.OPS))
    assert csrf_ok(first, csrf_value(first))
    assert not csrf_ok(first, csrf_value(second))
    assert not csrf_ok(first, "")


def test_the_cookie_lives_no_longer_than_the_token() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert cookie_max_age_s(now.timestamp() + 3600, now) == 3600
    assert cookie_max_age_s(now.timestamp() - 10, now) == 0
