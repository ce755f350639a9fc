"""git, through the `git` command: committing a record, and reading the review log.

Plumbing output only (`--porcelain`, `--raw -z`, `cat-file --batch`), never text meant for humans.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from dxroadmap.i18n import t
from dxroadmap.problems import StoreError


def _git(folder: Path, *args: str) -> str:
    if shutil.which("git") is None:
        raise StoreError(t("git.missing"))
    proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip().splitlines()
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


# --- reading history --------------------------------------------------------------------

ZERO = "0" * 40


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
        try:
            top = _git(folder, "rev-parse", "--show-toplevel").strip()
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
        out = self.git("log", "--first-parent", "--format=%H%x00%aI", "HEAD")
        for line in out.splitlines():
            sha, when = line.split("\x00")
            if datetime.fromisoformat(when).date() < day:
                return sha
        return None

    def log(self, path: str, revisions: str = "HEAD") -> list[Commit]:
        """Commits touching `path`, parents before children, with their changes (merges: per parent)."""
        out = self.git(
            "log", "--reverse", "--topo-order", "--raw", "-z", "--no-abbrev", "-M", "--no-color",
            "--format=%x1e%H%x00%P%x00%an%x00%aI", revisions, "--", path or ".",
        )  # fmt: skip
        commits = []
        for chunk in out.split("\x1e")[1:]:
            fields = chunk.split("\x00")
            sha, parents, author, when = fields[:4]
            commit = Commit(sha, parents.split(), author, datetime.fromisoformat(when))
            commit.changes = _raw(fields[4:])
            commits.append(commit)
        return commits

    def diff(self, parent: str, commit: str, path: str) -> list[FileChange]:
        out = self.git("diff-tree", "-r", "-z", "--raw", "--no-abbrev", "-M", parent, commit, "--", path or ".")
        return _raw(out.split("\x00"))

    def tree(self, revision: str, path: str) -> dict[str, str]:
        """path -> blob of every file below `path` at `revision`."""
        out = self.git("ls-tree", "-r", "-z", "--full-tree", revision, "--", path or ".")
        files = {}
        for entry in filter(None, out.split("\x00")):
            meta, name = entry.split("\t", 1)
            _mode, kind, blob = meta.split()
            if kind == "blob":
                files[name] = blob
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


def _raw(fields: list[str]) -> list[FileChange]:
    """Parse `--raw -z` records: `:mode mode blob blob STATUS\\0path\\0[path\\0]`."""
    changes = []
    i = 0
    while i < len(fields):
        meta = fields[i].lstrip("\n")
        if not meta.startswith(":"):
            i += 1
            continue
        _old_mode, _new_mode, old_blob, new_blob, status = meta[1:].split()
        kind = status[0]
        if kind in "RC":
            old_path, new_path = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old_path = new_path = fields[i + 1]
            i += 2
        changes.append(
            FileChange(
                kind,
                None if kind == "A" else old_path,
                None if kind == "D" else new_path,
                None if old_blob == ZERO else old_blob,
                None if new_blob == ZERO else new_blob,
            )
        )
    return changes
