"""Unit tests of nordclear.platform.rpc.access: the deny-by-default table checked before every servicer."""

from __future__ import annotations

import pytest

from nordclear.platform.auth import Principal, PrincipalKind, principal_for
from nordclear.platform.errors import PermissionDenied, Unauthenticated
from nordclear.platform.rpc.access import (
    EVERYONE,
    PUBLIC,
    AccessPolicy,
    Rule,
    allow,
    current_principal,
    set_current_principal,
)

pytestmark = pytest.mark.unit

SERVICE = "nordclear.test.v1.TestService"
POLICY = AccessPolicy(
    SERVICE,
    {
        "Ping": PUBLIC,
        "Write": allow(PrincipalKind.SOCIETY, PrincipalKind.OPS),
        "Read": allow(*EVERYONE),
        "Nobody": Rule(),
    },
)

SOCIETY = principal_for(PrincipalKind.SOCIETY, society="STIM")
LICENSEE = principal_for(PrincipalKind.LICENSEE, licensee_id="acme")
OPS = principal_for(PrincipalKind.OPS)
SERVICE_PRINCIPAL = principal_for(PrincipalKind.SERVICE, service="matching")
ALL_PRINCIPALS = [SOCIETY, LICENSEE, OPS, SERVICE_PRINCIPAL]


def _method(name: str) -> str:
    return f"/{SERVICE}/{name}"


@pytest.mark.parametrize(
    "principal", [*ALL_PRINCIPALS, None], ids=lambda p: p.describe() if p else "anonymous"
)
def test_a_public_rule_admits_everyone_with_or_without_a_token(principal: Principal | None) -> None:
    POLICY.check(_method("Ping"), principal)


@pytest.mark.parametrize("principal", ALL_PRINCIPALS, ids=lambda p: p.describe())
def test_a_method_missing_from_the_table_is_denied_to_everyone(principal: Principal) -> None:
    with pytest.raises(PermissionDenied) as caught:
        POLICY.check(_method("Forgotten"), principal)
    assert principal.describe() in str(caught.value)
    assert _method("Forgotten") in str(caught.value)


def test_a_method_missing_from_the_table_without_a_token_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated, match="bearer token"):
        POLICY.check(_method("Forgotten"), None)


def test_a_missing_method_gets_an_empty_rule() -> None:
    assert POLICY.rule_for(_method("Forgotten")) == Rule()


@pytest.mark.parametrize("principal", ALL_PRINCIPALS, ids=lambda p: p.describe())
def test_an_empty_rule_admits_nobody(principal: Principal) -> None:
    with pytest.raises(PermissionDenied):
        POLICY.check(_method("Nobody"), principal)


@pytest.mark.parametrize("method", ["Write", "Read", "Nobody"])
def test_a_protected_method_without_a_principal_is_unauthenticated(method: str) -> None:
    with pytest.raises(Unauthenticated):
        POLICY.check(_method(method), None)


def test_allow_admits_exactly_the_named_kinds() -> None:
    POLICY.check(_method("Write"), SOCIETY)
    POLICY.check(_method("Write"), OPS)
    POLICY.check(_method("Write"), principal_for(PrincipalKind.OPS, society="KODA"))
    for principal in (LICENSEE, SERVICE_PRINCIPAL):
        with pytest.raises(PermissionDenied, match="may not call"):
            POLICY.check(_method("Write"), principal)


@pytest.mark.parametrize("principal", ALL_PRINCIPALS, ids=lambda p: p.describe())
def test_everyone_means_every_authenticated_kind(principal: Principal) -> None:
    POLICY.check(_method("Read"), principal)


@pytest.mark.parametrize(
    "method",
    [
        "/grpc.health.v1.Health/Check",
        "/grpc.health.v1.Health/Watch",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    ],
)
def test_methods_of_other_services_are_not_this_policys_business(method: str) -> None:
    assert POLICY.rule_for(method) is None
    POLICY.check(method, None)
    POLICY.check(method, LICENSEE)


@pytest.mark.parametrize(
    "method",
    [
        f"/{SERVICE}X/Nobody",
        f"/{SERVICE}/Read/extra",
        f"/{SERVICE}/read",
        f"{SERVICE}/Read",
    ],
)
def test_near_miss_method_names_do_not_borrow_a_rule(method: str) -> None:
    rule = POLICY.rule_for(method)
    assert rule is None or rule == Rule()


def test_a_near_miss_of_this_service_is_denied() -> None:
    with pytest.raises(PermissionDenied):
        POLICY.check(f"/{SERVICE}/Read/extra", LICENSEE)


def test_the_policy_keeps_its_own_copy_of_the_rules() -> None:
    rules = {"Read": allow(PrincipalKind.OPS)}
    policy = AccessPolicy(SERVICE, rules)
    rules["Read"] = PUBLIC
    with pytest.raises(Unauthenticated):
        policy.check(_method("Read"), None)


def test_current_principal_is_the_bound_caller() -> None:
    set_current_principal(SOCIETY)
    try:
        assert current_principal() == SOCIETY
    finally:
        set_current_principal(None)
    with pytest.raises(Unauthenticated):
        current_principal()
