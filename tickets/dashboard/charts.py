"""Charts as inline SVG drawn on the server: no JavaScript, nothing loaded from elsewhere.

Every text that goes into a chart is escaped here (`format_html`). Shapes
carry no style attribute: a class names their tone (`tone-brand`, `tone-bad`,
...) and static/css/site.css colours it from the site's palette, which the
HTML legend beside the chart shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

TONES = frozenset({"brand", "sky", "ok", "warn", "bad", "muted"})

# Drawn about as wide as shown, so that text keeps the page's size: a chart
# in half the page, or across all of it.
HALF = 560
WIDE = 1200
HEIGHT = 250
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 18, 30
# The width an axis label needs so that its neighbours do not overlap it.
LABEL_WIDTH = 40


def queue_url(filters: Iterable[tuple[str, str]]) -> str:
    """The staff queue filtered to the tickets behind a bar, a point or a
    report's row (the queue's own parameters)."""
    return f"{reverse('tickets_staff:queue')}?{urlencode(list(filters))}"


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[float | None, ...]
    tone: str

    def __post_init__(self) -> None:
        if self.tone not in TONES:
            raise ValueError(f"Unknown tone {self.tone!r}")


@dataclass(frozen=True, slots=True)
class Chart:
    svg: SafeString
    legend: tuple[Series, ...]
    # What the tinted columns mean, for the legend ("" when there are none).
    shaded_label: str = ""
    # Too wide for a phone: its figure scrolls, so the keyboard must reach it.
    wide: bool = False


@dataclass(frozen=True, slots=True)
class _Frame:
    width: int
    height: int = HEIGHT

    @property
    def plot_width(self) -> float:
        return self.width - LEFT - RIGHT

    @property
    def plot_height(self) -> float:
        return self.height - TOP - BOTTOM

    @property
    def bottom(self) -> float:
        return TOP + self.plot_height

    def y(self, value: float, top: float) -> float:
        return TOP + self.plot_height * (1 - value / top)


def _number(value: float) -> str:
    return f"{value:g}"


def axis_ticks(maximum: float, *, integer: bool = True, count: int = 4) -> list[float]:
    """0 and round steps (1, 2, 5 × 10ⁿ; also 2.5 unless whole numbers) up to or
    just past `maximum`."""
    if maximum <= 0:
        return [0, 1]
    rough = maximum / count
    magnitude = 10 ** math.floor(math.log10(rough))
    factors = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(f * magnitude for f in factors if rough <= f * magnitude)
    if integer:
        step = max(1, round(step))
    steps = math.ceil(maximum / step - 1e-9)
    return [step * n for n in range(steps + 1)]


def _open(
    frame: _Frame, chart_id: str, title: str, description: str, *, links: bool
) -> SafeString:
    # A chart whose shapes are links is a group: inside an image, assistive
    # technology would not reach them.
    return format_html(
        '<svg class="chart{}" viewBox="0 0 {} {}" role="{}" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        " chart-wide" if frame.width > HALF else "",
        frame.width,
        frame.height,
        "group" if links else "img",
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
    )


def _grid(
    frame: _Frame, ticks: Sequence[float], format_value: Callable[[float], str]
) -> SafeString:
    top = ticks[-1]
    return format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                LEFT,
                frame.width - RIGHT,
                f"{frame.y(tick, top):.1f}",
                f"{frame.y(tick, top):.1f}",
                LEFT - 6,
                f"{frame.y(tick, top) + 4:.1f}",
                format_value(tick),
            )
            for tick in ticks
        ),
    )


def _x_labels(frame: _Frame, labels: Sequence[str]) -> SafeString:
    slot = frame.plot_width / len(labels)
    every = math.ceil(LABEL_WIDTH / slot)
    # Counted from the right: the latest period always has its label.
    return format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (f"{LEFT + slot * (i + 0.5):.1f}", frame.bottom + 18, label)
            for i, label in enumerate(labels)
            if (len(labels) - 1 - i) % every == 0
        ),
    )


def _baseline(frame: _Frame) -> SafeString:
    return format_html(
        '<line class="chart-baseline" x1="{}" x2="{}" y1="{}" y2="{}"></line>',
        LEFT,
        frame.width - RIGHT,
        frame.bottom,
        frame.bottom,
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    format_value: Callable[[float], str] = _number,
    integer: bool = True,
    shaded: Sequence[bool] = (),
    shaded_label: str = "",
    totals: bool = True,
    legend: bool = True,
    width: int = HALF,
    links: Callable[[int, Series], str | None] | None = None,
) -> Chart:
    """Bars per label, the series stacked bottom-up in their order.

    `shaded` marks columns drawn on a tinted band (days support was closed);
    `totals` writes each bar's total above it; without `legend` the labels
    under the bars say it all. `links` gives the address a bar's piece opens
    (column index, series): the tickets behind it in the queue.
    """
    frame = _Frame(width)
    count = len(labels)
    sums = [sum(s.values[i] or 0 for s in series) for i in range(count)]
    ticks = axis_ticks(max(sums, default=0), integer=integer)
    top = ticks[-1]
    slot = frame.plot_width / count
    bar = slot * 0.72
    parts = [_open(frame, chart_id, title, description, links=links is not None)]
    parts.extend(
        format_html(
            '<rect class="chart-shade" x="{}" y="{}" width="{}" height="{}"></rect>',
            f"{LEFT + slot * i:.1f}",
            TOP,
            f"{slot:.1f}",
            frame.plot_height,
        )
        for i, is_shaded in enumerate(shaded)
        if is_shaded
    )
    parts.append(_grid(frame, ticks, format_value))
    for i, label in enumerate(labels):
        x = LEFT + slot * i + (slot - bar) / 2
        base = 0.0
        for s in series:
            value = s.values[i] or 0
            if value <= 0:
                continue
            piece = format_html(
                '<rect class="tone-{}" x="{}" y="{}" width="{}" height="{}">'
                "<title>{} · {}: {}</title></rect>",
                s.tone,
                f"{x:.1f}",
                f"{frame.y(base + value, top):.1f}",
                f"{bar:.1f}",
                f"{frame.y(base, top) - frame.y(base + value, top):.1f}",
                label,
                s.label,
                format_value(value),
            )
            url = links(i, s) if links else None
            if url:
                piece = format_html(
                    '<a href="{}" aria-label="{} · {}: {}">{}</a>',
                    url,
                    label,
                    s.label,
                    format_value(value),
                    piece,
                )
            parts.append(piece)
            base += value
        if totals and sums[i] > 0:
            parts.append(
                format_html(
                    '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x + bar / 2:.1f}",
                    f"{frame.y(sums[i], top) - 4:.1f}",
                    format_value(sums[i]),
                )
            )
    parts.extend([_baseline(frame), _x_labels(frame, labels), mark_safe("</svg>")])
    return Chart(
        mark_safe("".join(parts)),
        tuple(series) if legend else (),
        shaded_label if any(shaded) else "",
        wide=frame.width > HALF,
    )


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    format_value: Callable[[float], str] = _number,
    maximum: float | None = None,
    integer: bool = False,
    width: int = HALF,
    links: Callable[[int, Series], str | None] | None = None,
) -> Chart:
    """A line per series through its points; a missing value (None) breaks the
    line. `links` gives the address a point opens (its index, its series):
    the tickets behind it in the queue."""
    frame = _Frame(width)
    count = len(labels)
    highest = max((v for s in series for v in s.values if v is not None), default=0)
    ticks = axis_ticks(maximum if maximum is not None else highest, integer=integer)
    top = ticks[-1]
    slot = frame.plot_width / count
    parts = [
        _open(frame, chart_id, title, description, links=links is not None),
        _grid(frame, ticks, format_value),
    ]
    for s in series:
        points = [
            (LEFT + slot * (i + 0.5), frame.y(v, top)) if v is not None else None
            for i, v in enumerate(s.values)
        ]
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is not None:
                run.append(point)
                continue
            if len(run) > 1:
                parts.append(
                    format_html(
                        '<polyline class="chart-line tone-{}" points="{}"></polyline>',
                        s.tone,
                        " ".join(f"{x:.1f},{y:.1f}" for x, y in run),
                    )
                )
            run = []
        for i, (point, value) in enumerate(zip(points, s.values, strict=True)):
            if point is None or value is None:
                continue
            dot = format_html(
                '<circle class="tone-{}" cx="{}" cy="{}" r="4">'
                "<title>{} · {}: {}</title></circle>",
                s.tone,
                f"{point[0]:.1f}",
                f"{point[1]:.1f}",
                labels[i],
                s.label,
                format_value(value),
            )
            url = links(i, s) if links else None
            if url:
                dot = format_html(
                    '<a href="{}" aria-label="{} · {}: {}">{}</a>',
                    url,
                    labels[i],
                    s.label,
                    format_value(value),
                    dot,
                )
            parts.append(dot)
    parts.extend([_baseline(frame), _x_labels(frame, labels), mark_safe("</svg>")])
    return Chart(mark_safe("".join(parts)), tuple(series), wide=frame.width > HALF)
