"""Unit tests of nordclear.platform.logging: one JSON line per event, carrying the bound context."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from nordclear.platform.logging import configure_logging, get_logger

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back so other tests see what they expect."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    aiokafka_level = logging.getLogger("aiokafka").level
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(aiokafka_level)


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_structlog_event_is_one_json_line_with_service_event_and_context(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("repertoire", level="INFO", log_format="json")
    structlog.contextvars.bind_contextvars(request_id="req-123", principal="society:STIM")
    get_logger("tests.logging").info("work registered", work_id="w-1")
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["service"] == "repertoire"
    assert record["event"] == "work registered"
    assert record["request_id"] == "req-123"
    assert record["principal"] == "society:STIM"
    assert record["work_id"] == "w-1"
    assert record["level"] == "info"
    assert record["logger"] == "tests.logging"
    assert record["timestamp"].endswith("Z")


def test_standard_library_loggers_share_the_format_and_context(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("matching", level="INFO", log_format="json")
    structlog.contextvars.bind_contextvars(event_id="evt-9")
    logging.getLogger("alembic.runtime").warning("upgrading %s", "0001")
    (record,) = _json_lines(capsys.readouterr().err)
    assert record["service"] == "matching"
    assert record["event"] == "upgrading 0001"
    assert record["event_id"] == "evt-9"
    assert record["level"] == "warning"


def test_unbound_context_does_not_leak_into_later_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("repertoire", log_format="json")
    log = get_logger("tests.logging")
    structlog.contextvars.bind_contextvars(request_id="req-1")
    log.info("first")
    structlog.contextvars.clear_contextvars()
    log.info("second")
    first, second = _json_lines(capsys.readouterr().err)
    assert first["request_id"] == "req-1"
    assert "request_id" not in second


def test_lines_below_the_level_are_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("settlement", level="WARNING", log_format="json")
    log = get_logger("tests.logging")
    log.info("quiet")
    log.warning("loud")
    assert [record["event"] for record in _json_lines(capsys.readouterr().err)] == ["loud"]


def test_aiokafka_is_held_at_warning_even_when_debugging(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("licensing", level="DEBUG", log_format="json")
    logging.getLogger("aiokafka.conn").info("reconnecting")
    logging.getLogger("aiokafka.conn").warning("broker gone")
    assert [record["event"] for record in _json_lines(capsys.readouterr().err)] == ["broker gone"]


def test_auto_format_writes_json_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("repertoire", log_format="auto")
    get_logger("tests.logging").info("hello")
    (record,) = _json_lines(capsys.readouterr().err)
    assert record["event"] == "hello"


def test_console_format_is_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("repertoire", log_format="console")
    get_logger("tests.logging").info("hello", work_id="w-1")
    err = capsys.readouterr().err
    assert "hello" in err
    assert "w-1" in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.splitlines()[0])


def test_an_exception_is_rendered_into_the_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("repertoire", log_format="json")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        get_logger("tests.logging").exception("rpc failed")
    (record,) = _json_lines(capsys.readouterr().err)
    assert record["event"] == "rpc failed"
    assert "RuntimeError: boom" in record["exception"]
