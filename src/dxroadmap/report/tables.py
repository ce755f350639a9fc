"""Reports as rows of text, for CSV and Markdown, and the shared marks of target states.

Every cell that holds text from a file goes through `safe.clean`; Markdown cells are escaped
so that a `|` or a newline in a file cannot break the table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.problems import Problem
from dxroadmap.progress import DatedActual, InitiativeStatus, ProjectStatus, Settings, SlipItem, Summary, TargetStatus
from dxroadmap.report.data import Moved
from dxroadmap.safe import clean

if TYPE_CHECKING:  # only types: the review log's module is loaded by the commands that use it
    from dxroadmap.history import Event, ProjectSince

# Symbols of unambiguous width (see NOTES.md): CJK terminals draw them one cell wide.
MARKS = {
    "done": "✔",
    "done_late": "✓",
    "slipping": "!",
    "missed": "✖",
    "open": "o",
    "planned": ".",
    "unreported": "?",
}


@dataclass(frozen=True)
class Report:
    """Everything a whole-portfolio report (xlsx, html, markdown) shows."""

    statuses: Sequence[ProjectStatus]
    items: Sequence[SlipItem]
    settings: Settings
    years: Sequence[int]
    as_of: date
    words: Words
    moved: dict[str, Moved]

    @property
    def title(self) -> str:
        return f"{self.settings.title or 'dxroadmap'} {self.words('report_title')}"

    @property
    def meta(self) -> str:
        return meta_line(self.settings, self.as_of, self.words)


@dataclass(frozen=True)
class Rows:
    header: list[str]
    rows: list[list[str]]


def meta_line(settings: Settings, as_of: date, words: Words, sep: str = " / ") -> str:
    """`As of 2026-11-26 (R8) / Last quarter R8 Q2 / Next meeting 第3回… 2026-11-30`."""
    year, quarter = settings.calendar.last_completed_quarter(as_of)
    parts = [
        f"{words('as_of')} {as_of.isoformat()} ({fiscal.label(settings.calendar.year_of(as_of))})",
        f"{words('last_quarter')} {fiscal.label(year)} {fiscal.quarter_label(quarter)}",
    ]
    meeting = settings.next_meeting(as_of)
    if meeting is not None:
        parts.append(f"{words('next_meeting')} {clean(meeting.name)} {meeting.date.isoformat()}")
    return sep.join(parts)


def legend(words: Words) -> str:
    return "  ".join(f"{mark} {words(state)}" for state, mark in MARKS.items())


def mark(state: str | None) -> str:
    return MARKS[state] if state else ""


def bar(done: int, total: int, width: int = 10) -> str:
    if total == 0:
        return "[" + " " * width + "]    -"
    filled = round(width * done / total)
    return f"[{'#' * filled}{'-' * (width - filled)}] {round(100 * done / total):3d}%"


def flags_text(flags: dict[str, int], words: Words) -> str:
    return ", ".join(f"{words(kind)} {n}" for kind, n in flags.items() if n)


def describe_actual(a: DatedActual, words: Words) -> str:
    """One actual as a line of the roadmap grid: `Q2 3市町村で実施 (達成: フィールドワーク)`."""
    parts = []
    if a.quarter:
        parts.append(fiscal.quarter_label(a.quarter))
    if a.text:
        parts.append(a.text)
    if a.kpi is not None:
        value = int(a.value) if isinstance(a.value, float) and a.value.is_integer() else a.value
        parts.append(f"{a.kpi} = {value}")
    if a.achieves and [n for n in a.achieves if n != a.text]:
        parts.append(f"({words('achieves')}: {', '.join(a.achieves)})")
    if a.reason:
        parts.append(f"[{words('explained')}: {a.reason}]")
    return clean(" ".join(parts))


def since_summary(report: ProjectSince | None, words: Words) -> str:
    if report is None:
        return ""
    parts = [
        words(key, n=n)
        for key, n in (
            ("since_summary_records", len(report.records)),
            ("since_summary_states", len(report.states)),
            ("since_summary_replanned", len(report.replanned)),
        )
        if n
    ]
    return ", ".join(parts) or words("no_change")


def status_rows(
    statuses: Sequence[Summary],
    years: Sequence[int],
    words: Words,
    since: tuple[str, dict[str, ProjectSince]] | None = None,
) -> Rows:
    header = [
        "id", words("field"), words("name"), words("owner"), words("state"),
        words("done_due_total"), *(fiscal.label(y) for y in years), words("flags"),
        *([words("since", when=since[0])] if since else []),
    ]  # fmt: skip
    rows = []
    for s in statuses:
        rows.append(
            [
                s.id,
                clean(s.field),
                clean(s.name),
                clean(s.owner),
                f"{mark(s.state)} {words(s.state)}",
                f"{s.counts.done}/{s.counts.due}/{s.counts.total}",
                *(_year_cell(s, y, words) for y in years),
                flags_text(s.flags, words),
                *([clean(since_summary(since[1].get(s.id), words))] if since else []),
            ]
        )
    return Rows(header, rows)


def _year_cell(s: Summary, year: int, words: Words) -> str:
    state = s.year_state(year)
    return f"{mark(state)} {words(state)}" if state else ""


def target_label(init: InitiativeStatus, t: TargetStatus, moved: Moved | None) -> str:
    """A target's text, with the year it was first planned in when it was moved: `作成 (R5→R6)`."""
    first = (moved or {}).get((fiscal.normalize(init.name), t.fiscal_year, fiscal.normalize(t.text)))
    suffix = f" ({fiscal.label(first)}→{fiscal.label(t.fiscal_year)})" if first is not None else ""
    return clean(t.text) + suffix


def show_rows(status: ProjectStatus, years: Sequence[int], words: Words, moved: Moved | None = None) -> Rows:
    """The roadmap grid of the source document: 取組 × years, a 目標 row and a 実績 row each."""
    header = [words("initiative"), "", *(fiscal.label(y) for y in years)]
    rows = []
    for init in status.initiatives:
        targets = [
            "\n".join(f"{mark(t.state)} {target_label(init, t, moved)}" for t in init.targets if t.fiscal_year == y)
            for y in years
        ]
        actuals = ["\n".join(describe_actual(a, words) for a in init.actuals if a.fiscal_year == y) for y in years]
        name = clean(init.name) + (f"\n{mark('unreported')} {words('unreported')}" if init.unreported else "")
        rows.append([name, words("targets"), *targets])
        rows.append(["", words("actuals"), *actuals])
    return Rows(header, rows)


def slipping_rows(items: Sequence[SlipItem], words: Words) -> Rows:
    header = [
        words("state"), words("project"), words("initiative"), words("year"), words("target"),
        words("due"), words("days_late"), words("explained"), words("outlook"),
    ]  # fmt: skip
    rows = []
    for item in items:
        year = fiscal.label(item.fiscal_year) + (f" {fiscal.quarter_label(item.quarter)}" if item.quarter else "")
        target = (
            clean(item.target)
            if item.target is not None
            else words("not_reported", quarter=fiscal.quarter_label(item.quarter or 0))
        )
        rows.append(
            [
                f"{mark(item.state)} {words(item.state)}",
                item.project,
                clean(item.initiative),
                year,
                target,
                item.due.isoformat(),
                str(item.days_late) if item.days_late >= 0 else words("behind_pace"),
                words("yes") if item.explained else words("no"),
                words(item.outlook) if item.outlook else "",
            ]
        )
    return Rows(header, rows)


def history_rows(events: Sequence[Event], words: Words) -> Rows:
    header = [
        words("date"), words("commit"), words("author"), words("project"), words("kind"),
        words("initiative"), words("year"), words("change"),
    ]  # fmt: skip
    rows = []
    for e in events:
        c = e.change
        year = fiscal.label(c.fiscal_year) + (f" {fiscal.quarter_label(c.quarter)}" if c.quarter else "")
        what = c.text or ""
        if c.kind == "target_moved" and c.from_year is not None and c.to_year is not None:
            what += f" ({fiscal.label(c.from_year)}→{fiscal.label(c.to_year)})"
        if c.detail:
            what += f" ({c.detail})"
        rows.append(
            [
                e.date.date().isoformat(), e.commit[:10], clean(e.author), e.project, words(c.kind),
                clean(c.initiative), year, clean(what),
            ]
        )  # fmt: skip
    return Rows(header, rows)


def problem_rows(problems: Sequence[Problem]) -> Rows:
    return Rows(
        ["path", "line", "column", "code", "message"],
        [[clean(p.path), str(p.line), str(p.column), p.code, clean(p.message)] for p in problems],
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(text: str) -> str:
    # A cell starting like a formula is shown as text by spreadsheets when it begins with '.
    return "'" + text if text.startswith(_FORMULA_START) else text


def target_rows(statuses: Sequence[ProjectStatus], words: Words) -> Rows:
    """One row per target: the CSV export."""
    header = [
        "id", words("project"), words("field"), words("owner"), words("initiative"), words("year"),
        words("target"), words("due"), words("state"), words("achieved_in"), words("kpi_value"),
    ]  # fmt: skip
    rows = []
    for s in statuses:
        for init in s.initiatives:
            for t in init.targets:
                value = t.kpi.value if t.kpi is not None else None
                shown = "" if value is None else str(int(value) if float(value).is_integer() else value)
                rows.append(
                    [
                        s.project.id, clean(s.project.roadmap.name), clean(s.field), clean(s.project.roadmap.owner),
                        clean(init.name), fiscal.label(t.fiscal_year), clean(t.text), t.due.isoformat(),
                        words(t.state), fiscal.label(t.achieved_in) if t.achieved_in else "", shown,
                    ]
                )  # fmt: skip
    return Rows(header, rows)


def markdown_report(report: Report) -> str:
    """Status table, slipping list and every project's grid, for GitHub / GitLab."""
    statuses, items, years, words, moved = report.statuses, report.items, report.years, report.words, report.moved
    title, meta = report.title, report.meta
    parts = [f"# {_md_cell(clean(title))}\n", f"{_md_cell(clean(meta))}\n", f"{legend(words)}\n"]
    parts += [f"## {words('summary_sheet')}\n", to_markdown(status_rows([s.summary() for s in statuses], years, words))]
    parts.append(f"## {words('slipping_sheet')} ({len(items)})\n")
    parts.append(to_markdown(slipping_rows(items, words)) if items else f"{words('nothing_slipping')}\n")
    parts.append(f"## {words('projects_heading')}\n")
    for s in statuses:
        roadmap = s.project.roadmap
        parts.append(f"### {_md_cell(clean(roadmap.name))} ({s.project.id})\n")
        lines = [
            f"- {words('field')}: {_md_cell(clean(roadmap.field))}",
            f"- {words('owner')}: {_md_cell(clean(roadmap.owner))}",
            *([f"- {words('summary')}: {_md_cell(clean(roadmap.summary))}"] if roadmap.summary else []),
            f"- {words('state')}: {mark(s.state)} {words(s.state)} ({s.counts.done}/{s.counts.due}/{s.counts.total})",
        ]
        parts.append("\n".join(lines) + "\n")
        parts.append(to_markdown(show_rows(s, years, words, moved.get(s.project.id))))
    return "\n".join(parts)


def to_csv(rows: Rows, lineterminator: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(rows.header)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows.rows)
    return out.getvalue()


def _md_cell(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br>")


def to_markdown(rows: Rows) -> str:
    lines = [
        "| " + " | ".join(_md_cell(h) for h in rows.header) + " |",
        "|" + "|".join("---" for _ in rows.header) + "|",
    ]
    lines.extend("| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows.rows)
    return "\n".join(lines) + "\n"
