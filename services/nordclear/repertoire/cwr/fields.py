"""Reading one fixed-width record: slicing its fields and turning each into a typed, validated value.

A ``FieldReader`` is made for one line and one layout. Each accessor returns the field's value in the
form ``records`` documents and, when the value breaks a rule, records a ``CwrProblem`` and returns the
field's default instead, so a bad field never stops the reading of the rest of the record. Identifier
checks reuse ``nordclear.platform.domain``; nothing about CWR identifiers is re-implemented here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, time
from typing import Final

from nordclear.platform.domain.identifiers import (
    normalise_ipi_base_number,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
)
from nordclear.platform.domain.societies import cisac_society, normalise_cisac_code
from nordclear.platform.domain.territories import parse_tis_code
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.cwr.layouts import Slicer
from nordclear.repertoire.cwr.problems import CwrProblem, Level, problem

FULL_SHARE_BP: Final = 10_000
"""100.00 %: CWR shares are five digits with two implied decimals, i.e. basis points."""

# CWR fills a society field with 000 or 099 for a party that belongs to no society (099 is "NS" in the
# CISAC table); the packaged CISAC list has neither, and both mean "no society" here, not an error.
_NO_SOCIETY_CODES: Final = frozenset({"000", "099"})
_FLAG_VALUES: Final = frozenset({"Y", "N", "U"})
_SECONDS_PER_HOUR: Final = 3600
_SECONDS_PER_MINUTE: Final = 60

# The identifier normalisers of nordclear.platform.domain.identifiers: (value, field name) -> stored form.
_Normaliser = Callable[[str, str], str]
# Files repeat the same parties and societies on every work; remembering recent answers saves most of
# the checking, and the bound keeps memory flat however large the file is.
_CACHED_VALUES: Final = 4096


class FieldReader:
    """The fields of one record line, read and validated on demand; problems collect in ``problems``."""

    __slots__ = ("problems", "record_number", "record_type", "texts")

    def __init__(self, line: str, slicer: Slicer, record_number: int, record_type: str) -> None:
        self.texts: dict[str, str] = dict(zip(slicer.names, map(str.strip, slicer.cut(line)), strict=True))
        """Every field of the layout without its space padding (blank when the line stops early)."""
        self.record_number = record_number
        self.record_type = record_type
        self.problems: list[CwrProblem] = []

    def report(self, field: str, value: str, rule: str, severity: Level) -> None:
        """Record a problem with ``field`` of this record."""
        self.problems.append(problem(self.record_number, self.record_type, field, value, rule, severity))

    def text(self, name: str) -> str:
        """The field without its space padding; ``""`` when the record's version has no such field."""
        return self.texts.get(name, "")

    def required_text(self, name: str, what: str, severity: Level = Level.TRANSACTION) -> str:
        """The field without padding; an empty one breaks the rule that ``what`` must be given."""
        value = self.texts.get(name, "")
        if not value:
            self.report(name, value, f"{what} must be given", severity)
        return value

    def code(self, name: str, allowed: frozenset[str], *, required: bool, severity: Level) -> str:
        """A lookup code from ``allowed``; a wrong (or missing required) one is reported and cleared."""
        value = self.texts.get(name, "")
        if not value:
            if required:
                self.report(name, value, f"must be one of {_listed(allowed)}", severity)
            return ""
        if value not in allowed:
            self.report(name, value, f"must be one of {_listed(allowed)}", severity)
            return ""
        return value

    def flag(self, name: str) -> str:
        """A Y/N/U flag as written, or ``""``; anything else is rejected (FR)."""
        value = self.texts.get(name, "")
        if value and value not in _FLAG_VALUES:
            self.report(name, value, "a flag is Y, N, U or blank", Level.FIELD)
            return ""
        return value

    def integer(self, name: str, severity: Level = Level.FIELD) -> int | None:
        """A numeric field as an int, ``None`` when blank; non-digits are reported at ``severity``."""
        value = self.texts.get(name, "")
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            self.report(name, value, "must be digits only", severity)
            return None
        return int(value)

    def required_integer(self, name: str, what: str, severity: Level = Level.TRANSACTION) -> int | None:
        """A numeric field that must be given: blank or non-digits are reported at ``severity``."""
        if not self.texts.get(name):
            self.report(name, "", f"{what} must be given", severity)
            return None
        return self.integer(name, severity)

    def share_bp(self, name: str) -> int:
        """A share in basis points (``05000`` is 5000 bp, 50.00 %); blank is 0.

        A share that is not a number, or is above 100 %, rejects the transaction (TR): every share rule
        of the work depends on it, and a guessed share would misdirect money.
        """
        value = self.texts.get(name, "")
        if not value:
            return 0
        if not (value.isascii() and value.isdigit()):
            self.report(name, value, "a share is 5 digits, 00000-10000 (0.00-100.00 %)", Level.TRANSACTION)
            return 0
        share_bp = int(value)
        if share_bp > FULL_SHARE_BP:
            self.report(name, value, "a share is at most 10000 (100.00 %)", Level.TRANSACTION)
            return 0
        return share_bp

    def society(self, name: str) -> str | None:
        """A CISAC society code in three-digit form, or ``None``; an unknown code is rejected (FR)."""
        value = self.texts.get(name, "")
        if not value:
            return None
        code, rule = _society_code(value)
        if rule is not None:
            self.report(name, value, rule, Level.FIELD)
        return code

    def ipi_name_number(self, name: str) -> str | None:
        """An IPI name number, or ``None``; all zeros means "not given"; an invalid one is rejected (FR)."""
        value = self.texts.get(name, "")
        if not value or value.strip("0") == "":
            return None
        return self._identifier(name, value, normalise_ipi_name_number)

    def ipi_base_number(self, name: str) -> str | None:
        """An IPI base number ``I-123456789-C``, or ``None``; an invalid one is rejected (FR)."""
        value = self.texts.get(name, "")
        if not value:
            return None
        return self._identifier(name, value, normalise_ipi_base_number)

    def iswc(self, name: str) -> str | None:
        """An ISWC ``T1234567894``, or ``None``; an invalid one is rejected (FR), as CWR 2.1 says."""
        value = self.texts.get(name, "")
        if not value:
            return None
        return self._identifier(name, value, normalise_iswc)

    def isrc(self, name: str) -> str | None:
        """An ISRC, or ``None``; an invalid one is rejected (FR)."""
        value = self.texts.get(name, "")
        if not value:
            return None
        return self._identifier(name, value, normalise_isrc)

    def calendar_date(self, name: str, severity: Level = Level.FIELD) -> date | None:
        """A YYYYMMDD date; blank or all zeros is ``None``; an impossible date is reported at ``severity``."""
        value = self.texts.get(name, "")
        if not value or value.strip("0") == "":
            return None
        if len(value) == 8 and value.isascii() and value.isdigit():
            try:
                return date(int(value[:4]), int(value[4:6]), int(value[6:]))
            except ValueError:
                pass
        self.report(name, value, "a date is YYYYMMDD", severity)
        return None

    def required_date(self, name: str, what: str, severity: Level) -> date | None:
        """A YYYYMMDD date that must be given: blank or all zeros is reported at ``severity``."""
        if not self.texts.get(name, "").strip("0"):
            self.report(name, self.texts.get(name, ""), f"{what} must be given", severity)
            return None
        return self.calendar_date(name, severity)

    def time_of_day(self, name: str, severity: Level = Level.FIELD) -> time | None:
        """An HHMMSS time of day; blank is ``None``; an impossible time is reported at ``severity``."""
        value = self.texts.get(name, "")
        if not value:
            return None
        if len(value) == 6 and value.isascii() and value.isdigit():
            try:
                return time(int(value[:2]), int(value[2:4]), int(value[4:]))
            except ValueError:
                pass
        self.report(name, value, "a time is HHMMSS", severity)
        return None

    def duration_s(self, name: str) -> int | None:
        """An HHMMSS duration in seconds; blank or ``000000`` is ``None``; a bad one is rejected (FR)."""
        value = self.texts.get(name, "")
        if not value or value.strip("0") == "":
            return None
        if len(value) == 6 and value.isascii() and value.isdigit():
            hours, minutes, seconds = int(value[:2]), int(value[2:4]), int(value[4:])
            if minutes < _SECONDS_PER_MINUTE and seconds < _SECONDS_PER_MINUTE:
                return hours * _SECONDS_PER_HOUR + minutes * _SECONDS_PER_MINUTE + seconds
        self.report(name, value, "a duration is HHMMSS with minutes and seconds below 60", Level.FIELD)
        return None

    def tis_code(self, name: str) -> int | None:
        """A CISAC TIS-N territory code; a missing or invalid one rejects the transaction (TR).

        The territory decides who collects where, so a record with an unreadable one cannot stand, and
        dropping it alone would silently move its shares to someone else.
        """
        value = self.texts.get(name, "")
        try:
            return parse_tis_code(value, name)
        except InvalidArgument as error:
            self.report(name, value, error.rule, Level.TRANSACTION)
            return None

    def _identifier(self, name: str, value: str, normalise: _Normaliser) -> str | None:
        stored, rule = _normalised(normalise, value)
        if rule is not None:
            self.report(name, value, rule, Level.FIELD)
        return stored


@functools.lru_cache(maxsize=_CACHED_VALUES)
def _society_code(value: str) -> tuple[str | None, str | None]:
    """(three-digit code or None, the broken rule or None) for a society field's text."""
    try:
        code = normalise_cisac_code(value)
        return (None, None) if code in _NO_SOCIETY_CODES else (cisac_society(code).cisac_code, None)
    except InvalidArgument as error:
        return None, error.rule


@functools.lru_cache(maxsize=_CACHED_VALUES)
def _normalised(normalise: _Normaliser, value: str) -> tuple[str | None, str | None]:
    """(stored form or None, the broken rule or None) for an identifier field's text."""
    try:
        return normalise(value, "identifier"), None
    except InvalidArgument as error:
        return None, error.rule


def _listed(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))
