"""The portfolio at scale: one small digest per roadmap file, cached between runs, computed in parallel.

`status`, `slipping` and `validate` need, of each file, only its problems, its line in the
status table, its slip items and (for JSON) its status document. `entry` works these out from
the file as plain JSON data. `scan` takes the entries of unchanged files from the cache (same
size, mtime, ctime and inode; same plan, as-of date, language and tool) and computes the others,
in worker processes when there are many. Cached and computed entries are turned into digests
by the same function, so a cached run prints what an uncached run prints.

The cache is one JSON file per roadmaps directory in the user's cache directory: a header line
(format, key, checksum of the rest) and the entries. A cache that is foreign, stale, corrupt or
unreadable is ignored and rewritten; one that cannot be written is simply not kept.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from dxroadmap import __version__, i18n
from dxroadmap.model import Project
from dxroadmap.problems import Problem
from dxroadmap.progress import Counts, Settings, SlipItem, Summary, judge, slipping_items
from dxroadmap.store import RoadmapFile, load_roadmap

FORMAT = "dxroadmap-cache 1"
SECONDS_PER_FILE = 0.001  # measured: parse, validate, check, judge (benchmarks/run.py)
PARALLEL_FROM = 256  # fewer files to compute than this: not worth starting workers
RACY_NS = 2_000_000_000  # a file changed this recently may change again within its mtime's tick

Entry = dict[str, Any]
Progress = Callable[[int], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class Digest:
    """What the portfolio commands need of one file."""

    id: str
    path: str
    problems: list[Problem]
    summary: Summary | None  # None: the file is invalid
    project: str | None  # the project's status JSON (without its id), compact
    slips: list[SlipItem]

    def status_json(self) -> dict[str, Any]:
        assert self.project is not None
        return {"id": self.id, **json.loads(self.project)}


# --- one file -----------------------------------------------------------------------------


def entry(file: RoadmapFile, settings: Settings, as_of: date) -> Entry:
    """A file's problems, table line, status JSON and slip items, as JSON data without its id."""
    from dxroadmap.report import data

    roadmap, problems = load_roadmap(file.path, settings)
    out: Entry = {
        "problems": [[None if p.path == file.shown else p.path, p.line, p.column, p.code, p.message] for p in problems],
        "summary": None,
        "project": None,
        "slips": [],
    }
    if roadmap is None:
        return out
    status = judge(Project(file.id, file.shown, roadmap), settings, as_of)
    s = status.summary()
    c = s.counts
    out["summary"] = [s.field, s.name, s.owner, s.state, [c.total, c.due, c.done], s.flags, list(s.year_states.items())]
    project = data.project(status)
    del project["id"]
    out["project"] = json.dumps(project, ensure_ascii=False, separators=(",", ":"))
    out["slips"] = [
        [i.initiative, i.initiative_index, i.fiscal_year, i.quarter, i.target, i.state, i.due.isoformat(), *rest]
        for i in slipping_items([status], as_of)
        for rest in [[i.explained, i.outlook]]
    ]
    return out


def digest(file: RoadmapFile, found: Entry, as_of: date, pid: str | None = None) -> Digest:
    """The digest of an entry, under the id `pid` (the file's own id unless ids collide)."""
    pid = pid or file.id
    problems = [
        Problem(path or file.shown, line, column, code, message)
        for path, line, column, code, message in found["problems"]
    ]
    summary = None
    if found["summary"] is not None:
        field, name, owner, state, (total, due, done), flags, years = found["summary"]
        counts = Counts(total=total, due=due, done=done)
        summary = Summary(pid, field, name, owner, state, counts, dict(flags), {int(y): s for y, s in years})
    slips = []
    for initiative, index, year, quarter, target, state, due, explained, outlook in found["slips"]:
        day = date.fromisoformat(due)
        slips.append(
            SlipItem(pid, initiative, index, year, quarter, target, state, day, (as_of - day).days, explained, outlook)
        )
    return Digest(pid, file.shown, problems, summary, found["project"], slips)


def _compute(files: Sequence[RoadmapFile], settings: Settings, as_of: date, language: str) -> list[Entry]:
    """A worker's share (also run in this process when the share is small)."""
    i18n.set_language(language)
    with _gc_paused():
        return [entry(file, settings, as_of) for file in files]


# --- the cache ----------------------------------------------------------------------------


def cache_dir() -> Path | None:
    """`$DXROADMAP_CACHE_DIR`, else `$XDG_CACHE_HOME/dxroadmap`, else `~/.cache/dxroadmap`; None: off."""
    if os.environ.get("DXROADMAP_NO_CACHE"):
        return None
    explicit = os.environ.get("DXROADMAP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dxroadmap"


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
    """The entries of one roadmaps directory for one key (plan, as-of date, language, tool)."""

    def __init__(self, folder: Path, root: Path, settings: Settings, as_of: date) -> None:
        real = str(root.resolve())
        self.path = folder / f"{hashlib.sha256(real.encode()).hexdigest()[:24]}.json"
        # the settings are all the plan decides for the rules (a frozen dataclass: its repr is its content)
        facts = [FORMAT, tool_fingerprint(), real, repr(settings), as_of.isoformat(), i18n.language()]
        self.key = hashlib.sha256(json.dumps(facts).encode()).hexdigest()

    def read(self) -> dict[str, list[Any]]:
        """The stored entries by path: [size, mtime_ns, ctime_ns, inode, entry]; {} when not to be trusted."""
        try:
            with open(self.path, "rb") as stream:
                raw = stream.read()
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if header.get("format") != FORMAT or header.get("key") != self.key:
                return {}
            if header.get("sha256") != hashlib.sha256(body).hexdigest():
                return {}
            entries = json.loads(body)
        except (OSError, ValueError, AttributeError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def write(self, entries: dict[str, list[Any]]) -> None:
        """Replace the stored entries (atomically); a cache that cannot be written is not kept."""
        body = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()
        header = json.dumps({"format": FORMAT, "key": self.key, "sha256": hashlib.sha256(body).hexdigest()})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as stream:
                    stream.write(header.encode() + b"\n" + body)
                os.replace(temp, self.path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:
            pass


def _stamp(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


# --- all files ----------------------------------------------------------------------------


def scan(
    root: Path,
    files: Sequence[RoadmapFile],
    settings: Settings,
    as_of: date,
    progress: Progress | None = None,
) -> list[Digest]:
    """The digests of `files` (in their order): from the cache where unchanged, else computed."""
    folder = cache_dir()
    store = Cache(folder, root, settings, as_of) if folder is not None else None
    with _gc_paused():
        known = store.read() if store is not None else {}
        stamps = [_stamp(file.path) for file in files]
        keys = [os.path.abspath(file.path) for file in files]
        entries: list[Entry | None] = []
        for key, stamp in zip(keys, stamps, strict=True):
            stored = known.get(key)
            hit = stamp is not None and isinstance(stored, list) and len(stored) == 5 and stored[:4] == stamp
            entries.append(stored[4] if hit and isinstance(stored, list) else None)
        try:
            digests = [digest(f, e, as_of) if e is not None else None for f, e in zip(files, entries, strict=True)]
        except (KeyError, TypeError, ValueError):  # a cache that does not hold what it says: start over
            entries = [None] * len(files)
            digests = [None] * len(files)
        missing = [i for i, e in enumerate(entries) if e is None]
        for i, found in zip(missing, _compute_all([files[i] for i in missing], settings, as_of, progress), strict=True):
            entries[i] = found
            digests[i] = digest(files[i], found, as_of)
        if store is not None and (missing or len(known) != len(files)):
            now = time.time_ns()
            store.write(
                {
                    key: [*stamp, e]
                    for key, stamp, e in zip(keys, stamps, entries, strict=True)
                    if stamp is not None and e is not None and now - stamp[1] > RACY_NS
                }
            )
    return [d for d in digests if d is not None]


def workers() -> int:
    """`$DXROADMAP_JOBS`, else the processors this process may use."""
    chosen = os.environ.get("DXROADMAP_JOBS", "")
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _compute_all(
    files: Sequence[RoadmapFile], settings: Settings, as_of: date, progress: Progress | None
) -> list[Entry]:
    if not files:
        return []
    count = workers() if len(files) >= PARALLEL_FROM else 1
    slow = len(files) * SECONDS_PER_FILE / count > 1.0
    bar = progress(len(files)) if progress is not None and slow else nullcontext(lambda n: None)
    language = i18n.language()
    with bar as advance:
        if count == 1:
            out = []
            for start in range(0, len(files), 100):
                out += _compute(files[start : start + 100], settings, as_of, language)
                advance(min(100, len(files) - start))
            return out
        size = max(50, min(500, len(files) // (count * 8)))
        chunks = [files[start : start + size] for start in range(0, len(files), size)]
        try:
            return _in_workers(chunks, count, settings, as_of, language, advance)
        except (OSError, RuntimeError):  # no processes here (a sandbox, a broken worker): do it all in this one
            return _compute(files, settings, as_of, language)


def _in_workers(
    chunks: Sequence[Sequence[RoadmapFile]],
    count: int,
    settings: Settings,
    as_of: date,
    language: str,
    advance: Callable[[int], None],
) -> list[Entry]:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if sys.platform == "linux" and "fork" in methods else None)
    out: list[Entry] = []
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures = [pool.submit(_compute, chunk, settings, as_of, language) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            out += future.result()
            advance(len(chunk))
    return out


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
