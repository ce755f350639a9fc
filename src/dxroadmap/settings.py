"""What the plan file (`_plan.yaml`) decides for the rules, or the defaults without one. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dxroadmap import fiscal
from dxroadmap.model import Meeting, Plan, field_name


@dataclass(frozen=True)
class Settings:
    """What the plan file decides for the rules (or the defaults without one)."""

    calendar: fiscal.Calendar = field(default_factory=fiscal.Calendar)
    grace_days: int = 30
    cadence: str = "quarter"  # of reports: "quarter", "half" or "year" (a roadmap file may set its own)
    ratings: tuple[tuple[str, str | None], ...] = ()  # the plan's 評価区分: (symbol, the outlook it implies)
    period: tuple[int, int] | None = None
    title: str | None = None
    fields: tuple[str, ...] = ()
    focus: dict[str, tuple[str, ...]] = field(default_factory=dict)
    meetings: tuple[Meeting, ...] = ()

    @classmethod
    def from_plan(cls, plan: Plan | None) -> Settings:
        if plan is None:
            return cls()
        return cls(
            calendar=fiscal.Calendar(plan.fiscal_year_start_month),
            grace_days=plan.report_grace_days,
            cadence=plan.cadence,
            ratings=tuple((r.symbol, r.outlook) for r in plan.ratings),
            period=(plan.period.start, plan.period.end) if plan.period else None,
            title=plan.title,
            fields=tuple(field_name(f.name) for f in plan.fields),
            focus={field_name(f.name): tuple(f.focus) for f in plan.fields},
            meetings=tuple(sorted(plan.meetings, key=lambda m: m.date)),
        )

    def implied_outlook(self, rating: str) -> str | None:
        """The outlook a symbol of the plan's 評価区分 implies (None: unknown symbol, or none implied)."""
        key = fiscal.text_key(rating)
        return next((outlook for symbol, outlook in self.ratings if fiscal.text_key(symbol) == key), None)

    def last_report_period(self, as_of: date, cadence: str | None = None) -> fiscal.ReportPeriod:
        return self.calendar.last_completed_period(as_of, cadence or self.cadence)

    def next_meeting(self, as_of: date) -> Meeting | None:
        return next((m for m in self.meetings if m.date >= as_of), None)

    def last_meeting(self, as_of: date) -> Meeting | None:
        return next((m for m in reversed(self.meetings) if m.date < as_of), None)
