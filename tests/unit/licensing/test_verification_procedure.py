"""The documented offline verification (docs/licence-verification.md) really verifies, and really refuses.

The Python snippet is taken from the document itself and run as written; the OpenSSL command too. Both
get a licence document signed by the service's own code, then the same document with one byte changed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nordclear.licensing.domain.document import VerificationFailure, document_of, key_id_of, sign, verify
from nordclear.licensing.domain.licence import (
    OUTPUT_LABELLING_REQUIRED,
    Actor,
    Licence,
    LicenceStatus,
    LicensedSociety,
    StatusChange,
)
from nordclear.licensing.domain.model import Contact, Licensee, Scope
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage

DOC = Path(__file__).resolve().parents[3] / "docs" / "licence-verification.md"
ISSUED = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _licence() -> Licence:
    stim = society_by_name("STIM")
    return Licence(
        licence_id="NC-2026-000001",
        application_id="app_1",
        quote_id="quo_1",
        licensee_id="skald-ai",
        licensee_legal_name="Skald AI AB — Ålesund",
        scope=Scope("Skald", "2.1", tuple(AiStage), tuple(Territory), date(2026, 1, 1), date(2026, 12, 31)),
        hub=stim,
        hub_admin_fee_bp=500,
        societies=(LicensedSociety(stim, 10_000, 2),),
        tariffs=(("stim-training", "2025-1"),),
        presumption_applied=True,
        presumption_statement="presumed",
        output_labelling=OUTPUT_LABELLING_REQUIRED,
        total=Money.of("SEK", 123_456),
        due_at_issue=Money.of("SEK", 100_000),
        issued_at=ISSUED,
        history=(
            StatusChange(None, LicenceStatus.ACTIVE, date(2026, 1, 1), ISSUED, Actor("ops", "ops"), "issued"),
        ),
    )


def _files(folder: Path, *, tamper: bool = False) -> None:
    key = Ed25519PrivateKey.generate()
    licensee = Licensee("skald-ai", "Skald AI AB", "SE", "", (Contact("A", "a@b.se"),), ISSUED)
    document = document_of(_licence(), licensee, key_id_of(key.public_key()))
    signature = sign(document, key)
    if tamper:
        document = document.replace(b'"2.1"', b'"2.2"')
    (folder / "NC-2026-000001.json").write_bytes(document)
    (folder / "NC-2026-000001.sig").write_bytes(signature)
    (folder / "licence-signing.pub.pem").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _snippet(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, f"no {language} block in {DOC}"
    return str(blocks[0])


def test_the_documented_python_snippet_accepts_a_genuine_licence_and_refuses_an_altered_one(
    tmp_path: Path,
) -> None:
    genuine, altered = tmp_path / "genuine", tmp_path / "altered"
    for folder, tamper in ((genuine, False), (altered, True)):
        folder.mkdir()
        _files(folder, tamper=tamper)
    script = tmp_path / "verify.py"
    script.write_text(_snippet("python"), encoding="utf-8")
    # Run outside the project (no clearing-house code importable) with only the standard cryptography package.
    env = {**os.environ, "PYTHONPATH": ""}

    ok = subprocess.run(
        [sys.executable, "-I", str(script)], cwd=genuine, capture_output=True, text=True, env=env
    )
    bad = subprocess.run(
        [sys.executable, "-I", str(script)], cwd=altered, capture_output=True, text=True, env=env
    )

    assert ok.stdout.strip() == "valid", ok.stderr
    assert bad.stdout.strip().startswith("INVALID"), bad.stderr


def test_the_documented_openssl_command_accepts_a_genuine_licence_and_refuses_an_altered_one(
    tmp_path: Path,
) -> None:
    openssl = shutil.which("openssl")
    assert openssl is not None, "OpenSSL 3 is part of the development machines (docs/licence-verification.md)"
    sh_blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    openssl_block = next(block for block in sh_blocks if block.lstrip().startswith("openssl"))
    argv = shlex.split(openssl_block.replace("\\\n", " "))
    genuine, altered = tmp_path / "genuine", tmp_path / "altered"
    for folder, tamper in ((genuine, False), (altered, True)):
        folder.mkdir()
        _files(folder, tamper=tamper)

    ok = subprocess.run(argv, cwd=genuine, capture_output=True, text=True)
    bad = subprocess.run(argv, cwd=altered, capture_output=True, text=True)

    assert ok.returncode == 0, ok.stderr
    assert "Signature Verified Successfully" in ok.stdout
    assert bad.returncode != 0


def test_the_service_verifier_names_each_failure() -> None:
    key = Ed25519PrivateKey.generate()
    key_id = key_id_of(key.public_key())
    licensee = Licensee("skald-ai", "Skald AI AB", "SE", "", (Contact("A", "a@b.se"),), ISSUED)
    document = document_of(_licence(), licensee, key_id)
    signature = sign(document, key)
    keys = {key_id: key.public_key()}

    valid = verify(document, signature, keys)
    altered = verify(document.replace(b'"Skald"', b'"Skalt"'), signature, keys)
    respaced = verify(document.replace(b'{"', b'{ "', 1), signature, keys)
    short = verify(document, signature[:10], keys)
    unknown = verify(document, signature, {})

    assert valid.valid
    assert valid.licence_id == "NC-2026-000001"
    assert altered.failure is VerificationFailure.SIGNATURE_MISMATCH
    assert respaced.failure is VerificationFailure.MALFORMED_DOCUMENT
    assert "canonical" in respaced.detail
    assert short.failure is VerificationFailure.MALFORMED_SIGNATURE
    assert unknown.failure is VerificationFailure.UNKNOWN_KEY
    assert verify(b"not json", signature, keys).failure is VerificationFailure.MALFORMED_DOCUMENT
