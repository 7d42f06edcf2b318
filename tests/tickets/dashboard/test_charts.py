"""Server-drawn SVG charts: text escaped, no inline style, bars as tall as their values."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tickets.dashboard.charts import HEIGHT, Series, axis_ticks, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>" onload="alert(2)'


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize(
    ("maximum", "integer", "ticks"),
    [
        (0, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),
        (7, True, [0, 2, 4, 6, 8]),
        (23, True, [0, 10, 20, 30]),
        (1, False, [0, 0.25, 0.5, 0.75, 1]),
        (100, False, [0, 25, 50, 75, 100]),
    ],
)
def test_axis_ticks_are_round_and_reach_the_maximum(maximum, integer, ticks) -> None:
    assert axis_ticks(maximum, integer=integer) == ticks


def test_every_label_is_escaped_and_nothing_is_styled_inline() -> None:
    for chart in (
        bar_chart(
            chart_id="c",
            title=HOSTILE,
            description=HOSTILE,
            labels=[HOSTILE, "b"],
            series=[Series(HOSTILE, (1, 2), "brand")],
        ),
        line_chart(
            chart_id="c",
            title=HOSTILE,
            description=HOSTILE,
            labels=[HOSTILE, "b"],
            series=[Series(HOSTILE, (1, None), "ok")],
        ),
    ):
        svg = str(chart.svg)
        root = _parse(svg)  # well-formed: nothing broke out of its element

        assert "<script" not in svg
        assert not [
            e for e in root.iter() if "style" in e.attrib or "onload" in e.attrib
        ]
        assert root.find(f"{SVG}title").text == HOSTILE
        assert root.get("role") == "img"


def test_stacked_bars_are_as_tall_as_their_values_and_carry_their_numbers() -> None:
    chart = bar_chart(
        chart_id="open",
        title="Open",
        description="Open tickets",
        labels=["New", "Open"],
        series=[Series("High", (1, 3), "warn"), Series("Low", (0, 1), "muted")],
    )
    root = _parse(str(chart.svg))
    bars = [
        r for r in root.iter(f"{SVG}rect") if r.get("class", "").startswith("tone-")
    ]

    # Ticks 0..4 over the plot's height: one ticket is a quarter of it.
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in bars}
    assert set(heights) == {"New · High: 1", "Open · High: 3", "Open · Low: 1"}
    assert heights["Open · High: 3"] == pytest.approx(3 * heights["New · High: 1"])
    assert heights["Open · Low: 1"] == pytest.approx(heights["New · High: 1"])
    totals = [
        t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"
    ]
    assert totals == ["1", "4"]
    assert [s.label for s in chart.legend] == ["High", "Low"]


def test_a_missing_value_breaks_the_line() -> None:
    chart = line_chart(
        chart_id="sla",
        title="SLA",
        description="Compliance",
        labels=["1", "2", "3", "4", "5"],
        series=[Series("Met", (50, 60, None, 80, 90), "ok")],
        maximum=100,
    )
    root = _parse(str(chart.svg))

    lines = [p.get("points").split() for p in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 2]
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    # 100 % is the top of the plot, 50 % half-way down.
    top_y = float(lines[1][1].split(",")[1])
    half_y = float(lines[0][0].split(",")[1])
    assert top_y < half_y < HEIGHT


def test_shaded_columns_get_a_legend_entry() -> None:
    chart = bar_chart(
        chart_id="daily",
        title="Days",
        description="Tickets per day",
        labels=["Sat", "Sun"],
        series=[Series("Web", (2, 0), "brand")],
        shaded=[False, True],
        shaded_label="Support closed",
    )

    assert len(re.findall(r'class="chart-shade"', str(chart.svg))) == 1
    assert chart.shaded_label == "Support closed"


def test_an_unknown_tone_is_refused() -> None:
    with pytest.raises(ValueError, match="tone"):
        Series("x", (1,), "red; fill: url(javascript:1)")
