"""The portfolio as an Excel workbook (openpyxl): a summary sheet and one roadmap sheet per project.

States are shown by a mark and a word *and* a colour. Text from files is always written as a
string (never a formula, whatever it starts with). Widths count East Asian wide characters
as two; long text wraps.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from copy import copy
from datetime import date
from itertools import groupby
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Color, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from dxroadmap import fiscal
from dxroadmap.forms import COLUMNS as FORM_COLUMNS
from dxroadmap.forms import DONE_MARK, FORMAT, MARK, MAX_TEXT, META_SHEET, OUTLOOK_WORDS, VERSION, Form, FormRow
from dxroadmap.forms import IDS as FORM_IDS
from dxroadmap.forms import INPUTS as INPUT_KEYS
from dxroadmap.forms import ROW_INPUTS as FORM_ROW_INPUTS
from dxroadmap.i18n import Words
from dxroadmap.progress import ProjectStatus, SlipItem, totals, worst
from dxroadmap.report import review, trends
from dxroadmap.report.review import Changes
from dxroadmap.report.tables import (
    MARKS,
    SLIP_COLUMNS,
    Report,
    describe_actual,
    flags_text,
    initiative_label,
    meta_line,
    shown_years,
    slipping_rows,
    target_lines,
    year_header,
)
from dxroadmap.safe import clean
from dxroadmap.settings import Settings
from dxroadmap.states import State

# Fill (background) and font colour per state; the mark and the word carry the meaning too.
FILLS: dict[State, str] = {
    State.DONE: "E2F0D9",
    State.DONE_LATE: "FFF2CC",
    State.SLIPPING: "FCE4D6",
    State.MISSED: "F8CBAD",
    State.OPEN: "DDEBF7",
    State.PLANNED: "F2F2F2",
    State.UNREPORTED: "E4DFEC",
}
INKS: dict[State, str] = {
    State.DONE: "375623",
    State.DONE_LATE: "7F6000",
    State.SLIPPING: "C55A11",
    State.MISSED: "C00000",
    State.OPEN: "1F4E79",
    State.PLANNED: "595959",
    State.UNREPORTED: "7030A0",
}
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
HEAD_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, no leading/trailing apostrophe, 31 characters at most."""
    base = _BAD_SHEET_CHARS.sub("_", clean(name)).strip("'") or "project"
    if base.casefold() == "history":  # reserved by Excel
        base += "_"
    title = base[:31].rstrip("'")
    n = 2
    while title.casefold() in taken:
        suffix = f"~{n}"
        title = base[: 31 - len(suffix)].rstrip("'") + suffix
        n += 1
    taken.add(title.casefold())
    return title


def _put(ws: Worksheet, row: int, column: int, value: str | float | CellRichText, **style: object) -> Cell | MergedCell:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = clean(value)
        cell.data_type = "s"  # a string, even when it starts with '=': never a formula
    else:
        cell.value = value
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _state_cell(
    ws: Worksheet, row: int, column: int, state: State | None, words: Words, with_word: bool = True
) -> None:
    if state is None:
        return
    text = f"{MARKS[state]} {words(state)}" if with_word else MARKS[state]
    _put(
        ws, row, column, text,
        fill=PatternFill("solid", fgColor=FILLS[state]), font=Font(color=INKS[state], bold=True),
        alignment=Alignment(horizontal="center" if not with_word else "left", vertical="top"), border=BOX,
    )  # fmt: skip


def _header(ws: Worksheet, row: int, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, 1):
        _put(ws, row, column, label, fill=HEAD_FILL, font=HEAD_FONT, alignment=WRAP, border=BOX)


def _fit(ws: Worksheet, widths: dict[int, int], cap: int = 60) -> None:
    for column, chars in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(cap, max(6, chars + 2))


def _print_setup(ws: Worksheet, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows


def workbook(report: Report) -> bytes:
    statuses, items, settings, years, as_of, words = (
        report.statuses, report.items, report.settings, report.years, report.as_of, report.words,
    )  # fmt: skip
    moved = report.moved
    book = Workbook()
    summary = book.active
    assert summary is not None
    taken: set[str] = set()
    summary.title = sheet_title(words("summary_sheet"), taken)
    _summary(summary, statuses, settings, years, as_of, words, report.changes)
    slips = book.create_sheet(sheet_title(words("slipping_sheet"), taken))
    _slipping(slips, items, words)
    if report.changes is not None:
        _changes(book.create_sheet(sheet_title(words("changes_heading"), taken)), report.changes, words)
    for status in statuses:
        ws = book.create_sheet(sheet_title(status.project.id.replace("/", "-"), taken))
        shown = shown_years(years, status, settings.period)
        last = _roadmap(ws, status, shown, words, (moved or {}).get(status.project.id), settings.period, report.changes)
        _trends(ws, status, words, settings.calendar, last, 4 + len(shown))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _title(ws: Worksheet, settings: Settings, as_of: date, words: Words) -> None:
    _put(ws, 1, 1, settings.title or "dxroadmap", font=Font(bold=True, size=14))
    _put(ws, 2, 1, meta_line(settings, as_of, words))


def _summary(
    ws: Worksheet,
    statuses: Sequence[ProjectStatus],
    settings: Settings,
    years: Sequence[int],
    as_of: date,
    words: Words,
    changes: Changes | None = None,
) -> None:
    _title(ws, settings, as_of, words)
    labels = [
        words("field"), words("name"), "id", words("owner"), words("state"), words("done_due_total"),
        words("progress"), *(fiscal.label(y) for y in years), words("flags"),
        *([words("since", when=changes.label)] if changes is not None else []),
    ]  # fmt: skip
    head = 4
    _header(ws, head, labels)
    widths = {i: width(label) for i, label in enumerate(labels, 1)}
    row = head
    for field, group in groupby(statuses, key=lambda s: s.field):
        for s in group:
            row += 1
            roadmap = s.project.roadmap
            values: list[str] = [field, roadmap.name, s.project.id, roadmap.owner]
            for column, value in enumerate(values, 1):
                _put(ws, row, column, value, alignment=WRAP, border=BOX)
                widths[column] = max(widths[column], width(value))
            _state_cell(ws, row, 5, s.state, words)
            widths[5] = max(widths[5], width(f"{MARKS[s.state]} {words(s.state)}"))
            _put(ws, row, 6, f"{s.counts.done}/{s.counts.due}/{s.counts.total}", border=BOX)
            _put(ws, row, 7, s.counts.share_done, number_format="0%", border=BOX)
            for offset, year in enumerate(years):
                _state_cell(ws, row, 8 + offset, s.year_state(year), words, with_word=False)
            flags = flags_text(s.flags, words)
            _put(ws, row, 8 + len(years), flags, alignment=WRAP, border=BOX)
            widths[8 + len(years)] = max(widths[8 + len(years)], width(flags))
            if changes is not None:  # what changed since the review point: the mark and the colour
                said = review.summary(changes, s.project.id, words)
                touched = bool(changes.of_project(s.project.id))
                _put(ws, row, 9 + len(years), said, alignment=WRAP, border=BOX, **(_CHANGED if touched else {}))
                widths[9 + len(years)] = max(widths[9 + len(years)], min(40, width(said)))
    total = totals(statuses)
    row += 1
    c = total.counts
    _put(ws, row, 1, f"{words('total')} ({total.projects})", font=Font(bold=True))
    _put(ws, row, 6, f"{c.done}/{c.due}/{c.total}", font=Font(bold=True))
    _put(ws, row, 7, c.share_done, number_format="0%", font=Font(bold=True))
    row += 2
    _put(ws, row, 1, f"{words('legend')}: " + "  ".join(f"{m} {words(s)}" for s, m in MARKS.items()))
    widths[2] = min(widths[2], 40)
    _fit(ws, widths, cap=40)
    for offset in range(len(years)):
        ws.column_dimensions[get_column_letter(8 + offset)].width = 6
    ws.freeze_panes = f"C{head + 1}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(labels))}{max(head + 1, head + len(statuses))}"
    _print_setup(ws, f"{head}:{head}")


def _slipping(ws: Worksheet, items: Sequence[SlipItem], words: Words) -> None:
    rows = slipping_rows(items, words)
    _header(ws, 1, rows.header)
    widths = {i: width(h) for i, h in enumerate(rows.header, 1)}
    days = SLIP_COLUMNS.index("days_late") + 1
    outlook = SLIP_COLUMNS.index("outlook") + 1
    for r, (item, cells) in enumerate(zip(items, rows.rows, strict=True), 2):
        _state_cell(ws, r, 1, item.state, words)
        for column, value in enumerate(cells[1:], 2):
            _put(ws, r, column, int(value) if column == days and value.isdigit() else value, alignment=WRAP, border=BOX)
        if item.disagrees:  # 順調 said of a late item: as visible as the state
            ws.cell(row=r, column=outlook).font = Font(color=INKS[State.SLIPPING], bold=True)
        for column, value in enumerate(cells, 1):
            widths[column] = max(widths[column], width(value))
    _fit(ws, widths, cap=40)
    ws.freeze_panes = "B2"
    _print_setup(ws, "1:1")
    _print_heading(ws, words("slipping_heading"))  # what the printed list holds: 遅延・未達・未報告


def _roadmap(
    ws: Worksheet,
    s: ProjectStatus,
    years: Sequence[int],
    words: Words,
    moved: dict[tuple[str, int, str], int] | None,
    period: tuple[int, int] | None = None,
    changes: Changes | None = None,
) -> int:
    """The source document's layout: a header of 政策分野/事業名/担当課/概要, then 取組 × years; the last row.

    A year outside the plan's `period` (it holds data) is headed `R10 (計画期間外)`. With `changes`, what
    changed since the review point is marked (`review.MARK`, in `review.INK`).
    """
    roadmap = s.project.roadmap
    last = 2 + len(years)
    rows = [(words("field"), roadmap.field), (words("name"), roadmap.name), (words("owner"), roadmap.owner)]
    if roadmap.summary:
        rows.append((words("summary"), roadmap.summary))
    for r, (label, value) in enumerate(rows, 1):
        _put(ws, r, 1, label, fill=HEAD_FILL, font=HEAD_FONT, border=BOX, alignment=WRAP)
        _put(ws, r, 2, value, alignment=WRAP, border=BOX)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=last)
        if width(value) > 20 * len(years):
            ws.row_dimensions[r].height = 15 * (1 + width(value) // (20 * len(years) + 10))
    head = len(rows) + 2
    _state_cell(ws, head - 1, 1, s.state, words)
    _put(ws, head - 1, 2, f"{words('done_due_total')} {s.counts.done}/{s.counts.due}/{s.counts.total}")
    pid = s.project.id
    moved_state = changes.project_state(pid) if changes is not None else None
    if moved_state is not None:
        _put(ws, head - 1, 3, review.badge(moved_state, words), **_CHANGED)
    _header(ws, head, [words("initiative"), "", *(year_header(y, period, words) for y in years)])
    row = head
    for init in s.initiatives:
        row += 1
        name_cell: str | CellRichText = initiative_label(init, words)
        init_moved = changes.initiative_state(pid, init) if changes is not None else None
        if init_moved is not None:
            name_cell = CellRichText(
                TextBlock(InlineFont(b=True), clean(initiative_label(init, words))),
                TextBlock(_CHANGED_FONT, "\n" + review.badge(init_moved, words)),
            )
        _put(ws, row, 1, name_cell, alignment=WRAP, border=BOX, font=Font(bold=True))
        new = changes.new_actuals(pid, init) if changes is not None else set()
        ws.merge_cells(start_row=row, start_column=1, end_row=row + 1, end_column=1)
        _put(ws, row, 2, words("targets"), alignment=WRAP, border=BOX)
        _put(ws, row + 1, 2, words("actuals"), alignment=WRAP, border=BOX)
        lines_needed = 1
        for offset, year in enumerate(years):
            targets = [t for t in init.targets if t.fiscal_year == year]
            if targets:
                rich = CellRichText()
                lines = 0
                for i, t in enumerate(targets):
                    prefix = "\n" if i else ""
                    ink = Color(rgb=INKS[t.state])
                    rich.append(TextBlock(InlineFont(color=ink, b=True), f"{prefix}{MARKS[t.state]} "))
                    text, reported = target_lines(init, t, moved, words)
                    rich.append(TextBlock(InlineFont(color=ink), f"{clean(text)} ({words(t.state)})"))
                    if reported:  # the KPI's latest value against the target, its progress and period
                        rich.append(TextBlock(InlineFont(color=ink, i=True), f"\n  {clean(reported)}"))
                    lines += 2 if reported else 1
                    for line in changes.target_lines(pid, init, t) if changes is not None else []:
                        rich.append(TextBlock(_CHANGED_FONT, "\n" + review.badge(line, words)))
                        lines += 1
                fill = PatternFill("solid", fgColor=FILLS[worst(t.state for t in targets)])
                _put(ws, row, 3 + offset, rich, alignment=WRAP, border=BOX, fill=fill)
                lines_needed = max(lines_needed, 2 * lines)
            those = [(i, a) for i, a in enumerate(init.actuals) if a.fiscal_year == year]
            actuals = "\n".join(describe_actual(a, words) for _, a in those)
            if any(i in new for i, _ in those):  # a new actual: its line begins with the mark, in the colour
                marked = CellRichText()
                for n, (i, a) in enumerate(those):
                    if i in new:
                        mark = f"{chr(10) if n else ''}{review.MARK} {words('new_actual')} "
                        marked.append(TextBlock(_CHANGED_FONT, mark))
                        marked.append(TextBlock(InlineFont(), describe_actual(a, words)))
                    else:
                        marked.append(TextBlock(InlineFont(), f"{chr(10) if n else ''}{describe_actual(a, words)}"))
                _put(ws, row + 1, 3 + offset, marked, alignment=WRAP, border=BOX)
            else:
                _put(ws, row + 1, 3 + offset, actuals, alignment=WRAP, border=BOX)
            lines_needed = max(lines_needed, 2 * actuals.count("\n") + 2)
        ws.row_dimensions[row].height = 15 * lines_needed
        row += 1
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 6
    for offset in range(len(years)):
        ws.column_dimensions[get_column_letter(3 + offset)].width = 26
    ws.freeze_panes = f"C{head + 1}"
    _print_setup(ws, f"{head}:{head}")
    return row


_CHANGED_INK = review.INK.lstrip("#").upper()
_CHANGED_FONT = InlineFont(color=Color(rgb=_CHANGED_INK), b=True)
_CHANGED: dict[str, object] = {
    "font": Font(color=_CHANGED_INK, bold=True),
    "fill": PatternFill("solid", fgColor=review.BACKGROUND.lstrip("#").upper()),
}


def _print_heading(ws: Worksheet, text: str) -> None:
    """The heading printed at the top of every page of a sheet."""
    header = ws.oddHeader
    if header is not None and header.center is not None:
        header.center.text = clean(text)


def _changes(ws: Worksheet, changes: Changes, words: Words) -> None:
    """The sheet 「前回からの変更」: every change since the review point, each headed by the mark, in the colour."""
    header, rows = review.rows(changes.lines, words)
    _put(ws, 1, 1, review.heading(changes, words), font=Font(bold=True, size=14))
    _put(ws, 2, 1, review.legend(changes, words))
    _header(ws, 3, header)
    widths = {i: width(h) for i, h in enumerate(header, 1)}
    for r, cells in enumerate(rows, 4):
        for column, value in enumerate(cells, 1):
            style = _CHANGED if column == 1 else {}
            _put(ws, r, column, value, alignment=WRAP, border=BOX, **style)
            widths[column] = max(widths[column], width(value))
    if not rows:
        _put(ws, 4, 1, words("changes_none"))
    _fit(ws, widths, cap=40)
    ws.freeze_panes = "A4"
    _print_setup(ws, "3:3")
    _print_heading(ws, review.heading(changes, words))


def _trends(ws: Worksheet, s: ProjectStatus, words: Words, calendar: fiscal.Calendar, last: int, column: int) -> None:
    """Each KPI trend of the project as a native Excel line chart on a date axis, below the grid (ending at row
    `last`), one under another; its numbers (dates, values, baseline, targets, pace lines: a row each) to the
    right of the grid, from `column` on, a block per trend side by side, so the grid's rows stay the sheet's rows."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.axis import DateAxis

    found = [(init, trend) for init in s.initiatives for trend in trends.trends(init, calendar, words)]
    if found:  # printed: the grid and the charts (the numbers beside are for reading on screen, and for the charts)
        ws.print_area = f"A1:{get_column_letter(max(column - 2, 6))}{last + 1 + 18 * len(found)}"
    for n, (init, trend) in enumerate(found):
        table = trend.table()
        paces = [g for g in trend.goals if g.start is not None]
        labels = [words("reported_values"), words("baseline"), words("year_targets")]
        labels += [f"{words('pace')} {fiscal.label(g.fiscal_year)}" for g in paces]
        unit = f" ({trend.unit})" if trend.unit else ""
        note = f" / {words('pace')}: {words('pace_line')}" if paces else ""
        _put(ws, 1, column, f"{words('trend_title', kpi=trend.name)}{unit} — {init.name}{note}", font=Font(bold=True))
        _put(ws, 2, column, words("date"), fill=HEAD_FILL, font=HEAD_FONT, border=BOX)
        for r, label in enumerate(labels, 3):
            _put(ws, r, column, label, fill=HEAD_FILL, font=HEAD_FONT, border=BOX)
        ws.column_dimensions[get_column_letter(column)].width = 16
        for c, (day, value, target, pace) in enumerate(table, column + 1):
            cell = ws.cell(row=2, column=c)
            cell.value, cell.number_format, cell.border = day, "yyyy-mm-dd", BOX
            for r, number in enumerate([value, trend.baseline, target, *pace], 3):
                if number is not None:
                    _put(ws, r, c, number, border=BOX)
                else:
                    ws.cell(row=r, column=c).border = BOX
            ws.column_dimensions[get_column_letter(c)].width = 11
        end = column + len(table)
        chart = LineChart()
        chart.title = clean(words("trend_title", kpi=trend.name))
        chart.y_axis.title = clean(trend.unit or words("value"))
        chart.x_axis = DateAxis(crossAx=100)
        chart.x_axis.number_format = "yyyy-mm"
        chart.x_axis.majorTimeUnit = "months"
        chart.x_axis.title = words("date")
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.display_blanks = "span"
        if chart.legend is not None:
            chart.legend.position = "b"
        data = Reference(ws, min_col=column, max_col=end, min_row=3, max_row=2 + len(labels))
        chart.add_data(data, from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=column + 1, max_col=end, min_row=2, max_row=2))
        _style_series(chart, trend)
        chart.height, chart.width = 8, 16
        ws.add_chart(chart, f"C{last + 2 + 18 * n}")
        column = end + 2


def _style_series(chart: object, trend: trends.Trend) -> None:
    """Values: a solid line with round markers; baseline: dotted; targets: diamonds, no line; pace: dashed."""
    series = list(getattr(chart, "series"))  # noqa: B009
    value, baseline, target, *paces = series
    value.graphicalProperties.line.solidFill = trends.VALUE_INK.lstrip("#")
    value.graphicalProperties.line.width = 28575
    value.marker.symbol = "circle"
    value.marker.graphicalProperties.solidFill = trends.VALUE_INK.lstrip("#")
    baseline.graphicalProperties.line.solidFill = trends.GUIDE_INK.lstrip("#")
    baseline.graphicalProperties.line.dashStyle = "sysDot"
    baseline.marker.symbol = "none"
    target.graphicalProperties.line.noFill = True
    target.marker.symbol = "diamond"
    target.marker.size = 9
    target.marker.graphicalProperties.solidFill = "FFFFFF"
    target.marker.graphicalProperties.line.solidFill = trends.TARGET_INK.lstrip("#")
    for pace in paces:
        pace.graphicalProperties.line.solidFill = trends.GUIDE_INK.lstrip("#")
        pace.graphicalProperties.line.dashStyle = "dash"
        pace.marker.symbol = "none"
    if trend.baseline is None:  # no baseline: its column is empty, and so is its line
        baseline.graphicalProperties.line.noFill = True
    if not trend.goals:
        target.marker.symbol = "none"


# --- the report form sent to an owner section (`form`; issue 15) ---------------------------------

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # where the owner writes
REQUIRED_FILL = PatternFill("solid", fgColor="F4B183")  # 理由 of a late item: required unless achieved
CLOSED_FILL = PatternFill("solid", fgColor="D9D9D9")  # an input column that takes nothing on this row
INITIATIVE_FILL = PatternFill("solid", fgColor="D9E1F2")
REQUIRED_SIDE = Side(style="medium", color="C00000")
_FORM_WIDTHS = {
    "no": 5, "name": 22, "initiative": 22, "target": 30, "year": 6, "due": 11, "state": 11,
    "target_value": 9, "baseline": 9, "last_value": 14, "done": 6, "value": 10, "unit": 8,
    "text": 36, "date": 12, "reason": 36, "outlook": 8, "rating": 6,
}  # fmt: skip
_TITLE_ROW, _INFO_ROW, _KEY_ROW, _HEAD_ROW = 1, 2, 3, 4


def _form_date(value: date, lang: str) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if lang == "ja" else value.isoformat()


def _list_formula(choices: Sequence[str]) -> str | None:
    """An inline list for data validation (`"a,b"`), or None when a choice cannot be written inline."""
    if any(c in choice for choice in choices for c in ',"') or sum(len(c) + 1 for c in choices) > 250:
        return None
    return '"' + ",".join(choices) + '"'


def form_workbook(form: Form) -> bytes:
    """The form as a workbook: 記入方法 first, then the form sheet (protected, no password; input cells
    coloured and unlocked, data validation on each), then a hidden sheet that identifies the form."""
    book = Workbook()
    howto = book.active
    assert howto is not None
    taken: set[str] = set()
    howto.title = sheet_title(form.say("form.howto_sheet"), taken)
    sheet = book.create_sheet(sheet_title(form.say("form.sheet"), taken))
    meta = book.create_sheet(sheet_title(META_SHEET, taken))
    _form_sheet(sheet, form, meta)
    _howto_sheet(howto, form, sheet.title)
    _meta_sheet(meta, form)
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _form_columns(form: Form) -> list[str]:
    return [key for key, _ in FORM_COLUMNS if key != "rating" or form.ratings] + list(FORM_IDS)


def _form_sheet(ws: Worksheet, form: Form, meta: Worksheet) -> None:
    words = Words(form.lang)
    keys = _form_columns(form)
    column = {key: i for i, key in enumerate(keys, 1)}
    last = get_column_letter(len(keys))
    title = form.say("form.title", plan=form.plan or "dxroadmap", period=form.words,
                     start=_form_date(form.start, form.lang), end=_form_date(form.end, form.lang))  # fmt: skip
    _put(ws, _TITLE_ROW, 1, title, font=Font(bold=True, size=14))
    info = form.say("form.subtitle", owner=form.owner, deadline=_form_date(form.deadline, form.lang),
                    as_of=_form_date(form.as_of, form.lang))  # fmt: skip
    _put(ws, _INFO_ROW, 1, info)
    for key, i in column.items():
        _put(ws, _KEY_ROW, i, key)
    ws.row_dimensions[_KEY_ROW].hidden = True
    labels = [
        form.say(f"form.col.{key}") if not key.startswith("id.") else form.say("form.col.ids", key=key) for key in keys
    ]
    _header(ws, _HEAD_ROW, labels)
    for key in INPUT_KEYS & set(column):
        cell = ws.cell(row=_HEAD_ROW, column=column[key])
        cell.fill, cell.font = PatternFill("solid", fgColor="7F6000"), HEAD_FONT
    validations = _form_validations(form, meta)
    styles = _Styles()
    row = _HEAD_ROW
    for number, item in enumerate(form.rows, 1):
        row += 1
        _form_row(ws, row, number, item, form, column, words, validations, styles)
    for validation in validations.values():
        if validation.sqref:
            ws.add_data_validation(validation)
    for key, i in column.items():
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _FORM_WIDTHS.get(key, 12)
        if key.startswith("id."):
            ws.column_dimensions[letter].hidden = True
    ws.freeze_panes = ws.cell(row=_HEAD_ROW + 1, column=column["target"] + 1).coordinate
    ws.auto_filter.ref = f"A{_HEAD_ROW}:{last}{max(row, _HEAD_ROW + 1)}"  # the hidden ids move with their rows
    ws.protection.sheet = True  # no password: the protection keeps layout and identification, it is no secret
    ws.protection.formatColumns = False  # allowed: widen columns, change row heights, sort and filter
    ws.protection.formatRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False
    _print_setup(ws, f"{_HEAD_ROW}:{_HEAD_ROW}")


_Kind = Literal["list", "decimal", "date", "textLength"]
_Operator = Literal["between", "lessThanOrEqual"]


def _form_validations(form: Form, meta: Worksheet) -> dict[str, DataValidation]:
    def checked(
        kind: _Kind,
        title_key: str,
        message: str,
        operator: _Operator | None = None,
        formula1: str | None = None,
        formula2: str | None = None,
    ) -> DataValidation:
        return DataValidation(
            type=kind, operator=operator, formula1=formula1, formula2=formula2, allow_blank=True,
            showErrorMessage=True, errorStyle="stop", errorTitle=form.say(title_key), error=message,
        )  # fmt: skip

    choose = form.say("form.list_error")
    start, end = _form_date(form.start, form.lang), _form_date(form.end, form.lang)
    too_long = form.say("form.text_error", limit=MAX_TEXT)
    out = {
        "done": checked("list", "form.col.done", choose, formula1=f'"{DONE_MARK}"'),
        "outlook": checked("list", "form.col.outlook", choose, formula1=_list_formula(OUTLOOK_WORDS)),
        "value": checked(
            "decimal", "form.col.value", form.say("form.number_error"), "between", "-1000000000000000",
            "1000000000000000",
        ),
        "date": checked(
            "date", "form.col.date", form.say("form.date_error", start=start, end=end), "between",
            f"DATE({form.start.year},{form.start.month},{form.start.day})",
            f"DATE({form.end.year},{form.end.month},{form.end.day})",
        ),
        "text": checked("textLength", "form.col.text", too_long, "lessThanOrEqual", str(MAX_TEXT)),
        "reason": checked("textLength", "form.col.reason", too_long, "lessThanOrEqual", str(MAX_TEXT)),
    }  # fmt: skip
    required = checked("textLength", "form.col.reason", too_long, "lessThanOrEqual", str(MAX_TEXT))
    required.showInputMessage = True
    required.promptTitle = form.say("form.reason_title")
    required.prompt = form.say("form.reason_prompt")
    out["required"] = required
    if form.ratings:
        symbols = [symbol for symbol, _ in form.ratings]
        inline = _list_formula(symbols)
        if inline is None:  # a symbol with a comma or a quote: the list lies in the hidden sheet
            for i, symbol in enumerate(symbols, 1):
                _put(meta, i, 4, symbol)
            inline = f"'{meta.title}'!$D$1:$D${len(symbols)}"
        out["rating"] = checked("list", "form.col.rating", choose, formula1=inline)
    return out


class _Styles:
    """Styles made once per workbook and copied to every cell that takes them: openpyxl registers each style
    assigned attribute by attribute, which costs more than all else in a form of a few hundred rows."""

    def __init__(self) -> None:
        self.made: dict[str, StyleArray] = {}

    def apply(self, cell: Cell | MergedCell, key: str, **style: object) -> None:
        found = self.made.get(key)
        if found is not None:
            setattr(cell, "_style", copy(found))  # noqa: B010 (as openpyxl's own copy_worksheet; not in its stubs)
            return
        for name, setting in style.items():
            setattr(cell, name, setting)
        self.made[key] = copy(getattr(cell, "_style"))  # noqa: B009


def _text(cell: Cell | MergedCell, value: str | float) -> None:
    if isinstance(value, str):
        cell.value = clean(value)
        cell.data_type = "s"  # a string, even when it starts with '=': never a formula
    else:
        cell.value = value


def _form_row(
    ws: Worksheet,
    row: int,
    number: int,
    item: FormRow,
    form: Form,
    column: dict[str, int],
    words: Words,
    validations: dict[str, DataValidation],
    styles: _Styles,
) -> None:
    head = item.kind == "initiative"
    base: dict[str, object] = {"alignment": WRAP, "border": BOX}
    if head:
        base |= {"fill": INITIATIVE_FILL, "font": Font(bold=True)}
    shown: dict[str, str | float | None] = {
        "no": number,
        "name": item.name,
        "initiative": item.initiative_name,
        "target": item.target if not head else form.say("form.whole_initiative"),
        "year": fiscal.label(item.fiscal_year) if item.fiscal_year is not None else None,
        "due": item.due.isoformat() if item.due is not None else None,
        "target_value": item.kpi_target,
        "baseline": item.baseline,
        "last_value": (
            f"{item.last_value:g} ({item.last_period})" if item.last_value is not None and item.last_period else None
        ),
        "unit": item.unit,
    }
    for key, value in shown.items():
        cell = ws.cell(row=row, column=column[key])
        styles.apply(cell, f"shown-{head}", **base)
        if value is not None:
            _text(cell, value)
    cell = ws.cell(row=row, column=column["state"])
    styles.apply(
        cell, f"state-{item.state}", fill=PatternFill("solid", fgColor=FILLS[item.state]),
        font=Font(color=INKS[item.state], bold=True), alignment=Alignment(horizontal="left", vertical="top"),
        border=BOX,
    )  # fmt: skip
    _text(cell, f"{MARKS[item.state]} {words(item.state)}")
    ids: dict[str, str | int] = {
        "id.form": MARK, "id.plan": form.plan, "id.period": form.code, "id.owner": item.owner,
        "id.project": item.project, "id.digest": item.digest, "id.initiative": item.initiative + 1,
        "id.initiative_name": item.initiative_name, "id.kind": item.kind,
        "id.year": item.fiscal_year if item.fiscal_year is not None else "",
        "id.target_index": item.target_index + 1 if item.target_index is not None else "",
        "id.target": item.target or "",
    }  # fmt: skip
    for key, value in ids.items():
        if value != "":
            _text(ws.cell(row=row, column=column[key]), value)
    open_here = FORM_ROW_INPUTS[item.kind]
    for key in sorted(INPUT_KEYS & set(column)):
        cell = ws.cell(row=row, column=column[key])
        if key not in open_here:
            styles.apply(cell, "closed", border=BOX, fill=CLOSED_FILL)
            continue
        alignment = WRAP if key in ("text", "reason") else Alignment(horizontal="center", vertical="top")
        if key == "reason" and item.late:
            required = Border(left=REQUIRED_SIDE, right=REQUIRED_SIDE, top=REQUIRED_SIDE, bottom=REQUIRED_SIDE)
            styles.apply(
                cell, "required", protection=Protection(locked=False), alignment=alignment, fill=REQUIRED_FILL,
                border=required,
            )  # fmt: skip
            validations["required"].add(cell.coordinate)
            continue
        number_format = "yyyy/mm/dd" if key == "date" else "General"
        styles.apply(
            cell, f"input-{key}", protection=Protection(locked=False), alignment=alignment, fill=INPUT_FILL,
            border=BOX, number_format=number_format,
        )  # fmt: skip
        if key in validations:
            validations[key].add(cell.coordinate)
    lines = max(
        1, *((width(text) + size - 3) // (size - 2) for text, size in (
            (item.name, _FORM_WIDTHS["name"]), (item.initiative_name, _FORM_WIDTHS["initiative"]),
            (item.target or "", _FORM_WIDTHS["target"]),
        ))
    )  # fmt: skip
    ws.row_dimensions[row].height = 15 * min(lines, 6) + 6


def _howto_sheet(ws: Worksheet, form: Form, sheet: str) -> None:
    words = Words(form.lang)
    d = form.lang
    start, end, deadline = _form_date(form.start, d), _form_date(form.end, d), _form_date(form.deadline, d)
    contact = form.say("form.howto.contact", contact=form.contact) if form.contact else None
    lines: list[tuple[str, bool]] = [
        (form.say("form.howto.title", plan=form.plan or "dxroadmap", period=form.words), True),
        ("", False),
        (form.say("form.howto.to", owner=form.owner), False),
        (form.say("form.howto.period", period=form.words, start=start, end=end), False),
        (form.say("form.howto.deadline", deadline=deadline, days=form.grace_days), True),
        (contact or form.say("form.howto.no_contact"), False),
        (form.say("form.howto.as_of", as_of=_form_date(form.as_of, d)), False),
        ("", False),
        (form.say("form.howto.heading"), True),
        (form.say("form.howto.rows", sheet=sheet), False),
        (form.say("form.howto.done", mark=DONE_MARK), False),
        (form.say("form.howto.value"), False),
        (form.say("form.howto.text"), False),
        (form.say("form.howto.date"), False),
        (form.say("form.howto.reason"), False),
        (form.say("form.howto.outlook"), False),
    ]
    if form.ratings:
        grades = [f"{s}({m})" if m and d == "ja" else f"{s} ({m})" if m else s for s, m in form.ratings]
        lines.append((form.say("form.howto.rating", ratings=("、" if d == "ja" else ", ").join(grades)), False))
    legend = "  ".join(f"{MARKS[s]} {words(s)}" for s in (State.OPEN, State.SLIPPING, State.MISSED))
    lines += [
        (form.say("form.howto.blank"), False),
        ("", False),
        (form.say("form.howto.protect", sheet=sheet), True),
        (form.say("form.howto.return", sheet=sheet), False),
        ("", False),
        (form.say("form.howto.legend", legend=legend), False),
    ]
    for r, (text, bold) in enumerate(lines, 1):
        _put(ws, r, 1, text, alignment=WRAP, font=Font(bold=bold, size=14 if r == 1 else 11))
        ws.row_dimensions[r].height = 15 * max(1, (width(text) + 99) // 100) + 4
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _meta_sheet(ws: Worksheet, form: Form) -> None:
    """The form's identification, for a reader (hidden): the format, its version, the plan, the period, the
    owner, the dates, and the digest of each roadmap file the rows were made from."""
    from dxroadmap import __version__

    pairs: list[tuple[str, str | int]] = [
        (FORMAT, VERSION), ("plan", form.plan), ("period", form.code), ("owner", form.owner),
        ("as_of", form.as_of.isoformat()), ("deadline", form.deadline.isoformat()), ("lang", form.lang),
        ("made_with", f"dxroadmap {__version__}"),
    ]  # fmt: skip
    pairs += [(f"digest:{pid}", value) for pid, value in sorted(form.digests.items())]
    for r, (key, value) in enumerate(pairs, 1):
        _put(ws, r, 1, key)
        _put(ws, r, 2, value)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
