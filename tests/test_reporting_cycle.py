"""The reporting cycle through the command line: cadence (報告頻度), undated actuals, duplicates,
self-evaluation and the optimistic flag (DESIGN.md §3–§7; issue 12 points 2, 3, 4 and 8).

Every test writes a small roadmaps folder of its own into `tmp_path` and runs the CLI on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

PLAN = """\
計画名: テスト計画
期間: {{開始: R5, 終了: R9}}
報告期限日数: 30
{extra}
分野:
  - 名称: 行政経営
"""

ROADMAP = """\
# 事業のコメント
政策分野: 行政経営
事業名: 窓口のデジタル化
担当課: 総務課
取組:
  - 名称: オンライン申請
    目標:
      R8: [手続の棚卸し, {{内容: 申請システム導入, 期限: Q2}}, {{指標: 対応手続数, 目標値: 120, 単位: 手続, 基準値: 0}}]
    実績:
      R8:
{actuals}
"""


def repo(tmp_path: Path, actuals: str = "        - {四半期: Q1, 内容: 検討開始}", extra: str = "") -> Path:
    folder = tmp_path / "roadmaps"
    folder.mkdir()
    (folder / "_plan.yaml").write_text(PLAN.format(extra=extra), encoding="utf-8")
    (folder / "madoguchi.yaml").write_text(ROADMAP.format(actuals=actuals), encoding="utf-8")
    return tmp_path


def file_of(root: Path) -> Path:
    return root / "roadmaps" / "madoguchi.yaml"


# --- no silent duplicates ----------------------------------------------------------------------


def test_record_refuses_the_same_entry_twice_and_force_adds_it(run: Run, tmp_path: Path) -> None:
    root = repo(tmp_path)
    args = ("record", "madoguchi", "--quarter", "Q2", "--note", "説明会を開催", "--as-of", "2026-11-26")
    assert run(*args, cwd=root).exit_code == 0
    once = file_of(root).read_bytes()
    again = run(*args, cwd=root)
    assert again.exit_code == 1
    assert "already recorded for R8 Q2" in again.output and "--force" in again.output
    assert file_of(root).read_bytes() == once  # nothing written
    assert run(*args, "--force", cwd=root).exit_code == 0
    assert file_of(root).read_text(encoding="utf-8").count("説明会を開催") == 2
    # and validate now warns, without failing
    result = run("validate", cwd=root, env={"DXROADMAP_LANG": "en"})
    assert result.exit_code == 0
    assert "duplicate-entry" in result.output


def test_record_refuses_a_second_value_of_one_kpi_for_one_period(run: Run, tmp_path: Path) -> None:
    root = repo(tmp_path, "        - {四半期: Q2, 指標: 対応手続数, 値: 40}")
    before = file_of(root).read_bytes()
    result = run("record", "madoguchi", "--quarter", "Q2", "--kpi", "対応手続数=52", "--as-of", "2026-11-26", cwd=root)
    assert result.exit_code == 1
    assert "対応手続数" in result.output and "R8 Q2" in result.output
    assert file_of(root).read_bytes() == before
    # another quarter is another period
    assert (
        run(
            "record", "madoguchi", "--quarter", "Q3", "--kpi", "対応手続数=52", "--as-of", "2027-01-05", cwd=root
        ).exit_code
        == 0
    )


def test_validate_warns_of_a_second_kpi_value_in_a_period(run: Run, tmp_path: Path) -> None:
    actuals = "        - {四半期: Q2, 指標: 対応手続数, 値: 40}\n        - {日付: 2026-08-01, 指標: 対応手続数, 値: 41}"
    root = repo(tmp_path, actuals)
    result = run("validate", "--format", "json", "--as-of", "2026-11-26", cwd=root)
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["invalid"] == []
    assert [(w["code"], w["line"]) for w in data["warnings"]] == [("duplicate-entry", 12)]


# --- undated actuals --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_validate_warns_of_an_undated_actual_of_a_year_not_over(run: Run, tmp_path: Path, lang: str) -> None:
    root = repo(tmp_path, "        - 手続の棚卸し")
    result = run("validate", "--as-of", "2026-11-26", "--lang", lang, cwd=root)
    assert result.exit_code == 0
    [line] = [ln for ln in result.output.splitlines() if "madoguchi.yaml" in ln]
    assert line.startswith("roadmaps/madoguchi.yaml:11:11: undated-actual ")
    assert "四半期" in line and "日付" in line
    if lang == "ja":
        assert "警告1件" in result.output
    # once R8 is over, it is dated at the year's end and nothing is said
    later = run("validate", "--as-of", "2027-05-01", cwd=root)
    assert later.exit_code == 0 and "undated-actual" not in later.output
    # and it counts at once: the target is done as of the day it is read
    data = json.loads(run("status", "--as-of", "2026-11-26", "--format", "json", cwd=root).output)
    [done] = [t for t in data["projects"][0]["initiatives"][0]["targets"] if t["text"] == "手続の棚卸し"]
    assert (done["state"], done["achieved_on"]) == ("done", "2026-11-26")


def test_no_undated_warning_under_an_annual_cadence(run: Run, tmp_path: Path) -> None:
    root = repo(tmp_path, "        - 手続の棚卸し", extra="報告頻度: 年度")
    result = run("validate", "--as-of", "2026-11-26", cwd=root)
    assert result.exit_code == 0 and "undated-actual" not in result.output


# --- cadence: status, slipping, record ----------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "period", "item"),
    [
        ("", "Q2", "Q2"),
        ("報告頻度: 半期", "H1", "H1"),
        ("報告頻度: 年度", "FY", None),  # the last completed fiscal year, R7, has no targets here
    ],
)
def test_status_and_slipping_follow_the_cadence(
    run: Run, tmp_path: Path, extra: str, period: str, item: str | None
) -> None:
    root = repo(tmp_path, "", extra=extra)  # nothing reported in R8
    data = json.loads(run("status", "--as-of", "2026-11-26", "--format", "json", cwd=root).output)
    year = "R8" if period != "FY" else "R7"
    assert data["last_report_period"] == {"fiscal_year": year, "period": period}
    assert data["last_quarter"] == {"fiscal_year": "R8", "quarter": "Q2"}
    items = json.loads(run("slipping", "--as-of", "2026-11-26", "--format", "json", cwd=root).output)
    unreported = [i["quarter"] for i in items if i["state"] == "unreported"]
    assert unreported == ([item] if item else [])


@pytest.mark.parametrize(
    ("extra", "written", "where"),
    [("", "四半期: Q2", "R8 Q2"), ("報告頻度: 半期", "半期: 上期", "R8 H1"), ("報告頻度: 年度", None, "R7")],
)
def test_record_defaults_to_the_last_report_period_of_the_cadence(
    run: Run, tmp_path: Path, extra: str, written: str | None, where: str
) -> None:
    root = repo(tmp_path, extra=extra)
    (file_of(root)).write_text(
        file_of(root).read_text(encoding="utf-8").replace("      R8: [", "      R7: [調査]\n      R8: ["),
        encoding="utf-8",
    )
    result = run("record", "madoguchi", "--note", "進捗を確認", "--as-of", "2026-11-26", cwd=root)
    assert result.exit_code == 0, result.output
    assert f"recorded madoguchi {where}:" in result.output
    text = file_of(root).read_text(encoding="utf-8")
    [line] = [ln for ln in text.splitlines() if "進捗を確認" in ln]
    assert (written in line) if written else ("四半期" not in line and "半期" not in line)


def test_a_roadmap_may_set_its_own_cadence(run: Run, tmp_path: Path) -> None:
    root = repo(tmp_path, extra="報告頻度: 四半期")
    path = file_of(root)
    path.write_text(
        path.read_text(encoding="utf-8").replace("担当課: 総務課\n", "担当課: 総務課\n報告頻度: 半期\n"),
        encoding="utf-8",
    )
    result = run("record", "madoguchi", "--note", "進捗を確認", "--as-of", "2026-11-26", cwd=root)
    assert result.exit_code == 0 and "R8 H1" in result.output
    assert "半期: 上期" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--year", "R9", "--quarter", "Q1"), "has not started"),
        (("--quarter", "Q4"), "has not started"),
        (("--quarter", "Q2", "--date", "2026-10-05"), "is not in R8 Q2"),
        (("--quarter", "Q3", "--date", "2026-11-30"), "has not come yet"),
        (("--quarter", "Q2", "--half", "上期"), "not both"),
    ],
)
def test_record_refuses_a_future_period_or_a_date_outside_it(
    run: Run, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    root = repo(tmp_path)
    before = file_of(root).read_bytes()
    result = run("record", "madoguchi", "--note", "x", "--as-of", "2026-11-26", *args, cwd=root)
    assert result.exit_code == 2
    assert words in result.output
    assert file_of(root).read_bytes() == before


def test_the_period_under_way_needs_a_date(run: Run, tmp_path: Path) -> None:
    """An entry of a period counts from the period's end: in the period under way it needs its 日付."""
    root = repo(tmp_path)
    args = ("record", "madoguchi", "--quarter", "Q3", "--note", "途中経過", "--as-of", "2026-11-26")
    refused = run(*args, cwd=root)
    assert refused.exit_code == 2 and "is not over yet" in refused.output and "--date" in refused.output
    result = run(*args, "--date", "2026/11/20", cwd=root)
    assert result.exit_code == 0, result.output
    assert "{四半期: Q3, 日付: 2026-11-20, 内容: 途中経過}" in file_of(root).read_text(encoding="utf-8")


# --- matching what people type ------------------------------------------------------------------


def test_record_done_matches_loosely_and_writes_the_targets_own_text(run: Run, tmp_path: Path) -> None:
    root = repo(tmp_path)
    result = run(
        "record", "madoguchi", "--quarter", "Q2", "--done", "手続の　棚卸し。", "--as-of", "2026-11-26", cwd=root
    )
    assert result.exit_code == 0, result.output
    text = file_of(root).read_text(encoding="utf-8")
    assert "達成: [手続の棚卸し]" in text
    assert "手続の　棚卸し" not in text


# --- self-evaluation and disagreement ------------------------------------------------------------

RATINGS = "評価区分:\n  - {記号: A, 意味: 達成, 見通し: 順調}\n  - {記号: B, 意味: 概ね達成, 見通し: 注意}"


def test_an_optimistic_owner_is_flagged_in_status_and_slipping(run: Run, tmp_path: Path) -> None:
    # 申請システム導入 was due at the end of Q2 (2026-09-30) and is not done: slipping, while the owner rates A (順調)
    root = repo(tmp_path, "        - {四半期: Q2, 内容: 準備中, 評価: A}", extra=RATINGS)
    data = json.loads(run("status", "--as-of", "2026-11-26", "--format", "json", cwd=root).output)
    assert data["projects"][0]["flags"]["optimistic"] == 1
    items = json.loads(run("slipping", "--as-of", "2026-11-26", "--format", "json", cwd=root).output)
    [late] = [i for i in items if i["target"] == "申請システム導入"]
    assert (late["state"], late["outlook"], late["disagrees"]) == ("slipping", "on_track", True)
    table = run("status", "--as-of", "2026-11-26", "--lang", "ja", cwd=root).output
    assert "楽観 1" in table


def test_record_takes_a_rating_of_the_plans_scale(run: Run, tmp_path: Path) -> None:
    root = repo(tmp_path, extra=RATINGS)
    bad = run(
        "record", "madoguchi", "--quarter", "Q2", "--note", "x", "--rating", "S", "--as-of", "2026-11-26", cwd=root
    )
    assert bad.exit_code == 2 and "A, B" in bad.output
    good = run(
        "record", "madoguchi", "--quarter", "Q2", "--note", "x", "--rating", "B", "--as-of", "2026-11-26", cwd=root
    )
    assert good.exit_code == 0
    assert "評価: B" in file_of(root).read_text(encoding="utf-8")


def test_record_refuses_what_validate_would_warn_about(run: Run, tmp_path: Path) -> None:
    """A value dated inside Q2 (no 四半期) is Q2's: a second Q2 value is refused, as validate would warn."""
    root = repo(tmp_path, "        - {日付: 2026-08-01, 指標: 対応手続数, 値: 41}")
    before = file_of(root).read_bytes()
    result = run("record", "madoguchi", "--quarter", "Q2", "--kpi", "対応手続数=52", "--as-of", "2026-11-26", cwd=root)
    assert result.exit_code == 1
    assert "already recorded for R8 Q2" in result.output
    assert file_of(root).read_bytes() == before
    forced = run(
        "record", "madoguchi", "--quarter", "Q2", "--kpi", "対応手続数=52", "--force", "--as-of", "2026-11-26", cwd=root
    )
    assert forced.exit_code == 0
    warned = run("validate", "--as-of", "2026-11-26", cwd=root)
    assert warned.exit_code == 0 and "duplicate-entry" in warned.output
