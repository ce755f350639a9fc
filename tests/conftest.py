"""Shared fixtures: copies of the shipped roadmaps and the sample portfolio, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dxroadmap.cli import app

PROJECT = Path(__file__).resolve().parent.parent
ROADMAPS = PROJECT / "roadmaps"
EXAMPLES = PROJECT / "examples" / "roadmaps"
AS_OF = "2026-11-26"
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "DXROADMAP_LANG": ""}

Run = Callable[..., Result]


@pytest.fixture
def seed_repo(tmp_path: Path) -> Path:
    """A repository folder holding a copy of the shipped roadmaps/ (the source document's roadmap)."""
    shutil.copytree(ROADMAPS, tmp_path / "roadmaps")
    return tmp_path


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A repository folder holding a copy of the fictional sample portfolio."""
    shutil.copytree(EXAMPLES, tmp_path / "roadmaps")
    return tmp_path


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `dxroadmap ARGS…` in a folder, as a user would, with a wide colourless English terminal."""

    def invoke(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
        monkeypatch.delenv("DXROADMAP_DIR", raising=False)
        if cwd is not None:
            monkeypatch.chdir(cwd)
        result = CliRunner().invoke(app, list(args), env={**ENV, **(env or {})}, catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    return invoke
