"""Reports as rows of text, for CSV and Markdown, and the shared marks of target states.

Every cell that holds text from a file goes through `safe.clean`, and `to_csv` / `to_markdown`
clean every cell they write once more (ids and paths — file names — included); Markdown cells
are escaped so that a `|` or a newline in a file cannot break the table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TextIO

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.problems import Problem
from dxroadmap.progress import (
    DatedActual,
    InitiativeStatus,
    KpiStatus,
    ProjectStatus,
    SlipItem,
    Summary,
    TargetStatus,
)
from dxroadmap.report.data import Moved
from dxroadmap.safe import clean
from dxroadmap.settings import Settings
from dxroadmap.states import State

if TYPE_CHECKING:  # only types: the review log's module is loaded by the commands that use it
    from dxroadmap.history import Event, ProjectSince
    from dxroadmap.report.review import Changes

# Symbols of unambiguous width (see NOTES.md): CJK terminals draw them one cell wide.
MARKS: dict[State, str] = {
    State.DONE: "✔",
    State.DONE_LATE: "✓",
    State.SLIPPING: "!",
    State.MISSED: "✖",
    State.OPEN: "o",
    State.PLANNED: ".",
    State.UNREPORTED: "?",
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
    changes: Changes | None = None  # with `--since`: what changed since then, marked and listed

    @property
    def title(self) -> str:
        return f"{self.settings.title or 'dxroadmap'} {self.words('report_title')}"

    @property
    def meta(self) -> str:
        return meta_line(self.settings, self.as_of, self.words)


@dataclass(frozen=True)
class Rows:
    header: list[str]
    rows: Iterable[list[str]]  # read once: a long list (the slipping list's) is made as it is written


def meta_line(settings: Settings, as_of: date, words: Words, sep: str = " / ") -> str:
    """`As of 2026-11-26 (R8) / Last quarter R8 Q2 / Next meeting 第3回… 2026-11-30`.

    Under a 半期 or 年度 cadence, `Last report period R8 H1` (or `R8`) instead of the quarter.
    """
    parts = [f"{words('as_of')} {as_of.isoformat()} ({fiscal.label(settings.calendar.year_of(as_of))})"]
    if settings.cadence == "quarter":
        year, quarter = settings.calendar.last_completed_quarter(as_of)
        parts.append(f"{words('last_quarter')} {fiscal.label(year)} {fiscal.quarter_label(quarter)}")
    else:
        period = settings.last_report_period(as_of)
        parts.append(f"{words('last_report_period')} {period_label(period.fiscal_year, period.label, words)}")
    meeting = settings.next_meeting(as_of)
    if meeting is not None:
        parts.append(f"{words('next_meeting')} {clean(meeting.name)} {meeting.date.isoformat()}")
    return sep.join(parts)


def legend(words: Words) -> str:
    return "  ".join(f"{mark} {words(state)}" for state, mark in MARKS.items())


def mark(state: State | None) -> str:
    """A state's mark ("" for None: no targets); a KeyError for anything that is not a `State`'s value."""
    return MARKS[state] if state is not None else ""


def bar(done: int, total: int, width: int = 10) -> str:
    if total == 0:
        return "[" + " " * width + "]    -"
    filled = round(width * done / total)
    return f"[{'#' * filled}{'-' * (width - filled)}] {round(100 * done / total):3d}%"


def flags_text(flags: dict[str, int], words: Words) -> str:
    """`missed 15, unreported 1, optimistic 1`: every flag counted, in its word (a key without one as itself)."""
    return ", ".join(f"{_word(words, kind)} {n}" for kind, n in flags.items() if n)


def _word(words: Words, key: str) -> str:
    try:
        return words(key)
    except KeyError:
        return key


def number(value: float | None) -> str:
    """A value as the file would write it: `120`, `1.25`."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def percent(share: float) -> str:
    """A share rounded as the progress bar rounds it: `43 %`."""
    return f"{round(100 * share)} %"


def period_label(year: int, period: str | None, words: Words) -> str:
    """`R8 Q2`, `R8 上期` (`R8 H1` in English), or `R8` for the whole year (no period, or `FY`)."""
    if not period or period == "FY":
        return fiscal.label(year)
    if period in ("H1", "H2"):
        return f"{fiscal.label(year)} {words('half_' + period[1])}"
    return f"{fiscal.label(year)} {period}"


def actual_when(a: DatedActual, words: Words, with_year: bool = True) -> str:
    """When an actual is for: `R8 Q2`, `R8 上期`, `R8 2026-08-15` (its 日付), `R8` (the whole year)."""
    when = period_label(a.fiscal_year, a.period_label, words)
    if not with_year:
        when = when.removeprefix(fiscal.label(a.fiscal_year)).strip()
    return f"{when} {a.date.isoformat()}".strip() if a.dated else when


def describe_actual(a: DatedActual, words: Words) -> str:
    """One actual as a line of the roadmap grid: `Q2 3市町村で実施 (達成: フィールドワーク) [見通し: 順調]`.

    Its period (`Q2`, `上期`, its 日付), what it says, the KPI value it reports, and, where set,
    理由, 見通し and 評価.
    """
    parts = []
    when = actual_when(a, words, with_year=False)
    if when:
        parts.append(when)
    if a.text:
        parts.append(a.text)
    if a.kpi is not None:
        parts.append(f"{a.kpi} = {number(a.value)}")
    if a.achieves and [n for n in a.achieves if n != a.text]:
        parts.append(f"({words('achieves')}: {', '.join(a.achieves)})")
    if a.reason:
        parts.append(f"[{words('reason')}: {a.reason}]")
    if a.outlook:
        parts.append(f"[{words('outlook')}: {_word(words, a.outlook)}]")
    if a.rating:
        parts.append(f"[{words('rating')}: {a.rating}]")
    return clean(" ".join(parts))


def kpi_label(kpi: KpiStatus, words: Words) -> str:
    """A KPI target with its numbers: `120現場`, then `(基準値 18, 減少)` where the file gives them."""
    label = f"{number(kpi.target)}{kpi.unit or ''}"
    extra = [f"{words('baseline')} {number(kpi.baseline)}"] if kpi.baseline is not None else []
    if kpi.direction == "down":
        extra.append(words("direction_down"))
    return clean(label + (f" ({', '.join(extra)})" if extra else ""))


def kpi_report(kpi: KpiStatus, words: Words) -> str | None:
    """The latest value against the target, progress from the baseline, and when: `52 / 120 現場, 43 % (R8 Q2)`."""
    if kpi.value is None:
        return None
    text = f"{number(kpi.value)} / {number(kpi.target)}" + (f" {kpi.unit}" if kpi.unit else "")
    share = kpi.progress
    if share is not None:
        text += f", {percent(share)}"
    if kpi.reported is not None:
        text += f" ({actual_when(kpi.reported, words)})"
    return clean(text)


def monitored(init: InitiativeStatus, words: Words) -> list[str]:
    """The series of each indicator reported with no target of its name: `有効求人倍率: 1.2 (R6), 1.3 (R7 Q2)`."""
    targeted = {fiscal.text_key(t.text) for t in init.targets if t.kpi is not None}
    series: dict[str, tuple[str, list[str]]] = {}
    for a in init.actuals:
        if a.kpi is None or a.value is None or fiscal.text_key(a.kpi) in targeted:
            continue
        series.setdefault(fiscal.text_key(a.kpi), (a.kpi, []))[1].append(f"{number(a.value)} ({actual_when(a, words)})")
    return [clean(f"{name}: {', '.join(values)}") for name, values in series.values()]


def shown_years(base: Sequence[int], status: ProjectStatus, period: tuple[int, int] | None) -> list[int]:
    """The year columns of a project's grid: `base` (the plan's period) and every year that holds data.

    Without a plan period, the years run without a gap from the first to the last.
    """
    years = set(base) | set(status.data_years())
    if period is None and years:
        return list(range(min(years), max(years) + 1))
    return sorted(years)


def outside(year: int, period: tuple[int, int] | None) -> bool:
    """A year outside the plan's period (real plans state goals and report values beyond it)."""
    return period is not None and not period[0] <= year <= period[1]


def year_header(year: int, period: tuple[int, int] | None, words: Words | None = None) -> str:
    """`R8`; a year outside the plan's period `R10*` (see `outside_legend`), or with `words` `R10 (計画期間外)`."""
    if not outside(year, period):
        return fiscal.label(year)
    return f"{fiscal.label(year)} ({words('outside_period')})" if words else f"{fiscal.label(year)}*"


def outside_legend(words: Words) -> str:
    return f"*: {words('outside_period')}"


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
                clean(s.id),
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


def target_label(init: InitiativeStatus, t: TargetStatus, moved: Moved | None, words: Words | None = None) -> str:
    """A target's text, with the year it was first planned in when it was moved: `作成 (R5→R6)`.

    With `words`, a KPI reads with its numbers: `導入現場数 120現場 (基準値 18)`.
    """
    first = (moved or {}).get((fiscal.normalize(init.name), t.fiscal_year, fiscal.normalize(t.text)))
    suffix = f" ({fiscal.label(first)}→{fiscal.label(t.fiscal_year)})" if first is not None else ""
    numbers = f" {kpi_label(t.kpi, words)}" if t.kpi is not None and words is not None else ""
    return clean(t.text) + numbers + suffix


def target_lines(init: InitiativeStatus, t: TargetStatus, moved: Moved | None, words: Words) -> tuple[str, str | None]:
    """A target as (its label, the latest value of a KPI against it: `52 / 120 現場, 43 % (R8 Q2)`, or None)."""
    return target_label(init, t, moved, words), kpi_report(t.kpi, words) if t.kpi is not None else None


def initiative_label(init: InitiativeStatus, words: Words, marks: Sequence[str] = ()) -> str:
    """The name of an initiative, `? unreported` when it is, what changed (`marks`), and the series of its monitored
    indicators."""
    lines = [clean(init.name)]
    if init.unreported:
        lines.append(f"{mark(State.UNREPORTED)} {words(State.UNREPORTED)}")
    return "\n".join([*lines, *marks, *monitored(init, words)])


def show_rows(
    status: ProjectStatus,
    years: Sequence[int],
    words: Words,
    moved: Moved | None = None,
    period: tuple[int, int] | None = None,
    outside_word: bool = False,
    changes: Changes | None = None,
) -> Rows:
    """The roadmap grid of the source document: 取組 × years, a 目標 row and a 実績 row each.

    A year outside the plan's `period` is headed `R10*` (or `R10 (計画期間外)` with `outside_word`). With
    `changes`, what changed since the review point carries its mark (`review.badge`).
    """
    from dxroadmap.report import review

    header = [words("initiative"), "", *(year_header(y, period, words if outside_word else None) for y in years)]
    rows = []
    pid = status.project.id
    for init in status.initiatives:
        targets = []
        for y in years:
            lines = []
            for t in init.targets:
                if t.fiscal_year == y:
                    label, value = target_lines(init, t, moved, words)
                    badges = [review.badge(x, words) for x in changes.target_lines(pid, init, t)] if changes else []
                    lines.append(
                        f"{mark(t.state)} {label}"
                        + (f"\n  {value}" if value else "")
                        + "".join(f"\n{b}" for b in badges)
                    )
            targets.append("\n".join(lines))
        new = changes.new_actuals(pid, init) if changes is not None else set()
        added = f"{review.MARK} {words('new_actual')} "
        actuals = [
            "\n".join(
                (added if i in new else "") + describe_actual(a, words)
                for i, a in enumerate(init.actuals)
                if a.fiscal_year == y
            )
            for y in years
        ]
        moved_state = changes.initiative_state(pid, init) if changes is not None else None
        marks = [review.badge(moved_state, words)] if moved_state is not None else []
        rows.append([initiative_label(init, words, marks), words("targets"), *targets])
        rows.append(["", words("actuals"), *actuals])
    return Rows(header, rows)


# The columns of `slipping_rows` (the terminal picks and merges some of them).
SLIP_COLUMNS = (
    "state", "project", "name", "initiative", "year", "target", "kpi_value", "due", "days_late", "explained",
    "reason", "outlook",
)  # fmt: skip


def slip_year(item: SlipItem, words: Words) -> str:
    """`R8` for a target; for an unreported initiative its period: `R8 Q2`, `R8 上期` (`R8 H1`), `R8` (the year)."""
    return period_label(item.fiscal_year, item.period, words)


def slip_target(item: SlipItem, words: Words) -> str:
    """The target's text, or for an unreported initiative `R8 Q2の実績なし` / `no actual for R8 Q2`."""
    if item.target is not None:
        return clean(item.target)
    return words("not_reported", period=slip_year(item, words))


def slip_kpi(item: SlipItem, words: Words) -> str:
    """A KPI's latest value against its target: `52 / 120 現場` (`none / 120 現場` before any report)."""
    if item.kpi_target is None:
        return ""
    value = number(item.kpi_value) if item.kpi_value is not None else words("none")
    return clean(f"{value} / {number(item.kpi_target)}" + (f" {item.unit}" if item.unit else ""))


def slip_outlook(item: SlipItem, words: Words) -> str:
    """The latest outlook; `順調 (楽観)` / `on track (optimistic)` where it says 順調 of a late item."""
    text = _word(words, item.outlook) if item.outlook else ""
    return f"{text} ({words('optimistic')})" if item.disagrees else text


def slipping_rows(items: Sequence[SlipItem], words: Words) -> Rows:
    """The slipping list's rows, made as they are read (120,000 items of a national roll-up: never all at once)."""
    return Rows([words(key) for key in SLIP_COLUMNS], (_slipping_row(item, words) for item in items))


def _slipping_row(item: SlipItem, words: Words) -> list[str]:
    return [
        f"{mark(item.state)} {words(item.state)}",
        clean(item.project),
        clean(item.name),
        clean(item.initiative),
        slip_year(item, words),
        slip_target(item, words),
        slip_kpi(item, words),
        item.due.isoformat(),
        str(item.days_late) if item.days_late >= 0 else words("behind_pace"),
        words("yes") if item.explained else words("no"),
        clean(item.reason or ""),
        slip_outlook(item, words),
    ]


def history_rows(events: Sequence[Event], words: Words) -> Rows:
    header = [
        words("date"), words("commit"), words("author"), words("project"), words("kind"),
        words("initiative"), words("year"), words("change"),
    ]  # fmt: skip
    rows = []
    for e in events:
        c = e.change
        year = fiscal.label(c.fiscal_year) + (f" {fiscal.quarter_label(c.quarter)}" if c.quarter else "")
        what = c.text_in(words) or ""  # the parts of a change in the words of the language (`changes.Change`)
        if c.kind == "target_moved" and c.from_year is not None and c.to_year is not None:
            what += f" ({fiscal.label(c.from_year)}→{fiscal.label(c.to_year)})"
        detail = c.detail_in(words)
        if detail:
            what += f" ({detail})"
        rows.append(
            [
                e.date.date().isoformat(), e.commit[:10], clean(e.author), clean(e.project), words(c.kind),
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
                        clean(s.project.id), clean(s.project.roadmap.name), clean(s.field),
                        clean(s.project.roadmap.owner), clean(init.name), fiscal.label(t.fiscal_year), clean(t.text),
                        t.due.isoformat(),
                        words(t.state), fiscal.label(t.achieved_in) if t.achieved_in else "", shown,
                    ]
                )  # fmt: skip
    return Rows(header, rows)


def markdown_report(report: Report) -> str:
    """Status table, slipping list and every project's grid, for GitHub / GitLab."""
    statuses, items, years, words, moved = report.statuses, report.items, report.years, report.words, report.moved
    title, meta = report.title, report.meta
    parts = [f"# {_md_cell(clean(title))}\n", f"{_md_cell(clean(meta))}\n", f"{legend(words)}\n"]
    changes = report.changes
    table = status_rows([s.summary() for s in statuses], years, words)
    if changes is not None:  # the column of what changed, and the list of it (a mark: Markdown has no colour)
        from dxroadmap.report import review

        table.header.append(words("since", when=changes.label))
        for row, s in zip(table.rows, statuses, strict=True):
            row.append(review.summary(changes, s.project.id, words))
        parts.append(f"{review.legend(changes, words)}\n")
    parts += [f"## {words('summary_sheet')}\n", to_markdown(table)]
    if changes is not None:
        parts.append(f"## {_md_cell(review.heading(changes, words))}\n")
        header, rows = review.rows(changes.lines, words)
        parts.append(to_markdown(Rows(header, rows)) if rows else f"{words('changes_none')}\n")
    parts.append(f"## {words('slipping_count', n=len(items))}\n")
    parts.append(to_markdown(slipping_rows(items, words)) if items else f"{words('nothing_slipping')}\n")
    parts.append(f"## {words('projects_heading')}\n")
    for s in statuses:
        roadmap = s.project.roadmap
        parts.append(f"### {_md_cell(roadmap.name)} ({_md_cell(s.project.id)})\n")
        lines = [
            f"- {words('field')}: {_md_cell(clean(roadmap.field))}",
            f"- {words('owner')}: {_md_cell(clean(roadmap.owner))}",
            *([f"- {words('summary')}: {_md_cell(clean(roadmap.summary))}"] if roadmap.summary else []),
            f"- {words('state')}: {mark(s.state)} {words(s.state)} ({s.counts.done}/{s.counts.due}/{s.counts.total})",
        ]
        parts.append("\n".join(lines) + "\n")
        period = report.settings.period
        shown = shown_years(years, s, period)
        parts.append(to_markdown(show_rows(s, shown, words, moved.get(s.project.id), period, changes=changes)))
        if any(outside(y, period) for y in shown):
            parts.append(f"{outside_legend(words)}\n")
    return "\n".join(parts)


def to_csv(rows: Rows, lineterminator: str = "\n") -> str:
    out = io.StringIO()
    write_csv(rows, out, lineterminator)
    return out.getvalue()


def write_csv(rows: Rows, out: TextIO, lineterminator: str = "\n") -> None:
    """`rows` as CSV, a row at a time."""
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([clean(cell) for cell in rows.header])
    writer.writerows([_csv_cell(clean(cell)) for cell in row] for row in rows.rows)


def _md_cell(text: str) -> str:
    escaped = clean(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br>")


def to_markdown(rows: Rows) -> str:
    out = io.StringIO()
    write_markdown(rows, out)
    return out.getvalue()


def write_markdown(rows: Rows, out: TextIO) -> None:
    """`rows` as a Markdown table, a row at a time."""
    out.write("| " + " | ".join(_md_cell(h) for h in rows.header) + " |\n")
    out.write("|" + "|".join("---" for _ in rows.header) + "|\n")
    for row in rows.rows:
        out.write("| " + " | ".join(_md_cell(cell) for cell in row) + " |\n")
