"""Rules a valid roadmap obeys beyond its schema (DESIGN.md §3–4), one small function each.

Each check takes the validated roadmap and the plan's settings and yields `Finding`s. A new
rule is one function added to `CHECKS` and one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from difflib import get_close_matches

from dxroadmap import fiscal
from dxroadmap.i18n import t
from dxroadmap.model import Actual, ActualEntry, KpiTarget, Roadmap, TaskTarget, field_name
from dxroadmap.problems import Finding
from dxroadmap.settings import Settings

Check = Callable[[Roadmap, Settings, date | None], Iterator[Finding]]


def _hint(word: str, choices: tuple[str, ...] | list[str]) -> str:
    near = get_close_matches(word, list(choices), n=1, cutoff=0.4)
    return t("check.did_you_mean", near=near[0]) if near else t("check.plan_has", choices=", ".join(choices))


def field_in_plan(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    name = field_name(roadmap.field)
    if settings.fields and name not in settings.fields:
        yield Finding(
            ("政策分野",),
            "unknown-field",
            t("check.unknown_field", field=roadmap.field, hint=_hint(name, settings.fields)),
        )


def focus_in_field(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    areas = settings.focus.get(field_name(roadmap.field), ())
    if not areas:
        return
    normalized = {fiscal.normalize(a) for a in areas}
    for i, focus in enumerate(roadmap.focus):
        if fiscal.normalize(focus) not in normalized:
            yield Finding(
                ("取組方針", i),
                "unknown-focus",
                t("check.unknown_focus", focus=focus, field=field_name(roadmap.field), hint=_hint(focus, areas)),
            )


FAR = 30  # years before or after the plan's period: further is a typo, not a long-term goal


def years_in_period(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    if settings.period is None:
        return
    start, end = settings.period
    span = f"{fiscal.label(start)}–{fiscal.label(end)}"
    for i, initiative in enumerate(roadmap.initiatives):
        for key, years in (("目標", initiative.targets), ("実績", initiative.actuals)):
            for year in years:
                if not start - FAR <= year <= end + FAR:  # a goal for 2050 is real; one for 2095 is a typo
                    yield Finding(
                        ("取組", i, key, year),
                        "bad-year",
                        t("check.year_far", year=fiscal.label(year), western=year, span=span, far=FAR),
                        at_key=True,
                    )
                elif not start <= year <= end:
                    yield Finding(
                        ("取組", i, key, year),
                        "year-out-of-period",
                        t("check.out_of_period", year=fiscal.label(year), span=span),
                        at_key=True,
                    )


def achieves_name_targets(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    for i, initiative in enumerate(roadmap.initiatives):
        texts_by_year: dict[int, set[str]] = {}
        for year, targets in initiative.targets.items():
            texts_by_year[year] = {
                fiscal.text_key(t if isinstance(t, str) else t.text if isinstance(t, TaskTarget) else t.kpi)
                for t in targets
                if not isinstance(t, KpiTarget)
            }
        for year, actuals in initiative.actuals.items():
            reachable = set().union(*(texts for y, texts in texts_by_year.items() if y <= year))
            for j, actual in enumerate(actuals):
                if not isinstance(actual, ActualEntry):
                    continue
                for k, name in enumerate(actual.achieves):
                    if fiscal.text_key(name) not in reachable:
                        choices = sorted(reachable)
                        yield Finding(
                            ("取組", i, "実績", year, j, "達成", k),
                            "unknown-target",
                            t(
                                "check.unknown_target",
                                name=name,
                                initiative=initiative.name,
                                year=fiscal.label(year),
                                hint=_hint(fiscal.text_key(name), choices) if choices else "",
                            ),
                        )


def due_dates_within_their_year(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    """A 期限 written as a date lies in its target's fiscal year (else missed and open would both apply)."""
    calendar = settings.calendar
    for i, initiative in enumerate(roadmap.initiatives):
        for year, targets in initiative.targets.items():
            for j, target in enumerate(targets):
                due = None if isinstance(target, str) else target.due
                if isinstance(due, date) and not calendar.year_start(year) <= due <= calendar.year_end(year):
                    yield Finding(
                        ("取組", i, "目標", year, j, "期限"),
                        "bad-value",
                        t(
                            "check.due_outside",
                            due=due.isoformat(),
                            year=fiscal.label(year),
                            start=calendar.year_start(year).isoformat(),
                            end=calendar.year_end(year).isoformat(),
                        ),
                    )


def unique_initiatives(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, initiative in enumerate(roadmap.initiatives):
        name = fiscal.normalize(initiative.name)
        if name in seen:
            yield Finding(
                ("取組", i, "名称"),
                "duplicate-initiative",
                t("check.duplicate_initiative", name=initiative.name, number=seen[name] + 1),
            )
        seen.setdefault(name, i)


MAX_ITEMS = 5000  # targets and actuals in one file: a real roadmap has about a hundred


def not_too_many(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    """A bound on the work one file can cause (matching, judging, rendering grow with it)."""
    count = sum(
        sum(len(targets) for targets in i.targets.values()) + sum(len(actuals) for actuals in i.actuals.values())
        for i in roadmap.initiatives
    )
    if count > MAX_ITEMS:
        yield Finding(("取組",), "too-large", t("check.too_many", count=count, limit=MAX_ITEMS), at_key=True)


def undated_actuals(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    """An actual with no period and no 日付, in a fiscal year not yet over, counts from the as-of date: say so.

    Not under an annual cadence, where an entry for the whole year is the rule.
    """
    if as_of is None or (roadmap.cadence or settings.cadence) == "year":
        return
    calendar = settings.calendar
    for i, initiative in enumerate(roadmap.initiatives):
        for year, actuals in initiative.actuals.items():
            if as_of > calendar.year_end(year):
                continue
            for j, actual in enumerate(actuals):
                if isinstance(actual, str) or (actual.quarter is None and actual.half is None and actual.date is None):
                    yield Finding(
                        ("取組", i, "実績", year, j),
                        "undated-actual",
                        t("check.undated", year=fiscal.label(year), as_of=as_of.isoformat()),
                    )


def report_period(actual: Actual, calendar: fiscal.Calendar) -> tuple[int | None, int | None]:
    """(quarter, half) an entry reports for: as written, else the quarter its 日付 falls in; (None, None): the year."""
    if isinstance(actual, str):
        return (None, None)
    if actual.quarter is None and actual.half is None and actual.date is not None:
        return (calendar.quarter_of(actual.date)[1], None)
    return (actual.quarter, actual.half)


def period_words(year: int, period: tuple[int | None, int | None]) -> str:
    """`R8 Q2`, `R8 H1` or `R8`."""
    quarter, half = period
    return fiscal.label(year) + (f" Q{quarter}" if quarter else "") + (f" H{half}" if half else "")


def _says(actual: Actual) -> object:
    """What an actual says, a plain text one the same as an entry with only that 内容."""
    if isinstance(actual, str):
        return ("text", fiscal.text_key(actual))
    extra = (
        tuple(actual.achieves),
        actual.kpi,
        actual.value,
        actual.reason,
        actual.outlook,
        actual.date,
        actual.rating,
    )
    if actual.text is not None and not any(extra):
        return ("text", fiscal.text_key(actual.text))
    return (actual.text, *extra)  # the period is compared apart


def duplicates(actuals: Sequence[Actual], calendar: fiscal.Calendar) -> Iterator[tuple[int, str]]:
    """(position, "entry" | "kpi") of each actual of one year's list that repeats an earlier one in its period:
    the same actual, or a second value of one KPI. `record` refuses what `validate` warns about with this."""
    seen: set[tuple[tuple[int | None, int | None], object]] = set()
    kpis: set[tuple[tuple[int | None, int | None], str]] = set()
    for j, actual in enumerate(actuals):
        period = report_period(actual, calendar)
        said = (period, _says(actual))
        if said in seen:
            yield j, "entry"
        elif not isinstance(actual, str) and actual.kpi is not None:
            key = (period, fiscal.text_key(actual.kpi))
            if key in kpis:
                yield j, "kpi"
            kpis.add(key)
        seen.add(said)


def duplicate_entries(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    """The same actual twice in one period, or a second value of one KPI for one period (warnings)."""
    for i, initiative in enumerate(roadmap.initiatives):
        for year, actuals in initiative.actuals.items():
            for j, kind in duplicates(actuals, settings.calendar):
                actual = actuals[j]
                where = period_words(year, report_period(actual, settings.calendar))
                if kind == "entry":
                    yield Finding(
                        ("取組", i, "実績", year, j), "duplicate-entry", t("check.duplicate_entry", period=where)
                    )
                else:
                    assert not isinstance(actual, str) and actual.kpi is not None
                    yield Finding(
                        ("取組", i, "実績", year, j, "指標"),
                        "duplicate-entry",
                        t("check.kpi_twice", kpi=actual.kpi, period=where),
                    )


def ratings_in_plan(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> Iterator[Finding]:
    """評価 is a symbol of the plan's 評価区分, when the plan declares one."""
    symbols = [symbol for symbol, _ in settings.ratings]
    if not symbols:
        return
    known = {fiscal.text_key(symbol) for symbol in symbols}
    for i, initiative in enumerate(roadmap.initiatives):
        for year, actuals in initiative.actuals.items():
            for j, actual in enumerate(actuals):
                if (
                    isinstance(actual, ActualEntry)
                    and actual.rating is not None
                    and fiscal.text_key(actual.rating) not in known
                ):
                    yield Finding(
                        ("取組", i, "実績", year, j, "評価"),
                        "bad-value",
                        t("check.unknown_rating", rating=actual.rating, symbols=", ".join(symbols)),
                    )


CHECKS: list[Check] = [
    not_too_many,
    field_in_plan,
    focus_in_field,
    years_in_period,
    achieves_name_targets,
    due_dates_within_their_year,
    unique_initiatives,
    ratings_in_plan,
    undated_actuals,
    duplicate_entries,
]


def check(roadmap: Roadmap, settings: Settings, as_of: date | None = None) -> list[Finding]:
    """Every finding of every rule; `as_of` (None: not known) for the rules that depend on a date."""
    return [finding for rule in CHECKS for finding in rule(roadmap, settings, as_of)]
