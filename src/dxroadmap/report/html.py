"""The portfolio as one self-contained HTML page, for publishing progress (見える化), and the pieces the
site (`report/site.py`) is made of.

No network: styles, the charts (inline SVG) and the one small script are in the file. Every
piece of file text (ids and paths, made of file names, too) is cleaned (`safe.clean`) and
escaped. States are shown by a mark and a word as well as a colour, so the page reads in
greyscale and with a screen reader; tables have captions and header cells and scroll sideways on
a phone; every colour of text meets WCAG 2.1 AA contrast (4.5:1) on its background; printed, the
page is A4 landscape with no table row cut in two (`@media print`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from itertools import groupby
from typing import TYPE_CHECKING

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.progress import TARGET_STATES, InitiativeStatus, ProjectStatus, SlipItem, TargetStatus, totals_by_field
from dxroadmap.report import review, trends
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
from dxroadmap.settings import Settings
from dxroadmap.states import State

if TYPE_CHECKING:
    from dxroadmap.report.review import Changes

# Text colours of the states: each at least 4.5:1 on white, and white on each (the chart's counts) too.
COLOURS: dict[State, str] = {
    State.DONE: "#2e7d32",
    State.DONE_LATE: "#7a5c00",
    State.SLIPPING: "#b34700",
    State.MISSED: "#c62828",
    State.OPEN: "#1565c0",
    State.PLANNED: "#616161",
    State.UNREPORTED: "#6a1b9a",
}

Link = Callable[[str], str]  # a project's id -> the address of its roadmap (`#p-id` on the page, a file on the site)

CSS = """
:root { --ink: #1a1a1a; --muted: #4d5156; --line: #d0d7de; --head: #1f4e79; --change: CHANGE_INK; }
* { box-sizing: border-box; }
body { font-family: "Hiragino Kaku Gothic ProN", "Noto Sans CJK JP", "Yu Gothic", Meiryo, sans-serif;
  color: var(--ink); background: #fff; margin: 0 auto; padding: 1rem; max-width: 1200px; line-height: 1.5; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid var(--head); }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1rem 0 .4rem; }
a { color: #0b57a4; }
a:focus-visible, [tabindex]:focus-visible { outline: 3px solid #b34700; outline-offset: 2px; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; position: relative; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; font-weight: 700; padding: .2rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; vertical-align: top; text-align: left; }
th { background: var(--head); color: #fff; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
tr.field td { background: #eef3f8; font-weight: 700; }
.state { white-space: nowrap; font-weight: 600; }
.mark { font-weight: 700; }
ul.targets { list-style: none; margin: 0; padding: 0; }
ul.targets li { margin: 0 0 .15rem; }
.kpi { font-style: italic; white-space: nowrap; }
th.outside { background: #4d5156; }
.legend span { margin-right: 1rem; white-space: nowrap; }
.chart svg { width: 100%; height: auto; max-width: 900px; }
.project { border-top: 1px solid var(--line); }
dl.head { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem .8rem; margin: .5rem 0; }
dl.head dt { font-weight: 700; } dl.head dd { margin: 0; overflow-wrap: anywhere; }
label.filter { display: inline-block; margin: .5rem 0; }
footer { color: var(--muted); font-size: .8rem; margin-top: 2rem; }
mark.chg { background: CHANGE_BACKGROUND; color: var(--change); font-weight: 700; border: 1px solid var(--change);
  border-radius: 3px; padding: 0 .2rem; }
tr.chg td:first-child { border-left: 4px solid var(--change); }
#changes-list td:first-child { white-space: nowrap; }
.trends { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.trend { margin: 0; flex: 1 1 420px; max-width: 600px; border: 1px solid var(--line); padding: .5rem; }
figure.trend svg.trend-chart { width: 100%; height: auto; display: block; }
figure.trend figcaption { font-size: .85rem; }
figure.trend figcaption strong { display: block; font-size: .95rem; }
.keys { list-style: none; margin: .3rem 0; padding: 0; display: flex; flex-wrap: wrap; gap: .2rem 1rem; }
.keys svg { vertical-align: middle; margin-right: .3rem; }
details summary { cursor: pointer; color: #0b57a4; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: -10000px; top: 0; }
.skip:focus { position: static; }
nav.site { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; margin: 0 0 .8rem; padding: .4rem 0;
  border-bottom: 1px solid var(--line); }
nav.site a[aria-current] { font-weight: 700; color: var(--ink); text-decoration: none; }
@media (max-width: 640px) { body { padding: .5rem; } table { font-size: .8rem; } h1 { font-size: 1.2rem; }
  figure.trend { flex-basis: 100%; } }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; }
  label.filter, a.skip, nav.site, details summary { display: none; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  tr, td, th, li, figure, .trend, dl.head { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .project { break-before: auto; }
  figure.trend { flex-basis: 45%; }
  mark.chg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th, tr.field td, .chart svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".replace("CHANGE_INK", review.INK).replace("CHANGE_BACKGROUND", review.BACKGROUND)

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
    """A state's mark and word in its colour; without the word shown, the word is still there for screen readers."""
    if state is None:
        return ""
    word = escape(words(state))
    shown = f" {word}" if with_word else f'<span class="sr-only">{word}</span>'
    return (
        f'<span class="state" style="color:{COLOURS[state]}" title="{word}">'
        f'<span class="mark" aria-hidden="{"true" if with_word else "false"}">{MARKS[state]}</span>{shown}</span>'
    )


def changed(text: str) -> str:
    """A mark of something changed since the review point (`review.badge`): the mark, words and a colour."""
    return f'<mark class="chg">{escape(text)}</mark>'


def field_chart(statuses: Sequence[ProjectStatus], words: Words) -> str:
    """A stacked bar per field of its targets by state, with counts written on the bars."""
    by_field = totals_by_field(statuses)
    label_width, bar_width, row_height = 170, 600, 34
    height = row_height * len(by_field) + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 20} {height}" role="img" '
        f'aria-labelledby="chart-title" aria-describedby="chart-desc">'
        f'<title id="chart-title">{escape(words("by_field"))}</title>'
    ]
    described = []
    for row, (field, sums) in enumerate(by_field.items()):
        y = 10 + row * row_height
        total = sum(sums.targets.values())
        parts.append(f'<text x="0" y="{y + 18}" font-size="13">{_t(field)} ({total})</text>')
        counted = ", ".join(f"{words(s)} {sums.targets[s]}" for s in TARGET_STATES if sums.targets.get(s))
        described.append(f"{field} ({total}): {counted}")
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
    parts.insert(1, f'<desc id="chart-desc">{_t(". ".join(described))}</desc>')
    parts.append("</svg>")
    return "".join(parts)


_chart = field_chart


def page(report: Report, version: str) -> str:
    statuses, items, settings, years, as_of, words = (
        report.statuses, report.items, report.settings, report.years, report.as_of, report.words,
    )  # fmt: skip
    moved, changes = report.moved, report.changes
    title = settings.title or "dxroadmap"
    meta = meta_line(settings, as_of, words)

    def link(pid: str) -> str:
        return f"#p-{clean(pid)}"  # as the section's id is written

    since = [f"<p>{_t(review.legend(changes, words))}</p>"] if changes is not None else []
    body = [
        f'<header><h1>{_t(title)} {escape(words("report_title"))}</h1><p class="meta">{_t(meta)}</p>',
        '<p class="legend">' + " ".join(f"<span>{_state(s, words)}</span>" for s in MARKS) + "</p>",
        *since,
        "</header>",
        "<main>",
        f"<h2>{escape(words('by_field'))}</h2>",
        f'<figure class="chart" id="chart">{field_chart(statuses, words)}</figure>',
        f"<h2>{escape(words('summary_sheet'))}</h2>",
        summary_table(statuses, years, words, link, changes),
        *(changes_section(changes, words, link, "h2") if changes is not None else []),
        f"<h2>{escape(words('slipping_count', n=len(items)))}</h2>",
        slipping_table(items, words, link),
        f"<h2>{escape(words('projects_heading'))}</h2>",
        f'<label class="filter"><input type="checkbox" id="only-flagged"> {escape(words("only_flagged"))}</label>',
        *(
            project_section(
                s, shown_years(years, s, settings.period), words, moved.get(s.project.id), settings, changes, f"p{n}"
            )
            for n, s in enumerate(statuses)
        ),
        "</main>",
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


def _head_row(labels: Sequence[str]) -> str:
    return "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in labels) + "</tr></thead>"


def _caption(text: str, hidden: bool = True) -> str:
    """A table's caption; hidden from the eye (not from screen readers) where a heading above says the same."""
    return f'<caption class="sr-only">{_t(text)}</caption>' if hidden else f"<caption>{_t(text)}</caption>"


def summary_table(
    statuses: Sequence[ProjectStatus],
    years: Sequence[int],
    words: Words,
    link: Link,
    changes: Changes | None = None,
) -> str:
    head = [words("project"), words("owner"), words("state"), words("done_due_total"), words("progress")]
    head += [fiscal.label(y) for y in years] + [words("flags")]
    if changes is not None:
        head.append(words("since", when=changes.label))
    rows = []
    for field, group in groupby(statuses, key=lambda s: s.field):
        rows.append(f'<tr class="field"><td colspan="{len(head)}">{_t(field)}</td></tr>')
        for s in group:
            c = s.counts
            pid = s.project.id
            state = _state(s.state, words)
            moved_state = changes.project_state(pid) if changes is not None else None
            if moved_state is not None:
                state += "<br>" + changed(review.badge(moved_state, words))
            cells = [
                f'<a href="{_t(link(pid))}">{_t(s.project.roadmap.name)}</a><br><small>{_t(pid)}</small>',
                _t(s.project.roadmap.owner),
                state,
                f'<span class="num">{c.done}/{c.due}/{c.total}</span>',
                f'<span class="num">{escape(bar(c.done, c.total).split("]")[-1].strip())}</span>',
                *(_state(s.year_state(y), words, with_word=False) for y in years),
                escape(flags_text(s.flags, words)),
            ]
            touched = changes is not None and bool(changes.of_project(pid))
            if changes is not None:
                said = review.summary(changes, pid, words)
                cells.append(changed(said) if touched else escape(said))
            row = '<tr class="chg">' if touched else "<tr>"
            rows.append(row + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    caption = _caption(words("summary_sheet"))
    return (
        f'<div class="scroll"><table id="summary">{caption}{_head_row(head)}<tbody>{"".join(rows)}</tbody>'
        "</table></div>"
    )


_summary = summary_table


def slipping_table(items: Sequence[SlipItem], words: Words, link: Link) -> str:
    """The slipping list: the state, the project's id (a link to its roadmap) and 事業名, the target (a KPI's value
    against it), the reason as written and the outlook; 「楽観」 in bold where it says 順調 of a late item."""
    if not items:
        return f"<p>{escape(words('nothing_slipping'))}</p>"
    rows = slipping_rows(items, words)
    out = [_caption(words("slipping_heading")), _head_row(rows.header), "<tbody>"]
    outlook = SLIP_COLUMNS.index("outlook")
    project = SLIP_COLUMNS.index("project")
    for item, cells in zip(items, rows.rows, strict=True):
        shown = [_t(c) for c in cells]
        shown[project] = f'<a href="{_t(link(item.project))}">{shown[project]}</a>'
        if item.disagrees:  # 順調 said of a late item
            shown[outlook] = f'<strong style="color:{COLOURS[State.SLIPPING]}">{shown[outlook]}</strong>'
        out.append(
            "<tr><td>" + _state(item.state, words) + "</td>" + "".join(f"<td>{c}</td>" for c in shown[1:]) + "</tr>"
        )
    out.append("</tbody>")
    return f'<div class="scroll"><table id="slipping">{"".join(out)}</table></div>'


_slipping = slipping_table


def changes_section(
    changes: Changes, words: Words, link: Link, level: str, lines: list[review.Line] | None = None
) -> list[str]:
    """The list 「前回からの変更」 under its heading (of `level`), with the legend of the mark."""
    chosen = changes.lines if lines is None else lines
    out = [f'<{level} id="changes">{_t(review.heading(changes, words))}</{level}>']
    if not chosen:
        return [*out, f"<p>{escape(words('changes_none'))}</p>"]
    header, rows = review.rows(chosen, words)
    body = []
    project = review.HEADER_KEYS.index("project")
    for line, row in zip(chosen, rows, strict=True):
        cells = [_t(c) for c in row]
        cells[0] = changed(row[0])
        cells[project] = f'<a href="{_t(link(line.project))}">{cells[project]}</a>'
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    caption = _caption(review.heading(changes, words))
    table = f'<div class="scroll"><table id="changes-list">{caption}{_head_row(header)}<tbody>{"".join(body)}</tbody>'
    return [*out, f"<p>{_t(review.legend(changes, words))}</p>", table + "</table></div>"]


def _year_head(year: int, period: tuple[int, int] | None, words: Words) -> str:
    """A year's column heading; a year outside the plan's period says so in words."""
    if not outside(year, period):
        return f"<th>{fiscal.label(year)}</th>"
    word = escape(words("outside_period"))
    return f'<th class="outside" title="{word}">{fiscal.label(year)}<br><small>({word})</small></th>'


def _target(
    init: InitiativeStatus,
    t: TargetStatus,
    moved: dict[tuple[str, int, str], int] | None,
    words: Words,
    marks: Sequence[str] = (),
) -> str:
    """A target with its state; a KPI with its numbers and, once reported, its latest value and progress."""
    label, reported = target_lines(init, t, moved, words)
    value = f'<br><span class="kpi">{_t(reported)}</span>' if reported else ""
    badges = "".join(f"<br>{changed(m)}" for m in marks)
    return (
        f"<li>{_state(t.state, words, with_word=False)} {_t(label)}"
        f" <small>({escape(words(t.state))})</small>{value}{badges}</li>"
    )


def grid_table(
    s: ProjectStatus,
    years: Sequence[int],
    words: Words,
    moved: dict[tuple[str, int, str], int] | None,
    period: tuple[int, int] | None = None,
    changes: Changes | None = None,
) -> str:
    """The roadmap grid of the source document: 取組 × years, a 目標 row and a 実績 row each; what changed since
    the review point marked (`changed`)."""
    pid = s.project.id
    grid = [
        "<thead><tr><th>"
        + escape(words("initiative"))
        + f'</th><th><span class="sr-only">{escape(words("targets"))} / {escape(words("actuals"))}</span></th>'
        + "".join(_year_head(y, period, words) for y in years)
        + "</tr></thead><tbody>"
    ]
    for init in s.initiatives:
        name = _t(init.name) + (f"<br>{_state(State.UNREPORTED, words)}" if init.unreported else "")
        moved_state = changes.initiative_state(pid, init) if changes is not None else None
        if moved_state is not None:
            name += "<br>" + changed(review.badge(moved_state, words))
        name += "".join(f'<br><small class="series">{_t(series)}</small>' for series in monitored(init, words))
        new = changes.new_actuals(pid, init) if changes is not None else set()
        target_cells = []
        for year in years:
            items = [
                _target(init, t, moved, words, [review.badge(x, words) for x in changes.target_lines(pid, init, t)]
                        if changes is not None else ())
                for t in init.targets
                if t.fiscal_year == year
            ]  # fmt: skip
            target_cells.append(f'<ul class="targets">{"".join(items)}</ul>' if items else "")
        actual_cells = [
            "<br>".join(
                (changed(f"{review.MARK} {words('new_actual')}") + " " if i in new else "")
                + escape(describe_actual(a, words))
                for i, a in enumerate(init.actuals)
                if a.fiscal_year == year
            )
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
    caption = _caption(f"{s.project.roadmap.name} ({pid})")
    return f'<div class="scroll"><table class="grid" tabindex="0">{caption}{"".join(grid)}</tbody></table></div>'


def head_list(s: ProjectStatus, words: Words, changes: Changes | None = None) -> str:
    """政策分野 / 担当課 / 概要 / 状態 of a project, as a description list."""
    roadmap = s.project.roadmap
    head = [
        (words("field"), roadmap.field),
        (words("owner"), roadmap.owner),
        *([(words("summary"), roadmap.summary)] if roadmap.summary else []),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{_t(v)}</dd>" for k, v in head)
    counts = f"{s.counts.done}/{s.counts.due}/{s.counts.total}"
    moved_state = changes.project_state(s.project.id) if changes is not None else None
    badge = f" {changed(review.badge(moved_state, words))}" if moved_state is not None else ""
    dl += f"<dt>{escape(words('state'))}</dt><dd>{_state(s.state, words)} {counts}{badge}</dd>"
    return f'<dl class="head">{dl}</dl>'


def trend_figures(s: ProjectStatus, words: Words, settings: Settings, prefix: str, level: str) -> str:
    """The KPI trends of a project (those with two values or more) under a heading of `level`; "" without any."""
    figures = []
    for init in s.initiatives:
        for n, trend in enumerate(trends.trends(init, settings.calendar, words)):
            ident = f"{prefix}-{init.index}-{n}"
            keys = "".join(f"<li>{swatch}{escape(word)}</li>" for swatch, word in trends.legend(trend, words))
            points = "".join(f"<li>{_t(p.label)}: {trends.number(p.value)}</li>" for p in trend.points)
            down = f" ({escape(words('direction_down'))})" if trend.direction == "down" else ""
            kind = "" if trend.goals else f" ({escape(words('monitored_indicator'))})"
            figures.append(
                f'<figure class="trend" id="{ident}">{trends.svg(trend, ident, words, settings.calendar)}'
                f"<figcaption><strong>{_t(words('trend_title', kpi=trend.name))}{down}{kind}</strong>"
                f"<small>{_t(init.name)}</small>"
                f'<ul class="keys">{keys}</ul>'
                f"<details><summary>{escape(words('values'))}</summary><p>{_t(trends.describe(trend, words))}</p>"
                f"<ul>{points}</ul></details></figcaption></figure>"
            )
    if not figures:
        return ""
    return f"<{level}>{escape(words('kpi_trends'))}</{level}>" + f'<div class="trends">{"".join(figures)}</div>'


def project_section(
    s: ProjectStatus,
    years: Sequence[int],
    words: Words,
    moved: dict[tuple[str, int, str], int] | None,
    settings: Settings,
    changes: Changes | None = None,
    prefix: str = "p",
) -> str:
    roadmap = s.project.roadmap
    flagged = "1" if any(s.flags.values()) else "0"
    return (
        f'<section class="project" id="p-{_t(s.project.id)}" data-flagged="{flagged}">'
        f"<h3>{_t(roadmap.name)} <small>({_t(s.project.id)})</small></h3>{head_list(s, words, changes)}"
        f"{grid_table(s, years, words, moved, settings.period, changes)}"
        f"{trend_figures(s, words, settings, prefix, 'h4')}</section>"
    )
