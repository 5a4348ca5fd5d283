"""The ``nordclear`` command for people: ``run``, ``status``, ``serve``, ``token``, ``keys``.

Each service issue adds its own sub-commands here; the commands only translate arguments into calls of
the services' gRPC APIs or of the runtime, and print the answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import signal
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import grpc
import typer

from nordclear.cli import licensing as licensing_cli
from nordclear.cli import matching as matching_cli
from nordclear.cli import repertoire as repertoire_cli
from nordclear.cli import settlement as settlement_cli
from nordclear.platform.auth import (
    PrincipalKind,
    generate_signing_key,
    load_private_key,
    mint_token,
    principal_for,
)
from nordclear.platform.errors import NordclearError
from nordclear.platform.logging import configure_logging
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.settings import DATA_DIR
from nordclear.platform.topology import SERVICES, SERVICES_BY_NAME
from nordclear.runtime.credentials import demo_tokens
from nordclear.runtime.stack import EmbeddedStack

app = typer.Typer(help="Nordclear, the Nordic AI clearing house.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)
keys_app = typer.Typer(help="The token-signing key pair.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(keys_app, name="keys")
app.add_typer(repertoire_cli.app, name="repertoire")
app.add_typer(licensing_cli.app, name="licensing")
app.add_typer(matching_cli.app, name="matching")
app.add_typer(settlement_cli.app, name="settlement")

DataDir = Annotated[Path, typer.Option(help="Folder for databases, keys and logs.")]


@app.command()
def run(data_dir: DataDir = DATA_DIR) -> None:
    """Start the broker and every service on this machine; Ctrl-C stops them all."""
    configure_logging("runtime")
    asyncio.run(_run_stack(data_dir))


async def _run_stack(data_dir: Path) -> None:
    stack = EmbeddedStack(data_dir, dashboard=True)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested.set)
    try:
        await stack.start()
        assert stack.keys is not None
        _print_summary(stack, demo_tokens(stack.keys))
        exited = await _until_stop_or_exit(stack, stop_requested)
        if exited:
            typer.echo(f"service process exited unexpectedly: {exited}; stopping", err=True)
            raise typer.Exit(1)
        typer.echo("stopping…")
    finally:
        stack.stop()


async def _until_stop_or_exit(stack: EmbeddedStack, stop_requested: asyncio.Event) -> dict[str, int]:
    """Wait for Ctrl-C/SIGTERM (returns {}) or a service process exiting on its own (returns which)."""
    while not stop_requested.is_set():
        exited = stack.exited()
        if exited:
            return exited
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_requested.wait(), timeout=0.5)
    return {}


def _print_summary(stack: EmbeddedStack, tokens: dict[str, str]) -> None:
    typer.echo("\nNordclear is running (Ctrl-C stops it).\n")
    typer.echo(f"  kafka       {stack.broker.bootstrap_servers}")
    for spec in SERVICES:
        metrics_port = stack.ports.metrics[spec.name]
        typer.echo(
            f"  {spec.name:<11} grpc {stack.address(spec.name)}   metrics http://127.0.0.1:{metrics_port}/metrics"
        )
    typer.echo(f"  dashboard   {stack.dashboard_url}/  (sign in with the ops token below)")
    typer.echo(
        f"\n  data        {stack.data_dir}\n\nTokens (30 days; send as 'authorization: Bearer <token>'):"
    )
    for principal, token in tokens.items():
        typer.echo(f"  {principal:<28} {token}")
    typer.echo("")


@app.command()
def status(
    host: Annotated[str, typer.Option(help="Host the services listen on.")] = "127.0.0.1",
    timeout_ms: Annotated[int, typer.Option(help="Per-service health check deadline.")] = 2_000,
) -> None:
    """Ask every service for its gRPC health; exits 1 unless all are SERVING."""
    results = asyncio.run(_health_of_all(host, timeout_ms))
    for name, state in results.items():
        typer.echo(f"{name:<11} {SERVICES_BY_NAME[name].grpc_port:>5}  {state}")
    if any(state != "SERVING" for state in results.values()):
        raise typer.Exit(1)


async def _health_of_all(host: str, timeout_ms: int) -> dict[str, str]:
    async def one(name: str) -> str:
        spec = SERVICES_BY_NAME[name]
        async with grpc.aio.insecure_channel(f"{host}:{spec.grpc_port}") as channel:
            return await serving_status(channel, spec.grpc_service, timeout_ms)

    names = [spec.name for spec in SERVICES]
    states = await asyncio.gather(*(one(name) for name in names))
    return dict(zip(names, states, strict=True))


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="repertoire, licensing, matching or settlement")],
) -> None:
    """Run one service in this process, configured from its NORDCLEAR_<SERVICE>_ variables."""
    if service not in SERVICES_BY_NAME:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES_BY_NAME)}")
    importlib.import_module(f"nordclear.{service}.bootstrap").main()


@app.command()
def dashboard() -> None:
    """Serve the operations dashboard, configured from its NORDCLEAR_DASHBOARD_ variables."""
    importlib.import_module("nordclear.dashboard.server").main()


@keys_app.command("init")
def keys_init(
    data_dir: DataDir = DATA_DIR,
    force: Annotated[
        bool, typer.Option(help="Replace an existing key pair (old tokens stop working).")
    ] = False,
) -> None:
    """Generate the Ed25519 key pair that signs and verifies bearer tokens."""
    private_file = data_dir / "keys" / "token-signing.pem"
    if private_file.exists() and not force:
        typer.echo(f"{private_file} exists; keeping it (use --force to replace)")
        return
    generate_signing_key(private_file, data_dir / "keys" / "token-signing.pub.pem")
    typer.echo(f"wrote {private_file} and its public key")


@token_app.command("mint")
def token_mint(
    kind: Annotated[PrincipalKind, typer.Option(help="Who the token is for.")],
    society: Annotated[str | None, typer.Option(help="Society name or CISAC code (society, ops).")] = None,
    licensee_id: Annotated[str | None, typer.Option(help="Licensee id (licensee).")] = None,
    service: Annotated[str | None, typer.Option(help="Service name (service).")] = None,
    ttl_hours: Annotated[int, typer.Option(min=1, help="Hours until the token expires.")] = 24,
    key_file: Annotated[Path, typer.Option(help="Ed25519 private key (PEM).")] = DATA_DIR
    / "keys"
    / "token-signing.pem",
) -> None:
    """Print a signed bearer token for one principal."""
    try:
        principal = principal_for(kind, society=society, licensee_id=licensee_id, service=service)
    except NordclearError as error:
        raise typer.BadParameter(str(error)) from None
    typer.echo(mint_token(load_private_key(key_file), principal, timedelta(hours=ttl_hours)))
