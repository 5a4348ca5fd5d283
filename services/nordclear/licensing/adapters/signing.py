"""The licence signing key: an Ed25519 key of its own, separate from the token-signing key.

Bearer tokens and licence documents are different trust decisions — a leaked token key lets someone
call services, a leaked licence key lets someone forge licences — so they never share a key. The key is
read from ``NORDCLEAR_LICENSING_LICENCE_SIGNING_KEY_FILE`` (by default ``licence-signing.pem`` beside the
token public key, which is ``.data/keys/`` in the embedded stack). When the file does not exist the
service generates it there on its first start, so the embedded stack has a key from its first run and
reuses it afterwards. Every key that ever signed is kept in the database, so documents stay verifiable
after a key is replaced, and replicas that generated keys of their own still verify each other's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from nordclear.licensing.domain.document import key_id_of
from nordclear.platform.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class LicenceSigner:
    """The current signing key, its public half and its id."""

    private_key: Ed25519PrivateKey
    key_id: str

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half, which verifies documents."""
        return self.private_key.public_key()

    @property
    def public_key_pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo)."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @property
    def public_key_raw(self) -> bytes:
        """The raw 32 bytes of the public key."""
        return self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def first_signer(paths: list[Path]) -> tuple[LicenceSigner, Path, bool]:
    """The first of ``paths`` that holds a key or can be given a new one; (signer, path, generated)."""
    problem: InvalidArgument | None = None
    for path in paths:
        try:
            signer, generated = load_or_create_signer(path)
        except InvalidArgument as error:
            problem = error
            continue
        return signer, path, generated
    assert problem is not None, "at least one path is always given"
    raise problem


def load_or_create_signer(path: Path) -> tuple[LicenceSigner, bool]:
    """The signing key at ``path``, generated first when the file does not exist; and whether it was."""
    if path.exists():
        return load_signer(path), False
    key = Ed25519PrivateKey.generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
    except OSError as error:
        raise InvalidArgument(
            "licence_signing_key_file", str(path), f"does not exist and cannot be created ({error.strerror})"
        ) from None
    return load_signer(path), True


def load_signer(path: Path) -> LicenceSigner:
    """The signing key in the PEM file at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidArgument(
            "licence_signing_key_file", str(path), f"cannot be read ({error.strerror}); generate one first"
        ) from None
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidArgument("licence_signing_key_file", str(path), "must hold an Ed25519 private key (PEM)")
    return LicenceSigner(private_key=key, key_id=key_id_of(key.public_key()))
