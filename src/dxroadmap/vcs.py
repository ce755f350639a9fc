"""git, through the `git` command: the few calls `record --commit` needs.

Plumbing-style output only (`--porcelain`), never text meant for humans.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from dxroadmap.problems import StoreError


def _git(folder: Path, *args: str) -> str:
    if shutil.which("git") is None:
        raise StoreError("git is not installed: --commit needs it")
    proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip().splitlines()
        raise StoreError(f"git {args[0]}: {message[-1] if message else f'exit {proc.returncode}'}")
    return proc.stdout


def check_committable(path: Path) -> None:
    """Refuse when `path` is outside a git work tree or has uncommitted changes of its own."""
    folder = path.resolve().parent
    try:
        _git(folder, "rev-parse", "--is-inside-work-tree")
    except StoreError:
        raise StoreError(f"{path}: not inside a git repository, so --commit cannot commit it") from None
    status = _git(folder, "status", "--porcelain=v1", "--", path.resolve().name)
    if status.strip():
        raise StoreError(f"{path} has uncommitted changes already; commit or discard them first (nothing was written)")


def commit_file(path: Path, message: str) -> str:
    """Commit exactly this file with `message`; return the new commit's short hash."""
    folder = path.resolve().parent
    name = path.resolve().name
    _git(folder, "add", "--", name)
    _git(folder, "commit", "--quiet", "-m", message, "--only", "--", name)
    return _git(folder, "rev-parse", "--short", "HEAD").strip()
