"""`record`: one actual added to a roadmap file, checked, under a lock, without losing a byte.

The read-modify-write happens under the file's lock: read the bytes, parse, build the entry,
insert it as text (`edit`), re-parse and check that exactly the entry was added and the file
is valid, then replace the file atomically. Anything wrong: nothing is written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from dxroadmap import checks, edit, fiscal, progress, source, store
from dxroadmap.i18n import t
from dxroadmap.model import Actual, Initiative, KpiTarget, Project, Roadmap, TaskTarget
from dxroadmap.problems import StoreError
from dxroadmap.settings import Settings

ACTUAL: TypeAdapter[Any] = TypeAdapter(Actual)


@dataclass(frozen=True)
class Request:
    """What the user asked to record. `initiative` is a name, a unique part of one, or a number."""

    initiative: str | None
    year: int
    quarter: int | None  # the report period: a quarter, a half, or neither (the whole year)
    half: int | None = None
    done: tuple[str, ...] = ()
    note: str | None = None
    kpis: tuple[tuple[str, int | float], ...] = ()
    reason: str | None = None
    outlook: str | None = None
    date: date | None = None
    rating: str | None = None
    force: bool = False  # add an entry even if the same one is already there

    @property
    def empty(self) -> bool:
        return not (self.done or self.note or self.kpis)


@dataclass
class Change:
    """What a record did (or would do): the bytes before and after, and the states that moved."""

    path: Path
    before: bytes
    after: bytes
    initiative: str
    entries: list[edit.Entry]
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # (what, state before, state after)
    warnings: list[str] = field(default_factory=list)

    def diff(self) -> str:
        old = self.before.decode("utf-8-sig").splitlines(keepends=True)
        new = self.after.decode("utf-8-sig").splitlines(keepends=True)
        name = self.path.as_posix()
        return "".join(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))


def resolve_initiative(roadmap: Roadmap, query: str | None) -> int:
    """The 0-based index of the initiative named (or numbered) `query`; the only one if None."""
    initiatives = roadmap.initiatives
    listing = "; ".join(f"{i + 1}: {init.name}" for i, init in enumerate(initiatives))
    if query is None:
        if len(initiatives) == 1:
            return 0
        raise StoreError(t("record.give_initiative", listing=listing))
    text = fiscal.normalize(query)
    if text.isdigit():
        number = int(text)
        if 1 <= number <= len(initiatives):
            return number - 1
        raise StoreError(t("record.no_initiative_number", number=number, listing=listing))
    exact = [i for i, init in enumerate(initiatives) if fiscal.normalize(init.name) == text]
    partial = [i for i, init in enumerate(initiatives) if text in fiscal.normalize(init.name)]
    found = exact or partial
    if len(found) == 1:
        return found[0]
    if found:
        return _ambiguous(query, [initiatives[i] for i in found])
    raise StoreError(t("record.no_initiative", query=query, listing=listing))


def _ambiguous(query: str, matches: list[Initiative]) -> int:
    listing = "; ".join(m.name for m in matches)
    raise StoreError(t("record.ambiguous_initiative", query=query, count=len(matches), listing=listing))


def open_targets(initiative: Initiative, settings: Settings, year: int) -> list[progress.PlannedTarget]:
    """Targets `--done` may name, one per text: the one an entry of `year` would achieve.

    That is this year's target if it is still open, else the earliest open one of an earlier
    year (achieved late), as the matching rule of DESIGN.md §3 decides.
    """
    planned = progress.planned_targets(initiative, settings.calendar)
    # which are open does not depend on a date: every actual in the file counts (undated ones at their year's end)
    achieved = progress.match(planned, progress.dated_actuals(initiative, settings.calendar, date.max))
    open_ = [t for i, t in enumerate(planned) if t.kpi is None and t.fiscal_year <= year and i not in achieved]
    chosen: dict[str, progress.PlannedTarget] = {}
    for target in sorted(open_, key=lambda t: (t.fiscal_year != year, t.fiscal_year)):
        chosen.setdefault(fiscal.text_key(target.text), target)
    return sorted(chosen.values(), key=lambda t: (t.fiscal_year, t.index))


def _kpi_names(initiative: Initiative) -> set[str]:
    return {fiscal.text_key(t.kpi) for ts in initiative.targets.values() for t in ts if isinstance(t, KpiTarget)}


def build_entries(
    project: Project, index: int, request: Request, settings: Settings
) -> tuple[list[edit.Entry], list[str]]:
    """The entries to append (one per KPI beyond the first), and warnings; `StoreError` if refused."""
    if request.empty:
        raise StoreError(t("record.nothing"))
    initiative = project.roadmap.initiatives[index]
    candidates = open_targets(initiative, settings, request.year)
    names = {fiscal.text_key(t.text) for t in candidates}
    for name in request.done:
        if fiscal.text_key(name) not in names:
            listing = ", ".join(f"{c.text} ({fiscal.label(c.fiscal_year)})" for c in candidates) or t("record.none")
            raise StoreError(
                t(
                    "record.not_open",
                    name=name,
                    initiative=initiative.name,
                    year=fiscal.label(request.year),
                    listing=listing,
                )
            )
    warnings = [
        t("record.monitored", name=name, initiative=initiative.name)
        for name, _ in request.kpis
        if fiscal.text_key(name) not in _kpi_names(initiative)
    ]
    own = {fiscal.text_key(c.text): c.text for c in candidates}
    kpi, value = request.kpis[0] if request.kpis else (None, None)
    first = edit.Entry(
        quarter=request.quarter,
        half=request.half,
        date=request.date,
        text=request.note,
        achieves=tuple(own.get(fiscal.text_key(name), name) for name in request.done),  # the target's own text
        kpi=kpi,
        value=value,
        reason=request.reason,
        outlook=request.outlook,
        rating=request.rating,
    )
    more = [
        edit.Entry(quarter=request.quarter, half=request.half, date=request.date, kpi=k, value=v)
        for k, v in request.kpis[1:]
    ]
    entries = [first, *more]
    if not request.force:
        _refuse_duplicates(initiative, request, entries, settings)
    return entries, warnings


def _refuse_duplicates(initiative: Initiative, request: Request, entries: list[edit.Entry], settings: Settings) -> None:
    """What `validate` would warn about once written (checks.duplicates): an entry identical to one already
    in that period, or a second value of one KPI for one period."""
    there = initiative.actuals.get(request.year, [])
    new = [ACTUAL.validate_python(dict(entry.pairs())) for entry in entries]
    for j, kind in checks.duplicates([*there, *new], settings.calendar):
        if j < len(there):
            continue  # already in the file: validate's to tell
        entry, actual = entries[j - len(there)], new[j - len(there)]
        period = checks.period_words(request.year, checks.report_period(actual, settings.calendar))
        if kind == "entry":
            raise StoreError(t("record.duplicate", entry=edit.flow_entry(entry), period=period))
        raise StoreError(t("record.kpi_twice", kpi=entry.kpi, period=period))


def record(path: Path, project_id: str, settings: Settings, request: Request, as_of: date, *, dry_run: bool) -> Change:
    """Append the request's entries to the file at `path` (unless `dry_run`) and say what changed."""
    shown = store.display_path(path)
    with store.locked(path):
        before = path.read_bytes()
        try:
            text = source.decode(before, shown)
            document = source.load(text, shown)
        except source.SourceError as exc:
            raise StoreError(t("record.fix_first", problem=exc.problem)) from None
        roadmap, problems = store.parse_roadmap(text, shown, settings)
        if roadmap is None:
            raise StoreError(t("record.fix_first", problem=problems[0]))  # errors come first
        project = Project(project_id, shown, roadmap)
        index = resolve_initiative(roadmap, request.initiative)
        entries, warnings = build_entries(project, index, request, settings)
        try:
            new_text = edit.add_actuals(text, document, index, request.year, entries)
        except edit.EditError as exc:
            raise StoreError(t("record.cannot", path=shown, reason=exc)) from None
        new_roadmap, problems = store.parse_roadmap(new_text, shown, settings)
        if new_roadmap is None:
            raise StoreError(t("record.would_be_invalid", problem=problems[0]))
        _check_only_added(roadmap, new_roadmap, index, request.year, entries)
        after = (store.BOM if before.startswith(store.BOM) else b"") + new_text.encode("utf-8")
        if not dry_run:
            store.write_atomic(path, after)
    change = Change(path, before, after, roadmap.initiatives[index].name, entries, warnings=warnings)
    change.moved = _moved(project, Project(project_id, shown, new_roadmap), settings, as_of)
    return change


def _check_only_added(old: Roadmap, new: Roadmap, index: int, year: int, entries: list[edit.Entry]) -> None:
    """The safety net: the new file must read as the old one plus exactly the entries."""
    before = old.initiatives[index].actuals.get(year, [])
    after = new.initiatives[index].actuals.get(year, [])
    expected = [ACTUAL.validate_python(dict(e.pairs())) for e in entries]
    actuals = dict(new.initiatives[index].actuals)
    if year in old.initiatives[index].actuals:
        actuals[year] = after[: len(before)]
    else:
        actuals.pop(year, None)
    initiatives = list(new.initiatives)
    initiatives[index] = initiatives[index].model_copy(update={"actuals": actuals})
    if after[len(before) :] != expected or new.model_copy(update={"initiatives": initiatives}) != old:
        raise StoreError(t("record.changes_more"))


def _moved(old: Project, new: Project, settings: Settings, as_of: date) -> list[tuple[str, str, str]]:
    before = progress.judge(old, settings, as_of)
    after = progress.judge(new, settings, as_of)
    moved = []
    for init_before, init_after in zip(before.initiatives, after.initiatives, strict=True):
        for t0, t1 in zip(init_before.targets, init_after.targets, strict=True):
            if t0.state != t1.state:
                moved.append((f"{t0.text} ({fiscal.label(t0.fiscal_year)})", t0.state, t1.state))
        if init_before.unreported != init_after.unreported:
            moved.append((init_before.name, "unreported" if init_before.unreported else "reported", "reported"))
    return moved


def target_text(target: Any) -> str:
    return target if isinstance(target, str) else target.text if isinstance(target, TaskTarget) else target.kpi
