"""Licensing runs its schedule (licence expiry) while it serves; a failed run does not end it, stop does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nordclear.licensing import bootstrap
from nordclear.licensing.settings import LicensingSettings
from nordclear.platform.settings import load_settings
from nordclear.platform.topology import LICENSING
from tests.conftest import Keys
from tests.support.polling import eventually
from tests.support.services import service_environment


async def test_periodic_steps_run_until_stop_and_survive_a_failure(
    database_url: str, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys, tmp_path: Path
) -> None:
    env = service_environment(
        LICENSING,
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
        consume_topics_from_services="false",
        licence_signing_key_file=str(tmp_path / "licence.pem"),
        expiry_check_interval_ms="1000",
    )
    runtime = bootstrap.build(load_settings(LicensingSettings, LICENSING, env))
    runs: list[int] = []

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the first run fails")

    async def count() -> int:
        return len(runs)

    runtime.add_periodic(flaky, 200, "test-flaky")
    await runtime.start()
    try:
        await eventually(count, lambda n: n >= 3, timeout_s=20, what="three runs, the first one failing")
    finally:
        await runtime.stop()
    after_stop = len(runs)
    await asyncio.sleep(0.6)  # three intervals of the step: none may run once the service stopped

    assert (tmp_path / "licence.pem").exists()
    assert after_stop >= 3
    assert len(runs) == after_stop
