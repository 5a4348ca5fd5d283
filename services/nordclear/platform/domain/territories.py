"""The five licence territories and the CISAC TIS territory codes that name them (BRIEF §3.1, §3.3).

A licence covers some of Denmark, Finland, Iceland, Norway and Sweden, identified by ISO 3166-1
alpha-2 codes. CWR files and society data name territories by CISAC TIS-N numeric codes instead:
countries by their ISO 3166 numeric code (1-999), groups by codes 2100-2136. A list of (TIS code,
include/exclude) entries, as in CWR SPT/SWT records, resolves to the licence territories it covers with
``resolve_tis_entries``.

Group membership below is restricted to the five licence territories and follows the CISAC TIS
hierarchy: 2127 NORDIC COUNTRIES is exactly DK, FI, IS, NO, SE (the brief's five; we assume nothing
else under it matters, and treat Greenland, the Faroe Islands and Åland as outside the licence, since
the licence names only the five countries); 2131 SCANDINAVIA is DK, NO, SE; 2122
EUROPEAN CONTINENT holds FI and SCANDINAVIA but not IS; 2120 EUROPE holds all five; 2121 EUROPEAN
ECONOMIC AREA holds all five; 2123 EUROPEAN UNION holds DK, FI, SE; 2136 WORLD holds all five. Group
membership dates (the EEA from 1994, Finland and Sweden in the EU from 1995) lie long before any AI
licence, so current membership is used without dates. Every other TIS group covers none of the five.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from nordclear.platform.domain._display import shown
from nordclear.platform.errors import InvalidArgument


class Territory(StrEnum):
    """A licence territory, by its ISO 3166-1 alpha-2 code."""

    DK = "DK"
    FI = "FI"
    IS = "IS"
    NO = "NO"
    SE = "SE"

    @property
    def tis_code(self) -> int:
        """The CISAC TIS-N numeric code of this country (equal to its ISO 3166 numeric code)."""
        return TIS_CODE_BY_TERRITORY[self]

    @property
    def country_name(self) -> str:
        """The English name of the country."""
        return _COUNTRY_NAME_BY_TERRITORY[self]


LICENCE_TERRITORIES: Final = frozenset(Territory)

TIS_CODE_BY_TERRITORY: Final[Mapping[Territory, int]] = MappingProxyType(
    {Territory.DK: 208, Territory.FI: 246, Territory.IS: 352, Territory.NO: 578, Territory.SE: 752}
)
_COUNTRY_NAME_BY_TERRITORY: Final[Mapping[Territory, str]] = MappingProxyType(
    {
        Territory.DK: "Denmark",
        Territory.FI: "Finland",
        Territory.IS: "Iceland",
        Territory.NO: "Norway",
        Territory.SE: "Sweden",
    }
)

TIS_EUROPE: Final = 2120
TIS_EUROPEAN_ECONOMIC_AREA: Final = 2121
TIS_EUROPEAN_CONTINENT: Final = 2122
TIS_EUROPEAN_UNION: Final = 2123
TIS_NORDIC_COUNTRIES: Final = 2127
TIS_SCANDINAVIA: Final = 2131
TIS_WORLD: Final = 2136

# TIS-N ranges: countries use their ISO 3166 numeric code, groups are numbered from 2100 to 2136.
_TIS_COUNTRY_CODES: Final = range(1, 1000)
_TIS_GROUP_CODES: Final = range(2100, 2137)

_SCANDINAVIA: Final = frozenset({Territory.DK, Territory.NO, Territory.SE})
_COVERAGE_BY_TIS_CODE: Final[Mapping[int, frozenset[Territory]]] = MappingProxyType(
    {
        **{code: frozenset({territory}) for territory, code in TIS_CODE_BY_TERRITORY.items()},
        TIS_EUROPE: LICENCE_TERRITORIES,
        TIS_EUROPEAN_ECONOMIC_AREA: LICENCE_TERRITORIES,
        TIS_EUROPEAN_CONTINENT: _SCANDINAVIA | {Territory.FI},
        TIS_EUROPEAN_UNION: frozenset({Territory.DK, Territory.FI, Territory.SE}),
        TIS_NORDIC_COUNTRIES: LICENCE_TERRITORIES,
        TIS_SCANDINAVIA: _SCANDINAVIA,
        TIS_WORLD: LICENCE_TERRITORIES,
    }
)
_TERRITORY_BY_TIS_CODE: Final[Mapping[int, Territory]] = MappingProxyType(
    {code: territory for territory, code in TIS_CODE_BY_TERRITORY.items()}
)

_TERRITORY_RULE: Final = "must be one of the licence territories DK, FI, IS, NO, SE (ISO 3166-1 alpha-2)"
_TIS_CODE_RULE: Final = "must be a CISAC TIS-N code: a country 1-999 or a country group 2100-2136"


def parse_territory(value: str, field: str = "territory") -> Territory:
    """The licence territory for an ISO 3166-1 alpha-2 code such as ``"dk"`` or ``" SE "``."""
    if not isinstance(value, str) or not value.isascii():
        raise InvalidArgument(field, shown(value), _TERRITORY_RULE)
    try:
        return Territory(value.strip().upper())
    except ValueError:
        raise InvalidArgument(field, shown(value), _TERRITORY_RULE) from None


def parse_tis_code(value: int | str, field: str = "tis_code") -> int:
    """A CISAC TIS-N code from an int or digits as CWR writes them (``"0208"``, ``"2136"``)."""
    code = _tis_code_as_int(value, field)
    if code not in _TIS_COUNTRY_CODES and code not in _TIS_GROUP_CODES:
        raise InvalidArgument(field, value, _TIS_CODE_RULE)
    return code


def territory_for_tis_code(value: int | str, field: str = "tis_code") -> Territory:
    """The licence territory whose TIS country code is ``value`` (208, 246, 352, 578 or 752)."""
    territory = _TERRITORY_BY_TIS_CODE.get(parse_tis_code(value, field))
    if territory is None:
        raise InvalidArgument(
            field, value, "must be the TIS code of a licence territory: 208, 246, 352, 578 or 752"
        )
    return territory


def territories_covered_by(value: int | str, field: str = "tis_code") -> frozenset[Territory]:
    """The licence territories inside TIS country or group ``value``; empty for any other territory."""
    return _COVERAGE_BY_TIS_CODE.get(parse_tis_code(value, field), frozenset())


def resolve_tis_entries(
    entries: Iterable[Sequence[int | str | bool]], field: str = "territories"
) -> frozenset[Territory]:
    """The licence territories covered by CWR-style ``(tis_code, indicator)`` entries.

    ``indicator`` is ``"I"`` (include) or ``"E"`` (exclude), or a bool meaning include. Entries apply in
    order starting from nothing, as CWR SPT/SWT records do: an include adds the territories of its code,
    an exclude removes them, and a later entry overrides an earlier one. So ``[(2136, "I"), (208, "E")]``
    is every licence territory but Denmark, while ``[(208, "E"), (2136, "I")]`` is all five. Codes of
    territories outside the licence (826, 2111, ...) are valid and simply cover nothing here.
    """
    covered: set[Territory] = set()
    for index, entry in enumerate(entries):
        entry_field = f"{field}[{index}]"
        code, indicator = _entry_parts(entry, entry_field)
        territories = territories_covered_by(code, f"{entry_field}.tis_code")
        if _is_include(indicator, f"{entry_field}.indicator"):
            covered |= territories
        else:
            covered -= territories
    return frozenset(covered)


def _entry_parts(entry: Sequence[int | str | bool], field: str) -> tuple[int | str, object]:
    if isinstance(entry, (str, bytes)) or not isinstance(entry, Sequence) or len(entry) != 2:
        raise InvalidArgument(field, shown(entry), "must be a pair (tis_code, 'I' or 'E')")
    code, indicator = entry
    if isinstance(code, bool):
        raise InvalidArgument(f"{field}.tis_code", code, _TIS_CODE_RULE)
    return code, indicator


def _is_include(indicator: object, field: str) -> bool:
    if isinstance(indicator, bool):
        return indicator
    if isinstance(indicator, str) and indicator.strip().upper() in ("I", "E"):
        return indicator.strip().upper() == "I"
    raise InvalidArgument(field, shown(indicator), "must be 'I' (include) or 'E' (exclude), as in CWR")


def _tis_code_as_int(value: int | str, field: str) -> int:
    if isinstance(value, bool):
        raise InvalidArgument(field, value, _TIS_CODE_RULE)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        digits = value.strip()
        # At most four ASCII digits, as in the CWR fixed-width field; str.isdigit alone would accept
        # other scripts' digits.
        if 1 <= len(digits) <= 4 and digits.isascii() and digits.isdigit():
            return int(digits)
    raise InvalidArgument(field, shown(value), _TIS_CODE_RULE)
