"""KPI trends: each KPI's (and monitored indicator's) reported values over time, drawn against its baseline,
each year's target and the pace line of the A/B rule (`progress._behind_pace`: a straight line from the
baseline, at the baseline's date or the start of the target's year, to the target at its due date).

Shown as inline SVG (the HTML report and the site; no script, axis labels, a <title> and <desc>,
and the numbers as text beside it), as a native line chart in the xlsx (`xlsx.py` draws it from
`Trend.table`), and as a text sparkline in `show` (`spark`: Braille dots, one cell wide in CJK
terminals too, unlike the block elements ▁▂▃, which East Asian width calls ambiguous).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.progress import InitiativeStatus
from dxroadmap.report.tables import actual_when
from dxroadmap.safe import clean

VALUE_INK = "#1f4e79"  # reported values: a solid line with round markers
TARGET_INK = "#9c3d00"  # each year's target: a diamond, labelled
GUIDE_INK = "#4d5156"  # baseline (dotted) and pace (dashed): 7.6:1 on white
GRID_INK = "#d0d7de"
SPARKS = "⣀⣤⣶⣿"  # low to high
HALO = ' stroke="#fff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'  # labels stay legible on lines


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    label: str  # when it is for: `R8 Q2`


@dataclass(frozen=True)
class Goal:
    """One year's target of a KPI, and the pace line towards it (from `start` at `since`, when a baseline is known)."""

    fiscal_year: int
    due: date
    target: float
    since: date
    start: float | None


@dataclass(frozen=True)
class Trend:
    name: str
    unit: str | None
    direction: str  # "up", or "down" where lower is better
    baseline: float | None
    points: tuple[Point, ...]
    goals: tuple[Goal, ...]  # none: a monitored indicator

    def table(self) -> list[tuple[date, float | None, float | None, list[float | None]]]:
        """Every date the chart needs, in order: (date, reported value, target due then, the pace lines' values
        there — one per goal with a pace line, None between its ends)."""
        paced = [g for g in self.goals if g.start is not None]
        days = sorted(
            {p.day for p in self.points} | {g.due for g in self.goals} | {d for g in paced for d in (g.since, g.due)}
        )
        values = {p.day: p.value for p in self.points}  # the latest report of a day wins, as the rule's value
        targets = {g.due: g.target for g in self.goals}
        out = []
        for day in days:
            pace: list[float | None] = []
            for g in paced:
                pace.append(g.start if day == g.since else g.target if day == g.due else None)
            out.append((day, values.get(day), targets.get(day), pace))
        return out


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def trends(init: InitiativeStatus, calendar: fiscal.Calendar, words: Words, least: int = 2) -> list[Trend]:
    """The trends of an initiative's KPIs and monitored indicators with at least `least` reported values."""
    reports: dict[str, list[Point]] = {}
    names: dict[str, str] = {}
    for a in init.actuals:  # in date order
        if a.kpi is not None and a.value is not None:
            key = fiscal.text_key(a.kpi)
            names.setdefault(key, a.kpi)
            reports.setdefault(key, []).append(Point(a.date, a.value, actual_when(a, words)))
    out: list[Trend] = []
    kpis: dict[str, list[int]] = {}
    for i, t in enumerate(init.targets):
        if t.kpi is not None:
            kpis.setdefault(fiscal.text_key(t.text), []).append(i)
    for key, positions in kpis.items():
        points = reports.get(key, [])
        if len(points) < least:
            continue
        targets = sorted((init.targets[i] for i in positions), key=lambda t: (t.fiscal_year, t.due))
        goals = []
        for t in targets:
            kpi = t.kpi
            assert kpi is not None
            since = kpi.baseline_on or calendar.year_start(t.fiscal_year)
            start = kpi.baseline
            if start is None:  # as the rule: a value reported by the baseline's date, else before the year began
                before = [p.value for p in points if p.day <= since] if kpi.baseline_on else []
                before = before or [p.value for p in points if p.day < since]
                start = before[-1] if before else None
            goals.append(Goal(t.fiscal_year, t.due, kpi.target, since, start))
        first = targets[0].kpi
        assert first is not None
        baseline = next((t.kpi.baseline for t in targets if t.kpi is not None and t.kpi.baseline is not None), None)
        unit = next((t.kpi.unit for t in targets if t.kpi is not None and t.kpi.unit), None)
        out.append(Trend(targets[0].text, unit, first.direction, baseline, tuple(points), tuple(goals)))
    for key, points in reports.items():
        if key not in kpis and len(points) >= least:
            out.append(Trend(names[key], None, "up", None, tuple(points), ()))
    return out


def spark(values: Sequence[float]) -> str:
    """`⣀⣤⣶⣿`: each value one character, from the lowest (⣀) to the highest (⣿) of `values`."""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[1] * len(values)
    return "".join(SPARKS[round((v - low) / (high - low) * 3)] for v in values)


def spark_line(trend: Trend, words: Words) -> str:
    """A trend in one line of text: `推移 ⣀⣤⣶⣿ 214 → 562`."""
    values = [p.value for p in trend.points]
    return f"{words('trend')} {spark(values)} {number(values[0])} → {number(values[-1])}"


# --- inline SVG -----------------------------------------------------------------------------------

WIDTH, HEIGHT = 600, 290
LEFT, RIGHT, TOP, BOTTOM = 72, 18, 34, 44  # margins: y labels, -, the unit, x labels


def _ticks(low: float, high: float) -> list[float]:
    """Round values from `low` to `high` for the y axis: 4–8 of them, 1, 2 or 5 times a power of ten apart."""
    span = high - low or abs(high) or 1.0
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def describe(trend: Trend, words: Words) -> str:
    """The chart in words (its <desc>, and what a screen reader or a printout without colour reads)."""
    unit = trend.unit or ""
    parts = [f"{words('reported_values')}: " + ", ".join(f"{p.label} {number(p.value)}{unit}" for p in trend.points)]
    if trend.baseline is not None:
        parts.append(f"{words('baseline')} {number(trend.baseline)}{unit}")
    if trend.goals:
        parts.append(
            f"{words('year_targets')}: "
            + ", ".join(
                f"{fiscal.label(g.fiscal_year)} {number(g.target)}{unit} ({g.due.isoformat()})" for g in trend.goals
            )
        )
    else:
        parts.append(words("monitored_indicator"))
    if trend.direction == "down":
        parts.append(words("direction_down"))
    return clean(". ".join(parts))


def svg(trend: Trend, ident: str, words: Words, calendar: fiscal.Calendar) -> str:
    """The chart as inline SVG (`role="img"`, named by its <title>, described by its <desc>); every text in it is
    text (no image of text), and the marks differ by shape and dash as well as colour."""
    days = [p.day for p in trend.points] + [d for g in trend.goals for d in (g.since, g.due) if g.start is not None]
    days += [g.due for g in trend.goals]
    first, last = min(days), max(days)
    if first == last:
        first, last = first - timedelta(days=30), last + timedelta(days=30)
    values = [p.value for p in trend.points] + [g.target for g in trend.goals]
    values += [g.start for g in trend.goals if g.start is not None]
    values += [trend.baseline] if trend.baseline is not None else []
    low, high = min(values), max(values)
    if low >= 0:
        low = 0.0
    ticks = _ticks(low, high)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + plot_w * (day - first).days / (last - first).days

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low or 1))

    title = escape(clean(words("trend_title", kpi=trend.name)))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="trend-chart" '
        f'aria-labelledby="{ident}-t" aria-describedby="{ident}-d" font-size="15" '
        'font-family="Hiragino Kaku Gothic ProN, Noto Sans CJK JP, Yu Gothic, Meiryo, sans-serif">'
        f'<title id="{ident}-t">{title}</title><desc id="{ident}-d">{escape(describe(trend, words))}</desc>'
    ]
    for tick in ticks:  # the y axis: grid lines and their values
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID_INK}"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 5:.1f}" text-anchor="end" fill="#1a1a1a">{number(tick)}</text>'
        )
    if trend.unit:
        out.append(
            f'<text x="{LEFT - 6}" y="{TOP - 14}" text-anchor="end" fill="#1a1a1a">{escape(clean(trend.unit))}</text>'
        )
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#1a1a1a"/>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#1a1a1a"/>')
    out += _years(first, last, x, TOP + plot_h, calendar)
    if trend.baseline is not None:
        base = y(trend.baseline)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base:.1f}" y2="{base:.1f}" stroke="{GUIDE_INK}" '
            'stroke-width="1.5" stroke-dasharray="2 3"/>'
            f'<text x="{WIDTH - RIGHT - 4}" y="{base - 5:.1f}" text-anchor="end" fill="{GUIDE_INK}"{HALO}>'
            f"{escape(words('baseline'))} {number(trend.baseline)}</text>"
        )
    for g in trend.goals:
        if g.start is not None:
            out.append(
                f'<line x1="{x(g.since):.1f}" y1="{y(g.start):.1f}" x2="{x(g.due):.1f}" y2="{y(g.target):.1f}" '
                f'stroke="{GUIDE_INK}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            )
    path = " ".join(f"{x(p.day):.1f},{y(p.value):.1f}" for p in trend.points)
    out.append(f'<polyline points="{path}" fill="none" stroke="{VALUE_INK}" stroke-width="2.5"/>')
    for p in trend.points:
        out.append(f'<circle cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="4" fill="{VALUE_INK}"/>')
    end = trend.points[-1]
    out.append(
        f'<text x="{x(end.day) - 8:.1f}" y="{y(end.value) - 9:.1f}" text-anchor="end" fill="{VALUE_INK}" '
        f'font-weight="700"{HALO}>{number(end.value)}</text>'
    )
    for g in trend.goals:
        gx, gy = x(g.due), y(g.target)
        below = gy + 20  # the label under the diamond, clear of the latest value's label above the line
        out.append(
            f'<path d="M{gx:.1f},{gy - 7:.1f} L{gx + 7:.1f},{gy:.1f} L{gx:.1f},{gy + 7:.1f} L{gx - 7:.1f},{gy:.1f} Z" '
            f'fill="#fff" stroke="{TARGET_INK}" stroke-width="2.5"/>'
            f'<text x="{gx - 10:.1f}" y="{below if below < TOP + plot_h - 4 else gy - 10:.1f}" text-anchor="end" '
            f'fill="{TARGET_INK}"{HALO}>'
            f"{escape(words('target'))} {number(g.target)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _years(first: date, last: date, x: Callable[[date], float], bottom: float, calendar: fiscal.Calendar) -> list[str]:
    """The x axis: a tick at each fiscal year's start within the range, and each year's label in its span."""
    out = []
    year = calendar.year_of(first)
    while calendar.year_start(year) <= last:
        start, end = max(first, calendar.year_start(year)), min(last, calendar.year_end(year))
        if start < end:
            if start == calendar.year_start(year):
                out.append(
                    f'<line x1="{x(start):.1f}" x2="{x(start):.1f}" y1="{TOP}" y2="{bottom + 5}" stroke="{GRID_INK}"/>'
                )
            middle = x(start + (end - start) / 2)
            label = fiscal.label(year)
            out.append(f'<text x="{middle:.1f}" y="{bottom + 24}" text-anchor="middle" fill="#1a1a1a">{label}</text>')
        year += 1
    return out


def legend(trend: Trend, words: Words) -> list[tuple[str, str]]:
    """(an SVG swatch, its words) for each kind of mark the chart has."""

    def swatch(inner: str) -> str:
        return (
            '<svg class="swatch" viewBox="0 0 28 12" width="28" height="12" aria-hidden="true" focusable="false">'
            f"{inner}</svg>"
        )

    def guide(dash: str) -> str:
        return swatch(
            f'<line x1="0" y1="6" x2="28" y2="6" stroke="{GUIDE_INK}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )

    values = f'<line x1="0" y1="6" x2="28" y2="6" stroke="{VALUE_INK}" stroke-width="2.5"/>'
    values += f'<circle cx="14" cy="6" r="4" fill="{VALUE_INK}"/>'
    items = [(swatch(values), words("reported_values"))]
    if trend.baseline is not None:
        items.append((guide("2 3"), words("baseline")))
    if trend.goals:
        diamond = f'<path d="M14,0 L20,6 L14,12 L8,6 Z" fill="#fff" stroke="{TARGET_INK}" stroke-width="2"/>'
        items.append((swatch(diamond), words("year_targets")))
    if any(g.start is not None for g in trend.goals):
        items.append((guide("6 4"), words("pace_line")))
    return items
