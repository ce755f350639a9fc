"""Pydantic models of a roadmap file and a plan file, with the Japanese keys of the format.

Python names are English (they are also the JSON names); aliases are the keys people write.
Validation errors carry stable codes (the `type` of a `PydanticCustomError`) that the loader
turns into `path:line:col: CODE message` lines. No I/O here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dxroadmap import fiscal
from dxroadmap.i18n import t, template
from dxroadmap.states import OUTLOOK_OF_WORD

T = TypeVar("T")


def _text(value: object) -> object:
    if type(value) is str and value.strip():  # nearly always: text as written
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        raise PydanticCustomError("date-as-text", template("model.date_as_text"), {"value": value.isoformat()})
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("bad-value", template("model.empty_text"))
    return value


Text = Annotated[str, BeforeValidator(_text)]
"""Text from the file, exactly as written; a YAML date in its place is an error, an integer is text."""


def _parsed(parse: Callable[[object], T], code: str) -> Callable[[object], T]:
    """A validator that reads a value with one of `fiscal`'s parsers; its refusal is a problem with `code`."""

    def validate(value: object) -> T:
        try:
            return parse(value)
        except fiscal.FiscalError as exc:
            raise PydanticCustomError(code, str(exc)) from None

    return validate


_year = _parsed(fiscal.parse_year, "bad-year")
_quarter = _parsed(fiscal.parse_quarter, "bad-quarter")


_QUARTER_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": "^\\s*(?:[QqＱｑ][1-4１-４]|[1-4１-４]|第[1-4１-４]四半期)\\s*$"},
        {"type": "integer", "minimum": 1, "maximum": 4},
    ]
}
FiscalYear = Annotated[
    int,
    BeforeValidator(_year),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": fiscal.YEAR_PATTERN}, {"type": "integer"}]}),
]
Quarter = Annotated[int, BeforeValidator(_quarter), WithJsonSchema(_QUARTER_SCHEMA)]


def _date(value: object) -> object:
    """Text in any spelling of `fiscal.parse_date`; anything else (a YAML date, a datetime) to pydantic."""
    if not isinstance(value, str):
        return value
    try:
        return fiscal.parse_date(value)
    except fiscal.FiscalError as exc:
        raise PydanticCustomError("bad-value", str(exc)) from None


_DATE_SCHEMA: list[dict[str, Any]] = [
    {"type": "string", "format": "date"},
    {"type": "string", "pattern": fiscal.DATE_PATTERN},
]
DateValue = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema({"anyOf": _DATE_SCHEMA})]
"""A date: a YAML date, or text such as 2026/11/15, 2026年11月15日, 令和8年11月15日, R8.11.15 (a time is refused)."""


_half = _parsed(fiscal.parse_half, "bad-value")
_cadence = _parsed(fiscal.parse_cadence, "bad-value")


Half = Annotated[
    int,
    BeforeValidator(_half),
    WithJsonSchema({"type": "string", "enum": ["上期", "下期", "上半期", "下半期", "H1", "H2"]}),
]
Cadence = Annotated[
    Literal["quarter", "half", "year"],
    BeforeValidator(_cadence),
    WithJsonSchema({"type": "string", "enum": ["四半期", "半期", "年度"]}),
]


def _as_list(value: object) -> object:
    """`R5: ニーズ調査` means a list of one; `R5:` with nothing means an empty list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unique_years(value: object) -> object:
    if isinstance(value, dict):
        seen: dict[int, object] = {}
        for key in value:
            try:
                year = fiscal.parse_year(key)
            except fiscal.FiscalError:
                continue  # reported by the key's own validation
            if year in seen:
                raise PydanticCustomError(
                    "duplicate-year",
                    template("model.duplicate_year"),
                    {"first": str(seen[year]), "second": str(key), "key": key},
                )
            seen[year] = key
    return value


YearMap = Annotated[
    dict[FiscalYear, Annotated[list[T], BeforeValidator(_as_list)]],
    BeforeValidator(_unique_years),
    Field(json_schema_extra={"propertyNames": {"pattern": fiscal.YEAR_PATTERN}}),
]


def _due(value: object) -> object:
    """A date (a YAML date, or text that reads as one: `2026/11/15`), else a quarter."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return fiscal.parse_date(value)
        except fiscal.FiscalError:
            pass  # not a date: a quarter, or the quarter's error
    return _quarter(value)


def _direction(value: object) -> object:
    words = {"減少": "down", "down": "down", "増加": "up", "up": "up"}
    if isinstance(value, str) and fiscal.normalize(value) in words:
        return words[fiscal.normalize(value)]
    raise PydanticCustomError("bad-value", template("model.direction"))


OUTLOOKS: dict[str, str] = {word: outlook.value for word, outlook in OUTLOOK_OF_WORD.items()}  # 順調 -> "on_track", …


def _outlook(value: object) -> object:
    if isinstance(value, str):
        word = fiscal.normalize(value)
        if word in OUTLOOKS:
            return OUTLOOKS[word]
        if word in OUTLOOKS.values():
            return word
    raise PydanticCustomError("bad-value", template("model.outlook"))


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("wrong-type", template("model.not_number"), {"value": repr(value)})
    if (isinstance(value, int) and abs(value) > 10**15) or not math.isfinite(value):
        raise PydanticCustomError("bad-value", template("model.not_finite"), {"value": repr(value)})
    return value


Number = Annotated[int | float, BeforeValidator(_number)]
Direction = Annotated[
    Literal["up", "down"], BeforeValidator(_direction), WithJsonSchema({"type": "string", "enum": ["増加", "減少"]})
]
Outlook = Annotated[
    Literal["on_track", "at_risk", "off_track"],
    BeforeValidator(_outlook),
    WithJsonSchema({"type": "string", "enum": list(OUTLOOKS)}),
]
Due = Annotated[
    int | dt.date,
    BeforeValidator(_due),
    WithJsonSchema({"anyOf": [*_QUARTER_SCHEMA["anyOf"], *_DATE_SCHEMA]}),
]


@cache
def _keys_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys a model's mapping may have, in the order of its fields (worked out once per model)."""
    return tuple(info.alias or name for name, info in model.model_fields.items())


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = _keys_of(cls)
            for key in data:
                if key not in allowed:
                    near = get_close_matches(str(key), list(allowed), n=1, cutoff=0.5)
                    hint = (
                        t("model.did_you_mean", near=near[0])
                        if near
                        else t("model.expected_keys", keys=", ".join(allowed))
                    )
                    raise PydanticCustomError("unknown-key", template("model.unknown_key"), {"key": key, "hint": hint})
        return data


class TaskTarget(_Model):
    """A target with a due quarter (or date) inside its fiscal year."""

    model_config = ConfigDict(title="目標(期限付き)")
    text: Text = Field(alias="内容")
    due: Due | None = Field(default=None, alias="期限", description="Q1–Q4 or a date")


class KpiTarget(_Model):
    """A numeric key performance indicator and its target value for the year."""

    model_config = ConfigDict(title="目標(指標)")
    kpi: Text = Field(alias="指標")
    target: Number = Field(alias="目標値")
    unit: Text | None = Field(default=None, alias="単位")
    baseline: Number | None = Field(default=None, alias="基準値")
    direction: Direction = Field(
        default="up", alias="方向", description="増加 (default) or 減少", json_schema_extra={"default": "増加"}
    )
    due: Due | None = Field(default=None, alias="期限", description="Q1–Q4 or a date")
    baseline_year: FiscalYear | None = Field(
        default=None, alias="基準年度", description="the baseline is the value at the end of this fiscal year"
    )
    baseline_date: DateValue | None = Field(default=None, alias="基準日", description="the date of the baseline value")

    @model_validator(mode="after")
    def _one_baseline_date(self) -> KpiTarget:
        if self.baseline_year is not None and self.baseline_date is not None:
            raise PydanticCustomError("bad-value", template("model.two_baseline_dates"))
        return self


def _target_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "kpi" if "指標" in value else "task"
    if isinstance(value, (TaskTarget, KpiTarget)):
        return "kpi" if isinstance(value, KpiTarget) else "task"
    return "text"


Target = Annotated[
    Annotated[Text, Tag("text")] | Annotated[TaskTarget, Tag("task")] | Annotated[KpiTarget, Tag("kpi")],
    Discriminator(_target_kind),
]


class ActualEntry(_Model):
    """What was done: text, targets achieved, or a KPI value, for a quarter or the whole year."""

    model_config = ConfigDict(title="実績")
    quarter: Quarter | None = Field(default=None, alias="四半期", description="Q1–Q4; absent: the whole year")
    half: Half | None = Field(default=None, alias="半期", description="上期 or 下期 (H1, H2); absent: the whole year")
    text: Text | None = Field(default=None, alias="内容")
    achieves: Annotated[list[Text], BeforeValidator(_as_list)] = Field(default_factory=list, alias="達成")
    kpi: Text | None = Field(default=None, alias="指標")
    value: Number | None = Field(default=None, alias="値")
    date: DateValue | None = Field(default=None, alias="日付")
    reason: Text | None = Field(default=None, alias="理由")
    outlook: Outlook | None = Field(default=None, alias="見通し", description="順調, 注意 or 困難")
    rating: Text | None = Field(default=None, alias="評価", description="a symbol of the plan's 評価区分")

    @model_validator(mode="after")
    def _says_something(self) -> ActualEntry:
        if self.quarter is not None and self.half is not None:
            raise PydanticCustomError("bad-value", template("model.quarter_and_half"))
        if (self.kpi is None) != (self.value is None):
            raise PydanticCustomError("missing-key", template("model.kpi_pair"))
        if self.text is None and not self.achieves and self.kpi is None:
            raise PydanticCustomError("missing-key", template("model.actual_empty"))
        return self


def _actual_kind(value: Any) -> str:
    return "entry" if isinstance(value, (dict, ActualEntry)) else "text"


Actual = Annotated[
    Annotated[Text, Tag("text")] | Annotated[ActualEntry, Tag("entry")],
    Discriminator(_actual_kind),
]


class Initiative(_Model):
    """One row of the roadmap (取組): targets and actuals per fiscal year."""

    model_config = ConfigDict(title="取組")
    name: Text = Field(alias="名称")
    targets: YearMap[Target] = Field(default_factory=dict, alias="目標")
    actuals: YearMap[Actual] = Field(default_factory=dict, alias="実績")
    note: Text | None = Field(default=None, alias="備考")


class Roadmap(_Model):
    """One project (事業) of the plan: one roadmap file."""

    model_config = ConfigDict(title="ロードマップ")
    field: Text = Field(alias="政策分野")
    name: Text = Field(alias="事業名")
    owner: Text = Field(alias="担当課")
    summary: Text | None = Field(default=None, alias="概要")
    focus: Annotated[list[Text], BeforeValidator(_as_list)] = Field(default_factory=list, alias="取組方針")
    note: Text | None = Field(default=None, alias="備考")
    cadence: Cadence | None = Field(
        default=None, alias="報告頻度", description="四半期, 半期 or 年度: overrides the plan's for this project"
    )
    initiatives: list[Initiative] = Field(alias="取組", min_length=1)


class Period(_Model):
    model_config = ConfigDict(title="期間")
    start: FiscalYear = Field(alias="開始")
    end: FiscalYear = Field(alias="終了")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise PydanticCustomError("bad-value", template("model.period_order"))
        return self


class PolicyField(_Model):
    model_config = ConfigDict(title="分野")
    name: Text = Field(alias="名称")
    focus: list[Text] = Field(default_factory=list, alias="取組方針")


class Rating(_Model):
    """One grade of the owners' self-evaluation scale (評価区分): its symbol, meaning and implied outlook."""

    model_config = ConfigDict(title="評価区分")
    symbol: Text = Field(alias="記号")
    meaning: Text | None = Field(default=None, alias="意味")
    outlook: Outlook | None = Field(default=None, alias="見通し", description="順調, 注意 or 困難")


class Meeting(_Model):
    model_config = ConfigDict(title="会議")
    name: Text = Field(alias="名称")
    date: DateValue = Field(alias="日付")


class Plan(_Model):
    """The plan the roadmaps belong to (`_plan.yaml`); every key is optional."""

    model_config = ConfigDict(title="計画")
    title: Text | None = Field(default=None, alias="計画名")
    period: Period | None = Field(default=None, alias="期間")
    fiscal_year_start_month: int = Field(default=4, ge=1, le=12, alias="年度開始月")
    report_grace_days: int = Field(default=30, ge=0, le=366, alias="報告期限日数")
    cadence: Cadence = Field(
        default="quarter",
        alias="報告頻度",
        description="四半期 (default), 半期 or 年度",
        json_schema_extra={"default": "四半期"},
    )
    ratings: list[Rating] = Field(default_factory=list, alias="評価区分")
    fields: list[PolicyField] = Field(default_factory=list, alias="分野")
    meetings: list[Meeting] = Field(default_factory=list, alias="会議")


ROADMAP = TypeAdapter(Roadmap)
PLAN = TypeAdapter(Plan)


def field_name(name: str) -> str:
    """A field's name without the trailing 分野 the source document writes (`暮らし・まち分野`)."""
    name = fiscal.normalize(name)
    return name[: -len("分野")] if name.endswith("分野") and len(name) > len("分野") else name


def same_text(a: str, b: str) -> bool:
    return text_key(a) == text_key(b)


def text_key(text: str) -> str:
    """What two target texts must share to be the same target: NFKC, spaces collapsed, no trailing 。 or ．"""
    return fiscal.text_key(text)


@dataclass(frozen=True)
class Project:
    """A roadmap as found in the repository: its id (path without extension) and where it is."""

    id: str
    path: str
    roadmap: Roadmap
