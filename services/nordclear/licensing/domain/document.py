"""The signed licence document: canonical JSON, signed with Ed25519, verifiable by anyone offline.

The document is the licence as issued, written as canonical JSON — keys sorted, no insignificant
whitespace, UTF-8 — so the bytes are exactly reproducible and the signature covers every field. The
signature is a plain Ed25519 signature (RFC 8032) over those bytes, so standard tools check it with the
clearing house's public key alone (``docs/licence-verification.md``): no clearing-house code is needed.

A valid signature proves the document is the one the clearing house issued; it says nothing about a
suspension or revocation after issue, which is why online verification also reports the current status.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from nordclear.licensing.domain.licence import Licence
from nordclear.licensing.domain.model import Licensee

DOCUMENT_FORMAT: Final = "nordclear-licence/1"
MEDIA_TYPE: Final = "application/json"
ALGORITHM: Final = "Ed25519"
SIGNATURE_BYTES: Final = 64
REQUIRED_FIELDS: Final = (
    "format",
    "licence_id",
    "key_id",
    "licensee",
    "model",
    "stages",
    "territories",
    "term",
    "hub_society",
    "societies",
    "tariffs",
    "presumption",
    "output_labelling",
    "issued_at",
)


def canonical_json(value: object) -> bytes:
    """``value`` as canonical JSON: sorted keys, no spaces, UTF-8, integers only (no floats)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A key's id: ``ed25519:`` and the first 16 hex digits of SHA-256 over its raw 32 bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def document_of(licence: Licence, licensee: Licensee, key_id: str) -> bytes:
    """The licence document's bytes, ready to sign."""
    scope = licence.scope
    body: dict[str, Any] = {
        "format": DOCUMENT_FORMAT,
        "issuer": "Nordclear, the Nordic AI clearing house of Koda, STEF, STIM, Teosto and Tono",
        "licence_id": licence.licence_id,
        "application_id": licence.application_id,
        "quote_id": licence.quote_id,
        "key_id": key_id,
        "licensee": {
            "licensee_id": licensee.licensee_id,
            "legal_name": licence.licensee_legal_name,
            "country_code": licensee.country_code,
            "registration_number": licensee.registration_number,
        },
        "model": {"name": scope.model_name, "version": scope.model_version},
        "stages": [stage.value for stage in scope.stages],
        "territories": [territory.value for territory in scope.territories],
        "term": {"start": scope.term_start.isoformat(), "end": scope.term_end.isoformat()},
        "hub_society": {
            "name": licence.hub.name,
            "cisac_code": licence.hub.cisac_code,
            "admin_fee_bp": licence.hub_admin_fee_bp,
        },
        "currency": licence.hub.currency.code,
        "fees": {
            "quoted_total_minor": licence.total.amount_minor,
            "due_at_issue_minor": licence.due_at_issue.amount_minor,
        },
        "societies": [
            {
                "name": entry.society.name,
                "cisac_code": entry.society.cisac_code,
                "repertoire_share_bp": entry.repertoire_share_bp,
                "licensable_work_count": entry.licensable_work_count,
            }
            for entry in licence.societies
        ],
        "tariffs": [{"tariff_id": tariff_id, "version": version} for tariff_id, version in licence.tariffs],
        "presumption": {"applied": licence.presumption_applied, "statement": licence.presumption_statement},
        "output_labelling": {
            "required": licence.output_labelling.required,
            "iptc_digital_source_type": licence.output_labelling.iptc_digital_source_type,
            "label_text": licence.output_labelling.label_text,
        },
        "issued_at": licence.issued_at.isoformat(),
    }
    return canonical_json(body)


def sign(document: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """The Ed25519 signature of ``document``."""
    return private_key.sign(document)


class VerificationFailure(StrEnum):
    """Why a document failed verification."""

    SIGNATURE_MISMATCH = "signature_mismatch"
    MALFORMED_SIGNATURE = "malformed_signature"
    MALFORMED_DOCUMENT = "malformed_document"
    UNKNOWN_KEY = "unknown_key"


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of verifying one document."""

    failure: VerificationFailure | None
    detail: str
    licence_id: str
    key_id: str

    @property
    def valid(self) -> bool:
        """Whether the signature is valid for the document and the key."""
        return self.failure is None


def read_document(document: bytes) -> dict[str, Any] | str:
    """The document's fields, or why it is not a licence document."""
    try:
        body = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return f"not UTF-8 JSON: {error}"
    if not isinstance(body, dict):
        return "not a JSON object"
    missing = [name for name in REQUIRED_FIELDS if name not in body]
    if missing:
        return "fields missing: " + ", ".join(missing)
    if body["format"] != DOCUMENT_FORMAT:
        return f"format {body['format']!r} is not {DOCUMENT_FORMAT!r}"
    if canonical_json(body) != document:
        return "not canonical JSON (keys sorted, no spaces): the bytes were re-encoded or edited"
    return body


def verify(
    document: bytes, signature: bytes, keys: dict[str, Ed25519PublicKey], key_id: str = ""
) -> Verification:
    """Check ``signature`` over ``document`` with the key ``key_id`` (else the one the document names)."""
    body = read_document(document)
    if isinstance(body, str):
        return Verification(VerificationFailure.MALFORMED_DOCUMENT, body, "", key_id)
    licence_id = str(body["licence_id"])
    named = key_id or str(body["key_id"])
    if len(signature) != SIGNATURE_BYTES:
        return Verification(
            VerificationFailure.MALFORMED_SIGNATURE,
            f"an Ed25519 signature is {SIGNATURE_BYTES} bytes, this one is {len(signature)}",
            licence_id,
            named,
        )
    public_key = keys.get(named)
    if public_key is None:
        return Verification(
            VerificationFailure.UNKNOWN_KEY, f"no signing key {named!r} is known", licence_id, named
        )
    try:
        public_key.verify(signature, document)
    except InvalidSignature:
        return Verification(
            VerificationFailure.SIGNATURE_MISMATCH,
            "the signature does not match the document: the document or the signature was altered",
            licence_id,
            named,
        )
    if body["key_id"] != named:
        return Verification(
            VerificationFailure.UNKNOWN_KEY,
            f"the document names key {body['key_id']!r} but was signed with {named!r}",
            licence_id,
            named,
        )
    return Verification(None, "the signature is valid for this document", licence_id, named)
