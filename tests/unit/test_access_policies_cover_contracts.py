"""Every RPC of every service contract has an explicit access rule, and no rule names a missing RPC.

The access table is deny-by-default, so a forgotten rule does not expose anything; but it makes the RPC
unusable without anyone noticing until a client calls it, and a rule for a renamed RPC is dead weight that
hides the missing one. Comparing the tables with the generated descriptors catches both at once.
"""

from __future__ import annotations

import pytest
from google.protobuf.descriptor import FileDescriptor

from nordclear.gen.licensing.v1 import licensing_service_pb2
from nordclear.gen.matching.v1 import matching_service_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2
from nordclear.gen.settlement.v1 import settlement_service_pb2
from nordclear.licensing.entrypoints.access import ACCESS_POLICY as LICENSING_POLICY
from nordclear.matching.entrypoints.access import ACCESS_POLICY as MATCHING_POLICY
from nordclear.platform.auth import PrincipalKind
from nordclear.platform.rpc.access import AccessPolicy, Rule
from nordclear.platform.topology import LICENSING, MATCHING, REPERTOIRE, SETTLEMENT, ServiceSpec
from nordclear.repertoire.entrypoints.access import ACCESS_POLICY as REPERTOIRE_POLICY
from nordclear.settlement.entrypoints.access import ACCESS_POLICY as SETTLEMENT_POLICY

pytestmark = pytest.mark.unit

CASES = [
    pytest.param(spec, file, service, policy, id=spec.name)
    for spec, file, service, policy in [
        (REPERTOIRE, repertoire_service_pb2.DESCRIPTOR, "RepertoireService", REPERTOIRE_POLICY),
        (LICENSING, licensing_service_pb2.DESCRIPTOR, "LicensingService", LICENSING_POLICY),
        (MATCHING, matching_service_pb2.DESCRIPTOR, "MatchingService", MATCHING_POLICY),
        (SETTLEMENT, settlement_service_pb2.DESCRIPTOR, "SettlementService", SETTLEMENT_POLICY),
    ]
]
ARGS = ("spec", "file", "service", "policy")


def _rpc_names(file: FileDescriptor, service: str) -> set[str]:
    return {method.name for method in file.services_by_name[service].methods}


@pytest.mark.parametrize(ARGS, CASES)
def test_the_policy_guards_the_service_the_contract_defines(
    spec: ServiceSpec, file: FileDescriptor, service: str, policy: AccessPolicy
) -> None:
    assert policy.service == spec.grpc_service == file.services_by_name[service].full_name


@pytest.mark.parametrize(ARGS, CASES)
def test_every_rpc_of_the_contract_has_an_explicit_rule(
    spec: ServiceSpec, file: FileDescriptor, service: str, policy: AccessPolicy
) -> None:
    missing = sorted(_rpc_names(file, service) - set(policy.rules))
    assert not missing, f"{spec.name}: RPCs without an access rule: {missing}"


@pytest.mark.parametrize(ARGS, CASES)
def test_the_policy_names_no_rpc_the_contract_lacks(
    spec: ServiceSpec, file: FileDescriptor, service: str, policy: AccessPolicy
) -> None:
    unknown = sorted(set(policy.rules) - _rpc_names(file, service))
    assert not unknown, f"{spec.name}: access rules for RPCs that do not exist: {unknown}"


@pytest.mark.parametrize(ARGS, CASES)
def test_every_rule_admits_someone(
    spec: ServiceSpec, file: FileDescriptor, service: str, policy: AccessPolicy
) -> None:
    """An empty rule is the deny-by-default answer; written explicitly it is almost certainly a mistake."""
    empty = sorted(name for name, rule in policy.rules.items() if rule == Rule())
    assert not empty, f"{spec.name}: rules that admit nobody: {empty}"


@pytest.mark.parametrize(ARGS, CASES)
def test_no_rpc_of_a_service_is_public(
    spec: ServiceSpec, file: FileDescriptor, service: str, policy: AccessPolicy
) -> None:
    """Every service RPC needs a token; only health and reflection answer anonymous callers."""
    public = sorted(name for name, rule in policy.rules.items() if rule.public)
    assert not public, f"{spec.name}: public RPCs: {public}"


@pytest.mark.parametrize(ARGS, CASES)
def test_each_rpc_path_resolves_to_its_own_rule(
    spec: ServiceSpec, file: FileDescriptor, service: str, policy: AccessPolicy
) -> None:
    for method in file.services_by_name[service].methods:
        assert (
            policy.rule_for(f"/{method.containing_service.full_name}/{method.name}")
            is policy.rules[method.name]
        )


@pytest.mark.parametrize(
    ("policy", "method", "kinds"),
    [
        (REPERTOIRE_POLICY, "RegisterWork", {PrincipalKind.SOCIETY, PrincipalKind.OPS}),
        (LICENSING_POLICY, "Apply", {PrincipalKind.LICENSEE}),
        (LICENSING_POLICY, "ApproveApplication", {PrincipalKind.OPS}),
        (MATCHING_POLICY, "ResolveReviewItem", {PrincipalKind.OPS}),
        (SETTLEMENT_POLICY, "RunPeriod", {PrincipalKind.OPS}),
    ],
    ids=["register-work", "apply", "approve", "resolve-review", "run-period"],
)
def test_writes_stay_with_the_principals_that_own_them(
    policy: AccessPolicy, method: str, kinds: set[PrincipalKind]
) -> None:
    assert set(policy.rules[method].kinds) == kinds
