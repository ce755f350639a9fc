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
from datetime import date
from itertools import groupby

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Color, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.progress import ProjectStatus, SlipItem, worst
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

# Fill (background) and font colour per state; the mark and the word carry the meaning too.
FILLS = {
    "done": "E2F0D9",
    "done_late": "FFF2CC",
    "slipping": "FCE4D6",
    "missed": "F8CBAD",
    "open": "DDEBF7",
    "planned": "F2F2F2",
    "unreported": "E4DFEC",
}
INKS = {
    "done": "375623",
    "done_late": "7F6000",
    "slipping": "C55A11",
    "missed": "C00000",
    "open": "1F4E79",
    "planned": "595959",
    "unreported": "7030A0",
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


def _state_cell(ws: Worksheet, row: int, column: int, state: str | None, words: Words, with_word: bool = True) -> None:
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
    _summary(summary, statuses, settings, years, as_of, words)
    slips = book.create_sheet(sheet_title(words("slipping_sheet"), taken))
    _slipping(slips, items, words)
    for status in statuses:
        ws = book.create_sheet(sheet_title(status.project.id.replace("/", "-"), taken))
        shown = shown_years(years, status, settings.period)
        _roadmap(ws, status, shown, words, (moved or {}).get(status.project.id), settings.period)
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
) -> None:
    _title(ws, settings, as_of, words)
    labels = [
        words("field"), words("name"), "id", words("owner"), words("state"), words("done_due_total"),
        words("progress"), *(fiscal.label(y) for y in years), words("flags"),
    ]  # fmt: skip
    head = 4
    _header(ws, head, labels)
    widths = {i: width(label) for i, label in enumerate(labels, 1)}
    row = head
    for field, group in groupby(statuses, key=lambda s: s.field):
        for s in group:
            row += 1
            roadmap = s.project.roadmap
            progress_ratio = s.counts.done / s.counts.total if s.counts.total else 0
            values: list[str] = [field, roadmap.name, s.project.id, roadmap.owner]
            for column, value in enumerate(values, 1):
                _put(ws, row, column, value, alignment=WRAP, border=BOX)
                widths[column] = max(widths[column], width(value))
            _state_cell(ws, row, 5, s.state, words)
            widths[5] = max(widths[5], width(f"{MARKS[s.state]} {words(s.state)}"))
            _put(ws, row, 6, f"{s.counts.done}/{s.counts.due}/{s.counts.total}", border=BOX)
            _put(ws, row, 7, progress_ratio, number_format="0%", border=BOX)
            for offset, year in enumerate(years):
                _state_cell(ws, row, 8 + offset, s.year_state(year), words, with_word=False)
            flags = flags_text(s.flags, words)
            _put(ws, row, 8 + len(years), flags, alignment=WRAP, border=BOX)
            widths[8 + len(years)] = max(widths[8 + len(years)], width(flags))
    total = [s.counts for s in statuses]
    row += 1
    done, due, all_ = sum(c.done for c in total), sum(c.due for c in total), sum(c.total for c in total)
    _put(ws, row, 1, f"{words('total')} ({len(statuses)})", font=Font(bold=True))
    _put(ws, row, 6, f"{done}/{due}/{all_}", font=Font(bold=True))
    _put(ws, row, 7, done / all_ if all_ else 0, number_format="0%", font=Font(bold=True))
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
            ws.cell(row=r, column=outlook).font = Font(color=INKS["slipping"], bold=True)
        for column, value in enumerate(cells, 1):
            widths[column] = max(widths[column], width(value))
    _fit(ws, widths, cap=40)
    ws.freeze_panes = "B2"
    _print_setup(ws, "1:1")


def _roadmap(
    ws: Worksheet,
    s: ProjectStatus,
    years: Sequence[int],
    words: Words,
    moved: dict[tuple[str, int, str], int] | None,
    period: tuple[int, int] | None = None,
) -> None:
    """The source document's layout: a header of 政策分野/事業名/担当課/概要, then 取組 × years.

    A year outside the plan's `period` (it holds data) is headed `R10 (計画期間外)`.
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
    _header(ws, head, [words("initiative"), "", *(year_header(y, period, words) for y in years)])
    row = head
    for init in s.initiatives:
        row += 1
        _put(ws, row, 1, initiative_label(init, words), alignment=WRAP, border=BOX, font=Font(bold=True))
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
                fill = PatternFill("solid", fgColor=FILLS[worst(t.state for t in targets)])
                _put(ws, row, 3 + offset, rich, alignment=WRAP, border=BOX, fill=fill)
                lines_needed = max(lines_needed, 2 * lines)
            actuals = "\n".join(describe_actual(a, words) for a in init.actuals if a.fiscal_year == year)
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
