"""What changed since a point of the review log, as the reports show it: the list 「前回からの変更」 and the marks.

Made from what `status --since` computes (`history.since_report`: actuals recorded, targets re-planned,
target states that changed) and the projects as they were judged at that point, which add the
changes of a project's and an initiative's state. Every report marks the same things with the same
mark (`MARK`) and a colour, and lists them with `rows`, so the formats cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from dxroadmap import fiscal
from dxroadmap.changes import Change, actual_parts
from dxroadmap.changes import actual_text as _named
from dxroadmap.i18n import Words
from dxroadmap.progress import DatedActual, InitiativeStatus, ProjectStatus, TargetStatus
from dxroadmap.safe import clean
from dxroadmap.states import State

if TYPE_CHECKING:  # only types: the review log's module is loaded by the commands that use it
    from dxroadmap.history import Event, ProjectSince

MARK = "◆"  # beside everything that changed, with the colour INK: never the colour alone
INK = "#a4262c"  # 6.9:1 on white, 6.0:1 on BACKGROUND (WCAG AA for text)
BACKGROUND = "#fdeceb"
STATE_KINDS = ("project_state", "initiative_state", "target_state")
REPLAN_KINDS = ("target_added", "target_moved", "target_changed", "target_dropped")


@dataclass(frozen=True)
class Line:
    """One change: a state that moved, an actual recorded, or a target re-planned."""

    kind: str  # one of STATE_KINDS, "record", or one of REPLAN_KINDS
    project: str
    name: str  # the project's 事業名
    initiative: str = ""
    fiscal_year: int | None = None
    quarter: int | None = None
    text: str = ""
    before: State | None = None
    after: State | None = None
    from_year: int | None = None
    to_year: int | None = None
    detail: str | None = None
    when: datetime | None = None  # of the commit that made it (the review log's changes)
    author: str = ""
    change: Change | None = None  # of the review log: its text and detail in a report's language


def _text(line: Line, words: Words) -> str:
    return (line.change.text_in(words) or "") if line.change is not None else line.text


def _detail(line: Line, words: Words) -> str | None:
    return line.change.detail_in(words) if line.change is not None else line.detail


def _key(text: str) -> str:
    return fiscal.text_key(text)


@dataclass
class Changes:
    """Everything that changed since `label`, and where each report puts its marks."""

    label: str  # `第2回推進本部会議 (2026-08-20)`, `2026-06-01`, a revision as given
    date: date
    commit: str | None
    lines: list[Line]
    report: Mapping[str, ProjectSince]  # by project id, as `status --since` JSON carries it
    then: Mapping[str, ProjectStatus] = field(default_factory=dict)  # by project id now

    def of_project(self, pid: str) -> list[Line]:
        return [line for line in self.lines if line.project == pid]

    def project_state(self, pid: str) -> Line | None:
        return next((x for x in self.lines if x.project == pid and x.kind == "project_state"), None)

    def initiative_state(self, pid: str, init: InitiativeStatus) -> Line | None:
        name = _key(init.name)
        return next(
            (x for x in self.lines if x.project == pid and x.kind == "initiative_state" and _key(x.initiative) == name),
            None,
        )

    def target_lines(self, pid: str, init: InitiativeStatus, target: TargetStatus) -> list[Line]:
        """The state change and the re-planning of one target (the current year's target of that text)."""
        wanted = (_key(init.name), target.fiscal_year, _key(target.text))
        return [
            x
            for x in self.lines
            if x.project == pid
            and (x.kind == "target_state" or x.kind in REPLAN_KINDS[:3])
            and (_key(x.initiative), x.fiscal_year, _key(x.text)) == wanted
        ]

    def new_actuals(self, pid: str, init: InitiativeStatus) -> set[int]:
        """The positions in `init.actuals` of the actuals recorded since the point (each record matched once)."""
        name = _key(init.name)
        taken: set[int] = set()
        for line in self.lines:
            if line.project != pid or line.kind != "record" or _key(line.initiative) != name:
                continue
            found = next(
                (
                    i
                    for i, a in enumerate(init.actuals)
                    if i not in taken
                    and a.fiscal_year == line.fiscal_year
                    and a.quarter == line.quarter
                    and _key(actual_text(a)) == _key(line.text)
                ),
                None,
            )
            if found is not None:
                taken.add(found)
        return taken

    def counts(self, pid: str) -> tuple[int, int, int]:
        """(actuals recorded, states changed, targets re-planned) of one project."""
        mine = self.of_project(pid)
        return (
            sum(x.kind == "record" for x in mine),
            sum(x.kind in STATE_KINDS for x in mine),
            sum(x.kind in REPLAN_KINDS for x in mine),
        )


def actual_text(a: DatedActual) -> str:
    """An actual's text as the review log names it (`changes.actual_text`, in the file's words): its own text, else
    what it achieves, its KPI value or its reason, in that order."""
    return _named(*actual_parts(a.text, a.achieves, a.kpi, a.value, a.reason))


def changes(
    now: Sequence[ProjectStatus],
    then: Mapping[str, ProjectStatus],
    report: Mapping[str, ProjectSince],
    label: str,
    day: date,
    commit: str | None,
) -> Changes:
    """The changes of the projects `now` since the point they were judged at in `then` (by their ids now)."""
    lines: list[Line] = []
    for status in now:
        pid, name = status.project.id, status.project.roadmap.name
        old = then.get(pid)
        if old is not None and old.state != status.state:
            lines.append(Line("project_state", pid, name, before=old.state, after=status.state))
        if old is not None:
            before = {_key(i.name): i.state for i in old.initiatives}
            for init in status.initiatives:
                was = before.get(_key(init.name))
                if was is not None and was != init.state:
                    lines.append(Line("initiative_state", pid, name, init.name, before=was, after=init.state))
        entry = report.get(pid)
        if entry is None:
            continue
        for initiative, year, text, was, state in entry.states:
            lines.append(Line("target_state", pid, name, initiative, year, text=text, before=was, after=state))
        lines += [_event_line(e, name) for e in entry.records]
        lines += [_event_line(e, name) for e in entry.replanned]
    return Changes(label, day, commit, lines, report, then)


def _event_line(event: Event, name: str) -> Line:
    c = event.change
    return Line(
        c.kind, event.project, name, c.initiative, c.fiscal_year, c.quarter, c.text or "",
        from_year=c.from_year, to_year=c.to_year, detail=c.detail, when=event.date, author=event.author, change=c,
    )  # fmt: skip


def badge(line: Line, words: Words) -> str:
    """What a mark beside a changed thing says: `◆ 状態変化: 進行中 → 遅延`, `◆ 新しい実績`, `◆ 年度変更 (R5→R6)`."""
    if line.kind in STATE_KINDS and line.before is not None and line.after is not None:
        what = f"{words('state_changed')}: {words(line.before)} → {words(line.after)}"
    elif line.kind == "record":
        what = words("new_actual")
    elif line.kind == "target_moved" and line.from_year is not None and line.to_year is not None:
        what = f"{words(line.kind)} ({fiscal.label(line.from_year)}→{fiscal.label(line.to_year)})"
    else:
        detail = _detail(line, words)
        what = words(line.kind) + (f" ({detail})" if detail else "")
    return clean(f"{MARK} {what}")


def summary(changes: Changes, pid: str, words: Words) -> str:
    """A project's changes in a few words: `◆ 事業の状態: 進行中 → 遅延; 実績2件, 状態変化3, 計画変更1`."""
    records, states, replanned = changes.counts(pid)
    if not (records or states or replanned):
        return words("no_change")
    parts = []
    project = changes.project_state(pid)
    if project is not None and project.before is not None and project.after is not None:
        parts.append(f"{words('project_state')}: {words(project.before)} → {words(project.after)}")
    counted = [
        words(key, n=n)
        for key, n in (
            ("since_summary_records", records),
            ("since_summary_states", states),
            ("since_summary_replanned", replanned),
        )
        if n
    ]
    return clean(f"{MARK} " + "; ".join([*parts, ", ".join(counted)]))


def _what(line: Line, words: Words) -> str:
    if line.kind in STATE_KINDS and line.before is not None and line.after is not None:
        move = f"{words(line.before)} → {words(line.after)}"
        return f"{line.text}: {move}" if line.text else move
    if line.kind == "target_moved" and line.from_year is not None and line.to_year is not None:
        return f"{line.text} ({fiscal.label(line.from_year)}→{fiscal.label(line.to_year)})"
    detail = _detail(line, words)
    return _text(line, words) + (f" ({detail})" if detail else "")


def _year(line: Line) -> str:
    if line.fiscal_year is None:
        return ""
    return fiscal.label(line.fiscal_year) + (f" {fiscal.quarter_label(line.quarter)}" if line.quarter else "")


HEADER_KEYS = ("kind", "project", "name", "initiative", "year", "change", "date", "author")


def rows(lines: Iterable[Line], words: Words) -> tuple[list[str], list[list[str]]]:
    """The list 「前回からの変更」: (header, rows), every row headed by the mark and the kind of change."""
    out = []
    for line in lines:
        out.append(
            [
                f"{MARK} {words(line.kind)}",
                clean(line.project),
                clean(line.name),
                clean(line.initiative),
                _year(line),
                clean(_what(line, words)),
                line.when.date().isoformat() if line.when else "",
                clean(line.author),
            ]
        )
    return [words(key) for key in HEADER_KEYS], out


def heading(changes: Changes, words: Words) -> str:
    """`前回からの変更 (第2回推進本部会議 (2026-08-20)以降)`."""
    return clean(words("changes_since", when=changes.label))


def legend(changes: Changes, words: Words) -> str:
    return clean(words("changes_legend", mark=MARK, when=changes.label))
