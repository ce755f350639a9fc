"""`import`: answered forms checked cell by cell, then recorded as actuals, byte-exact.

`check` reads every workbook (`intake`), checks every filled cell against the roadmaps as they are
now, and merges each initiative's rows into one `recording.Request` for the form's period; it then
plans the writes (`recording.plan_many`: the same insertion, re-parse and checks as `record`), one
file at a time, each workbook seeing what the ones before it would add. Any problem, and nothing is
written: every problem is one line naming the workbook, the sheet and the cell. `apply` writes the
planned files through `recording.write_planned` (locked, atomic, every file once) and may commit
each workbook's files (`import: <owner> <period>`).

Answers already recorded for the period add nothing (importing a form twice is harmless); an answer
that contradicts a value recorded for the period (a KPI's value, 見通し, 評価) is refused unless
`force`. A form made before the roadmap changed (its digest differs) is matched by ids and texts:
rows that still match import, rows that do not are named (a refusal if they hold an answer).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from dxroadmap import checks, fiscal, forms, intake, progress, recording
from dxroadmap.forms import DONE_MARK, OUTLOOK_WORDS, Loaded, Repository, period_words
from dxroadmap.i18n import Words, language, t
from dxroadmap.model import OUTLOOKS, ActualEntry, Initiative, KpiTarget, Project, Roadmap, TaskTarget
from dxroadmap.problems import StoreError
from dxroadmap.progress import LATE
from dxroadmap.safe import clean

_DONE_MARKS = frozenset({"✔", "✓", "☑", "✔\ufe0f", "✓\ufe0f"})


@dataclass
class Row:
    """One row of an answered form: what identifies it, and what the owner wrote (parsed)."""

    cells: dict[str, intake.Cell]
    kind: str
    project: str
    digest: str
    initiative: int  # 0-based, as on the form
    initiative_name: str
    year: int | None = None
    target_index: int | None = None  # 0-based, as on the form
    target: str | None = None
    done: bool = False
    value: int | float | None = None
    text: str | None = None
    date: date | None = None
    reason: str | None = None
    outlook: str | None = None
    rating: str | None = None
    answered: bool = False  # something is written in one of its input cells
    bad: bool = False  # and some of it cannot be read (a problem says why)

    def where(self, key: str) -> str:
        """The location of this row's cell of column `key` (or of its first cell, without that column)."""
        cell = self.cells.get(key)
        return cell.where if cell is not None else next(iter(self.cells.values())).where


@dataclass
class Workbook:
    """What one answered form would add: a batch per roadmap file, and what it says about the rest."""

    path: Path
    shown: str
    owner: str = ""
    period: fiscal.ReportPeriod | None = None
    batches: list[recording.Batch] = field(default_factory=list)
    recorded: list[tuple[str, str]] = field(default_factory=list)  # (project, initiative) getting an actual
    already: list[tuple[str, str]] = field(default_factory=list)  # answered, but all of it recorded already
    unanswered: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Plan:
    """The outcome of `check`: per workbook what it adds; every problem and warning as one line."""

    root: Path
    as_of: date
    workbooks: list[Workbook] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def batches(self) -> list[recording.Batch]:
        return [batch for workbook in self.workbooks for batch in workbook.batches]

    def diff(self) -> str:
        """The unified diff of every file the import changes (each file once, from its bytes now)."""
        first: dict[str, recording.Batch] = {}
        last: dict[str, recording.Batch] = {}
        for batch in self.batches:
            key = os.path.realpath(batch.path)
            first.setdefault(key, batch)
            last[key] = batch
        out = []
        for key, batch in first.items():
            out.append(recording.Batch(batch.path, batch.project, batch.before, last[key].after, []).diff())
        return "".join(out)

    def lines(self, *, dry_run: bool = False) -> list[str]:
        """What the command says of each workbook, in the command line's language (file text cleaned)."""
        from dxroadmap import store

        words = Words(language())
        out = []
        for workbook in self.workbooks:
            period = period_words(workbook.period) if workbook.period else ""
            names = {"workbook": workbook.shown, "owner": workbook.owner, "period": period}
            if not workbook.batches:
                out.append(t("import.nothing_new" if workbook.already else "import.no_answers", **names))
                continue
            key = "import.would_record" if dry_run else "import.recorded"
            out.append(t(key, count=len(workbook.recorded), files=len(workbook.batches), **names))
            for batch in workbook.batches:
                initiatives = ", ".join(name for name, _ in batch.parts)
                shown = store.display_path(batch.path)
                out.append(t("import.project", project=batch.project, path=shown, initiatives=initiatives))
                for what, before, after in batch.moved:
                    out.append(f"    {what}: {words(before)} → {words(after)}")
            if workbook.already:
                listed = "; ".join(f"{p} / {i}" for p, i in workbook.already)
                out.append(t("import.already", initiatives=listed))
        return [clean(line) for line in out]


# --- checking ------------------------------------------------------------------------------------


def check(
    paths: Sequence[Path],
    root: Path,
    as_of: date,
    *,
    force: bool = False,
    period: fiscal.ReportPeriod | None = None,
) -> Plan:
    """Read and check every answered form in `paths`, and plan what importing them writes.

    `period`: when given, a form of another period is refused. `force`: an answer that contradicts a
    value recorded for the period is recorded anyway. The plan's `problems` say why nothing may be written.
    """
    from dxroadmap import store

    if not paths:
        raise StoreError(t("import.no_files"))
    repository = forms.load(root)
    plan = Plan(root, as_of)
    state = _State(repository)
    for path in paths:
        answers = intake.read(path, store.display_path(path))
        workbook = Workbook(path, answers.shown)
        plan.workbooks.append(workbook)
        plan.problems += answers.problems
        plan.warnings += answers.warnings
        if answers.problems:
            continue
        _Checker(answers, workbook, state, plan, as_of, force, period).run()
    for batch in plan.batches:
        store.check_inside(root, batch.path)
    return plan


class _State:
    """The roadmaps as the workbooks checked so far would leave them (a file changed by one is seen by the next)."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.settings = repository.settings
        self.data: dict[str, bytes] = {pid: f.data for pid, f in repository.files.items()}
        self.projects: dict[str, Project] = {pid: f.project for pid, f in repository.files.items()}

    def file(self, pid: str) -> Loaded | None:
        return self.repository.files.get(pid)

    def update(self, batch: recording.Batch) -> None:
        from dxroadmap import store

        roadmap, _ = store.parse_roadmap(batch.after.decode("utf-8-sig"), batch.path.as_posix(), self.settings)
        assert roadmap is not None  # plan_many checked it
        self.data[batch.project] = batch.after
        old = self.projects[batch.project]
        self.projects[batch.project] = Project(old.id, old.path, roadmap)

    def invalid(self, pid: str) -> str | None:
        """The problem of the file that would hold project `pid`, when it exists but is invalid."""
        from dxroadmap import store

        root = self.repository.root
        shown = {store.display_path(root / f"{pid}{suffix}") for suffix in store.SUFFIXES}
        return next((str(p) for p in self.repository.problems if p.path in shown), None)


class _Checker:
    def __init__(
        self,
        answers: intake.Answers,
        workbook: Workbook,
        state: _State,
        plan: Plan,
        as_of: date,
        force: bool,
        expected: fiscal.ReportPeriod | None,
    ) -> None:
        self.answers = answers
        self.workbook = workbook
        self.state = state
        self.settings = state.settings
        self.plan = plan
        self.as_of = as_of
        self.force = force
        self.expected = expected
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(clean(f"{where}: {message}"))

    def warn(self, where: str, message: str) -> None:
        self.plan.warnings.append(clean(f"{where}: {message}"))

    def run(self) -> None:
        answers = self.answers
        if not answers.rows:
            self.problem(answers.place, t("import.not_a_form"))
        else:
            self._check()
        self.plan.problems += self.problems

    def _check(self) -> None:
        period = self._form_level()
        if period is None:
            return
        self.period = period
        self.workbook.period = period
        calendar = self.settings.calendar
        self.start, self.end = calendar.period_start(period), calendar.period_end(period)
        rows = [row for cells in self.answers.rows if (row := self._row(cells)) is not None]
        owners = [self.answers.meta.get("owner", "")] + [clean(str(r.cells["id.owner"].value or "")) for r in rows]
        self.workbook.owner = clean(next((o for o in owners if o), ""))
        changed: dict[str, str] = {}  # project -> the first row made from another version of its file
        for row in rows:
            file = self.state.file(row.project)
            if file is not None and row.digest != file.digest:
                changed.setdefault(row.project, row.where("id.digest"))
        for pid, where in changed.items():
            self.warn(where, t("import.changed_since_form", project=pid))
        groups: dict[tuple[str, int], list[tuple[Row, tuple[int, int] | None]]] = {}
        for row in rows:
            placed = self._place(row)
            if placed is not None:
                index, target = placed
                groups.setdefault((row.project, index), []).append((row, target))
        requests: dict[str, list[recording.Request]] = {}
        for (pid, index), members in groups.items():
            request = self._request(pid, index, members)
            name = self.state.projects[pid].roadmap.initiatives[index].name
            if request is None:
                if not any(row.answered for row, _ in members):
                    self.workbook.unanswered.append((pid, name))
                    self.warn(self.answers.place, t("import.unanswered", project=pid, initiative=name))
                continue
            if request.empty:
                self.workbook.already.append((pid, name))
                continue
            requests.setdefault(pid, []).append(request)
            self.workbook.recorded.append((pid, name))
        if self.problems:
            return
        for pid, wanted in requests.items():
            file = self.state.file(pid)
            assert file is not None
            try:
                batch = recording.plan_many(file.path, pid, self.settings, wanted, self.as_of, self.state.data[pid])
            except StoreError as exc:
                self.problem(self.answers.place, t("import.cannot", project=pid, problem=exc))
                continue
            self.workbook.batches.append(batch)
            self.plan.warnings += batch.warnings
            self.state.update(batch)

    # --- the form as a whole

    def _form_level(self) -> fiscal.ReportPeriod | None:
        """The form's period, after checking its version, plan and period; None if refused."""
        first = self.answers.rows[0]
        for cells in self.answers.rows:
            mark = str(cells["id.form"].value).strip()
            if mark != forms.MARK:
                found = re.fullmatch(rf"{re.escape(forms.FORMAT)}/(\d+)", mark)
                if found is not None and int(found.group(1)) > forms.VERSION:
                    self.problem(cells["id.form"].where, t("import.newer_form", found=clean(mark)))
                else:
                    self.problem(cells["id.form"].where, t("import.bad_id", key="id.form", value=clean(mark)))
                return None
        plan = fiscal.normalize(self.settings.title or "")
        for cells in self.answers.rows:
            cell = cells.get("id.plan")
            theirs = fiscal.normalize(str(cell.value)) if cell is not None and cell.value is not None else ""
            if theirs != plan:
                where = cell.where if cell is not None else self.answers.place
                self.problem(where, t("import.other_plan", form=clean(theirs) or "-", plan=plan or "-"))
                return None
        cell = first.get("id.period")
        try:
            period = fiscal.parse_period(str(cell.value) if cell is not None else None)
        except fiscal.FiscalError:
            where = cell.where if cell is not None else self.answers.place
            self.problem(where, t("import.bad_id", key="id.period", value=clean(str(cell.value if cell else ""))))
            return None
        for cells in self.answers.rows[1:]:
            other = cells.get("id.period")
            try:
                theirs_period = fiscal.parse_period(str(other.value) if other is not None else None)
            except fiscal.FiscalError:
                theirs_period = None
            if theirs_period != period:
                shown = clean(str(other.value if other else ""))
                where = other.where if other is not None else self.answers.place
                self.problem(where, t("import.mixed_period", row=shown, form=period_words(period)))
        if self.problems:
            return None
        if self.expected is not None and self.expected != period:
            where = cell.where if cell is not None else self.answers.place
            self.problem(where, t("import.other_period", form=period_words(period), period=period_words(self.expected)))
            return None
        start = self.settings.calendar.period_start(period)
        if start > self.as_of:
            self.problem(
                self.answers.place,
                t("import.future_period", period=period_words(period), start=start, as_of=self.as_of),
            )
            return None
        return period

    # --- one row

    def _row(self, cells: dict[str, intake.Cell]) -> Row | None:
        """The row's identification and its parsed answers; None (with problems) if it cannot be read."""

        def text_of(key: str) -> str:
            cell = cells.get(key)
            return clean(str(cell.value)).strip() if cell is not None and cell.value is not None else ""

        def number_of(key: str, required: bool) -> int | None:
            raw = text_of(key)
            if not raw and not required:
                return None
            value = fiscal.normalize(raw).removesuffix(".0")
            if not value.isdigit():
                where = cells[key].where if key in cells else self.answers.place
                self.problem(where, t("import.bad_id", key=key, value=raw or "-"))
                return None
            return int(value)

        kind = text_of("id.kind")
        project = text_of("id.project")
        if kind not in forms.ROW_INPUTS or not project:
            where = cells["id.kind"].where if "id.kind" in cells else self.answers.place
            self.problem(where, t("import.bad_id", key="id.kind" if project else "id.project", value=kind or "-"))
            return None
        initiative = number_of("id.initiative", True)
        if initiative is None:
            return None
        row = Row(cells, kind, project, text_of("id.digest"), initiative - 1, text_of("id.initiative_name"))
        if kind != "initiative":
            year, index = number_of("id.year", True), number_of("id.target_index", True)
            if year is None or index is None:
                return None
            row.year, row.target_index, row.target = year, index - 1, text_of("id.target")
            if not fiscal.MIN_YEAR <= year <= fiscal.MAX_YEAR or year > self.period.fiscal_year or not row.target:
                self.problem(cells["id.year"].where, t("import.bad_id", key="id.year", value=str(year)))
                return None
        self._answers(row)
        return row

    def _answers(self, row: Row) -> None:
        """Parse the input cells of `row`; each cell that cannot be read is a problem."""
        allowed = forms.ROW_INPUTS[row.kind]
        problems = len(self.problems)
        for key in sorted(forms.INPUTS):
            cell = row.cells.get(key)
            if cell is None or intake.blank(cell.value):
                continue
            row.answered = True
            if key not in allowed or (key == "rating" and not self.settings.ratings):
                label = forms.say(language(), f"form.col.{key}")
                self.problem(cell.where, t("import.not_here", column=label))
                continue
            if key == "done":
                row.done = self._done(cell)
            elif key == "value":
                row.value = self._number(cell)
            elif key == "date":
                row.date = self._date(cell)
            elif key == "outlook":
                row.outlook = self._choice(cell, OUTLOOK_WORDS, {**{w: w for w in OUTLOOKS}, **_OUTLOOK_BACK})
            elif key == "rating":
                symbols = [symbol for symbol, _ in self.settings.ratings]
                row.rating = self._choice(cell, symbols, {fiscal.text_key(s): s for s in symbols})
            elif key == "text":
                row.text = self._text(cell)
            elif key == "reason":
                row.reason = self._text(cell)
        row.bad = len(self.problems) > problems

    def _done(self, cell: intake.Cell) -> bool:
        value = cell.value
        if isinstance(value, str) and fiscal.normalize(value) in _DONE_MARKS:
            return True
        choices = t("import.blank_or_mark", mark=DONE_MARK)
        self.problem(cell.where, t("import.not_in_list", value=_shown(value), choices=choices))
        return False

    def _number(self, cell: intake.Cell) -> int | float | None:
        value = cell.value
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            text = fiscal.normalize(value).replace(",", "").replace(" ", "").replace("\u2212", "-")
            text = re.sub(r"[^\d.+\-eE]+$", "", text)  # a unit typed after the number: 12市町村, 85%
            if _NUMBER.fullmatch(text):
                number = float(text)
        if number is None or not math.isfinite(number) or abs(number) > 10**15:
            self.problem(cell.where, t("import.not_number", value=_shown(value)))
            return None
        return int(number) if float(number).is_integer() else number

    def _date(self, cell: intake.Cell) -> date | None:
        value = cell.value
        day: date | None = None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
            epoch = self.answers.epoch or datetime(1899, 12, 30)
            day = (epoch + timedelta(days=int(value))).date()  # a date serial
        elif isinstance(value, str):
            text = re.sub(r"[ T]0{1,2}:00(?::00(?:\.0+)?)?$", "", value.strip())  # a date with a zero time
            try:
                day = fiscal.parse_date(text)
            except fiscal.FiscalError:
                day = None
        if day is None or isinstance(value, time):
            self.problem(cell.where, t("import.not_date", value=_shown(value)))
            return None
        if not self.start <= day <= self.end:
            self.problem(
                cell.where,
                t("import.date_outside", date=day, period=period_words(self.period), start=self.start, end=self.end),
            )
            return None
        if day > self.as_of:
            self.problem(cell.where, t("import.future_date", date=day, as_of=self.as_of))
            return None
        return day

    def _choice(self, cell: intake.Cell, choices: Sequence[str], known: dict[str, str]) -> str | None:
        text = fiscal.text_key(str(cell.value)) if isinstance(cell.value, (str, int)) else None
        if text is not None and text in known:
            return known[text]
        self.problem(cell.where, t("import.not_in_list", value=_shown(cell.value), choices=", ".join(choices)))
        return None

    def _text(self, cell: intake.Cell) -> str | None:
        value = cell.value
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = clean(str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()
        if len(text) > forms.MAX_TEXT:
            self.problem(cell.where, t("import.too_long", limit=forms.MAX_TEXT))
            return None
        return text or None

    # --- where a row goes

    def _place(self, row: Row) -> tuple[int, tuple[int, int] | None] | None:
        """(the initiative's index, the target's (year, index)) in the roadmap now; None if the row no longer
        matches (a problem if it holds an answer, else a warning naming it)."""
        project = self.state.projects.get(row.project)
        reason: str | None = None
        placed: tuple[int, tuple[int, int] | None] | None = None
        if project is None:
            invalid = self.state.invalid(row.project)
            if invalid is not None and row.answered:
                self.problem(row.where("target"), t("import.project_invalid", project=row.project, problem=invalid))
                return None
            reason = t("import.project_gone", project=row.project)
        else:
            index = _initiative(project.roadmap, row.initiative, row.initiative_name)
            if index is None:
                reason = t("import.initiative_gone", project=row.project, initiative=row.initiative_name)
            elif row.kind == "initiative":
                placed = (index, None)
            else:
                assert row.year is not None and row.target_index is not None and row.target is not None
                initiative = project.roadmap.initiatives[index]
                found = _target(initiative, row.kind, row.year, row.target_index, row.target)
                if found is None:
                    reason = t(
                        "import.target_gone",
                        initiative=initiative.name,
                        year=fiscal.label(row.year),
                        target=row.target,
                    )
                else:
                    placed = (index, found)
        if placed is not None:
            return placed
        assert reason is not None
        if row.answered:
            self.problem(row.where("target"), reason)
        else:
            self.warn(row.where("target"), t("import.stale_row", reason=reason))
        return None

    # --- one initiative's answers, merged

    def _request(
        self, pid: str, index: int, members: list[tuple[Row, tuple[int, int] | None]]
    ) -> recording.Request | None:
        """The initiative's one actual for the period (less what is recorded already); None: no answer.

        An empty request (nothing new) means every answer is recorded already.
        """
        if not any(row.answered for row, _ in members):
            return None
        project = self.state.projects[pid]
        initiative = project.roadmap.initiatives[index]
        heads = [row for row, target in members if target is None]
        targets = sorted(
            ((row, target) for row, target in members if target is not None), key=lambda m: (m[1], m[0].kind)
        )
        ordered = heads + [row for row, _ in targets]
        problems = len(self.problems)
        head_reason = any(row.reason for row in heads)
        self._reasons(project, index, targets, head_reason)
        outlook = self._one(ordered, "outlook")
        rating = self._one(ordered, "rating")
        dates = [row.date for row in ordered if row.date is not None]
        day = max(dates) if dates else None
        there = self._recorded(initiative)
        texts = _unique(row.text for row in ordered if row.text)
        new_texts = [text for text in texts if not _contained(text, there.texts)]
        reasons = _unique(row.reason for row in ordered if row.reason)
        new_reasons = [text for text in reasons if not _contained(text, there.reasons)]
        outlook = self._single("outlook", outlook, there.outlook, ordered)
        rating = self._single("rating", rating, there.rating, ordered)
        done = self._done_targets(initiative, targets, there)
        kpis = self._kpis(initiative, targets, there)
        note = _join(new_texts)
        if len(self.problems) > problems or any(row.bad for row in ordered):
            return None  # what the rows say cannot be recorded as it is: the problems say why
        if not (note or done or kpis) and (new_reasons or outlook or rating):
            if texts:
                note = _join(texts)  # what is new is said of what was recorded already
            else:
                first = heads[0] if heads else ordered[0]
                self.problem(first.where("text"), t("import.needs_text"))
                return None
        request = recording.Request(
            initiative=str(index + 1),
            year=self.period.fiscal_year,
            quarter=self.period.number if self.period.cadence == "quarter" else None,
            half=self.period.number if self.period.cadence == "half" else None,
            done=tuple(done),
            note=note,
            kpis=tuple(kpis),
            reason=_join(new_reasons),
            outlook=outlook,
            date=day,
            rating=rating,
            force=self.force,
        )
        if not request.empty and day is None and self.end > self.as_of:
            first = heads[0] if heads else ordered[0]
            self.problem(first.where("date"), t("import.needs_date", period=period_words(self.period), end=self.end))
        return request

    def _reasons(
        self, project: Project, index: int, targets: list[tuple[Row, tuple[int, int]]], head_reason: bool
    ) -> None:
        """理由 is required on a row whose target was slipping or missed at the period's end, unless the row
        achieves it (✔, or a value that reaches the target) or the initiative's row gives one."""
        if head_reason:
            return
        status = progress.judge(project, self.settings, self.end).initiatives[index]
        states = {(ts.fiscal_year, ts.index): ts.state for ts in status.targets}
        words = Words(language())
        for row, (year, i) in targets:
            state = states.get((year, i))
            if state not in LATE or row.reason or row.done:
                continue
            if row.kind == "kpi" and row.value is not None:
                target = project.roadmap.initiatives[index].targets[year][i]
                assert isinstance(target, KpiTarget)
                reached = row.value <= target.target if target.direction == "down" else row.value >= target.target
                if reached:
                    continue
            self.problem(
                row.where("reason"),
                t(
                    "import.reason_missing",
                    target=f"{row.target} ({fiscal.label(year)})",
                    period=period_words(self.period),
                    state=words(state),
                ),
            )

    def _one(self, rows: list[Row], key: str) -> str | None:
        """The one value rows give for `key` (outlook, rating); two different ones are a problem."""
        given = [(row, getattr(row, key)) for row in rows if getattr(row, key)]
        for row, value in given[1:]:
            if value != given[0][1]:
                self.problem(
                    row.where(key),
                    t(
                        "import.two_values",
                        column=forms.say(language(), f"form.col.{key}"),
                        other=given[0][0].where(key),
                        value=value,
                        other_value=given[0][1],
                    ),
                )
        return given[0][1] if given else None

    def _single(self, key: str, value: str | None, recorded: str | None, rows: list[Row]) -> str | None:
        """A value the period holds once (見通し, 評価): the same again adds nothing; another one contradicts."""
        if value is None or recorded is None:
            return value
        same = OUTLOOKS.get(value, value) == recorded if key == "outlook" else fiscal.text_key(value) == recorded
        if same:
            return None
        if not self.force:
            row = next(row for row in rows if getattr(row, key))
            label = forms.say(language(), f"form.col.{key}")
            shown = Words(language())(recorded) if key == "outlook" else recorded
            self.problem(
                row.where(key),
                t("import.contradicts", period=period_words(self.period), what=label, recorded=shown, value=value),
            )
        return value

    def _done_targets(
        self, initiative: Initiative, targets: list[tuple[Row, tuple[int, int]]], there: _Recorded
    ) -> list[str]:
        """The texts of the targets marked ✔ that are still open (one achieved already is not achieved twice)."""
        calendar = self.settings.calendar
        open_texts = {
            fiscal.text_key(p.text) for p in recording.open_targets(initiative, self.settings, self.period.fiscal_year)
        }
        planned = progress.planned_targets(initiative, calendar)
        matched = progress.match(planned, progress.dated_actuals(initiative, calendar, date.max))
        achieved = {(planned[k].fiscal_year, planned[k].index) for k in matched}
        done: list[str] = []
        for row, (year, i) in targets:
            if not row.done or row.kind != "task":
                continue
            text = _target_text(initiative.targets[year][i])
            key = fiscal.text_key(text)
            if (year, i) not in achieved and key in open_texts:
                if key not in {fiscal.text_key(d) for d in done}:
                    done.append(text)
            elif key not in there.achieved:
                self.warn(row.where("done"), t("import.already_achieved", target=text, period=fiscal.label(year)))
        return done

    def _kpis(
        self, initiative: Initiative, targets: list[tuple[Row, tuple[int, int]]], there: _Recorded
    ) -> list[tuple[str, int | float]]:
        """The KPI values given, less those recorded already; another value for the period contradicts."""
        given: dict[str, tuple[Row, str, int | float]] = {}
        for row, (year, i) in targets:
            if row.kind != "kpi" or row.value is None:
                continue
            name = _target_text(initiative.targets[year][i])
            key = fiscal.text_key(name)
            if key in given and given[key][2] != row.value:
                first = given[key][0]
                self.problem(
                    row.where("value"),
                    t(
                        "import.two_values",
                        column=name,
                        other=first.where("value"),
                        value=row.value,
                        other_value=given[key][2],
                    ),
                )
                continue
            given.setdefault(key, (row, name, row.value))
        out = []
        for key, (row, name, value) in given.items():
            recorded = there.kpis.get(key)
            if recorded is not None and math.isclose(recorded, value, rel_tol=1e-12, abs_tol=1e-12):
                continue
            if recorded is not None and not self.force:
                period = period_words(self.period)
                self.problem(
                    row.where("value"),
                    t("import.contradicts", period=period, what=name, recorded=recorded, value=value),
                )
                continue
            out.append((name, value))
        return out

    def _recorded(self, initiative: Initiative) -> _Recorded:
        """What the roadmap already holds for the form's period, for this initiative."""
        period = self.period
        wanted = {
            "quarter": (period.number, None),
            "half": (None, period.number),
            "year": (None, None),
        }[period.cadence]
        there = _Recorded()
        for actual in initiative.actuals.get(period.fiscal_year, []):
            if checks.report_period(actual, self.settings.calendar) != wanted:
                continue
            if isinstance(actual, str):
                there.texts.append(actual)
                there.achieved.add(fiscal.text_key(actual))
                continue
            assert isinstance(actual, ActualEntry)
            if actual.text:
                there.texts.append(actual.text)
                there.achieved.add(fiscal.text_key(actual.text))
            there.achieved.update(fiscal.text_key(a) for a in actual.achieves)
            if actual.reason:
                there.reasons.append(actual.reason)
            if actual.kpi is not None and actual.value is not None:
                there.kpis[fiscal.text_key(actual.kpi)] = actual.value
            if actual.outlook is not None:  # as written (a rating's implied outlook answers 評価, not 見通し)
                there.outlook = actual.outlook
            if actual.rating is not None:
                there.rating = fiscal.text_key(actual.rating)
        return there


@dataclass
class _Recorded:
    texts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    achieved: set[str] = field(default_factory=set)  # text keys of targets named by the period's entries
    kpis: dict[str, float] = field(default_factory=dict)
    outlook: str | None = None  # the latest, as the model holds it (on_track…)
    rating: str | None = None  # the latest, as a text key


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_OUTLOOK_BACK = {english: word for word, english in OUTLOOKS.items()} | {
    english.replace("_", " "): word for word, english in OUTLOOKS.items()
}


def _shown(value: object) -> str:
    return clean(repr(value) if not isinstance(value, str) else value) or "-"


def _initiative(roadmap: Roadmap, index: int, name: str) -> int | None:
    """The initiative a row names: at its place if the name still matches, else the one with its name."""
    initiatives = roadmap.initiatives
    key = fiscal.text_key(name)
    if 0 <= index < len(initiatives) and fiscal.text_key(initiatives[index].name) == key:
        return index
    found = [i for i, init in enumerate(initiatives) if fiscal.text_key(init.name) == key]
    return found[0] if len(found) == 1 else None


def _target_text(target: object) -> str:
    if isinstance(target, KpiTarget):
        return target.kpi
    if isinstance(target, TaskTarget):
        return target.text
    return str(target)


def _target(initiative: Initiative, kind: str, year: int, index: int, text: str) -> tuple[int, int] | None:
    """The target a row names, in the year it names: at its place if its text still matches, else by its text."""
    targets = initiative.targets.get(year, [])
    key = fiscal.text_key(text)

    def fits(target: object) -> bool:
        return (isinstance(target, KpiTarget) == (kind == "kpi")) and fiscal.text_key(_target_text(target)) == key

    if 0 <= index < len(targets) and fits(targets[index]):
        return year, index
    found = [i for i, target in enumerate(targets) if fits(target)]
    return (year, found[0]) if found else None


def _unique(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if fiscal.text_key(text) not in {fiscal.text_key(o) for o in out}:
            out.append(text)
    return out


def _contained(text: str, recorded: list[str]) -> bool:
    key = fiscal.text_key(text)
    return any(key in fiscal.text_key(r) for r in recorded)


def _join(texts: list[str]) -> str | None:
    """Several answers as one text: joined by 。 (each without its own final 。 but the last)."""
    if not texts:
        return None
    if len(texts) == 1:
        return texts[0]
    return "。".join(text.rstrip("。") for text in texts[:-1]) + "。" + texts[-1]


# --- writing -------------------------------------------------------------------------------------


def apply(plan: Plan, *, commit: bool = False) -> list[str]:
    """Write what `check` planned (nothing if it found any problem: `StoreError`); with `commit`, one commit
    per workbook (`import: <owner> <period>`). Returns the lines to say of the commits made."""
    if plan.problems:
        raise StoreError(t("import.problems", count=len(plan.problems)))
    if not commit:
        recording.write_planned(plan.batches)
        return []
    from dxroadmap import vcs

    for path in {os.path.realpath(b.path): b.path for b in plan.batches}.values():
        vcs.check_committable(path)
    said = []
    for workbook in plan.workbooks:
        if not workbook.batches:
            continue
        written = recording.write_planned(workbook.batches)
        if written:
            period = period_words(workbook.period) if workbook.period else ""
            message = clean(f"import: {workbook.owner} {period}".strip())
            said.append(t("cli.committed", commit=vcs.commit_files(written, message), message=message))
    return said
