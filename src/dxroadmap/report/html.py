"""The portfolio as one self-contained HTML page, for publishing progress (見える化).

No network: styles, the chart (inline SVG) and the one small script are in the file. Every
piece of file text (ids and paths, made of file names, too) is cleaned (`safe.clean`) and
escaped. States are shown by a mark and a word as well as a colour, so the page reads in
greyscale and with a screen reader; tables scroll sideways on a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import groupby

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.progress import TARGET_STATES, InitiativeStatus, ProjectStatus, SlipItem, TargetStatus, totals_by_field
from dxroadmap.report.tables import (
    MARKS,
    SLIP_COLUMNS,
    Report,
    bar,
    describe_actual,
    flags_text,
    meta_line,
    monitored,
    outside,
    shown_years,
    slipping_rows,
    target_lines,
)
from dxroadmap.safe import clean
from dxroadmap.states import State

COLOURS: dict[State, str] = {
    State.DONE: "#2e7d32",
    State.DONE_LATE: "#9e7c00",
    State.SLIPPING: "#e65100",
    State.MISSED: "#c62828",
    State.OPEN: "#1565c0",
    State.PLANNED: "#9e9e9e",
    State.UNREPORTED: "#6a1b9a",
}

CSS = """
:root { --ink: #1a1a1a; --muted: #5f6368; --line: #d0d7de; --head: #1f4e79; }
* { box-sizing: border-box; }
body { font-family: "Hiragino Kaku Gothic ProN", "Noto Sans CJK JP", "Yu Gothic", Meiryo, sans-serif;
  color: var(--ink); margin: 0 auto; padding: 1rem; max-width: 1200px; line-height: 1.5; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid var(--head); }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; vertical-align: top; text-align: left; }
th { background: var(--head); color: #fff; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
tr.field td { background: #eef3f8; font-weight: 700; }
.state { white-space: nowrap; font-weight: 600; }
.mark { font-weight: 700; }
ul.targets { list-style: none; margin: 0; padding: 0; }
ul.targets li { margin: 0 0 .15rem; }
.kpi { font-style: italic; white-space: nowrap; }
th.outside { background: #5f6368; }
.legend span { margin-right: 1rem; white-space: nowrap; }
.chart svg { width: 100%; height: auto; max-width: 900px; }
.project { border-top: 1px solid var(--line); }
dl.head { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: .5rem 0; }
dl.head dt { font-weight: 700; } dl.head dd { margin: 0; }
label.filter { display: inline-block; margin: .5rem 0; }
footer { color: var(--muted); font-size: .8rem; margin-top: 2rem; }
@media (max-width: 640px) { body { padding: .5rem; } table { font-size: .8rem; } h1 { font-size: 1.2rem; } }
@media print { .filter { display: none; } .project { break-inside: avoid-page; } }
"""

SCRIPT = """
(function () {
  var box = document.getElementById("only-flagged");
  if (!box) { return; }
  box.addEventListener("change", function () {
    var sections = document.querySelectorAll("section.project");
    for (var i = 0; i < sections.length; i++) {
      var flagged = sections[i].getAttribute("data-flagged") === "1";
      sections[i].hidden = box.checked && !flagged;
    }
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
"""


def _t(text: str) -> str:
    return escape(clean(text))


def _state(state: State | None, words: Words, with_word: bool = True) -> str:
    if state is None:
        return ""
    word = f" {escape(words(state))}" if with_word else ""
    return (
        f'<span class="state" style="color:{COLOURS[state]}" title="{escape(words(state))}">'
        f'<span class="mark" aria-hidden="{"true" if with_word else "false"}">{MARKS[state]}</span>{word}</span>'
    )


def _chart(statuses: Sequence[ProjectStatus], words: Words) -> str:
    """A stacked bar per field of its targets by state, with counts written on the bars."""
    by_field = totals_by_field(statuses)
    label_width, bar_width, row_height = 170, 600, 34
    height = row_height * len(by_field) + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 20} {height}" role="img" '
        f'aria-labelledby="chart-title"><title id="chart-title">{escape(words("by_field"))}</title>'
    ]
    for row, (field, sums) in enumerate(by_field.items()):
        y = 10 + row * row_height
        total = sum(sums.targets.values())
        parts.append(f'<text x="0" y="{y + 18}" font-size="13">{_t(field)} ({total})</text>')
        x = float(label_width)
        for state in TARGET_STATES:
            n = sums.targets.get(state, 0)
            if not n or not total:
                continue
            w = bar_width * n / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="24" fill="{COLOURS[state]}">'
                f"<title>{escape(words(state))}: {n}</title></rect>"
            )
            if w > 26:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 17}" font-size="12" fill="#fff" text-anchor="middle">'
                    f"{MARKS[state]}{n}</text>"
                )
            x += w
    y = 20 + len(by_field) * row_height
    x = 0.0
    for state in TARGET_STATES:
        parts.append(f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{COLOURS[state]}"/>')
        parts.append(f'<text x="{x + 16:.0f}" y="{y + 11}" font-size="12">{MARKS[state]} {escape(words(state))}</text>')
        x += 16 + 14 * (len(words(state)) + 2) + 10
    parts.append("</svg>")
    return "".join(parts)


def page(report: Report, version: str) -> str:
    statuses, items, settings, years, as_of, words = (
        report.statuses, report.items, report.settings, report.years, report.as_of, report.words,
    )  # fmt: skip
    moved = report.moved
    title = settings.title or "dxroadmap"
    meta = meta_line(settings, as_of, words)
    body = [
        f'<header><h1>{_t(title)} {escape(words("report_title"))}</h1><p class="meta">{_t(meta)}</p>',
        '<p class="legend">' + "".join(f"<span>{_state(s, words)}</span>" for s in MARKS) + "</p></header>",
        f"<h2>{escape(words('by_field'))}</h2>",
        f'<figure class="chart" id="chart">{_chart(statuses, words)}</figure>',
        f"<h2>{escape(words('summary_sheet'))}</h2>",
        _summary(statuses, years, words),
        f"<h2>{escape(words('slipping_sheet'))} ({len(items)})</h2>",
        _slipping(items, words),
        f"<h2>{escape(words('projects_heading'))}</h2>",
        f'<label class="filter"><input type="checkbox" id="only-flagged"> {escape(words("only_flagged"))}</label>',
        *(
            _project(s, shown_years(years, s, settings.period), words, (moved or {}).get(s.project.id), settings.period)
            for s in statuses
        ),
        f"<footer>{escape(words('generated', version=version))}</footer>",
    ]
    lang = "ja" if words.lang == "ja" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_t(title)} {escape(words('report_title'))} {as_of.isoformat()}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _summary(statuses: Sequence[ProjectStatus], years: Sequence[int], words: Words) -> str:
    head = [words("project"), words("owner"), words("state"), words("done_due_total"), words("progress")]
    head += [fiscal.label(y) for y in years] + [words("flags")]
    rows = ["<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
    for field, group in groupby(statuses, key=lambda s: s.field):
        rows.append(f'<tr class="field"><td colspan="{len(head)}">{_t(field)}</td></tr>')
        for s in group:
            c = s.counts
            cells = [
                f'<a href="#p-{_t(s.project.id)}">{_t(s.project.roadmap.name)}</a>'
                f"<br><small>{_t(s.project.id)}</small>",
                _t(s.project.roadmap.owner),
                _state(s.state, words),
                f'<span class="num">{c.done}/{c.due}/{c.total}</span>',
                f'<span class="num">{escape(bar(c.done, c.total).split("]")[-1].strip())}</span>',
                *(_state(s.year_state(y), words, with_word=False) for y in years),
                escape(flags_text(s.flags, words)),
            ]
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f'<div class="scroll"><table id="summary">{"".join(rows)}</table></div>'


def _slipping(items: Sequence[SlipItem], words: Words) -> str:
    if not items:
        return f"<p>{escape(words('nothing_slipping'))}</p>"
    rows = slipping_rows(items, words)
    out = ["<tr>" + "".join(f"<th>{escape(h)}</th>" for h in rows.header) + "</tr>"]
    outlook = SLIP_COLUMNS.index("outlook")
    for item, cells in zip(items, rows.rows, strict=True):
        shown = [_t(c) for c in cells]
        if item.disagrees:  # 順調 said of a late item
            shown[outlook] = f'<strong style="color:{COLOURS[State.SLIPPING]}">{shown[outlook]}</strong>'
        out.append(
            "<tr><td>" + _state(item.state, words) + "</td>" + "".join(f"<td>{c}</td>" for c in shown[1:]) + "</tr>"
        )
    return f'<div class="scroll"><table id="slipping">{"".join(out)}</table></div>'


def _year_head(year: int, period: tuple[int, int] | None, words: Words) -> str:
    """A year's column heading; a year outside the plan's period says so in words."""
    if not outside(year, period):
        return f"<th>{fiscal.label(year)}</th>"
    word = escape(words("outside_period"))
    return f'<th class="outside" title="{word}">{fiscal.label(year)}<br><small>({word})</small></th>'


def _target(
    init: InitiativeStatus, t: TargetStatus, moved: dict[tuple[str, int, str], int] | None, words: Words
) -> str:
    """A target with its state; a KPI with its numbers and, once reported, its latest value and progress."""
    label, reported = target_lines(init, t, moved, words)
    value = f'<br><span class="kpi">{_t(reported)}</span>' if reported else ""
    return (
        f"<li>{_state(t.state, words, with_word=False)} {_t(label)}"
        f" <small>({escape(words(t.state))})</small>{value}</li>"
    )


def _project(
    s: ProjectStatus,
    years: Sequence[int],
    words: Words,
    moved: dict[tuple[str, int, str], int] | None,
    period: tuple[int, int] | None = None,
) -> str:
    roadmap = s.project.roadmap
    flagged = "1" if any(s.flags.values()) else "0"
    head = [
        (words("field"), roadmap.field),
        (words("owner"), roadmap.owner),
        *([(words("summary"), roadmap.summary)] if roadmap.summary else []),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{_t(v)}</dd>" for k, v in head)
    counts = f"{s.counts.done}/{s.counts.due}/{s.counts.total}"
    dl += f"<dt>{escape(words('state'))}</dt><dd>{_state(s.state, words)} {counts}</dd>"
    grid = [
        "<tr><th>"
        + escape(words("initiative"))
        + "</th><th></th>"
        + "".join(_year_head(y, period, words) for y in years)
        + "</tr>"
    ]
    for init in s.initiatives:
        name = _t(init.name) + (f"<br>{_state(State.UNREPORTED, words)}" if init.unreported else "")
        name += "".join(f'<br><small class="series">{_t(series)}</small>' for series in monitored(init, words))
        target_cells = []
        for year in years:
            items = [_target(init, t, moved, words) for t in init.targets if t.fiscal_year == year]
            target_cells.append(f'<ul class="targets">{"".join(items)}</ul>' if items else "")
        actual_cells = [
            "<br>".join(escape(describe_actual(a, words)) for a in init.actuals if a.fiscal_year == year)
            for year in years
        ]
        grid.append(
            f'<tr><td rowspan="2">{name}</td><td>{escape(words("targets"))}</td>'
            + "".join(f"<td>{c}</td>" for c in target_cells)
            + "</tr>"
        )
        grid.append(
            f"<tr><td>{escape(words('actuals'))}</td>" + "".join(f"<td>{c}</td>" for c in actual_cells) + "</tr>"
        )
    return (
        f'<section class="project" id="p-{_t(s.project.id)}" data-flagged="{flagged}">'
        f'<h3>{_t(roadmap.name)} <small>({_t(s.project.id)})</small></h3><dl class="head">{dl}</dl>'
        f'<div class="scroll"><table class="grid">{"".join(grid)}</table></div></section>'
    )
