"""git, through the `git` command: committing a record, and reading the review log.

Plumbing output only (`--porcelain`, `--raw -z`, `cat-file --batch`), never text meant for humans.
Whatever holds data (paths, author names) is read from NUL-separated output (`-z`), its shape
known by counts: a path or a name may hold any byte but NUL (a tab, a newline, `\x1e`, `|`) and
still cannot break a record. Paths are decoded as Python decodes file names (`os.fsdecode`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from dxroadmap.i18n import t
from dxroadmap.problems import StoreError


def _git(folder: Path, *args: str) -> str:
    """The output of a git command, decoded as file names are (`os.fsdecode`)."""
    return os.fsdecode(_git_bytes(folder, *args))


def _git_bytes(folder: Path, *args: str) -> bytes:
    if shutil.which("git") is None:
        raise StoreError(t("git.missing"))
    proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
        raise StoreError(
            t("git.failed", command=args[0], message=message[-1] if message else f"exit {proc.returncode}")
        )
    return proc.stdout


def check_committable(path: Path) -> None:
    """Refuse when `path` is outside a git work tree or has uncommitted changes of its own."""
    folder = path.resolve().parent
    try:
        _git(folder, "rev-parse", "--is-inside-work-tree")
    except StoreError:
        raise StoreError(t("git.not_repo_commit", path=path)) from None
    status = _git(folder, "status", "--porcelain=v1", "--", path.resolve().name)
    if status.strip():
        raise StoreError(t("git.dirty", path=path))


def commit_file(path: Path, message: str) -> str:
    """Commit exactly this file with `message`; return the new commit's short hash."""
    folder = path.resolve().parent
    name = path.resolve().name
    _git(folder, "add", "--", name)
    _git(folder, "commit", "--quiet", "-m", message, "--only", "--", name)
    return _git(folder, "rev-parse", "--short", "HEAD").strip()


def commit_files(paths: Iterable[Path], message: str) -> str:
    """Commit exactly these files (of one work tree) with `message`, as one commit; return its short hash.

    Paths are given to git as literal pathspecs, so a name holding `*` or `:` names only itself.
    """
    real = [path.resolve() for path in paths]
    top = Path(_git(real[0].parent, "rev-parse", "--show-toplevel").removesuffix("\n")).resolve()
    specs = [":(literal)" + Path(os.path.relpath(path, top)).as_posix() for path in real]
    _git(top, "add", "--", *specs)
    _git(top, "commit", "--quiet", "-m", message, "--only", "--", *specs)
    return _git(top, "rev-parse", "--short", "HEAD").strip()


# --- reading history --------------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    """One file changed by a commit, against one parent (`--raw` output)."""

    status: str  # A, M, D, R, C, T
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None


@dataclass
class Commit:
    sha: str
    parents: list[str]
    author: str
    date: datetime
    changes: list[FileChange] = field(default_factory=list)


class Repo:
    """A git work tree, read through plumbing commands."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("git") is None:
            raise StoreError(t("git.missing"))
        # one call for the usual case: not shallow, the top (a name may hold a line break, or end in a space), and
        # a commit at HEAD, written last; anything else is asked again one question at a time, for its refusal
        proc = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--is-shallow-repository", "--verify", "--quiet", "HEAD^{commit}",
             "--show-toplevel"],
            capture_output=True, check=False,
        )  # fmt: skip
        shallow, _, rest = os.fsdecode(proc.stdout).partition("\n")
        top, _, head = rest.removesuffix("\n").rpartition("\n")
        if proc.returncode == 0 and shallow == "false" and top and _SHA.fullmatch(head.encode()):
            self.top = Path(top)
            return
        try:
            top = _git(folder, "rev-parse", "--show-toplevel").removesuffix("\n")  # a name may end in a space
        except StoreError:
            raise StoreError(t("git.not_repo", path=folder)) from None
        if _git(folder, "rev-parse", "--is-shallow-repository").strip() == "true":
            raise StoreError(t("git.shallow"))
        self.top = Path(top)
        try:
            _git(self.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        except StoreError:
            raise StoreError(t("git.no_commits")) from None

    def git(self, *args: str) -> str:
        return _git(self.top, *args)

    def author_date(self, revision: str) -> datetime:
        out = _git_bytes(self.top, "log", "-1", "-z", "--format=%aI", "--end-of-options", revision, "--")
        return datetime.fromisoformat(_Fields(out).take(_DATE).decode())

    def relative(self, path: Path) -> str:
        """`path` relative to the top of the work tree, as git writes it."""
        rel = Path(os.path.relpath(path.resolve(), self.top.resolve())).as_posix()
        return "" if rel == "." else rel

    def resolve(self, revision: str) -> str | None:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(self.top),
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                f"{revision}^{{commit}}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def rev_parse(self, revisions: str) -> str | None:
        """The commits a revision or a range (`A..B`) names, as `rev-parse` writes them (`B`, `^A`); None: not one."""
        if revisions.startswith("-"):
            return None
        proc = subprocess.run(
            ["git", "-C", str(self.top), "rev-parse", revisions, "--"], capture_output=True, check=False
        )
        lines = proc.stdout.split(b"\n")
        if proc.returncode != 0 or lines[-2:] != [b"--", b""] or not all(_RANGE.fullmatch(x) for x in lines[:-2]):
            return None
        return b" ".join(lines[:-2]).decode() or None

    def resolve_blob(self, revision: str, path: str) -> str | None:
        proc = subprocess.run(
            ["git", "-C", str(self.top), "rev-parse", "--verify", "--quiet", f"{revision}:{path}"],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def first_parent_before(self, day: date) -> str | None:
        """The last commit on HEAD's first-parent line authored before `day`."""
        fields = _Fields(_git_bytes(self.top, "log", "--first-parent", "-z", "--format=%H%x00%aI", "HEAD"))
        while not fields.done():
            sha, when = fields.take(_SHA).decode(), fields.take(_DATE).decode()
            if datetime.fromisoformat(when).date() < day:
                return sha
        return None

    def log(self, path: str, revisions: str = "HEAD") -> list[Commit]:
        """Commits touching `path`, parents before children, with their changes (merges: per parent)."""
        # per commit: four NUL-terminated fields, then (if it changed anything under `path`) a
        # newline and its `--raw -z` records; the next commit follows at once
        out = _git_bytes(
            self.top, "log", "--reverse", "--topo-order", "--raw", "-z", "--no-abbrev", "-M", "--no-color",
            "--format=%H%x00%P%x00%an%x00%aI", revisions, "--", path or ".",
        )  # fmt: skip
        fields = _Fields(out)
        commits = []
        while not fields.done():
            sha = fields.take(_SHA).decode()
            parents = fields.take(_PARENTS).decode().split()
            author = fields.take().decode("utf-8", "replace")  # any byte but NUL: the field is counted, not parsed
            when = datetime.fromisoformat(fields.take(_DATE).decode())
            commit = Commit(sha, parents, author, when)
            commit.changes = _raw(fields, first_prefix=b"\n")
            commits.append(commit)
        return commits

    def diff(self, parent: str, commit: str, path: str) -> list[FileChange]:
        fields = _Fields(
            _git_bytes(
                self.top, "diff-tree", "-r", "-z", "--raw", "--no-abbrev", "-M", parent, commit, "--", path or "."
            ),
            "diff-tree",
        )
        changes = _raw(fields)
        if not fields.done():
            raise fields.unexpected()
        return changes

    def tree(self, revision: str, path: str) -> dict[str, str]:
        """path -> blob of every file below `path` at `revision` (`ls-tree -z`: `mode type blob\tpath\0`)."""
        out = _git_bytes(self.top, "ls-tree", "-r", "-z", "--full-tree", revision, "--", path or ".")
        files = {}
        for entry in out.split(b"\x00")[:-1]:  # each entry ends in NUL
            meta, tab, name = entry.partition(b"\t")  # the meta part holds no tab; the path may
            match = _TREE_META.fullmatch(meta)
            if not tab or match is None:
                raise StoreError(t("git.failed", command="ls-tree", message=repr(entry[:80])))
            if match[1] == b"blob":
                files[os.fsdecode(name)] = match[2].decode()
        return files

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of blobs, through one `git cat-file --batch`."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        proc = subprocess.run(
            ["git", "-C", str(self.top), "cat-file", "--batch"],
            input="".join(f"{sha}\n" for sha in wanted).encode(),
            capture_output=True,
            check=False,
        )
        data, pos, found = proc.stdout, 0, {}
        for sha in wanted:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue
            size = int(header[2])
            found[sha] = data[pos : pos + size]
            pos += size + 1
        return found


_SHA = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
_PARENTS = re.compile(rb"(?:[0-9a-f]{40}(?:[0-9a-f]{24})?(?: [0-9a-f]{40}(?:[0-9a-f]{24})?)*)?")
_RANGE = re.compile(rb"\^?[0-9a-f]{40}(?:[0-9a-f]{24})?")  # a commit of a range, `^` before one excluded
_DATE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)")
_RAW_META = re.compile(
    rb":([0-7]{6}) ([0-7]{6}) ([0-9a-f]{40}(?:[0-9a-f]{24})?) ([0-9a-f]{40}(?:[0-9a-f]{24})?) ([ACDMRTUX])(\d{0,3})"
)
_TREE_META = re.compile(rb"[0-7]{6} (blob|tree|commit) ([0-9a-f]{40}(?:[0-9a-f]{24})?)")


class _Fields:
    """NUL-terminated fields of git output, taken one at a time; each is checked for the shape expected there."""

    def __init__(self, out: bytes, command: str = "log") -> None:
        self.command = command
        self.fields = out.split(b"\x00")
        self.i = 0
        if self.fields[-1] != b"":  # every field ends in NUL, so the last piece of the split is empty
            raise self.unexpected()
        self.fields.pop()

    def done(self) -> bool:
        return self.i >= len(self.fields)

    def peek(self) -> bytes | None:
        return None if self.done() else self.fields[self.i]

    def take(self, shape: re.Pattern[bytes] | None = None) -> bytes:
        field = self.peek()
        if field is None or (shape is not None and shape.fullmatch(field) is None):
            raise self.unexpected()
        self.i += 1
        return field

    def unexpected(self) -> StoreError:
        near = self.fields[self.i][:80] if not self.done() else b"(end)"
        return StoreError(t("git.failed", command=self.command, message=f"unexpected output near {near!r}"))


def _raw(fields: _Fields, first_prefix: bytes = b"") -> list[FileChange]:
    """`--raw -z` records at the fields' position: `:mode mode blob blob STATUS\\0path\\0[path\\0]`.

    A rename or copy (R, C) has two paths, every other status one: the paths are counted, so
    they may hold anything. Records end where a field is no record (the next commit, or the
    end). `first_prefix`: what `git log` writes before a commit's first record (a newline).
    """
    changes = []
    prefix = first_prefix
    while (field := fields.peek()) is not None and field.startswith(prefix + b":"):
        match = _RAW_META.fullmatch(field[len(prefix) :])
        if match is None:
            raise fields.unexpected()
        fields.take()
        prefix = b""
        old_blob, new_blob, kind = match[3].decode(), match[4].decode(), match[5].decode()
        if kind in "RC":
            old_path, new_path = os.fsdecode(fields.take()), os.fsdecode(fields.take())
        else:
            old_path = new_path = os.fsdecode(fields.take())
        changes.append(
            FileChange(
                kind,
                None if kind == "A" else old_path,
                None if kind == "D" else new_path,
                None if not old_blob.strip("0") else old_blob,  # all zeros: no blob (SHA-1 or SHA-256)
                None if not new_blob.strip("0") else new_blob,
            )
        )
    return changes
