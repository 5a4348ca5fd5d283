"""``nordclear licensing …``: AI licences: apply, quote, accept, download and verify.

For an AI company: register once, apply from a YAML or JSON file, read the quote, accept it, and once
the hub society has approved, download the signed licence and verify it — offline with the published
public key, or online. The application file::

    hub_society: STIM                 # the society the application is made through
    model_name: Skald
    model_version: "2.1"
    stages: a list of training, service, output
    territories: a list of DK, FI, IS, NO, SE
    term: {start: 2026-01-01, end: 2026-12-31}
    expected_revenue: {currency: SEK, amount_minor: 100000000}
    expected_output_count: 50000
    training_data: {disclosure: none}  # or {disclosure: full_manifest, declared_item_count: 1200}

A retried ``apply`` of the same file sends the same request id (derived from the file's content), so it
never creates a second application.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import grpc
import typer
import yaml
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from nordclear.cli.client import Token, call, default_address, metadata, show
from nordclear.gen.common.v1 import codes_pb2, dates_pb2, money_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as pb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from nordclear.platform.topology import LICENSING

app = typer.Typer(help="AI licences: apply, quote, accept, download and verify.", no_args_is_help=True)

Address = Annotated[str, typer.Option(help="Licensing service HOST:PORT.")]
DEFAULT_ADDRESS = default_address(LICENSING.grpc_port)
RequestId = Annotated[str | None, typer.Option(help="Idempotency key; derived from the input if omitted.")]
STAGES = {
    "training": codes_pb2.AI_STAGE_TRAINING,
    "service": codes_pb2.AI_STAGE_SERVICE,
    "output": codes_pb2.AI_STAGE_OUTPUT,
}
TERRITORIES = {
    "DK": codes_pb2.TERRITORY_DK,
    "FI": codes_pb2.TERRITORY_FI,
    "IS": codes_pb2.TERRITORY_IS,
    "NO": codes_pb2.TERRITORY_NO,
    "SE": codes_pb2.TERRITORY_SE,
}
SOCIETIES = {
    "KODA": codes_pb2.SOCIETY_KODA,
    "STEF": codes_pb2.SOCIETY_STEF,
    "STIM": codes_pb2.SOCIETY_STIM,
    "TEOSTO": codes_pb2.SOCIETY_TEOSTO,
    "TONO": codes_pb2.SOCIETY_TONO,
}
DISCLOSURES = {
    "none": licence_pb2.TRAINING_DATA_DISCLOSURE_NONE,
    "full_manifest": licence_pb2.TRAINING_DATA_DISCLOSURE_FULL_MANIFEST,
}


def _stub(channel: grpc.aio.Channel) -> pb_grpc.LicensingServiceAsyncStub:
    return pb_grpc.LicensingServiceStub(channel)


class _Yaml12Booleans(yaml.SafeLoader):
    """YAML with only true/false as booleans (as in YAML 1.2), so the territory NO stays "NO"."""


_Yaml12Booleans.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Booleans.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_document(path: Path) -> Mapping[str, Any]:
    """A YAML or JSON file (JSON is YAML) as a mapping; a clear CLI error otherwise."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Booleans)  # noqa: S506 - a SafeLoader
    except (OSError, yaml.YAMLError, ValueError) as error:  # ValueError: not UTF-8, or a date like 2026-02-30
        raise typer.BadParameter(f"{path}: cannot be read as YAML or JSON ({error})") from None
    if not isinstance(data, Mapping):
        raise typer.BadParameter(f"{path}: expected a mapping of fields at the top level")
    return data


def _pick(table: Mapping[str, int], value: object, field: str) -> int:
    key = str(value).strip()
    found = table.get(key) if key in table else table.get(key.upper(), table.get(key.lower()))
    if found is None:
        raise typer.BadParameter(f"{field}: {value!r} is not one of {', '.join(table)}")
    return found


def _date(value: object, field: str) -> dates_pb2.Date:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise typer.BadParameter(f"{field}: {value!r} is not a date YYYY-MM-DD") from None
    return dates_pb2.Date(year=day.year, month=day.month, day=day.day)


def _integer(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        raise typer.BadParameter(f"{field}: {value!r} is not a whole number (64-bit)")
    return value


def _mapping(value: object, field: str) -> Mapping[str, Any]:
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise typer.BadParameter(f"{field}: {value!r} is not a mapping of fields")
    return value


def _list(value: object, field: str) -> list[object]:
    if not value:
        return []
    if not isinstance(value, list):
        raise typer.BadParameter(f"{field}: {value!r} is not a list")
    return value


def application_from_document(data: Mapping[str, Any]) -> licence_pb2.Application:
    """The contract's Application from the friendly file form (see the module docstring)."""
    known = {
        "hub_society",
        "model_name",
        "model_version",
        "stages",
        "territories",
        "term",
        "expected_revenue",
        "expected_output_count",
        "training_data",
    }
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise typer.BadParameter(f"unknown fields {unknown}; expected some of {sorted(known)}")
    term = _mapping(data.get("term"), "term")
    revenue = _mapping(data.get("expected_revenue"), "expected_revenue")
    training = _mapping(data.get("training_data"), "training_data")
    territories = [
        _pick(TERRITORIES, t, "territories") for t in _list(data.get("territories"), "territories")
    ]
    application = licence_pb2.Application(
        hub_society=_pick(SOCIETIES, data.get("hub_society", ""), "hub_society"),  # type: ignore[arg-type]
        model_name=str(data.get("model_name", "")),
        model_version=str(data.get("model_version", "")),
        stages=[_pick(STAGES, s, "stages") for s in _list(data.get("stages"), "stages")],  # type: ignore[misc]
        territories=territories,  # type: ignore[arg-type]
        expected_output_count=_integer(data.get("expected_output_count", 0), "expected_output_count"),
        training_data=licence_pb2.TrainingDataDeclaration(
            disclosure=_pick(DISCLOSURES, training.get("disclosure", ""), "training_data.disclosure"),  # type: ignore[arg-type]
            declared_item_count=_integer(
                training.get("declared_item_count", 0), "training_data.declared_item_count"
            ),
            description=str(training.get("description", "")),
        ),
    )
    if "start" in term:
        application.term.start_date.CopyFrom(_date(term["start"], "term.start"))
    if "end" in term:
        application.term.end_date.CopyFrom(_date(term["end"], "term.end"))
    if revenue:
        application.expected_revenue.CopyFrom(
            money_pb2.Money(
                currency_code=str(revenue.get("currency", "")),
                amount_minor=_integer(revenue.get("amount_minor", 0), "expected_revenue.amount_minor"),
            )
        )
    return application


def _derived_request_id(kind: str, content: bytes) -> str:
    return f"{kind}-{hashlib.sha256(content).hexdigest()[:40]}"


@app.command()
def register(
    file: Annotated[Path, typer.Argument(help="YAML/JSON: legal_name, country_code, contacts[name, email].")],
    token: Token = "",
    request_id: RequestId = None,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Register the company the token names as a licensee."""
    data = read_document(file)
    licensee = licence_pb2.Licensee(
        legal_name=str(data.get("legal_name", "")),
        country_code=str(data.get("country_code", "")),
        registration_number=str(data.get("registration_number", "")),
        contacts=[
            licence_pb2.Contact(
                name=str(c.get("name", "")),
                email=str(c.get("email", "")),
                phone=str(c.get("phone", "")),
                role=str(c.get("role", "")),
            )
            for c in data.get("contacts") or []
        ],
    )
    request = pb.RegisterLicenseeRequest(
        request_id=request_id or _derived_request_id("register", file.read_bytes()), licensee=licensee
    )

    async def rpc(channel: grpc.aio.Channel) -> pb.RegisterLicenseeResponse:
        return await _stub(channel).RegisterLicensee(request, metadata=metadata(token))

    show(asyncio.run(call(address, rpc)))


@app.command()
def apply(
    file: Annotated[Path, typer.Argument(help="The application, YAML or JSON (format above).")],
    token: Token = "",
    request_id: RequestId = None,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Apply for a licence from a file; prints the application and its quote.

    The file, YAML or JSON, with these fields:
    hub_society: KODA, STEF, STIM, TEOSTO or TONO
    model_name, model_version
    stages: a list of training, service, output
    territories: a list of DK, FI, IS, NO, SE
    term: {start: YYYY-MM-DD, end: YYYY-MM-DD}
    expected_revenue: {currency: SEK, amount_minor: 100000000}
    expected_output_count: 50000
    training_data: {disclosure: none} or {disclosure: full_manifest, declared_item_count: N}
    Without a full manifest the presumption rule applies.
    """
    request = pb.ApplyRequest(
        request_id=request_id or _derived_request_id("apply", file.read_bytes()),
        application=application_from_document(read_document(file)),
    )

    async def rpc(channel: grpc.aio.Channel) -> pb.ApplyResponse:
        return await _stub(channel).Apply(request, metadata=metadata(token))

    response = asyncio.run(call(address, rpc))
    show(response)
    typer.echo(quote_summary(response.quote), err=True)


@app.command()
def quote(
    quote_id: Annotated[str, typer.Argument(help="The quote's id.")],
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Show a quote, line by line."""

    async def rpc(channel: grpc.aio.Channel) -> pb.GetQuoteResponse:
        return await _stub(channel).GetQuote(pb.GetQuoteRequest(quote_id=quote_id), metadata=metadata(token))

    response = asyncio.run(call(address, rpc))
    show(response.quote)
    typer.echo(quote_summary(response.quote), err=True)


@app.command()
def accept(
    quote_id: Annotated[str, typer.Argument(help="The quote to accept.")],
    token: Token = "",
    request_id: RequestId = None,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Accept a quote; the hub society's ops then approve it."""
    request = pb.AcceptQuoteRequest(request_id=request_id or f"accept-{quote_id}", quote_id=quote_id)

    async def rpc(channel: grpc.aio.Channel) -> pb.AcceptQuoteResponse:
        return await _stub(channel).AcceptQuote(request, metadata=metadata(token))

    show(asyncio.run(call(address, rpc)))


@app.command()
def download(
    licence_id: Annotated[str, typer.Argument(help="The licence, e.g. NC-2026-000001.")],
    out: Annotated[
        Path, typer.Option(help="Folder to write the document, signature and public key to.")
    ] = Path(),
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Save the signed licence: <id>.json (the document), <id>.sig (Ed25519) and the public key PEM."""

    async def rpc(channel: grpc.aio.Channel) -> tuple[pb.GetLicenceResponse, pb.GetPublicKeyResponse]:
        stub = _stub(channel)
        licence = await stub.GetLicence(
            pb.GetLicenceRequest(licence_id=licence_id, include_document=True), metadata=metadata(token)
        )
        key = await stub.GetPublicKey(
            pb.GetPublicKeyRequest(key_id=licence.document.key_id), metadata=metadata(token)
        )
        return licence, key

    licence, key = asyncio.run(call(address, rpc))
    out.mkdir(parents=True, exist_ok=True)
    document_file = out / f"{licence_id}.json"
    signature_file = out / f"{licence_id}.sig"
    key_file = out / "licence-signing.pub.pem"
    document_file.write_bytes(licence.document.document)
    signature_file.write_bytes(licence.document.signature)
    key_file.write_text(key.key.public_key_pem, encoding="ascii")
    typer.echo(f"{document_file}\n{signature_file}\n{key_file} ({key.key.key_id})")


@app.command("public-key")
def public_key(
    out: Annotated[Path, typer.Option(help="Where to write the PEM.")] = Path("licence-signing.pub.pem"),
    key_id: Annotated[str, typer.Option(help="A key id; the current key if omitted.")] = "",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Save the public key licences are verified with (any principal's token)."""

    async def rpc(channel: grpc.aio.Channel) -> pb.GetPublicKeyResponse:
        return await _stub(channel).GetPublicKey(
            pb.GetPublicKeyRequest(key_id=key_id), metadata=metadata(token)
        )

    key = asyncio.run(call(address, rpc)).key
    out.write_text(key.public_key_pem, encoding="ascii")
    typer.echo(f"{out} ({key.key_id})")


@app.command()
def verify(
    document: Annotated[Path, typer.Argument(help="The licence document (<id>.json) exactly as downloaded.")],
    signature: Annotated[Path, typer.Argument(help="Its signature (<id>.sig, 64 raw bytes).")],
    public_key_file: Annotated[
        Path | None, typer.Option("--public-key", help="PEM public key: verify offline, no service needed.")
    ] = None,
    online: Annotated[
        bool, typer.Option(help="Ask the licensing service instead (also reports the status).")
    ] = False,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Verify a licence document's signature; exits 1 when it is not valid, saying why."""
    document_bytes, signature_bytes = document.read_bytes(), signature.read_bytes()
    if online:
        request = pb.VerifyLicenceRequest(document=document_bytes, signature=signature_bytes)

        async def rpc(channel: grpc.aio.Channel) -> pb.VerifyLicenceResponse:
            return await _stub(channel).VerifyLicence(request, metadata=metadata(token))

        answer = asyncio.run(call(address, rpc))
        status = licence_pb2.LicenceStatus.Name(answer.current_status)
        if not answer.valid:
            failure = pb.VerificationFailure.Name(answer.failure)
            typer.echo(f"INVALID ({failure}): {answer.detail}", err=True)
            raise typer.Exit(1)
        typer.echo(f"valid: licence {answer.licence_id}, current status {status}")
        return
    if public_key_file is None:
        raise typer.BadParameter("give --public-key PEM to verify offline, or --online")
    ok, detail = verify_offline(document_bytes, signature_bytes, public_key_file.read_bytes())
    if not ok:
        typer.echo(f"INVALID: {detail}", err=True)
        raise typer.Exit(1)
    typer.echo(f"valid: {detail}")


def verify_offline(document: bytes, signature: bytes, public_key_pem: bytes) -> tuple[bool, str]:
    """Whether ``signature`` is the Ed25519 signature of ``document`` under the key; and why (not)."""
    try:
        key = serialization.load_pem_public_key(public_key_pem)
    except ValueError as error:
        return False, f"the public key is not a PEM key ({error})"
    if not isinstance(key, Ed25519PublicKey):
        return False, "the public key is not an Ed25519 key"
    if len(signature) != 64:
        return False, f"an Ed25519 signature is 64 bytes, this one is {len(signature)}"
    try:
        key.verify(signature, document)
    except InvalidSignature:
        return False, "the signature does not match the document: the document or the signature was altered"
    try:
        licence_id = json.loads(document)["licence_id"]
    except (ValueError, KeyError, TypeError):
        return True, "the signature matches, but the document names no licence id"
    return True, f"licence {licence_id} is signed by the key"


def quote_summary(quote: licence_pb2.Quote) -> str:
    """A quote as a few lines of text for people."""
    lines = [
        f"quote {quote.quote_id}: total {_money(quote.total)}, due at issue {_money(quote.due_at_issue)}"
    ]
    lines.extend(f"  {line.description} -> {_money(line.amount)}" for line in quote.lines)
    lines.extend(
        f"  FX: 1 {rate.base_currency_code} = {rate.rate_ppb / 1e9:.4f} {rate.quote_currency_code} "
        f"({rate.source}, {rate.rate_date.year:04d}-{rate.rate_date.month:02d}-{rate.rate_date.day:02d})"
        for rate in quote.fx_basis
    )
    if quote.presumption_applied:
        lines.append(f"  {quote.presumption_statement}")
    return "\n".join(lines)


def _money(money: money_pb2.Money) -> str:
    digits = 0 if money.currency_code == "ISK" else 2
    if digits == 0:
        return f"{money.amount_minor} {money.currency_code}"
    whole, cents = divmod(abs(money.amount_minor), 100)
    sign = "-" if money.amount_minor < 0 else ""
    return f"{sign}{whole}.{cents:02d} {money.currency_code}"
