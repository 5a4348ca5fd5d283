"""``nordclear settlement …`` against a running settlement service: rates in, a run, files out."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from nordclear.cli.main import app
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.topology import SETTLEMENT
from nordclear.settlement import bootstrap
from tests.conftest import DatabaseFactory, Keys
from tests.support.services import running_service, service_environment
from tests.unit.settlement.envelopes import ECB_CSV

pytestmark = pytest.mark.integration


def _printed(result: Result) -> dict[str, object]:
    """The JSON object the command printed (the in-process service may log to the same stdout)."""
    start = result.output.index("\n{") + 1 if not result.output.startswith("{") else 0
    value, _ = json.JSONDecoder().raw_decode(result.output[start:])
    assert isinstance(value, dict)
    return value


async def _invoke(*arguments: str) -> Result:
    # The CLI runs its own event loop, so it is invoked from a worker thread.
    return await asyncio.to_thread(CliRunner().invoke, app, list(arguments))


async def test_ops_load_rates_run_a_period_and_a_society_downloads_its_statement(
    new_database: DatabaseFactory,
    kafka_bootstrap_servers: str,
    kafka_namespace: str,
    keys: Keys,
    tmp_path: Path,
) -> None:
    env = service_environment(
        SETTLEMENT,
        database_url=await new_database("settlement"),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
        consume_topics_from_services="false",
    )
    ops = keys.token(principal_for(PrincipalKind.OPS))
    koda = keys.token(principal_for(PrincipalKind.SOCIETY, society="KODA"))
    rates = tmp_path / "eurofxref.csv"
    rates.write_bytes(ECB_CSV)
    async with running_service(SETTLEMENT, bootstrap.build, env) as runtime:
        address = ("--address", f"127.0.0.1:{runtime.bound_port}")
        loaded = await _invoke("settlement", "load-rates", str(rates), "--token", ops, *address)
        ran = await _invoke(
            "settlement",
            "run",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--run",
            "2026-Q1",
            "--token",
            ops,
            *address,
        )
        shown = await _invoke("settlement", "show", "--run", "2026-Q1", "--token", koda, *address)
        out = tmp_path / "koda.csv"
        downloaded = await _invoke(
            "settlement",
            "statement",
            "--run",
            "2026-Q1",
            "--society",
            "KODA",
            "--out",
            str(out),
            "--token",
            koda,
            *address,
        )
        refused = await _invoke(
            "settlement",
            "run",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--run",
            "x",
            "--token",
            koda,
            *address,
        )

    assert loaded.exit_code == 0, loaded.output
    assert _printed(loaded)["rates_loaded"] == 5
    assert ran.exit_code == 0, ran.output
    run = _printed(ran)["run"]
    assert isinstance(run, dict)
    assert run["status"] == "RUN_STATUS_COMPLETED"
    assert _printed(shown)["run_id"] == "2026-Q1"
    assert downloaded.exit_code == 0, downloaded.output
    with out.open(newline="") as file:
        assert next(csv.reader(file))[:3] == ["run_id", "society_code", "line"]
    summary = json.loads((tmp_path / "koda.csv.summary.json").read_text())
    assert len(summary["net_positions"]) == 5
    assert refused.exit_code == 1
    assert "PERMISSION_DENIED" in refused.output
