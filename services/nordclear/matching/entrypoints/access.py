"""Who may call which matching RPC (deny by default; data-level rules live in the service layer).

Licensees submit and read their own reports; societies read what matched their repertoire; ops work the
review queue; services read index status and matches.
"""

from __future__ import annotations

from nordclear.platform.auth import PrincipalKind
from nordclear.platform.rpc.access import EVERYONE, AccessPolicy, allow
from nordclear.platform.topology import MATCHING

LICENSEE, SOCIETY, OPS, SERVICE = (
    PrincipalKind.LICENSEE,
    PrincipalKind.SOCIETY,
    PrincipalKind.OPS,
    PrincipalKind.SERVICE,
)

ACCESS_POLICY = AccessPolicy(
    MATCHING.grpc_service,
    {
        "SubmitReport": allow(LICENSEE, OPS),
        "SubmitReportFile": allow(LICENSEE, OPS),
        "GetReport": allow(*EVERYONE),
        "ListReports": allow(*EVERYONE),
        "ListReportLines": allow(*EVERYONE),
        "ListReviewQueue": allow(OPS),
        "ResolveReviewItem": allow(OPS),
        "RetryUnmatched": allow(OPS),
        "GetIndexStatus": allow(OPS, SERVICE, SOCIETY),
    },
)
