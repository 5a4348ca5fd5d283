"""Bearer tokens: Ed25519-signed JWTs that name a principal, and the principal they name.

Every call carries ``authorization: Bearer <token>``. Tokens are minted offline from the clearing
house's private key (``nordclear token mint``) and verified by every service with the public key alone,
so no service needs a token database. The signature algorithm is fixed to EdDSA: a verifier that let the
token choose its own algorithm could be handed an unsigned one.

Principals:
    society   a member society's system (``society`` names it), edits only its own members' data
    licensee  an AI company (``licensee_id``), sees only its own licences and reports
    ops       operations staff; with ``society`` a society's ops, without it clearing-house ops
    service   another clearing-house service (``subject`` names it)
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from nordclear.platform.domain.societies import society_by_code, society_by_name
from nordclear.platform.errors import InvalidArgument, Unauthenticated

ISSUER = "nordclear"
ALGORITHM = "EdDSA"
LEEWAY_S = 30
"""Clock skew tolerated between the minting and the verifying machine."""


class PrincipalKind(StrEnum):
    """Who is calling."""

    SOCIETY = "society"
    LICENSEE = "licensee"
    OPS = "ops"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one RPC."""

    kind: PrincipalKind
    subject: str
    society: str | None = None
    licensee_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind is PrincipalKind.SOCIETY and not self.society:
            raise InvalidArgument("society", None, "a society principal must name its society")
        if self.kind is PrincipalKind.LICENSEE and not self.licensee_id:
            raise InvalidArgument(
                "licensee_id", self.licensee_id, "a licensee principal must name its licensee"
            )

    @property
    def is_clearing_house_ops(self) -> bool:
        """Ops staff of the clearing house itself, who see every society's data."""
        return self.kind is PrincipalKind.OPS and self.society is None

    def describe(self) -> str:
        """Short form for logs: ``society:STIM``, ``licensee:acme``, ``ops:*``, ``service:matching``."""
        if self.kind is PrincipalKind.SERVICE:
            return self.subject
        detail = self.society or self.licensee_id or "*"
        return f"{self.kind.value}:{detail}"


def generate_signing_key(private_path: Path, public_path: Path) -> None:
    """Write a new Ed25519 key pair as PEM files; the private one readable by its owner only."""
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 signing key at ``path``."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidArgument("key_file", str(path), "must hold an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 verification key at ``path``."""
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidArgument("token_public_key_file", str(path), "must hold an Ed25519 public key")
    return key


def principal_for(
    kind: PrincipalKind,
    *,
    society: str | None = None,
    licensee_id: str | None = None,
    service: str | None = None,
) -> Principal:
    """Build a principal of ``kind`` from the identifying value that kind needs, validating it."""
    canonical_society = _member_society_name(society) if society else None
    if kind is PrincipalKind.SOCIETY:
        return Principal(kind, subject=f"society:{canonical_society}", society=canonical_society)
    if kind is PrincipalKind.LICENSEE:
        return Principal(kind, subject=f"licensee:{licensee_id}", licensee_id=licensee_id)
    if kind is PrincipalKind.OPS:
        return Principal(kind, subject=f"ops:{canonical_society or '*'}", society=canonical_society)
    if not service:
        raise InvalidArgument("service", service, "a service principal must name the service")
    return Principal(kind, subject=f"service:{service}")


def _member_society_name(value: str) -> str:
    """A member society by name ("stim") or CISAC code ("079", "79")."""
    stripped = value.strip()
    if stripped.isdigit():
        return society_by_code(stripped, "society").name
    return society_by_name(stripped, "society").name


def mint_token(
    key: Ed25519PrivateKey, principal: Principal, ttl: timedelta, now: datetime | None = None
) -> str:
    """A signed bearer token for ``principal``, valid for ``ttl`` from ``now``."""
    issued_at = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": principal.subject,
        "kind": principal.kind.value,
        "iat": issued_at,
        "exp": issued_at + ttl,
        "jti": str(uuid.uuid4()),
    }
    if principal.society:
        claims["society"] = principal.society
    if principal.licensee_id:
        claims["licensee_id"] = principal.licensee_id
    return jwt.encode(claims, key, algorithm=ALGORITHM)


class TokenVerifier:
    """Turns a bearer token into a principal, or refuses it with the reason.

    A caller sends the same token with every call, so verified tokens are remembered until they expire:
    checking the signature once per token instead of once per call takes the cost off the hot path.
    Only tokens that verified are remembered, and a remembered one is still refused once it expires.
    """

    CACHE_MAX_TOKENS = 10_000

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self._public_key = public_key
        self._verified: dict[str, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Principal:
        """The principal named by ``token``; Unauthenticated if it is expired, forged or malformed."""
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, expires_at_s = remembered
            if expires_at_s > time.time():
                return principal
            del self._verified[token]
            raise Unauthenticated("bearer token has expired")
        principal, expires_at_s = self._verify_signature(token)
        if len(self._verified) >= self.CACHE_MAX_TOKENS:
            self._verified.clear()  # Simple and bounded; a busy service re-verifies its callers once.
        self._verified[token] = (principal, expires_at_s)
        return principal

    def _verify_signature(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("bearer token has expired") from None
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"bearer token is not valid: {error}") from None
        try:
            principal = _principal_from_claims(claims)
        except (ValueError, InvalidArgument) as error:
            raise Unauthenticated(f"bearer token names no valid principal: {error}") from None
        if principal.subject != claims["sub"]:
            raise Unauthenticated(f"bearer token subject {claims['sub']!r} does not match its principal")
        return principal, float(claims["exp"])


def _principal_from_claims(claims: dict[str, object]) -> Principal:
    """The principal the claims describe, validated exactly as when it was minted."""
    kind = PrincipalKind(str(claims.get("kind")))
    subject = str(claims["sub"])
    return principal_for(
        kind,
        society=_string_claim(claims, "society"),
        licensee_id=_string_claim(claims, "licensee_id"),
        service=subject.removeprefix("service:") if kind is PrincipalKind.SERVICE else None,
    )


def _string_claim(claims: dict[str, object], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(name, value, "a token claim must be a non-empty string")
    return value
