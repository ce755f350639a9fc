"""The portfolio at scale: one small digest per roadmap file, cached between runs, computed in parallel.

`status`, `slipping` and `validate` need, of each file, only its problems, its line in the
status table, its slip items and (for JSON) its status document. `entry` works these out from
the file as JSON texts. `scan` takes the entries of unchanged files from the cache (same size,
mtime, ctime and inode; same plan, as-of date, language and tool) and computes the others, in
worker processes when there are many. Cached and computed entries become digests through the
same function, so a cached run prints what an uncached run prints.

The cache is an SQLite file per roadmaps directory in the user's cache directory. Every row
carries a checksum; a cache that is foreign, stale or damaged is ignored and rebuilt, one
that cannot be written is not kept, and nothing in it is ever run (JSON texts only).
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from dxroadmap import __version__, fiscal, i18n
from dxroadmap.model import Project
from dxroadmap.problems import Problem
from dxroadmap.progress import FLAGS, Counts, ProjectStatus, SlipItem, Summary, judge, slipping_items
from dxroadmap.settings import Settings
from dxroadmap.states import Outlook, State
from dxroadmap.store import RoadmapFile, load_roadmap

FORMAT = "dxroadmap-cache 4"
SECONDS_PER_FILE = 0.001  # measured: read, parse, validate, check, judge (benchmarks/run.py)
PARALLEL_FROM = 256  # fewer files to compute than this: not worth starting workers
RACY_NS = 2_000_000_000  # a file changed this recently may change again within its mtime's tick

Progress = Callable[[int], AbstractContextManager[Callable[[int], None]]]


class Entry(NamedTuple):
    """What is kept of a file, as JSON texts, without its id (so a cached entry serves any id)."""

    problems: str  # [[path or null for the file itself, line, column, code, message], …]
    summary: str  # [field, name, owner, state, [total, due, done], flags, [[year, state], …]] or null
    slips: str  # [[initiative, index, year, period, target, state, due, explained, outlook, name, reason,
    #               kpi value, kpi target, unit], …]
    project: bytes | None  # the status JSON (indented, escaped, UTF-8); b"" for an invalid file; None: not made

    def check(self) -> str:
        return _check(f"{self.problems}\0{self.summary}\0{self.slips}")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _check(text: str | bytes) -> str:
    return hashlib.blake2b(text.encode() if isinstance(text, str) else text, digest_size=8).hexdigest()


@dataclass(slots=True)  # thousands at a time: not frozen, which costs a setattr per field
class Digest:
    """What the portfolio commands need of one file."""

    id: str
    path: str
    problems: list[Problem]
    summary: Summary | None  # None: the file is invalid
    project: bytes | None  # UTF-8, half the memory of a str of Japanese text
    raw_slips: str
    as_of: date

    def status_json(self) -> str:
        """The project's status JSON, id first, as `json.dumps(…, indent=2)` would write it."""
        from dxroadmap.safe import json_text

        assert self.project is not None and self.project.startswith(b"{\n")
        return '{\n  "id": ' + json_text(json.dumps(self.id, ensure_ascii=False)) + "," + self.project[1:].decode()

    def slips(self) -> list[SlipItem]:
        out = []
        for row in json.loads(self.raw_slips):
            initiative, index, year, period, target, state, due, explained, outlook, *rest = row
            day = date.fromisoformat(due)
            days = (self.as_of - day).days
            out.append(
                SlipItem(
                    self.id, initiative, index, year, period, target, _STATES[state], day, days, explained,
                    _OUTLOOKS[outlook] if outlook is not None else None, *rest,
                )
            )  # fmt: skip
        return out


# --- one file -----------------------------------------------------------------------------


Serialise = Callable[[ProjectStatus], dict[str, Any]]
"""How a judged project becomes the JSON object a report prints (`report.data` has them): passed in,
so that this module does not reach up into the reports. A module-level function: workers pickle it."""


def entry(file: RoadmapFile, settings: Settings, as_of: date, project_json: Serialise | None) -> Entry:
    """A file's problems, table line and slip items; with `project_json`, its status JSON too.

    The status JSON, written the slow way (indented), is made only for runs that print it; the
    cache keeps it from then on.
    """
    roadmap, problems = load_roadmap(file.path, settings, as_of)
    found = _json([[None if p.path == file.shown else p.path, p.line, p.column, p.code, p.message] for p in problems])
    if roadmap is None:
        return Entry(found, "null", "[]", b"")
    status = judge(Project(file.id, file.shown, roadmap), settings, as_of)
    s = status.summary()
    c = s.counts
    summary = [s.field, s.name, s.owner, s.state, [c.total, c.due, c.done], s.flags, list(s.year_states.items())]
    slips = [
        [
            i.initiative, i.initiative_index, i.fiscal_year, i.period, i.target, i.state, i.due.isoformat(),
            i.explained, i.outlook, i.name, i.reason, i.kpi_value, i.kpi_target, i.unit,
        ]
        for i in slipping_items([status], as_of)
    ]  # fmt: skip
    project = None
    if project_json is not None:
        from dxroadmap.safe import json_text

        document = project_json(status)
        del document["id"]
        project = json_text(json.dumps(document, ensure_ascii=False, indent=2)).encode()
    return Entry(found, _json(summary), _json(slips), project)


def digest(file: RoadmapFile, found: Entry, as_of: date, with_slips: bool = True) -> Digest:
    """The digest of an entry (cached or just computed: the same way), under the file's id.

    Raises ValueError for an entry that is not what it says: every field is checked for the shape
    `entry` writes (types, lengths, known states and flags, dates) before anything is used, so a
    cache row whose checksum matches but whose shape is foreign is only a miss, never an error later.
    `with_slips`: the slip items will be read (`Digest.slips`), so their shape is checked too.
    """
    rows = _loads(found.problems) if found.problems != "[]" else []
    fields = _loads(found.summary)
    _check_shape(rows, fields, found, with_slips)
    problems = [Problem(path or file.shown, line, column, code, message) for path, line, column, code, message in rows]
    summary = None
    if fields is not None:
        field, name, owner, state, (total, due, done), flags, years = fields
        counts = Counts(total=total, due=due, done=done)
        years = {int(y): _STATES[s] for y, s in years}
        summary = Summary(file.id, field, name, owner, _STATES[state], counts, dict(flags), years)
    return Digest(file.id, file.shown, problems, summary, found.project or None, found.slips, as_of)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:  # absurd nesting: not what `entry` writes
        raise ValueError("nested too deep") from None


# The members of the values the cache holds as text: a value not among them makes the entry foreign (a miss).
_STATES = {state.value: state for state in State}
_OUTLOOKS = {outlook.value: outlook for outlook in Outlook}


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
    """ValueError unless the parsed fields of `found` (and its slips and status JSON) are as `entry` writes them."""
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
        slips = _loads(found.slips)
        ok = _rows(slips, 14) and all(
            _text(initiative) and _count(index) and _year(year) and _maybe_text(period) and _maybe_text(target)
            and state in _STATES and _iso_date(due) and type(explained) is bool
            and (outlook is None or outlook in _OUTLOOKS) and _text(name) and _maybe_text(reason)
            and _maybe_number(value) and _maybe_number(goal) and _maybe_text(unit)
            for initiative, index, year, period, target, state, due, explained, outlook, name, reason, value, goal, unit
            in slips
        )  # fmt: skip
    project = found.project
    if ok and project:  # the status JSON is spliced into the output as it is: an object, indented, UTF-8
        ok = type(project) is bytes and project.startswith(b"{\n") and project.endswith(b"}")
        if ok:
            try:
                project.decode()
            except UnicodeDecodeError:
                ok = False
    if not ok:
        raise ValueError("not the shape of a cache entry")


def export_entries(
    files: Sequence[tuple[RoadmapFile, Settings]], as_of: date, language: str, serialise: Serialise
) -> list[str]:
    """The projects of `export --format json` (with their actuals), as JSON texts; a worker's share.

    Each file comes with the settings of its own plan (a roll-up has several).
    """
    from dxroadmap.safe import json_text

    i18n.set_language(language)
    out = []
    with _gc_paused():
        for file, settings in files:
            roadmap, _ = load_roadmap(file.path, settings)
            if roadmap is None:
                raise ChangedError(file.shown)
            status = judge(Project(file.id, file.shown, roadmap), settings, as_of)
            out.append(json_text(json.dumps(serialise(status), ensure_ascii=False, indent=2)))
    return out


class ChangedError(Exception):
    """A file that was valid a moment ago is not now (it changed while being read again)."""


def _compute(
    files: Sequence[RoadmapFile], settings: Settings, as_of: date, language: str, project_json: Serialise | None
) -> list[Entry]:
    """A worker's share (also run in this process when the share is small)."""
    i18n.set_language(language)
    with _gc_paused():
        return [entry(file, settings, as_of, project_json) for file in files]


# --- the cache ----------------------------------------------------------------------------


def cache_dir() -> Path | None:
    """`$DXROADMAP_CACHE_DIR`, else `$XDG_CACHE_HOME/dxroadmap`, else `~/.cache/dxroadmap`; None: off.

    An `XDG_CACHE_HOME` that is not absolute is ignored, as the XDG Base Directory spec says (it
    would put the cache in whatever folder the command runs in); without a home folder, no cache.
    """
    if os.environ.get("DXROADMAP_NO_CACHE"):
        return None
    explicit = os.environ.get("DXROADMAP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dxroadmap" if os.path.isabs(base) else None


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


Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class Cache:
    """The entries of one roadmaps directory, for one key (tool, plan, as-of date, language), in SQLite.

    Rows are keyed by path and stamped with the file's size, mtime, ctime and inode; their texts
    carry checksums. Anything unexpected (a foreign or damaged file, a row that fails its
    checksum) is ignored: the cache is rebuilt, or the run goes on without it.
    """

    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS entries (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER,"
        " inode INTEGER, problems TEXT, summary TEXT, slips TEXT, checksum TEXT, project BLOB, project_check TEXT)",
    )

    def __init__(self, connection: Any) -> None:
        self.db = connection

    @classmethod
    def open(cls, root: Path, settings: Settings, as_of: date) -> Cache | None:
        folder = cache_dir()
        if folder is None:
            return None
        real = str(root.resolve())
        path = folder / f"{hashlib.sha256(real.encode()).hexdigest()[:24]}.sqlite"
        # the settings are all the plan decides for the rules (a frozen dataclass: its repr is its content)
        facts = [FORMAT, tool_fingerprint(), real, repr(settings), as_of.isoformat(), i18n.language()]
        key = hashlib.sha256(json.dumps(facts).encode()).hexdigest()
        for attempt in (1, 2):
            try:
                return cls._connect(folder, path, key)
            except Exception:  # sqlite3.Error and whatever a damaged file raises: start again, else go without
                if attempt == 2:
                    return None
                for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    with suppress(OSError):
                        stale.unlink()
        return None

    @classmethod
    def _connect(cls, folder: Path, path: Path, key: str) -> Cache:
        import sqlite3

        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # a cache: damage is detected (checksums, errors) and rebuilt
            for statement in cls.SCHEMA:
                db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
            if row is None or row[0] != key:
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("DELETE FROM entries")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (key,))
        except BaseException:
            db.close()
            raise
        return cls(db)

    def get(self, wanted: dict[str, Stamp], with_projects: bool) -> tuple[dict[str, Entry], set[str]]:
        """The entries stamped as in `wanted` that pass their checksums, and every path the cache holds.

        With `with_projects`, only entries that have their status JSON.
        """
        columns = "path, size, mtime, ctime, inode, problems, summary, slips, checksum" + (
            ", project, project_check" if with_projects else ""
        )
        out: dict[str, Entry] = {}
        held = set()
        for row in self.db.execute(f"SELECT {columns} FROM entries"):
            path, size, mtime, ctime, inode, problems, summary, slips, checksum = row[:9]
            held.add(path)
            if wanted.get(path) != (size, mtime, ctime, inode):
                continue
            if not (isinstance(problems, str) and isinstance(summary, str) and isinstance(slips, str)):
                continue
            project = row[9] if with_projects else None
            found = Entry(problems, summary, slips, project)
            if found.check() != checksum:
                continue
            if with_projects and (not isinstance(project, bytes) or _check(project) != row[10]):
                continue  # not made yet (or damaged): computed again
            out[path] = found
        return out, held

    def put(self, rows: Sequence[tuple[str, Stamp, Entry]]) -> None:
        values = [
            (path, *stamp, e.problems, e.summary, e.slips, e.check(), e.project, _check(e.project or b""))
            for path, stamp, e in rows
        ]
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)

    def forget(self, paths: set[str]) -> None:
        if paths:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("DELETE FROM entries WHERE path = ?", [(path,) for path in paths])

    def close(self) -> None:
        self.db.close()


def _stamp(path: Path) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


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

    `project_json`: with each project's status JSON made by it (for `--format json`). `with_slips`: the
    slip items will be read (a run that does not read them does not pay for checking them).
    `complete`: `files` are all the files of `root`, so the cache may forget the others.
    """
    store = Cache.open(root, settings, as_of)
    try:
        with _gc_paused():
            return _scan(store, files, settings, as_of, progress, project_json, with_slips, complete)
    finally:
        if store is not None:
            store.close()


def _scan(
    store: Cache | None,
    files: Sequence[RoadmapFile],
    settings: Settings,
    as_of: date,
    progress: Progress | None,
    project_json: Serialise | None,
    with_slips: bool,
    complete: bool,
) -> list[Digest]:
    with_projects = project_json is not None
    # SQLite keeps keys as UTF-8 text: a name that is not UTF-8 is keyed by its bytes, as `\\x93`
    keys = [os.fsencode(os.path.abspath(file.path)).decode("utf-8", "backslashreplace") for file in files]
    stamps = [_stamp(file.path) for file in files]
    digests: list[Digest | None] = [None] * len(files)
    held: set[str] = set()
    if store is not None:
        try:
            wanted = {key: stamp for key, stamp in zip(keys, stamps, strict=True) if stamp is not None}
            found, held = store.get(wanted, with_projects)
        except Exception:  # a cache that fails while read is no cache
            store, found = None, {}
        for i, key in enumerate(keys):
            if key in found:
                with suppress(KeyError, TypeError, ValueError, AttributeError):  # not what it says: computed again
                    digests[i] = digest(files[i], found[key], as_of, with_slips)
    missing = [i for i, d in enumerate(digests) if d is None]
    now = time.time_ns()

    def computed(indexes: Sequence[int], entries: Sequence[Entry]) -> None:
        rows = []
        for i, found in zip(indexes, entries, strict=True):
            digests[i] = digest(files[i], found, as_of)
            stamp = stamps[i]
            if stamp is not None and now - stamp[1] > RACY_NS:  # a file changed just now may change again unseen
                rows.append((keys[i], stamp, found))
        if store is not None and rows:
            with suppress(Exception):
                store.put(rows)

    work = partial(_compute, settings=settings, as_of=as_of, language=i18n.language(), project_json=project_json)
    for chunk, entries in in_chunks([files[i] for i in missing], work, progress):
        computed([missing[i] for i in chunk], entries)
    if store is not None and complete:
        with suppress(Exception):
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
