"""Hostile input through every command that reads files (issue #7).

1. A table of hostile files and directory layouts (`HOSTILE`), each run through `validate`,
   `status`, `show`, `slipping`, `record`, `export` and `history`: one `path:line:col: CODE`
   line (or a clear one-line refusal), the right exit code, a few seconds, nothing written
   but what was asked for, nothing read from outside the roadmaps directory.
2. Fuzzing: near-valid roadmaps, mutated as data and as text, through the parser (never an
   exception; a valid file loads to the same model twice) and, a few of them, through the CLI.
3. Output safety in every format: Rich markup literal, no control or format character on the
   terminal, JSON escaping them with the data unchanged, no formula in CSV or xlsx, HTML escaped.
4. Paths: no project id, symlink or argument makes the tool read or write outside.
5. Writes under fire: `new` and `export` killed, run concurrently, or out of disk space.

The fuzzing profile is "ci" by default (fast); for a long run, either
`HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_hostile.py -o addopts= -k fuzz`
or `.venv/bin/python -m pytest -p tests.test_hostile --hypothesis-profile=long tests/test_hostile.py -k fuzz`
(`-p` registers the profiles before the hypothesis plugin loads the named one; the fuzz tests read the
profile when they run).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import io
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from dxroadmap import progress, source, store
from dxroadmap.cli import app
from dxroadmap.model import PLAN as PLAN_MODEL
from dxroadmap.model import Project, Roadmap
from dxroadmap.problems import CODES, WARNINGS, Problem
from dxroadmap.report import data as report_data
from dxroadmap.settings import Settings
from tests.conftest import INTERNAL_ERROR, SEED_PLAN, fuzz_settings

# --- the files ------------------------------------------------------------------------------

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "DXROADMAP_LANG": ""}
AS_OF = "2026-11-26"  # R8, last completed quarter R8 Q2
LIMIT = 5.0  # seconds: "within a few seconds"
DXROADMAP = Path(sys.executable).with_name("dxroadmap")
SUB_ENV = {k: v for k, v in os.environ.items() if k != "DXROADMAP_DIR"} | ENV
IS_ROOT = os.geteuid() == 0

PLAN = SEED_PLAN

# The good project beside every hostile file: the seed roadmap with a quarterly actual and a KPI.
GOOD = """\
# yaml-language-server: $schema=../schemas/roadmap.schema.json
政策分野: 暮らし・まち分野
事業名: 暮らし・まちのDX創出基盤の構築
担当課: 企画政策部DX推進課
概要: 地域社会のデジタル化促進に向けた環境整備と市町村の取組を支援する。
取組方針: [子育てのDX]
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
      R8: [フィールドワーク, 実装モデル導入試験, 現地研修会]
    実績:
      R8:
        - 四半期: Q1
          内容: 3市町村でフィールドワークを実施
          達成: [フィールドワーク]
          見通し: 順調

  - 名称: 導入支援
    目標:
      R8: [{指標: 導入市町村数, 目標値: 10, 単位: 市町村, 基準値: 0}]
"""
GOOD_NAME = "暮らし・まちのDX創出基盤の構築"
HOSTILE_NAME = "敵対的入力の検証用事業"
HOSTILE_BASE = GOOD.replace(GOOD_NAME, HOSTILE_NAME)
SECRET_TOKEN = "SECRET-OUTSIDE-7f3a"  # text that lives only outside the roadmaps directory
SECRET = GOOD.replace(GOOD_NAME, f"外部の秘密 {SECRET_TOKEN}")
RECORD_NOTE = "敵対入力の横で記録"

PROBLEM = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[a-z0-9-]+)(?: |$)")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def variant(old: str, new: str, text: str = HOSTILE_BASE) -> str:
    """`text` with its one occurrence of `old` replaced (a case that replaces nothing is a broken test)."""
    if text.count(old) != 1:
        raise ValueError(f"{old!r} must occur exactly once")
    return text.replace(old, new)


def billion_laughs() -> str:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    return bomb


# --- the hostile cases ----------------------------------------------------------------------

Build = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile layout: `build(root)` adds it to a roadmaps directory holding `_plan.yaml` and `good.yaml`.

    `codes` must all be reported, and at least one of `any_of`; neither: the layout is valid.
    `query` names the hostile project for `show`/`record`; `resolves` when that finds a valid
    project, and `writes` what a record into it may change. `simple`: the hostile part is one
    regular file `hostile.yaml`, so the review log sees it too. `deny`: names made unreadable.
    `isolate`: may hang or eat memory, so it runs in subprocesses with limits. `plan`: the plan is
    what is broken, so every command but `validate` stops with its problems (exit 1, nothing written).
    """

    id: str
    build: Build
    codes: frozenset[str] = frozenset()
    any_of: frozenset[str] = frozenset()
    query: str = "hostile"
    resolves: bool = False
    writes: tuple[str, ...] = ("roadmaps/hostile.yaml",)
    simple: bool = False
    deny: tuple[str, ...] = ()
    isolate: bool = False
    plan: bool = False
    plan_rule: bool = False  # invalid only by the plan's rules, which the review log does not apply
    warns: frozenset[str] = frozenset()  # warnings `validate` must print (the layout stays valid)

    @property
    def invalid(self) -> bool:
        return bool(self.codes or self.any_of)

    @property
    def logged(self) -> bool:
        """Whether `history` warns about it: one invalid file, committed, invalid without the plan too."""
        return self.simple and self.invalid and not self.plan_rule


def put(name: str, content: str | bytes) -> Build:
    def build(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return build


def file_case(
    id: str, content: str | bytes, codes: tuple[str, ...] = (), any_of: tuple[str, ...] = (), **kw: Any
) -> Case:
    return Case(id, put("hostile.yaml", content), frozenset(codes), frozenset(any_of), simple=True, **kw)


def edit_case(
    id: str, old: str, new: str, codes: tuple[str, ...] = (), any_of: tuple[str, ...] = (), **kw: Any
) -> Case:
    return file_case(id, variant(old, new), codes, any_of, **kw)


def plan_case(id: str, content: str | bytes, codes: tuple[str, ...] = (), any_of: tuple[str, ...] = ()) -> Case:
    return Case(id, put("_plan.yaml", content), frozenset(codes), frozenset(any_of), plan=True)


def layout_case(id: str, build: Build, codes: tuple[str, ...] = (), **kw: Any) -> Case:
    return Case(id, build, frozenset(codes), **kw)


def _link(name: str, target: str | Path) -> Build:
    def build(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    return build


def _links(*builds: Build) -> Build:
    def build(root: Path) -> None:
        for one in builds:
            one(root)

    return build


def _python_tag(root: Path) -> None:
    marker = root.parent / "pwned"
    text = variant("概要: 地域社会", f"概要: !!python/object/apply:os.system ['touch {marker}'] #")
    (root / "hostile.yaml").write_text(text, encoding="utf-8")


def _sparse(size: int, name: str = "hostile.yaml") -> Build:
    def build(root: Path) -> None:
        with open(root / name, "wb") as out:
            out.write(HOSTILE_BASE.encode())
            out.truncate(size)

    return build


def _plan_directory(root: Path) -> None:
    (root / "_plan.yaml").unlink()
    (root / "_plan.yaml").mkdir()


def _plan_link(target: str) -> Build:
    def build(root: Path) -> None:
        (root / "_plan.yaml").unlink()
        (root / "_plan.yaml").symlink_to(target)

    return build


def _fifo(root: Path) -> None:
    os.mkfifo(root / "hostile.yaml")


def _directory_named_yaml(root: Path) -> None:
    (root / "hostile.yaml").mkdir()


def _unreadable_folder(root: Path) -> None:
    (root / "locked").mkdir()
    (root / "locked" / "hostile.yaml").write_text(HOSTILE_BASE, encoding="utf-8")


MANY_TARGETS = ", ".join(f"t{i}" for i in range(2_000))
HUGE_TEXT = "長" * 330_000  # ~1 MB of UTF-8 on one line, under the 1 MiB limit
BIG_INT = "1" + "0" * 400  # fits no float

HOSTILE: list[Case] = [
    # YAML features that are refused
    file_case("alias-bomb", billion_laughs(), ("alias",)),
    file_case("alias-quadratic", f'a: &a "{"x" * 50_000}"\nb: [' + ", ".join(["*a"] * 5_000) + "]\n", ("alias",)),
    file_case(
        "merge-key-alias",
        "base: &b {名称: x}\n" + variant("  - 名称: 導入支援\n", "  - <<: *b\n    名称: 導入支援\n"),
        ("alias",),
    ),
    file_case("merge-key-literal", "<<: {名称: x}\n" + HOSTILE_BASE, ("unknown-key",)),
    edit_case("anchor-only", "担当課: 企画", "担当課: &o 企画", ("alias",)),
    file_case("deep-flow", "[" * 100_000, ("too-deep",)),
    file_case("deep-flow-mapping", "a: " + "{b: [" * 30_000, ("too-deep",)),
    file_case("deep-block", "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "v\n", ("too-deep",)),
    file_case("deep-block-sequence", "- " * 50_000 + "x\n", ("too-deep",)),
    Case("python-object-apply", _python_tag, frozenset({"yaml-tag"}), simple=True),
    edit_case("python-name", "概要: 地域社会", "概要: !!python/name:os.system ''\n#", ("yaml-tag",)),
    edit_case("tag-include", "概要: 地域社会", "概要: !include /etc/passwd\n#", ("yaml-tag",)),
    edit_case("tag-binary", "概要: 地域社会", "概要: !!binary aGVsbG8=\n#", ("yaml-tag",)),
    edit_case("tag-set", "取組方針: [子育てのDX]", "取組方針: !!set {子育てのDX}", ("yaml-tag",)),
    edit_case(
        "tag-verbatim", "担当課: 企画", "担当課: !<tag:yaml.org,2002:python/object:os.system> 企画", ("yaml-tag",)
    ),
    file_case(
        "tag-directive",
        "%TAG !py! tag:yaml.org,2002:python/object/apply:\n---\n事業名: !py!os.system [id]\n",
        ("yaml-tag",),
    ),
    file_case("two-documents", HOSTILE_BASE + "---\n" + HOSTILE_BASE, ("yaml-syntax",)),
    edit_case("duplicate-key-quoted", "担当課:", '"事業名": 二重\n担当課:', ("duplicate-key",)),
    edit_case(
        "conflict-marker",
        "      R7: [ニーズ再調査]\n",
        "<<<<<<< HEAD\n      R7: [a]\n=======\n      R7: [b]\n>>>>>>> x\n",
        ("conflict-marker",),
    ),
    edit_case("tab-indent", "      R7: [ニーズ再調査]\n", "\tR7: [ニーズ再調査]\n", ("yaml-syntax",)),
    # bytes
    edit_case("nul-byte", "概要: 地域", "概要: 地\x00域", ("binary",)),
    edit_case("raw-escape", "概要: 地域", "概要: 地\x1b]0;pwned\x07\x1b[2J域", ("yaml-syntax",)),
    edit_case("raw-c1-csi", "概要: 地域", "概要: 地\x9b31m域", ("yaml-syntax",)),
    edit_case("noncharacter", "概要: 地域", "概要: 地\ufffe域", ("yaml-syntax",)),
    file_case("surrogate-bytes", HOSTILE_BASE.encode().replace("地域".encode(), b"\xed\xa0\x80", 1), ("not-utf8",)),
    file_case("overlong-utf8", HOSTILE_BASE.encode().replace("地域".encode(), b"\xc0\xaf", 1), ("not-utf8",)),
    # every encoding a Japanese PC produces
    file_case("shift-jis", HOSTILE_BASE.encode("cp932"), ("not-utf8",)),
    file_case("euc-jp", HOSTILE_BASE.encode("euc_jp"), ("not-utf8",)),
    file_case("iso-2022-jp", HOSTILE_BASE.encode("iso2022_jp"), any_of=("not-utf8", "yaml-syntax")),
    file_case("utf-16-le-bom", b"\xff\xfe" + HOSTILE_BASE.encode("utf-16-le"), ("not-utf8",)),
    file_case("utf-16-be-bom", b"\xfe\xff" + HOSTILE_BASE.encode("utf-16-be"), ("not-utf8",)),
    file_case("utf-16-le-no-bom", HOSTILE_BASE.encode("utf-16-le"), any_of=("not-utf8", "binary")),
    file_case("utf-32", HOSTILE_BASE.encode("utf-32"), any_of=("not-utf8", "binary")),
    file_case("utf-8-bom", b"\xef\xbb\xbf" + HOSTILE_BASE.encode(), resolves=True),
    file_case("utf-8-bom-crlf", b"\xef\xbb\xbf" + HOSTILE_BASE.replace("\n", "\r\n").encode(), resolves=True),
    file_case("cr-only-line-ends", HOSTILE_BASE.replace("\n", "\r"), resolves=True),
    file_case("bom-alone", b"\xef\xbb\xbf", ("empty-file",)),
    file_case("bom-and-comments", b"\xef\xbb\xbf# \xe7\xa9\xba\r\n\r\n", ("empty-file",)),
    file_case("empty", b"", ("empty-file",)),
    # size
    file_case("too-large", HOSTILE_BASE + "# " + "x" * (2 << 20) + "\n", ("too-large",)),
    Case("sparse-16-mib", _sparse(16 << 20), frozenset({"too-large"}), simple=True),
    edit_case("huge-line", "概要: 地域", f"概要: {HUGE_TEXT}地域", resolves=True),
    edit_case("many-targets", "R7: [ニーズ再調査]", f"R7: [{MANY_TARGETS}]", resolves=True),
    file_case(
        "many-unknown-keys", "".join(f"未知のキー{i}: 値\n" for i in range(3_000)) + HOSTILE_BASE, ("unknown-key",)
    ),
    file_case("huge-key", "k" * 200_000 + ": 1\n" + HOSTILE_BASE, any_of=("unknown-key", "yaml-syntax")),
    edit_case("huge-int-kpi-target", "目標値: 10", f"目標値: {BIG_INT}", any_of=("bad-value", "wrong-type")),
    edit_case("huge-int-year", "      R7: [ニーズ再調査]", f"      {BIG_INT[:300]}: [ニーズ再調査]", ("bad-year",)),
    # links, folders, special files
    layout_case("symlink-self-loop", _link("hostile.yaml", "hostile.yaml"), ("unreadable",)),
    layout_case(
        "symlink-pair-loop",
        _links(_link("hostile.yaml", "hostile2.yaml"), _link("hostile2.yaml", "hostile.yaml")),
        ("unreadable",),
    ),
    layout_case("symlink-dangling", _link("hostile.yaml", "nowhere.yaml"), ("unreadable",)),
    layout_case("symlink-outside", _link("hostile.yaml", "../outside/secret.yaml"), ("outside-root",)),
    layout_case("symlink-etc-passwd", _link("hostile.yaml", "/etc/passwd"), ("outside-root",)),
    layout_case(
        "symlink-outside-from-subfolder", _link("sub/hostile.yaml", "../../outside/secret.yaml"), ("outside-root",)
    ),
    layout_case("symlinked-folder-outside", _link("ext", "../outside"), ("outside-root",)),
    layout_case(
        "symlink-inside",
        _links(put("_shared/real.yaml", HOSTILE_BASE), _link("hostile.yaml", "_shared/real.yaml")),
        resolves=True,
        writes=("roadmaps/_shared/real.yaml",),
    ),
    layout_case("directory-named-yaml", _directory_named_yaml),
    layout_case("unreadable-file", put("hostile.yaml", HOSTILE_BASE), ("unreadable",), deny=("hostile.yaml",)),
    layout_case("unreadable-folder", _unreadable_folder, ("unreadable",), deny=("locked",)),
    layout_case(
        "duplicate-id",
        _links(put("hostile.yaml", HOSTILE_BASE), put("hostile.yml", HOSTILE_BASE)),
        ("duplicate-id",),
        resolves=True,
    ),
    layout_case(
        "duplicate-id-subfolder",
        _links(put("sub/hostile.yml", HOSTILE_BASE), put("sub/hostile.yaml", HOSTILE_BASE)),
        ("duplicate-id",),
        resolves=True,
        writes=("roadmaps/sub/hostile.yaml",),
    ),
    layout_case("name-with-newline", put("hostile\nline.yaml", "- x\n"), ("not-mapping",)),
    layout_case("name-with-escapes", put("hostile\x1b]0;pwned\x07\x1b[31m\u202e.yaml", "- x\n"), ("not-mapping",)),
    layout_case("name-with-markup", put("[bold]hostile[/bold].yaml", "- x\n"), ("not-mapping",)),
    # the rules
    edit_case("duplicate-initiative", "名称: 導入支援", "名称: デジタル実装支援", ("duplicate-initiative",)),
    edit_case("duplicate-initiative-half-width", "名称: 導入支援", "名称: ﾃﾞｼﾞﾀﾙ実装支援", ("duplicate-initiative",)),
    edit_case("duplicate-year", "      R7: [ニーズ再調査]", "      令和5年度: [ニーズ再調査]", ("duplicate-year",)),
    edit_case("unknown-key", "    実績:\n      R5", "    実積:\n      R5", ("unknown-key",)),
    edit_case("missing-key", "担当課: 企画政策部DX推進課\n", "", ("missing-key",)),
    edit_case("unknown-field", "政策分野: 暮らし・まち分野", "政策分野: 宇宙開発", ("unknown-field",), plan_rule=True),
    edit_case("unknown-focus", "取組方針: [子育てのDX]", "取組方針: [宇宙のDX]", ("unknown-focus",), plan_rule=True),
    edit_case(
        "year-out-of-period",
        "      R7: [ニーズ再調査]",
        "      R12: [ニーズ再調査]",
        warns=frozenset({"year-out-of-period"}),
        resolves=True,
    ),
    edit_case("year-far-off", "      R7: [ニーズ再調査]", "      R77: [ニーズ再調査]", ("bad-year",), plan_rule=True),
    edit_case(
        "undated-actual",
        "      R8:\n        - 四半期: Q1\n",
        "      R8:\n        - 現地研修会\n        - 四半期: Q1\n",
        warns=frozenset({"undated-actual"}),
        resolves=True,
    ),
    edit_case(
        "duplicate-entry",
        "    実績:\n      R5: [ニーズ調査]",
        "    実績:\n      R5: [ニーズ調査, ニーズ調査]",
        warns=frozenset({"duplicate-entry"}),
        resolves=True,
    ),
    edit_case("bad-quarter", "四半期: Q1", "四半期: Q5", ("bad-quarter",)),
    edit_case("unknown-target", "達成: [フィールドワーク]", "達成: [存在しない目標]", ("unknown-target",)),
    # every field with the wrong type
    edit_case("field-as-list", "政策分野: 暮らし・まち分野", "政策分野: [暮らし・まち分野]", ("wrong-type",)),
    edit_case("name-as-mapping", f"事業名: {HOSTILE_NAME}", f"事業名: {{名: {HOSTILE_NAME}}}", ("wrong-type",)),
    edit_case("owner-as-bool", "担当課: 企画政策部DX推進課", "担当課: true", ("wrong-type",)),
    edit_case(
        "summary-as-date",
        "概要: 地域社会のデジタル化促進に向けた環境整備と市町村の取組を支援する。",
        "概要: 2024-04-01",
        ("date-as-text",),
    ),
    edit_case(
        "focus-as-mapping", "取組方針: [子育てのDX]", "取組方針: {子育てのDX: 1}", any_of=("wrong-type", "bad-value")
    ),
    file_case("initiatives-as-mapping", HOSTILE_BASE.split("取組:\n")[0] + "取組: {名称: x}\n", ("wrong-type",)),
    file_case("initiatives-null", HOSTILE_BASE.split("取組:\n")[0] + "取組:\n", ("wrong-type",)),
    edit_case("initiative-name-as-list", "名称: 導入支援", "名称: [導入, 支援]", ("wrong-type",)),
    edit_case(
        "targets-as-list", "    目標:\n      R8: [{指標", "    目標: [x]\n    備考:\n      R8: [{指標", ("wrong-type",)
    ),
    edit_case(
        "year-as-mapping",
        "R7: [ニーズ再調査]",
        "R7: {ニーズ: 再調査}",
        any_of=("wrong-type", "bad-value", "unknown-key"),
    ),
    edit_case("target-as-float", "R7: [ニーズ再調査]", "R7: [1.5]", any_of=("wrong-type", "bad-value")),
    edit_case("actuals-as-text", "    実績:\n      R5: [ニーズ調査]", "    実績: ニーズ調査", ("wrong-type",)),
    edit_case("quarter-as-list", "四半期: Q1", "四半期: [Q1]", any_of=("wrong-type", "bad-quarter")),
    edit_case(
        "achieved-as-mapping",
        "達成: [フィールドワーク]",
        "達成: {フィールドワーク: 1}",
        any_of=("wrong-type", "bad-value"),
    ),
    edit_case("date-as-text", "四半期: Q1", "四半期: Q1\n          日付: 昨日", any_of=("wrong-type", "bad-value")),
    edit_case("kpi-target-as-text", "目標値: 10", "目標値: 十", any_of=("wrong-type", "bad-value")),
    edit_case("kpi-direction", "基準値: 0}", "基準値: 0, 方向: 上}", ("bad-value",)),
    edit_case("outlook-as-number", "見通し: 順調", "見通し: 1", ("bad-value",)),
    edit_case("year-key-null", "      R7: [ニーズ再調査]", "      ~: [ニーズ再調査]", ("bad-year",)),
    edit_case("year-key-bool", "      R7: [ニーズ再調査]", "      true: [ニーズ再調査]", ("bad-year",)),
    edit_case("year-key-date", "      R7: [ニーズ再調査]", "      2025-04-01: [ニーズ再調査]", ("bad-year",)),
    file_case("top-level-list", "- " + HOSTILE_NAME + "\n", ("not-mapping",)),
    file_case("top-level-scalar", HOSTILE_NAME + "\n", ("not-mapping",)),
    file_case("top-level-null", "~\n", any_of=("not-mapping", "empty-file")),
    # a plan file that is itself broken
    plan_case("plan-yaml-syntax", PLAN.replace("計画名: (仮称)", "計画名: [(仮称)"), ("yaml-syntax",)),
    plan_case("plan-alias-bomb", billion_laughs(), ("alias",)),
    plan_case(
        "plan-python-tag",
        PLAN.replace("年度開始月: 4", "年度開始月: !!python/object/apply:os.getpid []"),
        ("yaml-tag",),
    ),
    plan_case("plan-shift-jis", PLAN.encode("cp932"), ("not-utf8",)),
    plan_case("plan-not-mapping", "- 分野\n", ("not-mapping",)),
    plan_case("plan-empty", "", ("empty-file",)),
    plan_case("plan-too-large", PLAN + "# " + "x" * (2 << 20) + "\n", ("too-large",)),
    plan_case("plan-wrong-type", PLAN.replace("期間: {開始: R5, 終了: R9}", "期間: [R5, R9]"), ("wrong-type",)),
    layout_case("plan-directory", _plan_directory, ("unreadable",), plan=True),
    layout_case("plan-symlink-outside", _plan_link("../outside/plan.yaml"), ("outside-root",), plan=True),
    # may hang or eat memory: run in subprocesses
    layout_case("fifo", _fifo, ("unreadable",), isolate=True),
    layout_case("symlink-dev-zero", _link("hostile.yaml", "/dev/zero"), ("outside-root",), isolate=True),
    layout_case("plan-symlink-dev-zero", _plan_link("/dev/zero"), ("outside-root",), isolate=True, plan=True),
]
IN_PROCESS = [c for c in HOSTILE if not c.isolate]
ISOLATED = [c for c in HOSTILE if c.isolate]


def test_the_table_is_large_and_names_every_code() -> None:
    assert len(HOSTILE) >= 40
    assert len({c.id for c in HOSTILE}) == len(HOSTILE)
    named = set().union(*(c.codes | c.any_of | c.warns for c in HOSTILE))
    assert named <= set(CODES)
    assert set(CODES) - named == set()


# --- building, running, observing --------------------------------------------------------


def make_layout(tmp: Path, case: Case | None = None) -> Path:
    """`tmp/roadmaps` with the plan, the good project and the case; `tmp/outside` with a secret beside it."""
    root = tmp / "roadmaps"
    root.mkdir(parents=True)
    (root / "_plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "good.yaml").write_text(GOOD, encoding="utf-8")
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(SECRET, encoding="utf-8")
    (outside / "plan.yaml").write_text(PLAN.replace("(仮称)青森県DX推進プラン", SECRET_TOKEN), encoding="utf-8")
    (tmp / "out").mkdir()
    if case is not None:
        case.build(root)
    return root


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Tester", "-c", "user.email=t@example.invalid", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def commit_all(repo: Path, message: str = "roadmaps") -> None:
    if not (repo / ".git").exists():
        git(repo, "init", "-q")
    git(repo, "add", "-A", "roadmaps")  # git leaves FIFOs out by itself
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


@contextlib.contextmanager
def denied(root: Path, names: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make `names` (files or folders under `root`) unreadable: chmod 0, or, as root, failing reads."""
    if not names:
        yield
        return
    if not IS_ROOT:
        for name in names:
            (root / name).chmod(0)
        try:
            yield
        finally:
            for name in names:
                (root / name).chmod(0o755 if (root / name).is_dir() else 0o644)
        return
    real_read, real_scandir, real_open = Path.read_bytes, os.scandir, os.open

    def read_bytes(self: Path) -> bytes:
        if self.name in names:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if not isinstance(path, int) and Path(os.fsdecode(path)).name in names and not flags & os.O_WRONLY:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    def scandir(path: Any = ".") -> Any:
        if not isinstance(path, int) and Path(os.fsdecode(path)).name in names:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)
    yield


def snapshot(tmp: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under `tmp` (links not followed) but `.git`, `out/` and lock files: what it is and holds."""
    found: dict[str, tuple[Any, ...]] = {}
    for folder, dirs, files in os.walk(tmp):
        rel = Path(folder).relative_to(tmp)
        dirs[:] = [d for d in dirs if d != ".git" and not (rel == Path(".") and d == "out")]
        for name in [*dirs, *files]:
            path = Path(folder, name)
            key = (rel / name).as_posix()
            info = path.lstat()
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_dir():
                found[key] = ("dir",)
            elif name.endswith(".lock"):
                continue
            elif not path.is_file():
                found[key] = ("special", info.st_mode)
            elif info.st_size > 4 << 20:
                found[key] = ("file", info.st_size, info.st_mtime_ns, info.st_ino)
            else:
                try:
                    with open(path, "rb") as handle:
                        digest = hashlib.sha256(handle.read()).hexdigest()
                except OSError:
                    digest = "unreadable"
                found[key] = ("file", info.st_size, digest)
    return found


def changed(before: dict[str, tuple[Any, ...]], after: dict[str, tuple[Any, ...]]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


BAD_CATS = ("Cc", "Cf", "Zl", "Zp")


def _unsafe_class() -> re.Pattern[str]:
    """Characters that act on a terminal or hide text: controls (but tab, newline), format characters, separators."""
    ranges, start = [], None
    for code in range(sys.maxunicode + 2):
        bad = code <= sys.maxunicode and chr(code) not in "\t\n" and unicodedata.category(chr(code)) in BAD_CATS
        if bad and start is None:
            start = code
        elif not bad and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return re.compile("[" + "".join(ranges) + "]")


UNSAFE = _unsafe_class()


def unsafe(text: str) -> list[str]:
    """The unsafe characters in `text` (a CR is allowed only in a CRLF line end)."""
    return sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text.replace("\r\n", "\n"))})


@dataclass
class Outcome:
    """What a command did, in-process or in a subprocess."""

    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def codes_in(lines: list[str]) -> set[str]:
    return {m["code"] for line in lines if (m := PROBLEM.match(line))}


def assert_codes(case: Case, found: set[str], context: str, warned: bool = False) -> None:
    """`warned`: `found` comes from `validate`'s lines, which hold warnings too."""
    assert found <= set(CODES), (found - set(CODES), context)
    if warned:
        assert case.warns <= found, (case.warns - found, context)
    if not case.invalid:
        assert found - WARNINGS == set(), context
    assert case.codes <= found, (case.codes - found, context)
    if case.any_of:
        assert case.any_of & found, (case.any_of, found, context)


def stderr_lines(out: Outcome) -> list[str]:
    """stderr must hold only problem lines, `dxroadmap: …` messages, and `wrote`/`checked` notes."""
    lines = [line for line in out.stderr.split("\n") if line.strip()]
    for line in lines:
        assert PROBLEM.match(line) or line.startswith(("dxroadmap: ", "wrote ", "checked ")), (
            f"not a problem line nor a message: {line!r}\n--- stderr:\n{out.stderr[:3000]}"
        )
    return lines


# --- the commands --------------------------------------------------------------------------

EXPORTS = {"export-json": "json", "export-csv": "csv", "export-html": "html", "export-xlsx": "xlsx"}
COMMANDS = [
    "validate",
    "status",
    "status-json",
    "slipping",
    "show-good",
    "show-hostile",
    "record-good",
    "record-hostile",
    *EXPORTS,
    "history",
]


def command_args(command: str, case: Case) -> list[str]:
    common = ["--dir", "roadmaps", "--as-of", AS_OF]
    if command == "validate":
        return ["validate", *common]
    if command == "status":
        return ["status", *common]
    if command == "status-json":
        return ["status", "--format", "json", *common]
    if command == "slipping":
        return ["slipping", *common]
    if command == "show-good":
        return ["show", "good", *common]
    if command == "show-hostile":
        return ["show", case.query, *common]
    if command == "record-good":
        return ["record", "good", "-i", "2", "--note", RECORD_NOTE, *common]
    if command == "record-hostile":
        return ["record", case.query, "-i", "1", "--note", RECORD_NOTE, *common]
    if command in EXPORTS:
        return ["export", "-o", f"out/report.{EXPORTS[command]}", *common]
    assert command == "history"
    return ["history", *common]


def check_command(
    command: str,
    case: Case,
    out: Outcome,
    tmp: Path,
    before: dict[str, tuple[Any, ...]],
    after: dict[str, Any],
    limit: float = LIMIT,
) -> None:
    context = (
        f"{case.id} / {command}: exit {out.exit_code}\n"
        f"--- stdout:\n{out.stdout[:3000]}\n--- stderr:\n{out.stderr[:3000]}"
    )
    # always: no traceback, no internal error, nothing unsafe on the terminal, nothing from outside, fast
    assert not out.timed_out, f"killed after {out.seconds:.1f} s: it did not finish; {context}"
    assert "Traceback" not in out.output, context
    assert "internal error" not in out.output, context
    assert out.exit_code != INTERNAL_ERROR, context
    assert unsafe(out.output) == [], (unsafe(out.output), context)
    assert SECRET_TOKEN not in out.output, f"a file outside the roadmaps directory was read: {context}"
    assert out.seconds < limit, f"{out.seconds:.1f} s: {context}"
    assert not (tmp / "pwned").exists(), "a YAML tag ran a command"
    lines = stderr_lines(out)
    wrote = changed(before, after)
    exit_if_invalid = 1 if case.invalid else 0

    if case.plan and command != "validate":
        # a broken plan stops every command that depends on its settings: its problems listed, nothing written
        assert out.exit_code == 1, context
        assert out.stdout == "", context
        assert lines and lines[0].startswith("dxroadmap: "), context
        assert_codes(case, codes_in(lines), context)
        assert wrote == set(), f"{command} wrote {sorted(wrote)}\n{context}"
        return
    if command == "validate":
        printed = [line for line in out.stdout.split("\n") if line.strip()]
        for line in printed:
            assert PROBLEM.match(line), f"not a `path:line:col: CODE message` line: {line!r}\n{context}"
        assert_codes(case, codes_in(printed), context, warned=True)
        assert out.exit_code == exit_if_invalid, context
    elif command == "status":
        assert out.exit_code == exit_if_invalid, context
        assert "good" in out.stdout, context
        tail = out.stdout.partition("Invalid files:")[2]
        listed = [line for line in tail.split("\n") if line.strip()]
        for line in listed:
            assert PROBLEM.match(line), f"not a problem line under the table: {line!r}\n{context}"
        assert_codes(case, codes_in(listed), context)
    elif command == "status-json":
        assert out.exit_code == exit_if_invalid, context
        document = json.loads(out.stdout)
        assert "good" in [p["id"] for p in document["projects"]], context
        for problem in document["invalid"]:
            assert problem["line"] >= 1 and problem["column"] >= 1, problem
        assert_codes(case, {p["code"] for p in document["invalid"]}, context)
    elif command == "slipping":
        assert out.exit_code == exit_if_invalid, context
        assert_codes(case, codes_in(lines), context)
    elif command == "show-good":
        assert out.exit_code == 0, context
        assert "デジタル実装支援" in out.stdout, context
    elif command == "show-hostile":
        if case.resolves:
            assert out.exit_code == 0, context
            assert HOSTILE_NAME in out.stdout, context
        else:
            assert out.exit_code == 1, context
            assert out.stdout == "", context
            assert len(lines) == 1 and lines[0].startswith("dxroadmap: "), f"not one line: {context}"
            if case.simple:
                assert any(f" {code} " in lines[0] for code in CODES), f"the refusal names no problem: {context}"
    elif command == "record-good":
        assert out.exit_code == 0, context
        assert RECORD_NOTE in (tmp / "roadmaps" / "good.yaml").read_text(encoding="utf-8")
        assert wrote == {"roadmaps/good.yaml"}, f"written: {sorted(wrote)}\n{context}"
    elif command == "record-hostile":
        if case.resolves and out.exit_code == 0:
            assert wrote <= set(case.writes) and wrote, f"written: {sorted(wrote)}\n{context}"
        else:
            assert out.exit_code == 1, context
            assert len(lines) == 1 and lines[0].startswith("dxroadmap: "), f"not one line: {context}"
            assert wrote == set(), f"written: {sorted(wrote)}\n{context}"
    elif command in EXPORTS:
        assert out.exit_code == exit_if_invalid, context
        assert_codes(case, codes_in(lines), context)
        check_export(EXPORTS[command], tmp / "out" / f"report.{EXPORTS[command]}", case, context)
    elif command == "history":
        # the review log reports an invalid version as a warning and skips it (README): exit 0
        assert out.exit_code == 0, context
        for line in lines:
            warning = line.removeprefix("dxroadmap: warning: ")
            assert warning == line or PROBLEM.match(warning), f"a warning that is no problem line: {line!r}\n{context}"
        if case.logged:
            codes = case.codes | case.any_of
            assert any(f" {code} " in out.stderr for code in codes), f"the warning names no code: {context}"
    if command not in ("record-good", "record-hostile"):
        assert wrote == set(), f"{command} wrote {sorted(wrote)}\n{context}"


def check_export(fmt: str, path: Path, case: Case, context: str) -> None:
    assert path.is_file(), f"nothing written: {context}"
    raw = path.read_bytes()
    assert SECRET_TOKEN.encode() not in raw, context
    if fmt == "json":
        document = json.loads(raw)
        assert "good" in [p["id"] for p in document["projects"]], context
        assert_codes(case, {p["code"] for p in document["invalid"]}, context)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert any(row and row[0] == "good" for row in rows), context
    elif fmt == "html":
        text = raw.decode("utf-8")
        assert "</html>" in text and GOOD_NAME in text, context
    else:
        assert zipfile.is_zipfile(path), context


def invoke(args: list[str], tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """`dxroadmap ARGS` in `tmp` through CliRunner, timed; an exception that escapes is reported as a traceback."""
    monkeypatch.chdir(tmp)
    monkeypatch.delenv("DXROADMAP_DIR", raising=False)
    started = time.perf_counter()
    result = CliRunner().invoke(app, args, env=ENV)
    out = Outcome(result.exit_code, result.stdout, result.stderr, time.perf_counter() - started)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        out.stderr += f"\nTraceback: an exception escaped: {result.exception!r}"
    return out


@pytest.mark.parametrize("case", IN_PROCESS, ids=[c.id for c in IN_PROCESS])
def test_hostile_layout_through_every_command(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command in turn, on one layout; the failures of all of them are reported together."""
    root = make_layout(tmp_path, case)
    # the repository is made just before `history`, so that `show` and `export` do not read git
    # (as a user without root, a file made unreadable cannot be added: then it is made first)
    early = bool(case.deny) and not IS_ROOT
    if early:
        commit_all(tmp_path)
    failures = []
    with denied(root, case.deny, monkeypatch):
        for command in COMMANDS:
            if command == "history" and not early:
                commit_all(tmp_path)
            before = snapshot(tmp_path)
            out = invoke(command_args(command, case), tmp_path, monkeypatch)
            after = snapshot(tmp_path)
            try:
                check_command(command, case, out, tmp_path, before, after)
            except AssertionError as exc:
                failures.append(f"[{command}] {str(exc).split(chr(10) + 'assert ')[0][:1500]}")
    assert not failures, f"{len(failures)} of {len(COMMANDS)} commands failed:\n\n" + "\n\n".join(failures)


# --- what may hang or eat memory: subprocesses with a deadline and a memory limit -----------

MEMORY_LIMIT = 512 << 20  # address space of each subprocess: a runaway read fails instead of taking the machine
ISOLATED_DEADLINE = 6.0  # the commands of one case run at once on the CI's 2 cores


@dataclass
class Child:
    proc: subprocess.Popen[bytes]
    out: Path
    err: Path
    started: float
    status: int | None = None
    maxrss_mib: float = 0.0
    cpu_seconds: float = 0.0
    seconds: float = 0.0
    timed_out: bool = False


def spawn(args: list[str], cwd: Path, tag: str, memory: int = MEMORY_LIMIT) -> Child:
    logs = cwd / "out"  # not part of any snapshot
    logs.mkdir(exist_ok=True)
    out, err = logs / f".{tag}.stdout", logs / f".{tag}.stderr"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen(
            [str(DXROADMAP), *args], cwd=cwd, env=SUB_ENV, stdout=stdout, stderr=stderr, start_new_session=True
        )
    resource.prlimit(proc.pid, resource.RLIMIT_AS, (memory, memory))
    return Child(proc, out, err, time.monotonic())


def reap(children: list[Child], deadline: float) -> None:
    """Wait for every child (os.wait4: each one's own peak memory); kill what is still running at `deadline`."""
    pending = list(children)
    end = time.monotonic() + deadline
    while pending:
        for child in list(pending):
            pid, status, usage = os.wait4(child.proc.pid, os.WNOHANG)
            if pid == 0 and time.monotonic() > end:
                os.killpg(child.proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(child.proc.pid, 0)
                child.timed_out = True
            if pid:
                child.status = os.waitstatus_to_exitcode(status)
                child.proc.returncode = child.status
                child.maxrss_mib = usage.ru_maxrss / 1024
                child.cpu_seconds = usage.ru_utime + usage.ru_stime
                child.seconds = time.monotonic() - child.started
                pending.remove(child)
        time.sleep(0.01)


def child_outcome(child: Child) -> Outcome:
    return Outcome(
        child.status if child.status is not None else -1,
        child.out.read_text("utf-8", "replace"),
        child.err.read_text("utf-8", "replace"),
        child.seconds,
        child.timed_out,
    )


@pytest.mark.parametrize("case", ISOLATED, ids=[c.id for c in ISOLATED])
def test_isolated_hostile_layout_through_every_command(case: Case, tmp_path: Path) -> None:
    """Layouts that could hang (a FIFO) or read forever (/dev/zero): every command at once, each in its own process."""
    make_layout(tmp_path, case)
    commit_all(tmp_path)
    before = snapshot(tmp_path)
    children = {command: spawn(command_args(command, case), tmp_path, command) for command in COMMANDS}
    reap(list(children.values()), ISOLATED_DEADLINE)
    after = snapshot(tmp_path)
    # the commands ran together: only `record good` may have written, and only the good project
    wrote = changed(before, after)
    assert wrote <= {"roadmaps/good.yaml"}, sorted(wrote)
    failures = []
    for command, child in children.items():
        seen_after = after if command == "record-good" else before
        try:
            check_command(command, case, child_outcome(child), tmp_path, before, seen_after, ISOLATED_DEADLINE)
        except AssertionError as exc:
            failures.append(f"[{command}] {str(exc).split(chr(10) + 'assert ')[0][:700]}")
    assert not failures, "\n\n".join(failures)


def _memory_case(tmp: Path, name: str, content: str | bytes | None = None, size: int = 0) -> None:
    root = tmp / "roadmaps"
    root.mkdir()
    (root / "good.yaml").write_text(GOOD, encoding="utf-8")
    if size:
        _sparse(size, name)(root)
    else:
        put(name, content or "")(root)


@pytest.mark.parametrize(
    ("name", "content", "size", "code"),
    [
        pytest.param("bomb.yaml", billion_laughs(), 0, "alias", id="alias-bomb"),
        pytest.param(
            "bomb.yaml",
            "a: &a [" + ", ".join(['"' + "x" * 64 + '"'] * 1000) + "]\n" + "".join(f"k{i}: *a\n" for i in range(2000)),
            0,
            "alias",
            id="alias-fan-out",
        ),
        pytest.param("deep.yaml", "[" * 500_000, 0, "too-deep", id="deep-nesting"),
        pytest.param("huge.yaml", None, 768 << 20, "too-large", id="sparse-768-mib"),
    ],
)
def test_memory_stays_bounded(tmp_path: Path, name: str, content: str | None, size: int, code: str) -> None:
    _memory_case(tmp_path, name, content, size)
    child = spawn(["validate", "--dir", "roadmaps"], tmp_path, "validate", memory=2 << 30)
    reap([child], 30)
    out = child_outcome(child)
    assert not out.timed_out and out.exit_code == 1, (out.exit_code, out.stderr[-500:])
    assert f": {code} " in out.stdout, out.output[-1000:]
    assert "Traceback" not in out.output
    assert child.maxrss_mib < 300, f"peak memory {child.maxrss_mib:.0f} MiB for {name} ({code})"
    assert child.seconds < LIMIT + 1, f"{child.seconds:.1f} s"  # + the start of a Python process


def test_the_largest_valid_file_is_judged_within_seconds(tmp_path: Path) -> None:
    """Just under the 1 MiB limit: one initiative with ~120,000 one-word targets. Every command must answer
    within seconds (each is timed by its CPU time, since the five run at once): here by refusing the file
    clearly, since no roadmap has more than `checks.MAX_ITEMS` targets and actuals."""
    root = make_layout(tmp_path)
    head = HOSTILE_BASE.split("取組:\n")[0] + "取組:\n  - 名称: 大量の目標\n    目標:\n      R5: ["
    room = source.MAX_BYTES - len(head.encode()) - 4
    words = []
    while room > 10:
        words.append(f"t{len(words)}")
        room -= len(words[-1]) + 2
    content = head + ", ".join(words) + "]\n"
    assert len(content.encode()) <= source.MAX_BYTES
    (root / "hostile.yaml").write_text(content, encoding="utf-8")
    commands = {
        "validate": ["validate"],
        "status-json": ["status", "--format", "json"],
        "slipping": ["slipping"],
        "show": ["show", "hostile"],
        "export-xlsx": ["export", "-o", "out/report.xlsx"],
    }
    children = {
        name: spawn([*args, "--dir", "roadmaps", "--as-of", AS_OF], tmp_path, name, memory=2 << 30)
        for name, args in commands.items()
    }
    reap(list(children.values()), 2 * LIMIT)
    report = {
        name: (child.status, round(child.cpu_seconds, 1), "killed" if child.timed_out else "finished")
        for name, child in children.items()
    }
    for name, child in children.items():
        out = child_outcome(child)
        assert "Traceback" not in out.output and "internal error" not in out.output, (name, out.output[-500:])
    slow = {name: r for name, r in report.items() if r[2] == "killed" or r[1] >= LIMIT or r[0] not in (0, 1)}
    assert not slow, f"{len(words):,} targets in {len(content.encode()):,} bytes: {report}"
    refused = child_outcome(children["validate"])
    assert "too-large" in refused.output, refused.output[-500:]


# --- 3. output safety in every output format ----------------------------------------------------

EVIL_PLAN = PLAN.replace("計画名: (仮称)青森県DX推進プラン", r'計画名: "\e]0;pwned\a[bold]計画[/bold]\u202e"') + (
    '  - {名称: "\\e[5m第9回\\u202e会議", 日付: 2026-12-01}\n'
)
EVIL = r"""# every text field carries markup, escape sequences, bidi overrides and formula starts
政策分野: 行政経営
事業名: "=HYPERLINK(\"http://evil.invalid\",\"[bold red]赤[/bold red]\")\e[31m\u202e"
担当課: "+SUM(1)\e]8;;http://evil.invalid\a課\e]8;;\a"
概要: "@cmd <script>alert(1)</script>\x9b31m\u200b\u2028next\x85nel"
備考: "-1\e[2J\e[H\x7f"
取組:
  - 名称: "-2 <img src=x onerror=alert(1)> [link=http://evil.invalid]y[/link]\e[6n"
    目標:
      R6: ["\t=tab", "\r=cr", "\x7fdel\u2066iso\u2069", "\ufeffbom", "=1+2"]
      R8:
        - {内容: "@at\e]52;c;QUJD\a", 期限: Q1}
        - {指標: "=KPI\e[1m", 目標値: 10, 単位: "\e[1m件", 基準値: 0}
    実績:
      R6:
        - 四半期: Q1
          内容: "\e]0;title\a=実績<b>x</b>"
          達成: ["=1+2"]
          理由: "\e[31m理由\u202e"
          見通し: 困難
"""
EVIL_NAME = '=HYPERLINK("http://evil.invalid","[bold red]赤[/bold red]")\x1b[31m\u202e'
EVIL_OWNER = "+SUM(1)\x1b]8;;http://evil.invalid\x07課\x1b]8;;\x07"
EVIL_INITIATIVE = "-2 <img src=x onerror=alert(1)> [link=http://evil.invalid]y[/link]\x1b[6n"
EVIL_TARGET = "@at\x1b]52;c;QUJD\x07"
EVIL_NOTE = "\x1b]0;note\x07[bold]記録[/bold]\u202e"
BROKEN_NAME = "broken\x1b[31m\u202e.yaml"
BROKEN = '"\\e]0;x\\a[bold]k\\u202e": 1\n' + GOOD
BROKEN_KEY = "\x1b]0;x\x07[bold]k\u202e"


@pytest.fixture(scope="module")
def evil_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """A git repository with the hostile texts committed, and an actual recorded with a hostile note, committed."""
    tmp = tmp_path_factory.mktemp("evil")
    root = tmp / "roadmaps"
    root.mkdir()
    (root / "_plan.yaml").write_text(EVIL_PLAN, encoding="utf-8")
    (root / "good.yaml").write_text(GOOD, encoding="utf-8")
    (root / "evil.yaml").write_text(EVIL, encoding="utf-8")
    (root / BROKEN_NAME).write_text(BROKEN, encoding="utf-8")
    commit_all(tmp)
    recorded = CliRunner().invoke(
        app,
        ["record", "evil", "-i", "1", "--done", EVIL_TARGET, "--note", EVIL_NOTE, "--dir", str(root), "--as-of", AS_OF],
        env=ENV,
    )
    commit_all(tmp, "record")
    return tmp, recorded


def test_evil_roadmap_is_valid_and_recorded(evil_repo: tuple[Path, Result]) -> None:
    tmp, recorded = evil_repo
    assert recorded.exit_code == 0, recorded.output
    assert unsafe(recorded.output) == [], recorded.output
    text = (tmp / "roadmaps" / "evil.yaml").read_text(encoding="utf-8")
    roadmap, problems = store.parse_roadmap(text, "evil.yaml", Settings())
    assert roadmap is not None, problems
    assert roadmap.name == EVIL_NAME
    assert roadmap.owner == EVIL_OWNER


TERMINAL_OUTPUTS = [
    *(["status", *f] for f in ([], ["--format", "json"], ["--format", "csv"], ["--format", "markdown"])),
    *(["show", "evil", *f] for f in ([], ["--format", "json"], ["--format", "csv"], ["--format", "markdown"])),
    *(["slipping", *f] for f in ([], ["--format", "json"], ["--format", "csv"], ["--format", "markdown"])),
    *(["validate", *f] for f in ([], ["--format", "json"], ["--format", "csv"], ["--format", "markdown"])),
    *(["history", *f] for f in ([], ["--format", "json"], ["--format", "csv"], ["--format", "markdown"])),
    *(["export", "-o", "-", "--format", f] for f in ("json", "csv", "markdown", "html")),
    ["record", "evil", "-i", "1", "--note", EVIL_NOTE, "--dry-run"],
]


def _output_id(args: list[str]) -> str:
    return (
        "record-dry-run"
        if args[0] == "record"
        else f"{args[0]}-{args[args.index('--format') + 1] if '--format' in args else 'table'}"
    )


@pytest.mark.parametrize("args", TERMINAL_OUTPUTS, ids=[_output_id(a) for a in TERMINAL_OUTPUTS])
def test_hostile_text_never_reaches_the_terminal(evil_repo: tuple[Path, Result], args: list[str], run: Any) -> None:
    tmp, _ = evil_repo
    wide = {"COLUMNS": "400"}  # so that no cell wraps the markup this test looks for
    result = run(*args, "--dir", str(tmp / "roadmaps"), "--as-of", AS_OF, cwd=tmp, env=wide)
    context = f"{args}: exit {result.exit_code}\n{result.output[:4000]}"
    # the commands that read every file report the broken one (exit 1); show, history and record read only theirs
    assert result.exit_code == (1 if args[0] in ("status", "slipping", "validate", "export") else 0), context
    assert "internal error" not in result.output, context
    stdout = result.stdout.removeprefix("\ufeff") if args[0] == "export" else result.stdout
    assert unsafe(stdout) == [], ("stdout", unsafe(stdout), context)
    assert unsafe(result.stderr) == [], ("stderr", unsafe(result.stderr), result.stderr)
    fmt = args[args.index("--format") + 1] if "--format" in args else "table"
    command = args[0]
    if (command == "status" and fmt != "json") or (command == "show" and fmt in ("table", "markdown")):
        assert "[bold red]赤[/bold red]" in result.stdout, f"markup not shown literally: {context}"
    if fmt == "json":
        document = json.loads(result.stdout)
        check_json_data(command, document, context)
    if fmt == "csv":
        body = result.stdout.removeprefix("\ufeff")
        for row in csv.reader(io.StringIO(body)):
            for cell in row:
                assert not cell.startswith(FORMULA_START), f"a formula: {cell!r}\n{context}"
    if fmt == "html":
        assert "<script>alert(1)</script>" not in result.stdout, context
        assert "<img src=x" not in result.stdout, context
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout, context


def check_json_data(command: str, document: Any, context: str) -> None:
    """JSON escapes the hostile characters, and the parsed data is exactly the file's text."""
    if command in ("status", "export"):
        projects = {p["id"]: p for p in document["projects"]}
        assert projects["evil"]["name"] == EVIL_NAME, context
        assert projects["evil"]["owner"] == EVIL_OWNER, context
        assert projects["evil"]["initiatives"][0]["name"] == EVIL_INITIATIVE, context
    elif command == "show":
        assert document["name"] == EVIL_NAME, context
    elif command == "slipping":
        assert EVIL_INITIATIVE in {item["initiative"] for item in document}, context
    elif command == "validate":
        messages = [p["message"] for p in document["invalid"]]
        assert any(BROKEN_KEY in m for m in messages), context
        assert any(p["path"].endswith(BROKEN_NAME) for p in document["invalid"]), context
    elif command == "history":
        assert EVIL_NOTE in {e["text"] for e in document}, context


def test_xlsx_export_of_hostile_text(evil_repo: tuple[Path, Result], run: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    tmp, _ = evil_repo
    target = tmp_path / "report.xlsx"
    result = run("export", "-o", str(target), "--dir", str(tmp / "roadmaps"), "--as-of", AS_OF, cwd=tmp)
    assert result.exit_code == 1, result.output  # the broken file
    assert unsafe(result.output) == [], result.output
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(r"<(\w+:)?f[ >]", archive.read(name).decode()), name
    book = load_workbook(target)
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.append(cell.value)
                    assert unsafe(cell.value) == [], (sheet.title, cell.coordinate, cell.value)
    assert any("[bold red]赤[/bold red]" in value for value in seen)


def test_export_files_of_hostile_text(evil_repo: tuple[Path, Result], run: Any, tmp_path: Path) -> None:
    tmp, _ = evil_repo
    for fmt in ("json", "csv", "markdown", "html"):
        target = tmp_path / f"report.{fmt}"
        result = run("export", "-o", str(target), "--format", fmt, "--dir", str(tmp / "roadmaps"), "--as-of", AS_OF)
        assert result.exit_code == 1, result.output
        text = target.read_bytes().decode("utf-8").removeprefix("\ufeff")
        assert unsafe(text) == [], (fmt, unsafe(text))
        if fmt == "json":
            check_json_data("export", json.loads(text), fmt)
        if fmt == "csv":
            for row in csv.reader(io.StringIO(text)):
                assert not any(cell.startswith(FORMULA_START) for cell in row), row


# --- 4. paths: nothing read or written outside the roadmaps directory ------------------------------

NEW_OPTIONS = ["--field", "行政経営", "--name", "新規", "--owner", "DX推進課"]


def _lock_link(root: Path) -> None:
    (root / ".good.yaml.lock").symlink_to("../outside/created.lock")


def _hard_link(root: Path) -> None:
    os.link(root / "good.yaml", root.parent / "outside" / "hard.yaml")


PATH_ATTACKS: list[tuple[str, list[str], Build | None, bool]] = [
    # (id, args, layout, may write the good project)
    ("show-dotdot", ["show", "../../etc/passwd"], None, False),
    ("show-absolute", ["show", "/etc/passwd"], None, False),
    ("show-outside-id", ["show", "../outside/secret"], None, False),
    ("show-nul", ["show", "a\x00b"], None, False),
    ("record-dotdot", ["record", "../x", "--note", "x"], None, False),
    ("record-absolute", ["record", "/etc/passwd", "--note", "x"], None, False),
    ("record-outside-id", ["record", "../outside/secret", "-i", "1", "--note", "x"], None, False),
    (
        "record-symlinked-roadmap",
        ["record", "linked", "-i", "1", "--note", "x"],
        _link("linked.yaml", "../outside/secret.yaml"),
        False,
    ),
    ("record-lock-file-link", ["record", "good", "-i", "2", "--note", "x"], _lock_link, True),
    ("record-hard-link", ["record", "good", "-i", "2", "--note", "x"], _hard_link, True),
    ("new-dotdot", ["new", "../x", *NEW_OPTIONS], None, False),
    ("new-deep-dotdot", ["new", "a/../../x", *NEW_OPTIONS], None, False),
    ("new-backslash", ["new", "..\\x", *NEW_OPTIONS], None, False),
    ("new-absolute", ["new", "/tmp/dxroadmap-hostile-new", *NEW_OPTIONS], None, False),
    ("new-nul", ["new", "a\x00b", *NEW_OPTIONS], None, False),
    ("new-through-a-folder-link", ["new", "ext/p", *NEW_OPTIONS], _link("ext", "../outside"), False),
    (
        "new-through-a-dangling-link",
        ["new", "dangle", *NEW_OPTIONS],
        _link("dangle.yaml", "../outside/new.yaml"),
        False,
    ),
    ("export-nul", ["export", "-o", "out/a\x00b.json"], None, False),
    ("dir-nul", ["status", "--dir", "a\x00b"], None, False),
]
# The exit of each attack: 1 (a one-line refusal) unless named here.
PATH_ATTACK_EXITS = {"record-hard-link": 0, "dir-nul": 2}  # the hard link is written in place; NUL: a usage error


@pytest.mark.parametrize(
    ("args", "build", "may_write"), [a[1:] for a in PATH_ATTACKS], ids=[a[0] for a in PATH_ATTACKS]
)
def test_no_path_leads_outside(
    tmp_path: Path, run: Any, args: list[str], build: Build | None, may_write: bool, request: pytest.FixtureRequest
) -> None:
    root = make_layout(tmp_path)
    if build is not None:
        build(root)
    before = snapshot(tmp_path)
    outside_before = sorted(p.name for p in (tmp_path / "outside").iterdir())
    result = run(*args, *([] if "--dir" in args else ["--dir", "roadmaps"]), "--as-of", AS_OF, cwd=tmp_path)
    after = snapshot(tmp_path)
    context = f"exit {result.exit_code}\n{result.output}"
    assert "internal error" not in result.output, context
    assert SECRET_TOKEN not in result.output, context
    assert sorted(p.name for p in (tmp_path / "outside").iterdir()) == outside_before, f"written outside: {context}"
    assert not Path("/tmp/dxroadmap-hostile-new.yaml").exists()
    wrote = changed(before, after)
    assert result.exit_code == PATH_ATTACK_EXITS.get(request.node.callspec.id, 1), context
    if may_write:
        assert wrote <= {"roadmaps/good.yaml"}, (wrote, context)
        if "outside/hard.yaml" in before:
            assert before["outside/hard.yaml"] == after["outside/hard.yaml"], (
                f"a hard link was written through: {context}"
            )
    else:
        assert [line for line in result.output.split("\n") if line.strip()], context
        assert wrote == set(), (sorted(wrote), context)


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["slipping"],
        ["show", "good"],
        ["record", "good", "-i", "2", "--note", "x"],
        ["export", "-o", "-", "-f", "json"],
    ],
    ids=["status", "slipping", "show", "record", "export"],
)
def test_a_date_at_the_end_of_the_calendar_is_refused_clearly(
    tmp_path: Path, run: Any, args: list[str], as_of: str
) -> None:
    """`--as-of` at the edge of what a date can be: a usage error or a one-line refusal, never an internal error."""
    make_layout(tmp_path)
    before = snapshot(tmp_path)
    result = run(*args, "--dir", "roadmaps", "--as-of", as_of, cwd=tmp_path)
    assert "internal error" not in result.output, result.output
    assert result.exit_code == 2, result.output  # a usage error naming the dates it takes
    assert "--as-of" in result.output and "1990-01-01" in result.output, result.output
    assert changed(before, snapshot(tmp_path)) == set()


# --- 5. writes under fire: a full disk, concurrent writers, SIGKILL -----------------------------


def _no_space(*_: Any, **__: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _failing_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file's write fails with ENOSPC (what a full disk does)."""
    real_mkstemp, real_fdopen = tempfile.mkstemp, os.fdopen
    temporary: set[int] = set()

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real_mkstemp(*args, **kwargs)
        temporary.add(fd)
        return fd, name

    class Full(io.RawIOBase):
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def fileno(self) -> int:
            return int(self.handle.fileno())

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        return Full(handle) if fd in temporary else handle

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "fdopen", fdopen)


FAULTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "write": _failing_writes,
    "fsync": lambda mp: mp.setattr(os, "fsync", _no_space),
    "mkstemp": lambda mp: mp.setattr(tempfile, "mkstemp", _no_space),
}
WRITERS = {
    "record": (["record", "good", "-i", "2", "--note", "満杯"], "roadmaps/good.yaml"),
    "new": (["new", "brand-new", *NEW_OPTIONS], "roadmaps/brand-new.yaml"),
    "export-json": (["export", "-o", "out/report.json"], "out/report.json"),
    "export-xlsx": (["export", "-o", "out/report.xlsx"], "out/report.xlsx"),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("writer", WRITERS)
def test_a_full_disk_leaves_the_old_file_and_says_so(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch, writer: str, fault: str
) -> None:
    make_layout(tmp_path)
    args, target = WRITERS[writer]
    (tmp_path / "out" / "report.json").write_text('{"old": true}\n', encoding="utf-8")
    (tmp_path / "out" / "report.xlsx").write_bytes(b"old workbook")
    old = (tmp_path / target).read_bytes() if (tmp_path / target).exists() else None
    FAULTS[fault](monkeypatch)
    result = run(*args, "--dir", "roadmaps", "--as-of", AS_OF, cwd=tmp_path)
    monkeypatch.undo()
    context = f"exit {result.exit_code}\n{result.output}"
    assert result.exit_code == 1, context
    lines = [line for line in result.stderr.split("\n") if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("dxroadmap: "), context
    assert "No space left on device" in lines[0], context
    assert "internal error" not in result.output, context
    now = (tmp_path / target).read_bytes() if (tmp_path / target).exists() else None
    assert now == old, "the old file was changed"
    for folder in (tmp_path / "roadmaps", tmp_path / "out"):
        assert sorted(p.name for p in folder.glob(".*.tmp")) == [], "a temporary file was left"


def _popen(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(DXROADMAP), *args], cwd=cwd, env=SUB_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_eight_news_of_one_id_at_once_exactly_one_lands(tmp_path: Path) -> None:
    make_layout(tmp_path)
    for round_ in range(3):
        pid = f"same-{round_}"
        procs = [_popen(["new", pid, *NEW_OPTIONS, "--dir", "roadmaps"], tmp_path) for _ in range(8)]
        results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0] + [1] * 7, results
        for code, _, err in results:
            if code:
                assert "exists already" in err, results
        text = (tmp_path / "roadmaps" / f"{pid}.yaml").read_text(encoding="utf-8")
        roadmap, problems = store.parse_roadmap(text, pid, Settings())
        assert roadmap is not None, problems
        assert list((tmp_path / "roadmaps").glob(".*.tmp")) == []


def test_eight_news_of_different_ids_at_once_all_land(tmp_path: Path) -> None:
    make_layout(tmp_path)
    procs = [_popen(["new", f"sub/p{n}", *NEW_OPTIONS, "--dir", "roadmaps"], tmp_path) for n in range(8)]
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 8, results
    assert sorted(p.name for p in (tmp_path / "roadmaps" / "sub").iterdir()) == [f"p{n}.yaml" for n in range(8)]


def test_eight_exports_to_one_file_at_once_all_succeed(tmp_path: Path) -> None:
    make_layout(tmp_path)
    args = ["export", "-o", "out/report.json", "--dir", "roadmaps", "--as-of", AS_OF]
    for _ in range(2):
        procs = [_popen(args, tmp_path) for _ in range(8)]
        results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        assert [code for code, _, _ in results] == [0] * 8, [err for _, _, err in results]
        document = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
        assert [p["id"] for p in document["projects"]] == ["good"]
        assert list((tmp_path / "out").glob(".*.tmp")) == []


def _kill_loop(tmp: Path, args: list[str], target: Path, reset: Callable[[], None], attempts: int) -> set[bytes]:
    """Run `args`, SIGKILL it after a random delay, `attempts` times; the states `target` was left in."""
    rng = random.Random(20261126)
    states: set[bytes] = set()
    for attempt in range(attempts):
        reset()
        proc = subprocess.Popen(
            [str(DXROADMAP), *args], cwd=tmp, env=SUB_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, 0.9) if attempt % 2 else rng.uniform(0.3, 0.7))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        states.add(target.read_bytes() if target.exists() else b"")
    return states


def test_new_killed_at_any_moment_leaves_no_file_or_the_whole_file(tmp_path: Path, run: Any) -> None:
    make_layout(tmp_path)
    args = ["new", "killed", *NEW_OPTIONS, "--dir", "roadmaps", "--as-of", AS_OF]
    target = tmp_path / "roadmaps" / "killed.yaml"
    assert run(*args, cwd=tmp_path).exit_code == 0
    complete = target.read_bytes()

    def reset() -> None:
        target.unlink(missing_ok=True)

    states = _kill_loop(tmp_path, args, target, reset, attempts=8)
    assert states <= {b"", complete}, "a partial file"
    reset()
    again = run(*args, cwd=tmp_path)
    assert again.exit_code == 0, again.output
    assert target.read_bytes() == complete
    assert list((tmp_path / "roadmaps").glob(".*.tmp")) == [], "temporary files left after the next write"


def test_new_removes_what_a_killed_new_of_the_same_file_left(tmp_path: Path, run: Any) -> None:
    make_layout(tmp_path)
    left = tmp_path / "roadmaps" / ".killed.yaml.x1y2z3.tmp"  # as `mkstemp` names it, the writer killed before linking
    left.write_bytes(b"half a file")
    other = tmp_path / "roadmaps" / ".good.yaml.a1b2c3.tmp"  # another file's: not touched
    other.write_bytes(b"another writer's")
    (tmp_path / "roadmaps" / ".killed.yaml.folder.tmp").mkdir()  # a folder of such a name: left, no failure
    result = run("new", "killed", *NEW_OPTIONS, "--dir", "roadmaps", "--as-of", AS_OF, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert not left.exists()
    assert other.read_bytes() == b"another writer's"
    again = run("new", "killed", *NEW_OPTIONS, "--dir", "roadmaps", "--as-of", AS_OF, cwd=tmp_path)
    assert again.exit_code == 1 and "killed.yaml" in again.output, again.output


def test_export_killed_at_any_moment_leaves_the_old_or_the_new_report(tmp_path: Path, run: Any) -> None:
    make_layout(tmp_path)
    target = tmp_path / "out" / "report.xlsx"
    args = ["export", "-o", "out/report.xlsx", "--dir", "roadmaps", "--as-of", AS_OF]
    old = b"the previous report"
    target.write_bytes(old)

    def reset() -> None:
        target.write_bytes(old)

    states = _kill_loop(tmp_path, args, target, reset, attempts=8)
    for state in states - {old}:
        assert zipfile.is_zipfile(io.BytesIO(state)), "a partial report"
        with zipfile.ZipFile(io.BytesIO(state)) as archive:
            assert archive.testzip() is None
    again = run(*args, cwd=tmp_path)
    assert again.exit_code == 0, again.output
    assert list((tmp_path / "out").glob(".*.tmp")) == [], "temporary files left after the next write"


# --- 2. fuzzing ----------------------------------------------------------------------------------

SETTINGS_CHOICES = [Settings(), Settings.from_plan(PLAN_MODEL.validate_python(source.load(PLAN, "_plan.yaml").data))]
GOOD_MODEL, _ = store.parse_roadmap(GOOD, "good.yaml", SETTINGS_CHOICES[1])
# fmt: off
WORDS = [
    "ニーズ調査", "ロードマップ作成", "フィールドワーク", "研修会", "要件定義", "導入", "x", "a: b", "#c", "- x", "[x]",
    "'q'", '"d"', "2024-04-01", "123", "1.5", "true", "null", "~", "\x1b[31m", "\u202e", "R5", "Q2", "&a", "*a", "!x",
    "=1+2", "<b>", "\\", "\t", " 前後の空白 ", "ｶﾅ", "全角　空白",
]
# fmt: on
YEARS = ["R5", "R6", "R7", "R8", "R9", "令和6年度", "令和７年度", "FY2025", "2026年度", "2027", "令和元年度", "R10"]
QUARTERS = ["Q1", "Q2", "Q3", "Q4", "第2四半期", "3", "Q5", "０"]
FIELDS = ["暮らし・まち分野", "行政経営", "産業・しごと", "宇宙"]
# fmt: off
KEYS = [
    "政策分野", "事業名", "担当課", "概要", "取組方針", "備考", "取組", "名称", "目標", "実績", "内容", "期限", "指標",
    "目標値", "単位", "基準値", "方向", "四半期", "日付", "達成", "値", "理由", "見通し", "実積", "<<",
]
# fmt: on

texts = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=12))
quarters = st.one_of(st.sampled_from(QUARTERS), st.integers(0, 5))
days = st.dates(date(2019, 1, 1), date(2032, 12, 31))
targets = st.one_of(
    texts,
    st.fixed_dictionaries({"内容": texts}, optional={"期限": st.one_of(st.sampled_from(QUARTERS[:4]), days)}),
    st.fixed_dictionaries(
        {"指標": texts, "目標値": st.one_of(st.integers(0, 1000), st.floats(0, 1000))},
        optional={"単位": texts, "基準値": st.integers(0, 100), "方向": st.sampled_from(["増加", "減少", "上"])},
    ),
)
actuals = st.one_of(
    texts,
    st.fixed_dictionaries(
        {},
        optional={
            "四半期": quarters,
            "内容": texts,
            "達成": st.lists(texts, max_size=3),
            "日付": days,
            "理由": texts,
            "見通し": st.sampled_from(["順調", "注意", "困難", "最高"]),
            "指標": texts,
            "値": st.one_of(st.integers(-5, 1000), st.floats(allow_nan=False, allow_infinity=False)),
        },
    ),
)


def _years(items: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(YEARS), st.one_of(st.lists(items, max_size=3), items), max_size=3)


initiatives = st.fixed_dictionaries(
    {"名称": texts, "目標": _years(targets)}, optional={"実績": _years(actuals), "備考": texts}
)
roadmaps = st.fixed_dictionaries(
    {
        "政策分野": st.sampled_from(FIELDS),
        "事業名": texts,
        "担当課": texts,
        "取組": st.lists(initiatives, min_size=1, max_size=3),
    },
    optional={"概要": texts, "取組方針": st.lists(st.sampled_from(["子育てのDX", "データの利活用", "x"]), max_size=2)},
)
others = st.one_of(
    st.lists(texts, max_size=2),
    st.dictionaries(texts, texts, max_size=2),
    st.integers(),
    st.sampled_from([10**400, -(10**30), 2**63, 0, -1]),
    st.booleans(),
    st.none(),
    days,
    st.floats(),
    st.text(max_size=3).map(lambda s: (s or "長") * 3_000),
    st.just(""),
    st.just("   "),
)
# fmt: off
EXTREMES = [10**400, -(10**400), 2**64, -(2**63), 1e308, -1e308, 5e-324, -0.0, math.inf, -math.inf, math.nan]
SNIPPETS = [
    ": ", "\t", "&a ", "*a", "<<: *a\n", "!!python/object/apply:os.system ", "!x ", "<<<<<<< HEAD\n", "=======\n",
    "---\n", "...\n", "[", "]", "{", "}", ": ", "- ", "#", "'", '"', "\ufeff", "\x1b", "\r", "\r\n", "\n", "? ",
    "|\n", ">-\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "\\", "\u2028", "\x85", "  ", "2024-02-30", "0x", "1e400",
    "R99", "令和0年度", "Q5", "\uffff", "@", "`", "%", ",", "&", "*", "\x00",
]
# fmt: on
PRINTABLE = st.characters(min_codepoint=0x20, exclude_categories=("Cs", "Cc"))
PLAIN_OK = re.compile(r"[\w\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e・（）()]+")


def quote(text: str) -> str:
    """A YAML double-quoted scalar that reads back as `text`."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c.isprintable() and c != "\ufeff":
            out.append(c)
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def scalar(value: Any, rnd: random.Random) -> str:
    if value is None:
        return rnd.choice(["null", "~", ""])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        return (".inf" if value > 0 else "-.inf") if math.isinf(value) else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if rnd.random() < 0.6 and PLAIN_OK.fullmatch(text) and source.plain_is_text(text):
        return text
    return quote(text)


def flow(value: Any, rnd: random.Random) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{flow(k, rnd)}: {flow(v, rnd)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v, rnd) for v in value) + "]"
    if value is None:
        return "null"
    return quote(value) if isinstance(value, str) else scalar(value, rnd)


def block(value: Any, indent: int, rnd: random.Random) -> list[str]:
    """Lines of `value` (a mapping or a list) in block style at `indent`, with flow style here and there."""
    pad = " " * indent
    if not value or rnd.random() < (0.4 if isinstance(value, list) else 0.1):
        return [pad + flow(value, rnd)]
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{scalar(key, rnd) or '~'}:")
                lines += block(item, indent + 2, rnd)
            else:
                rendered = flow(item, rnd) if isinstance(item, (dict, list)) else scalar(item, rnd)
                lines.append(f"{pad}{scalar(key, rnd) or '~'}: {rendered}".rstrip())
        return lines
    for item in value:
        if isinstance(item, dict) and item:
            inner = block(item, indent + 2, rnd)
            lines += [pad + "- " + inner[0][indent + 2 :], *inner[1:]]
        elif isinstance(item, list) and item:
            lines += [pad + "-", *block(item, indent + 2, rnd)]
        else:
            rendered = flow(item, rnd) if isinstance(item, (dict, list)) else scalar(item, rnd)
            lines.append(f"{pad}- {rendered}".rstrip())
    return lines


def render(doc: Any, rnd: random.Random) -> str:
    return "\n".join(block(doc, 0, rnd)) + "\n"


def _slots(value: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) in `value`."""
    stack = [value]
    while stack:
        current = stack.pop()
        items = (
            current.items() if isinstance(current, dict) else enumerate(current) if isinstance(current, list) else ()
        )
        for key, item in list(items):
            yield current, key
            stack.append(item)


@st.composite
def mutated_roadmaps(draw: st.DrawFn) -> dict[str, Any]:
    """A near-valid roadmap with 0-3 changes: a key deleted or renamed, a value of another type."""
    doc = draw(roadmaps)
    for _ in range(draw(st.integers(0, 3))):
        slots = list(_slots(doc))
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["delete", "replace", "rename", "extreme"]))
        numbers = [(c, k) for c, k in slots if isinstance(c[k], (int, float)) and not isinstance(c[k], bool)]
        if action == "extreme" and numbers:
            container, key = draw(st.sampled_from(numbers))
            container[key] = draw(st.sampled_from(EXTREMES))
        elif action == "delete":
            del container[key]
        elif action in ("replace", "extreme"):
            container[key] = draw(others)
        elif isinstance(container, dict):
            new_key = draw(st.one_of(st.sampled_from(KEYS + YEARS), texts, st.integers(-3, 3000), days))
            container[new_key] = container.pop(key)
    return doc


@st.composite
def spliced(draw: st.DrawFn, text: str) -> str:
    """`text` with 0-3 textual accidents: an insertion, a deletion, a line twice, a cut, an indentation."""
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line", "truncate", "indent", "dedent"]))
        lines = text.split("\n")
        line = min(text.count("\n", 0, at), len(lines) - 1)
        if action == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(SNIPPETS), st.text(PRINTABLE, max_size=4))) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
        elif action == "duplicate-line":
            text = "\n".join([*lines[: line + 1], lines[line], *lines[line + 1 :]])
        elif action == "truncate":
            text = text[:at]
        elif action == "indent":
            text = "\n".join([*lines[:line], " " * draw(st.integers(1, 3)) + lines[line], *lines[line + 1 :]])
        else:
            text = "\n".join([*lines[:line], lines[line][draw(st.integers(1, 3)) :], *lines[line + 1 :]])
    return text


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    """The bytes of a near-valid roadmap, mutated as data, as text and (sometimes) as bytes or encoding."""
    rnd = draw(st.randoms(use_true_random=False))
    text = draw(spliced(render(draw(mutated_roadmaps()), rnd)))
    encoding = draw(st.sampled_from(["utf-8"] * 12 + ["utf-8-sig", "crlf", "crlf", "cp932", "utf-16"]))
    if encoding == "crlf":
        raw = text.replace("\n", "\r\n").encode("utf-8", "surrogatepass")
    elif encoding == "cp932":
        raw = text.encode("cp932", "replace")
    else:
        raw = text.encode(encoding, "surrogatepass")
    if draw(st.integers(0, 19)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4).filter(lambda b: b"\x00" not in b)) + raw[at:]
    return raw


def parse_bytes(raw: bytes, chosen: Settings) -> tuple[Roadmap | None, list[Problem]]:
    """What `validate` does with one file's bytes."""
    try:
        text = source.decode(raw, "f.yaml")
    except source.SourceError as exc:
        return None, [exc.problem]
    return store.parse_roadmap(text, "f.yaml", chosen)


def check_parsed(raw: bytes, model: Roadmap | None, problems: list[Problem]) -> None:
    assert (model is None) == any(not p.warning for p in problems), (model, problems)  # warnings leave it valid
    text = raw.decode("utf-8", "replace")
    breaks = len(re.findall(r"\r\n|[\r\n\x85\u2028\u2029]", text))
    widest = max((len(line) for line in raw.splitlines()), default=0)
    for problem in problems:
        line = str(problem)
        assert problem.code in CODES, problem
        assert "\n" not in line and "\r" not in line, line
        assert line.startswith(f"f.yaml:{problem.line}:{problem.column}: {problem.code}"), line
        assert 1 <= problem.line <= breaks + 2, (problem, breaks)
        assert 1 <= problem.column <= widest + 2, (problem, widest)


def exercise(model: Roadmap, chosen: Settings) -> None:
    """What the commands do with a valid model: judge it, list what slips, write its JSON."""
    project = Project("f", "f.yaml", model)
    for as_of in (date(2023, 4, 1), date(2026, 11, 26), date(2031, 3, 31)):
        status = progress.judge(project, chosen, as_of)
        progress.slipping_items([status], as_of)
        json.dumps(report_data.project(status, with_actuals=True), allow_nan=False)


def test_fuzz_hostile_bytes_never_raise() -> None:
    """Mutated roadmaps through the parser: never an exception; problems well-formed; a valid one loads twice alike."""

    @fuzz_settings()
    @given(raw=hostile_bytes(), chosen=st.sampled_from(SETTINGS_CHOICES))
    def parse_mutated(raw: bytes, chosen: Settings) -> None:
        model, problems = parse_bytes(raw, chosen)
        event("valid" if model is not None else f"invalid: {problems[0].code}")
        check_parsed(raw, model, problems)
        if model is not None:
            again, more = parse_bytes(raw, chosen)
            assert more == problems and again == model, "a valid file loaded to another model the second time"
            exercise(model, chosen)
        # nothing left behind in the parser: the good roadmap still reads as before
        assert store.parse_roadmap(GOOD, "good.yaml", SETTINGS_CHOICES[1]) == (GOOD_MODEL, [])

    parse_mutated()


def test_fuzz_near_valid_roadmaps_load_the_same_twice() -> None:
    """Near-valid roadmaps (about a third valid): a valid one loads to the same model twice, and is judged."""

    @fuzz_settings()
    @given(doc=roadmaps, rnd=st.randoms(use_true_random=False), chosen=st.sampled_from(SETTINGS_CHOICES))
    def parse_near_valid(doc: dict[str, Any], rnd: random.Random, chosen: Settings) -> None:
        raw = render(doc, rnd).encode()
        model, problems = parse_bytes(raw, chosen)
        event("valid" if model is not None else f"invalid: {problems[0].code}")
        check_parsed(raw, model, problems)
        if model is not None:
            assert parse_bytes(raw, chosen) == (model, problems)
            assert model.name == doc["事業名"]
            exercise(model, chosen)

    parse_near_valid()


def test_the_renderer_writes_valid_roadmaps() -> None:
    """The fuzzing starts near valid: a plain roadmap rendered in every style reads back as itself."""
    doc = {
        "政策分野": "暮らし・まち分野",
        "事業名": "a: b #c",
        "担当課": "\x1b[31m課\u202e",
        "取組": [
            {
                "名称": "環境整備",
                "目標": {
                    "R6": ["ニーズ調査", {"内容": "要件定義", "期限": "Q2"}],
                    "R8": [{"指標": "件数", "目標値": 10}],
                },
                "実績": {"R6": [{"四半期": "Q1", "内容": "実施", "達成": ["ニーズ調査"]}]},
            }
        ],
    }
    for seed in range(20):
        model, problems = parse_bytes(render(doc, random.Random(seed)).encode(), SETTINGS_CHOICES[1])
        assert problems == [], (seed, problems)
        assert model is not None and model.name == "a: b #c" and model.owner == "\x1b[31m課\u202e"


def test_fuzz_through_the_cli(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A few mutated roadmaps beside the good one, through `validate` and `status --format json`."""

    @fuzz_settings(share=20)
    @given(raw=hostile_bytes())
    def through_the_cli(raw: bytes) -> None:
        tmp = tmp_path_factory.mktemp("cli-fuzz")
        root = make_layout(tmp)
        (root / "f.yaml").write_bytes(raw)
        runner = CliRunner()
        validated = runner.invoke(app, ["validate", "--dir", str(root)], env=ENV)
        status = runner.invoke(app, ["status", "--format", "json", "--dir", str(root), "--as-of", AS_OF], env=ENV)
        shutil.rmtree(tmp)
        for result in (validated, status):
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
            assert "Traceback" not in result.output and "internal error" not in result.output, result.output
            assert result.exit_code in (0, 1), result.output
            assert unsafe(result.output) == [], result.output
        for line in [line for line in validated.stdout.split("\n") if line.strip()]:
            assert PROBLEM.match(line), line
        document = json.loads(status.stdout)
        assert "good" in [p["id"] for p in document["projects"]]
        assert (validated.exit_code == 0) == (document["invalid"] == []) == (status.exit_code == 0)

    through_the_cli()
