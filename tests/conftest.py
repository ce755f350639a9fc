"""Shared fixtures: copies of the shipped roadmaps and the sample portfolio, and a CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
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
INTERNAL_ERROR = 70  # the exit code of a bug (dxroadmap.guard.INTERNAL): no test expects it, ever


def no_crash(code: int, *output: str | bytes | None) -> None:
    """Fail on an internal error (exit 70) of the command, whatever the test expected, showing what it printed."""
    if code == INTERNAL_ERROR:
        shown = "\n".join(o.decode("utf-8", "replace") if isinstance(o, bytes) else o for o in output if o)
        pytest.fail(f"dxroadmap crashed (exit {INTERNAL_ERROR}, an internal error):\n{shown}")


# Commands run as subprocesses (their environment copied at import) share one cache folder of this
# test session, never the user's; in-process runs get one each (`own_cache`).
_SESSION_CACHE = tempfile.mkdtemp(prefix="dxroadmap-test-cache-")
os.environ["DXROADMAP_CACHE_DIR"] = _SESSION_CACHE
atexit.register(shutil.rmtree, _SESSION_CACHE, True)

# A copy of roadmaps/_plan.yaml, inline so that edits to the shipped files do not move the tests that use it.
SEED_PLAN = """\
# yaml-language-server: $schema=../schemas/plan.schema.json
計画名: (仮称)青森県DX推進プラン
期間: {開始: R5, 終了: R9}
年度開始月: 4
報告期限日数: 30
分野:
  - 名称: 産業・しごと
    取組方針: [農林水産業のDX, 観光業のDX, 建設業のDX, 商工業のDX, 働き方のDX]
  - 名称: 暮らし・まち
    取組方針: [医療・福祉のDX, 子育てのDX, 教育のDX, 地域交通のDX, 防災・防犯のDX, 環境のDX, デジタル・デバイド]
  - 名称: 行政経営
    取組方針: [住民の利便性の向上, データの利活用, 情報セキュリティの強化, 自治体業務のDX化]
会議:
  - {名称: 第1回策定委員会, 日付: 2023-05-10}
  - {名称: 第2回策定委員会, 日付: 2023-06-07}
  - {名称: 第3回策定委員会, 日付: 2023-07-26}
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty cache directory of its own (never the user's)."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("DXROADMAP_CACHE_DIR", str(folder))
    monkeypatch.delenv("DXROADMAP_NO_CACHE", raising=False)
    monkeypatch.delenv("DXROADMAP_JOBS", raising=False)
    return folder


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
        no_crash(result.exit_code, result.output)
        assert "Traceback" not in result.output
        return result

    return invoke
