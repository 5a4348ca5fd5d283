"""Who may call which licensing RPC (deny by default; data-level rules live in the service layer).

Licensees apply and see only their own applications and licences; societies see licences that involve
them; the hub society's ops approve; any principal may verify a licence or fetch the public key. Every
service RPC needs a token (only health and reflection answer anonymous callers); verifying a licence
without any token is what the offline procedure is for (docs/licence-verification.md).
"""

from __future__ import annotations

from nordclear.platform.auth import PrincipalKind
from nordclear.platform.rpc.access import EVERYONE, AccessPolicy, allow
from nordclear.platform.topology import LICENSING

LICENSEE, SOCIETY, OPS, SERVICE = (
    PrincipalKind.LICENSEE,
    PrincipalKind.SOCIETY,
    PrincipalKind.OPS,
    PrincipalKind.SERVICE,
)

ACCESS_POLICY = AccessPolicy(
    LICENSING.grpc_service,
    {
        "RegisterLicensee": allow(LICENSEE, OPS),
        "GetLicensee": allow(LICENSEE, SOCIETY, OPS),
        "Apply": allow(LICENSEE),
        "GetApplication": allow(LICENSEE, SOCIETY, OPS),
        "ListApplications": allow(LICENSEE, SOCIETY, OPS),
        "GetQuote": allow(LICENSEE, SOCIETY, OPS),
        "AcceptQuote": allow(LICENSEE),
        "ApproveApplication": allow(OPS),
        "RejectApplication": allow(OPS),
        "GetLicence": allow(*EVERYONE),
        "ListLicences": allow(LICENSEE, SOCIETY, OPS, SERVICE),
        "SuspendLicence": allow(OPS),
        "ReactivateLicence": allow(OPS),
        "RevokeLicence": allow(OPS),
        "VerifyLicence": allow(*EVERYONE),
        "GetPublicKey": allow(*EVERYONE),
        "CheckCoverage": allow(*EVERYONE),
        "ListTariffs": allow(*EVERYONE),
    },
)
