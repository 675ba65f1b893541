"""Geometry of the reports' small charts; templates/_charts.html.j2 draws them as inline SVG.

Charts are computed from recorded numbers here and drawn by Jinja macros, so a
report stays one self-contained HTML file and costs no plotting library per
student. Coordinates are in SVG user units; the SVG scales to the page width.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from grader.grading.outcomes import ParameterRecord

ERROR_FLOOR = 1e-16  # relative errors below this (including exact 0) are drawn at the axis
ERROR_DECADES = (-16, -12, -8, -4, 0)
CHART_WIDTH = 340.0
LABEL_WIDTH = 64.0


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ErrorBar:
    label: str
    y: float
    length: float
    value: float
    within: bool
    method: str


@dataclass(frozen=True)
class ErrorChart:
    """Horizontal bars: each parameter's largest relative error on a log axis, with the tolerance."""
    width: float
    height: float
    x0: float
    x1: float
    row: float
    bars: list[ErrorBar]
    ticks: list[Tick]
    tolerance_x: float
    rtol: float


@dataclass(frozen=True)
class ValuePoint:
    x: float
    analytic_y: float
    numerical_y: float
    gap: bool  # the two differ visibly: drawn as a red segment between them


@dataclass(frozen=True)
class ValueGroup:
    label: str
    x_start: float
    x_end: float


@dataclass(frozen=True)
class ValuesChart:
    """Analytic (dots) and numerical (rings) gradient entries, parameter after parameter."""
    width: float
    height: float
    x0: float
    x1: float
    top: float
    bottom: float
    zero_y: float | None
    points: list[ValuePoint]
    groups: list[ValueGroup]
    ticks: list[Tick]


@dataclass(frozen=True)
class HistogramBar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


@dataclass(frozen=True)
class Histogram:
    width: float
    height: float
    baseline: float
    bars: list[HistogramBar]
    total: int


def _r(value: float) -> float:
    """SVG coordinates to 0.1 unit: plenty for a chart, and short to write."""
    return round(value, 1)


def _log_position(value: float, x0: float, x1: float) -> float:
    exponent = math.log10(max(value, ERROR_FLOOR)) if value > 0 else math.log10(ERROR_FLOOR)
    low, high = ERROR_DECADES[0], ERROR_DECADES[-1]
    fraction = (min(max(exponent, low), high) - low) / (high - low)
    return x0 + fraction * (x1 - x0)


def error_chart(parameters: Sequence[ParameterRecord], rtol: float) -> ErrorChart:
    """``parameters``: the gradient check's entries (name, max_rel_error, method)."""
    row, top = 22.0, 6.0
    x0, x1 = LABEL_WIDTH, CHART_WIDTH - 12.0
    bars = []
    for index, parameter in enumerate(parameters):
        error = float(parameter.max_rel_error)
        if not math.isfinite(error):
            error = 1.0
        bars.append(ErrorBar(f"d{parameter.name}", _r(top + index * row),
                             _r(_log_position(error, x0, x1) - x0), error, error <= rtol,
                             str(parameter.method)))
    ticks = [Tick(_r(_log_position(10.0 ** d, x0, x1)), "1" if d == 0 else f"1e{d}") for d in ERROR_DECADES]
    height = top + len(bars) * row + 20.0
    return ErrorChart(CHART_WIDTH, height, x0, x1, row, bars, ticks, _r(_log_position(rtol, x0, x1)), rtol)


def _nice_ticks(low: float, high: float) -> list[float]:
    if high <= low:
        return [low]
    step = 10.0 ** math.floor(math.log10((high - low) / 2))
    for factor in (1, 2, 5, 10):
        if (high - low) / (step * factor) <= 4:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def values_chart(parameters: Sequence[ParameterRecord]) -> ValuesChart | None:
    """Entries of every parameter that carries revealed values; None when none does."""
    pairs = [(p.name, list(zip(p.analytic, p.numerical))) for p in parameters
             if p.analytic and p.numerical]
    count = sum(len(values) for _, values in pairs)
    if count == 0:
        return None
    finite = [v for _, values in pairs for pair in values for v in pair if math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1e-12:
        low, high = low - 1.0, high + 1.0
    x0, x1, top, bottom = 44.0, CHART_WIDTH - 8.0, 8.0, 118.0
    gap_between_groups = 1
    slots = count + gap_between_groups * (len(pairs) - 1)
    step = (x1 - x0) / max(slots, 1)

    def to_y(value: float) -> float:
        value = min(max(value, low), high) if math.isfinite(value) else high
        return _r(bottom - (value - low) / (high - low) * (bottom - top))

    points, groups, slot = [], [], 0
    visible = 0.02 * (high - low)
    for name, values in pairs:
        start = x0 + slot * step
        for analytic, numerical in values:
            x = _r(x0 + (slot + 0.5) * step)
            differ = not (math.isfinite(analytic) and math.isfinite(numerical)) or \
                abs(analytic - numerical) > visible
            points.append(ValuePoint(x, to_y(analytic), to_y(numerical), differ))
            slot += 1
        groups.append(ValueGroup(f"d{name}", _r(start), _r(x0 + slot * step)))
        slot += gap_between_groups
    ticks = [Tick(to_y(v), f"{v:.3g}") for v in _nice_ticks(low, high)]
    zero_y = to_y(0.0) if low < 0.0 < high else None
    return ValuesChart(CHART_WIDTH, bottom + 24.0, x0, x1, top, bottom, zero_y, points, groups, ticks)


def histogram(counts: Iterable[int], labels: Sequence[str]) -> Histogram:
    """Vertical bars for ``counts`` (one per bin), labelled below."""
    counts = list(counts)
    width, baseline, top = CHART_WIDTH, 112.0, 16.0
    left, right = 8.0, width - 8.0
    slot = (right - left) / max(len(counts), 1)
    tallest = max(counts, default=0) or 1
    bars = []
    for index, (count, label) in enumerate(zip(counts, labels)):
        height = (baseline - top) * count / tallest
        bars.append(HistogramBar(_r(left + index * slot + 2.0), _r(baseline - height), _r(slot - 4.0), _r(height), count,
                                 label))
    return Histogram(width, baseline + 30.0, baseline, bars, sum(counts))
