"""Unit tests of nordclear.platform.auth: minting and verifying bearer tokens and the principals they name."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nordclear.platform.auth import (
    ALGORITHM,
    ISSUER,
    LEEWAY_S,
    Principal,
    PrincipalKind,
    TokenVerifier,
    mint_token,
    principal_for,
)
from nordclear.platform.errors import InvalidArgument, Unauthenticated

pytestmark = pytest.mark.unit

HOUR = timedelta(hours=1)


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def verifier(signing_key: Ed25519PrivateKey) -> TokenVerifier:
    return TokenVerifier(signing_key.public_key())


def _claims(**overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {"iss": ISSUER, "sub": "ops:*", "kind": "ops", "iat": now, "exp": now + HOUR}
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


PRINCIPALS = [
    pytest.param(principal_for(PrincipalKind.SOCIETY, society="STIM"), id="society"),
    pytest.param(principal_for(PrincipalKind.LICENSEE, licensee_id="acme-ai"), id="licensee"),
    pytest.param(principal_for(PrincipalKind.OPS), id="clearing-house-ops"),
    pytest.param(principal_for(PrincipalKind.OPS, society="TONO"), id="society-ops"),
    pytest.param(principal_for(PrincipalKind.SERVICE, service="matching"), id="service"),
]


# --- round trips --------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_a_minted_token_verifies_to_the_same_principal(
    principal: Principal, signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    assert verifier.verify(mint_token(signing_key, principal, HOUR)) == principal


def test_every_principal_kind_has_a_round_trip_case() -> None:
    kinds = {param.values[0].kind for param in PRINCIPALS}  # type: ignore[union-attr]
    assert kinds == set(PrincipalKind)


def test_a_token_carries_the_documented_claims(signing_key: Ed25519PrivateKey) -> None:
    issued_at = datetime(2030, 1, 1, tzinfo=UTC)
    principal = principal_for(PrincipalKind.SOCIETY, society="KODA")
    token = mint_token(signing_key, principal, HOUR, now=issued_at)
    assert jwt.get_unverified_header(token)["alg"] == ALGORITHM
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER
    assert claims["sub"] == "society:KODA"
    assert claims["kind"] == "society"
    assert claims["society"] == "KODA"
    assert claims["iat"] == int(issued_at.timestamp())
    assert claims["exp"] == int((issued_at + HOUR).timestamp())
    assert "licensee_id" not in claims


def test_each_token_has_its_own_id(signing_key: Ed25519PrivateKey) -> None:
    principal = principal_for(PrincipalKind.OPS)
    first, second = (mint_token(signing_key, principal, HOUR) for _ in range(2))
    decode = jwt.decode
    ids = {decode(token, options={"verify_signature": False})["jti"] for token in (first, second)}
    assert len(ids) == 2


# --- refusals -----------------------------------------------------------------------------------------


def test_an_expired_token_is_refused_as_expired(
    signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    token = mint_token(signing_key, principal_for(PrincipalKind.OPS), HOUR, now=datetime.now(UTC) - 2 * HOUR)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


def test_expiry_tolerates_small_clock_skew(signing_key: Ed25519PrivateKey, verifier: TokenVerifier) -> None:
    principal = principal_for(PrincipalKind.OPS)
    just_expired = mint_token(signing_key, principal, timedelta(seconds=-(LEEWAY_S // 3)))
    assert verifier.verify(just_expired) == principal
    long_expired = mint_token(signing_key, principal, timedelta(seconds=-(LEEWAY_S * 3)))
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(long_expired)


def test_a_token_issued_in_the_future_is_refused(
    signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    token = mint_token(signing_key, principal_for(PrincipalKind.OPS), HOUR, now=datetime.now(UTC) + 2 * HOUR)
    with pytest.raises(Unauthenticated):
        verifier.verify(token)


def test_a_token_signed_by_another_key_is_refused(verifier: TokenVerifier) -> None:
    token = mint_token(Ed25519PrivateKey.generate(), principal_for(PrincipalKind.OPS), HOUR)
    with pytest.raises(Unauthenticated, match="not valid"):
        verifier.verify(token)


def test_a_tampered_payload_is_refused(signing_key: Ed25519PrivateKey, verifier: TokenVerifier) -> None:
    token = mint_token(signing_key, principal_for(PrincipalKind.SOCIETY, society="STEF"), HOUR)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(kind="ops", sub="ops:*")
    del claims["society"]
    forged = ".".join((header, _b64(json.dumps(claims).encode()), signature))
    with pytest.raises(Unauthenticated, match="not valid"):
        verifier.verify(forged)


def test_a_truncated_signature_is_refused(signing_key: Ed25519PrivateKey, verifier: TokenVerifier) -> None:
    token = mint_token(signing_key, principal_for(PrincipalKind.OPS), HOUR)
    with pytest.raises(Unauthenticated):
        verifier.verify(token[:-4])


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c", "Bearer x"])
def test_garbage_is_refused(token: str, verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(token)


def test_an_unsigned_token_is_refused(verifier: TokenVerifier) -> None:
    token = jwt.encode(_claims(), "", algorithm="none")
    with pytest.raises(Unauthenticated, match="not valid"):
        verifier.verify(token)


def test_hs256_with_the_raw_public_key_as_secret_is_refused(
    signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    raw_public = signing_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    token = jwt.encode(_claims(), raw_public, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="not valid"):
        verifier.verify(token)


def test_hs256_with_the_pem_public_key_as_secret_is_refused(
    signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    """The classic key-confusion forgery; PyJWT will not encode it, so the token is assembled by hand."""
    pem = signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {name: value for name, value in _claims().items() if name not in ("iat", "exp")}
    now = int(datetime.now(UTC).timestamp())
    claims.update(iat=now, exp=now + 3600)
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + _b64(json.dumps(claims).encode())
    )
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(Unauthenticated, match="not valid"):
        verifier.verify(f"{signing_input}.{_b64(signature)}")


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "sub"])
def test_a_token_without_a_required_claim_is_refused(
    missing: str, signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    claims = _claims()
    del claims[missing]
    token = jwt.encode(claims, signing_key, algorithm=ALGORITHM)
    with pytest.raises(Unauthenticated, match=missing):
        verifier.verify(token)


def test_a_token_from_another_issuer_is_refused(
    signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    token = jwt.encode(_claims(iss="someone-else"), signing_key, algorithm=ALGORITHM)
    with pytest.raises(Unauthenticated, match="issuer"):
        verifier.verify(token)


@pytest.mark.parametrize("kind", [None, "", "admin", "SOCIETY", 1, ["ops"]])
def test_a_token_of_unknown_kind_is_refused(
    kind: object, signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    token = jwt.encode(_claims(kind=kind), signing_key, algorithm=ALGORITHM)
    with pytest.raises(Unauthenticated, match="no valid principal"):
        verifier.verify(token)


def test_a_society_token_without_its_society_is_refused(
    signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    token = jwt.encode(_claims(kind="society", sub="society:STIM"), signing_key, algorithm=ALGORITHM)
    with pytest.raises(Unauthenticated, match="society"):
        verifier.verify(token)


def test_a_licensee_token_without_its_licensee_is_refused(
    signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    token = jwt.encode(_claims(kind="licensee", sub="licensee:x"), signing_key, algorithm=ALGORITHM)
    with pytest.raises(Unauthenticated, match="licensee"):
        verifier.verify(token)


@pytest.mark.parametrize("society", ["NOPE", "", 79, ["STIM"]], ids=["unknown", "empty", "number", "list"])
def test_a_signed_token_naming_no_member_society_is_refused(
    society: object, signing_key: Ed25519PrivateKey, verifier: TokenVerifier
) -> None:
    """Verification turns claims into a principal only if they name one; a malformed claim is refused."""
    token = jwt.encode(
        _claims(kind="society", sub="society:x", society=society), signing_key, algorithm=ALGORITHM
    )
    with pytest.raises(Unauthenticated):
        verifier.verify(token)


# --- principals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_name", "canonical"),
    [
        ("STIM", "STIM"),
        ("stim", "STIM"),
        (" Teosto ", "TEOSTO"),
        ("tono", "TONO"),
        ("079", "STIM"),
        ("79", "STIM"),
        ("40", "KODA"),
        (" 077 ", "STEF"),
        ("089", "TEOSTO"),
        ("090", "TONO"),
    ],
)
def test_principal_for_a_society_accepts_its_name_in_any_case_or_its_cisac_code(
    given_name: str, canonical: str
) -> None:
    principal = principal_for(PrincipalKind.SOCIETY, society=given_name)
    assert principal == Principal(PrincipalKind.SOCIETY, subject=f"society:{canonical}", society=canonical)


@pytest.mark.parametrize(
    "society",
    ["NCB", "GEMA", "STIM!", "ST\u0131M", "048", "035", "0790", "\u0660\u0667\u0669", "-79", "7 9"],
    ids=[
        "ncb",
        "gema",
        "punctuation",
        "dotless-i",
        "ncb-code",
        "gema-code",
        "four-digits",
        "arabic-digits",
        "negative",
        "inner-space",
    ],
)
def test_principal_for_refuses_anything_but_a_member_society(society: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        principal_for(PrincipalKind.SOCIETY, society=society)
    assert caught.value.field == "society"


def test_principal_for_a_society_needs_a_society() -> None:
    with pytest.raises(InvalidArgument, match="society"):
        principal_for(PrincipalKind.SOCIETY)


@pytest.mark.parametrize("licensee_id", [None, ""])
def test_principal_for_a_licensee_needs_an_id(licensee_id: str | None) -> None:
    with pytest.raises(InvalidArgument) as caught:
        principal_for(PrincipalKind.LICENSEE, licensee_id=licensee_id)
    assert caught.value.field == "licensee_id"


@pytest.mark.parametrize("service", [None, ""])
def test_principal_for_a_service_needs_its_name(service: str | None) -> None:
    with pytest.raises(InvalidArgument) as caught:
        principal_for(PrincipalKind.SERVICE, service=service)
    assert caught.value.field == "service"


def test_principal_for_ops_with_and_without_a_society() -> None:
    assert principal_for(PrincipalKind.OPS) == Principal(PrincipalKind.OPS, subject="ops:*")
    assert principal_for(PrincipalKind.OPS, society="koda") == Principal(
        PrincipalKind.OPS, subject="ops:KODA", society="KODA"
    )


def test_principal_for_ops_refuses_an_unknown_society() -> None:
    with pytest.raises(InvalidArgument):
        principal_for(PrincipalKind.OPS, society="GEMA")


def test_a_principal_is_immutable() -> None:
    principal = principal_for(PrincipalKind.OPS)
    with pytest.raises(AttributeError):
        principal.society = "STIM"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("principal", "described"),
    [
        (principal_for(PrincipalKind.SOCIETY, society="stim"), "society:STIM"),
        (principal_for(PrincipalKind.LICENSEE, licensee_id="acme"), "licensee:acme"),
        (principal_for(PrincipalKind.OPS), "ops:*"),
        (principal_for(PrincipalKind.OPS, society="KODA"), "ops:KODA"),
        (principal_for(PrincipalKind.SERVICE, service="matching"), "service:matching"),
    ],
    ids=["society", "licensee", "clearing-house-ops", "society-ops", "service"],
)
def test_describe_gives_the_short_log_form(principal: Principal, described: str) -> None:
    assert principal.describe() == described


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        (principal_for(PrincipalKind.OPS), True),
        (principal_for(PrincipalKind.OPS, society="STEF"), False),
        (principal_for(PrincipalKind.SOCIETY, society="STEF"), False),
        (principal_for(PrincipalKind.LICENSEE, licensee_id="acme"), False),
        (principal_for(PrincipalKind.SERVICE, service="settlement"), False),
    ],
    ids=["ops", "society-ops", "society", "licensee", "service"],
)
def test_only_ops_without_a_society_are_clearing_house_ops(principal: Principal, expected: bool) -> None:
    assert principal.is_clearing_house_ops is expected


def test_a_remembered_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    key = Ed25519PrivateKey.generate()
    verifier = TokenVerifier(key.public_key())
    token = mint_token(key, principal_for(PrincipalKind.OPS), timedelta(minutes=5))
    assert verifier.verify(token).kind is PrincipalKind.OPS  # Verified and remembered.

    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)

    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)
