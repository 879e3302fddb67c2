"""Small SVG charts drawn on the server: no library, no script, no CDN.

Each chart is an ``<svg role="img">`` named by its own ``<title>`` and ``<desc>``
(aria-labelledby), and the page puts a data table with every value beside it. The strict
Content-Security-Policy forbids ``style`` attributes and inline ``<style>``, so colours and
lines are SVG presentation attributes. Every piece of text is escaped, and the output is the
same for the same input (numbers are written with one decimal).

A value of None is a day or a week with nothing recorded: it is drawn as a hatched column
(named in the legend), never as zero. A recorded zero is a thin bar on the axis, so the two
never look alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Small enough that the text stays readable on a phone, where the chart is drawn about as
# wide as this; wider screens scale it up.
WIDTH = 420.0
PLOT_HEIGHT = 170.0
LEGEND_ROW = 20.0
BOTTOM = 30.0  # room for the labels under the axis
RIGHT = 10.0
FONT_SIZE = 14
CHAR_WIDTH = 7.8  # roughly, at FONT_SIZE: enough to leave room for labels
ZERO_BAR = 2.0  # the height of a recorded zero
MAX_X_LABELS = 6

INK = "#1d2327"
MUTED = "#4a5560"
GRID = "#d5dde3"
BAR = "#1f5f8b"
LINE = "#7a4b00"
HATCH = "#8a96a0"
MARK = "#5b2a86"  # a change of path: purple, apart from the bars, the target and the gaps

_ID = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Legend:
    values: str  # what the bars or points are
    missing: str  # what a hatched column means
    line: str | None = None  # what the dashed line is (bar charts with a target)
    marker: str | None = None  # what a vertical marker is (shown only when there are markers)


@dataclass(frozen=True)
class Marker:
    """A vertical line across the plot with a label: a day the plan's path changed.
    ``position`` counts slots from the left: 2.0 is the left edge of the third bar, and
    2.5 halfway across it (a day within a week)."""

    position: float
    label: str
    description: str = ""  # a sentence added to the chart's description, for screen readers


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, content: str, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{FONT_SIZE}" fill="{fill}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def nice_max(value: float) -> float:
    """A round number at or above ``value`` (1, 2, 5, 10, 20, 50, ...), at least 1."""
    if not math.isfinite(value) or value <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if value <= step * power:
            return step * power
    return 10.0 * power  # pragma: no cover (the loop always returns)


def ticks(top: float, count: int = 5) -> list[tuple[float, str]]:
    """Evenly spaced ticks from 0 to ``top``, labelled with their value."""
    step = top / count
    return [(step * index, _n(step * index)) for index in range(count + 1)]


@dataclass(frozen=True)
class _Frame:
    """The plot area and its scales."""

    left: float
    top: float
    count: int
    y_min: float
    y_max: float

    @property
    def right(self) -> float:
        return WIDTH - RIGHT

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    @property
    def height(self) -> float:
        return self.bottom + BOTTOM

    @property
    def slot(self) -> float:
        return (self.right - self.left) / max(self.count, 1)

    def x(self, index: int) -> float:
        return self.left + self.slot * index

    def middle(self, index: int) -> float:
        return self.x(index) + self.slot / 2

    def y(self, value: float) -> float:
        span = self.y_max - self.y_min or 1.0
        clamped = min(max(value, self.y_min), self.y_max)
        return self.bottom - (clamped - self.y_min) / span * PLOT_HEIGHT


def _open(
    chart_id: str, title: str, desc: str, frame: _Frame, markers: Sequence[Marker] = ()
) -> list[str]:
    desc = " ".join([desc, *(m.description for m in markers if m.description)])
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"a chart id is lower-case letters, digits and dashes: {chart_id!r}")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(frame.height)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        "<defs>"
        f'<pattern id="{chart_id}-gap" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH}" stroke-width="2"/>'
        "</pattern></defs>",
    ]


def _axes(frame: _Frame, labels: Sequence[str], y_ticks: Sequence[tuple[float, str]]) -> list[str]:
    parts: list[str] = []
    for value, label in y_ticks:
        y = frame.y(value)
        parts.append(
            f'<line x1="{_n(frame.left)}" y1="{_n(y)}" x2="{_n(frame.right)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(frame.left - 6, y + 4, label, "end", MUTED))
    parts.append(
        f'<line x1="{_n(frame.left)}" y1="{_n(frame.bottom)}" x2="{_n(frame.right)}" '
        f'y2="{_n(frame.bottom)}" stroke="{MUTED}" stroke-width="1"/>'
    )
    widest = CHAR_WIDTH * max((len(label) for label in labels), default=1) + 10
    fits = max(1, min(MAX_X_LABELS, math.floor((frame.right - frame.left) / widest)))
    every = max(1, math.ceil(len(labels) / fits))
    last = len(labels) - 1
    for index, label in enumerate(labels):
        # Every few labels, counted back from the newest, so the latest is always named.
        if (last - index) % every == 0:
            half = CHAR_WIDTH * len(label) / 2
            x = min(max(frame.middle(index), half + 2), WIDTH - half - 2)  # inside the edges
            parts.append(_text(x, frame.bottom + 20, label, "middle", MUTED))
    return parts


def _markers(frame: _Frame, markers: Sequence[Marker]) -> list[str]:
    """Each marker as a solid vertical line with its label near the top, inside the plot;
    labels of several markers step down so they do not overlap."""
    parts: list[str] = []
    for number, marker in enumerate(markers):
        x = frame.left + frame.slot * min(max(marker.position, 0.0), float(frame.count))
        y = frame.top + 14 + (number % 4) * (FONT_SIZE + 4)
        on_left = x < (frame.left + frame.right) / 2
        width = CHAR_WIDTH * len(marker.label) + 8
        box_x = x + 2 if on_left else x - 2 - width
        parts.append(
            '<g class="marker">'
            f'<line x1="{_n(x)}" y1="{_n(frame.top)}" x2="{_n(x)}" y2="{_n(frame.bottom)}" '
            f'stroke="{MARK}" stroke-width="2"/>'
            # A white box behind the label keeps it readable over the bars.
            f'<rect x="{_n(box_x)}" y="{_n(y - FONT_SIZE)}" width="{_n(width)}" '
            f'height="{_n(FONT_SIZE + 5)}" fill="#ffffff" fill-opacity="0.9" stroke="{MARK}" '
            'stroke-width="1"/>'
            + _text(x + 6 if on_left else x - 6, y, marker.label, "start" if on_left else "end",
                    MARK)
            + "</g>"
        )  # fmt: skip
    return parts


def _legend_items(legend: Legend, chart_id: str, points: bool) -> list[tuple[str, str]]:
    """(swatch, words) for each entry; a swatch is drawn at (0, 0), 12 units square."""
    swatch = (
        f'<circle cx="6" cy="6" r="4" fill="{BAR}"/>'
        if points
        else f'<rect x="0" y="0" width="12" height="12" fill="{BAR}"/>'
    )
    items = [(swatch, legend.values)]
    if legend.line is not None:
        items.append(
            (
                f'<line x1="0" y1="6" x2="18" y2="6" stroke="{LINE}" stroke-width="2" '
                'stroke-dasharray="5 3"/>',
                legend.line,
            )
        )
    items.append(
        (
            f'<rect x="0" y="0" width="12" height="12" fill="url(#{chart_id}-gap)" '
            f'stroke="{HATCH}" stroke-width="1"/>',
            legend.missing,
        )
    )
    if legend.marker is not None:
        items.append(
            (f'<line x1="6" y1="0" x2="6" y2="12" stroke="{MARK}" stroke-width="2"/>',
             legend.marker)
        )  # fmt: skip
    return items


def _legend(items: Sequence[tuple[str, str]], left: float) -> tuple[list[str], float]:
    """The legend, wrapped onto as many rows as it needs, and the height it takes."""
    parts: list[str] = []
    x, row = left, 0
    for swatch, words in items:
        width = 24 + CHAR_WIDTH * len(words)
        if x > left and x + width > WIDTH - RIGHT:
            x, row = left, row + 1
        y = 6 + row * LEGEND_ROW
        parts.append(f'<g transform="translate({_n(x)} {_n(y)})">{swatch}</g>')
        parts.append(_text(x + 24, y + 11, words))
        x += width + 14
    return parts, (row + 1) * LEGEND_ROW + 14


def _gap(frame: _Frame, index: int, chart_id: str) -> str:
    return (
        f'<rect x="{_n(frame.x(index) + 1)}" y="{_n(frame.top)}" width="{_n(frame.slot - 2)}" '
        f'height="{_n(PLOT_HEIGHT)}" fill="url(#{chart_id}-gap)" fill-opacity="0.6"/>'
    )


def _left(y_ticks: Sequence[tuple[float, str]]) -> float:
    return 10.0 + CHAR_WIDTH * max((len(label) for _, label in y_ticks), default=1)


def _finish(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text above is escaped)


def _step_line(frame: _Frame, line: Sequence[float | None]) -> list[str]:
    """The target as a dashed step line; a day without a target breaks it."""
    commands: list[str] = []
    previous: float | None = None
    for index, value in enumerate(line):
        if value is None:
            previous = None
            continue
        y = frame.y(value)
        if previous is None:
            commands.append(f"M{_n(frame.x(index))} {_n(y)}")
        else:
            commands.append(f"V{_n(y)}")
        commands.append(f"H{_n(frame.x(index + 1))}")
        previous = value
    if not commands:
        return []
    return [
        f'<path d="{" ".join(commands)}" fill="none" stroke="{LINE}" stroke-width="2" '
        'stroke-dasharray="5 3"/>'
    ]


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    legend: Legend,
    y_max: float | None = None,
    y_ticks: Sequence[tuple[float, str]] | None = None,
    line: Sequence[float | None] | None = None,
    markers: Sequence[Marker] = (),
) -> SafeString:
    """Bars from 0; None is a hatched column. ``line`` (optional) is drawn as a dashed step
    line over the bars, one step per bar (a plan's target); ``markers`` as vertical lines."""
    if len(values) != len(labels) or (line is not None and len(line) != len(labels)):
        raise ValueError("labels, values and line must be as long as each other")
    known = [v for v in (*values, *(line or ())) if v is not None]
    top = y_max if y_max is not None else nice_max(max(known, default=1.0))
    axis = list(y_ticks) if y_ticks is not None else ticks(top)
    left = _left(axis)
    legend = legend if markers else replace(legend, marker=None)
    legend_parts, legend_height = _legend(_legend_items(legend, chart_id, False), left)
    frame = _Frame(left, legend_height, len(values), 0.0, top)
    parts = _open(chart_id, title, desc, frame, markers) + legend_parts
    parts += _axes(frame, labels, axis)
    bar_width = frame.slot * 0.7
    for index, value in enumerate(values):
        if value is None:
            parts.append(_gap(frame, index, chart_id))
            continue
        y = frame.y(value)
        height = max(frame.bottom - y, ZERO_BAR)
        parts.append(
            f'<rect x="{_n(frame.middle(index) - bar_width / 2)}" y="{_n(frame.bottom - height)}" '
            f'width="{_n(bar_width)}" height="{_n(height)}" fill="{BAR}"/>'
        )
    if line is not None:
        parts += _step_line(frame, line)
    parts += _markers(frame, markers)
    return _finish(parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    legend: Legend,
    y_min: float,
    y_max: float,
    y_ticks: Sequence[tuple[float, str]],
    markers: Sequence[Marker] = (),
) -> SafeString:
    """Points joined by a line; None is a hatched column, and the line breaks there."""
    if len(values) != len(labels):
        raise ValueError("labels and values must be as long as each other")
    left = _left(y_ticks)
    legend = legend if markers else replace(legend, marker=None)
    legend_parts, legend_height = _legend(_legend_items(legend, chart_id, True), left)
    frame = _Frame(left, legend_height, len(values), y_min, y_max)
    parts = _open(chart_id, title, desc, frame, markers) + legend_parts
    parts += _axes(frame, labels, y_ticks)
    segments: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            parts.append(_gap(frame, index, chart_id))
            segments.append([])
            continue
        segments[-1].append(f"{_n(frame.middle(index))},{_n(frame.y(value))}")
    for segment in segments:
        if len(segment) > 1:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{BAR}" '
                'stroke-width="2"/>'
            )
    for index, value in enumerate(values):
        if value is not None:
            parts.append(
                f'<circle cx="{_n(frame.middle(index))}" cy="{_n(frame.y(value))}" r="4" '
                f'fill="{BAR}"/>'
            )
    parts += _markers(frame, markers)
    return _finish(parts)
