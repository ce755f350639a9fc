"""Rules a valid roadmap obeys beyond its schema (DESIGN.md §3–4), one small function each.

Each check takes the validated roadmap and the plan's settings and yields `Finding`s. A new
rule is one function added to `CHECKS` and one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from difflib import get_close_matches

from dxroadmap import fiscal
from dxroadmap.i18n import t
from dxroadmap.model import ActualEntry, KpiTarget, Roadmap, TaskTarget, field_name
from dxroadmap.problems import Finding
from dxroadmap.progress import Settings

Check = Callable[[Roadmap, Settings], Iterator[Finding]]


def _hint(word: str, choices: tuple[str, ...] | list[str]) -> str:
    near = get_close_matches(word, list(choices), n=1, cutoff=0.4)
    return t("check.did_you_mean", near=near[0]) if near else t("check.plan_has", choices=", ".join(choices))


def field_in_plan(roadmap: Roadmap, settings: Settings) -> Iterator[Finding]:
    name = field_name(roadmap.field)
    if settings.fields and name not in settings.fields:
        yield Finding(
            ("政策分野",),
            "unknown-field",
            t("check.unknown_field", field=roadmap.field, hint=_hint(name, settings.fields)),
        )


def focus_in_field(roadmap: Roadmap, settings: Settings) -> Iterator[Finding]:
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


def years_in_period(roadmap: Roadmap, settings: Settings) -> Iterator[Finding]:
    if settings.period is None:
        return
    start, end = settings.period
    span = f"{fiscal.label(start)}–{fiscal.label(end)}"
    for i, initiative in enumerate(roadmap.initiatives):
        for key, years in (("目標", initiative.targets), ("実績", initiative.actuals)):
            for year in years:
                if not start <= year <= end:
                    yield Finding(
                        ("取組", i, key, year),
                        "year-out-of-period",
                        t("check.out_of_period", year=fiscal.label(year), span=span),
                        at_key=True,
                    )


def achieves_name_targets(roadmap: Roadmap, settings: Settings) -> Iterator[Finding]:
    for i, initiative in enumerate(roadmap.initiatives):
        texts_by_year: dict[int, set[str]] = {}
        for year, targets in initiative.targets.items():
            texts_by_year[year] = {
                fiscal.normalize(t if isinstance(t, str) else t.text if isinstance(t, TaskTarget) else t.kpi)
                for t in targets
                if not isinstance(t, KpiTarget)
            }
        for year, actuals in initiative.actuals.items():
            reachable = set().union(*(texts for y, texts in texts_by_year.items() if y <= year))
            for j, actual in enumerate(actuals):
                if not isinstance(actual, ActualEntry):
                    continue
                for k, name in enumerate(actual.achieves):
                    if fiscal.normalize(name) not in reachable:
                        choices = sorted(reachable)
                        yield Finding(
                            ("取組", i, "実績", year, j, "達成", k),
                            "unknown-target",
                            t(
                                "check.unknown_target",
                                name=name,
                                initiative=initiative.name,
                                year=fiscal.label(year),
                                hint=_hint(fiscal.normalize(name), choices) if choices else "",
                            ),
                        )


def due_dates_within_their_year(roadmap: Roadmap, settings: Settings) -> Iterator[Finding]:
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


def unique_initiatives(roadmap: Roadmap, settings: Settings) -> Iterator[Finding]:
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


def not_too_many(roadmap: Roadmap, settings: Settings) -> Iterator[Finding]:
    """A bound on the work one file can cause (matching, judging, rendering grow with it)."""
    count = sum(
        sum(len(targets) for targets in i.targets.values()) + sum(len(actuals) for actuals in i.actuals.values())
        for i in roadmap.initiatives
    )
    if count > MAX_ITEMS:
        yield Finding(("取組",), "too-large", t("check.too_many", count=count, limit=MAX_ITEMS), at_key=True)


CHECKS: list[Check] = [
    not_too_many,
    field_in_plan,
    focus_in_field,
    years_in_period,
    achieves_name_targets,
    due_dates_within_their_year,
    unique_initiatives,
]


def check(roadmap: Roadmap, settings: Settings) -> list[Finding]:
    return [finding for rule in CHECKS for finding in rule(roadmap, settings)]
