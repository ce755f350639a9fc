"""The portfolio at scale: one small entry per roadmap file, cached between runs, computed in parallel.

`status`, `slipping` and `validate` need, of each file, only its problems, its line in the
status table, its slip items and (for JSON) its status document. `entry` works these out from
the file as JSON texts; `scan` takes the entries of unchanged files from the cache and computes
the others, in worker processes when there are many. Cached and computed entries become digests
through the same function, so a cached run prints what an uncached run prints.

What the cache keeps, and when it is used:

- **A file's version**: its stamp (size, mtime, ctime, inode) and the digest of its bytes. A
  file whose stamp is unchanged is unchanged, unless it changed within `RACY_NS` of when it was
  read (as after a `git clone`): such a *racy* stamp is kept too, and the file's bytes are read
  and compared with the digest on the next run, as git does for racily clean files. A file whose
  stamp changed but whose bytes did not (a checkout, a touch) is not read again either.
- **Its facts** (`facts`): the validated model, which does not depend on the as-of date.
- **Its entries**: problems, table line, slip items and status JSON, each for the as-of dates on
  which it holds. An entry is computed with an as-of date that watches how it is used
  (`_Horizon`): every comparison with another date narrows the dates to those on the same side
  of it, reading its month narrows them to the month, and anything else (its text, arithmetic)
  to that day alone. So an entry is reused on a new day exactly when every rule would decide as
  it did; on any other day it is made again from the facts, by the same functions, without the
  YAML being parsed.

The cache is an SQLite file per roadmaps directory in the user's cache directory, keyed by the
tool, the plan and the language. Every row carries a checksum; a cache that is foreign, stale
or damaged is ignored and rebuilt, one that cannot be written is not kept, and nothing in it is
ever run (JSON texts only, their shape checked before use).
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from dxroadmap import __version__, cachedir, fiscal, i18n
from dxroadmap.cachedir import Stamp, cache_dir
from dxroadmap.jsontext import indented
from dxroadmap.problems import Problem
from dxroadmap.progress import FLAGS, Counts, SlipItem, Summary
from dxroadmap.settings import Settings
from dxroadmap.states import Outlook, State
from dxroadmap.store import RoadmapFile

if TYPE_CHECKING:
    from dxroadmap.model import Roadmap
    from dxroadmap.progress import ProjectStatus

FORMAT = "dxroadmap-cache 5"
SECONDS_PER_FILE = 0.001  # measured: read, parse, validate, check, judge (benchmarks/run.py)
PARALLEL_FROM = 256  # fewer files to compute than this: not worth starting workers
KEPT_ENTRIES = 3  # entries kept per file: its latest as-of dates (a file's other versions are dropped)
READ_AHEAD = 256  # status JSON texts read from the cache in one query

Progress = Callable[[int], AbstractContextManager[Callable[[int], None]]]


class Entry(NamedTuple):
    """What is kept of a file, as JSON texts, without its id (so a cached entry serves any id)."""

    problems: str  # [[path or null for the file itself, line, column, code, message], …]
    summary: str  # [field, name, owner, state, [total, due, done], flags, [[year, state], …]] or null
    slips: str  # [[initiative, index, year, period, target, state, due, explained, outlook, name, reason,
    #               kpi value, kpi target, unit], …]
    project: bytes | None  # the status JSON (indented, escaped, UTF-8); b"" for an invalid file; None: not loaded
    digest: str = ""  # of the bytes of the version of the file it was made from
    lo: int = 0  # the as-of dates it holds for, first and last (proleptic ordinals)
    hi: int = 0
    facts: bytes | None = None  # made now: the validated model (`facts.encode`); None: invalid, or not made now

    def check(self) -> str:
        return _check(f"{self.digest}\0{self.lo}\0{self.hi}\0{self.problems}\0{self.summary}\0{_check(self.slips)}")

    def project_check(self) -> str:
        return _check(f"{self.digest}\0{self.lo}\0{self.hi}\0".encode() + (self.project or b""))

    def holds(self, day: date) -> bool:
        return self.lo <= day.toordinal() <= self.hi


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _check(text: str | bytes) -> str:
    return hashlib.blake2b(text.encode() if isinstance(text, str) else text, digest_size=8).hexdigest()


def content_digest(raw: bytes) -> str:
    """The digest of a version of a file (its bytes)."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass(slots=True)  # thousands at a time: not frozen, which costs a setattr per field
class Digest:
    """What the portfolio commands need of one file."""

    id: str
    path: str
    problems: list[Problem]
    summary: Summary | None  # None: the file is invalid
    project: bytes | None  # UTF-8, half the memory of a str of Japanese text; None: in `source` (or not made)
    raw_slips: str
    as_of: date
    source: Projects | None = None  # where its status JSON is read from when first asked for
    read_slips: list[SlipItem] | None = None  # `slips()`, once made (its text then let go)

    def status_json(self) -> str:
        """The project's status JSON, id first, as `json.dumps(…, indent=2)` would write it."""
        return self.status_json_bytes().decode()

    def status_json_bytes(self) -> bytes:
        """`status_json` as UTF-8, as the cache holds it (a national roll-up is not decoded to be encoded again)."""
        from dxroadmap.safe import json_text

        project = self.project if self.project is not None or self.source is None else self.source.load(self)
        assert project is not None and project.startswith(b"{\n")
        return b'{\n  "id": ' + json_text(json.dumps(self.id, ensure_ascii=False)).encode() + b"," + project[1:]

    def slips(self) -> list[SlipItem]:
        """The slip items (their texts shared with every equal text read so far: a national roll-up has
        a hundred thousand items, most naming the same few targets)."""
        if self.read_slips is not None:
            return self.read_slips
        out = []
        same = _SAME_TEXT.setdefault
        days_of: dict[str, tuple[date, int]] = {}
        for row in json.loads(self.raw_slips):
            initiative, index, year, period, target, state, due, explained, outlook, name, reason, value, goal, unit = (
                row
            )
            if due not in days_of:
                day = date.fromisoformat(due)
                days_of[due] = (day, (self.as_of - day).days)
            day, days = days_of[due]
            out.append(
                SlipItem(
                    self.id, same(initiative, initiative), index, year, period, target and same(target, target),
                    _STATES[state], day, days, explained, _OUTLOOKS[outlook] if outlook is not None else None,
                    same(name, name), reason, value, goal, unit and same(unit, unit),
                )
            )  # fmt: skip
        self.read_slips, self.raw_slips = out, ""
        return out


# --- the as-of date, watched ------------------------------------------------------------------


FIRST_DAY, LAST_DAY = date.min.toordinal(), date.max.toordinal()


class _Horizon:
    """The as-of dates for which a computation comes out as it did for `day`, narrowed as the computation uses it."""

    __slots__ = ("day", "hi", "lo", "month", "plain", "year")

    def __init__(self, day: date) -> None:
        plain = self.plain = date.fromordinal(day.toordinal())
        self.day = plain.toordinal()
        self.lo, self.hi = FIRST_DAY, LAST_DAY
        following = date(plain.year + 1, 1, 1) if plain.month == 12 else date(plain.year, plain.month + 1, 1)
        self.month = (plain.replace(day=1).toordinal(), following.toordinal() - 1)  # its first and last day
        self.year = (date(plain.year, 1, 1).toordinal(), date(plain.year, 12, 31).toordinal())

    def watched(self) -> _Watched:
        watched = _Watched.fromordinal(self.day)
        watched.horizon = self
        return watched

    def compared(self, other: date) -> None:
        """Compared with `other`: the days on the same side of it (on it: that day alone)."""
        there = date.toordinal(other)
        if there < self.day:
            self.lo = max(self.lo, there + 1)
        elif there > self.day:
            self.hi = min(self.hi, there - 1)
        else:
            self.fixed()

    def within(self, days: tuple[int, int]) -> None:
        """Only the days from the first to the last of `days` (ordinals)."""
        self.lo = max(self.lo, days[0])
        self.hi = min(self.hi, days[1])

    def fixed(self) -> None:
        self.lo = self.hi = self.day


class _Watched(date):
    """The as-of date, telling its horizon how it is used; it behaves as the plain date in every other way.

    A comparison with another date is the one use that leaves other days alike (those on the same
    side); its year or month read, the days of that year or month; anything else (its text, its
    ordinal, arithmetic, a hash) pins the result to the day itself. Results are plain dates.
    """

    horizon: _Horizon

    def _side(self, other: object) -> int | None:
        """-1, 0 or 1 as this day is before, on or after `other` (a date), the horizon narrowed to match; else None."""
        horizon = self.horizon
        if type(other) is date:  # nearly always
            there, here = other.toordinal(), horizon.day
            if there < here:
                if there >= horizon.lo:
                    horizon.lo = there + 1
                return 1
            if there > here:
                if there <= horizon.hi:
                    horizon.hi = there - 1
                return -1
            horizon.lo = horizon.hi = here
            return 0
        if type(other) is _Watched:
            if other.horizon is not horizon:  # two watched dates: no telling which decides
                horizon.fixed()
                other.horizon.fixed()
            return None
        if isinstance(other, date) and not isinstance(other, datetime):
            horizon.compared(other)
        return None

    def __lt__(self, other: object) -> bool:
        side = self._side(other)
        return side < 0 if side is not None else date.__lt__(self, other)  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        side = self._side(other)
        return side <= 0 if side is not None else date.__le__(self, other)  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        side = self._side(other)
        return side > 0 if side is not None else date.__gt__(self, other)  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        side = self._side(other)
        return side >= 0 if side is not None else date.__ge__(self, other)  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        side = self._side(other)
        return side == 0 if side is not None else date.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        side = self._side(other)
        return side != 0 if side is not None else date.__ne__(self, other)

    def __hash__(self) -> int:
        self.horizon.fixed()
        return date.__hash__(self)

    @property
    def year(self) -> int:
        horizon = self.horizon
        first, last = horizon.year
        horizon.lo = max(horizon.lo, first)
        horizon.hi = min(horizon.hi, last)
        return horizon.plain.year

    @property
    def month(self) -> int:
        horizon = self.horizon
        first, last = horizon.month
        horizon.lo = max(horizon.lo, first)
        horizon.hi = min(horizon.hi, last)
        return horizon.plain.month

    def _pinned(self) -> date:
        self.horizon.fixed()
        return self.horizon.plain

    @property
    def day(self) -> int:
        return self._pinned().day

    def __add__(self, other: Any) -> Any:
        return self._pinned() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        return self._pinned() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self._pinned()

    def __str__(self) -> str:
        return str(self._pinned())

    def __repr__(self) -> str:
        return repr(self._pinned())

    def __format__(self, spec: str) -> str:
        return format(self._pinned(), spec)

    def __reduce__(self) -> Any:
        return self._pinned().__reduce__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        return self._pinned().__reduce_ex__(protocol)

    def isoformat(self) -> str:
        return self._pinned().isoformat()

    def strftime(self, fmt: str) -> str:
        return self._pinned().strftime(fmt)

    def ctime(self) -> str:
        return self._pinned().ctime()

    def timetuple(self) -> Any:
        return self._pinned().timetuple()

    def toordinal(self) -> int:
        return self._pinned().toordinal()

    def weekday(self) -> int:
        return self._pinned().weekday()

    def isoweekday(self) -> int:
        return self._pinned().isoweekday()

    def isocalendar(self) -> Any:
        return self._pinned().isocalendar()

    def replace(self, *args: Any, **kwargs: Any) -> date:  # type: ignore[override]
        return self._pinned().replace(*args, **kwargs)


# --- one file -----------------------------------------------------------------------------


Serialise = Callable[["ProjectStatus"], dict[str, Any]]
"""How a judged project becomes the JSON object a report prints (`report.data` has them): passed in,
so that this module does not reach up into the reports. A module-level function: workers pickle it."""


class Known(NamedTuple):
    """A version of a file seen before: its digest and its facts (None: not kept)."""

    digest: str
    facts: bytes | None


def entry(
    file: RoadmapFile, settings: Settings, as_of: date, project_json: Serialise | None, known: Known | None = None
) -> Entry:
    """A file's problems, table line, slip items, status JSON (with `project_json`), and the as-of dates they hold for.

    `known`: the version of the file seen before and its facts; judged from them without reading the
    file when that version has no problems on this date (problems are located in the file's text).
    """
    from dxroadmap import facts, progress
    from dxroadmap.model import Project

    horizon = _Horizon(as_of)
    day = horizon.watched()
    roadmap: Roadmap | None = None
    problems: list[Problem] = []
    if known is not None and known.facts is not None:
        from dxroadmap import checks

        with suppress(ValueError, TypeError):
            candidate = facts.decode(known.facts)
            if not checks.check(candidate, settings, day):
                roadmap, problems, digest, made = candidate, [], known.digest, None
    if roadmap is None:
        horizon = _Horizon(as_of)  # what the facts' checks saw is forgotten
        day = horizon.watched()
        digest, roadmap, problems = _load(file, settings, day)
        made = None
        if roadmap is not None:
            with suppress(ValueError):
                made = facts.encode(roadmap)
    found = _json([[None if p.path == file.shown else p.path, p.line, p.column, p.code, p.message] for p in problems])
    if roadmap is None:
        return Entry(found, "null", "[]", b"", digest, horizon.lo, horizon.hi, None)
    status = progress.judge(Project(file.id, file.shown, roadmap), settings, day)
    s = status.summary()
    c = s.counts
    summary = [s.field, s.name, s.owner, s.state, [c.total, c.due, c.done], s.flags, list(s.year_states.items())]
    slips = [
        [
            i.initiative, i.initiative_index, i.fiscal_year, i.period, i.target, i.state, i.due.isoformat(),
            i.explained, i.outlook, i.name, i.reason, i.kpi_value, i.kpi_target, i.unit,
        ]
        for i in progress.slipping_items([status], as_of)  # days late are not kept: made from the date of each run
    ]  # fmt: skip
    project = None
    if project_json is not None:
        from dxroadmap.safe import json_text

        document = project_json(status)
        del document["id"]
        project = json_text(indented(document)).encode()
    return Entry(found, _json(summary), _json(slips), project, digest, horizon.lo, horizon.hi, made)


def _load(file: RoadmapFile, settings: Settings, day: date) -> tuple[str, Roadmap | None, list[Problem]]:
    """(the digest of the file's bytes, its roadmap or None, its problems), as `store.load_roadmap` reads it."""
    from dxroadmap import source, store
    from dxroadmap.i18n import t

    shown = store.display_path(file.path)
    try:
        raw = store.read_limited(file.path)
    except OSError as exc:
        return "", None, [Problem(shown, 1, 1, "unreadable", t("store.unreadable", reason=exc.strerror or exc))]
    try:
        text = source.decode(raw, shown)
    except source.SourceError as exc:
        return content_digest(raw), None, [exc.problem]
    roadmap, problems = store.parse_roadmap(text, shown, settings, day)
    return content_digest(raw), roadmap, problems


def digest(file: RoadmapFile, found: Entry, as_of: date, with_slips: bool = True) -> Digest:
    """The digest of an entry (cached or just computed: the same way), under the file's id.

    Raises ValueError for an entry that is not what it says: every field is checked for the shape
    `entry` writes (types, lengths, known states and flags, dates) before anything is used, so a
    cache row whose checksum matches but whose shape is foreign is only a miss, never an error later.
    `with_slips`: the slip items will be read (`Digest.slips`), so their shape is checked too.
    """
    rows = _loads(found.problems) if found.problems != "[]" else []
    text = found.summary
    if _SUMMARY.fullmatch(text) is not None:  # the shape `entry` writes, checked at once: compact JSON, no more
        fields = _scan_json(text, 0)[0]
        if rows or (with_slips and found.slips != "[]") or found.project:
            _check_shape(rows, None, found, with_slips)
    else:
        fields = _loads(text)
        _check_shape(rows, fields, found, with_slips)
    problems = [Problem(path or file.shown, line, column, code, message) for path, line, column, code, message in rows]
    summary = None
    if fields is not None:
        field, name, owner, state, (total, due, done), flags, years = fields
        states = {y: _STATES[s] for y, s in years}
        if states and (min(states) < fiscal.MIN_YEAR or max(states) > fiscal.MAX_YEAR):
            raise ValueError("not a year")
        summary = Summary(file.id, field, name, owner, _STATES[state], Counts(total, due, done), flags, states)
    slips = found.slips if with_slips else ""  # not to be read (`Digest.slips` fails loudly): not held either
    return Digest(file.id, file.shown, problems, summary, found.project or None, slips, as_of)


_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:  # absurd nesting: not what `entry` writes
        raise ValueError("nested too deep") from None


_SAME_TEXT: dict[str, str] = {}  # the texts of slip items read, each once

# The members of the values the cache holds as text: a value not among them makes the entry foreign (a miss).
_STATES = {state.value: state for state in State}
_OUTLOOKS = {outlook.value: outlook for outlook in Outlook}

# A summary exactly as `entry` writes it (compact JSON): its shape checked by one match, not field by field.
_TEXT = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_STATE = "(?:" + "|".join(json.dumps(s.value) for s in State) + ")"
_COUNT = "(?:0|[1-9][0-9]{0,17})"
_YEAR_STATE = rf"\[[0-9]{{4}},{_STATE}\]"
_SUMMARY = re.compile(
    rf"\[{_TEXT},{_TEXT},{_TEXT},{_STATE},\[{_COUNT},{_COUNT},{_COUNT}\],"
    r"\{" + ",".join(f"{json.dumps(flag)}:{_COUNT}" for flag in FLAGS) + r"\},"
    rf"\[(?:{_YEAR_STATE}(?:,{_YEAR_STATE})*)?\]\]"
)


def _text(value: Any) -> bool:
    return type(value) is str


def _maybe_text(value: Any) -> bool:
    return value is None or type(value) is str


def _count(value: Any, low: int = 0) -> bool:
    return type(value) is int and value >= low


def _year(value: Any) -> bool:
    return type(value) is int and fiscal.MIN_YEAR <= value <= fiscal.MAX_YEAR


def _maybe_number(value: Any) -> bool:
    return value is None or (type(value) in (int, float) and math.isfinite(value))


def _iso_date(value: Any) -> bool:
    if type(value) is not str:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _rows(value: Any, length: int) -> bool:
    return type(value) is list and all(type(row) is list and len(row) == length for row in value)


def _check_shape(problems: Any, summary: Any, found: Entry, with_slips: bool = True) -> None:
    """ValueError unless the parsed fields of `found` (and its slips and status JSON) are as `entry` writes them.

    `summary`: None when there is none, or when it was checked already.
    """
    ok = _rows(problems, 5) and all(
        _maybe_text(path) and _count(line, 1) and _count(column, 1) and _text(code) and _text(message)
        for path, line, column, code, message in problems
    )
    if ok and summary is not None:
        ok = type(summary) is list and len(summary) == 7
        if ok:
            field, name, owner, state, counts, flags, years = summary
            ok = (
                _text(field) and _text(name) and _text(owner) and state in _STATES
                and type(counts) is list and len(counts) == 3 and all(_count(c) for c in counts)
                and type(flags) is dict and set(flags) == set(FLAGS) and all(_count(n) for n in flags.values())
                and _rows(years, 2) and all(_year(y) and s in _STATES for y, s in years)
            )  # fmt: skip
    if ok and with_slips and found.slips != "[]":  # parsing them costs as much as the rest: only when read
        ok = _slips_shaped(found.slips)
    if ok and found.project:
        ok = _project_shaped(found.project)
    if not ok:
        raise ValueError("not the shape of a cache entry")


def _slips_shaped(text: str) -> bool:
    slips = _loads(text)
    return _rows(slips, 14) and all(
        _text(initiative) and _count(index) and _year(year) and _maybe_text(period) and _maybe_text(target)
        and state in _STATES and _iso_date(due) and type(explained) is bool
        and (outlook is None or outlook in _OUTLOOKS) and _text(name) and _maybe_text(reason)
        and _maybe_number(value) and _maybe_number(goal) and _maybe_text(unit)
        for initiative, index, year, period, target, state, due, explained, outlook, name, reason, value, goal, unit
        in slips
    )  # fmt: skip


def _project_shaped(project: Any) -> bool:
    """The status JSON is spliced into the output as it is: an object, indented, UTF-8."""
    if not (type(project) is bytes and project.startswith(b"{\n") and project.endswith(b"}")):
        return False
    try:
        project.decode()
    except UnicodeDecodeError:
        return False
    return True


# --- what workers do -----------------------------------------------------------------------


def export_entries(
    files: Sequence[tuple[RoadmapFile, Settings]], as_of: date, language: str, serialise: Serialise
) -> list[str]:
    """The projects of `export --format json` (with their actuals), as JSON texts; a worker's share.

    Each file comes with the settings of its own plan (a roll-up has several).
    """
    from dxroadmap import progress
    from dxroadmap.model import Project
    from dxroadmap.safe import json_text

    i18n.set_language(language)
    out = []
    with _gc_paused():
        for file, settings in files:
            roadmap, _ = load_roadmap(file.path, settings)
            if roadmap is None:
                raise ChangedError(file.shown)
            status = progress.judge(Project(file.id, file.shown, roadmap), settings, as_of)
            out.append(json_text(indented(serialise(status))))
    return out


def load_roadmap(path: Path, settings: Settings) -> Any:
    """`store.load_roadmap` (a name of this module, so that a test can stand in for it)."""
    from dxroadmap import store

    return store.load_roadmap(path, settings)


class ChangedError(Exception):
    """A file that was valid a moment ago is not now (it changed while being read again)."""


Work = tuple[RoadmapFile, "Known | None"]


def _compute(
    files: Sequence[Work], settings: Settings, as_of: date, language: str, project_json: Serialise | None
) -> list[Entry]:
    """A worker's share (also run in this process when the share is small)."""
    i18n.set_language(language)
    with _gc_paused():
        return [entry(file, settings, as_of, project_json, known) for file, known in files]


# --- the cache ----------------------------------------------------------------------------


@cache
def tool_fingerprint() -> str:
    """The version and the source of this package and of the parsers it uses: any upgrade changes it."""
    import pydantic_core

    from dxroadmap.source import parser_versions

    digest = hashlib.sha256(f"{__version__} {pydantic_core.__version__} {parser_versions()} {sys.version}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Cache:
    """The versions, facts and entries of the files of one roadmaps directory, for one key (tool, plan, language).

    Rows are keyed by path; a file's row holds its stamp, the digest of its bytes and its facts, its
    entries (by as-of dates) hold the digest they were made from. Their texts carry checksums.
    Anything unexpected (a foreign or damaged file, a row that fails its checksum) is ignored: the
    cache is rebuilt, or the run goes on without it.
    """

    TABLES = ("meta", "files", "facts", "entries")
    SCHEMA = (
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER, inode INTEGER,"
        " racy INTEGER, digest TEXT)",
        "CREATE TABLE facts (path TEXT PRIMARY KEY, digest TEXT, facts BLOB, facts_check TEXT)",
        "CREATE TABLE entries (path TEXT, lo INTEGER, hi INTEGER, digest TEXT, problems TEXT, summary TEXT, slips TEXT,"
        " slips_check TEXT, checksum TEXT, made INTEGER, project BLOB, project_check TEXT, PRIMARY KEY (path, lo))",
        # what a run reads of every entry, in an index of its own: the large texts are not read with them
        "CREATE INDEX entries_by_day ON entries (lo, hi, path, digest, problems, summary, slips_check, checksum, made)",
    )

    def __init__(self, connection: Any) -> None:
        self.db = connection
        self.held: set[str] = set()  # every path the cache holds (`versions` reads them)

    @classmethod
    def open(cls, root: Path, settings: Settings) -> Cache | None:
        place = cache_dir()
        if place is None:
            return None
        real = os.path.realpath(root)
        path = Path(place) / f"{hashlib.sha256(real.encode()).hexdigest()[:24]}.sqlite"
        # the settings are all the plan decides for the rules (a frozen dataclass: its repr is its content)
        facts = [FORMAT, tool_fingerprint(), real, repr(settings), i18n.language()]
        key = hashlib.sha256(json.dumps(facts).encode()).hexdigest()
        db = open_cache(path, key, cls.TABLES, cls.SCHEMA)
        return cls(db) if db is not None else None

    def versions(self, wanted: dict[str, Stamp]) -> dict[str, tuple[Stamp, bool, str]]:
        """The stamp, racy mark and digest the cache holds of each path of `wanted`; every path it holds."""
        out: dict[str, tuple[Stamp, bool, str]] = {}
        for path, size, mtime, ctime, inode, racy, digest in self.db.execute(
            "SELECT path, size, mtime, ctime, inode, racy, digest FROM files"
        ):
            self.held.add(path)
            if path in wanted and type(digest) is str and racy in (0, 1):
                out[path] = ((size, mtime, ctime, inode), bool(racy), digest)
        return out

    def entries(self, day: date, with_slips: bool) -> tuple[dict[str, Entry], set[str]]:
        """The entries that hold for `day` of the files' versions held, passing their checksums (their status JSON
        is left where it is: `project`); and the paths of those made without it."""
        ordinal = day.toordinal()
        slips = "e.slips" if with_slips else "NULL"
        rows = self.db.execute(
            f"SELECT e.path, e.digest, e.lo, e.hi, e.problems, e.summary, {slips}, e.slips_check, e.checksum,"
            " e.made IS NOT 1 FROM entries e JOIN files f ON f.path = e.path AND f.digest = e.digest"
            " WHERE e.lo <= ? AND e.hi >= ?",
            (ordinal, ordinal),
        )
        out: dict[str, Entry] = {}
        unmade: set[str] = set()
        for path, digest, lo, hi, problems, summary, text, slips_check, checksum, no_project in rows:
            if not (type(problems) is str and type(summary) is str and type(slips_check) is str):
                continue
            if type(lo) is not int or type(hi) is not int or type(digest) is not str:
                continue
            if with_slips and (type(text) is not str or _check(text) != slips_check):
                continue
            if _check(f"{digest}\0{lo}\0{hi}\0{problems}\0{summary}\0{slips_check}") != checksum:
                continue
            # without the slips (not read): "" rather than "[]", so that reading them fails loudly
            out[path] = Entry(problems, summary, text if with_slips else "", None, digest, lo, hi)
            if no_project:
                unmade.add(path)
        return out, unmade

    def facts(self, paths: Sequence[str], digests: dict[str, str]) -> dict[str, bytes]:
        """The facts held of the versions `digests` names, by path (passing their checksums)."""
        out = {}
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for path, digest, facts, check in self.db.execute(
                f"SELECT path, digest, facts, facts_check FROM facts WHERE path IN ({marks})", chunk
            ):
                if digests.get(path) == digest and type(facts) is bytes and _check(facts) == check:
                    out[path] = facts
        return out

    def projects(self, wanted: dict[str, Entry]) -> dict[str, bytes]:
        """The status JSON of each entry of `wanted` (by path) that is held and passes its checksum; one query."""
        out = {}
        marks = ",".join("?" * len(wanted))
        for path, lo, hi, digest, project, check in self.db.execute(
            f"SELECT path, lo, hi, digest, project, project_check FROM entries WHERE path IN ({marks})", list(wanted)
        ):
            found = wanted.get(path)
            if found is None or (lo, hi, digest) != (found.lo, found.hi, found.digest):
                continue
            if type(project) is bytes and project and found._replace(project=project).project_check() == check:
                out[path] = project
        return out

    def put(
        self,
        versions: Sequence[tuple[str, Stamp, bool, Entry]],
        entries: Sequence[tuple[str, Entry]],
        again: Sequence[str] = (),
    ) -> None:
        """Keep the versions (a file's stamp, racy mark, digest and facts) and the entries made of them.

        `again`: paths whose version has entries for other dates already: the latest few are kept.
        """
        file_rows = [(path, *stamp, int(racy), e.digest) for path, stamp, racy, e in versions if _storable(path)]
        facts_rows = [
            (path, e.digest, e.facts, _check(e.facts)) for path, _, _, e in versions if e.facts and _storable(path)
        ]
        entry_rows = []
        for path, e in entries:
            if _storable(path, e.problems, e.summary, e.slips):
                slips_check = _check(e.slips)
                checksum = _check(f"{e.digest}\0{e.lo}\0{e.hi}\0{e.problems}\0{e.summary}\0{slips_check}")
                made = int(e.project is not None)
                row = (path, e.lo, e.hi, e.digest, e.problems, e.summary, e.slips, slips_check, checksum, made)
                entry_rows.append((*row, e.project, e.project_check()))
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", file_rows)
            self.db.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?)", facts_rows)
            others = [(row[0], row[3]) for row in entry_rows]  # entries of a file's other versions
            self.db.executemany("DELETE FROM entries WHERE path = ? AND digest != ?", others)
            self.db.executemany(f"INSERT OR REPLACE INTO entries VALUES ({', '.join('?' * 12)})", entry_rows)
            # of one version, the entries of the latest few as-of dates are kept
            self.db.executemany(
                "DELETE FROM entries WHERE path = ? AND lo NOT IN"
                " (SELECT lo FROM entries WHERE path = ? ORDER BY rowid DESC LIMIT ?)",
                [(path, path, KEPT_ENTRIES) for path in again],
            )

    def restamp(self, rows: Sequence[tuple[str, Stamp, bool]]) -> None:
        """A file's bytes read again and found as the cache holds them: its new stamp, or its racy mark cleared."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "UPDATE files SET size = ?, mtime = ?, ctime = ?, inode = ?, racy = ? WHERE path = ?",
                [(*stamp, int(racy), path) for path, stamp, racy in rows],
            )

    def forget(self, paths: set[str]) -> None:
        if paths:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                for table in ("files", "facts", "entries"):
                    self.db.executemany(f"DELETE FROM {table} WHERE path = ?", [(path,) for path in paths])

    def close(self) -> None:
        self.db.close()


def open_cache(path: Path, key: str, tables: Sequence[str], schema: Sequence[str]) -> Any:
    """The SQLite cache file at `path` for `key` (tool, plan, …): its tables made anew when it was made for another
    key (or none). A file that cannot be opened or is damaged is deleted and made again once; failing that, None:
    the run goes on without a cache."""
    for attempt in (1, 2):
        try:
            return _connect(path, key, tables, schema)
        except Exception:  # sqlite3.Error and whatever a damaged file raises: start again, else go without
            if attempt == 2:
                return None
            for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                with suppress(OSError):
                    stale.unlink()
    return None


def _connect(path: Path, key: str, tables: Sequence[str], schema: Sequence[str]) -> Any:
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")  # a cache: damage is detected (checksums, errors) and rebuilt
        if key_of(db) != key:
            with db:
                db.execute("BEGIN IMMEDIATE")
                if key_of(db) != key:  # and not made so meanwhile by a run started at the same time
                    for table in tables:
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                    for statement in schema:
                        db.execute(statement)
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (key,))
    except BaseException:
        db.close()
        raise
    return db


def key_of(db: Any) -> str | None:
    """The key a cache file was made for (None: none)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is None:
        return None
    row = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
    return row[0] if row is not None and type(row[0]) is str else None


def _storable(*texts: str) -> bool:
    """SQLite keeps text as UTF-8: text holding a lone surrogate (an escape in a file) is not kept."""
    try:
        for text in texts:
            text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _read_digest(path: str) -> str | None:
    from dxroadmap.store import read_limited

    try:
        return content_digest(read_limited(Path(path)))
    except (OSError, ValueError):
        return None


class Projects:
    """The status JSON of cached entries, read from the cache when first asked for, one at a time (ten thousand of
    them never sit in memory together). The cache is opened for it then, and closed once every one was read. The
    entries kept without it (made by a command handed no serialiser) get it then, all at once, in worker
    processes; an entry gone meanwhile is made again (and kept)."""

    def __init__(self, root: Path, settings: Settings, as_of: date, serialise: Serialise) -> None:
        self.root, self.settings, self.as_of, self.serialise = root, settings, as_of, serialise
        self.found: dict[str, tuple[RoadmapFile, str, Entry]] = {}  # by the digest's path: file, key, entry
        self.unmade: set[str] = set()  # digests' paths whose entries were kept without their status JSON
        self.store: Cache | None = None
        self.opened = False
        self.left = 0  # to be read: the cache is closed when none is
        self.read: dict[str, bytes] = {}  # read ahead, not yet asked for (a few hundred at most)
        self.asked: set[str] = set()
        self.paths: list[str] = []  # the digests' paths in the order they were added
        self.order: dict[str, int] = {}  # and where each is in it

    def add(self, file: RoadmapFile, key: str, found: Entry, made: bool = True) -> None:
        self.found[file.shown] = (file, key, found)
        if file.shown not in self.order:
            self.order[file.shown] = len(self.paths)
            self.paths.append(file.shown)
        self.left = len(self.found)
        if not made:
            self.unmade.add(file.shown)

    def load(self, digest: Digest) -> bytes:
        if not self.opened:
            self.opened = True
            self.store = Cache.open(self.root, self.settings)
        if digest.path in self.unmade:
            self._make()
        file, key, _ = self.found[digest.path]
        self.asked.add(digest.path)
        if digest.path not in self.read and self.store is not None:
            self._read_ahead(digest.path)
        project = self.read.pop(digest.path, None)
        if project is None or not _project_shaped(project):
            made = entry(file, self.settings, self.as_of, self.serialise)
            project = self._made(file, key, made)
            if self.store is not None and made.digest:
                with suppress(Exception):
                    self.store.put([], [(key, made)])
        self.left -= 1
        if self.left <= 0:
            self.close()
        return project

    def _read_ahead(self, path: str) -> None:
        """The status JSON of `path` and of the next files not yet asked for, in one query (commands ask in an order
        close to the one the files were added in: by field, then id)."""
        later = islice(self.paths, self.order[path], None)
        batch = list(islice((p for p in later if p == path or p not in self.asked), READ_AHEAD))
        wanted = {self.found[p][1]: self.found[p][2] for p in batch}
        self.read = {}  # what was read ahead and not asked for is let go: at most one batch in memory
        assert self.store is not None
        try:
            held = self.store.projects(wanted)
        except Exception:  # a cache that fails while read is no cache
            self.close()
            return
        for p in batch:
            project = held.get(self.found[p][1])
            if project is not None:
                self.read[p] = project

    def _made(self, file: RoadmapFile, key: str, made: Entry) -> bytes:
        """The status JSON of an entry made now (of the file as it is now: it may have changed meanwhile)."""
        if not made.project:  # invalid (or unreadable) now: this run cannot print what it has begun to
            from dxroadmap.i18n import t
            from dxroadmap.problems import StoreError

            raise StoreError(t("cli.changed_meanwhile", path=file.shown))
        self.found[file.shown] = (file, key, made._replace(project=None, facts=None, slips=""))  # kept: the key
        return made.project

    def _make(self) -> None:
        """The entries kept without their status JSON made again with it (from their facts), and kept."""
        order = {path: n for n, path in enumerate(self.found)}
        shown = sorted(self.unmade, key=order.__getitem__)
        self.unmade = set()
        todo = [self.found[path] for path in shown]
        held: dict[str, bytes] = {}
        if self.store is not None:
            with suppress(Exception):
                held = self.store.facts([key for _, key, _ in todo], {key: e.digest for _, key, e in todo})
        work = partial(_compute, settings=self.settings, as_of=self.as_of, language=i18n.language(),
                       project_json=self.serialise)  # fmt: skip
        files = [(file, Known(found.digest, held.get(key))) for file, key, found in todo]
        for stream in (sys.stdout, sys.stderr):  # what is printed so far, out before workers are forked
            if stream is not None:
                stream.flush()
        for chunk, entries in in_chunks(files, work):
            rows = []
            for i, made in zip(chunk, entries, strict=True):
                file, key, _ = todo[i]
                self._made(file, key, made)
                if made.digest:
                    rows.append((key, made))
            if self.store is not None:
                with suppress(Exception):
                    self.store.put([], rows)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


# --- all files ----------------------------------------------------------------------------


def scan(
    root: Path,
    files: Sequence[RoadmapFile],
    settings: Settings,
    as_of: date,
    progress: Progress | None = None,
    *,
    project_json: Serialise | None = None,
    with_slips: bool = True,
    complete: bool = True,
) -> list[Digest]:
    """The digests of `files` (in their order): from the cache where unchanged, else computed.

    `project_json`: with each project's status JSON (for `--format json`): cached ones are read
    when asked for (`Digest.status_json`). The status JSON is made with every entry computed, so
    that a later run that prints it finds it. `with_slips`: the slip items will be read (a run that
    does not read them does not pay for checking them). `complete`: `files` are all the files of
    `root`, so the cache may forget the others.
    """
    store = Cache.open(root, settings)
    try:
        with _gc_paused():
            return _scan(store, root, files, settings, as_of, progress, project_json, with_slips, complete)
    finally:
        if store is not None:
            store.close()


def _scan(
    store: Cache | None,
    root: Path,
    files: Sequence[RoadmapFile],
    settings: Settings,
    as_of: date,
    progress: Progress | None,
    project_json: Serialise | None,
    with_slips: bool,
    complete: bool,
) -> list[Digest]:
    now = time.time_ns()  # before any file is looked at: a change after it shows in its stamp, or it is racy
    fsencode, abspath, fspath = os.fsencode, os.path.abspath, os.fspath
    paths = [fspath(file.path) for file in files]
    # SQLite keeps keys as UTF-8 text: a name that is not UTF-8 is keyed by its bytes, as `\\x93`
    keys = [fsencode(abspath(path)).decode("utf-8", "backslashreplace") for path in paths]
    stamps = [cachedir.stamp(path) for path in paths]
    digests: list[Digest | None] = [None] * len(files)
    known: list[Known | None] = [None] * len(files)
    same: dict[str, str] = {}  # key -> the digest of the version the cache holds, which the file still is
    restamped: list[tuple[str, Stamp, bool]] = []
    held: set[str] = set()
    projects = None
    if store is not None:
        try:
            versions = store.versions({key: stamp for key, stamp in zip(keys, stamps, strict=True) if stamp})
            held = store.held
            for i, key in enumerate(keys):
                version = versions.get(key)
                current = stamps[i]
                if version is None or current is None:
                    continue
                stamp, racy, kept = version
                if stamp == current and not racy:
                    same[key] = kept
                elif _read_digest(paths[i]) == kept:  # the bytes as they were: racy, touched or checked out again
                    same[key] = kept
                    restamped.append((key, current, cachedir.racy(current, now)))
            found, unmade = store.entries(as_of, with_slips)
            projects = Projects(root, settings, as_of, project_json) if project_json is not None else None
        except Exception:  # a cache that fails while read is no cache
            store, found, unmade, same, restamped = None, {}, set(), {}, []
        for i, key in enumerate(keys):
            cached = found.get(key)
            if cached is None or same.get(key) != cached.digest:
                continue
            with suppress(KeyError, TypeError, ValueError, AttributeError):  # not what it says: computed again
                made = digest(files[i], cached, as_of, with_slips)
                if projects is not None and made.summary is not None:  # its status JSON read when printed
                    made.source = projects
                    projects.add(files[i], key, cached, key not in unmade)
                digests[i] = made
        missing = [i for i, d in enumerate(digests) if d is None and keys[i] in same]
        if store is not None and missing:
            with suppress(Exception):
                held_facts = store.facts([keys[i] for i in missing], same)
                for i in missing:
                    known[i] = Known(same[keys[i]], held_facts.get(keys[i]))
    missing = [i for i, d in enumerate(digests) if d is None]

    def computed(indexes: Sequence[int], entries: Sequence[Entry]) -> None:
        versions, made, again = [], [], []
        for i, found in zip(indexes, entries, strict=True):
            digests[i] = made_digest = digest(files[i], found, as_of, with_slips)
            if projects is not None and made_digest.summary is not None:  # read back from the cache when printed
                made_digest.project, made_digest.source = None, projects
                projects.add(files[i], keys[i], found._replace(project=None, facts=None, slips=""))
            stamp = stamps[i]
            if stamp is None or not found.digest:
                continue
            made.append((keys[i], found))
            if found.facts is not None or same.get(keys[i]) != found.digest:
                versions.append((keys[i], stamp, cachedir.racy(stamp, now), found))
            if same.get(keys[i]) == found.digest:
                again.append(keys[i])
        if store is not None and made:
            with suppress(Exception):
                store.put(versions, made, again)

    work = partial(_compute, settings=settings, as_of=as_of, language=i18n.language(), project_json=project_json)
    for chunk, entries in in_chunks([(files[i], known[i]) for i in missing], work, progress):
        computed([missing[i] for i in chunk], entries)
    if store is not None:
        with suppress(Exception):
            store.restamp([row for row in restamped if row[0] in same])
            if complete:
                store.forget(held.difference(keys))
    return [d for d in digests if d is not None]


MAX_JOBS = 64  # a bound on the processes one run starts, whatever $DXROADMAP_JOBS says


def workers() -> int:
    """`$DXROADMAP_JOBS` (a whole number from 1; at most MAX_JOBS), else the processors this process may use."""
    chosen = os.environ.get("DXROADMAP_JOBS", "").strip()
    if chosen.isascii() and chosen.isdigit() and int(chosen) > 0:
        return min(int(chosen), MAX_JOBS)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


T = TypeVar("T")
F = TypeVar("F")  # a file, or a file with what its work needs


def in_chunks(
    files: Sequence[F], work: Callable[[Sequence[F]], list[T]], progress: Progress | None = None
) -> Iterator[tuple[range, list[T]]]:
    """`work` over `files` a chunk at a time, in worker processes when there are many; chunks in order.

    Only a few chunks are computed ahead of the one being used, so results never pile up. Where
    no process can be started (a sandbox, a broken worker) the rest is done in this one.
    """
    if not files:
        return
    count = workers() if len(files) >= PARALLEL_FROM else 1
    slow = len(files) * SECONDS_PER_FILE / count > 1.0
    bar = progress(len(files)) if progress is not None and slow else nullcontext(lambda n: None)
    size = 100 if count == 1 else max(50, min(200, len(files) // (count * 8)))
    chunks = [range(start, min(start + size, len(files))) for start in range(0, len(files), size)]
    done = 0
    with bar as advance:
        if count > 1:
            with suppress(OSError, RuntimeError):
                for chunk, result in _in_workers(files, chunks, count, work):
                    yield chunk, result
                    advance(len(chunk))
                    done += 1
        for chunk in chunks[done:]:
            yield chunk, work([files[i] for i in chunk])
            advance(len(chunk))


def _in_workers(
    files: Sequence[F],
    chunks: Sequence[range],
    count: int,
    work: Callable[[Sequence[F]], list[T]],
) -> Iterator[tuple[range, list[T]]]:
    """Chunks computed by `count` worker processes, a few ahead of the one being used.

    Ctrl-C is for this process alone: the workers start with it held, then ignore it. Whatever
    ends this early (Ctrl-C, a broken worker, the reader stopping) cancels the queued chunks and
    ends the workers at once, without waiting for the chunks they are computing.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if sys.platform == "linux" and "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_worker_ignores_interrupts)
    try:
        ahead = iter(chunks)
        with _interrupts_held():  # the first submissions start the workers
            pending = deque((c, pool.submit(work, [files[i] for i in c])) for c in islice(ahead, 8 * count))
        while pending:
            chunk, future = pending.popleft()
            result = future.result()
            following = next(ahead, None)
            if following is not None:
                pending.append((following, pool.submit(work, [files[i] for i in following])))
            yield chunk, result
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    workers = list(pool._processes.values()) if pool._processes else []
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(1)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """SIGINT blocked in this thread meanwhile (a Ctrl-C then is delivered after): processes started now inherit it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _worker_ignores_interrupts() -> None:
    """A worker's first act: Ctrl-C (sent to the whole process group by a terminal) is its parent's to answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic collection while thousands of small, long-lived objects are made (none are cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
