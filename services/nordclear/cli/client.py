"""What every CLI command that calls a service needs: an address, a token, and readable errors."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import grpc
import typer
from google.protobuf import json_format
from google.protobuf.message import Message

T = TypeVar("T")

TOKEN_VARIABLE = "NORDCLEAR_TOKEN"  # noqa: S105 - the name of a variable, not a secret

Token = Annotated[
    str,
    typer.Option(
        envvar=TOKEN_VARIABLE, help=f"Bearer token (or set {TOKEN_VARIABLE}); mint one with 'token mint'."
    ),
]


def metadata(token: str) -> tuple[tuple[str, str], ...]:
    """Call metadata carrying ``token``."""
    if not token:
        raise typer.BadParameter(f"a token is needed: --token or {TOKEN_VARIABLE}")
    return (("authorization", f"Bearer {token}"),)


async def call(address: str, rpc: Callable[[grpc.aio.Channel], Awaitable[T]]) -> T:
    """Open a channel to ``address``, make one call, and turn an RPC error into a CLI error."""
    async with grpc.aio.insecure_channel(address) as channel:
        try:
            return await rpc(channel)
        except grpc.aio.AioRpcError as error:
            typer.echo(f"{error.code().name}: {error.details()}", err=True)
            raise typer.Exit(1) from None


def show(message: Message) -> None:
    """Print a message as JSON (field names as in the contract)."""
    typer.echo(json_format.MessageToJson(message, preserving_proto_field_name=True, indent=2))


def default_address(port: int) -> str:
    """The service address from the environment's NORDCLEAR_HOST, or loopback."""
    return f"{os.environ.get('NORDCLEAR_HOST', '127.0.0.1')}:{port}"
