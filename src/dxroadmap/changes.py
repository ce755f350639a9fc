"""What changed between two versions of a roadmap, compared as models, not as text.

Actuals recorded, and targets added, moved to another year, changed (text or KPI value, due
date) or dropped. Pure: the review log (`history`) feeds it versions of files from git.

A change says what it is about in parts that name no language (`Change.parts`: what an actual
achieves, its reason, a target's value or due date): `text` and `detail` put them in the file's
own words (`達成: …`, `目標値 880`), as JSON carries them whatever the language, and `text_in` /
`detail_in` in the words of a report's language. So a change kept between runs (by `history`,
keyed by the versions' blob ids) holds for every language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from dxroadmap import fiscal
from dxroadmap.model import ActualEntry, Initiative, KpiTarget, Roadmap, TaskTarget

KINDS = ("record", "target_added", "target_moved", "target_changed", "target_dropped")

Part = tuple[str, str]  # (what the value is: one of PARTS, "" for text as it is; the value)
Words = Callable[..., str]  # `i18n.Words`: a word by its key

# Each part in the file's own words (the keys of the format), and the word of a report's language
# (`i18n.Words`) that says it: the Japanese words are these very ones (a test checks it).
PARTS: dict[str, tuple[str, str]] = {
    "achieves": ("達成: {value}", "achieves"),  # as `show` says it: `achieves: 実証実験`
    "reason": ("理由: {value}", "reason"),
    "target_value": ("目標値 {value}", "detail_target_value"),
    "due": ("期限 {value}", "detail_due"),
    "year_end": ("期限 年度末", "detail_year_end"),
}
_JOINS = {"record": " / ", "target_changed": " → "}  # between the parts of `detail`


def _said(part: Part, words: Words | None) -> str:
    kind, value = part
    if not kind:
        return value
    own, key = PARTS[kind]
    if words is None:
        return own.format(value=value)
    if kind in ("achieves", "reason"):  # a label of its own: `show` writes `achieves: …`, `Reason: …`
        return f"{words(key)}: {value}"
    return words(key, value=value)


class Change(NamedTuple):  # a tuple: a log of thousands is made again from the cache in a few milliseconds
    kind: str
    initiative: str
    fiscal_year: int
    quarter: int | None = None
    said: str | None = None  # the target's text; the actual's own text (None: it has none)
    from_year: int | None = None
    to_year: int | None = None
    parts: tuple[Part, ...] = ()  # what `detail` says (record: 達成, KPI, 理由; target_changed: before, after)

    @property
    def text(self) -> str | None:
        """The text of the target or the actual; an actual without one is named by its first part (`達成: …`)."""
        return self.text_in(None)

    @property
    def detail(self) -> str | None:
        """What else there is to say, in the file's words: `目標値 880件 → 目標値 1065件`, `達成: … / 理由: …`."""
        return self.detail_in(None)

    def text_in(self, words: Words | None) -> str | None:
        """`text`, with `words` (None: the file's own)."""
        if self.kind != "record" or self.said is not None:
            return self.said
        return actual_text(None, self.parts, words)

    def detail_in(self, words: Words | None) -> str | None:
        """`detail`, with `words` (None: the file's own)."""
        parts = self.parts[1:] if self.kind == "record" and self.said is None else self.parts
        return _JOINS.get(self.kind, " / ").join(_said(p, words) for p in parts) or None


def _key(target: Any) -> str:
    """The identity of a target across versions: its text, or its KPI's name."""
    if isinstance(target, KpiTarget):
        return fiscal.text_key(target.kpi)
    return fiscal.text_key(target.text if isinstance(target, TaskTarget) else target)


def _text(target: Any) -> str:
    if isinstance(target, KpiTarget):
        return target.kpi
    return target.text if isinstance(target, TaskTarget) else str(target)


def _describe(target: Any) -> Part:
    if isinstance(target, KpiTarget):
        unit = target.unit or ""
        return ("target_value", f"{_number(target.target)}{unit}")
    if isinstance(target, TaskTarget) and target.due is not None:
        due = target.due if not isinstance(target.due, int) else fiscal.quarter_label(target.due)
        return ("due", f"{due}")
    return ("year_end", "")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def actual_parts(
    text: str | None, achieves: Sequence[str], kpi: str | None, value: float | None, reason: str | None
) -> tuple[str | None, tuple[Part, ...]]:
    """(an actual's own text, None if it has none; the rest of it, in parts): what a `record` change holds."""
    parts: list[Part] = []
    if achieves:
        parts.append(("achieves", ", ".join(achieves)))
    if kpi is not None and value is not None:
        parts.append(("", f"{kpi} = {_number(value)}"))
    if reason:
        parts.append(("reason", reason))
    return (text or None), tuple(parts)


def actual_text(said: str | None, parts: Sequence[Part], words: Words | None = None) -> str:
    """How the review log names an actual (`actual_parts`): its own text, else its first part."""
    if said is not None:
        return said
    return _said(parts[0], words) if parts else ""


def _actual(actual: Any) -> tuple[str | None, tuple[Part, ...]]:
    """(the actual's own text, exactly as in the file; the rest of it, in parts)."""
    if not isinstance(actual, ActualEntry):
        return str(actual), ()
    return actual_parts(actual.text, actual.achieves, actual.kpi, actual.value, actual.reason)


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
            said, parts = _actual(actual)
            out.append(Change("record", name, year, quarter, said, parts=parts))
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
            parts = (_describe(earlier), _describe(target))
            out.append(Change("target_changed", name, year, said=_text(target), parts=parts))
    # the same identity gone from one year and new in another: moved
    for year, target in list(added):
        source = next(((y, t) for y, t in removed if _key(t) == _key(target)), None)
        if source is not None:
            removed.remove(source)
            added.remove((year, target))
            out.append(Change("target_moved", name, year, said=_text(target), from_year=source[0], to_year=year))
    # what is left, at the same place of the same year, was reworded: changed
    for year, target in list(added):
        new_place = _index(new, year, target)
        source = next(((y, t) for y, t in removed if y == year and _index(old, y, t) == new_place), None)
        if source is not None:
            removed.remove(source)
            added.remove((year, target))
            parts = (("", _text(source[1])), ("", _text(target)))
            out.append(Change("target_changed", name, year, said=_text(target), parts=parts))
    out += [Change("target_added", name, y, said=_text(t)) for y, t in added]
    out += [Change("target_dropped", name, y, said=_text(t)) for y, t in removed]
    return out
