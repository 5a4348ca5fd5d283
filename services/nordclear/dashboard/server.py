"""Start the dashboard's web server: settings from the environment, logging, uvicorn.

Run by ``make run`` (through the embedded stack), by ``nordclear dashboard`` and by
``python -m nordclear.dashboard``.
"""

from __future__ import annotations

import asyncio
import os
import sys

import uvicorn

from nordclear.dashboard.settings import DashboardSettings, load_dashboard_settings
from nordclear.dashboard.web.app import create_app
from nordclear.platform.logging import configure_logging, get_logger
from nordclear.platform.settings import ConfigurationError

log = get_logger(__name__)


def server(settings: DashboardSettings) -> uvicorn.Server:
    """A uvicorn server for the dashboard on ``settings.http_address``."""
    host, _, port = settings.http_address.rpartition(":")
    config = uvicorn.Config(
        create_app(settings),
        host=host.strip("[]"),
        port=int(port),
        # Requests are logged by the dashboard itself, with the signed-in principal, through structlog.
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    return uvicorn.Server(config)


def main() -> None:
    """Serve until SIGINT/SIGTERM."""
    try:
        settings = load_dashboard_settings(dict(os.environ))
    except ConfigurationError as error:
        print(f"dashboard: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging("dashboard", settings.log_level, settings.log_format)
    asyncio.run(server(settings).serve())
