"""What changed between two versions of a roadmap, compared as models, not as text.

Actuals recorded, and targets added, moved to another year, changed (text or KPI value, due
date) or dropped. Pure: the review log (`history`) feeds it versions of files from git.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from dxroadmap import fiscal
from dxroadmap.model import ActualEntry, Initiative, KpiTarget, Roadmap, TaskTarget

KINDS = ("record", "target_added", "target_moved", "target_changed", "target_dropped")


@dataclass(frozen=True)
class Change:
    kind: str
    initiative: str
    fiscal_year: int
    quarter: int | None = None
    text: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    detail: str | None = None  # target_changed: what changed (`目標値 880 → 1065`); record: 達成, KPI, 理由


def _key(target: Any) -> str:
    """The identity of a target across versions: its text, or its KPI's name."""
    if isinstance(target, KpiTarget):
        return fiscal.text_key(target.kpi)
    return fiscal.text_key(target.text if isinstance(target, TaskTarget) else target)


def _text(target: Any) -> str:
    if isinstance(target, KpiTarget):
        return target.kpi
    return target.text if isinstance(target, TaskTarget) else str(target)


def _describe(target: Any) -> str:
    if isinstance(target, KpiTarget):
        unit = target.unit or ""
        return f"目標値 {_number(target.target)}{unit}"
    if isinstance(target, TaskTarget) and target.due is not None:
        due = target.due if not isinstance(target.due, int) else fiscal.quarter_label(target.due)
        return f"期限 {due}"
    return "期限 年度末"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _actual_text(actual: Any) -> tuple[str, str | None]:
    """(the actual's own text, exactly as in the file; the rest of it, described)."""
    if not isinstance(actual, ActualEntry):
        return str(actual), None
    parts = []
    if actual.achieves:
        parts.append("達成: " + ", ".join(actual.achieves))
    if actual.kpi is not None and actual.value is not None:
        parts.append(f"{actual.kpi} = {_number(actual.value)}")
    if actual.reason:
        parts.append(f"理由: {actual.reason}")
    if actual.text:
        return actual.text, " / ".join(parts) or None
    return parts[0] if parts else "", " / ".join(parts[1:]) or None


def _added(old: list[Any], new: list[Any]) -> list[Any]:
    """The actuals of `new` that `old` does not have (as a multiset; usually appended at the end)."""
    if new[: len(old)] == old:
        return new[len(old) :]
    had = Counter(repr(a) for a in old)
    out = []
    for actual in new:
        if had[repr(actual)]:
            had[repr(actual)] -= 1
        else:
            out.append(actual)
    return out


def _index(initiative: Initiative | None, year: int, target: Any) -> int | None:
    targets = initiative.targets.get(year, []) if initiative else []
    return next((i for i, t in enumerate(targets) if t is target), None)


def diff(old: Roadmap | None, new: Roadmap | None) -> list[Change]:
    """The changes from `old` to `new` (None: the file did not exist)."""
    before = {fiscal.normalize(i.name): i for i in (old.initiatives if old else [])}
    after = {fiscal.normalize(i.name): i for i in (new.initiatives if new else [])}
    out: list[Change] = []
    for name in [*after, *(n for n in before if n not in after)]:
        out += _initiative(before.get(name), after.get(name))
    return out


def _initiative(old: Initiative | None, new: Initiative | None) -> list[Change]:
    either = new or old
    name = either.name if either is not None else ""
    out: list[Change] = []
    # actuals: entries in the new version that the old one did not have (as a multiset)
    for year, actuals in sorted((new.actuals if new else {}).items()):
        previous = old.actuals.get(year, []) if old else []
        for actual in _added(previous, actuals):
            quarter = actual.quarter if isinstance(actual, ActualEntry) else None
            text, detail = _actual_text(actual)
            out.append(Change("record", name, year, quarter, text, detail=detail))
    old_targets = [(y, t) for y, ts in (old.targets if old else {}).items() for t in ts]
    new_targets = [(y, t) for y, ts in (new.targets if new else {}).items() for t in ts]
    new_keys = {(y, _key(t)) for y, t in new_targets}
    old_keys = {(y, _key(t)) for y, t in old_targets}
    removed = [(y, t) for y, t in old_targets if (y, _key(t)) not in new_keys]
    added = [(y, t) for y, t in new_targets if (y, _key(t)) not in old_keys]
    # same year and identity, different content: changed
    old_by_key = {(y, _key(t)): t for y, t in old_targets}
    for year, target in new_targets:
        earlier = old_by_key.get((year, _key(target)))
        if earlier is not None and earlier != target:
            detail = f"{_describe(earlier)} → {_describe(target)}"
            out.append(Change("target_changed", name, year, text=_text(target), detail=detail))
    # the same identity gone from one year and new in another: moved
    for year, target in list(added):
        source = next(((y, t) for y, t in removed if _key(t) == _key(target)), None)
        if source is not None:
            removed.remove(source)
            added.remove((year, target))
            out.append(Change("target_moved", name, year, text=_text(target), from_year=source[0], to_year=year))
    # what is left, at the same place of the same year, was reworded: changed
    for year, target in list(added):
        new_place = _index(new, year, target)
        source = next(((y, t) for y, t in removed if y == year and _index(old, y, t) == new_place), None)
        if source is not None:
            removed.remove(source)
            added.remove((year, target))
            detail = f"{_text(source[1])} → {_text(target)}"
            out.append(Change("target_changed", name, year, text=_text(target), detail=detail))
    out += [Change("target_added", name, y, text=_text(t)) for y, t in added]
    out += [Change("target_dropped", name, y, text=_text(t)) for y, t in removed]
    return out
