"""The figures a benchmark reports, each beside its target and, where there is one, its baseline.

Every ``bench_*.py`` ends by printing ``summary_line(...)``: one JSON object whose ``figures`` list
``run_all`` turns into the report's table (figure, value, target, met, baseline, ratio). Details that
explain a figure (sizes, seeds, percentiles) go beside them under ``details``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure."""

    name: str
    value: float
    unit: str
    target: float | None = None
    """The BRIEF §7.1 target, in the same unit; None where the brief sets none."""
    better: Literal["higher", "lower"] = "higher"
    """Which way the figure improves, so "met" can be decided."""
    baseline: str | None = None
    """What the figure is compared with side by side (a bare gRPC echo server, Splink, plain SQL)."""
    baseline_value: float | None = None

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None without a target."""
        if self.target is None:
            return None
        return self.value >= self.target if self.better == "higher" else self.value <= self.target

    @property
    def ratio_to_baseline(self) -> float | None:
        """The figure divided by the baseline's (None without one)."""
        if self.baseline_value in (None, 0):
            return None
        assert self.baseline_value is not None
        return round(self.value / self.baseline_value, 3)


def summary_line(benchmark: str, figures: Sequence[Figure], **details: object) -> str:
    """The JSON line a benchmark prints last."""
    rows = [
        {**asdict(figure), "met": figure.met, "ratio_to_baseline": figure.ratio_to_baseline}
        for figure in figures
    ]
    return json.dumps({"benchmark": benchmark, "figures": rows, "details": details}, sort_keys=True)
