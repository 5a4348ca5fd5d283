"""Who may call which settlement RPC (deny by default; data-level rules live in the service layer).

Societies see their own statements and positions; ops run periods, load rates, post corrections,
confirm payments and release suspense; every such action is also logged with the caller. The servicer
narrows those writes to clearing-house ops: a society's ops read their society's data only.
"""

from __future__ import annotations

from nordclear.platform.auth import PrincipalKind
from nordclear.platform.rpc.access import AccessPolicy, allow
from nordclear.platform.topology import SETTLEMENT

SOCIETY, OPS, SERVICE = PrincipalKind.SOCIETY, PrincipalKind.OPS, PrincipalKind.SERVICE
READERS = allow(SOCIETY, OPS, SERVICE)

ACCESS_POLICY = AccessPolicy(
    SETTLEMENT.grpc_service,
    {
        "RunPeriod": allow(OPS),
        "GetRun": READERS,
        "ListRuns": READERS,
        "StreamStatement": READERS,
        "GetNetPositions": READERS,
        "ListPaymentInstructions": READERS,
        "ListObligations": READERS,
        "ConfirmPayment": allow(OPS),
        "GetLedgerBalances": READERS,
        "ListLedgerEntries": READERS,
        "PostTransfers": allow(OPS, SERVICE),
        "ReverseTransfer": allow(OPS),
        "ListSuspense": READERS,
        "ReleaseSuspense": allow(OPS),
        "LoadFxRates": allow(OPS),
        "ListFxRates": READERS,
    },
)
