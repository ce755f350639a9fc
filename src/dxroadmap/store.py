"""The roadmap repository on disk: finding it, finding its files, loading them with diagnostics.

Every problem becomes a `Problem` with a path, a line and a column; one broken file never
hides the others.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from dxroadmap import checks, source
from dxroadmap.fiscal import normalize
from dxroadmap.i18n import t
from dxroadmap.model import PLAN, ROADMAP, Plan, Project, Roadmap
from dxroadmap.problems import CODES, Finding, Problem, StoreError, errors
from dxroadmap.safe import clean, name_text
from dxroadmap.settings import Settings

PLAN_FILE = "_plan.yaml"
SUFFIXES = (".yaml", ".yml")


def check_inside(root: Path, path: Path) -> None:
    """Refuse to write `path` (or what its link leads to) outside the roadmaps directory."""
    base = root.resolve()
    real = path.resolve()
    if not (real.is_relative_to(base) and Path(os.path.abspath(path)).is_relative_to(base)):
        raise StoreError(t("store.not_written_outside", path=display_path(path), base=base))


def find_root(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """`--dir`, else `$DXROADMAP_DIR`, else the first `roadmaps/` in the current folder or a parent."""
    if explicit is not None:
        if not explicit.is_dir():
            raise StoreError(t("store.no_dir", path=explicit))
        return explicit
    env = os.environ.get("DXROADMAP_DIR")
    if env:
        if not Path(env).is_dir():
            raise StoreError(t("store.no_env_dir", path=env))
        return Path(env)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "roadmaps"
        if candidate.is_dir():
            return candidate
    raise StoreError(t("store.no_roadmaps", here=here))


def display_path(path: Path) -> str:
    """The path as the user can open it: relative to the current folder where possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def project_files(root: Path, problems: list[Problem] | None = None) -> list[Path]:
    """`*.yaml`/`*.yml` below `root`, skipping names that start with `_` or `.`, sorted.

    A folder that cannot be listed, and a linked folder that leads out of `root`, are reported
    in `problems` (linked folders are not followed: what they hold is reachable otherwise, or
    is outside).
    """
    return [Path(found.path) for found in walk(root, problems)]


class Found(NamedTuple):
    path: str  # root joined with relative
    relative: str  # below root, with os.sep
    linked: bool  # the file is a symbolic link


def walk(root: Path, problems: list[Problem] | None = None) -> list[Found]:
    """`project_files`, with what the walk learnt of each file on the way (no second look at it)."""
    found: list[Found] = []
    base = root.resolve()
    top = str(root)

    def unreadable(error: OSError) -> None:
        if problems is not None:
            where = display_path(Path(error.filename)) if error.filename else display_path(root)
            problems.append(Problem(where, 1, 1, "unreadable", t("store.unreadable", reason=error.strerror or error)))

    pending = [(top, "")]  # a stack, not recursion: no depth of folders can exhaust it
    while pending:
        folder, relative = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            unreadable(exc)
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(("_", ".")):
                continue
            inner = os.path.join(relative, name) if relative else name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                linked = entry.is_symlink()
                if linked and not is_dir and entry.is_dir():  # a linked folder: not followed
                    if problems is not None and not Path(entry.path).resolve().is_relative_to(base):
                        message = t("store.outside", real=Path(entry.path).resolve(), base=base)
                        problems.append(Problem(display_path(Path(entry.path)), 1, 1, "outside-root", message))
                    continue
            except OSError:
                is_dir, linked = False, entry.is_symlink()
            if is_dir:
                pending.append((entry.path, inner))
            elif name.endswith(SUFFIXES):
                found.append(Found(entry.path, inner, linked))
    found.sort(key=lambda f: f.relative.split(os.sep))
    return found


def project_id(root: Path, path: Path) -> str:
    return _id_of(os.path.relpath(path, root))


@dataclass
class Portfolio:
    """Everything in one roadmaps directory: the plan's settings, valid projects, problems."""

    root: Path
    plan: Plan | None
    settings: Settings
    projects: list[Project] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors: the files they are in are left out
    warnings: list[Problem] = field(default_factory=list)


@dataclass(slots=True)  # one per file: not frozen, which costs a setattr per field
class RoadmapFile:
    path: Path  # as found (a link is read through)
    shown: str  # as problems name it
    id: str


def roadmap_files(
    root: Path, only: Iterable[Path] | None, problems: list[Problem], *, walked: Sequence[Found] | None = None
) -> list[RoadmapFile]:
    """The project files under `root` (or the given ones, or those `walk(root)` found), each once, with ids.

    A link that leads out of `root`, a second file with an id already taken and a file that
    cannot be resolved are reported in `problems` and left out. (Plain strings, not `Path`
    methods, on the way: this runs for every file of a large portfolio.)
    """
    if only is None and walked is None:
        walked = walk(root, problems)
    base = os.path.realpath(root)
    shown_root = display_path(root)
    taken = _Taken(problems)
    if walked is not None:
        for found in walked:  # no file is looked at again unless it is a link
            shown = os.path.join(shown_root, found.relative) if shown_root != "." else found.relative
            path = Path(found.path)
            # the walk follows no linked folder: only a linked file can lead elsewhere
            real = _real(path, shown, problems) if found.linked else os.path.join(base, found.relative)
            if real is not None and _inside(real, base, shown, problems):
                taken.add(path, shown, real, _id_of(found.relative))
        return taken.files
    absolute_root = os.path.abspath(root)
    for path in [p for p in only or () if not p.name.startswith(("_", "."))]:
        absolute = os.path.abspath(path)
        inside = absolute.startswith(absolute_root + os.sep)
        relative = absolute[len(absolute_root) + 1 :] if inside else ""
        shown = os.path.join(shown_root, relative) if inside and shown_root != "." else display_path(path)
        real = _real(path, shown, problems, strict=path.is_symlink())
        if real is not None and (not inside or _inside(real, base, shown, problems)):
            pid = _id_of(relative) if inside else name_text(Path(absolute).stem)  # else named outside
            taken.add(path, shown, real, pid)
    return taken.files


def _real(path: Path, shown: str, problems: list[Problem], strict: bool = True) -> str | None:
    try:
        return str(path.resolve(strict=strict))
    except (OSError, RuntimeError) as exc:
        problems.append(Problem(shown, 1, 1, "unreadable", t("store.link", reason=exc)))
        return None


def _inside(real: str, base: str, shown: str, problems: list[Problem]) -> bool:
    """A link in the roadmaps directory that leads out of it is not followed."""
    if (real + os.sep).startswith(base + os.sep):
        return True
    problems.append(Problem(shown, 1, 1, "outside-root", t("store.outside", real=real, base=base)))
    return False


class _Taken:
    """The files admitted so far: each real file once, each id once (a second file is `duplicate-id`)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.read: set[str] = set()
        self.ids: dict[str, str] = {}
        self.files: list[RoadmapFile] = []

    def add(self, path: Path, shown: str, real: str, pid: str) -> None:
        if real in self.read:
            return  # the same file named twice
        self.read.add(real)
        if pid in self.ids:
            message = t("store.duplicate_id", id=pid, other=self.ids[pid])
            self.problems.append(Problem(shown, 1, 1, "duplicate-id", message))
            return
        self.ids[pid] = shown
        self.files.append(RoadmapFile(path, shown, pid))


def _id_of(relative: str) -> str:
    """The id of the file at `relative` (below the roadmaps directory): the path without extension,
    with `/`, as text (`safe.name_text`: NFC, a byte that is not UTF-8 as `\\x93`)."""
    return name_text(os.path.splitext(relative)[0].replace(os.sep, "/"))


def load_portfolio(root: Path, only: Iterable[Path] | None = None) -> Portfolio:
    """Load the plan and every project file (or only the given files) under `root`.

    A plan with any problem stops it (`PlanError`): nothing is judged with settings it did not mean.
    """
    plan, settings = load_settings(root)
    portfolio = Portfolio(root, plan, settings)
    for file in roadmap_files(root, only, portfolio.problems):
        roadmap, found = load_roadmap(file.path, portfolio.settings)
        portfolio.problems.extend(errors(found))
        portfolio.warnings.extend(p for p in found if p.warning)
        if roadmap is not None:
            portfolio.projects.append(Project(file.id, file.shown, roadmap))
    portfolio.problems.sort()
    return portfolio


class PlanError(StoreError):
    """The plan has problems: every command that depends on its settings stops and lists them.

    (Only `validate` goes on, reporting them with the other files' problems.) The message is a
    line saying so, then one `path:line:col: CODE message` line per problem.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        head = t("store.plan_invalid", path=self.problems[0].path, count=len(self.problems))
        super().__init__("\n".join([head, *map(str, self.problems)]))


def load_settings(root: Path) -> tuple[Plan | None, Settings]:
    """The plan of `root` and its settings (the defaults when there is no plan); `PlanError` if it has problems.

    The one gate between a plan and the commands that use it: a typo, a bad 年度開始月, broken
    YAML, an unreadable or outside plan never fall back to the defaults.
    """
    plan, problems = load_plan(root)
    if errors(problems):
        raise PlanError(errors(problems))
    return plan, Settings.from_plan(plan)


def load_plan(root: Path) -> tuple[Plan | None, list[Problem]]:
    path = root / PLAN_FILE
    if not os.path.lexists(path):
        return None, []
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        return None, [Problem(display_path(path), 1, 1, "unreadable", t("store.link", reason=exc))]
    if not real.is_relative_to(root.resolve()):
        return None, [
            Problem(display_path(path), 1, 1, "outside-root", t("store.outside", real=real, base=root.resolve()))
        ]
    document, problems = _read(path)
    if document is None:
        return None, problems
    plan, problems = _validate(document, PLAN)
    return plan, problems


def load_roadmap(path: Path, settings: Settings, as_of: date | None = None) -> tuple[Roadmap | None, list[Problem]]:
    """The roadmap (None if invalid) and its problems, errors first; warnings leave it valid.

    `as_of`: the date that the warnings which depend on one (`undated-actual`) are judged at.
    """
    document, problems = _read(path)
    if document is None:
        return None, problems
    return _checked(document, settings, as_of)


def parse_roadmap(
    text: str, path: str, settings: Settings, as_of: date | None = None
) -> tuple[Roadmap | None, list[Problem]]:
    """Validate a roadmap held in memory (a file about to be written, a git revision)."""
    try:
        document = source.load(text, path)
    except source.SourceError as exc:
        return None, [exc.problem]
    return _checked(document, settings, as_of)


def _checked(document: source.Document, settings: Settings, as_of: date | None) -> tuple[Roadmap | None, list[Problem]]:
    roadmap, problems = _validate(document, ROADMAP)
    if roadmap is None:
        return None, problems
    problems = sorted((_problem(document, f) for f in checks.check(roadmap, settings, as_of)), key=_errors_first)
    return (None if errors(problems) else roadmap), problems


def _errors_first(problem: Problem) -> tuple[bool, Problem]:
    return problem.warning, problem


def read_limited(path: Path) -> bytes:
    """The bytes of a regular file, at most one more than the size limit (a FIFO or device is refused)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, t("store.not_regular"))
        chunks = []
        remaining = source.MAX_BYTES + 1
        while remaining > 0 and (chunk := os.read(fd, min(remaining, 1 << 20))):
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read(path: Path) -> tuple[source.Document | None, list[Problem]]:
    shown = display_path(path)
    try:
        raw = read_limited(path)
    except OSError as exc:
        return None, [Problem(shown, 1, 1, "unreadable", t("store.unreadable", reason=exc.strerror or exc))]
    try:
        return source.load(source.decode(raw, shown), shown), []
    except source.SourceError as exc:
        return None, [exc.problem]


def _validate(document: source.Document, adapter: Any) -> tuple[Any, list[Problem]]:
    if not isinstance(document.data, dict):
        line, column = document.positions.values.get((), (1, 1))
        kind = t("source.kind_list") if isinstance(document.data, list) else t("source.kind_scalar")
        return None, [Problem(document.path, line, column, "not-mapping", t("source.not_mapping", kind=kind))]
    try:
        return adapter.validate_python(document.data), []
    except ValidationError as exc:
        return None, sorted({_from_pydantic(document, error) for error in exc.errors()})


def _problem(document: source.Document, finding: Finding) -> Problem:
    line, column = source.locate(document.data, document.positions, finding.loc, finding.at_key)
    return Problem(document.path, line, column, finding.code, finding.message)


_EXPECTED = {
    "string_type": "type.text",
    "int_type": "type.int",
    "int_parsing": "type.int",
    "int_from_float": "type.int",
    "float_type": "type.number",
    "float_parsing": "type.number",
    "list_type": "type.list",
    "dict_type": "type.mapping",
    "model_type": "type.mapping",
    "model_attributes_type": "type.mapping",
    "date_type": "type.date",
    "date_parsing": "type.date",
    "date_from_datetime_parsing": "type.date",
    "date_from_datetime_inexact": "type.date_only",
    "bool_type": "type.bool",
}


def _kind(value: Any) -> str:
    if value is None:
        return t("got.nothing")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return t("got.mapping")
    if isinstance(value, list):
        return t("got.list")
    if isinstance(value, (int, float)):
        return t("got.number", value=value)
    if isinstance(value, str):
        return t("got.text", value=repr(value))
    return str(value)


def _from_pydantic(document: source.Document, error: ErrorDetails) -> Problem:
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    at_key = False
    if kind in ("unknown-key", "duplicate-year"):
        loc, at_key = (*loc, ctx["key"]), True
    names = [part for part in loc if isinstance(part, str) and part not in ("[key]", "text", "task", "kpi", "entry")]
    where = f"{names[-1]}: " if names else ""
    if kind in CODES:
        code, message = kind, error["msg"]
    elif kind == "missing":
        code, message = "missing-key", t("model.missing_key", key=names[-1] if names else "").strip()
        loc = loc[:-1]
    elif kind in _EXPECTED:
        code = "wrong-type"
        message = t("model.wrong_type", where=where, expected=t(_EXPECTED[kind]), got=_kind(error["input"]))
    elif kind == "too_short" and names and names[-1] == "取組":
        code, message = "missing-key", t("model.no_initiative")
    else:
        code, message = "bad-value", f"{where}{error['msg']}"
    line, column = source.locate(document.data, document.positions, loc, at_key)
    return Problem(document.path, line, column, code, message)


def resolve_project(portfolio: Portfolio, query: str) -> Project:
    """A project by id, or by any unique part of an id or a 事業名; else a `StoreError` with candidates."""
    named = [(p.id, p.roadmap.name) for p in portfolio.projects]
    return portfolio.projects[pick(query, named, portfolio.problems)]


def pick(query: str, named: Sequence[tuple[str, str]], problems: Sequence[Problem]) -> int:
    """Which of the projects `named` (id, 事業名) `query` names, by its place; else a `StoreError` with candidates.

    An exact id or name first, else any unique part of an id or a name (NFKC, any case); a
    query that only an invalid file's name matches says what is wrong with that file. The query is
    read as ids are made (`safe.name_text`): in NFC, a name's bytes that are not UTF-8 as `\\x93`;
    an id as the tool shows it (`safe.clean`: `a\\x1bb` for a name with ESC) names it too.
    """
    query = name_text(query)
    for i, (pid, name) in enumerate(named):
        if query in (pid, name) or query == clean(pid):
            return i
    needle = normalize(query).casefold()
    matches = [
        i
        for i, (pid, name) in enumerate(named)
        if needle in normalize(pid).casefold() or needle in normalize(name).casefold()
    ]
    if len(matches) == 1:
        return matches[0]
    broken = [p for p in problems if needle in Path(p.path).stem.casefold()]
    if not matches and broken:
        raise StoreError(t("store.invalid_project", query=query, problem=broken[0]))
    pool = [named[i] for i in matches] if matches else list(named)
    listed = "; ".join(f"{pid} ({name})" for pid, name in pool[:20]) + (
        t("store.and_more", count=len(pool) - 20) if len(pool) > 20 else ""
    )
    if matches:
        raise StoreError(t("store.ambiguous", query=query, count=len(matches), listed=listed))
    more = t("store.projects_are", listed=listed) if pool else t("store.no_valid")
    raise StoreError(t("store.no_match", query=query, more=more))


# --- writing ----------------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


def lock_path(path: Path) -> Path:
    """The separate lock file of a data file (`os.replace` swaps the data file's inode).

    Keyed by the file's real path (every link resolved): one file has one lock, whatever name
    (a link, a linked folder) reaches it. It lies beside the real file, as `.<realname>.lock`.
    """
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.lock")


@contextmanager
def locked(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on `path`'s lock file; the kernel releases it if the process dies."""
    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise StoreError(t("store.lock_file", path=display_path(lock), reason=exc.strerror or exc)) from None
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise StoreError(
                    t("store.locked", path=display_path(path), lock=display_path(lock), timeout=f"{timeout:g}")
                )
            time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def write_file(path: Path, data: bytes | Iterable[bytes], *, exclusive: bool = False) -> None:
    """`write_atomic` for a file written whole (an export, a new roadmap): no lock is needed, since
    every writer renames its own complete temporary file into place (or, `exclusive`, links it)."""
    try:
        write_atomic(path, data, exclusive=exclusive, under_lock=False)
    except ValueError as exc:  # a NUL byte in the path, say
        raise StoreError(t("store.cannot_write", path=display_path(path), reason=exc)) from None


def output_kind(path: Path) -> str:
    """How an output file named by the user (`export -o PATH`) is written; else a `StoreError`.

    `"file"`: a regular file or a new name (also through a link), replaced atomically.
    `"stream"`: a FIFO or a character device (`/dev/stdout` on a terminal or a pipe), written
    into as it is, never replaced or removed. A folder, a socket or a block device is refused.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # a new name; else `write_file` says why it cannot write there
        return "file"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return "stream"
    kind = (
        "directory" if stat.S_ISDIR(mode) else
        "socket" if stat.S_ISSOCK(mode) else
        "block" if stat.S_ISBLK(mode) else
        "special"
    )  # fmt: skip
    raise StoreError(t("store.output_refused", path=display_path(path), kind=t(f"store.kind_{kind}")))


def write_output(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write what the user asked for into `path` as `output_kind` says: atomically, or straight into a stream."""
    if output_kind(path) == "file":
        write_file(path, data)
        return
    try:  # a FIFO waits here for its reader, as a shell's `>` does
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise StoreError(t("store.cannot_write_stream", path=display_path(path), reason=exc.strerror or exc)) from None
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):  # replaced by a file since it was looked at
        os.close(fd)
        write_file(path, data)
        return
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in [data] if isinstance(data, bytes) else data:
                out.write(piece)
    except OSError as exc:  # a reader that went away (EPIPE), a full device
        raise StoreError(t("store.cannot_write_stream", path=display_path(path), reason=exc.strerror or exc)) from None


SITE_MANIFEST = ".dxroadmap-site"  # the files `write_folder` wrote into a folder last time, one per line


def write_folder(folder: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Write `files` (relative names with `/`, in order) into `folder`, each atomically (`write_file`).

    `folder` is made if it is missing (its parent must exist); one that is a file, or anything but a
    folder, is refused before anything is written. A file listed in the folder's manifest (what this
    function wrote there last time) and not written now is removed — a project deleted since the last
    export leaves no stale page behind — and nothing else in the folder is touched.
    """
    output_folder(folder)
    _make_folder(folder, parents=False)
    manifest = folder / SITE_MANIFEST
    try:
        before = set(manifest.read_text(encoding="utf-8").splitlines()) if manifest.is_file() else set()
    except (OSError, UnicodeDecodeError):
        before = set()
    names = [name for name, _ in files]
    for name, data in files:
        parts = name.split("/")
        if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"not a relative name: {name!r}")  # the names are the report's own: a bug
        path = folder.joinpath(*parts)
        if len(parts) > 1:
            _make_folder(path.parent, parents=True)
        write_file(path, data)
    inside = folder.resolve()
    for stale in sorted(before - set(names)):
        parts = stale.split("/")
        if not stale or stale.startswith("/") or any(p in ("", ".", "..") for p in parts):
            continue
        path = folder.joinpath(*parts)
        with suppress(OSError, ValueError):  # only a regular file of ours, in the folder, never through a link
            if path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(inside):
                path.unlink()
    write_file(manifest, "".join(f"{name}\n" for name in names).encode())


def output_folder(folder: Path) -> None:
    """Refuse an output folder (`export --format site -o DIR`) that is a file or anything else but a folder."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(t("store.site_not_folder", path=display_path(folder)))


def _make_folder(folder: Path, *, parents: bool) -> None:
    try:
        folder.mkdir(parents=parents, exist_ok=True)
    except OSError as exc:
        raise StoreError(t("store.cannot_write", path=display_path(folder), reason=exc.strerror or exc)) from None


def write_atomic(
    path: Path, data: bytes | Iterable[bytes], *, exclusive: bool = False, under_lock: bool = True
) -> None:
    """Replace `path` (the target of a symlink) with `data`: the old or the new file, never half of one.

    `data` may come in pieces (a large export, written as it is made); if making them fails, the
    file is left as it was.
    A temporary file in the same folder is written, flushed and fsynced, given the old file's
    owner, group and mode, and renamed over the original; with `exclusive`, linked into place
    only if nothing is there yet. `under_lock`: the caller holds the file's lock, so temporary
    files of this file can only be left by a writer that died, and are removed.
    """
    real = path.resolve() if path.is_symlink() else path
    if under_lock:
        _sweep(real)
    try:
        try:
            old: os.stat_result | None = real.stat()
        except FileNotFoundError:
            old = None
        mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in [data] if isinstance(data, bytes) else data:
                    out.write(piece)
                out.flush()
                if old is not None:
                    _keep_owner(out.fileno(), old)
                if hasattr(os, "fchmod"):
                    os.fchmod(out.fileno(), mode)  # after chown, which may clear the set-id bits
                os.fsync(out.fileno())
            if not hasattr(os, "fchmod"):
                os.chmod(tmp, mode)
            if exclusive:
                os.link(tmp, real)
                os.unlink(tmp)
                # the new file is ours: what another writer of it left (killed before it could link) is stale, and
                # a writer still at work will find the file there and say so
                _sweep(real)
            else:
                os.replace(tmp, real)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_folder(real.parent)
    except FileExistsError:
        raise StoreError(t("store.exists", path=display_path(real))) from None
    except OSError as exc:
        if exclusive and os.path.lexists(real):  # its temporary file swept by the writer that got there first
            raise StoreError(t("store.exists", path=display_path(real))) from None
        raise StoreError(t("store.cannot_write", path=display_path(real), reason=exc.strerror or exc)) from None


def _sweep(real: Path) -> None:
    """The temporary files of `real` left by a writer that died; what cannot be removed (a folder of that name, say)
    is left, never a failure of the write."""
    for stale in real.parent.glob(f".{real.name}.*.tmp"):
        with suppress(OSError):
            stale.unlink()


def _keep_owner(fd: int, old: os.stat_result) -> None:
    """Give the new file the old one's owner and group (root can; another user only a group of theirs)."""
    new = os.fstat(fd)
    if (new.st_uid, new.st_gid) == (old.st_uid, old.st_gid) or not hasattr(os, "fchown"):
        return
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except PermissionError:  # not root: the owner cannot be given away; keep the group if it is ours
        with suppress(PermissionError):
            os.fchown(fd, -1, old.st_gid)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
