"""The embedded default's signing key and the demo tokens printed at start.

The key pair is generated on first run into the data folder (git-ignored) and reused afterwards, so
tokens handed out keep working across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from nordclear.platform.auth import (
    PrincipalKind,
    generate_signing_key,
    load_private_key,
    mint_token,
    principal_for,
)
from nordclear.platform.domain.societies import MEMBER_SOCIETIES

DEMO_TOKEN_TTL = timedelta(days=30)
DEMO_LICENSEE_ID = "demo-ai-company"


@dataclass(frozen=True, slots=True)
class KeyPair:
    """Where the token-signing key pair lives."""

    private_key_file: Path
    public_key_file: Path


def ensure_signing_key(data_dir: Path) -> KeyPair:
    """The data folder's key pair, generated when it does not exist yet."""
    keys = KeyPair(
        private_key_file=data_dir / "keys" / "token-signing.pem",
        public_key_file=data_dir / "keys" / "token-signing.pub.pem",
    )
    if not keys.private_key_file.exists():
        generate_signing_key(keys.private_key_file, keys.public_key_file)
    return keys


def demo_tokens(keys: KeyPair, ttl: timedelta = DEMO_TOKEN_TTL) -> dict[str, str]:
    """A token per member society, one for a demo licensee and one for clearing-house ops."""
    private_key = load_private_key(keys.private_key_file)
    tokens = {
        f"society:{society.name}": mint_token(
            private_key, principal_for(PrincipalKind.SOCIETY, society=society.name), ttl
        )
        for society in MEMBER_SOCIETIES
    }
    tokens[f"licensee:{DEMO_LICENSEE_ID}"] = mint_token(
        private_key, principal_for(PrincipalKind.LICENSEE, licensee_id=DEMO_LICENSEE_ID), ttl
    )
    tokens["ops"] = mint_token(private_key, principal_for(PrincipalKind.OPS), ttl)
    return tokens
