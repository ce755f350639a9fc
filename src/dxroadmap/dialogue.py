"""The dialogue of `record` and `new` at a terminal: questions, answers by number or by name, confirmation.

Asked only when both stdin and stdout are terminals (`interactive`); every answer is read as a
person types it (full-width digits, `1,234`, a unit after a number, a name or a unique part of
one), and a wrong answer is asked again with the reason. Lines shown may quote file text: they
go through `safe.clean`. Ctrl-D ends the dialogue (`Ended`); Ctrl-C is the process guard's.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from dxroadmap import fiscal, i18n
from dxroadmap.i18n import t
from dxroadmap.problems import StoreError

if TYPE_CHECKING:
    from dxroadmap.model import KpiTarget, Project
    from dxroadmap.recording import Request
    from dxroadmap.settings import Settings


class Ended(Exception):
    """The person ended the input (Ctrl-D) before the dialogue was done."""


def interactive() -> bool:
    """Both stdin and stdout at a terminal; a closed or missing one is not."""
    try:
        return bool(sys.stdin and sys.stdin.isatty() and sys.stdout and sys.stdout.isatty())
    except (OSError, ValueError):  # a closed file
        return False


def _fold(text: str) -> str:
    """The key an answer is compared by: NFKC, case folded, spaces collapsed."""
    return " ".join(fiscal.normalize(text).casefold().split())


def pick(answer: str, options: Sequence[str], names: Sequence[Sequence[str]]) -> int | str:
    """The 0-based index `answer` names (its number, a name, or a unique part of one), else why not."""
    text = fiscal.normalize(answer)
    if text.isdigit():
        number = int(text)
        return number - 1 if 1 <= number <= len(options) else t("prompt.range", count=len(options))
    key = _fold(text)
    exact = [i for i, ns in enumerate(names) if any(_fold(n) == key for n in ns)]
    found = exact or [i for i, ns in enumerate(names) if any(key in _fold(n) for n in ns)]
    if len(found) == 1:
        return found[0]
    if found:
        listing = "; ".join(f"{i + 1}. {options[i]}" for i in found)
        return t("prompt.ambiguous", answer=text, count=len(found), listing=listing)
    listing = "; ".join(f"{i}. {option}" for i, option in enumerate(options, 1))
    return t("prompt.unknown", answer=text, listing=listing)


def say(line: str) -> None:
    """A line of the dialogue (it may quote file text: no control character reaches the terminal)."""
    from dxroadmap.safe import clean

    sys.stdout.write(clean(line) + "\n")
    sys.stdout.flush()


def ask(title: str) -> str:
    """One line typed at the terminal, trimmed; empty allowed.

    Read from the descriptor with a short `select` timeout rather than `input()`: a Ctrl-C that
    lands between Python's check for signals and the blocking read would otherwise wait for the
    next Enter; this way it takes effect within a tenth of a second (exit 130, DESIGN §8).
    """
    import select

    sys.stdout.write(f"{title}: ")
    sys.stdout.flush()
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # not a real stream (an embedding program's, a test runner's)
        fd = None
    if fd is None:
        text = sys.stdin.readline()
        if not text:
            raise Ended
        return text.strip()
    while not select.select([fd], [], [], 0.1)[0]:
        pass
    line = os.read(fd, 65536)  # a terminal in canonical mode gives one line at most
    if not line:
        raise Ended  # Ctrl-D: end of input
    return line.decode(sys.stdin.encoding or "utf-8", "replace").strip()


def _ask_choice(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None, empty: bool) -> int | None:
    for i, option in enumerate(options, 1):
        say(f"  {i}. {option}")
    while True:
        answer = ask(title)
        if not answer and empty:
            return None
        picked = pick(answer, options, names or [(o,) for o in options])
        if isinstance(picked, int):
            return picked
        say("  " + picked)


def choose(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None = None) -> int:
    """Ask for one of `options`; 0-based index. The answer is its number, or a name (`names[i]`,
    else the option's text) — exact, or a unique part of one; anything else is asked again."""
    picked = _ask_choice(title, options, names, empty=False)
    assert picked is not None
    return picked


def choose_optional(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None = None) -> int | None:
    """As `_choose`, but an empty answer chooses nothing (None)."""
    return _ask_choice(title, options, names, empty=True)


_SEPARATORS = re.compile(r"[,、\s]+")


def choose_many(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None = None) -> list[int]:
    """Ask for any of `options` by numbers or names separated by commas or spaces (empty: none)."""
    names = names or [(o,) for o in options]
    for i, option in enumerate(options, 1):
        say(f"  {i}. {option}")
    while True:
        answer = fiscal.normalize(ask(title))
        if not answer:
            return []
        whole = pick(answer, options, names)
        if isinstance(whole, int) and not answer.isdigit():
            return [whole]  # one name, which may hold a comma or a space
        chosen: list[int] = []
        for part in _SEPARATORS.split(answer):
            picked = pick(part, options, names) if part else None
            if isinstance(picked, str):
                say("  " + (t("prompt.numbers", count=len(options)) if part.isdigit() else picked))
                break
            if picked is not None:
                chosen.append(picked)
        else:
            return list(dict.fromkeys(chosen))


_YES = {"y", "yes", "はい"}
_NO = {"n", "no", "いいえ"}


def confirm(title: str) -> bool:
    """Yes or no (empty: yes), asked again in the chosen language until it is one of them."""
    while True:
        answer = _fold(ask(title))
        if not answer or answer in _YES:
            return True
        if answer in _NO:
            return False
        say("  " + t("prompt.yes_no"))


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")


def number(answer: str, unit: str | None = None) -> int | float | None:
    """A KPI value as typed: `52`, `５２`, `1,234`, `1.5`, also with the KPI's unit after it; None if no number."""
    text = fiscal.normalize(answer)
    if unit and text.endswith(fiscal.normalize(unit)):
        text = text[: -len(fiscal.normalize(unit))].strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        value = float(text)
        return value if math.isfinite(value) else None
    return None


def amount(value: float, unit: str | None) -> str:
    """`120現場`: a number as the file would show it, and its unit."""
    number = int(value) if isinstance(value, float) and value.is_integer() else value
    return f"{number}{unit or ''}"


def ask_for_entry(found: Project, settings: Settings, request: Request, words: i18n.Words, as_of: date) -> Request:
    """What the entry is missing, asked for at the terminal; then the entry shown for confirmation.

    The targets achieved, a note and the values of the year's KPIs; where the initiative is late,
    its 理由 (required); then 見通し, and 評価 if the plan has a 評価区分. What was given as an
    option is not asked for again.
    """
    from dxroadmap import edit, recording

    index = recording.resolve_initiative(found.roadmap, request.initiative)
    initiative = found.roadmap.initiatives[index]
    candidates = recording.open_targets(initiative, settings, request.year)
    done: tuple[str, ...] = ()
    if candidates:
        labels = [f"{c.text} ({fiscal.label(c.fiscal_year)})" for c in candidates]
        chosen = choose_many(t("prompt.targets"), labels, [(c.text,) for c in candidates])
        done = tuple(dict.fromkeys(candidates[i].text for i in chosen))
    note = ask(t("prompt.note")) or None
    kpis = _ask_for_kpis(found, index, settings, request.year)
    request = replace(request, initiative=str(index + 1), done=done, note=note, kpis=kpis)
    if request.empty:
        raise StoreError(t("edit.nothing"))
    if request.reason is None:
        late = _late_items(found, index, settings, words, as_of)
        if late:
            say(t("prompt.late", items="; ".join(late)))
            request = replace(request, reason=_ask_for_reason())
    if request.outlook is None:
        request = replace(request, outlook=_ask_for_outlook(words))
    if request.rating is None and settings.ratings:
        request = replace(request, rating=_ask_for_rating(settings, words))
    entries, _ = recording.build_entries(found, index, request, settings)  # refused here as it would be later
    say(f"{found.id} / {initiative.name} / {fiscal.label(request.year)}:")
    for entry in entries:
        say(f"  - {edit.flow_entry(entry)}")
    if not confirm(t("prompt.confirm")):
        raise StoreError(t("cli.nothing_written"))
    return request


def _ask_for_kpis(found: Project, index: int, settings: Settings, year: int) -> tuple[tuple[str, int | float], ...]:
    """A value for each KPI target of the initiative in `year` (an empty answer: none for that KPI)."""
    from dxroadmap import progress

    targets: dict[str, tuple[str, KpiTarget]] = {}
    for planned in progress.planned_targets(found.roadmap.initiatives[index], settings.calendar):
        if planned.kpi is not None and planned.fiscal_year == year:
            targets.setdefault(fiscal.text_key(planned.text), (planned.text, planned.kpi))
    if targets:
        say(t("prompt.kpis"))
    values: list[tuple[str, int | float]] = []
    for name, kpi in targets.values():
        title = t("prompt.kpi", kpi=name, target=amount(kpi.target, kpi.unit))
        while True:
            answer = ask(title)
            value = number(answer, kpi.unit) if answer else None
            if value is not None:
                values.append((name, value))
            if not answer or value is not None:
                break
            say("  " + t("prompt.not_number", answer=answer))
    return tuple(values)


def _late_items(found: Project, index: int, settings: Settings, words: i18n.Words, as_of: date) -> list[str]:
    """What makes the initiative late as of the as-of date: targets slipping or missed, a period unreported."""
    from dxroadmap import progress

    status = progress.judge(found, settings, as_of).initiatives[index]
    items = [
        f"{target.text} ({fiscal.label(target.fiscal_year)}) {words(target.state)}"
        for target in status.targets
        if target.state in progress.LATE
    ]
    if status.unreported_period is not None:
        items.append(t("prompt.unreported", period=status.unreported_period.words))
    return items


def _ask_for_reason() -> str:
    """理由: required for a late initiative; an empty answer says so and asks again."""
    while not (reason := ask(t("prompt.reason"))):
        say("  " + t("prompt.reason_required"))
    return reason


def _ask_for_outlook(words: i18n.Words) -> str | None:
    """見通し: 順調, 注意 or 困難, by number or word (in either language); empty: none."""
    from dxroadmap.model import OUTLOOKS

    pairs = list(OUTLOOKS.items())  # (word, its i18n name)
    labels = [w if words(k) == w else f"{w} ({words(k)})" for w, k in pairs]
    names = [(w, k, k.replace("_", " ")) for w, k in pairs]
    picked = choose_optional(t("prompt.outlook"), labels, names)
    return None if picked is None else pairs[picked][0]


def _ask_for_rating(settings: Settings, words: i18n.Words) -> str | None:
    """評価: a symbol of the plan's 評価区分 (shown with the outlook it implies); empty: none."""
    labels = [symbol + (f" ({words(outlook)})" if outlook else "") for symbol, outlook in settings.ratings]
    picked = choose_optional(t("prompt.rating"), labels, [(symbol,) for symbol, _ in settings.ratings])
    return None if picked is None else settings.ratings[picked][0]


def ask_required(title: str) -> str:
    """A value that must be given: an empty answer is asked again."""
    while not (answer := ask(title)):
        pass
    return answer


def ask_new(
    settings: Settings, field: str | None, name: str | None, owner: str | None, initiative: str | None
) -> tuple[str, str, str, str]:
    """`new`'s field (by number or name, from the plan's), 事業名, 担当課 and first initiative: those not given
    asked at a terminal; elsewhere the first initiative is 取組1 and the others are refused when missing."""
    if not interactive():
        for value, option, label in (
            (field, "--field", "政策分野"),
            (name, "--name", "事業名"),
            (owner, "--owner", "担当課"),
        ):
            if not value:
                raise StoreError(t("new.give", option=option, label=label))
        return str(field), str(name), str(owner), initiative or "取組1"
    if field is None and settings.fields:
        field = settings.fields[choose("政策分野", settings.fields)]
    return (
        field or ask_required("政策分野"),
        name or ask_required("事業名"),
        owner or ask_required("担当課"),
        initiative or ask(f"{t('new.first_initiative')} [取組1]") or "取組1",
    )
