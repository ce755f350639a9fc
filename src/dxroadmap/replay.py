"""A reading command run again on unchanged files prints what it printed, without working it out again.

`status`, `slipping`, `show`, `validate` (without named files) and `history` print a function of their
request and of the files below their roadmaps directories (`show`, `history` and `status --since`: and
of the review log, git's commits). Such a
run is *recorded*: its output (stdout and stderr, in the order written) and exit code, under a key made
of everything else the output can depend on, with the stamp of every file and folder it could have
read. A later run with the same key whose inputs all have the same stamps *replays* it: the bytes
written again, the same exit code, before Typer, Pydantic, ruamel.yaml or Rich are imported (one
`stat` a file: ~40 ms at 10,000 files).

- **The key**: the command line as given, the current folder, the whole environment (language,
  `COLUMNS`, `NO_COLOR`, `TERM`, `TZ`…; `OLDPWD` and `_` aside), which standard streams are terminals,
  their sizes and encodings, today's date, the Python and its flags, and the stamps of this package's
  files and of every folder on `sys.path` (installing or upgrading any library changes one).
- **The inputs**: every folder below each roadmaps directory and every file in them (names that start
  with `.` aside: nothing reads them), by size, mtime, ctime and inode (`cachedir.stamp`), taken when the run ends;
  where the roadmaps directory was found from the current folder, `roadmaps` in each folder on the way
  up to it (a nearer `roadmaps/` made later would be found instead); with the review log, the refs, `HEAD`, shallow
  and graft files and configuration of the git repository (or that there is none: no `.git` on the way
  up), the user's and the system's git configuration, and `git` in each folder of `PATH`.
- **Racy runs are not recorded**: if any input changed less than `cachedir.RACY_NS` before the run began, or
  during it, nothing is kept (its stamp could stay the same through another change; the ctime, which no
  program can set back, moves on every change). Neither is a run that failed (any exit but 0 and 1),
  could not write its output, drew a progress bar, wrote more than `MAX_OUTPUT` bytes, or ended on
  another day than it began.
- **Trust**: records live in `replay/` of the cache directory, a folder that must be the user's own and
  writable by no one else, as each record must (else nothing is replayed or recorded); a record is
  checked whole (CRC-32) before any of it is used, its key compared in full, and anything unexpected is a
  miss: the command runs. Records are `marshal` data, which only the user's own processes can have
  written there.
"""

from __future__ import annotations

import io
import marshal
import os
import stat
import sys
import time
import zlib
from contextlib import suppress

from dxroadmap.cachedir import Stamp, cache_dir, racy, stamp

TYPE_CHECKING = False  # `typing` costs more than a replay: imported for the type checker only
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path
    from typing import Any

    Input = tuple[str, Stamp | None]  # None: absent

FORMAT = b"dxroadmap replay 1"
COMMANDS = frozenset({"status", "slipping", "show", "validate", "history"})  # those that may be recorded (`reads`)
MAX_OUTPUT = 4 * 1024 * 1024  # larger outputs (a 10,000-project JSON) come from the portfolio cache instead
MAX_RECORD = MAX_OUTPUT + 64 * 1024 * 1024  # the output and the stamps of some 500,000 inputs: a larger file is foreign
KEPT = 32  # records kept; the oldest go
VOLATILE = frozenset({"OLDPWD", "_"})  # what a shell changes between two runs that no output depends on
DRAWN = (b"\x1b[?25l", b"\r")  # a progress bar (the cursor hidden, lines redrawn): such a run is not replayed
GIT_STATE = ("HEAD", "config", "packed-refs", "shallow", "refs", "reftable", "info", "commondir", "objects/info")

_session: _Session | None = None


# --- answering -------------------------------------------------------------------------------


def answer(argv: Sequence[str]) -> None:
    """Replay the record of this request if every input is as it was: write it and exit with its code.
    Otherwise return (and, for a command that may be recorded, get ready to record this run)."""
    global _session
    if len(argv) < 2 or argv[1] not in COMMANDS:
        return
    try:
        folder = _folder()
        if folder is None:
            return
        facts = request(argv)
        name = _name(facts)
        found = _load(os.path.join(folder, name), facts)
    except Exception:  # a replay is only ever a shortcut: anything unexpected, and the command runs
        return
    if found is not None:
        code, chunks = found
        streams = {1: sys.stdout, 2: sys.stderr}
        for which, data in chunks:
            streams[which].buffer.write(data)
            streams[which].flush()
        raise SystemExit(code)
    _session = _Session(folder, name, facts)


def _load(path: str, facts: object) -> tuple[int, list[tuple[int, bytes]]] | None:
    """The exit code and output the record at `path` holds, if it is one of `facts` whose inputs are unchanged;
    None for anything else (no record, a damaged or foreign one: this run records it anew)."""
    try:
        return _replayable(_read_own(path), facts)
    except Exception:
        return None


def _replayable(raw: bytes, facts: object) -> tuple[int, list[tuple[int, bytes]]] | None:
    head, _, payload = raw.partition(b"\n")
    if head != FORMAT + b" %08x" % zlib.crc32(payload):
        return None
    kept, code, chunks, inputs = marshal.loads(payload)
    if kept != facts or code not in (0, 1) or not _unchanged(inputs):
        return None
    if not all(which in (1, 2) and type(data) is bytes for which, data in chunks):
        return None
    return code, chunks


def _unchanged(inputs: list[Input]) -> bool:
    """Every input's stamp now is the one recorded (`None`: it did not exist, and still does not)."""
    return all(stamp(path) == was for path, was in inputs)


# --- the key -----------------------------------------------------------------------------------


def request(argv: Sequence[str]) -> tuple[Any, ...]:
    """Everything besides the files that a reading command's output can depend on."""
    terminals = []
    for fd in (0, 1, 2):
        tty = os.isatty(fd)
        terminals.append((tty, tuple(os.get_terminal_size(fd)) if tty else None))
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE))
    encodings = tuple(str(getattr(stream, "encoding", None)) for stream in (sys.stdin, sys.stdout, sys.stderr))
    return (tuple(argv[1:]), os.getcwd(), env, tuple(terminals), encodings, repr(sys.flags), _today(), _program())


def _name(facts: tuple[Any, ...]) -> str:
    """The record's file name: a checksum of the key (a collision is only a miss: the key is compared in full)."""
    text = repr(facts).encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}"


def _today() -> str:
    return time.strftime("%Y-%m-%d")  # as `date.today()`: the local date


def _program() -> tuple[Any, ...]:
    """The Python, this package's files and the folders libraries are installed in, by their stamps."""
    package = os.path.dirname(os.path.abspath(__file__))
    files = []
    for folder in (package, os.path.join(package, "report")):
        with os.scandir(folder) as listing:
            files += [(e.path, stamp(e.path)) for e in listing if e.is_file()]
    places = tuple((p, stamp(p)) for p in sys.path if p and os.path.isdir(p))
    return sys.executable, sys.version, tuple(sorted(files)), places


def _folder() -> str | None:
    """`replay/` in the cache directory, if it is this user's own and no one else can write it."""
    base = cache_dir()
    if base is None:
        return None
    folder = os.path.join(base, "replay")
    try:
        s = os.stat(folder)
    except FileNotFoundError:
        return folder  # made, private, when a run is first recorded
    return folder if stat.S_ISDIR(s.st_mode) and _private(s) else None


def _private(s: os.stat_result) -> bool:
    return s.st_uid == os.geteuid() and not s.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_own(path: str) -> bytes:
    """The file at `path`, if it is a file this user owns and no one else can write (no link followed, no FIFO
    waited on), of a size a record can have."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        s = os.fstat(fd)
        if not stat.S_ISREG(s.st_mode) or not _private(s) or s.st_size > MAX_RECORD:
            raise PermissionError(path)
        return file.read()


# --- recording ---------------------------------------------------------------------------------


class _Session:
    """This run, being recorded: its key, when it began, what it wrote, and the directories it read."""

    def __init__(self, folder: str, name: str, facts: tuple[Any, ...]) -> None:
        self.folder, self.name, self.facts = folder, name, facts
        self.began = time.time_ns()
        self.day = _today()
        self.chunks: list[tuple[int, bytes]] = []
        self.size = 0
        self.failed = False  # a write failed (a closed pipe, a full disk): what was kept is not what was shown
        self.roots: Callable[[], Sequence[Path]] | None = None
        self.only: Callable[[], Sequence[Path]] | None = None
        self.found = False  # the roadmaps directory was looked for from the current folder
        self.git = False  # the output depends on the review log too (git's commits)

    def add(self, which: int, data: bytes) -> None:
        self.size += len(data)
        if self.size <= MAX_OUTPUT:
            self.chunks.append((which, data))


def reads(
    roots: Callable[[], Sequence[Path]],
    found: bool,
    git: bool = False,
    only: Callable[[], Sequence[Path]] | None = None,
) -> None:
    """Called by a command whose output depends on the request and the files below `roots()` only (and with
    `git`, on the commits of the repository they are in): this run may be recorded. `found`: the roadmaps
    directory was looked for from the current folder (no `--dir`). `only()`: the files it read, if it read only
    those (`show` of an exact id: the plan and one file); empty, every file below `roots()`."""
    if _session is not None:
        _session.roots, _session.found, _session.git, _session.only = roots, found, git, only


class _Tee(io.RawIOBase):
    """What a teed standard stream writes into: its bytes go through to the stream's own buffer and onto the
    session's tape, in the order they reach the streams; the stream's descriptor and terminal-ness are its own."""

    def __init__(self, stream: io.TextIOWrapper, which: int, session: _Session) -> None:
        super().__init__()
        self.stream, self.which, self.session = stream, which, session

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        try:
            self.stream.buffer.write(data)
            self.stream.buffer.flush()
        except BaseException:
            self.session.failed = True
            raise
        self.session.add(self.which, data)
        return len(data)

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()


def _teed(stream: io.TextIOWrapper, which: int, session: _Session) -> io.TextIOWrapper:
    stream.flush()
    tee = io.BufferedWriter(_Tee(stream, which, session))
    return io.TextIOWrapper(tee, encoding=stream.encoding, errors=stream.errors, line_buffering=stream.line_buffering)


def recording(body: Callable[[], object]) -> None:
    """Run the command line; with a session (see `answer`), record it if it asked to be (`reads`) and may be."""
    session = _session
    out, err = sys.stdout, sys.stderr
    if session is None or not isinstance(out, io.TextIOWrapper) or not isinstance(err, io.TextIOWrapper):
        body()
        return
    # the teed streams stay in place after the command (they write through): the command line may have put a
    # wrapper of its own around one (Click's on a closed pipe), which `guard` looks for
    sys.stdout, sys.stderr = _teed(out, 1, session), _teed(err, 2, session)
    try:
        body()
    except SystemExit as exc:
        _ended(session, exc.code)
        raise
    _ended(session, 0)


def _ended(session: _Session, code: object) -> None:
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except Exception:
        session.failed = True
    if code in (0, 1) and session.roots is not None and not session.failed:
        with suppress(Exception):  # a record not kept costs the next run its shortcut, nothing else
            _keep(session, code)


def _keep(session: _Session, code: int) -> None:
    if session.size > MAX_OUTPUT or _today() != session.day:
        return
    if os.isatty(2) and any(mark in data for which, data in session.chunks if which == 2 for mark in DRAWN):
        return
    assert session.roots is not None
    roots = session.roots()
    inputs = list(_inputs(roots, session.found, session.only() if session.only is not None else ()))
    if session.git:
        for root in roots:
            repository = _repository(root, inputs)
            if repository is None:
                return
            if repository:
                inputs += _tree(repository, GIT_STATE)
        inputs += [(path, stamp(path)) for path in _git_config()]
        inputs += [(path, stamp(path)) for path in _git_programs()]
    if any(seen is not None and racy(seen, session.began) for _, seen in inputs):
        return
    payload = marshal.dumps((session.facts, code, session.chunks, inputs))
    _write(session.folder, session.name, FORMAT + b" %08x\n" % zlib.crc32(payload) + payload)


def _inputs(roots: Sequence[Path], found: bool, only: Sequence[Path]) -> Iterator[Input]:
    """Every folder and file below `roots` (dot-names aside), or `only` these files and the folders from their
    root down to them, with their stamps; with `found`, `roadmaps` in each folder from the current one up to the
    one it was found in (absent, or not a folder: one made there later would be found instead). The current
    folder itself is not an input: a report written there (`status > report.txt`) changes it, not what is read."""
    if found:
        folder = os.path.realpath(os.getcwd())
        targets = {os.path.realpath(root) for root in roots}
        while True:
            candidate = os.path.join(folder, "roadmaps")
            yield candidate, stamp(candidate)
            parent = os.path.dirname(folder)
            if os.path.realpath(candidate) in targets or parent == folder:
                break
            folder = parent
    if only:
        tops = [os.path.abspath(root) for root in roots]
        for path in map(os.path.abspath, only):
            for top in tops:
                folder = os.path.dirname(path)
                while folder == top or folder.startswith(top + os.sep):  # the folders a rename there would change
                    yield folder, stamp(folder)
                    folder = os.path.dirname(folder)
            yield path, stamp(path)
        return
    for root in roots:
        pending = [os.path.abspath(root)]
        while pending:
            folder = pending.pop()
            yield folder, stamp(folder)
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    yield entry.path, stamp(entry.path)


def _tree(top: str, names: Sequence[str]) -> Iterator[Input]:
    """`names` in folder `top` with their stamps (`None`: absent), and everything below those that are folders."""
    pending = [os.path.join(top, name) for name in names]
    while pending:
        path = pending.pop()
        yield path, stamp(path)
        if os.path.isdir(path) and not os.path.islink(path):
            with suppress(OSError), os.scandir(path) as listing:
                pending += [entry.path for entry in listing]


def _repository(root: Path, inputs: list[Input]) -> str | None:
    """The `.git` folder of the repository `root` is in ('' if none: each `.git` on the way up noted absent, as
    one made later would make it one); None for one this module does not follow (a worktree's or a submodule's
    `.git` file): the run is not recorded."""
    folder = os.path.realpath(root)
    while True:
        dot = os.path.join(folder, ".git")
        if os.path.isdir(dot):
            return dot
        if os.path.lexists(dot):
            return None
        inputs.append((dot, None))
        parent = os.path.dirname(folder)
        if parent == folder:
            return ""
        folder = parent


def _git_config() -> list[str]:
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return [os.path.join(home, ".gitconfig"), os.path.join(xdg, "git", "config"), "/etc/gitconfig"]


def _git_programs() -> list[str]:
    """`git` in every folder of `PATH`: the one that runs, and any that would run instead if made or removed."""
    return [os.path.join(folder, "git") for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if folder]


def _write(folder: str, name: str, data: bytes) -> None:
    """The record, whole or not at all, readable by this user only; the oldest records beyond `KEPT` removed."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not _private(os.stat(folder)):
        return
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, os.path.join(folder, name))
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    with suppress(OSError):
        records = sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns)
        for stale in records[:-KEPT]:
            os.unlink(stale.path)
