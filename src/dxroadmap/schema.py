"""JSON Schemas, generated from code, for editors, CI and other programs.

Those of the roadmap and plan files from their models; `portfolio.schema.json`, the JSON the tool
writes (`export --format json`; among its definitions `Status`, `Slip` and `Event`, the documents of
`status`, `slipping` and `history --format json`), from the models below, whose enums are taken from
`states` and `progress`: a state added there is in the schema at the next `dxroadmap schema --write`.

Draft-07 (`definitions`, no newer keywords) because yaml-language-server understands it best.
Year-keyed mappings carry `propertyNames` (see `model.YearMap`) so editors flag `X5:` too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from dxroadmap.changes import KINDS
from dxroadmap.model import PLAN, ROADMAP
from dxroadmap.progress import LATE, SEVERITY, TARGET_STATES
from dxroadmap.states import Outlook, State

DRAFT = "http://json-schema.org/draft-07/schema#"
BASE = "https://dxroadmap.invalid/schemas/"  # an id, not a place to fetch: nothing is downloaded


def _draft7(schema: dict[str, Any], name: str, title: str) -> dict[str, Any]:
    text = json.dumps(schema, ensure_ascii=False).replace('"#/$defs/', '"#/definitions/')
    out: dict[str, Any] = json.loads(text)
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
    return {"$schema": DRAFT, "$id": BASE + name, "title": title, **{k: v for k, v in out.items() if k != "title"}}


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema, for `schemas/`."""
    return {
        "roadmap.schema.json": _draft7(
            ROADMAP.json_schema(by_alias=True), "roadmap.schema.json", "dxroadmap ロードマップ (roadmap file)"
        ),
        "plan.schema.json": _draft7(PLAN.json_schema(by_alias=True), "plan.schema.json", "dxroadmap 計画 (_plan.yaml)"),
        "portfolio.schema.json": portfolio_schema(),
    }


# --- the JSON the tool writes (report/data.py makes it) -----------------------------------------------------


def _enum(values: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": [str(v) for v in values]})


FiscalYear = Annotated[str, WithJsonSchema({"type": "string", "pattern": "^(R[0-9]+|H[0-9]+)$"})]  # fiscal.label
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})]
Moment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Count = Annotated[int, Field(ge=0)]
Quarter = Literal["Q1", "Q2", "Q3", "Q4"]
Period = Literal["Q1", "Q2", "Q3", "Q4", "H1", "H2", "FY"]  # fiscal.ReportPeriod.label
# The values of the enums, as JSON holds them (text: no definition of each enum's own)
AnyState = Annotated[str, _enum(SEVERITY)]  # of an initiative or a project
TargetState = Annotated[str, _enum(TARGET_STATES)]
SlipState = Annotated[str, _enum((*LATE, State.UNREPORTED))]  # what progress.slipping_items lists
OutlookValue = Annotated[str, _enum(tuple(Outlook))]
Kind = Annotated[str, _enum(KINDS)]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LastQuarter(_Shape):
    fiscal_year: FiscalYear
    quarter: Quarter


class LastReportPeriod(_Shape):
    fiscal_year: FiscalYear
    period: Period


class Meeting(_Shape):
    name: str
    date: Day


class PlanPeriod(_Shape):
    start: FiscalYear
    end: FiscalYear


class Rating(_Shape):
    symbol: str
    outlook: OutlookValue | None


class PlanField(_Shape):
    name: str
    focus: list[str]


class Plan(_Shape):
    title: str | None
    period: PlanPeriod | None
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)]
    report_grace_days: Count
    cadence: Literal["quarter", "half", "year"]
    ratings: list[Rating]
    fields: list[PlanField]
    meetings: list[Meeting]


class Kpi(_Shape):
    target: float
    unit: str | None
    baseline: float | None
    direction: Literal["up", "down"]
    value: float | None


class Target(_Shape):
    fiscal_year: FiscalYear
    text: str
    due: Day
    state: TargetState
    achieved_in: FiscalYear | None
    achieved_on: Day | None
    kpi: Kpi | None


class Actual(_Shape):
    fiscal_year: FiscalYear
    quarter: Quarter | None
    date: Day
    text: str | None
    achieves: list[str]
    kpi: str | None
    value: float | None
    reason: str | None
    outlook: OutlookValue | None
    half: Literal["H1", "H2"] | None
    rating: str | None


class Initiative(_Shape):
    """An initiative of `status` JSON."""

    name: str
    state: AnyState
    unreported: bool
    targets: list[Target]


class InitiativeWithActuals(Initiative):
    """An initiative of `export` JSON: with the actuals recorded by the as-of date."""

    actuals: list[Actual]


class TargetCounts(_Shape):
    total: Count
    due: Count
    done: Count


class Flags(_Shape):
    """How many of a project's targets are missed or slipping, its initiatives unreported or optimistic (順調 said
    of a late initiative): the keys of `progress.FLAGS`, in its order."""

    missed: Count
    slipping: Count
    unreported: Count
    optimistic: Count


class Event(_Shape):
    """A change in the review log (`history --format json`)."""

    commit: str
    date: Moment
    author: str
    project: str
    kind: Kind
    initiative: str
    fiscal_year: FiscalYear
    quarter: Quarter | None
    text: str | None
    from_year: FiscalYear | None
    to_year: FiscalYear | None
    detail: str | None


class StateChange(_Shape):
    initiative: str
    fiscal_year: FiscalYear
    text: str
    from_: TargetState = Field(alias="from")
    to: TargetState


class ProjectSince(_Shape):
    """What moved in a project since `--since`."""

    records: list[Event]
    replanned: list[Event]
    state_changes: list[StateChange]


class StateMove(_Shape):
    from_: AnyState = Field(alias="from")
    to: AnyState


class InitiativeStateMove(_Shape):
    initiative: str
    from_: AnyState = Field(alias="from")
    to: AnyState


class ExportSince(ProjectSince):
    """What moved in a project since `export --since`: as `status --since`, and its own and its initiatives' states."""

    state: StateMove | None
    initiative_states: list[InitiativeStateMove]


class Project(_Shape):
    """A project of `status` JSON (`since` only with `--since`)."""

    id: str
    field: str
    focus: list[str]
    name: str
    owner: str
    state: AnyState
    targets: TargetCounts
    flags: Flags
    initiatives: list[Initiative]
    since: ProjectSince | None = None  # with `--since` only


class ExportProject(_Shape):
    """A project of `export` JSON: the fields of `status` JSON, with its actuals, path, summary and note."""

    id: str
    field: str
    focus: list[str]
    name: str
    owner: str
    state: AnyState
    targets: TargetCounts
    flags: Flags
    initiatives: list[InitiativeWithActuals]
    path: str
    summary: str | None
    note: str | None
    since: ExportSince | None = None  # with `--since` only


class SlipKpi(_Shape):
    value: float | None
    target: float
    unit: str | None


class Slip(_Shape):
    """A slipping item (`slipping --format json` is a list of them)."""

    project: str
    initiative: str
    fiscal_year: FiscalYear
    quarter: Period | None  # of an unreported initiative: the period not reported
    target: str | None
    state: SlipState
    due: Day
    days_late: int
    explained: bool
    outlook: OutlookValue | None
    disagrees: bool
    name: str
    reason: str | None
    kpi: SlipKpi | None


class Problem(_Shape):
    path: str
    line: Annotated[int, Field(ge=1)]
    column: Annotated[int, Field(ge=1)]
    code: str
    message: str


class SincePoint(_Shape):
    when: str
    date: Day
    commit: str | None


class Status(_Shape):
    """The document of `status --format json` (`since` only with `--since`)."""

    as_of: Day
    fiscal_year: FiscalYear
    last_quarter: LastQuarter
    last_report_period: LastReportPeriod
    next_meeting: Meeting | None
    projects: list[Project]
    invalid: list[Problem]
    since: SincePoint | None = None  # with `--since` only


class Portfolio(_Shape):
    """The document of `export --format json`."""

    schema_version: Literal[1]
    generator: str
    as_of: Day
    fiscal_year: FiscalYear
    last_quarter: LastQuarter
    last_report_period: LastReportPeriod
    next_meeting: Meeting | None
    plan: Plan
    projects: list[ExportProject]
    slipping: list[Slip]
    invalid: list[Problem]
    since: SincePoint | None = None  # with `--since` only


class _Generator(GenerateJsonSchema):
    """Pydantic's JSON Schema with no titles (the names are the definitions') and no defaults: a key with the
    default None is a key that is sometimes absent, never null."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        out = super().model_schema(schema)
        out.pop("title", None)
        return out

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        inner = schema["schema"]
        if schema.get("default") is None and inner["type"] == "nullable":
            inner = inner["schema"]
        return self.generate_inner(inner)


PORTFOLIO_DESCRIPTION = (
    "The whole portfolio as of a date: the plan, every valid project with its targets, actuals and computed states, "
    "the slipping items and the invalid files. Keys are English and stable; text is exactly as in the files; fiscal "
    "years as R8, dates ISO. Among the definitions, Status is the document of `status --format json` and Slip an "
    "item of `slipping --format json`."
)


def portfolio_schema() -> dict[str, Any]:
    """`schemas/portfolio.schema.json`: `export --format json`, with `Status` and `Slip` among its definitions."""
    _, found = models_json_schema(
        [(Portfolio, "validation"), (Status, "validation"), (Slip, "validation")],
        by_alias=True,
        schema_generator=_Generator,
    )
    definitions = found["$defs"]
    root = definitions.pop("Portfolio")
    root.pop("description", None)
    generated = {"description": PORTFOLIO_DESCRIPTION, **root, "$defs": definitions}
    return _draft7(generated, "portfolio.schema.json", "dxroadmap portfolio export (export --format json)")


def write(root: Path | None) -> list[Path]:
    """Write every schema into `schemas/` beside the roadmaps directory (found from `root`), or here."""
    from dxroadmap import store
    from dxroadmap.problems import StoreError

    try:
        target = store.find_root(root).resolve().parent / "schemas"
    except StoreError:
        target = Path.cwd() / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in schemas().items():
        (target / name).write_text(dumps(content), encoding="utf-8")
        written.append(target / name)
    return written


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
