"""What every view shares: who is looking, a page of rows, and sorting within a page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from nordclear.dashboard.views.clients import Problem, ServiceProblem
from nordclear.gen.common.v1 import codes_pb2, paging_pb2
from nordclear.platform.auth import Principal

T = TypeVar("T")

PAGE_SIZE = 50
"""Rows per page: one screen or two, and never a full-table load."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person: their token (sent with every call) and the principal it names."""

    token: str
    principal: Principal

    @property
    def society(self) -> codes_pb2.Society.ValueType:
        """The proto Society a society's ops act for; unspecified for clearing-house ops."""
        if self.principal.society is None:
            return codes_pb2.SOCIETY_UNSPECIFIED
        return codes_pb2.Society.Value(f"SOCIETY_{self.principal.society}")

    @property
    def scope(self) -> str:
        """``STIM ops`` or ``clearing-house ops``."""
        return f"{self.principal.society} ops" if self.principal.society else "clearing-house ops"


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One page of rows and where the next starts; or the problem that left it empty."""

    rows: list[T] = field(default_factory=list)
    next_page_token: str = ""
    total: int | None = None
    problem: Problem | None = None


def page_request(page_token: str, page_size: int = PAGE_SIZE) -> paging_pb2.PageRequest:
    """The PageRequest for a page token taken from the query string."""
    return paging_pb2.PageRequest(page_size=page_size, page_token=page_token)


def paged(rows: list[T], page: paging_pb2.PageResponse, problem: Problem | None = None) -> Paged[T]:
    """A Paged from a response's rows and its PageResponse."""
    return Paged(
        rows=rows,
        next_page_token=page.next_page_token,
        total=page.total_size if page.HasField("total_size") else None,
        problem=problem,
    )


def failed(error: ServiceProblem) -> Paged[T]:
    """An empty page that says why."""
    return Paged(problem=error.problem)


@dataclass(frozen=True, slots=True)
class Sort:
    """A column to sort the rows of the current page by, from ``?sort=column`` or ``?sort=-column``."""

    column: str
    descending: bool

    @classmethod
    def parse(cls, value: str, allowed: Sequence[str]) -> Sort | None:
        """The sort named in the query string, or None when it names no sortable column."""
        column = value.removeprefix("-")
        return cls(column, value.startswith("-")) if column in allowed else None

    def apply(self, rows: list[T], key: Callable[[T, str], object]) -> list[T]:
        """``rows`` ordered by ``key(row, column)``; rows without a value go last."""
        present = [row for row in rows if key(row, self.column) not in (None, "")]
        absent = [row for row in rows if key(row, self.column) in (None, "")]
        present.sort(key=lambda row: _comparable(key(row, self.column)), reverse=self.descending)
        return present + absent


def _comparable(value: object) -> tuple[int, float, str]:
    if isinstance(value, int | float):
        return (0, float(value), "")
    return (1, 0.0, str(value).casefold())


def sort_rows(rows: list[T], sort: Sort | None) -> list[T]:
    """``rows`` sorted by ``sort`` on their attributes, or as the service ordered them."""
    if sort is None:
        return rows
    return sort.apply(rows, lambda row, column: getattr(row, column, None))
