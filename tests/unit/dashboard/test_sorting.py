"""Unit tests of sorting a page's rows by a column named in the query string."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from nordclear.dashboard.views.common import Sort, sort_rows

pytestmark = pytest.mark.unit


@dataclass
class Row:
    name: str
    rate: int | None


ROWS = [Row("b", 20), Row("A", None), Row("c", 5)]


def test_only_allowed_columns_sort() -> None:
    assert Sort.parse("-rate", ["rate"]) == Sort("rate", descending=True)
    assert Sort.parse("__class__", ["rate"]) is None
    assert sort_rows(ROWS, None) == ROWS


def test_numbers_sort_numerically_text_without_case_and_blanks_go_last() -> None:
    assert [r.name for r in sort_rows(ROWS, Sort("rate", descending=False))] == ["c", "b", "A"]
    assert [r.name for r in sort_rows(ROWS, Sort("rate", descending=True))] == ["b", "c", "A"]
    assert [r.name for r in sort_rows(ROWS, Sort("name", descending=False))] == ["A", "b", "c"]
