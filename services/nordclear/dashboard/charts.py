"""Charts drawn on the server as inline SVG: no script, no bundle, readable by screen readers.

Each chart carries a ``<title>`` and an ``aria-label`` that say in words what it shows, and every bar
has its value written beside it, so nobody has to read a number off an axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR_HEIGHT_PX = 22
BAR_GAP_PX = 8
LABEL_WIDTH_PX = 150
"""Room for labels at the least; longer labels widen it (up to ``MAX_LABEL_WIDTH_PX``)."""
MAX_LABEL_WIDTH_PX = 360
CHAR_WIDTH_PX = 7
"""Average width of a character of the 12 px label font, to size the label column."""
VALUE_WIDTH_PX = 150
PLOT_WIDTH_PX = 420


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value (any unit, may be negative), the value as text, and its tone."""

    label: str
    value: float
    text: str
    tone: str = "neutral"
    """``good``, ``bad``, ``warn`` or ``neutral``; styled by the stylesheet."""


def bar_chart(title: str, bars: Sequence[Bar], *, css_id: str = "") -> Markup:
    """Horizontal bars, diverging from a zero line when some values are negative."""
    if not bars:
        return Markup('<p class="empty">{}</p>').format(f"{title}: nothing to show yet.")
    largest = max(abs(bar.value) for bar in bars) or 1.0
    has_negative = any(bar.value < 0 for bar in bars)
    label_width = min(
        max(LABEL_WIDTH_PX, max(len(bar.label) for bar in bars) * CHAR_WIDTH_PX + 12), MAX_LABEL_WIDTH_PX
    )
    zero_x = label_width + (PLOT_WIDTH_PX / 2 if has_negative else 0)
    scale = (PLOT_WIDTH_PX / 2 if has_negative else PLOT_WIDTH_PX) / largest
    width = label_width + PLOT_WIDTH_PX + VALUE_WIDTH_PX
    height = len(bars) * (BAR_HEIGHT_PX + BAR_GAP_PX) + BAR_GAP_PX
    summary = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    parts = [
        f'<svg class="chart bar-chart" {_id(css_id)}role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}: {escape(summary)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        y = BAR_GAP_PX + index * (BAR_HEIGHT_PX + BAR_GAP_PX)
        length = abs(bar.value) * scale
        x = zero_x - length if bar.value < 0 else zero_x
        text_y = y + BAR_HEIGHT_PX * 0.7
        parts.append(
            f'<text class="label" x="{label_width - 8}" y="{text_y:.1f}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect class="bar {escape(bar.tone)}" x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" '
            f'height="{BAR_HEIGHT_PX}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
        )
        parts.append(
            f'<text class="value" x="{label_width + PLOT_WIDTH_PX + 8}" y="{text_y:.1f}">'
            f"{escape(bar.text)}</text>"
        )
    if has_negative:
        parts.append(f'<line class="zero" x1="{zero_x}" x2="{zero_x}" y1="0" y2="{height}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def sparkline(title: str, values: Sequence[float], *, width_px: int = 120, height_px: int = 28) -> Markup:
    """A small line of recent values (oldest left); a dash when there are fewer than two."""
    if len(values) < 2:
        return Markup('<span class="muted" title="{}">—</span>').format(f"{title}: collecting samples")
    top = max(values) or 1.0
    step = width_px / (len(values) - 1)
    points = " ".join(
        f"{index * step:.1f},{height_px - 2 - (value / top) * (height_px - 4):.1f}"
        for index, value in enumerate(values)
    )
    return Markup(  # noqa: S704 - the title is escaped, the rest are numbers
        f'<svg class="chart sparkline" role="img" width="{width_px}" height="{height_px}" '
        f'viewBox="0 0 {width_px} {height_px}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<polyline points="{points}" fill="none"/></svg>'
    )


def _id(css_id: str) -> str:
    return f'id="{escape(css_id)}" ' if css_id else ""
