"""The coverage answer (is a work licensable, and who gets each share) as a CheckLicensability response."""

from __future__ import annotations

from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.platform.domain.societies import is_member_society_code, society_by_code
from nordclear.platform.protoconv import society_to_proto
from nordclear.repertoire.adapters.work_proto import party_role_to_proto, right_to_proto
from nordclear.repertoire.domain.coverage import Coverage, NotLicensable
from nordclear.repertoire.domain.work import Work

_ISSUES = {
    NotLicensable.DELETED: pb.LICENSABILITY_ISSUE_WORK_DELETED,
    NotLicensable.NO_CONSENT: pb.LICENSABILITY_ISSUE_NO_CONSENT,
    NotLicensable.CONSENT_REVOKED: pb.LICENSABILITY_ISSUE_CONSENT_REVOKED,
    NotLicensable.NO_OWNERSHIP: pb.LICENSABILITY_ISSUE_NO_OWNERSHIP,
}


def licensability_to_proto(work: Work, coverage: Coverage) -> pb.CheckLicensabilityResponse:
    """The response for ``coverage`` of ``work``.

    Shares without a mandate do not make a work unlicensable (their money is held in suspense), but
    they are reported as NO_MANDATE issues, and shares administered by a non-member society as
    NON_MEMBER_SOCIETY, so that the caller sees where money will not reach a member society.
    """
    parties = {party.party_key: party for party in work.parties}
    issues = [_ISSUES[reason.code] for reason in coverage.reasons]
    allocations = []
    for right in coverage.rights:
        for share in right.assignments:
            party = parties[share.party_key]
            allocation = pb.ShareAllocation(
                party_key=share.party_key,
                party_name=" ".join(p for p in (party.first_name, party.name) if p),
                ipi_name_number=party.ipi_name_number or "",
                role=party_role_to_proto(party.role),
                right=right_to_proto(share.right),
                share_bp=share.share_bp,
                society_code=share.society_code or "",
            )
            if share.society_code is None:
                issues.append(pb.LICENSABILITY_ISSUE_NO_MANDATE)
            elif is_member_society_code(share.society_code):
                allocation.society = society_to_proto(society_by_code(share.society_code).name)
            else:
                issues.append(pb.LICENSABILITY_ISSUE_NON_MEMBER_SOCIETY)
            allocations.append(allocation)
    return pb.CheckLicensabilityResponse(
        work_id=work.work_id,
        licensable=coverage.licensable,
        issues=sorted(set(issues)),
        allocations=allocations,
        work_revision=work.revision,
    )
