"""``nordclear licensing …``: AI licences: apply, quote, accept, download and verify."""

from __future__ import annotations

import typer

app = typer.Typer(help="AI licences: apply, quote, accept, download and verify.", no_args_is_help=True)
