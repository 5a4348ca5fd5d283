"""Unit tests of the dashboard's SVG charts: scaling, the zero line, escaping, and the empty case."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from nordclear.dashboard.charts import LABEL_WIDTH_PX, PLOT_WIDTH_PX, Bar, bar_chart, sparkline

pytestmark = pytest.mark.unit
SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    # The inline SVG carries no namespace (HTML adds it); give it one so ElementTree can parse it.
    return ET.fromstring(str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_bars_are_proportional_to_their_values() -> None:
    chart = _parse(bar_chart("Rates", [Bar("a", 100, "100"), Bar("b", 25, "25")]))
    widths = [float(rect.attrib["width"]) for rect in chart.iter(f"{SVG}rect")]
    assert widths == [PLOT_WIDTH_PX, PLOT_WIDTH_PX / 4]
    assert not list(chart.iter(f"{SVG}line")), "no zero line when nothing is negative"


def test_negative_values_extend_left_of_a_zero_line_in_the_middle() -> None:
    chart = _parse(bar_chart("Net", [Bar("STIM", 300, "3.00 EUR"), Bar("KODA", -300, "-3.00 EUR")]))
    rects = list(chart.iter(f"{SVG}rect"))
    zero_x = LABEL_WIDTH_PX + PLOT_WIDTH_PX / 2
    assert float(rects[0].attrib["x"]) == zero_x
    assert float(rects[1].attrib["x"]) + float(rects[1].attrib["width"]) == zero_x
    (line,) = chart.iter(f"{SVG}line")
    assert float(line.attrib["x1"]) == zero_x


def test_every_value_is_written_out_and_summarised_for_screen_readers() -> None:
    markup = str(bar_chart("Match rate", [Bar("r-1", 9500, "95.00 %"), Bar("r-2", 5000, "50.00 %")]))
    chart = _parse(markup)
    texts = [text.text for text in chart.iter(f"{SVG}text")]
    assert "95.00 %" in texts
    assert "50.00 %" in texts
    assert chart.attrib["role"] == "img"
    assert chart.attrib["aria-label"] == "Match rate: r-1: 95.00 %; r-2: 50.00 %"


def test_labels_are_escaped() -> None:
    markup = str(bar_chart("<b>t</b>", [Bar('<script>alert("x")</script>', 1, "1 & 2")]))
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert "1 &amp; 2" in markup
    _parse(markup)  # still well-formed


def test_an_empty_chart_says_so() -> None:
    assert "nothing to show yet" in str(bar_chart("Lag", []))


def test_sparkline_scales_to_its_maximum_and_needs_two_values() -> None:
    assert "collecting samples" in str(sparkline("Requests", [3.0]))
    markup = str(sparkline("Requests", [0.0, 5.0, 10.0], width_px=100, height_px=30))
    points = re.search(r'points="([^"]+)"', markup)
    assert points is not None
    ys = [float(pair.split(",")[1]) for pair in points[1].split()]
    assert ys[0] == 28.0
    assert ys[2] == 2.0


def test_long_labels_widen_the_label_column_instead_of_being_cut() -> None:
    label = "nordclear.settlement.from-licensing"
    chart = _parse(bar_chart("Lag", [Bar(label, 5, "5 behind")]))
    (rect,) = chart.iter(f"{SVG}rect")
    assert float(rect.attrib["x"]) >= len(label) * 7
    (first_text, *_) = chart.iter(f"{SVG}text")
    assert float(first_text.attrib["x"]) < float(rect.attrib["x"])
