"""`record`: one actual added to a roadmap file, checked, under a lock, without losing a byte.

The read-modify-write happens under the file's lock: read the bytes, parse, build the entry,
insert it as text (`edit`), re-parse and check that exactly the entry was added and the file
is valid, then replace the file atomically. Anything wrong: nothing is written.
"""

from __future__ import annotations

import datetime
import difflib
import math
import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from dxroadmap import checks, edit, fiscal, progress, source, store
from dxroadmap.i18n import t
from dxroadmap.model import OUTLOOKS, Actual, Initiative, KpiTarget, Project, Roadmap, TaskTarget
from dxroadmap.problems import RequestError, StoreError
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

    @classmethod
    def of(
        cls,
        period: fiscal.ReportPeriod,
        settings: Settings,
        initiative: str | None,
        *,
        done: Sequence[str] = (),
        note: str | None = None,
        kpis: Sequence[str] = (),
        reason: str | None = None,
        outlook: str | None = None,
        day: datetime.date | None = None,  # (`date` here is the field's name)
        rating: str | None = None,
        force: bool = False,
    ) -> Request:
        """The request as the command line gives it: `--kpi NAME=VALUE`, `--outlook` and `--rating` checked here."""
        if outlook is not None and fiscal.normalize(outlook) not in OUTLOOKS:
            raise RequestError("--outlook", t("cli.outlook"))
        if rating is not None:
            check_rating(rating, settings)
        return cls(
            initiative, period.fiscal_year, period.number if period.cadence == "quarter" else None,
            period.number if period.cadence == "half" else None, tuple(done), note, tuple(parse_kpis(kpis)), reason,
            fiscal.normalize(outlook) if outlook else None, day, rating.strip() if rating else None, force,
        )  # fmt: skip

    @property
    def period(self) -> fiscal.ReportPeriod:
        if self.quarter is not None:
            return fiscal.ReportPeriod(self.year, "quarter", self.quarter)
        if self.half is not None:
            return fiscal.ReportPeriod(self.year, "half", self.half)
        return fiscal.ReportPeriod(self.year, "year", 1)


def report_period(
    roadmap: Roadmap,
    settings: Settings,
    as_of: date,
    year: int | None = None,
    quarter: int | None = None,
    half: int | None = None,
    day: date | None = None,
) -> fiscal.ReportPeriod:
    """The period a record is for: as given, else the last completed one by the cadence.

    Refused (`RequestError`, naming the option): a period not yet begun, one still under way
    without `--date` (an entry of a period is dated at its end: it would not count yet), a date
    outside the period or after the as-of date.
    """
    if quarter is not None and half is not None:
        raise RequestError("--half", t("cli.quarter_and_half"))
    calendar = settings.calendar
    cadence = roadmap.cadence or settings.cadence
    last = calendar.last_completed_period(as_of, cadence)
    fiscal_year = year if year is not None else last.fiscal_year
    if quarter is not None:
        period = fiscal.ReportPeriod(fiscal_year, "quarter", quarter)
    elif half is not None:
        period = fiscal.ReportPeriod(fiscal_year, "half", half)
    elif cadence != "year":
        period = fiscal.ReportPeriod(fiscal_year, cadence, last.number)
    else:
        period = fiscal.ReportPeriod(fiscal_year, "year", 1)
    start, end = calendar.period_start(period), calendar.period_end(period)
    if start > as_of:
        option = "--year" if period.cadence == "year" else f"--{period.cadence}"
        raise RequestError(
            option, t("cli.future_period", period=period.words, start=start.isoformat(), as_of=as_of.isoformat())
        )
    if end > as_of and day is None:
        raise RequestError("--date", t("cli.unfinished_period", period=period.words, end=end.isoformat()))
    if day is not None and not start <= day <= end:
        raise RequestError(
            "--date", t("cli.date_outside", date=day.isoformat(), year=period.words, span=f"{start} – {end}")
        )
    if day is not None and day > as_of:
        raise RequestError("--date", t("cli.future_date", date=day.isoformat(), as_of=as_of.isoformat()))
    return period


def parse_kpis(values: Sequence[str]) -> list[tuple[str, int | float]]:
    """`--kpi NAME=VALUE` (each): the name and a finite number; anything else refused."""
    out: list[tuple[str, int | float]] = []
    for item in values:
        name, sep, number = item.rpartition("=")
        try:
            value: int | float = int(number) if number.strip().lstrip("-").isdigit() else float(number)
        except ValueError:
            value = float("nan")
        if not sep or not name.strip() or not math.isfinite(value):
            raise RequestError(None, t("cli.kpi", item=repr(item)))
        out.append((name.strip(), value))
    return out


def check_rating(rating: str, settings: Settings) -> None:
    """A `--rating` must be a symbol of the plan's 評価区分 (any symbol when the plan declares none)."""
    symbols = [symbol for symbol, _ in settings.ratings]
    if symbols and fiscal.text_key(rating) not in {fiscal.text_key(s) for s in symbols}:
        raise RequestError("--rating", t("cli.rating", rating=rating, symbols=", ".join(symbols)))


def unified_diff(path: Path, before: bytes, after: bytes) -> str:
    """The unified diff of a file's two versions, as git shows it (a last line without a newline is marked so)."""
    old = before.decode("utf-8-sig").splitlines(keepends=True)
    new = after.decode("utf-8-sig").splitlines(keepends=True)
    name = path.as_posix()
    lines = difflib.unified_diff(old, new, f"a/{name}", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


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
        return unified_diff(self.path, self.before, self.after)


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


def record_project(
    root: Path, project: Project, settings: Settings, request: Request, as_of: date, *, dry_run: bool, commit: bool
) -> tuple[Change, str | None]:
    """`record` of one project of the roadmaps directory `root`; with `commit`, the file committed alone
    (refused beforehand when it has uncommitted changes or is outside git). The commit's short id, if made."""
    from dxroadmap import vcs

    path = Path(project.path)
    store.check_inside(root, path)
    commit = commit and not dry_run
    if commit:
        vcs.check_committable(path)
    change = record(path, project.id, settings, request, as_of, dry_run=dry_run)
    # git log shows the message raw: no control character from a file name
    return change, vcs.commit_file(path, change_label(project.id, request)) if commit else None


def change_label(project_id: str, request: Request) -> str:
    """The commit message of a record: `record: kurashi/digital R8 Q2`."""
    from dxroadmap.safe import clean

    return f"record: {clean(project_id + ' ' + request.period.words)}"


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
    moved: list[tuple[str, str, str]] = []  # states, and "reported" for an initiative no longer unreported
    for init_before, init_after in zip(before.initiatives, after.initiatives, strict=True):
        for t0, t1 in zip(init_before.targets, init_after.targets, strict=True):
            if t0.state != t1.state:
                moved.append((f"{t0.text} ({fiscal.label(t0.fiscal_year)})", t0.state, t1.state))
        if init_before.unreported != init_after.unreported:
            moved.append((init_before.name, "unreported" if init_before.unreported else "reported", "reported"))
    return moved


def target_text(target: Any) -> str:
    return target if isinstance(target, str) else target.text if isinstance(target, TaskTarget) else target.kpi


# --- several requests into one file, in one write (`import`) -----------------------------------


@dataclass
class Batch:
    """Several records into one file, made as one change: the bytes before and after, what each added."""

    path: Path
    project: str  # the project's id
    before: bytes
    after: bytes
    parts: list[tuple[str, list[edit.Entry]]]  # (the initiative's name, the entries added to it), in order
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # (what, state before, state after)
    warnings: list[str] = field(default_factory=list)

    def diff(self) -> str:
        return unified_diff(self.path, self.before, self.after)


def plan_many(
    path: Path, project_id: str, settings: Settings, requests: list[Request], as_of: date, before: bytes
) -> Batch:
    """What recording `requests` one after the other into a file holding `before` would make (no lock, no write).

    Each request is inserted, re-parsed and checked as `record` does (exactly its entries added, the file
    valid); the next one is inserted into the result. `StoreError` if any is refused: then nothing is made.
    """
    shown = store.display_path(path)
    try:
        text = source.decode(before, shown)
    except source.SourceError as exc:
        raise StoreError(t("record.fix_first", problem=exc.problem)) from None
    roadmap, problems = store.parse_roadmap(text, shown, settings)
    if roadmap is None:
        raise StoreError(t("record.fix_first", problem=problems[0]))
    first = roadmap
    parts: list[tuple[str, list[edit.Entry]]] = []
    warnings: list[str] = []
    for request in requests:
        document = source.load(text, shown)
        index = resolve_initiative(roadmap, request.initiative)
        entries, more = build_entries(Project(project_id, shown, roadmap), index, request, settings)
        try:
            new_text = edit.add_actuals(text, document, index, request.year, entries)
        except edit.EditError as exc:
            raise StoreError(t("record.cannot", path=shown, reason=exc)) from None
        new_roadmap, problems = store.parse_roadmap(new_text, shown, settings)
        if new_roadmap is None:
            raise StoreError(t("record.would_be_invalid", problem=problems[0]))
        _check_only_added(roadmap, new_roadmap, index, request.year, entries)
        parts.append((roadmap.initiatives[index].name, entries))
        warnings += more
        text, roadmap = new_text, new_roadmap
    after = (store.BOM if before.startswith(store.BOM) else b"") + text.encode("utf-8")
    batch = Batch(path, project_id, before, after, parts, warnings=warnings)
    batch.moved = _moved(Project(project_id, shown, first), Project(project_id, shown, roadmap), settings, as_of)
    return batch


def record_many(
    path: Path, project_id: str, settings: Settings, requests: list[Request], as_of: date, *, dry_run: bool
) -> Batch:
    """`record` for several requests into one file: under its lock, one atomic write (unless `dry_run`)."""
    with store.locked(path):
        batch = plan_many(path, project_id, settings, requests, as_of, path.read_bytes())
        if not dry_run and batch.after != batch.before:
            store.write_atomic(path, batch.after)
    return batch


def write_planned(batches: list[Batch]) -> list[Path]:
    """Write batches planned earlier (`plan_many`): every file once, with its last batch's bytes.

    The locks of all the files are held together (taken in one order, so two writers cannot wait
    for each other); each file must still hold the bytes its first batch was planned from, else
    nothing at all is written (`StoreError`: run again). Returns the files written, in order.
    """
    first: dict[str, Batch] = {}
    last: dict[str, Batch] = {}
    for batch in batches:
        key = os.path.realpath(batch.path)
        first.setdefault(key, batch)
        last[key] = batch
    with ExitStack() as stack:
        for key in sorted(first, key=lambda k: str(store.lock_path(Path(k)))):
            stack.enter_context(store.locked(first[key].path))
        for batch in first.values():
            try:
                now = batch.path.read_bytes()
            except OSError as exc:
                raise StoreError(t("store.unreadable", reason=exc.strerror or exc)) from None
            if now != batch.before:
                raise StoreError(t("import.changed_meanwhile", path=store.display_path(batch.path)))
        written = []
        for key, batch in last.items():
            if batch.after != first[key].before:
                store.write_atomic(batch.path, batch.after)
                written.append(batch.path)
    return written
