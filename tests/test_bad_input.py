"""Bad input (DESIGN.md §8): every problem is one `path:line:col: CODE message` line, exit 1, no traceback.

Each case starts from a valid roadmap (the seed roadmap, with a 取組方針 and a quarterly actual
added), applies one small change, and runs the command as a user would, through Typer's
CliRunner. Line and column numbers below are 1-based lines of BASE.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dxroadmap.cli import app
from dxroadmap.problems import CODES, WARNINGS
from tests.conftest import SEED_PLAN, Run, no_crash

runner = CliRunner()
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "LANG": "C.UTF-8"}
AS_OF = "2025-11-26"

PLAN = SEED_PLAN

# Based on roadmaps/kurashi-dx-kiban.yaml; every character is in CP932 so it can be saved as Shift_JIS.
BASE = """\
# yaml-language-server: $schema=../schemas/roadmap.schema.json
# 推進方法(ロードマップのイメージ) 暮らし・まち分野
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
      R6:
        - 四半期: Q1
          内容: 研修会を実施
          達成: [ロードマップの随時アップデート]

  - 名称: デジタル実装支援
    目標:
      R5: [フィールドワーク, 実装モデル導入試験]
      R8: [フィールドワーク, 実装モデル導入試験]
"""

PROBLEM = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[a-z0-9-]+) (?P<message>.*)$")


@dataclass(frozen=True)
class Found:
    path: str
    line: int
    column: int
    code: str
    message: str


def edit(old: str, new: str, text: str = BASE) -> str:
    """`text` with the one occurrence of `old` replaced (a case that replaces nothing is a broken test)."""
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def col(line_no: int, needle: str, text: str = BASE) -> int:
    """1-based column of `needle` in line `line_no` of `text`."""
    return text.splitlines()[line_no - 1].index(needle) + 1


def make_roadmaps(root: Path, files: dict[str, str | bytes], plan: str | bytes | None = PLAN) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if plan is not None:
        (root / "_plan.yaml").write_bytes(plan.encode() if isinstance(plan, str) else plan)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def run(*args: str) -> Result:
    result = runner.invoke(app, list(args), env=ENV)
    no_crash(result.exit_code, result.output)
    return result


def validate_one(tmp_path: Path, content: str | bytes, name: str = "p.yaml") -> Result:
    root = make_roadmaps(tmp_path / "roadmaps", {name: content})
    return run("validate", "--dir", str(root), "--as-of", "2026-11-26")  # R8: undated R8 actuals are warned of


def clean_exit(result: Result, code: int) -> None:
    """No traceback, no escaped exception, no crash: the exit code the caller expects (0, 1 or 2; never 70)."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{result.output}"


def problems(result: Result) -> list[Found]:
    """The problem lines `validate` printed; every line it printed must be one whole problem, and it exits 1
    when one of them is an error, 0 when there are none or only warnings."""
    assert "Traceback" not in result.output, result.output
    found = []
    for text in result.stdout.splitlines():
        if not text.strip():
            continue
        match = PROBLEM.match(text)
        assert match, f"not a `path:line:col: CODE message` line: {text!r}\n--- whole output:\n{result.output}"
        found.append(Found(match["path"], int(match["line"]), int(match["column"]), match["code"], match["message"]))
    clean_exit(result, 1 if any(p.code not in WARNINGS for p in found) else 0)
    return found


def only_problem(result: Result, code: str, line: int, column: int | None = None, path_end: str = "p.yaml") -> Found:
    found = problems(result)
    assert result.exit_code == (0 if code in WARNINGS else 1), result.output  # a warning leaves the file valid
    assert [(p.code, p.line) for p in found] == [(code, line)], result.output
    assert code in CODES
    problem = found[0]
    assert problem.path.endswith(path_end), problem
    if column is not None:
        assert problem.column == column, problem
    return problem


# --- the base is valid ---------------------------------------------------------------------------


def test_base_roadmap_is_valid(tmp_path: Path) -> None:
    result = validate_one(tmp_path, BASE)
    assert problems(result) == []
    assert result.exit_code == 0, result.output


# --- one small change, one problem ----------------------------------------------------------------

# (id, old, new, code, line, column or None, words the message must contain)
CASES = [
    ("yaml-syntax-mapping-in-value", "概要: 地域社会", "概要: 地域: 社会", "yaml-syntax", 6, 7, ""),
    ("yaml-syntax-tab-indent", "      R5: [ニーズ調査]\n", "\tR5: [ニーズ調査]\n", "yaml-syntax", 15, None, ""),
    (
        "yaml-syntax-second-document",
        "取組方針: [子育てのDX]\n",
        "取組方針: [子育てのDX]\n---\n",
        "yaml-syntax",
        8,
        1,
        "",
    ),
    ("duplicate-key-top", "担当課:", "事業名: 二重\n担当課:", "duplicate-key", 5, 1, "line 4"),
    (
        "duplicate-key-flow",
        "R5: [ニーズ調査, ロードマップ作成]",
        "R5: [{内容: ニーズ調査, 内容: 再調査}]",
        "duplicate-key",
        11,
        24,
        "内容",
    ),
    ("unknown-key-jisseki-typo", "    実績:", "    実積:", "unknown-key", 14, 5, "did you mean 実績?"),
    ("unknown-key-top-typo", "事業名:", "事業明:", "unknown-key", 4, 1, "did you mean 事業名?"),
    ("missing-key-owner", "担当課: 企画政策部DX推進課\n", "", "missing-key", 3, 1, "担当課"),
    (
        "missing-key-initiative-name",
        "  - 名称: デジタル実装支援\n    目標:",
        "  - 目標:",
        "missing-key",
        21,
        5,
        "名称",
    ),
    (
        "wrong-type-list-as-text",
        "担当課: 企画政策部DX推進課",
        "担当課: [企画政策部, DX推進課]",
        "wrong-type",
        5,
        6,
        "text",
    ),
    ("bad-year-x7", "R7: [ニーズ再調査]", "X7: [ニーズ再調査]", "bad-year", 13, 7, "X7"),
    ("bad-year-reiwa-1000", "R7: [ニーズ再調査]", "令和1000年度: [ニーズ再調査]", "bad-year", 13, 7, ""),
    ("year-out-of-period-r12", "R8: [フィールドワーク", "R12: [フィールドワーク", "year-out-of-period", 24, 7, "R5–R9"),
    (
        "undated-actual",
        "      R5: [ニーズ調査]\n",
        "      R5: [ニーズ調査]\n      R8: [フィールドワーク]\n",
        "undated-actual",
        16,
        12,
        "R8",
    ),
    (
        "duplicate-entry",
        "      R5: [ニーズ調査]\n",
        "      R5: [ニーズ調査, ニーズ調査]\n",
        "duplicate-entry",
        15,
        19,
        "R5",
    ),
    ("year-far-off", "R8: [フィールドワーク", "R77: [フィールドワーク", "bad-year", 24, 7, "30"),
    (
        "year-out-of-period-actual",
        "      R5: [ニーズ調査]\n",
        "      R4: [ニーズ調査]\n",
        "year-out-of-period",
        15,
        7,
        "R4",
    ),
    ("bad-quarter-q5", "四半期: Q1", "四半期: Q5", "bad-quarter", 17, 16, "Q5"),
    ("bad-quarter-dai5", "四半期: Q1", "四半期: 第5四半期", "bad-quarter", 17, 16, "第5四半期"),
    ("bad-quarter-zero", "四半期: Q1", "四半期: 0", "bad-quarter", 17, 16, ""),
    (
        "unknown-target",
        "達成: [ロードマップの随時アップデート]",
        "達成: [存在しない目標]",
        "unknown-target",
        19,
        16,
        "存在しない目標",
    ),
    (
        "unknown-target-later-year",
        "達成: [ロードマップの随時アップデート]",
        "達成: [ニーズ再調査]",
        "unknown-target",
        19,
        16,
        "",
    ),
    ("date-as-text-content", "内容: 研修会を実施", "内容: 2024-04-01", "date-as-text", 18, 15, "2024-04-01"),
    ("date-as-text-target", "R7: [ニーズ再調査]", "R7: [2024-04-01]", "date-as-text", 13, 12, "quote"),
    ("date-as-text-name", "事業名: 暮らし・まちのDX創出基盤の構築", "事業名: 2024-04-01", "date-as-text", 4, 6, ""),
    (
        "bad-value-impossible-date",
        "内容: 研修会を実施",
        "内容: 研修会を実施\n          日付: 2024-02-30",
        "bad-value",
        19,
        15,
        "",
    ),
    (
        "bad-value-outlook",
        "内容: 研修会を実施",
        "内容: 研修会を実施\n          見通し: 最高",
        "bad-value",
        19,
        16,
        "見通し",
    ),
    ("bad-value-empty-text", "担当課: 企画政策部DX推進課", '担当課: "  "', "bad-value", 5, 6, ""),
    (
        "conflict-marker",
        "      R6: [ロードマップの随時アップデート]\n",
        "<<<<<<< HEAD\n      R6: [ロードマップの随時アップデート]\n=======\n      R6: [改訂]\n>>>>>>> other\n",
        "conflict-marker",
        12,
        1,
        "",
    ),
    (
        "alias-anchor",
        "R5: [ニーズ調査, ロードマップ作成]",
        "R5: &a [ニーズ調査, ロードマップ作成]",
        "alias",
        11,
        11,
        "",
    ),
    (
        "alias-merge-key",
        "  - 名称: デジタル実装支援\n",
        "  - <<: *a\n    名称: デジタル実装支援\n",
        "alias",
        21,
        9,
        "*a",
    ),
    ("yaml-tag-local", "概要: 地域社会", "概要: !custom 地域社会", "yaml-tag", 6, 5, "!custom"),
    ("yaml-tag-python-on-list", "取組:\n", "取組: !!python/object/new:os.system\n", "yaml-tag", 8, 5, "python"),
    ("binary-nul", "概要: 地域", "概\x00要: 地域", "binary", 6, 2, ""),
    (
        "unknown-field",
        "政策分野: 暮らし・まち分野",
        "政策分野: 暮らしまち",
        "unknown-field",
        3,
        7,
        "did you mean 暮らし・まち?",
    ),
    (
        "unknown-focus",
        "取組方針: [子育てのDX]",
        "取組方針: [子育てDX]",
        "unknown-focus",
        7,
        8,
        "did you mean 子育てのDX?",
    ),
    (
        "duplicate-initiative",
        "名称: デジタル実装支援",
        "名称: 地域社会のデジタル化促進に向けた環境整備",
        "duplicate-initiative",
        21,
        9,
        "",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_one_change_one_problem(
    tmp_path: Path, old: str, new: str, code: str, line: int, column: int | None, words: str
) -> None:
    problem = only_problem(validate_one(tmp_path, edit(old, new)), code, line, column)
    assert words in problem.message


def test_duplicate_year_is_reported_at_the_second_spelling(tmp_path: Path) -> None:
    # 令和5年度 on line 13 names the same year as R5 on line 11; like duplicate-key, point at the second one.
    problem = only_problem(
        validate_one(tmp_path, edit("R7: [ニーズ再調査]", "令和5年度: [ニーズ再調査]")), "duplicate-year", 13, 7
    )
    assert "R5" in problem.message
    assert "令和5年度" in problem.message


def test_duplicate_year_is_one_problem(tmp_path: Path) -> None:
    result = validate_one(tmp_path, edit("R7: [ニーズ再調査]", "令和5年度: [ニーズ再調査]"))
    assert result.exit_code == 1
    assert [p.code for p in problems(result)] == ["duplicate-year"]


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        pytest.param(
            "R8: [フィールドワーク, 実装モデル導入試験]", "R8: [{指標: 導入市町村数, 目標値: .nan}]", ".nan", id="nan"
        ),
        pytest.param(
            "R8: [フィールドワーク, 実装モデル導入試験]", "R8: [{指標: 導入市町村数, 目標値: .inf}]", ".inf", id="inf"
        ),
    ],
)
def test_kpi_target_not_a_finite_number_is_bad_value(tmp_path: Path, old: str, new: str, needle: str) -> None:
    # A target of NaN or infinity judges nothing, and `status --format json` would print `NaN`, which is not JSON.
    text = edit(old, new)
    only_problem(validate_one(tmp_path, text), "bad-value", 24, col(24, needle, text))


HEAD = BASE.split("取組:\n", maxsplit=1)[0]  # lines 1-7: everything before 取組


@pytest.mark.parametrize(
    ("content", "code", "line", "column", "words"),
    [
        pytest.param(HEAD, "missing-key", 3, 1, "取組", id="no-initiatives-key"),
        pytest.param(HEAD + "取組: []\n", "missing-key", 8, 5, "取組", id="empty-initiatives"),
        pytest.param(HEAD + "取組:\n", "wrong-type", 8, 4, "取組", id="null-initiatives"),
        pytest.param(
            HEAD + "取組:\n  - 名称: 環境整備\n    目標: [ニーズ調査]\n",
            "wrong-type",
            10,
            9,
            "目標",
            id="list-as-targets",
        ),
        pytest.param(HEAD + "取組: 環境整備\n", "wrong-type", 8, 5, "取組", id="text-as-initiatives"),
        pytest.param(
            HEAD + "取組:\n  - 名称: 環境整備\n    目標:\n      R5: [{内容: a, 期限: Q9}]\n",
            "bad-quarter",
            11,
            24,
            "Q9",
            id="due-q9",
        ),
    ],
)
def test_initiatives_shape(tmp_path: Path, content: str, code: str, line: int, column: int, words: str) -> None:
    problem = only_problem(validate_one(tmp_path, content), code, line, column)
    assert words in problem.message


# --- whole-file cases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "line", "column"),
    [
        pytest.param("- 名称: a\n- 名称: b\n", "not-mapping", 1, 1, id="top-level-list"),
        pytest.param("暮らし・まち\n", "not-mapping", 1, 1, id="top-level-scalar"),
        pytest.param("# roadmap\n\n42\n", "not-mapping", 3, 1, id="top-level-number-after-comments"),
        pytest.param("", "empty-file", 1, 1, id="empty"),
        pytest.param("\n\n  \n", "empty-file", 1, 1, id="blank-lines"),
        pytest.param("# 事業名: 未記入\n# 取組: 未定\n", "empty-file", 1, 1, id="comments-only"),
        pytest.param("[" * 100_000, "too-deep", 1, None, id="100000-brackets"),
        pytest.param("{a: " * 50_000, "too-deep", 1, None, id="50000-braces"),
        pytest.param(
            "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40 + "v\n",
            "too-deep",
            None,
            None,
            id="deep-block",
        ),
    ],
)
def test_whole_file(tmp_path: Path, content: str, code: str, line: int | None, column: int | None) -> None:
    result = validate_one(tmp_path, content)
    found = problems(result)
    assert result.exit_code == 1, result.output
    assert [p.code for p in found] == [code], result.output
    if line is not None:
        assert found[0].line == line
    if column is not None:
        assert found[0].column == column


def test_too_deep_block_is_at_the_first_level_too_deep(tmp_path: Path) -> None:
    content = "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40 + "v\n"
    problem = only_problem(validate_one(tmp_path, content), "too-deep", 25)
    assert problem.column == 2 * 24 + 1


def test_too_deep_in_a_separate_process_does_not_crash(tmp_path: Path) -> None:
    # A C parser reached by recursion would die by signal (negative return code); this must be a clean exit 1.
    root = make_roadmaps(tmp_path / "roadmaps", {"deep.yaml": "[" * 100_000, "deep2.yaml": "a: " + "[" * 100_000})
    done = subprocess.run(
        [sys.executable, "-m", "dxroadmap", "validate", "--dir", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **ENV},
        check=False,
    )
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count(": too-deep ") == 2, done.stdout


# --- encodings and line endings -----------------------------------------------------------------


def test_shift_jis_is_not_utf8_and_says_how_to_resave(tmp_path: Path) -> None:
    problem = only_problem(validate_one(tmp_path, BASE.encode("cp932")), "not-utf8", 2, 3)
    assert "UTF-8" in problem.message
    assert "Shift_JIS" in problem.message or "CP932" in problem.message
    assert "re-save" in problem.message or "Save As" in problem.message or "iconv" in problem.message


def test_shift_jis_error_is_on_the_first_non_ascii_line(tmp_path: Path) -> None:
    text = BASE.replace("# 推進方法(ロードマップのイメージ) 暮らし・まち分野\n", "# roadmap\n")
    only_problem(validate_one(tmp_path, text.encode("cp932")), "not-utf8", 3, 1)


def test_utf16_with_bom_is_not_utf8(tmp_path: Path) -> None:
    problem = only_problem(validate_one(tmp_path, BASE.encode("utf-16")), "not-utf8", 1, 1)
    assert "UTF-8" in problem.message
    assert "UTF-16" in problem.message


def test_utf16_hint_does_not_suggest_converting_from_cp932(tmp_path: Path) -> None:
    # `iconv -f CP932` on a UTF-16 file produces garbage: the advice must fit the encoding it names.
    problem = only_problem(validate_one(tmp_path, BASE.encode("utf-16")), "not-utf8", 1, 1)
    assert "CP932" not in problem.message, problem.message


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    result = validate_one(tmp_path, b"\xef\xbb\xbf" + BASE.encode())
    assert problems(result) == []
    assert result.exit_code == 0, result.output


def test_utf8_bom_does_not_shift_line_or_column(tmp_path: Path) -> None:
    content = b"\xef\xbb\xbf" + edit("事業名:", "事業明:").encode()
    only_problem(validate_one(tmp_path, content), "unknown-key", 4, 1)
    without_comments = BASE.split("\n", 2)[2]
    content = b"\xef\xbb\xbf" + edit("政策分野: 暮らし・まち分野", "政策分野: [a]", without_comments).encode()
    only_problem(validate_one(tmp_path / "first-line", content), "wrong-type", 1, 7)


def test_crlf_is_accepted(tmp_path: Path) -> None:
    result = validate_one(tmp_path, BASE.replace("\n", "\r\n").encode())
    assert problems(result) == []
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column"),
    [
        pytest.param("R7: [ニーズ再調査]", "X7: [ニーズ再調査]", "bad-year", 13, 7, id="bad-year"),
        pytest.param("担当課:", "事業名: 二重\n担当課:", "duplicate-key", 5, 1, id="duplicate-key"),
        pytest.param("四半期: Q1", "四半期: Q5", "bad-quarter", 17, 16, id="bad-quarter"),
        pytest.param(
            "      R6: [ロードマップの随時アップデート]\n",
            "<<<<<<< HEAD\n      R6: [a]\n=======\n      R6: [b]\n>>>>>>> other\n",
            "conflict-marker",
            12,
            1,
            id="conflict-marker",
        ),
        pytest.param("概要: 地域社会", "概要: 地域: 社会", "yaml-syntax", 6, 7, id="yaml-syntax"),
    ],
)
def test_crlf_problem_has_the_right_line(tmp_path: Path, old: str, new: str, code: str, line: int, column: int) -> None:
    content = edit(old, new).replace("\n", "\r\n").encode()
    only_problem(validate_one(tmp_path, content), code, line, column)


# --- YAML features that are refused --------------------------------------------------------------


def test_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    started = time.perf_counter()
    result = validate_one(tmp_path, bomb)
    elapsed = time.perf_counter() - started
    only_problem(result, "alias", 1, 4)
    assert elapsed < 1.0, elapsed


def test_alias_without_anchor_in_the_file(tmp_path: Path) -> None:
    problem = only_problem(validate_one(tmp_path, edit("R7: [ニーズ再調査]", "R7: *x")), "alias", 13, 11)
    assert "*x" in problem.message


def test_python_tag_is_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = edit("概要: 地域社会", f"概要: !!python/object/apply:os.system ['touch {marker}'] #")
    problem = only_problem(validate_one(tmp_path, text), "yaml-tag", 6, 5)
    assert "python/object/apply:os.system" in problem.message
    assert not marker.exists()


def test_python_tag_refused_by_status_and_show_too(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = edit("概要: 地域社会", f"概要: !!python/object/apply:os.system ['touch {marker}'] #")
    root = make_roadmaps(tmp_path / "roadmaps", {"p.yaml": text})
    for args in (["status"], ["status", "--format", "json"], ["show", "p"], ["slipping"]):
        result = run(*args, "--dir", str(root), "--as-of", AS_OF)
        clean_exit(result, 1)
    assert not marker.exists()


# --- size and bytes ------------------------------------------------------------------------------


def test_file_over_one_mib_is_too_large(tmp_path: Path) -> None:
    content = BASE + "# " + "x" * (1 << 20) + "\n"
    problem = only_problem(validate_one(tmp_path, content), "too-large", 1, 1)
    assert "1,048,576" in problem.message or "1 MiB" in problem.message


def test_file_of_exactly_one_mib_is_read(tmp_path: Path) -> None:
    head = BASE.encode() + b"# "
    content = head + b"x" * ((1 << 20) - len(head) - 1) + b"\n"
    assert len(content) == 1 << 20
    result = validate_one(tmp_path, content)
    assert problems(result) == []
    assert result.exit_code == 0, result.output


def test_raw_control_character_is_one_line_at_its_position(tmp_path: Path) -> None:
    # A BEL byte pasted into 概要 (line 6, column 6): YAML refuses it; the problem must say where, on one line.
    problem = only_problem(validate_one(tmp_path, edit("概要: 地域", "概要: 地\x07域")), "yaml-syntax", 6, 6)
    assert "\x07" not in problem.message


def test_raw_escape_character_never_reaches_the_output(tmp_path: Path) -> None:
    result = validate_one(tmp_path, edit("概要: 地域", "概要: 地\x1b[2J域"))
    assert "\x1b" not in result.output
    only_problem(result, "yaml-syntax", 6, 6)


# --- YAML syntax errors: the line really at fault, a hint, in the user's language --------------------

# (id, old, new, line, column of the cause, Japanese words, English words). The parser notices most of
# these on a later line (a full-width colon makes the key a plain scalar that runs on); the problem
# must point at the cause.
FULLWIDTH_COLON = ("全角のコロン「：」は半角の「: 」にしてください", 'write the colon as ASCII ": "')
FULLWIDTH_SPACE = ("全角スペースでインデントしています", "full-width space (U+3000) in the indentation")
TAB = ("タブでインデントしています", "tabs are not allowed for indentation in YAML, use spaces")
NO_SPACE = ("「:」の後に空白がありません", "a space is needed after the colon")
SYNTAX_CAUSES = [
    ("fullwidth-colon", "担当課: 企画", "担当課：企画", 5, 4, *FULLWIDTH_COLON),
    ("fullwidth-colon-first-key", "政策分野: 暮らし", "政策分野：暮らし", 3, 5, *FULLWIDTH_COLON),
    (
        "fullwidth-colon-before-a-block",
        "    目標:\n      R5: [ニーズ調査, ",
        "    目標：\n      R5: [ニーズ調査, ",
        10,
        7,
        *FULLWIDTH_COLON,
    ),
    ("fullwidth-colon-year", "      R5: [ニーズ調査]\n", "      R5：[ニーズ調査]\n", 15, 9, *FULLWIDTH_COLON),
    ("fullwidth-colon-list-item", "- 四半期: Q1", "- 四半期：Q1", 17, 14, *FULLWIDTH_COLON),
    ("fullwidth-colon-spaced", "  - 名称: デジタル", "  - 名称 ： デジタル", 21, 8, *FULLWIDTH_COLON),
    ("fullwidth-space-indent", "      R5: [フィールド", "\u3000\u3000\u3000R5: [フィールド", 23, 1, *FULLWIDTH_SPACE),
    ("fullwidth-space-after-spaces", "          内容: 研修会", "        \u3000内容: 研修会", 18, 9, *FULLWIDTH_SPACE),
    (
        "fullwidth-space-in-list",
        "  - 名称: デジタル実装支援\n    目標:",
        "  - 名称: デジタル実装支援\n  \u3000目標:",
        22,
        3,
        *FULLWIDTH_SPACE,
    ),
    ("tab-indent", "      R5: [ニーズ調査]\n", "\tR5: [ニーズ調査]\n", 15, 1, *TAB),
    ("tab-after-spaces", "      R5: [ニーズ調査]\n", "    \tR5: [ニーズ調査]\n", 15, 5, *TAB),
    ("tab-before-key", "  - 名称: デジタル実装支援\n    目標:", "  - 名称: デジタル実装支援\n\t目標:", 22, 1, *TAB),
    ("no-space-after-colon", "担当課: 企画", "担当課:企画", 5, 4, *NO_SPACE),
    ("no-space-list-item", "  - 名称: デジタル", "  - 名称:デジタル", 21, 7, *NO_SPACE),
    ("no-space-before-flow", "      R5: [フィールド", "      R5:[フィールド", 23, 9, *NO_SPACE),
    (
        "unclosed-single-quote",
        "担当課: 企画政策部DX推進課",
        "担当課: '企画政策部DX推進課",
        5,
        6,
        "引用符 ' が閉じていません",
        "close the quote",
    ),
    (
        "unclosed-double-quote",
        "内容: 研修会を実施",
        '内容: "研修会を実施',
        18,
        15,
        '引用符 " が閉じていません',
        "close the quote",
    ),
    (
        "unclosed-quote-in-flow",
        "R7: [ニーズ再調査]",
        "R7: ['ニーズ再調査]",
        13,
        12,
        "引用符 ' が閉じていません",
        "close the quote",
    ),
]

# Errors with none of those causes: the parser's position, its text translated.
SYNTAX_TRANSLATED = [
    (
        "mapping-in-value",
        "概要: 地域社会",
        "概要: 地域: 社会",
        6,
        7,
        "値全体を引用符で囲んでください",
        'put a value that contains ": " in quotes',
    ),
    (
        "colon-after-fullwidth-colon-in-value",
        "概要: 地域社会",
        "概要: 目的：地域: 社会",
        6,
        10,
        "値全体を引用符で囲んでください",
        "in quotes",
    ),
    (
        "value-starts-with-at",
        "担当課: 企画政策部DX推進課",
        "担当課: @企画",
        5,
        6,
        "「@」で始まる値は書けません",
        'cannot start with "@"',
    ),
    (
        "value-starts-with-star",
        "概要: 地域社会",
        "概要: * 地域社会",
        6,
        5,
        "「*」で始まる値は書けません",
        'cannot start with "*"',
    ),
    (
        "unclosed-bracket",
        "R7: [ニーズ再調査]",
        "R7: [ニーズ再調査",
        13,
        11,
        "「[」が閉じていません",
        'the "[" is never closed',
    ),
    (
        "text-after-quote",
        "担当課: 企画政策部DX推進課",
        '担当課: "企画政策部"DX推進課',
        5,
        13,
        "閉じた引用符の後",
        "after the closing quote",
    ),
    (
        "backslash-in-double-quotes",
        "担当課: 企画政策部DX推進課",
        '担当課: "C:\\共有\\企画"',
        5,
        9,
        "単一引用符",
        "single quotes",
    ),
    ("indentation-deeper", "    実績:\n", "     実績:\n", 14, 6, "インデント", "check the indentation"),
    ("indentation-shallower", "    実績:\n", "   実績:\n", 14, 4, "「- 」で始まる項目", "check the indentation"),
    (
        "item-after-key",
        "事業名: 暮らし",
        "事業名: - 暮らし",
        4,
        6,
        "「- 」の項目は書けません",
        'a "- " item is not allowed here',
    ),
    (
        "key-without-colon",
        "担当課: 企画政策部DX推進課",
        "担当課 企画政策部DX推進課",
        5,
        1,
        "「:」が見つかりません",
        'could not find the ":"',
    ),
    # a line with no key: the parser reads it and the next key as one text, and stops at that key's colon
    (
        "line-without-key",
        "事業名: 暮らし",
        "暮らし・まち\n事業名: 暮らし",
        4,
        1,
        "「:」が見つかりません",
        'could not find the ":"',
    ),
    (
        "block-scalar-header",
        "概要: 地域社会",
        "概要: |x 地域社会",
        6,
        5,
        "「|」で始まる値は書けません",
        'cannot start with "|"',
    ),
]

PARSER_WORDS = re.compile(r"could not|mapping values|while (?:scanning|parsing)|found|expected", re.IGNORECASE)


def syntax_problem(run: Run, folder: Path, content: str | bytes, lang: str) -> Found:
    """The one `yaml-syntax` problem `validate --lang LANG` reports for `content`, exit code 1."""
    root = make_roadmaps(folder / lang / "roadmaps", {"p.yaml": content})
    result = run("validate", "--dir", str(root), "--lang", lang)
    found = problems(result)
    assert result.exit_code == 1, result.output
    assert [p.code for p in found] == ["yaml-syntax"], result.output
    return found[0]


def check_syntax_message(problem: Found, lang: str, ja_words: str, en_words: str) -> None:
    if lang == "ja":
        assert problem.message.startswith("YAML として読めません: "), problem
        assert ja_words in problem.message, problem
        assert not PARSER_WORDS.search(problem.message), problem  # none of libyaml's English
    else:
        assert problem.message.startswith("cannot read as YAML: "), problem
        assert en_words in problem.message, problem
        assert ja_words not in problem.message, problem


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    ("old", "new", "line", "column", "ja_words", "en_words"),
    [pytest.param(*case[1:], id=case[0]) for case in SYNTAX_CAUSES + SYNTAX_TRANSLATED],
)
def test_yaml_syntax_error_is_at_the_fault_with_a_hint(
    run: Run, tmp_path: Path, old: str, new: str, line: int, column: int, ja_words: str, en_words: str, lang: str
) -> None:
    problem = syntax_problem(run, tmp_path, edit(old, new), lang)
    assert (problem.line, problem.column) == (line, column), problem
    check_syntax_message(problem, lang, ja_words, en_words)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_yaml_syntax_cause_with_crlf_and_bom(run: Run, tmp_path: Path, lang: str) -> None:
    content = b"\xef\xbb\xbf" + edit("担当課: 企画", "担当課：企画").replace("\n", "\r\n").encode()
    problem = syntax_problem(run, tmp_path, content, lang)
    assert (problem.line, problem.column) == (5, 4), problem
    check_syntax_message(problem, lang, *FULLWIDTH_COLON)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_unclosed_quote_closed_by_a_later_quote_is_found(run: Run, tmp_path: Path, lang: str) -> None:
    # The quote opened on line 5 runs on to the first quote of line 6, and the parser stops on line 6.
    text = edit("する。\n", "する。'\n", edit("概要: 地域社会", "概要: '地域社会"))
    text = edit("担当課: 企画政策部DX推進課", "担当課: '企画政策部DX推進課", text)
    problem = syntax_problem(run, tmp_path, text, lang)
    assert (problem.line, problem.column) == (5, 6), problem
    check_syntax_message(problem, lang, "引用符 ' が閉じていません", "close the quote")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_unrecognised_yaml_syntax_error_keeps_the_parser_text(run: Run, tmp_path: Path, lang: str) -> None:
    content = edit("# yaml-language-server", "%YAML 2.0\n---\n# yaml-language-server")
    problem = syntax_problem(run, tmp_path, content, lang)
    assert (problem.line, problem.column) == (1, 1), problem
    lead = "YAML として読めません: " if lang == "ja" else "cannot read as YAML: "
    assert problem.message == lead + "found incompatible YAML document"


@pytest.mark.parametrize("text", [edit(case[1], case[2]) for case in SYNTAX_CAUSES + SYNTAX_TRANSLATED])
def test_both_read_paths_word_a_syntax_error_the_same(text: str) -> None:
    # libyaml through PyYAML (the fast path) and through ruamel.yaml (the event path) fail alike, and
    # the problem is made from the error's texts and marks alone. The fast path still leaves the
    # wording to the event path (the two bundled libyaml versions differ on rare inputs).
    import yaml

    from dxroadmap import source

    assert source._fast_load(text, "p.yaml") is None
    errors = []
    for parse in (lambda: list(source._parser().parse(text)), lambda: yaml.compose(text, Loader=source._CLoader)):
        try:
            parse()
        except Exception as exc:  # each library's own error class
            errors.append(source.syntax_problem(text, "p.yaml", exc))
        else:
            pytest.fail(f"parsed: {text!r}")
    with pytest.raises(source.SourceError) as loaded:
        source.load(text, "p.yaml")
    assert errors[0] == errors[1] == loaded.value.problem


# --- files the tool cannot read ------------------------------------------------------------------


def test_dangling_symlink_is_unreadable(tmp_path: Path) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"good.yaml": BASE})
    (root / "gone.yaml").symlink_to(root / "nowhere.yaml")
    result = run("validate", "--dir", str(root))
    only_problem(result, "unreadable", 1, 1, path_end="gone.yaml")


def test_a_link_out_of_the_roadmaps_directory_is_not_followed(tmp_path: Path) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"good.yaml": BASE})
    secret = tmp_path / "secret.yaml"
    secret.write_text(BASE, encoding="utf-8")
    (root / "out.yaml").symlink_to(secret)
    (root / "sub").mkdir()
    (root / "_shared").mkdir()
    (root / "_shared" / "kept.yaml").write_text(BASE, encoding="utf-8")
    (root / "sub" / "inside.yaml").symlink_to(root / "_shared" / "kept.yaml")  # a link within the directory is fine
    result = run("validate", "--dir", str(root))
    only_problem(result, "outside-root", 1, 1, path_end="out.yaml")
    data = json.loads(run("status", "--dir", str(root), "--format", "json").stdout)
    assert sorted(p["id"] for p in data["projects"]) == ["good", "sub/inside"]


def test_symlink_loop_is_unreadable_and_hides_nothing(tmp_path: Path) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"good.yaml": BASE, "zbad.yaml": "- x\n"})
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    result = run("validate", "--dir", str(root))
    found = problems(result)
    assert result.exit_code == 1
    assert sorted((Path(p.path).name, p.code) for p in found) == [
        ("loop.yaml", "unreadable"),
        ("zbad.yaml", "not-mapping"),
    ], result.output


def test_file_without_read_permission_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"good.yaml": BASE, "secret.yaml": BASE})
    real_open = os.open

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if not isinstance(path, int) and Path(os.fsdecode(path)).name == "secret.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patched:
        if os.geteuid() == 0:  # root reads any file whatever its mode: the refusal is simulated (as test_hostile)
            patched.setattr(os, "open", refusing_open)
        (root / "secret.yaml").chmod(0)
        try:
            result = run("validate", "--dir", str(root))
        finally:
            (root / "secret.yaml").chmod(0o644)
    problem = only_problem(result, "unreadable", 1, 1, path_end="secret.yaml")
    assert "Permission denied" in problem.message, problem


def test_explicit_path_that_does_not_exist_is_unreadable(tmp_path: Path) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"good.yaml": BASE})
    result = run("validate", "--dir", str(root), str(root / "missing.yaml"))
    only_problem(result, "unreadable", 1, 1, path_end="missing.yaml")


# --- the repository: ids, the plan ---------------------------------------------------------------


def test_yaml_and_yml_with_the_same_id(tmp_path: Path) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"a.yaml": BASE, "a.yml": BASE})
    problem = only_problem(run("validate", "--dir", str(root)), "duplicate-id", 1, 1, path_end="a.yml")
    assert "a.yaml" in problem.message


def test_yaml_and_yml_with_the_same_id_in_a_subfolder(tmp_path: Path) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"sangyo/b.yml": BASE, "sangyo/b.yaml": BASE})
    problem = only_problem(run("validate", "--dir", str(root)), "duplicate-id", 1, 1, path_end="sangyo/b.yml")
    assert "sangyo/b" in problem.message


@pytest.mark.parametrize(
    ("plan", "code", "line", "column"),
    [
        pytest.param(edit("終了: R9", "終了: X9", PLAN), "bad-year", 3, 18, id="bad-year"),
        pytest.param(edit("計画名: (仮称)", "計画名: [(仮称)", PLAN), "yaml-syntax", None, None, id="yaml-syntax"),
        pytest.param(edit("年度開始月: 4", "年度開始月: 13", PLAN), "bad-value", 4, 8, id="bad-value"),
        pytest.param(edit("報告期限日数: 30", "報告期限日: 30", PLAN), "unknown-key", 5, 1, id="unknown-key"),
        pytest.param("- 分野\n", "not-mapping", 1, 1, id="not-mapping"),
        pytest.param(PLAN.encode("utf-16"), "not-utf8", 1, 1, id="not-utf8"),
    ],
)
def test_broken_plan_is_reported_with_its_path(
    tmp_path: Path, plan: str | bytes, code: str, line: int | None, column: int | None
) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"p.yaml": BASE}, plan=plan)
    result = run("validate", "--dir", str(root))
    found = problems(result)
    assert result.exit_code == 1, result.output
    assert [(Path(p.path).name, p.code) for p in found] == [("_plan.yaml", code)], result.output
    if line is not None:
        assert (found[0].line, found[0].column) == (line, column)


def test_broken_plan_does_not_hide_a_broken_project(tmp_path: Path) -> None:
    plan = edit("終了: R9", "終了: X9", PLAN)
    root = make_roadmaps(tmp_path / "roadmaps", {"p.yaml": edit("四半期: Q1", "四半期: Q5")}, plan=plan)
    found = problems(run("validate", "--dir", str(root)))
    assert sorted((Path(p.path).name, p.code, p.line) for p in found) == [
        ("_plan.yaml", "bad-year", 3),
        ("p.yaml", "bad-quarter", 17),
    ]


# --- one broken file never hides the others -------------------------------------------------------


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    return make_roadmaps(
        tmp_path / "roadmaps",
        {
            "good.yaml": BASE,
            "bad1.yaml": edit("四半期: Q1", "四半期: Q5"),
            "sub/bad2.yaml": BASE.encode("cp932"),
        },
    )


def test_validate_lists_every_broken_file(mixed: Path) -> None:
    result = run("validate", "--dir", str(mixed))
    found = problems(result)
    assert result.exit_code == 1
    assert sorted((Path(p.path).name, p.code, p.line) for p in found) == [
        ("bad1.yaml", "bad-quarter", 17),
        ("bad2.yaml", "not-utf8", 2),
    ]


def test_status_json_lists_good_projects_and_invalid_files(mixed: Path) -> None:
    result = run("status", "--format", "json", "--dir", str(mixed), "--as-of", AS_OF)
    clean_exit(result, 1)
    data = json.loads(result.stdout)
    assert [p["id"] for p in data["projects"]] == ["good"]
    invalid = sorted((Path(i["path"]).name, i["code"], i["line"], i["column"]) for i in data["invalid"])
    assert invalid == [("bad1.yaml", "bad-quarter", 17, 16), ("bad2.yaml", "not-utf8", 2, 3)]
    assert all(set(i) == {"path", "line", "column", "code", "message"} for i in data["invalid"])


@pytest.mark.parametrize("command", ["status", "slipping"])
def test_table_commands_print_what_they_can_and_list_broken_files(mixed: Path, command: str) -> None:
    result = run(command, "--dir", str(mixed), "--as-of", AS_OF)
    clean_exit(result, 1)
    lines = [PROBLEM.match(text) for text in result.output.splitlines()]
    codes = sorted((Path(m["path"]).name, m["code"]) for m in lines if m)
    assert codes == [("bad1.yaml", "bad-quarter"), ("bad2.yaml", "not-utf8")], result.output


def test_status_table_still_shows_the_good_project(mixed: Path) -> None:
    result = run("status", "--dir", str(mixed), "--as-of", AS_OF)
    assert "企画政策部DX推進課" in result.stdout


def test_show_of_a_broken_project_is_one_line(mixed: Path) -> None:
    result = run("show", "bad1", "--dir", str(mixed), "--as-of", AS_OF)
    clean_exit(result, 1)
    assert "bad1.yaml" in result.output
    assert len([t for t in result.output.splitlines() if t.strip()]) == 1, result.output


def test_validate_json_lists_problems(mixed: Path) -> None:
    result = run("validate", "--format", "json", "--dir", str(mixed))
    clean_exit(result, 1)
    data = json.loads(result.stdout)
    assert data["checked"] == 3
    assert sorted(i["code"] for i in data["invalid"]) == ["bad-quarter", "not-utf8"]


# --- paths as the user sees them ----------------------------------------------------------------


def test_problem_path_is_relative_to_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"sangyo/p.yaml": edit("四半期: Q1", "四半期: Q5")})
    monkeypatch.chdir(tmp_path)
    for given in ("roadmaps", str(root)):
        found = problems(run("validate", "--dir", given))
        assert [(p.path, p.line, p.column) for p in found] == [("roadmaps/sangyo/p.yaml", 17, 16)], given


def test_roadmaps_found_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_roadmaps(tmp_path / "roadmaps", {"p.yaml": edit("四半期: Q1", "四半期: Q5")})
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    found = problems(run("validate"))
    assert [(p.path, p.code) for p in found] == [("../roadmaps/p.yaml", "bad-quarter")]


def test_validate_explicit_files_with_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_roadmaps(
        tmp_path / "roadmaps", {"p.yaml": edit("四半期: Q1", "四半期: Q5"), "q.yaml": BASE, "r.yaml": "- x\n"}
    )
    monkeypatch.chdir(tmp_path)
    result = run("validate", "--dir", "roadmaps", "roadmaps/p.yaml", "roadmaps/q.yaml")
    found = problems(result)
    assert result.exit_code == 1
    assert [(p.path, p.line, p.code) for p in found] == [("roadmaps/p.yaml", 17, "bad-quarter")]
    result = run("validate", "--dir", "roadmaps", "roadmaps/q.yaml")
    assert problems(result) == []
    assert result.exit_code == 0, result.output


def test_validate_explicit_absolute_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"p.yaml": edit("四半期: Q1", "四半期: Q5")})
    monkeypatch.chdir(tmp_path)
    found = problems(run("validate", str(root / "p.yaml")))
    assert [(p.path, p.line, p.code) for p in found] == [("roadmaps/p.yaml", 17, "bad-quarter")]


def test_validate_explicit_relative_file_without_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `dxroadmap validate roadmaps/p.yaml` from the repository root: roadmaps/ is found, the file is checked.
    make_roadmaps(tmp_path / "roadmaps", {"p.yaml": edit("四半期: Q1", "四半期: Q5"), "q.yaml": BASE})
    monkeypatch.chdir(tmp_path)
    result = run("validate", "roadmaps/p.yaml")
    found = problems(result)
    assert result.exit_code == 1, result.output
    assert [(p.path, p.line, p.code) for p in found] == [("roadmaps/p.yaml", 17, "bad-quarter")], result.output
    result = run("validate", "roadmaps/q.yaml")
    assert problems(result) == []
    assert result.exit_code == 0, result.output


def test_validate_explicit_file_from_inside_roadmaps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_roadmaps(tmp_path / "roadmaps", {"p.yaml": edit("四半期: Q1", "四半期: Q5")})
    monkeypatch.chdir(tmp_path / "roadmaps")
    result = run("validate", "p.yaml")
    found = problems(result)
    assert [(p.path, p.line, p.code) for p in found] == [("p.yaml", 17, "bad-quarter")], result.output


def test_validate_the_same_file_twice_is_not_a_duplicate_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `dxroadmap validate roadmaps roadmaps/q.yaml` names q.yaml twice; it is one project, not two.
    make_roadmaps(tmp_path / "roadmaps", {"q.yaml": BASE})
    monkeypatch.chdir(tmp_path)
    result = run("validate", "--dir", "roadmaps", "roadmaps", "roadmaps/q.yaml")
    assert problems(result) == [], result.output
    assert result.exit_code == 0


def test_validate_explicit_plan_file_is_not_checked_as_a_roadmap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `dxroadmap validate roadmaps/*.yaml` (or a pre-commit hook passing changed files) includes _plan.yaml.
    make_roadmaps(tmp_path / "roadmaps", {"q.yaml": BASE})
    monkeypatch.chdir(tmp_path)
    result = run("validate", "--dir", "roadmaps", "roadmaps/_plan.yaml", "roadmaps/q.yaml")
    assert problems(result) == [], result.output
    assert result.exit_code == 0


# --- one problem, one line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code", "line"),
    [
        pytest.param("取組方針: [子育てのDX]", '取組方針: [子育てのDX]\n"備\\n考x": メモ', "unknown-key", 8, id="key"),
        pytest.param("政策分野: 暮らし・まち分野", '政策分野: "暮らし\\nまち"', "unknown-field", 3, id="field"),
        pytest.param("取組方針: [子育てのDX]", '取組方針: ["子育て\\nDX"]', "unknown-focus", 7, id="focus"),
        pytest.param(
            "達成: [ロードマップの随時アップデート]", '達成: ["未定\\n目標"]', "unknown-target", 19, id="target"
        ),
        pytest.param("R7: [ニーズ再調査]", '"R\\n7": [ニーズ再調査]', "bad-year", 13, id="year"),
    ],
)
def test_newline_in_file_text_keeps_the_problem_on_one_line(
    tmp_path: Path, old: str, new: str, code: str, line: int
) -> None:
    result = validate_one(tmp_path, edit(old, new))
    only_problem(result, code, line)
    assert len([t for t in result.stdout.splitlines() if t.strip()]) == 1, result.stdout


# --- text from files is printed as text -----------------------------------------------------------

HOSTILE = edit(
    "担当課: 企画政策部DX推進課",
    '担当課: "[link=https://example.com]企画政策部[/link] \\e[2J\\e]8;;https://x\\a課"',
    edit(
        "名称: デジタル実装支援",
        '名称: "\\u202eデジタル実装支援 \\e[31m赤"',
        edit("事業名: 暮らし・まちのDX創出基盤の構築", '事業名: "[bold red]x[/bold red]"'),
    ),
)


@pytest.mark.parametrize(
    ("args", "shows_name"),
    [
        pytest.param(["status"], True, id="status"),
        pytest.param(["status", "--format", "csv"], True, id="status-csv"),
        pytest.param(["status", "--format", "markdown"], True, id="status-markdown"),
        pytest.param(["show", "p"], True, id="show"),
        pytest.param(["show", "p", "--format", "csv"], False, id="show-csv"),
        pytest.param(["show", "p", "--format", "markdown"], True, id="show-markdown"),
        pytest.param(["slipping"], False, id="slipping"),
    ],
)
def test_markup_is_literal_and_controls_never_reach_the_output(
    tmp_path: Path, args: list[str], shows_name: bool
) -> None:
    root = make_roadmaps(tmp_path / "roadmaps", {"p.yaml": HOSTILE})
    result = run(*args, "--dir", str(root), "--as-of", AS_OF)
    clean_exit(result, 0)
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "\u202e" not in result.output
    assert "赤" in result.output or "企画政策部" in result.output  # the hostile text is shown, made safe
    if shows_name:
        assert "[bold red]x[/bold red]" in result.output
    if args[0] == "status" or args[1:] == ["p"]:
        assert "[link=https://example.com]" in result.output


def test_markup_and_controls_in_a_problem_line(tmp_path: Path) -> None:
    text = edit("取組方針: [子育てのDX]", '取組方針: [子育てのDX]\n"[bold]x[/bold]\\e[2J\\u202e": メモ')
    root = make_roadmaps(tmp_path / "roadmaps", {"p.yaml": text})
    for args in (["validate"], ["status"]):
        result = (
            run(*args, "--dir", str(root), "--as-of", AS_OF) if args[0] == "status" else run(*args, "--dir", str(root))
        )
        clean_exit(result, 1)
        assert "\x1b" not in result.output
        assert "\u202e" not in result.output
        assert "[bold]x[/bold]" in result.output
    only_problem(run("validate", "--dir", str(root)), "unknown-key", 8, 1)


# --- every code that one file can raise is covered above ----------------------------------------


def test_every_problem_code_is_covered() -> None:
    covered = {case[3] for case in CASES} | {
        "unreadable",
        "not-utf8",
        "empty-file",
        "too-large",
        "not-mapping",
        "too-deep",
        "duplicate-year",
        "duplicate-id",
        "outside-root",
    }
    assert set(CODES) - covered == set()
