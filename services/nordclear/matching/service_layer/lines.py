"""Reading a report's stored lines back as validated domain lines (for re-sent usage and line listings)."""

from __future__ import annotations

from dataclasses import replace

from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.adapters import report_proto
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.licence import Licence, LicenceStatus
from nordclear.matching.domain.model import UsageLine
from nordclear.matching.domain.report import Report
from nordclear.matching.domain.validation import ReportHeaderFacts, ReportValidator


async def raw_lines(
    uow: MatchingUnitOfWork, report_pk: str, line_numbers: list[int]
) -> dict[int, report_pb2.ReportLine]:
    """The stored protobuf lines with these numbers."""
    if not line_numbers:
        return {}
    wanted = set(line_numbers)
    found: dict[int, report_pb2.ReportLine] = {}
    for payload in await uow.reports.chunks(report_pk, min(wanted), max(wanted)):
        for line in report_proto.lines_of_payload(payload):
            if line.line_number in wanted:
                found[line.line_number] = line
    return found


async def stored_lines(
    uow: MatchingUnitOfWork, report: Report, line_numbers: list[int]
) -> dict[int, UsageLine]:
    """The validated domain lines with these numbers, with the flags they were stored with.

    Lines are validated again (which normalises identifiers and fills in default periods, exactly as at
    intake) against the licence as the read model holds it now; the flags come from storage, because
    a duplicate can only be judged over the whole report.
    """
    raw = await raw_lines(uow, report.report_pk, line_numbers)
    if not raw:
        return {}
    licence = await uow.licences.get(report.header.licence_id)
    if licence is None:  # a report is only ever accepted under a known licence; stay usable regardless
        licence = Licence(
            report.header.licence_id, report.header.licensee_id, frozenset(), frozenset(),
            report.header.period, LicenceStatus.ACTIVE,
        )  # fmt: skip
    validator = ReportValidator(ReportHeaderFacts(report.header.kind, report.header.period, 0), licence)
    flags = await uow.reports.flags(report.report_pk, min(raw), max(raw))
    result: dict[int, UsageLine] = {}
    for number, message in raw.items():
        line = validator.check(report_proto.line_from_proto(message))
        if line is not None:
            result[number] = replace(line, flags=frozenset(flags.get(number, set())))
    return result
