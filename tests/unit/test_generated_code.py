"""The generated protobuf/gRPC code is current with protos/ and exposes the contracts the services rely on."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.gen.matching.v1 import matching_service_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
GEN_ROOT = REPO_ROOT / "services" / "nordclear" / "gen"

# (module of the service's messages, service name, fully-qualified name used by health and reflection)
SERVICES = [
    (
        "nordclear.gen.repertoire.v1.repertoire_service_pb2",
        "RepertoireService",
        "nordclear.repertoire.v1.RepertoireService",
    ),
    (
        "nordclear.gen.licensing.v1.licensing_service_pb2",
        "LicensingService",
        "nordclear.licensing.v1.LicensingService",
    ),
    (
        "nordclear.gen.matching.v1.matching_service_pb2",
        "MatchingService",
        "nordclear.matching.v1.MatchingService",
    ),
    (
        "nordclear.gen.settlement.v1.settlement_service_pb2",
        "SettlementService",
        "nordclear.settlement.v1.SettlementService",
    ),
]


def _generated_modules() -> list[str]:
    """Every generated Python module under nordclear.gen, by dotted name."""
    modules = []
    for path in sorted(GEN_ROOT.rglob("*.py")):
        relative = path.relative_to(GEN_ROOT).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        modules.append(".".join(("nordclear", "gen", *parts)))
    return modules


def test_generated_code_matches_the_protos() -> None:
    """Regenerating from protos/ changes nothing; otherwise list the stale files and how to fix them."""
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "protos" / "generate.py"), "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        "generated code in services/nordclear/gen is out of date with protos/ "
        "(run: python protos/generate.py):\n" + result.stdout + result.stderr
    )


@pytest.mark.parametrize("module_name", _generated_modules())
def test_every_generated_module_imports(module_name: str) -> None:
    """Each generated module imports under nordclear.gen (its own imports were rewritten correctly)."""
    importlib.import_module(module_name)


@pytest.mark.parametrize(("module_name", "service_name", "expected"), SERVICES)
def test_service_has_its_fully_qualified_name(module_name: str, service_name: str, expected: str) -> None:
    """Each service keeps the proto name that health checks, reflection and clients address it by."""
    messages = importlib.import_module(module_name)
    assert messages.DESCRIPTOR.services_by_name[service_name].full_name == expected
    stubs = importlib.import_module(f"{module_name}_grpc")
    assert hasattr(stubs, f"{service_name}Stub")
    assert hasattr(stubs, f"add_{service_name}Servicer_to_server")


def test_event_envelope_carries_work_registered_in_its_payload_oneof() -> None:
    """WorkRegistered travels in the envelope's payload oneof as field work_registered."""
    field = envelope_pb2.EventEnvelope.DESCRIPTOR.fields_by_name["work_registered"]
    assert field.containing_oneof is not None
    assert field.containing_oneof.name == "payload"
    assert field.message_type is not None
    assert field.message_type.full_name == "nordclear.events.v1.WorkRegistered"


def test_every_envelope_payload_is_named_after_its_event() -> None:
    """Payload field names are the snake_case of the event message, so event_type maps to one field."""
    payload = envelope_pb2.EventEnvelope.DESCRIPTOR.oneofs_by_name["payload"]
    assert payload.fields, "the payload oneof has no events"
    for field in payload.fields:
        assert field.message_type is not None, f"payload field {field.name} is not a message"
        event_name = field.message_type.name
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in event_name).lstrip("_")
        assert field.name == snake, f"payload field {field.name} carries {event_name}"
        assert field.message_type.full_name == f"nordclear.events.v1.{event_name}"


def test_register_work_request_keeps_its_idempotency_key_and_work() -> None:
    """RegisterWorkRequest: request_id = 1 (client-chosen idempotency key), work = 2."""
    fields = repertoire_service_pb2.RegisterWorkRequest.DESCRIPTOR.fields_by_name
    assert (fields["request_id"].number, fields["work"].number) == (1, 2)
    assert fields["work"].message_type is not None
    assert fields["work"].message_type.full_name == "nordclear.repertoire.v1.Work"


def test_index_status_response_field_numbers() -> None:
    """GetIndexStatusResponse fields keep their numbers, which readers of the read model depend on."""
    fields = matching_service_pb2.GetIndexStatusResponse.DESCRIPTOR.fields_by_name
    assert {name: field.number for name, field in fields.items()} == {
        "works_indexed": 1,
        "recordings_indexed": 2,
        "changes_applied": 3,
        "last_change_at": 4,
    }
