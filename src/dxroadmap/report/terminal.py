"""Rich tables for the terminal: status across fields, one roadmap grid, the slipping list.

All file text — ids and paths, made of file names, included — enters as `rich.text.Text`
(never parsed as markup) after `safe.clean`; text columns fold instead of cutting Japanese text
with an ellipsis.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.problems import Problem
from dxroadmap.progress import InitiativeStatus, ProjectStatus, SlipItem, Summary, TargetStatus, totals, worst_first
from dxroadmap.report.data import Moved
from dxroadmap.report.tables import (
    MARKS,
    bar,
    describe_actual,
    flags_text,
    history_rows,
    legend,
    mark,
    meta_line,
    monitored,
    outside,
    outside_legend,
    show_rows,
    since_summary,
    slip_kpi,
    slip_outlook,
    slip_target,
    slip_year,
    target_lines,
)
from dxroadmap.safe import clean
from dxroadmap.settings import Settings
from dxroadmap.states import State

if TYPE_CHECKING:  # only types: the review log's module is loaded by the commands that use it
    from dxroadmap.history import Event, ProjectSince

NARROW = 80  # columns: below this, names and ids wrap before a project's flags or an item's days late shrink
STYLES: dict[State, str] = {
    State.DONE: "green",
    State.DONE_LATE: "yellow",
    State.SLIPPING: "bold yellow",
    State.MISSED: "bold red",
    State.OPEN: "cyan",
    State.PLANNED: "dim",
    State.UNREPORTED: "magenta",
}


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader has gone (`| head -1`): the command line ends quietly with 141, not Rich's exit 1."""
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def console(no_color: bool = False, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width, height = _size(stream)
    return _Console(
        file=stream,
        width=width,
        height=height,
        no_color=no_color or None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


def _size(stream: TextIO) -> tuple[int | None, int | None]:
    """The width and height to give Rich, or None and None to let it read them itself.

    Rich reads `COLUMNS` and `LINES`, but takes `COLUMNS=0` as a width of zero (empty output) and
    fails on `COLUMNS=²`: such a value, or a negative one, means unknown (the terminal's, else 80).
    """
    given = [os.environ.get(name) for name in ("COLUMNS", "LINES")]
    numbers = [int(v) if v is not None and v.isascii() and v.isdigit() and int(v) > 0 else None for v in given]
    if all(v is None or n is not None for v, n in zip(given, numbers, strict=True)):
        return None, None  # nothing Rich would misread
    try:
        found = os.get_terminal_size(stream.fileno())
        width, height = found.columns or 80, found.lines or 25
    except (AttributeError, ValueError, OSError):
        width, height = 80, 25
    return numbers[0] or width, numbers[1] or height


@contextmanager
def progress_bar(total: int, description: str, no_color: bool = False) -> Iterator[Callable[[int], None]]:
    """A bar on stderr while files are read; gone when done. `advance(n)` moves it on."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console(no_color, stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def _state(state: State | None, words: Words, with_word: bool = True) -> Text:
    if state is None:
        return Text("")
    label = f"{MARKS[state]} {words(state)}" if with_word else MARKS[state]
    return Text(label, style=STYLES[state])


def _text(value: str, style: str = "") -> Text:
    return Text(clean(value), style=style)


def _heading(settings: Settings, as_of: date, words: Words) -> Text:
    parts = [clean(settings.title)] if settings.title else []
    return Text(" | ".join([*parts, meta_line(settings, as_of, words, sep=" | ")]), style="bold")


def status(
    out: Console,
    statuses: Sequence[Summary],
    problems: Sequence[Problem],
    settings: Settings,
    years: Sequence[int],
    as_of: date,
    words: Words,
    since: tuple[str, dict[str, ProjectSince]] | None = None,
    limit: int | None = None,
) -> None:
    """The progress table; on a narrow terminal the bar, then the owner column, then the year marks give way.

    With more than `limit` projects, the rows are the worst `limit` (still grouped by field);
    the footers count every project.
    """
    out.print(_heading(settings, as_of, words))
    with_years = out.width >= 80
    with_owner = out.width >= 110  # and the state's word beside its mark
    with_bar = out.width >= 130
    shown_years = years if with_years else []
    narrow = out.width < NARROW  # names and ids wrap first; the flags stay whole; less space between columns
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=narrow, show_edge=not narrow)
    table.add_column(words("project"), overflow="fold", ratio=3, min_width=None if narrow else 12)
    if with_owner:
        table.add_column(words("owner"), overflow="fold", ratio=2, min_width=8)
    table.add_column(words("state"), no_wrap=True)
    table.add_column(words("done_due_total"), justify="right", no_wrap=not narrow, overflow="fold")
    if with_bar:
        table.add_column(words("progress"), no_wrap=True)
    for year in shown_years:
        table.add_column(fiscal.label(year), justify="center", no_wrap=True)
    table.add_column(words("flags"), overflow="fold", ratio=2, min_width=8)
    flags_column = table.columns[-1]
    if since is not None:
        since_word = words("since", when=clean(since[0]))
        table.add_column(since_word, overflow="fold", ratio=2, min_width=None if narrow else 8)

    def row(
        label: Text,
        owner: str,
        state: Text,
        done: int,
        due: int,
        total: int,
        marks: list[Text],
        flags: Text,
        changed: str = "",
    ) -> list[Text]:
        if not with_owner and owner:
            label = Text.assemble(label, Text(f"\n{clean(owner)}", style="dim"))
        cells = [label, *([_text(owner)] if with_owner else []), state, Text(f"{done}/{due}/{total}")]
        cells += [Text(bar(done, total))] if with_bar else []
        return [*cells, *(marks if with_years else []), flags, *([Text(changed)] if since is not None else [])]

    def flag_text(flags: dict[str, int]) -> Text:
        return Text(flags_text(flags, words), style="bold red" if any(flags.values()) else "")

    blank = [Text("") for _ in shown_years]
    shown = {id(s) for s in worst_first(statuses)[:limit]} if limit is not None and len(statuses) > limit else None
    for field, group in groupby(statuses, key=lambda s: s.field):
        members = list(group)
        table.add_row(_text(field, "bold"))
        for s in members:
            if shown is not None and id(s) not in shown:
                continue
            name = Text.assemble(_text(s.name), Text(f"\n{clean(s.id)}", style="dim"))
            marks = [_state(s.year_state(y), words, with_word=False) for y in shown_years]
            c = s.counts
            table.add_row(
                *row(
                    name,
                    s.owner,
                    _state(s.state, words, with_word=with_owner),
                    c.done,
                    c.due,
                    c.total,
                    marks,
                    flag_text(s.flags),
                    clean(since_summary(since[1].get(s.id), words)) if since else "",
                )
            )
        sums = totals(members)
        label = Text(f"{words('total')} {clean(field)} ({sums.projects})", style="italic")
        c = sums.counts
        table.add_row(*row(label, "", Text(""), c.done, c.due, c.total, blank, flag_text(sums.flags)), end_section=True)
    grand = totals(statuses)
    label = Text(f"{words('total')} ({grand.projects})", style="bold")
    c = grand.counts
    table.add_row(*row(label, "", Text(""), c.done, c.due, c.total, blank, flag_text(grand.flags)))
    _kept_whole(flags_column, out.width)
    out.print(table if statuses else Text(words("no_projects")))
    if shown is not None:
        out.print(Text(words("more_projects", shown=len(shown), count=len(statuses)), style="dim"))
    out.print(Text(f"{words('legend')}: {legend(words)}", style="dim"))
    if problems:
        out.print(Text(f"\n{words('invalid_files')}:", style="bold red"))
        for p in problems:
            out.print(Text(clean(str(p))), soft_wrap=True)


def show(
    out: Console,
    s: ProjectStatus,
    years: Sequence[int],
    as_of: date,
    settings: Settings,
    words: Words,
    moved: Moved | None = None,
) -> None:
    roadmap = s.project.roadmap
    out.print(_heading(settings, as_of, words))
    head = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
    head.add_column(style="bold", no_wrap=True)
    head.add_column(overflow="fold")
    head.add_row(words("field"), _text(roadmap.field))
    head.add_row(words("name"), _text(roadmap.name))
    head.add_row(words("owner"), _text(roadmap.owner))
    if roadmap.summary:
        head.add_row(words("summary"), _text(roadmap.summary))
    if roadmap.focus:
        head.add_row(words("focus"), _text(", ".join(roadmap.focus)))
    head.add_row(words("state"), _state(s.state, words))
    head.add_row(
        words("done_due_total"),
        f"{s.counts.done}/{s.counts.due}/{s.counts.total}  {bar(s.counts.done, s.counts.total)}",
    )
    grid = Table(box=box.SQUARE, show_lines=True, pad_edge=False)
    rows = show_rows(s, years, words, moved, settings.period)
    grid.add_column(rows.header[0], overflow="fold", ratio=2)
    grid.add_column("", no_wrap=True)
    for label in rows.header[2:]:
        grid.add_column(label, overflow="fold", ratio=2)

    def target(init: InitiativeStatus, t: TargetStatus, sparks: dict[int, str]) -> Text:
        label, value = target_lines(init, t, moved, words)
        cell = Text.assemble(Text(mark(t.state), style=STYLES[t.state]), " ", Text(label))
        if value:
            cell.append(f"\n  {value}", style="italic")
        if id(t) in sparks:  # the KPI's reported values over time, beside its latest value
            cell.append(f"\n  {sparks[id(t)]}", style="dim")
        return cell

    for init in s.initiatives:
        name = _text(init.name)
        if init.unreported:
            name.append(f"\n{mark(State.UNREPORTED)} {words(State.UNREPORTED)}", style=STYLES[State.UNREPORTED])
        sparks, watched = _sparks(init, settings, words)
        for series in monitored(init, words):
            name.append(f"\n{series}", style="dim")
            spark = watched.get(fiscal.text_key(series.split(": ", 1)[0]))
            if spark:
                name.append(f"\n  {spark}", style="dim")
        cells = [
            Text("\n").join(target(init, t, sparks) for t in init.targets if t.fiscal_year == year) for year in years
        ]
        actuals = [Text("\n").join(Text(describe_actual(a, words)) for a in init.actuals if a.fiscal_year == year)
                   for year in years]  # fmt: skip
        grid.add_row(name, words("targets"), *cells)
        grid.add_row("", words("actuals"), *actuals)
    out.print(head)
    out.print(grid)
    out.print(Text(f"{words('legend')}: {legend(words)}", style="dim"))
    if any(outside(year, settings.period) for year in years):
        out.print(Text(outside_legend(words), style="dim"))


def _sparks(init: InitiativeStatus, settings: Settings, words: Words) -> tuple[dict[int, str], dict[str, str]]:
    """The sparkline of each KPI with two values or more (by `id` of its last year's target, where it is shown) and
    of each monitored indicator (by its name's key)."""
    from dxroadmap.report import trends

    by_target: dict[int, str] = {}
    by_name: dict[str, str] = {}
    for trend in trends.trends(init, settings.calendar, words):
        line = trends.spark_line(trend, words)
        key = fiscal.text_key(trend.name)
        if not trend.goals:
            by_name[key] = line
            continue
        last = max((t for t in init.targets if t.kpi is not None and fiscal.text_key(t.text) == key),
                   key=lambda t: (t.fiscal_year, t.due))  # fmt: skip
        by_target[id(last)] = line
    return by_target, by_name


def slipping(out: Console, items: Sequence[SlipItem], words: Words, limit: int | None = None) -> None:
    """The worst `limit` items (a table of thousands of rows helps no one; csv and json have them all)."""
    if not items:
        out.print(words("nothing_slipping"))
        return
    rest = len(items) - limit if limit is not None and len(items) > limit else 0
    shown_items = items[: len(items) - rest]
    # on a narrow terminal the due date gives way, then the reason and the outlook move under the target
    with_due = out.width >= 140
    with_notes = out.width >= 100
    narrow = out.width < NARROW  # names wrap first; the days late stay whole; less space between columns
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=narrow, show_edge=not narrow)
    table.add_column(words("state"), no_wrap=not narrow, overflow="fold")
    state_column = table.columns[-1]
    table.add_column(words("project"), overflow="fold", min_width=None if narrow else 8, ratio=2)
    table.add_column(words("initiative"), overflow="fold", min_width=None if narrow else 8, ratio=2)
    table.add_column(words("year"), no_wrap=not narrow, overflow="fold")
    year_column = table.columns[-1]
    table.add_column(words("target"), overflow="fold", min_width=None if narrow else 8, ratio=3)
    if with_due:
        table.add_column(words("due"), no_wrap=True)
    table.add_column(words("days_late"), justify="right", no_wrap=not narrow, overflow="fold")
    days_column = table.columns[-1]
    if with_notes:
        table.add_column(words("reason"), overflow="fold", min_width=8, ratio=3)
        table.add_column(words("outlook"), overflow="fold", min_width=6, ratio=1)
    for item in shown_items:
        project = Text.assemble(clean(item.project), Text(f"\n{clean(item.name)}", style="dim") if item.name else "")
        target = Text(slip_target(item, words))
        kpi = slip_kpi(item, words)
        if kpi:
            target.append(f"\n{kpi}", style="italic")
        reason = Text(clean(item.reason or ""))
        outlook = Text(slip_outlook(item, words), style="bold" if item.disagrees else "")
        if not with_notes:
            if item.reason:
                target.append(f"\n{words('reason')}: {clean(item.reason)}", style="dim")
            if item.outlook:
                target.append(f"\n{words('outlook')}: ", style="dim").append_text(outlook)
        days = str(item.days_late) if item.days_late >= 0 else words("behind_pace")
        cells = [
            Text(f"{mark(item.state)} {words(item.state)}", style=STYLES[item.state]),
            project,
            _text(item.initiative),
            Text(slip_year(item, words)),
            target,
            *([Text(item.due.isoformat())] if with_due else []),
            Text(days),
            *([reason, outlook] if with_notes else []),
        ]
        table.add_row(*cells)
    for column in (state_column, year_column, days_column):
        _kept_whole(column, out.width, lines=False)
    out.print(table)
    if rest:
        out.print(Text(words("more_items", count=rest), style="dim"))


def _kept_whole(column: Column, width: int, lines: bool = True) -> None:
    """On a narrow terminal, a column that must stay readable gets a width of its own, which Rich never squeezes.

    Rich narrows the widest wrapping columns first, down to nothing, and crops what still does not
    fit at the right edge. A column given a width keeps it: its longest word at least (it wraps
    between words, never inside one), its longest line if that fits in a quarter of the terminal
    (unless `lines` is false).
    """
    if width >= NARROW:
        return
    texts = [str(column.header), *(cell.plain if isinstance(cell, Text) else str(cell) for cell in column.cells)]
    longest_word = max((cell_len(word) for text in texts for word in text.split()), default=1)
    longest_line = max((cell_len(line) for text in texts for line in text.splitlines()), default=1)
    column.width = max(longest_word, min(longest_line, width // 4)) if lines else longest_word


def history(out: Console, events: Sequence[Event], words: Words) -> None:
    if not events:
        out.print(words("no_history"))
        return
    rows = history_rows(events, words)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for i, header in enumerate(rows.header):
        table.add_column(header, overflow="fold", no_wrap=i in (0, 1, 6), ratio=3 if i == 7 else None)
    for row in rows.rows:
        table.add_row(*(_text(cell) for cell in row))
    out.print(table)


def problems(out: Console, found: Sequence[Problem]) -> None:
    for p in found:
        out.print(Text(clean(str(p))), soft_wrap=True)
