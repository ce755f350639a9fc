"""The rules: the state of every target, unreported initiatives, slipping items and roll-ups.

Pure functions of (models, settings, as-of date). DESIGN.md §5 is the specification.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dxroadmap import fiscal
from dxroadmap.model import (
    ActualEntry,
    Initiative,
    KpiTarget,
    Project,
    TaskTarget,
    field_name,
)
from dxroadmap.settings import Settings
from dxroadmap.states import Outlook, State

# Worst first: the order of DESIGN.md §5 ("missed > slipping > unreported > open > …"), as `State` declares them.
SEVERITY: tuple[State, ...] = tuple(State)
# The states a target can be in (all but unreported, which only an initiative is), in the order reports list them.
TARGET_STATES: tuple[State, ...] = (
    State.DONE, State.DONE_LATE, State.SLIPPING, State.MISSED, State.OPEN, State.PLANNED,
)  # fmt: skip
LATE = (State.MISSED, State.SLIPPING)  # the states of a target on the slipping list
_RANK = {state: len(SEVERITY) - i for i, state in enumerate(SEVERITY)}


def worst(states: Iterable[State], default: State = State.OPEN) -> State:
    return max(states, key=_RANK.__getitem__, default=default)


# --- what the file says, flattened and dated --------------------------------------------


@dataclass(slots=True)  # made by the hundred per file: not frozen, which costs a setattr per field
class PlannedTarget:
    fiscal_year: int
    index: int  # position in its year's list
    text: str  # the text, or the KPI's name
    due: date
    kpi: KpiTarget | None


@dataclass(slots=True)  # made by the hundred per file: not frozen, which costs a setattr per field
class DatedActual:
    fiscal_year: int
    index: int
    date: date
    quarter: int | None
    text: str | None
    achieves: tuple[str, ...]
    kpi: str | None
    value: float | None
    reason: str | None
    outlook: Outlook | None  # as written (見通し), or implied by the entry's 評価
    half: int | None = None
    rating: str | None = None
    dated: bool = False  # the entry has its own 日付

    @property
    def undated(self) -> bool:
        """Neither 四半期, 半期 nor 日付: an entry for the whole year."""
        return self.quarter is None and self.half is None and not self.dated

    @property
    def period_label(self) -> str | None:
        """`Q2`, `H1` or None (the whole year)."""
        if self.quarter is not None:
            return fiscal.quarter_label(self.quarter)
        return f"H{self.half}" if self.half is not None else None


def planned_targets(initiative: Initiative, calendar: fiscal.Calendar) -> list[PlannedTarget]:
    out = []
    for year in sorted(initiative.targets):
        for index, target in enumerate(initiative.targets[year]):
            due_spec = None if isinstance(target, str) else target.due
            if due_spec is None:
                due = calendar.year_end(year)
            elif isinstance(due_spec, date):
                due = due_spec
            else:
                due = calendar.quarter_end(year, due_spec)
            if isinstance(target, KpiTarget):
                out.append(PlannedTarget(year, index, target.kpi, due, target))
            else:
                text = target.text if isinstance(target, TaskTarget) else target
                out.append(PlannedTarget(year, index, text, due, None))
    return out


def undated_on(calendar: fiscal.Calendar, year: int, as_of: date) -> date:
    """The date an actual with no period and no 日付 counts from (DESIGN.md §5).

    The end of its fiscal year once that has ended; before that, the as-of date itself (it was
    written by then), but never before the year's first day.
    """
    end = calendar.year_end(year)
    return end if as_of > end else max(as_of, calendar.year_start(year))


def dated_actuals(
    initiative: Initiative, calendar: fiscal.Calendar, as_of: date, ratings: Settings | None = None
) -> list[DatedActual]:
    """Every actual with the date it counts from, in the order events happened.

    `ratings`: the settings whose 評価区分 turns an entry's 評価 into the outlook it implies.
    """
    out = []
    for year, actuals in initiative.actuals.items():
        for index, actual in enumerate(actuals):
            if isinstance(actual, ActualEntry):
                if actual.date is not None:
                    when = actual.date
                elif actual.quarter is not None:
                    when = calendar.quarter_end(year, actual.quarter)
                elif actual.half is not None:
                    when = calendar.quarter_end(year, 2 * actual.half)
                else:
                    when = undated_on(calendar, year, as_of)
                written: str | None = actual.outlook
                if written is None and actual.rating is not None and ratings is not None:
                    written = ratings.implied_outlook(actual.rating)
                outlook = Outlook(written) if written is not None else None
                out.append(
                    DatedActual(
                        year, index, when, actual.quarter, actual.text, tuple(actual.achieves),
                        actual.kpi, actual.value, actual.reason, outlook,
                        actual.half, actual.rating, actual.date is not None,
                    )
                )  # fmt: skip
            else:
                when = undated_on(calendar, year, as_of)
                out.append(DatedActual(year, index, when, None, actual, (), None, None, None, None))
    out.sort(key=lambda a: (a.date, a.fiscal_year, a.index))
    return out


@dataclass(slots=True)  # made by the hundred per file: not frozen, which costs a setattr per field
class Achievement:
    fiscal_year: int  # of the achieving actual
    date: date


def match(targets: Sequence[PlannedTarget], actuals: Sequence[DatedActual]) -> dict[int, Achievement]:
    """Which actual achieves which target (by position in `targets`), independent of the as-of date.

    Actuals are taken in date order, so the matching of the actuals up to any date is the same
    as the matching of all of them restricted to that date.
    """
    achieved: dict[int, Achievement] = {}
    by_text: dict[str, list[int]] = {}
    for i, target in enumerate(targets):
        if target.kpi is None:
            by_text.setdefault(fiscal.text_key(target.text), []).append(i)
    for actual in actuals:
        names = dict.fromkeys(fiscal.text_key(n) for n in (*actual.achieves, *([actual.text] if actual.text else [])))
        for name in names:
            candidates = [i for i in by_text.get(name, ()) if i not in achieved]
            own = [i for i in candidates if targets[i].fiscal_year == actual.fiscal_year]
            earlier = [i for i in candidates if targets[i].fiscal_year < actual.fiscal_year]
            if own or earlier:
                achieved[(own or earlier)[0]] = Achievement(actual.fiscal_year, actual.date)
    reports = _reports_by_kpi(actuals)
    for i, target in enumerate(targets):
        if target.kpi is not None:
            reached = next(
                (
                    a
                    for a in reports.get(fiscal.text_key(target.text), ())
                    if a.fiscal_year >= target.fiscal_year and _meets(target.kpi, a)
                ),
                None,
            )
            if reached is not None:
                achieved[i] = Achievement(reached.fiscal_year, reached.date)
    return achieved


def _reports_by_kpi(actuals: Iterable[DatedActual]) -> dict[str, list[DatedActual]]:
    """The reported values of every KPI, by its normalised name (in the actuals' order)."""
    out: dict[str, list[DatedActual]] = {}
    for a in actuals:
        if a.kpi is not None and a.value is not None:
            out.setdefault(fiscal.text_key(a.kpi), []).append(a)
    return out


def _meets(kpi: KpiTarget, actual: DatedActual) -> bool:
    assert actual.value is not None
    return actual.value <= kpi.target if kpi.direction == "down" else actual.value >= kpi.target


# --- judged state -----------------------------------------------------------------------


@dataclass(slots=True)  # made by the hundred per file: not frozen, which costs a setattr per field
class KpiStatus:
    target: float
    unit: str | None
    baseline: float | None
    direction: str
    value: float | None
    reported: DatedActual | None = None  # the report of the latest value (its year, period, date)
    baseline_on: date | None = None  # the date of the baseline (基準年度's end, or 基準日)

    @property
    def progress(self) -> float | None:
        """The share of the way from the baseline (0 without one) to the target, or None when it cannot be said."""
        if self.value is None:
            return None
        start = self.baseline if self.baseline is not None else (0.0 if self.direction == "up" else None)
        if start is None or start == self.target:
            return None
        return (self.value - start) / (self.target - start)


@dataclass(slots=True)  # made by the hundred per file: not frozen, which costs a setattr per field
class TargetStatus:
    fiscal_year: int
    index: int
    text: str
    due: date
    state: State
    achieved_in: int | None
    achieved_on: date | None
    kpi: KpiStatus | None


@dataclass(frozen=True)
class InitiativeStatus:
    index: int  # 0-based position in 取組
    name: str
    state: State
    unreported: bool
    targets: list[TargetStatus]
    actuals: list[DatedActual]  # those that had happened by the as-of date
    unreported_period: fiscal.ReportPeriod | None
    unreported_due: date | None

    def explained(self, fiscal_year: int) -> bool:
        return self.reason(fiscal_year) is not None

    def reason(self, fiscal_year: int) -> str | None:
        """The latest 理由 given in or after `fiscal_year` (why it is late, what is being done)."""
        return next((a.reason for a in reversed(self.actuals) if a.reason and a.fiscal_year >= fiscal_year), None)

    @property
    def outlook(self) -> Outlook | None:
        """The latest outlook: 見通し as written, or the one the entry's 評価 implies."""
        return next((a.outlook for a in reversed(self.actuals) if a.outlook), None)

    @property
    def optimistic(self) -> bool:
        """The owner says 順調 while the initiative is slipping or missed."""
        return self.state in LATE and self.outlook == Outlook.ON_TRACK


@dataclass(slots=True)  # one per project, thousands read from the cache at a time: not frozen
class Counts:
    total: int
    due: int
    done: int

    @property
    def share_done(self) -> float:
        """Achieved / all targets (0 without targets)."""
        return self.done / self.total if self.total else 0


FLAGS = ("missed", "slipping", "unreported", "optimistic")


@dataclass(frozen=True)
class ProjectStatus:
    project: Project
    field: str
    state: State
    counts: Counts
    flags: dict[str, int]
    initiatives: list[InitiativeStatus]
    cadence: str = "quarter"

    def year_state(self, year: int) -> State | None:
        """The worst state of the project's targets in one fiscal year (None: no targets)."""
        states = [t.state for i in self.initiatives for t in i.targets if t.fiscal_year == year]
        return worst(states) if states else None

    def years(self) -> list[int]:
        return sorted({t.fiscal_year for i in self.initiatives for t in i.targets})

    def data_years(self) -> list[int]:
        """Every fiscal year that holds a target or an actual (recorded by the as-of date)."""
        return sorted(
            {t.fiscal_year for i in self.initiatives for t in i.targets}
            | {a.fiscal_year for i in self.initiatives for a in i.actuals}
        )

    def summary(self) -> Summary:
        roadmap = self.project.roadmap
        states: dict[int, list[State]] = {}
        for init in self.initiatives:
            for target in init.targets:
                states.setdefault(target.fiscal_year, []).append(target.state)
        years = {year: worst(states[year]) for year in sorted(states)}
        return Summary(
            self.project.id, self.field, roadmap.name, roadmap.owner, self.state, self.counts, dict(self.flags), years
        )


def worst_first(summaries: Iterable[Summary]) -> list[Summary]:
    """The projects most in need of attention first: by state, then missed, slipping, unreported."""
    return sorted(
        summaries,
        key=lambda s: (-_RANK[s.state], -s.flags["missed"], -s.flags["slipping"], -s.flags["unreported"], s.id),
    )


@dataclass(slots=True)  # one per project, thousands read from the cache at a time: not frozen
class Summary:
    """A project's line in the status table: all that the table, its CSV and the totals need."""

    id: str
    field: str
    name: str
    owner: str
    state: State
    counts: Counts
    flags: dict[str, int]
    year_states: dict[int, State]  # the worst state of each year that has targets

    def year_state(self, year: int) -> State | None:
        return self.year_states.get(year)

    def years(self) -> list[int]:
        return sorted(self.year_states)


@dataclass(slots=True)
class Totals:
    """What a group of projects adds up to: the one roll-up every report's totals and chart are made of."""

    projects: int
    counts: Counts  # their targets: achieved, due so far, all
    flags: dict[str, int]  # each flag the projects count, summed (in the order they count them)
    states: dict[State, int]  # projects by state
    targets: dict[State, int]  # targets by state: of judged projects only (a `Summary` does not carry its targets)


def totals(projects: Iterable[Summary | ProjectStatus]) -> Totals:
    """The totals of `projects` (a field's, or the whole portfolio's)."""
    out = Totals(0, Counts(0, 0, 0), {}, {}, {})
    for p in projects:
        out.projects += 1
        out.counts.total += p.counts.total
        out.counts.due += p.counts.due
        out.counts.done += p.counts.done
        for kind, n in p.flags.items():
            out.flags[kind] = out.flags.get(kind, 0) + n
        out.states[p.state] = out.states.get(p.state, 0) + 1
        if isinstance(p, ProjectStatus):
            for init in p.initiatives:
                for t in init.targets:
                    out.targets[t.state] = out.targets.get(t.state, 0) + 1
    return out


def totals_by_field(projects: Iterable[Summary | ProjectStatus]) -> dict[str, Totals]:
    """The totals of each field, in the order the fields first appear."""
    groups: dict[str, list[Summary | ProjectStatus]] = {}
    for p in projects:
        groups.setdefault(p.field, []).append(p)
    return {field: totals(members) for field, members in groups.items()}


def judge(project: Project, settings: Settings, as_of: date) -> ProjectStatus:
    """The state of a project and of each of its targets and initiatives as of `as_of`."""
    cadence = project.roadmap.cadence or settings.cadence
    initiatives = [
        _judge_initiative(i, initiative, settings, cadence, as_of)
        for i, initiative in enumerate(project.roadmap.initiatives)
    ]
    targets = [t for i in initiatives for t in i.targets]
    counts = Counts(
        total=len(targets),
        due=sum(t.due < as_of for t in targets),
        done=sum(t.achieved_on is not None for t in targets),
    )
    flags = {
        "missed": sum(t.state == State.MISSED for t in targets),
        "slipping": sum(t.state == State.SLIPPING for t in targets),
        "unreported": sum(i.unreported for i in initiatives),
        "optimistic": sum(i.optimistic for i in initiatives),
    }
    state = worst((i.state for i in initiatives), default=State.OPEN)
    return ProjectStatus(project, field_name(project.roadmap.field), state, counts, flags, initiatives, cadence)


def _judge_initiative(
    index: int, initiative: Initiative, settings: Settings, cadence: str, as_of: date
) -> InitiativeStatus:
    calendar = settings.calendar
    planned = planned_targets(initiative, calendar)
    every_actual = dated_actuals(initiative, calendar, as_of, settings)
    achieved = match(planned, every_actual)
    happened = [a for a in every_actual if a.date <= as_of]
    review = calendar.quarter_end(*calendar.last_completed_quarter(as_of))
    reports = _reports_by_kpi(happened)
    targets = []
    for i, target in enumerate(planned):
        hit = achieved.get(i)
        if hit is not None and hit.date > as_of:
            hit = None
        kpi_reports = reports.get(fiscal.text_key(target.text), []) if target.kpi is not None else []
        targets.append(_judge_target(target, hit, kpi_reports, calendar, review, as_of))
    unreported = _unreported(targets, happened, settings, cadence, as_of)
    unreported_due = calendar.period_end(unreported) + timedelta(days=settings.grace_days) if unreported else None
    states = [t.state for t in targets] + ([State.UNREPORTED] if unreported else [])
    return InitiativeStatus(
        index=index,
        name=initiative.name,
        state=worst(states, default=State.OPEN),
        unreported=unreported is not None,
        targets=targets,
        actuals=happened,
        unreported_period=unreported,
        unreported_due=unreported_due,
    )


def baseline_date(kpi: KpiTarget, calendar: fiscal.Calendar) -> date | None:
    """When the baseline was measured: 基準日, or the end of 基準年度; None when the file does not say."""
    if kpi.baseline_date is not None:
        return kpi.baseline_date
    return calendar.year_end(kpi.baseline_year) if kpi.baseline_year is not None else None


def _judge_target(
    target: PlannedTarget,
    hit: Achievement | None,
    reports: Sequence[DatedActual],
    calendar: fiscal.Calendar,
    review: date,
    as_of: date,
) -> TargetStatus:
    """`reports`: the values of the target's KPI reported by the as-of date (none for a task)."""
    start, end = calendar.year_start(target.fiscal_year), calendar.year_end(target.fiscal_year)
    kpi = None
    behind = False
    if target.kpi is not None:
        measured = baseline_date(target.kpi, calendar)
        kpi = KpiStatus(
            target.kpi.target, target.kpi.unit, target.kpi.baseline, target.kpi.direction,
            reports[-1].value if reports else None, reports[-1] if reports else None, measured,
        )  # fmt: skip
        # the A/B rule runs from the baseline's date across years when the file gives one, else within the year
        behind = (
            hit is None and as_of <= target.due and _behind_pace(target, target.kpi, reports, measured or start, review)
        )
    if hit is not None:
        state = State.DONE if hit.date <= target.due else State.DONE_LATE
    elif as_of > target.due:
        state = State.MISSED if as_of > end else State.SLIPPING
    elif behind:
        state = State.SLIPPING
    elif as_of < start:
        state = State.PLANNED
    else:
        state = State.OPEN
    return TargetStatus(
        target.fiscal_year, target.index, target.text, target.due, state,
        hit.fiscal_year if hit else None, hit.date if hit else None, kpi,
    )  # fmt: skip


def _behind_pace(
    target: PlannedTarget, kpi: KpiTarget, reports: Sequence[DatedActual], since: date, review: date
) -> bool:
    """The A/B rule: progress from baseline to target below the share of time elapsed since `since`.

    `since` is the baseline's date when the file gives one (基準年度, 基準日), else the start of
    the target's year. Time is measured at the end of the last completed quarter (the last
    review point), so a KPI is never flagged before a review point has passed. Without a
    baseline (written, or a value reported by `since`) there is nothing to measure progress from.
    """
    if review <= since or target.due <= since:
        return False
    baseline = kpi.baseline
    if baseline is None:
        before = [a.value for a in reports if a.date <= since] if kpi.baseline_year or kpi.baseline_date else []
        before = before or [a.value for a in reports if a.date < since]
        baseline = before[-1] if before else None
    if baseline is None or baseline == kpi.target:
        return False
    value = reports[-1].value if reports else baseline
    assert value is not None
    progress = (value - baseline) / (kpi.target - baseline)
    elapsed = min(1.0, (review - since).days / (target.due - since).days)
    return progress < elapsed


def _unreported(
    targets: Sequence[TargetStatus],
    happened: Sequence[DatedActual],
    settings: Settings,
    cadence: str,
    as_of: date,
) -> fiscal.ReportPeriod | None:
    """The last completed report period (by the cadence), if the initiative owes a report for it."""
    calendar = settings.calendar
    period = calendar.last_completed_period(as_of, cadence)
    this_year = [t for t in targets if t.fiscal_year == period.fiscal_year]
    if not this_year or all(t.achieved_on is not None for t in this_year):
        return None
    if calendar.period_end(period) + timedelta(days=settings.grace_days) >= as_of:
        return None
    for actual in happened:
        if actual.fiscal_year != period.fiscal_year:
            continue
        if period.covers(actual.quarter, actual.half):
            return None
        whole_year = actual.quarter is None and actual.half is None
        if whole_year and (cadence == "year" or (actual.dated and calendar.period_of(actual.date, cadence) == period)):
            return None
    return period


# --- slipping items ---------------------------------------------------------------------


@dataclass(slots=True)  # made by the hundred per file: not frozen, which costs a setattr per field
class SlipItem:
    """One line of the slipping list: flat, so it can be cached and sorted without its project."""

    project: str  # the project's id
    initiative: str  # the initiative's name
    initiative_index: int
    fiscal_year: int
    period: str | None  # of an unreported initiative: the period not reported (`Q2`, `H1`, `FY`)
    target: str | None
    state: State
    due: date
    days_late: int
    explained: bool
    outlook: Outlook | None
    name: str = ""  # the project's 事業名
    reason: str | None = None  # the latest 理由 given
    kpi_value: float | None = None  # of a KPI target: the latest value, its target and unit
    kpi_target: float | None = None
    unit: str | None = None

    @property
    def disagrees(self) -> bool:
        """The latest outlook is 順調 while the target is slipping or missed."""
        return self.outlook == Outlook.ON_TRACK and self.state in LATE


def slipping_items(statuses: Iterable[ProjectStatus], as_of: date) -> list[SlipItem]:
    """Targets slipping or missed and unreported initiatives, worst first."""
    items = []
    for status in statuses:
        name = status.project.roadmap.name
        for init in status.initiatives:
            for t in init.targets:
                if t.state in LATE:
                    reason = init.reason(t.fiscal_year)
                    kpi = t.kpi
                    items.append(
                        SlipItem(
                            status.project.id, init.name, init.index, t.fiscal_year, None, t.text, t.state, t.due,
                            (as_of - t.due).days, reason is not None, init.outlook, name, reason,
                            kpi.value if kpi else None, kpi.target if kpi else None, kpi.unit if kpi else None,
                        )
                    )  # fmt: skip
            if init.unreported_period and init.unreported_due:
                period = init.unreported_period
                reason = init.reason(period.fiscal_year)
                items.append(
                    SlipItem(
                        status.project.id, init.name, init.index, period.fiscal_year, period.label, None,
                        State.UNREPORTED, init.unreported_due, (as_of - init.unreported_due).days, reason is not None,
                        init.outlook, name, reason,
                    )
                )  # fmt: skip
    items.sort(key=slip_order)
    return items


def slip_order(item: SlipItem) -> tuple[int, int, str, int, int, str]:
    """Worst first: by state, then the longest overdue, then by project, initiative, year and target."""
    return (
        -_RANK[item.state],
        -item.days_late,
        item.project,
        item.initiative_index,
        item.fiscal_year,
        item.target or "",
    )
