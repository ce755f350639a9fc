"""The pre-commit hooks of .pre-commit-hooks.yaml, as another repository uses them.

pre-commit clones this project, builds a virtualenv and pip-installs dxroadmap into it: this needs
the network (PyPI) and takes a while. What is cloned is a snapshot of the working tree (tracked and
untracked files, .gitignore applied) committed in a temporary repository: `try-repo` on this
project itself would use only committed and tracked files, so a new hook file would be missed.

The snapshot and pre-commit's store (PRE_COMMIT_HOME) are made once per test session, shared by
the xdist workers (pre-commit locks its store: the hook environment is built once, by whichever
run comes first, and reused by the others); each test has its own repository. `pre-commit try-repo`
would build in a throwaway store every time, whatever PRE_COMMIT_HOME says: the try-repo tests run
what it runs (the config it writes, with `pre-commit run`) in the session's store instead.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import INTERNAL_ERROR, no_crash, write_seed

PROJECT = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
TIMEOUT = 300
VALID = "roadmaps/kurashi-dx-kiban.yaml"
PROBLEM_LINE = re.compile(r"^roadmaps/kurashi-dx-kiban\.yaml:13:5: unknown-key ", re.MULTILINE)


def _git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def _init_repo(path: Path, env: dict[str, str]) -> None:
    _git(path, "init", "-q", env=env)
    _git(path, "config", "user.name", "dxroadmap test", env=env)
    _git(path, "config", "user.email", "test@example.invalid", env=env)
    _git(path, "config", "commit.gpgsign", "false", env=env)


def _commit_all(path: Path, message: str, env: dict[str, str]) -> str:
    _git(path, "add", "-A", env=env)
    _git(path, "commit", "-q", "-m", message, env=env)
    return _git(path, "rev-parse", "HEAD", env=env).strip()


def _pre_commit(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(PRE_COMMIT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    if f"- exit code: {INTERNAL_ERROR}\n" in done.stdout:  # a hook (dxroadmap) crashed
        no_crash(INTERNAL_ERROR, done.stdout, done.stderr)
    return done


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


def _break(repo: Path) -> None:
    """A typo in a key (実積 for 実績) at line 13, column 5: an unknown-key problem."""
    path = repo / VALID
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[12] == "    実績:"
    path.write_text(text.replace("    実績:", "    実積:", 1), encoding="utf-8")


def _shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session that every xdist worker sees (the workers' temporary folders are in it)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "pre-commit-shared"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every git and pre-commit run: its own caches (shared by the session), no colour,
    nothing inherited."""
    if not PRE_COMMIT.exists():
        pytest.fail(f"{PRE_COMMIT} not found: install the test extra (pip install -e '.[test]')")
    home = _shared(tmp_path_factory) / "pre-commit-home"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DXROADMAP_", "PRE_COMMIT", "GIT_"))}
    return {
        **inherited,
        "PRE_COMMIT_HOME": str(home),
        "PRE_COMMIT_COLOR": "never",
        "VIRTUALENV_OVERRIDE_APP_DATA": str(home / "virtualenv-app-data"),
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """A committed snapshot of this project's working tree: (its path, its commit), made by the first worker
    that asks (under a lock) and read by the others."""
    shared = _shared(tmp_path_factory)
    snapshot, made = shared / "hook-repo", shared / "hook-repo.commit"
    with open(shared / "hook-repo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            shutil.rmtree(snapshot, ignore_errors=True)  # what a worker that failed half-way left
            snapshot.mkdir()
            listed = _git(PROJECT, "ls-files", "-z", "--cached", "--others", "--exclude-standard", env=env)
            for name in filter(None, listed.split("\0")):
                source = PROJECT / name
                if source.is_file():  # a tracked file deleted in the working tree is not listed on disk
                    (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, snapshot / name)
            assert (snapshot / ".pre-commit-hooks.yaml").is_file()
            _init_repo(snapshot, env)
            made.write_text(_commit_all(snapshot, "snapshot", env), encoding="utf-8")
    return snapshot, made.read_text(encoding="utf-8")


@pytest.fixture
def user_repo(tmp_path: Path, hook_repo: tuple[Path, str], env: dict[str, str]) -> Path:
    """Another repository: roadmaps/ with the plan and one roadmap, and a config using both hooks."""
    repo = tmp_path / "user-repo"
    write_seed(repo / "roadmaps")
    url, rev = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {url}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: dxroadmap-validate\n"
        "      - id: dxroadmap-slipping\n",
        encoding="utf-8",
    )
    _init_repo(repo, env)
    _commit_all(repo, "roadmaps", env)
    return repo


def _try_repo(
    user_repo: Path, hook_repo: tuple[Path, str], *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """What `pre-commit try-repo HOOK_REPO dxroadmap-validate ARGS` runs: the config it writes (the hook repository
    at its HEAD, this hook alone) with `pre-commit run`, in the session's store rather than a throwaway one."""
    url, rev = hook_repo
    config = user_repo.parent / "try-repo-config.yaml"
    config.write_text(f"repos:\n  - repo: {url}\n    rev: {rev}\n    hooks:\n      - id: dxroadmap-validate\n", "utf-8")
    return _pre_commit(user_repo, "run", "--config", str(config), *args, env=env)


def test_try_repo_passes_a_valid_roadmap(user_repo: Path, hook_repo: tuple[Path, str], env: dict[str, str]) -> None:
    done = _try_repo(user_repo, hook_repo, "--files", VALID, env=env)
    assert done.returncode == 0, _output(done)
    assert re.search(r"^Validate DX roadmaps \(ロードマップの検証\)\.+Passed$", done.stdout, re.MULTILINE), _output(
        done
    )


def test_try_repo_fails_a_broken_roadmap_with_its_problem_line(
    user_repo: Path, hook_repo: tuple[Path, str], env: dict[str, str]
) -> None:
    _break(user_repo)
    done = _try_repo(user_repo, hook_repo, "--all-files", env=env)
    assert done.returncode == 1, _output(done)
    assert re.search(r"\.+Failed$", done.stdout, re.MULTILINE), _output(done)
    assert PROBLEM_LINE.search(done.stdout), _output(done)


def test_run_from_config_validates_changed_files(user_repo: Path, env: dict[str, str]) -> None:
    passed = _pre_commit(user_repo, "run", "--files", VALID, "roadmaps/_plan.yaml", env=env)
    assert passed.returncode == 0, _output(passed)
    assert "dxroadmap-slipping" not in passed.stdout and "Nothing slipping" not in passed.stdout  # manual stage only

    _break(user_repo)
    failed = _pre_commit(user_repo, "run", "dxroadmap-validate", "--files", VALID, env=env)
    assert failed.returncode == 1, _output(failed)
    assert PROBLEM_LINE.search(failed.stdout), _output(failed)

    # files outside roadmaps/ are not passed: the hook is skipped
    (user_repo / "other.yaml").write_text("not: [a roadmap\n", encoding="utf-8")
    skipped = _pre_commit(user_repo, "run", "dxroadmap-validate", "--files", "other.yaml", env=env)
    assert skipped.returncode == 0, _output(skipped)
    assert "(no files to check)Skipped" in skipped.stdout, _output(skipped)


def test_the_plan_file_alone_is_checked(user_repo: Path, env: dict[str, str]) -> None:
    plan = user_repo / "roadmaps" / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("年度開始月: 4", "年度開始月: 4\n計画期間: R5"), "utf-8")
    done = _pre_commit(user_repo, "run", "dxroadmap-validate", "--files", "roadmaps/_plan.yaml", env=env)
    assert done.returncode == 1, _output(done)
    assert re.search(r"^roadmaps/_plan\.yaml:\d+:1: unknown-key ", done.stdout, re.MULTILINE), _output(done)


def test_slipping_hook_runs_in_the_manual_stage(user_repo: Path, env: dict[str, str]) -> None:
    # the shipped roadmap has R5 targets never achieved: missed, whatever today is
    done = _pre_commit(user_repo, "run", "--hook-stage", "manual", "dxroadmap-slipping", env=env)
    assert done.returncode == 1, _output(done)
    assert re.search(r"^Nothing slipping \(遅延・未達・未報告なし\)\.+Failed$", done.stdout, re.MULTILINE), _output(
        done
    )
    assert re.search(r"^\| ✖ missed \| kurashi-dx-kiban \| .* \| R5 \| ", done.stdout, re.MULTILINE), _output(done)
