"""A validated roadmap as compact JSON (its facts), and back again without parsing or validating.

What a roadmap file says does not depend on the as-of date. `index` keeps it per version of a file
(by the digest of its bytes) and `history` per git blob, so that a new as-of date, or a version
seen before, is judged by `progress.judge` without the YAML being parsed or the model validated
again: the same function on the same models as a cold run.

`encode` writes every field of every model, positionally, with the set of fields the file gave
(a bit mask); `decode` rebuilds the very models the validators made (as `model_construct` does:
no validator runs), after checking each value's type, so that a text that is not what `encode`
wrote is a ValueError, never a model of the wrong shape. Dates are ISO texts; numbers keep their
type (an integer stays one). A value `encode` does not know (a new field, an unexpected type)
is a ValueError too: such a model is simply not kept.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any, TypeVar

from dxroadmap import fiscal
from dxroadmap.model import ActualEntry, Initiative, KpiTarget, Roadmap, TaskTarget

M = TypeVar("M")

# The fields of each model in the order the model declares them (a test checks these against the models).
ROADMAP_FIELDS = ("field", "name", "owner", "summary", "focus", "note", "cadence", "initiatives")
INITIATIVE_FIELDS = ("name", "targets", "actuals", "note")
TASK_FIELDS = ("text", "due")
KPI_FIELDS = ("kpi", "target", "unit", "baseline", "direction", "due", "baseline_year", "baseline_date")
ACTUAL_FIELDS = ("quarter", "half", "text", "achieves", "kpi", "value", "date", "reason", "outlook", "rating")

_TASK, _KPI = 0, 1  # the first item of an encoded target that is not plain text
_CADENCES = frozenset(fiscal.CADENCES)
_DIRECTIONS = frozenset(("up", "down"))
_OUTLOOKS = frozenset(("on_track", "at_risk", "off_track"))


def encode(roadmap: Roadmap) -> bytes:
    """The roadmap as compact JSON (UTF-8); ValueError for anything `decode` could not give back."""
    r = roadmap
    data = [
        _mask(r, _ROADMAP_BITS), r.field, r.name, r.owner, r.summary, r.focus, r.note, r.cadence,
        [_initiative(i) for i in r.initiatives],
    ]  # fmt: skip
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except TypeError as exc:  # a value of a type JSON does not have: not what validation makes
        raise ValueError(str(exc)) from None
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate (an escape in the YAML): kept as an escape
        return json.dumps(data, separators=(",", ":"), allow_nan=False).encode()


def decode(raw: bytes) -> Roadmap:
    """The roadmap `encode` wrote; ValueError for anything else."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError("not facts") from exc
    _shape(type(data) is list and len(data) == 9)
    mask, field, name, owner, summary, focus, note, cadence, initiatives = data
    _shape(type(initiatives) is list and (cadence is None or cadence in _CADENCES))
    values = [
        _is_text(field), _is_text(name), _is_text(owner), _is_maybe_text(summary), _are_texts(focus),
        _is_maybe_text(note), cadence, [_decode_initiative(i) for i in initiatives],
    ]  # fmt: skip
    return _make(Roadmap, ROADMAP_FIELDS, values, mask)


# --- writing ----------------------------------------------------------------------------------
#
# Texts, numbers and lists of texts are written as they are: JSON has them (a value of another type
# makes `json.dumps` fail, and `decode` checks every type). Dates and the kinds of targets and
# actuals are what JSON does not tell apart by itself.


def _bits(names: tuple[str, ...]) -> dict[str, int]:
    return {name: 1 << i for i, name in enumerate(names)}


_ROADMAP_BITS = _bits(ROADMAP_FIELDS)
_INITIATIVE_BITS = _bits(INITIATIVE_FIELDS)
_TASK_BITS = _bits(TASK_FIELDS)
_KPI_BITS = _bits(KPI_FIELDS)
_ACTUAL_BITS = _bits(ACTUAL_FIELDS)


def _mask(model: Any, bits: dict[str, int]) -> int:
    """The fields the file gave, as bits in the order of the model's fields."""
    return sum(map(bits.__getitem__, model.__pydantic_fields_set__))


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is not date:
        raise ValueError(f"not a date: {value!r}")
    return value.isoformat()


def _initiative(i: Initiative) -> list[Any]:
    targets = [[year, [t if type(t) is str else _target(t) for t in items]] for year, items in i.targets.items()]
    actuals = [[year, [a if type(a) is str else _actual(a) for a in items]] for year, items in i.actuals.items()]
    return [_mask(i, _INITIATIVE_BITS), i.name, targets, actuals, i.note]


def _target(t: Any) -> Any:
    due = t.due if t.due is None or type(t.due) is int else _day(t.due)
    if type(t) is TaskTarget:
        return [_TASK, _mask(t, _TASK_BITS), t.text, due]
    if type(t) is KpiTarget:
        return [
            _KPI, _mask(t, _KPI_BITS), t.kpi, t.target, t.unit, t.baseline, t.direction, due, t.baseline_year,
            _day(t.baseline_date),
        ]  # fmt: skip
    raise ValueError(f"not a target: {t!r}")


def _actual(a: Any) -> Any:
    if type(a) is not ActualEntry:
        raise ValueError(f"not an actual: {a!r}")
    return [
        _mask(a, _ACTUAL_BITS), a.quarter, a.half, a.text, a.achieves, a.kpi, a.value, _day(a.date), a.reason,
        a.outlook, a.rating,
    ]  # fmt: skip


# --- reading ----------------------------------------------------------------------------------


def _shape(ok: bool) -> None:
    if not ok:
        raise ValueError("not the shape of facts")


def _is_text(value: Any) -> str:
    _shape(type(value) is str)
    return value  # type: ignore[no-any-return]


def _is_maybe_text(value: Any) -> str | None:
    _shape(value is None or type(value) is str)
    return value  # type: ignore[no-any-return]


def _are_texts(values: Any) -> list[str]:
    _shape(type(values) is list and all(type(v) is str for v in values))
    return values  # type: ignore[no-any-return]


def _is_number(value: Any) -> int | float:
    _shape(type(value) is int or (type(value) is float and math.isfinite(value)))
    return value  # type: ignore[no-any-return]


def _is_maybe_number(value: Any) -> int | float | None:
    return None if value is None else _is_number(value)


def _is_year(value: Any) -> int:
    _shape(type(value) is int and fiscal.MIN_YEAR <= value <= fiscal.MAX_YEAR)
    return value  # type: ignore[no-any-return]


def _is_maybe_year(value: Any) -> int | None:
    return None if value is None else _is_year(value)


def _is_day(value: Any) -> date | None:
    if value is None:
        return None
    _shape(type(value) is str and len(value) == 10)
    return date.fromisoformat(value)  # ValueError for a day that does not exist


def _is_due(value: Any) -> int | date | None:
    if type(value) is int:
        _shape(1 <= value <= 4)
        return value
    return _is_day(value)


def _is_mask(value: Any, names: tuple[str, ...]) -> int:
    _shape(type(value) is int and 0 <= value < 1 << len(names))
    return value  # type: ignore[no-any-return]


def _make(cls: type[M], names: tuple[str, ...], values: list[Any], mask: Any) -> M:
    """An instance of the model `cls` holding `values`, as validation would have made it (no validator runs)."""
    bits = _is_mask(mask, names)
    made = cls.__new__(cls)
    _set = object.__setattr__
    _set(made, "__dict__", dict(zip(names, values, strict=True)))
    _set(made, "__pydantic_fields_set__", {name for i, name in enumerate(names) if bits >> i & 1})
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


def _year_map(pairs: Any, item: Any) -> dict[int, list[Any]]:
    _shape(type(pairs) is list)
    out: dict[int, list[Any]] = {}
    for pair in pairs:
        _shape(type(pair) is list and len(pair) == 2 and type(pair[1]) is list)
        year = _is_year(pair[0])
        _shape(year not in out)
        out[year] = [item(x) for x in pair[1]]
    return out


def _decode_initiative(data: Any) -> Initiative:
    _shape(type(data) is list and len(data) == 5)
    mask, name, targets, actuals, note = data
    values = [_is_text(name), _year_map(targets, _decode_target), _year_map(actuals, _decode_actual)]
    return _make(Initiative, INITIATIVE_FIELDS, [*values, _is_maybe_text(note)], mask)


def _decode_target(data: Any) -> Any:
    if type(data) is str:
        return data
    _shape(type(data) is list and len(data) >= 2)
    kind, mask, *rest = data
    if kind == _TASK and type(kind) is int and len(rest) == 2:
        return _make(TaskTarget, TASK_FIELDS, [_is_text(rest[0]), _is_due(rest[1])], mask)
    _shape(kind == _KPI and type(kind) is int and len(rest) == 8)
    kpi, target, unit, baseline, direction, due, baseline_year, baseline_date = rest
    _shape(direction in _DIRECTIONS)
    values = [
        _is_text(kpi), _is_number(target), _is_maybe_text(unit), _is_maybe_number(baseline), direction,
        _is_due(due), _is_maybe_year(baseline_year), _is_day(baseline_date),
    ]  # fmt: skip
    return _make(KpiTarget, KPI_FIELDS, values, mask)


def _decode_actual(data: Any) -> Any:
    if type(data) is str:
        return data
    _shape(type(data) is list and len(data) == 11)
    mask, quarter, half, text, achieves, kpi, value, day, reason, outlook, rating = data
    _shape(quarter is None or (type(quarter) is int and 1 <= quarter <= 4))
    _shape(half is None or (type(half) is int and 1 <= half <= 2))
    _shape(outlook is None or outlook in _OUTLOOKS)
    values = [
        quarter, half, _is_maybe_text(text), _are_texts(achieves), _is_maybe_text(kpi), _is_maybe_number(value),
        _is_day(day), _is_maybe_text(reason), outlook, _is_maybe_text(rating),
    ]  # fmt: skip
    return _make(ActualEntry, ACTUAL_FIELDS, values, mask)
