"""The machine-readable shape of every report (DESIGN.md §6), as plain dicts and lists.

JSON output is these structures dumped; CSV and Markdown are flattened from them, so the
three formats can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from dxroadmap import fiscal
from dxroadmap.model import Meeting
from dxroadmap.problems import Problem
from dxroadmap.progress import (
    DatedActual,
    InitiativeStatus,
    KpiStatus,
    ProjectStatus,
    SlipItem,
    TargetStatus,
)
from dxroadmap.settings import Settings

if TYPE_CHECKING:  # only types: the review log's module is loaded by the commands that use it
    from dxroadmap.history import Event, ProjectSince, Since
    from dxroadmap.report.review import Changes


def _year(year: int | None) -> str | None:
    return fiscal.label(year) if year is not None else None


def _date(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _number(value: float | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _kpi(kpi: KpiStatus | None) -> dict[str, Any] | None:
    if kpi is None:
        return None
    return {
        "target": _number(kpi.target),
        "unit": kpi.unit,
        "baseline": _number(kpi.baseline),
        "direction": kpi.direction,
        "value": _number(kpi.value),
    }


Moved = dict[tuple[str, int, str], int]  # (initiative, year, text) -> the year first planned


def target(t: TargetStatus) -> dict[str, Any]:
    return {
        "fiscal_year": fiscal.label(t.fiscal_year),
        "text": t.text,
        "due": t.due.isoformat(),
        "state": t.state,
        "achieved_in": _year(t.achieved_in),
        "achieved_on": _date(t.achieved_on),
        "kpi": _kpi(t.kpi),
    }


def actual(a: DatedActual) -> dict[str, Any]:
    return {
        "fiscal_year": fiscal.label(a.fiscal_year),
        "quarter": fiscal.quarter_label(a.quarter) if a.quarter else None,
        "date": a.date.isoformat(),
        "text": a.text,
        "achieves": list(a.achieves),
        "kpi": a.kpi,
        "value": _number(a.value),
        "reason": a.reason,
        "outlook": a.outlook,
        "half": f"H{a.half}" if a.half is not None else None,
        "rating": a.rating,
    }


def initiative(i: InitiativeStatus, with_actuals: bool = False, moved: Moved | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": i.name,
        "state": i.state,
        "unreported": i.unreported,
        "targets": [target(t) for t in i.targets],
    }
    if with_actuals:
        out["actuals"] = [actual(a) for a in i.actuals]
    if moved is not None:
        for entry, t in zip(out["targets"], i.targets, strict=True):
            first = moved.get((fiscal.normalize(i.name), t.fiscal_year, fiscal.normalize(t.text)))
            entry["moved_from"] = fiscal.label(first) if first is not None else None
    return out


def project(s: ProjectStatus, with_actuals: bool = False, moved: Moved | None = None) -> dict[str, Any]:
    roadmap = s.project.roadmap
    return {
        "id": s.project.id,
        "field": s.field,
        "focus": list(roadmap.focus),
        "name": roadmap.name,
        "owner": roadmap.owner,
        "state": s.state,
        "targets": {"total": s.counts.total, "due": s.counts.due, "done": s.counts.done},
        "flags": dict(s.flags),
        "initiatives": [initiative(i, with_actuals, moved) for i in s.initiatives],
    }


def meeting(m: Meeting | None) -> dict[str, Any] | None:
    return {"name": m.name, "date": m.date.isoformat()} if m is not None else None


def problem(p: Problem) -> dict[str, Any]:
    return {"path": p.path, "line": p.line, "column": p.column, "code": p.code, "message": p.message}


def status_head(settings: Settings, as_of: date) -> dict[str, Any]:
    """The keys of `status` JSON before its projects: the date and where it falls."""
    year, quarter = settings.calendar.last_completed_quarter(as_of)
    period = settings.last_report_period(as_of)
    return {
        "as_of": as_of.isoformat(),
        "fiscal_year": fiscal.label(settings.calendar.year_of(as_of)),
        "last_quarter": {"fiscal_year": fiscal.label(year), "quarter": fiscal.quarter_label(quarter)},
        "last_report_period": {"fiscal_year": fiscal.label(period.fiscal_year), "period": period.label},
        "next_meeting": meeting(settings.next_meeting(as_of)),
    }


def status(
    statuses: Sequence[ProjectStatus],
    problems: Sequence[Problem],
    settings: Settings,
    as_of: date,
    since_point: tuple[Since, str | None, dict[str, ProjectSince]] | None = None,
) -> dict[str, Any]:
    """The JSON of `status`; with `--since`, a top-level `since` and one per project."""
    out = status_head(settings, as_of)
    out["projects"] = [project(s) for s in statuses]
    out["invalid"] = [problem(p) for p in problems]
    if since_point is not None:
        from dxroadmap.history import ProjectSince

        point, revision, report = since_point
        out["since"] = {"when": point.label, "date": point.date.isoformat(), "commit": revision}
        for entry, s in zip(out["projects"], statuses, strict=True):
            entry["since"] = since(report.get(s.project.id, ProjectSince()))
    return out


def event(e: Event) -> dict[str, Any]:
    c = e.change
    return {
        "commit": e.commit,
        "date": e.date.isoformat(),
        "author": e.author,
        "project": e.project,
        "kind": c.kind,
        "initiative": c.initiative,
        "fiscal_year": fiscal.label(c.fiscal_year),
        "quarter": fiscal.quarter_label(c.quarter) if c.quarter else None,
        "text": c.text,
        "from_year": _year(c.from_year),
        "to_year": _year(c.to_year),
        "detail": c.detail,
    }


def since(report: ProjectSince) -> dict[str, Any]:
    """The `since` object of a project in `status --since` JSON."""
    return {
        "records": [event(e) for e in report.records],
        "replanned": [event(e) for e in report.replanned],
        "state_changes": [
            {"initiative": name, "fiscal_year": fiscal.label(year), "text": text, "from": then, "to": now}
            for name, year, text, then, now in report.states
        ],
    }


def since_point(changes: Changes) -> dict[str, Any]:
    """The top-level `since` of `export --since` JSON, as `status --since` has it."""
    return {"when": changes.label, "date": changes.date.isoformat(), "commit": changes.commit}


def export_since(changes: Changes, s: ProjectStatus) -> dict[str, Any]:
    """A project's `since` in `export --since` JSON: the keys of `status --since` (`since`), and the changes of
    the project's own state (`state`, null when it did not change) and of its initiatives' (`initiative_states`)."""
    from dxroadmap.history import ProjectSince

    out = since(changes.report.get(s.project.id, ProjectSince()))
    moved = changes.project_state(s.project.id)
    out["state"] = {"from": moved.before, "to": moved.after} if moved is not None else None
    out["initiative_states"] = [
        {"initiative": line.initiative, "from": line.before, "to": line.after}
        for line in changes.of_project(s.project.id)
        if line.kind == "initiative_state"
    ]
    return out


def slip(item: SlipItem) -> dict[str, Any]:
    return {
        "project": item.project,
        "initiative": item.initiative,
        "fiscal_year": fiscal.label(item.fiscal_year),
        "quarter": item.period,
        "target": item.target,
        "state": item.state,
        "due": item.due.isoformat(),
        "days_late": item.days_late,
        "explained": item.explained,
        "outlook": item.outlook,
        "disagrees": item.disagrees,
        "name": item.name,
        "reason": item.reason,
        "kpi": (
            {"value": _number(item.kpi_value), "target": _number(item.kpi_target), "unit": item.unit}
            if item.kpi_target is not None
            else None
        ),
    }


SCHEMA_VERSION = 1


def plan(settings: Settings) -> dict[str, Any]:
    return {
        "title": settings.title,
        "period": (
            {"start": fiscal.label(settings.period[0]), "end": fiscal.label(settings.period[1])}
            if settings.period
            else None
        ),
        "fiscal_year_start_month": settings.calendar.start_month,
        "report_grace_days": settings.grace_days,
        "cadence": settings.cadence,
        "ratings": [{"symbol": symbol, "outlook": outlook} for symbol, outlook in settings.ratings],
        "fields": [{"name": name, "focus": list(settings.focus.get(name, ()))} for name in settings.fields],
        "meetings": [meeting(m) for m in settings.meetings],
    }


def portfolio_head(settings: Settings, as_of: date, version: str) -> dict[str, Any]:
    """The keys of `export --format json` before its projects."""
    head = status_head(settings, as_of)
    return {"schema_version": SCHEMA_VERSION, "generator": f"dxroadmap {version}", **head, "plan": plan(settings)}


def portfolio_project(s: ProjectStatus) -> dict[str, Any]:
    """A project in `export --format json`: its status entry with its actuals, path, summary and note."""
    roadmap = s.project.roadmap
    entry = project(s, with_actuals=True)
    return {**entry, "path": s.project.path, "summary": roadmap.summary, "note": roadmap.note}


def portfolio(
    statuses: Sequence[ProjectStatus],
    items: Sequence[SlipItem],
    problems: Sequence[Problem],
    settings: Settings,
    as_of: date,
    version: str,
) -> dict[str, Any]:
    """The whole portfolio for `export --format json` (schemas/portfolio.schema.json)."""
    return {
        **portfolio_head(settings, as_of, version),
        "projects": [portfolio_project(s) for s in statuses],
        "slipping": [slip(item) for item in items],
        "invalid": [problem(p) for p in problems],
    }
