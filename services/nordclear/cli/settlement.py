"""``nordclear settlement …``: Settlement runs, statements, net positions and the ledger."""

from __future__ import annotations

import typer

app = typer.Typer(help="Settlement runs, statements, net positions and the ledger.", no_args_is_help=True)
