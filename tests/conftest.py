"""Shared fixtures: copies of the shipped roadmaps and the sample portfolio, and a CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.testing
from hypothesis import HealthCheck, Phase, settings
from typer.testing import CliRunner, Result

from dxroadmap import i18n
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


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """With workers (`-n auto` in pyproject.toml) and no `--dist` asked for: `worksteal` rather than xdist's default
    `load`, which queues large runs of consecutive tests on each worker ahead of time, so that one worker can go
    idle while the other still holds half a minute of them (measured: ~35 s of a 4-minute run); with `worksteal`
    an idle worker takes half of what the other has queued."""
    if config.option.numprocesses and config.option.dist == "no" and not config.option.distload:
        config.option.dist = "worksteal"


# The command line, built once per language and reused. Typer builds the Click command from the app's functions
# (evaluating their type hints, ~25 ms) at every `CliRunner().invoke`, thousands of times in this suite; a real
# process builds it once. What the build reads is the app's commands and the language current then (the help
# texts: `dxroadmap.__main__` sets it before building), so a command built earlier in that language is the same.
_build_command = typer.testing._get_command
_BUILT: dict[tuple[int, int, int, str], tuple[typer.Typer, Any]] = {}


def _built_command(typer_app: typer.Typer) -> Any:
    key = (id(typer_app), len(typer_app.registered_commands), len(typer_app.registered_groups), i18n.language())
    if key not in _BUILT:
        _BUILT[key] = (typer_app, _build_command(typer_app))  # the app kept alive: its id stays its own
    return _BUILT[key][1]


typer.testing._get_command = _built_command

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


# A copy of roadmaps/kurashi-dx-kiban.yaml, inline for the same reason.
SEED_ID = "kurashi-dx-kiban"
SEED_ROADMAP = """\
# yaml-language-server: $schema=../schemas/roadmap.schema.json
# 推進方法(ロードマップのイメージ) — 暮らし・まち分野
政策分野: 暮らし・まち分野
事業名: 暮らし・まちのDX創出基盤の構築
担当課: 企画政策部DX推進課
概要: 本県における地域の利便性や暮らしの質の向上を目的とする地域社会のデジタル化(DX)促進に向け、その環境整備と地域の課題解決に資する市町村の具体的な取組を支援し、本県全体でのDX対応を推進する。
取組:
  - 名称: 地域社会のデジタル化促進に向けた環境整備
    目標:
      R5: [ニーズ調査, ロードマップ作成]
      R6: [ロードマップの随時アップデート]
      R7: [ニーズ再調査]
    実績:
      R5: [ニーズ調査]

  - 名称: デジタル実装支援
    目標:
      R5: [フィールドワーク, 実装モデル導入試験, 現地研修会]
      R6: [フィールドワーク, 実装モデル導入試験, 現地研修会]
      R7: [フィールドワーク, 実装モデル導入試験, 現地研修会]
      R8: [フィールドワーク, 実装モデル導入試験, 現地研修会]

  - 名称: 効果的に横展開するための環境整備についての検討
    目標:
      R5: [検討会の実施]
      R6: [検討とりまとめ]
      R7: [サービスの実施]
"""  # noqa: E501 (the source document's 概要 is one long line)

# The files the repository ships, named: a test that copies or judges them sees none a user has added
# (test_source checks that these are the files git tracks).
SEED_FILES = ("_plan.yaml", f"{SEED_ID}.yaml")
SAMPLE_FILES = (
    "_plan.yaml",
    "gyosei/data-katsuyo.yaml",
    "gyosei/kakanai-madoguchi.yaml",
    "gyosei/security-kyoka.yaml",
    "gyosei/shinsei-online.yaml",
    "kurashi/bosai-joho.yaml",
    "kurashi/demand-kotsu.yaml",
    "kurashi/kosodate-app.yaml",
    "kurashi/online-shinryo.yaml",
    "sangyo/chusho-dx.yaml",
    "sangyo/kanko-data.yaml",
    "sangyo/kensetsu-ict.yaml",
    "sangyo/smart-nogyo.yaml",
)
SHIPPED = [*(ROADMAPS / name for name in SEED_FILES), *(EXAMPLES / name for name in SAMPLE_FILES)]


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty cache directory of its own (never the user's)."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("DXROADMAP_CACHE_DIR", str(folder))
    monkeypatch.delenv("DXROADMAP_NO_CACHE", raising=False)
    monkeypatch.delenv("DXROADMAP_JOBS", raising=False)
    return folder


def write_seed(folder: Path) -> Path:
    """Make `folder` a roadmaps folder holding SEED_PLAN and SEED_ROADMAP (never the repository's own roadmaps/,
    which a user may have edited or added to, e.g. with the README's `new` example)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_plan.yaml").write_text(SEED_PLAN, encoding="utf-8")
    (folder / f"{SEED_ID}.yaml").write_text(SEED_ROADMAP, encoding="utf-8")
    return folder


def copy_sample(folder: Path) -> Path:
    """Make `folder` a roadmaps folder holding a copy of the sample portfolio's SAMPLE_FILES (and nothing else)."""
    for name in SAMPLE_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(EXAMPLES / name, folder / name)
    return folder


@pytest.fixture
def seed_repo(tmp_path: Path) -> Path:
    """A repository folder holding the seed roadmaps (the source document's roadmap), written from the inline copy."""
    write_seed(tmp_path / "roadmaps")
    return tmp_path


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A repository folder holding a copy of the fictional sample portfolio."""
    copy_sample(tmp_path / "roadmaps")
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


# --- hypothesis profiles -------------------------------------------------------------------

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
_QUICK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]  # no "explain": it is slow
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=_HEALTH, phases=_QUICK)
settings.register_profile("long", max_examples=20_000, deadline=None, suppress_health_check=_HEALTH)


def fuzz_settings(share: int = 1) -> settings:
    """The settings of every property run: the "long" profile when asked for (`--hypothesis-profile=long` or
    HYPOTHESIS_PROFILE=long: 20,000 examples, for a night), else "ci" (300, the suite's 4 minutes); with
    1/`share` of its examples. Chosen when the test runs, after the hypothesis plugin loaded a profile."""
    wanted = os.environ.get("HYPOTHESIS_PROFILE") or settings.get_current_profile_name()
    profile = settings.get_profile("long" if wanted == "long" else "ci")
    return settings(profile, max_examples=max(20, (profile.max_examples or 100) // share))
