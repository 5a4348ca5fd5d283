"""Validating a report line by line as it streams in, with bounded memory (BRIEF §5.1).

A report is accepted or rejected as a whole: ``ReportValidator`` checks each line as it arrives, keeps
the first ``MAX_KEPT_VIOLATIONS`` violations with their line numbers and counts the rest, and flags (but
keeps) lines outside the licence's stages, territories or term, outputs without the required label, and
recordings or outputs that appear twice. Identifiers are normalised here, so the matcher sees one form.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Final

from nordclear.matching.domain.licence import Licence
from nordclear.matching.domain.model import (
    FULL_BP,
    DateRange,
    Influence,
    LineFlag,
    ReportKind,
    UsageLine,
    UsageReference,
    Violation,
)
from nordclear.platform.domain.identifiers import normalise_isrc, normalise_iswc
from nordclear.platform.domain.societies import society_by_code, society_by_name
from nordclear.platform.errors import InvalidArgument

MAX_KEPT_VIOLATIONS: Final = 1_000
MAX_TEXT_CHARS: Final = 512
MAX_WRITERS: Final = 50
MAX_INFLUENCES: Final = 1_000
# An ISRC already in its stored form (the common case) needs no normalising: two letters, three
# letters or digits, seven digits, as ``normalise_isrc`` would leave it.
_STORED_ISRC: Final = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")


@dataclass(frozen=True, slots=True)
class ReportHeaderFacts:
    """What the validator needs from the header."""

    kind: ReportKind
    period: DateRange
    declared_line_count: int


class ReportValidator:
    """Checks one report's lines in order; ask ``violations`` and ``violations_total`` at the end."""

    def __init__(self, header: ReportHeaderFacts, licence: Licence) -> None:
        self._header = header
        self._licence = licence
        self._stage_licensed = header.kind.stage in licence.stages
        self._last_line_number = 0
        # Keys of recordings (manifests) or outputs (attribution) seen: 8-byte digests keep a
        # million-line report's set to tens of megabytes.
        self._seen: set[bytes] = set()
        self.violations: list[Violation] = []
        self.violations_total = 0
        self.lines_total = 0
        self.lines_flagged = 0
        self.units_total = 0

    def refuse(self, line_number: int, error: InvalidArgument) -> None:
        """Count a violation found before the line reached ``check`` (while decoding it)."""
        self._add(Violation(line_number, error.field, _shown(error.value), error.rule))

    def note_line_number(self, line_number: int) -> None:
        """Check that line numbers start at 1 and increase by one, even for lines that failed decoding."""
        expected = self._last_line_number + 1
        if line_number != expected:
            self._add(
                Violation(
                    line_number,
                    "line_number",
                    str(line_number),
                    f"lines are numbered 1, 2, 3, … in order; expected {expected}",
                )
            )
        self._last_line_number = max(self._last_line_number, line_number)
        self.lines_total += 1

    def check(self, line: UsageLine) -> UsageLine | None:
        """The line normalised and flagged, or None after recording why it is invalid."""
        try:
            checked = self._checked(line)
        except InvalidArgument as error:
            self._add(Violation(line.line_number, error.field, _shown(error.value), error.rule))
            return None
        if checked.flags:
            self.lines_flagged += 1
        self.units_total += len(checked.units)
        return checked

    def finish(self, trailer_line_count: int | None) -> None:
        """Whole-report checks once every line has arrived."""
        declared = self._header.declared_line_count
        if declared and declared != self.lines_total:
            self._add(
                Violation(0, "declared_line_count", str(declared), f"{self.lines_total} lines were received")
            )
        if trailer_line_count is not None and trailer_line_count != self.lines_total:
            self._add(
                Violation(
                    0,
                    "trailer.line_count",
                    str(trailer_line_count),
                    f"{self.lines_total} lines were received",
                )
            )
        if self.lines_total == 0:
            self._add(Violation(0, "lines", "0", "a report has at least one line"))

    @property
    def accepted(self) -> bool:
        """Whether no violation was found."""
        return self.violations_total == 0

    def _add(self, violation: Violation) -> None:
        self.violations_total += 1
        if len(self.violations) < MAX_KEPT_VIOLATIONS:
            self.violations.append(violation)

    def _checked(self, line: UsageLine) -> UsageLine:
        if line.kind is not self._header.kind:
            raise InvalidArgument(
                "content", line.kind.value, f"a {self._header.kind.value} report has only such lines"
            )
        flags: set[LineFlag] = set()
        if not self._stage_licensed:
            flags.add(LineFlag.STAGE_NOT_LICENSED)
        if line.kind is ReportKind.TRAINING_MANIFEST:
            checked = self._manifest_line(line, flags)
        elif line.kind is ReportKind.SERVICE_REVENUE:
            checked = self._revenue_line(line, flags)
        else:
            checked = self._attribution_line(line, flags)
        # Most lines carry no flag and need no copy: a million-line report makes a million of them.
        return replace(checked, flags=frozenset(flags)) if flags else checked

    def _manifest_line(self, line: UsageLine, flags: set[LineFlag]) -> UsageLine:
        if len(line.units) != 1:
            raise InvalidArgument("training_manifest.reference", len(line.units), "exactly one reference")
        reference = _reference(line.units[0], "training_manifest.reference")
        if line.content_sha256 and not _is_sha256(line.content_sha256):
            raise InvalidArgument(
                "training_manifest.content_sha256", line.content_sha256, "64 lower-case hex digits"
            )
        key = reference.isrc or reference.iswc or reference.work_id or reference.society_work_code
        if key and self._seen_before(f"ref:{key}"):
            flags.add(LineFlag.DUPLICATE)
        return line if reference is line.units[0] else replace(line, units=(reference,))

    def _revenue_line(self, line: UsageLine, flags: set[LineFlag]) -> UsageLine:
        if line.territory is None:
            raise InvalidArgument("service_revenue.territory", "", "name the territory of the revenue")
        if line.amount is None:
            raise InvalidArgument("service_revenue.revenue", "", "give the revenue and its currency")
        if line.amount.amount_minor < 0:
            raise InvalidArgument(
                "service_revenue.revenue.amount_minor", line.amount.amount_minor, "not negative"
            )
        if line.active_users < 0:
            raise InvalidArgument("service_revenue.active_users", line.active_users, "not negative")
        period = line.period or self._header.period
        if period.start > period.end:
            raise InvalidArgument("service_revenue.period", _range(period), "start must not be after end")
        if not self._header.period.covers(period):
            raise InvalidArgument(
                "service_revenue.period",
                _range(period),
                f"within the report's period {_range(self._header.period)}",
            )
        self._flag_scope(line.territory, period, flags)
        return replace(line, period=period)

    def _attribution_line(self, line: UsageLine, flags: set[LineFlag]) -> UsageLine:
        if not line.output_id.strip():
            raise InvalidArgument("output_attribution.output_id", line.output_id, "name the output")
        if len(line.output_id) > 128:
            raise InvalidArgument("output_attribution.output_id", line.output_id, "at most 128 characters")
        if line.territory is None:
            raise InvalidArgument("output_attribution.territory", "", "name the territory of use")
        if line.amount is None:
            raise InvalidArgument("output_attribution.revenue", "", "give the revenue and its currency")
        if line.amount.amount_minor < 0:
            raise InvalidArgument(
                "output_attribution.revenue.amount_minor", line.amount.amount_minor, "not negative"
            )
        if not line.influences:
            raise InvalidArgument("output_attribution.influences", 0, "at least one influence")
        if len(line.influences) > MAX_INFLUENCES:
            raise InvalidArgument(
                "output_attribution.influences", len(line.influences), f"at most {MAX_INFLUENCES}"
            )
        influences = tuple(self._influence(i, influence) for i, influence in enumerate(line.influences))
        total_bp = sum(influence.share_bp for influence in influences)
        if total_bp > FULL_BP:
            raise InvalidArgument(
                "output_attribution.influences.share_bp",
                total_bp,
                "the shares of one output total at most 10000 bp",
            )
        used_on = line.used_on
        if used_on is not None and not self._header.period.contains(used_on):
            raise InvalidArgument(
                "output_attribution.used_on",
                used_on.isoformat(),
                f"within the report's period {_range(self._header.period)}",
            )
        day = used_on or self._header.period.start
        self._flag_scope(line.territory, DateRange(day, day), flags)
        if self._licence.output_label and not line.label_applied:
            flags.add(LineFlag.LABEL_NOT_APPLIED)
        if self._seen_before(f"out:{line.output_id}"):
            flags.add(LineFlag.DUPLICATE)
        return replace(
            line,
            influences=influences,
            units=tuple(influence.reference for influence in influences),
            period=DateRange(day, day) if used_on else self._header.period,
        )

    def _influence(self, index: int, influence: Influence) -> Influence:
        field = f"output_attribution.influences[{index}]"
        if not 0 < influence.share_bp <= FULL_BP:
            raise InvalidArgument(f"{field}.share_bp", influence.share_bp, "from 1 to 10000 bp")
        if not 0 <= influence.confidence_bp <= FULL_BP:
            raise InvalidArgument(f"{field}.confidence_bp", influence.confidence_bp, "from 0 to 10000 bp")
        return replace(influence, reference=_reference(influence.reference, f"{field}.reference"))

    def _flag_scope(self, territory: object, period: DateRange, flags: set[LineFlag]) -> None:
        if territory not in self._licence.territories:
            flags.add(LineFlag.TERRITORY_NOT_LICENSED)
        if not self._licence.term.covers(period):
            flags.add(LineFlag.OUTSIDE_TERM)

    def _seen_before(self, key: str) -> bool:
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        if digest in self._seen:
            return True
        self._seen.add(digest)
        return False


def _reference(reference: UsageReference, field: str) -> UsageReference:
    """The reference with identifiers in stored form; InvalidArgument for a malformed one."""
    if reference.is_empty:
        raise InvalidArgument(field, "", "give an ISRC, ISWC, society work id, work id or at least a title")
    for name in ("title", "main_artist", "work_id"):
        if len(getattr(reference, name)) > MAX_TEXT_CHARS:
            raise InvalidArgument(
                f"{field}.{name}", getattr(reference, name)[:40] + "…", f"at most {MAX_TEXT_CHARS} characters"
            )
    if len(reference.writers) > MAX_WRITERS:
        raise InvalidArgument(f"{field}.writers", len(reference.writers), f"at most {MAX_WRITERS} names")
    if reference.duration_ms < 0:
        raise InvalidArgument(f"{field}.duration_ms", reference.duration_ms, "not negative")
    isrc = reference.isrc
    if isrc and _STORED_ISRC.fullmatch(isrc) is None:
        isrc = normalise_isrc(isrc, f"{field}.isrc")
    iswc = normalise_iswc(reference.iswc, f"{field}.iswc") if reference.iswc else ""
    society_code = reference.society_code
    if reference.society_work_code or society_code:
        if not reference.society_work_code.strip():
            raise InvalidArgument(f"{field}.society_work_id.work_code", "", "give the society's work code")
        society_code = _society_code(society_code, f"{field}.society_work_id.society_code")
    if isrc == reference.isrc and iswc == reference.iswc and society_code == reference.society_code:
        return reference
    return replace(reference, isrc=isrc, iswc=iswc, society_code=society_code)


def _society_code(value: str, field: str) -> str:
    """The CISAC code of a society written by code ("079") or by name ("STIM")."""
    stripped = value.strip()
    if not stripped:
        raise InvalidArgument(field, value, "name the society whose work code this is")
    if stripped.isdigit():
        return society_by_code(stripped, field).cisac_code
    return society_by_name(stripped, field).cisac_code


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(character in "0123456789abcdef" for character in value)


def _range(period: DateRange) -> str:
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
