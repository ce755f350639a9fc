"""The README's example outputs are what the commands print on the demo repository (scripts/demo.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT / "scripts" / "demo.py"
DXROADMAP = Path(sys.executable).parent / "dxroadmap"


def demo(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # a git hook's GIT_DIR, say
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--dxroadmap", str(DXROADMAP), *map(str, args)],
        cwd=PROJECT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_readme_examples_are_what_the_demo_prints(tmp_path: Path) -> None:
    readme = (PROJECT / "README.md").read_bytes()
    roadmaps = digest(PROJECT / "roadmaps")
    proc = demo("readme", "--check", "--tmp", tmp_path / "demo")
    assert proc.returncode == 0, (
        f"README examples drifted; run `python scripts/demo.py readme`\n{proc.stdout}{proc.stderr}"
    )
    assert "README examples are up to date" in proc.stdout
    assert (PROJECT / "README.md").read_bytes() == readme  # --check writes nothing
    assert digest(PROJECT / "roadmaps") == roadmaps  # the demo is built elsewhere


def git_log(folder: Path) -> list[str]:
    proc = subprocess.run(
        ["git", "-C", str(folder), "log", "--format=%H %an %ad %s", "--date=iso"],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.splitlines()


def test_the_demo_history_is_the_same_on_every_build(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for folder in (first, second):
        proc = demo("build", folder)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    log = git_log(first)
    assert log == git_log(second)
    subjects = [line.split(" ", 1)[1] for line in log]
    assert len(subjects) == 3
    assert "record: kurashi-dx-kiban R8 Q2" in subjects[0] and "2026-10-10" in subjects[0]
    assert "replan" in subjects[1] and "2026-06-10" in subjects[1]
    assert subjects[2].startswith("青森太郎 2023-06-07")


def test_build_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    proc = demo("build", tmp_path)
    assert proc.returncode == 1
    assert "not empty" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
