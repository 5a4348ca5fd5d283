"""Who may call which repertoire RPC (deny by default; data-level rules live in the service layer).

Societies maintain their members' works and consents; societies, ops and services read the repertoire
(services to build their read models); licensees get coverage answers only (CheckLicensability), not the
database itself.
"""

from __future__ import annotations

from nordclear.platform.auth import PrincipalKind
from nordclear.platform.rpc.access import EVERYONE, AccessPolicy, allow
from nordclear.platform.topology import REPERTOIRE

SOCIETY, OPS, SERVICE = PrincipalKind.SOCIETY, PrincipalKind.OPS, PrincipalKind.SERVICE
MAINTAINERS = allow(SOCIETY, OPS)
READERS = allow(SOCIETY, OPS, SERVICE)

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
        "CheckLicensability": allow(*EVERYONE),
        "StreamSnapshot": allow(SERVICE, OPS),
    },
)
