"""``nordclear matching …``: Usage reports and the review queue."""

from __future__ import annotations

import typer

app = typer.Typer(help="Usage reports and the review queue.", no_args_is_help=True)
