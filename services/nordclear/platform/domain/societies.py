"""The five member societies of the clearing house and the CISAC society code list (BRIEF §3.1).

| society | CISAC code | territory | currency |
| ------- | ---------- | --------- | -------- |
| KODA    | 040        | DK        | DKK      |
| STEF    | 077        | IS        | ISK      |
| STIM    | 079        | SE        | SEK      |
| TEOSTO  | 089        | FI        | EUR      |
| TONO    | 090        | NO        | NOK      |

NCB (Nordisk Copyright Bureau, CISAC 048) administers mechanical (reproduction) rights for the Nordic
societies. It issues no licence and holds no settlement position here, so it is named by
``NCB_CISAC_CODE`` rather than listed as a member.

CISAC codes are three digits with leading zeros (``"040"``); files and people also write ``"40"`` or
40, so every lookup normalises first. Any CISAC code resolves to a society name through the packaged
list in ``data/cisac_societies.csv``, read once on first use.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Final

from nordclear.platform.domain._display import shown
from nordclear.platform.domain.money import DKK, EUR, ISK, NOK, SEK, Currency
from nordclear.platform.domain.territories import Territory, parse_territory
from nordclear.platform.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class Society:
    """A member society: the licensing hub and settlement party for one territory."""

    name: str
    cisac_code: str
    territory: Territory
    currency: Currency

    @property
    def tis_code(self) -> int:
        """The CISAC TIS-N code of the society's home territory."""
        return self.territory.tis_code


@dataclass(frozen=True, slots=True)
class CisacSociety:
    """One row of the CISAC society list: any society in the world, member or not."""

    cisac_code: str
    name: str
    country: str


KODA: Final = Society("KODA", "040", Territory.DK, DKK)
STEF: Final = Society("STEF", "077", Territory.IS, ISK)
STIM: Final = Society("STIM", "079", Territory.SE, SEK)
TEOSTO: Final = Society("TEOSTO", "089", Territory.FI, EUR)
TONO: Final = Society("TONO", "090", Territory.NO, NOK)

MEMBER_SOCIETIES: Final[tuple[Society, ...]] = (KODA, STEF, STIM, TEOSTO, TONO)
NCB_CISAC_CODE: Final = "048"

_MEMBER_BY_CODE: Final[Mapping[str, Society]] = MappingProxyType({s.cisac_code: s for s in MEMBER_SOCIETIES})
_MEMBER_BY_NAME: Final[Mapping[str, Society]] = MappingProxyType({s.name: s for s in MEMBER_SOCIETIES})
_MEMBER_BY_TERRITORY: Final[Mapping[Territory, Society]] = MappingProxyType(
    {s.territory: s for s in MEMBER_SOCIETIES}
)

_CISAC_CODE_RULE: Final = "a CISAC society code is 1 to 3 digits, e.g. 040 or 40"
_MEMBER_CODE_RULE: Final = "must be the CISAC code of a member society: 040, 077, 079, 089 or 090"
_MEMBER_NAME_RULE: Final = "must be a member society: KODA, STEF, STIM, TEOSTO or TONO"
_SOCIETIES_CSV: Final = "cisac_societies.csv"


def normalise_cisac_code(value: int | str, field: str = "society_code") -> str:
    """The three-digit form of a CISAC society code: ``"40"``, ``"040"`` and 40 all give ``"040"``."""
    if isinstance(value, bool):
        raise InvalidArgument(field, value, _CISAC_CODE_RULE)
    if isinstance(value, int):
        digits = str(value)
    elif isinstance(value, str):
        digits = value.strip()
    else:
        raise InvalidArgument(field, shown(value), _CISAC_CODE_RULE)
    # isascii() as well, because str.isdigit() also accepts other scripts' digits.
    if not (1 <= len(digits) <= 3 and digits.isascii() and digits.isdigit()):
        raise InvalidArgument(field, shown(value), _CISAC_CODE_RULE)
    return digits.zfill(3)


def society_by_code(value: int | str, field: str = "society_code") -> Society:
    """The member society with CISAC code ``value`` (``"040"``, ``"40"`` or 40 for KODA)."""
    society = _MEMBER_BY_CODE.get(normalise_cisac_code(value, field))
    if society is None:
        raise InvalidArgument(field, value, _MEMBER_CODE_RULE)
    return society


def society_by_name(value: str, field: str = "society") -> Society:
    """The member society called ``value``, ignoring case and surrounding spaces (``"Teosto"``)."""
    if not isinstance(value, str):
        raise InvalidArgument(field, shown(value), _MEMBER_NAME_RULE)
    society = _MEMBER_BY_NAME.get(value.strip().upper()) if value.isascii() else None
    if society is None:
        raise InvalidArgument(field, shown(value), _MEMBER_NAME_RULE)
    return society


def society_for_territory(value: Territory | str, field: str = "territory") -> Society:
    """The member society whose home territory is ``value`` (a Territory or an ISO alpha-2 code)."""
    territory = value if isinstance(value, Territory) else parse_territory(value, field)
    return _MEMBER_BY_TERRITORY[territory]


def is_member_society_code(value: object) -> bool:
    """Whether ``value`` is the CISAC code of one of the five member societies."""
    if not isinstance(value, (int, str)):
        return False
    try:
        society_by_code(value)
    except InvalidArgument:
        return False
    return True


def cisac_society(value: int | str, field: str = "society_code") -> CisacSociety:
    """The CISAC list entry for society code ``value``, member or not."""
    society = cisac_societies().get(normalise_cisac_code(value, field))
    if society is None:
        raise InvalidArgument(field, value, "is not a code in the CISAC society list")
    return society


def cisac_society_name(value: int | str, field: str = "society_code") -> str:
    """The name of the society with CISAC code ``value``, e.g. ``"ASCAP"`` for 10."""
    return cisac_society(value, field).name


@functools.cache
def cisac_societies() -> Mapping[str, CisacSociety]:
    """Every society in the packaged CISAC list, by three-digit code (read once, on first use)."""
    text = (
        resources.files("nordclear.platform.domain")
        .joinpath("data")
        .joinpath(_SOCIETIES_CSV)
        .read_text(encoding="utf-8")
    )
    by_code: dict[str, CisacSociety] = {}
    for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row:
            continue
        society = _parse_society_row(row, line_number)
        if society.cisac_code in by_code:
            raise RuntimeError(f"{_SOCIETIES_CSV} line {line_number}: duplicate code {society.cisac_code}")
        by_code[society.cisac_code] = society
    return MappingProxyType(by_code)


def _parse_society_row(row: list[str], line_number: int) -> CisacSociety:
    # The file ships with the code, so a malformed row is a packaging bug, not bad input: fail loudly.
    if len(row) != 3:
        raise RuntimeError(f"{_SOCIETIES_CSV} line {line_number}: expected code,name,country, got {row!r}")
    code, name, country = (field.strip() for field in row)
    try:
        cisac_code = normalise_cisac_code(code, "code")
    except InvalidArgument as error:
        raise RuntimeError(f"{_SOCIETIES_CSV} line {line_number}: {error}") from error
    return CisacSociety(cisac_code, name, country)
