"""Who may call which repertoire RPC (deny by default; data-level rules live in the service layer).

Societies maintain their members' works and consents; every principal may read the repertoire, since
licensees must be able to see what a licence covers; services read it to build their read models.
"""

from __future__ import annotations

from nordclear.platform.auth import PrincipalKind
from nordclear.platform.rpc.access import EVERYONE, AccessPolicy, allow
from nordclear.platform.topology import REPERTOIRE

SOCIETY, OPS, SERVICE = PrincipalKind.SOCIETY, PrincipalKind.OPS, PrincipalKind.SERVICE
MAINTAINERS = allow(SOCIETY, OPS)
READERS = allow(*EVERYONE)

ACCESS_POLICY = AccessPolicy(
    REPERTOIRE.grpc_service,
    {
        "RegisterWork": MAINTAINERS,
        "UpdateWork": MAINTAINERS,
        "DeleteWork": MAINTAINERS,
        "GetWork": READERS,
        "ListWorks": READERS,
        "BatchLookup": READERS,
        "SearchWorks": READERS,
        "ImportCwr": MAINTAINERS,
        "StreamCwrAcknowledgement": MAINTAINERS,
        "ExportCwr": MAINTAINERS,
        "RegisterRecording": MAINTAINERS,
        "GetRecording": READERS,
        "RecordConsent": MAINTAINERS,
        "RevokeConsent": MAINTAINERS,
        "GetConsentHistory": allow(SOCIETY, OPS, SERVICE),
        "GetConsentStatus": READERS,
        "CheckLicensability": READERS,
        "StreamSnapshot": allow(SERVICE, OPS),
    },
)
