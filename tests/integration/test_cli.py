"""The ``nordclear`` command: key generation and token minting, checked by verifying what it prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from nordclear.cli.main import app
from nordclear.platform.auth import PrincipalKind, TokenVerifier, load_public_key
from nordclear.platform.errors import Unauthenticated

runner = CliRunner()


def _init_keys(data_dir: Path) -> Path:
    result = runner.invoke(app, ["keys", "init", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return data_dir / "keys"


def _mint(keys: Path, *options: str) -> Result:
    return runner.invoke(app, ["token", "mint", *options, "--key-file", str(keys / "token-signing.pem")])


def test_minted_token_verifies_and_names_the_principal(tmp_path: Path) -> None:
    keys = _init_keys(tmp_path)
    result = _mint(keys, "--kind", "society", "--society", "079")
    assert result.exit_code == 0, result.output

    principal = TokenVerifier(load_public_key(keys / "token-signing.pub.pem")).verify(result.output.strip())

    assert principal.kind is PrincipalKind.SOCIETY
    assert principal.society == "STIM"


def test_keys_init_keeps_an_existing_key_unless_forced(tmp_path: Path) -> None:
    keys = _init_keys(tmp_path)
    before = (keys / "token-signing.pem").read_bytes()

    _init_keys(tmp_path)
    assert (keys / "token-signing.pem").read_bytes() == before

    forced = runner.invoke(app, ["keys", "init", "--data-dir", str(tmp_path), "--force"])
    assert forced.exit_code == 0
    assert (keys / "token-signing.pem").read_bytes() != before


def test_a_token_from_a_replaced_key_no_longer_verifies(tmp_path: Path) -> None:
    keys = _init_keys(tmp_path)
    old = _mint(keys, "--kind", "ops")
    runner.invoke(app, ["keys", "init", "--data-dir", str(tmp_path), "--force"])

    with pytest.raises(Unauthenticated):
        TokenVerifier(load_public_key(keys / "token-signing.pub.pem")).verify(old.output.strip())


def test_minting_for_a_society_that_is_not_a_member_is_refused(tmp_path: Path) -> None:
    keys = _init_keys(tmp_path)
    result = _mint(keys, "--kind", "society", "--society", "PRS")
    assert result.exit_code != 0
    assert "PRS" in result.output
