"""A service process with a bad setting stops before it binds anything, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nordclear.platform.topology import SERVICES


@pytest.mark.parametrize("service", [spec.name for spec in SERVICES])
def test_bad_setting_stops_the_process_and_names_the_variable(service: str) -> None:
    prefix = f"NORDCLEAR_{service.upper()}_"
    env = {**os.environ, f"{prefix}GRPC_ADDRESS": "no-port-here", f"{prefix}LOG_LEVEL": "CHATTY"}

    result = subprocess.run(
        [sys.executable, "-m", f"nordclear.{service}"], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert f"{prefix}GRPC_ADDRESS='no-port-here'" in result.stderr
    assert f"{prefix}LOG_LEVEL='CHATTY'" in result.stderr
    assert "Traceback" not in result.stderr
