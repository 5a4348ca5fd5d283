"""Which principals may call which RPC: a table per service, checked before the servicer runs.

The table is deny-by-default: an RPC missing from it is refused for everyone, so a new RPC cannot be
exposed by forgetting to write its rule. Finer rules that depend on the data (a society edits only its own
members' works) belong in the service layer, which reads the caller from ``current_principal()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from nordclear.platform.auth import Principal, PrincipalKind
from nordclear.platform.errors import PermissionDenied, Unauthenticated

EVERYONE = frozenset(PrincipalKind)
"""Any authenticated principal."""

_current_principal: ContextVar[Principal | None] = ContextVar("nordclear_principal", default=None)


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may call one RPC: principal kinds, or ``public`` for calls that need no token at all."""

    kinds: frozenset[PrincipalKind] = frozenset()
    public: bool = False


PUBLIC = Rule(public=True)


def allow(*kinds: PrincipalKind) -> Rule:
    """A rule admitting the given principal kinds."""
    return Rule(kinds=frozenset(kinds))


class AccessPolicy:
    """Rules keyed by RPC method name (``RegisterWork``) for one gRPC service."""

    def __init__(self, service: str, rules: Mapping[str, Rule]) -> None:
        self.service = service
        self.rules = dict(rules)

    def rule_for(self, full_method: str) -> Rule | None:
        """The rule for ``/package.Service/Method``, or None when the method is not this service's."""
        prefix = f"/{self.service}/"
        if not full_method.startswith(prefix):
            return None
        return self.rules.get(full_method.removeprefix(prefix), Rule())

    def check(self, full_method: str, principal: Principal | None) -> None:
        """Raise unless ``principal`` may call ``full_method``."""
        rule = self.rule_for(full_method)
        if rule is None or rule.public:
            return
        if principal is None:
            raise Unauthenticated("this call needs a bearer token (metadata 'authorization: Bearer …')")
        if principal.kind not in rule.kinds:
            raise PermissionDenied(f"{principal.describe()} may not call {full_method}")


def current_principal() -> Principal:
    """The caller of the RPC being served; only valid inside an RPC that is not public."""
    principal = _current_principal.get()
    if principal is None:
        raise Unauthenticated("no authenticated principal for this call")
    return principal


def set_current_principal(principal: Principal | None) -> None:
    """Bind the caller for the current RPC (the interceptor does this)."""
    _current_principal.set(principal)
