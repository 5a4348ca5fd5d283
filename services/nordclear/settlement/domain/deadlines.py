"""Payment deadlines between societies (Directive 2014/26/EU, Art. 15; BRIEF §5.4).

A collecting society pays a sister society no later than nine months after the end of the financial
year in which it collected. Financial years are data per society (``FinancialYears``): the month and
day the year ends. The member societies' years end on 31 December; a society with another year is one
entry in the table, not a change of code.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from nordclear.platform.errors import InvalidArgument

DEADLINE_MONTHS_AFTER_YEAR_END: Final = 9


@dataclass(frozen=True, slots=True)
class YearEnd:
    """The last month and day of a financial year."""

    month: int
    day: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidArgument("financial_year_end.month", self.month, "must be 1 to 12")
        # 29 February is refused: a year end must exist every year.
        if not 1 <= self.day <= calendar.monthrange(2001, self.month)[1]:
            raise InvalidArgument(
                "financial_year_end.day", self.day, f"must be a day of month {self.month} in every year"
            )


CALENDAR_YEAR: Final = YearEnd(12, 31)

DEFAULT_FINANCIAL_YEARS: Final[Mapping[str, YearEnd]] = MappingProxyType(
    {
        "040": CALENDAR_YEAR,
        "077": CALENDAR_YEAR,
        "079": CALENDAR_YEAR,
        "089": CALENDAR_YEAR,
        "090": CALENDAR_YEAR,
    }
)
"""Financial year ends of the member societies by CISAC code (each publishes calendar-year accounts)."""


def financial_year_end(collected_on: date, year_end: YearEnd) -> date:
    """The last day of the financial year that contains ``collected_on``."""
    this_year = date(collected_on.year, year_end.month, year_end.day)
    return (
        this_year if collected_on <= this_year else date(collected_on.year + 1, year_end.month, year_end.day)
    )


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (30 Sep + 5 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def payment_deadline(collected_on: date, year_end: YearEnd) -> tuple[date, date]:
    """The financial year end and the deadline (nine months after it) for money collected on a day."""
    end = financial_year_end(collected_on, year_end)
    if end.day == calendar.monthrange(end.year, end.month)[1]:
        # A year ending on a month's last day gives a deadline on a month's last day (31 Dec → 30 Sep).
        target = add_months(date(end.year, end.month, 1), DEADLINE_MONTHS_AFTER_YEAR_END)
        return end, date(target.year, target.month, calendar.monthrange(target.year, target.month)[1])
    return end, add_months(end, DEADLINE_MONTHS_AFTER_YEAR_END)


def year_end_of(society_code: str, years: Mapping[str, YearEnd]) -> YearEnd:
    """The society's financial year end; calendar year when the table has no entry."""
    return years.get(society_code, CALENDAR_YEAR)
