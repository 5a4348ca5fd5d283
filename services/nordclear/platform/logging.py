"""structlog configuration shared by every process.

JSON lines when standard error is not a terminal (containers, CI, log shippers), a readable console
otherwise. Request id, principal and event id are bound through contextvars by the gRPC interceptor and
the event consumer, so every line written while handling a call or an event carries them without being
passed around. Standard-library loggers (aiokafka, alembic, grpc) go through the same renderer.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog

LogFormat = Literal["auto", "json", "console"]


def _renderer(log_format: LogFormat) -> structlog.typing.Processor:
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    if use_console:
        return structlog.dev.ConsoleRenderer()
    return structlog.processors.JSONRenderer()


def configure_logging(service: str, level: str = "INFO", log_format: LogFormat = "auto") -> None:
    """Route structlog and the standard library through one renderer, tagged with ``service``."""
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        lambda _logger, _name, event: {"service": service, **event},
    ]
    structlog.configure(
        # Drop below-level events first, before any processor spends time on them (a hot RPC path logs
        # one line per call, which most deployments filter out at WARNING).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, _renderer(log_format)],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka logs every reconnect attempt at INFO/ERROR; one warning per problem is enough.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger; use module ``__name__`` as the name."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
