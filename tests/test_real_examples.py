"""Two real, published roadmaps transcribed into the format (examples/real/, issue 12 point 9).

Each test copies one example folder into a temporary repository (never the shipped files) and
runs the CLI as a user would. The expected states were worked out by hand from DESIGN.md §5 and
the README's choices (the pace rule measures elapsed time at the end of the last completed
quarter); the comment beside each assertion gives the arithmetic.

Calendar used below (年度 starting in April):
  H20 = FY2008: 2008-04-01 .. 2009-03-31      H24 = FY2012: 2012-04-01 .. 2013-03-31
  H27 ends 2016-03-31, H28 ends 2017-03-31, H29 = 2017-04-01 .. 2018-03-31,
  H30 = 2018-04-01 .. 2019-03-31, R1 = 2019-04-01 .. 2020-03-31 (so every R1 target is due 2020-03-31).
Both plans report yearly (報告頻度: 年度) and their actuals carry no 四半期 and no 日付: an undated
actual counts from the end of its fiscal year once that year is over, and from the as-of date
itself while its year is running (DESIGN.md §5).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT, Run

REAL = PROJECT / "examples" / "real"
GUNMA = "gunma-johoka-4ji"
TANABE = "tanabe-joho-kiban"

# 群馬県: 第4次群馬県情報化推進計画, 基本目標1
ICT = "ict-katsuyo-noryoku"
WIFI = "wifi-kankyo"
SHOGAKU = "コンピュータで文字を打つなど基本的操作が身についている小学生の割合"  # ア
CHUGAKU = "コンピュータ等の情報手段を積極的に活用している中学生の割合"  # イ
MANNER = "インターネット利用時に守るべきルールやマナーを身に付けている小・中学生の割合"
MANNER_SHO = MANNER + "(小)"
MANNER_CHU = MANNER + "(中)"
WIFI_KPI = "県民の活動拠点となる県有施設のWi-Fi環境導入率"

# 田辺市: 地域情報通信基盤整備事業
SEIBI = "seibi-jigyo"
BB = "ブロードバンド"
CATV = "ケーブルテレビ"
HOUSEHOLDS = "加入世帯数"
RATE = "加入率"


def _repo(tmp_path: Path, example: str) -> Path:
    """A repository folder whose roadmaps/ is a copy of one real example."""
    shutil.copytree(REAL / example, tmp_path / "roadmaps")
    return tmp_path


@pytest.fixture
def gunma(tmp_path: Path) -> Path:
    return _repo(tmp_path, GUNMA)


@pytest.fixture
def tanabe(tmp_path: Path) -> Path:
    return _repo(tmp_path, TANABE)


def _status(run: Run, repo: Path, as_of: str) -> dict[str, Any]:
    result = run("status", "--as-of", as_of, "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["invalid"] == []
    return data


def _slipping(run: Run, repo: Path, as_of: str) -> list[dict[str, Any]]:
    result = run("slipping", "--as-of", as_of, "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output
    items: list[dict[str, Any]] = json.loads(result.stdout)
    return items


def _project(data: dict[str, Any], project_id: str) -> dict[str, Any]:
    [project] = [p for p in data["projects"] if p["id"] == project_id]
    return project


def _initiative(project: dict[str, Any], name: str) -> dict[str, Any]:
    [initiative] = [i for i in project["initiatives"] if i["name"] == name]
    return initiative


def _target(project: dict[str, Any], initiative: str, year: str, text: str) -> dict[str, Any]:
    [target] = [
        t for t in _initiative(project, initiative)["targets"] if t["fiscal_year"] == year and t["text"] == text
    ]
    return target


def _states(project: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    return {(i["name"], t["fiscal_year"], t["text"]): t["state"] for i in project["initiatives"] for t in i["targets"]}


# --- both examples validate ---------------------------------------------------------------


@pytest.mark.parametrize("example", [GUNMA, TANABE])
def test_real_example_validates(run: Run, tmp_path: Path, example: str) -> None:
    repo = _repo(tmp_path, example)
    result = run("validate", cwd=repo)
    # 平成 year keys (平成29年度, 令和元年度), 基準年度, 評価区分/評価 and 報告頻度 are all DESIGN.md keys;
    # warnings (a line of the same shape) are allowed, errors are not.
    assert result.exit_code == 0, result.output


# --- 群馬県: 第4次群馬県情報化推進計画 (KPIs from a 平成 baseline year to 令和元年度) ----------------


def test_gunma_after_the_target_year_every_kpi_is_missed(run: Run, gunma: Path) -> None:
    data = _status(run, gunma, "2020-06-30")
    # FY R2 has begun; the last completed report period (yearly cadence) is FY R1, which ended 2020-03-31.
    assert data["fiscal_year"] == "R2"
    assert data["last_report_period"] == {"fiscal_year": "R1", "period": "FY"}
    ict, wifi = _project(data, ICT), _project(data, WIFI)

    # ア: target 100 % for R1 from 95.0 % (H27); the R1 value 92.9 (counted at 2020-03-31) is the latest
    # and below 100, and R1 is over -> missed.
    target = _target(ict, SHOGAKU, "R1", SHOGAKU)
    assert target["state"] == "missed"
    assert target["due"] == "2020-03-31"
    assert target["achieved_in"] is None and target["achieved_on"] is None
    assert target["kpi"] == {"target": 100, "unit": "%", "baseline": 95.0, "direction": "up", "value": 92.9}
    # イ: 85.0 < 100; (小): 93.9 < 100; (中): 96.4 < 100 -> all missed.
    assert _target(ict, CHUGAKU, "R1", CHUGAKU)["kpi"]["value"] == 85.0
    assert _target(ict, MANNER, "R1", MANNER_SHO)["kpi"]["value"] == 93.9
    assert _target(ict, MANNER, "R1", MANNER_CHU)["kpi"]["value"] == 96.4
    assert set(_states(ict).values()) == {"missed"} and len(_states(ict)) == 4
    # Wi-Fi: target 70.0 % from 20.7 % (H28); latest value 32.8 (R1) < 70.0 -> missed.
    wifi_target = _target(wifi, WIFI_KPI, "R1", WIFI_KPI)
    assert wifi_target["state"] == "missed"
    assert wifi_target["kpi"]["value"] == 32.8 and wifi_target["kpi"]["baseline"] == 20.7

    # Projects: the worst of their parts. Counts: every target's due date (2020-03-31) has passed, none achieved.
    assert ict["state"] == "missed" and wifi["state"] == "missed"
    assert ict["targets"] == {"total": 4, "due": 4, "done": 0}
    assert wifi["targets"] == {"total": 1, "due": 1, "done": 0}
    # Not unreported: each initiative has a whole-year actual for FY R1, the period the yearly cadence asks for.
    assert ict["flags"]["missed"] == 4 and ict["flags"]["slipping"] == 0 and ict["flags"]["unreported"] == 0
    assert wifi["flags"]["missed"] == 1 and wifi["flags"]["unreported"] == 0


def test_gunma_slipping_list_after_the_target_year(run: Run, gunma: Path) -> None:
    items = _slipping(run, gunma, "2020-06-30")
    # Five missed KPI targets, no unreported initiative.
    assert len(items) == 5
    assert {(i["project"], i["target"]) for i in items} == {
        (ICT, SHOGAKU),
        (ICT, CHUGAKU),
        (ICT, MANNER_SHO),
        (ICT, MANNER_CHU),
        (WIFI, WIFI_KPI),
    }
    for item in items:
        assert item["state"] == "missed"
        assert item["fiscal_year"] == "R1" and item["quarter"] is None
        assert item["due"] == "2020-03-31"
        assert item["days_late"] == 91  # 2020-06-30 - 2020-03-31: 30 (Apr) + 31 (May) + 30 (Jun)
        # No actual gives a 理由, none a 見通し; 評価 implies no outlook (the plan's 評価区分 maps none).
        assert item["explained"] is False
        assert item["outlook"] is None and item["disagrees"] is False


def test_gunma_during_the_target_year_kpis_slip_by_the_pace_rule(run: Run, gunma: Path) -> None:
    data = _status(run, gunma, "2019-11-26")
    # R1 Q3: the last completed quarter is R1 Q2; the last completed report period (yearly) is FY H30,
    # shown in 平成 style because it is before FY2019.
    assert data["fiscal_year"] == "R1"
    assert data["last_quarter"] == {"fiscal_year": "R1", "quarter": "Q2"}
    assert data["last_report_period"] == {"fiscal_year": "H30", "period": "FY"}
    ict, wifi = _project(data, ICT), _project(data, WIFI)

    # ア: not yet due (2020-03-31). The R1 value 92.9 is undated in the running year, so it counts at once
    # and is the latest value (not H30's 94.5). Pace from the baseline's date (基準年度 H27: 2016-03-31) to
    # the due date: elapsed at the end of R1 Q2 (2019-09-30) = 1278 / 1461 days = 0.87;
    # progress = (92.9 - 95.0) / (100 - 95.0) = -0.42 < 0.87 -> slipping.
    target = _target(ict, SHOGAKU, "R1", SHOGAKU)
    assert target["state"] == "slipping"
    assert target["kpi"]["value"] == 92.9
    # イ: progress (85.0 - 82.5) / (100 - 82.5) = 0.14 < 0.87 -> slipping.
    assert _target(ict, CHUGAKU, "R1", CHUGAKU)["state"] == "slipping"
    # (小): (93.9 - 97.0) / 3.0 = -1.03; (中): (96.4 - 98.2) / 1.8 = -1.0 -> both slipping.
    assert _target(ict, MANNER, "R1", MANNER_SHO)["state"] == "slipping"
    assert _target(ict, MANNER, "R1", MANNER_CHU)["state"] == "slipping"
    # Wi-Fi: baseline date H28 end (2017-03-31); elapsed = 913 / 1096 days = 0.83;
    # progress = (32.8 - 20.7) / (70.0 - 20.7) = 12.1 / 49.3 = 0.25 < 0.83 -> slipping.
    wifi_target = _target(wifi, WIFI_KPI, "R1", WIFI_KPI)
    assert wifi_target["state"] == "slipping"
    assert wifi_target["kpi"]["value"] == 32.8

    assert ict["state"] == "slipping" and wifi["state"] == "slipping"
    # Nothing is due yet (every due date is 2020-03-31), nothing achieved.
    assert ict["targets"] == {"total": 4, "due": 0, "done": 0}
    assert ict["flags"]["slipping"] == 4 and ict["flags"]["missed"] == 0
    # FY H30 is the period owed, but no initiative has an H30 target -> none is unreported.
    assert ict["flags"]["unreported"] == 0 and wifi["flags"]["unreported"] == 0

    items = _slipping(run, gunma, "2019-11-26")
    assert len(items) == 5
    assert {i["state"] for i in items} == {"slipping"}
    assert {i["due"] for i in items} == {"2020-03-31"}
    assert all(i["target"] is not None and i["explained"] is False for i in items)


def test_gunma_pace_runs_across_years_from_the_baseline_year(run: Run, gunma: Path) -> None:
    data = _status(run, gunma, "2017-06-30")
    # H29 Q1 has just ended (2017-06-30 is its last day, so it is the last completed quarter).
    assert data["fiscal_year"] == "H29"
    assert data["last_quarter"] == {"fiscal_year": "H29", "quarter": "Q1"}
    ict, wifi = _project(data, ICT), _project(data, WIFI)

    # R1 has not started, but 基準年度 makes the pace rule run from the baseline's date across years.
    # Wi-Fi: the H29 value 27.6 counts at once (undated, its year running). Elapsed since 2017-03-31 at
    # 2017-06-30 = 91 / 1096 days = 0.083; progress = (27.6 - 20.7) / 49.3 = 0.14 >= 0.083 -> on pace,
    # so the target is simply 予定 (its fiscal year has not started).
    wifi_target = _target(wifi, WIFI_KPI, "R1", WIFI_KPI)
    assert wifi_target["state"] == "planned"
    assert wifi_target["kpi"]["value"] == 27.6
    assert wifi["state"] == "planned"

    # ア: elapsed since 2016-03-31 = 456 / 1461 days = 0.31; the H29 value 92.9 is below the baseline 95.0:
    # progress -0.42 < 0.31 -> slipping, two years before its target year.
    assert _target(ict, SHOGAKU, "R1", SHOGAKU)["state"] == "slipping"
    # イ: (83.3 - 82.5) / 17.5 = 0.05 < 0.31 -> slipping. (小) 95.4 and (中) 96.6 are below their baselines.
    assert _target(ict, CHUGAKU, "R1", CHUGAKU)["state"] == "slipping"
    assert _target(ict, MANNER, "R1", MANNER_SHO)["state"] == "slipping"
    assert _target(ict, MANNER, "R1", MANNER_CHU)["state"] == "slipping"
    assert ict["state"] == "slipping"

    # The slipping list names the four KPIs of ict-katsuyo-noryoku, and not the Wi-Fi one.
    items = _slipping(run, gunma, "2017-06-30")
    assert sorted(i["target"] for i in items) == sorted([SHOGAKU, CHUGAKU, MANNER_SHO, MANNER_CHU])
    assert {i["project"] for i in items} == {ICT}


# --- 田辺市: 地域情報通信基盤整備事業 (first-year and final-year targets, H20 and H24) -------------


def test_tanabe_after_the_first_year(run: Run, tanabe: Path) -> None:
    data = _status(run, tanabe, "2009-06-30")
    assert data["fiscal_year"] == "H21"
    assert data["last_report_period"] == {"fiscal_year": "H20", "period": "FY"}
    project = _project(data, SEIBI)

    # ブロードバンド H20: 加入世帯数 934 >= 487 and 加入率 19.21 >= 9.99, both reported for H20 (counted at
    # its end, 2009-03-31 = the due date) -> done, achieved in H20 on 2009-03-31.
    households = _target(project, BB, "H20", HOUSEHOLDS)
    assert households["state"] == "done"
    assert households["due"] == "2009-03-31"
    assert households["achieved_in"] == "H20" and households["achieved_on"] == "2009-03-31"
    assert households["kpi"] == {"target": 487, "unit": "世帯", "baseline": None, "direction": "up", "value": 934}
    assert _target(project, BB, "H20", RATE)["state"] == "done"
    # ケーブルテレビ H20: 4660 < 4873 and 95.85 < 100, and H20 is over -> missed.
    assert _target(project, CATV, "H20", HOUSEHOLDS)["state"] == "missed"
    assert _target(project, CATV, "H20", RATE)["state"] == "missed"
    # Every H24 target: its year (from 2012-04-01) has not started and no 基準年度 runs the pace rule
    # across years -> planned.
    for initiative in (BB, CATV):
        for kpi in (HOUSEHOLDS, RATE):
            assert _target(project, initiative, "H24", kpi)["state"] == "planned"

    # ブロードバンド: done, done, planned, planned -> planned; ケーブルテレビ has missed targets -> missed.
    assert _initiative(project, BB)["state"] == "planned"
    assert _initiative(project, CATV)["state"] == "missed"
    assert project["state"] == "missed"
    # 整備地域の世帯数 is reported but has no target (a monitored indicator): 8 targets, not 10.
    # Due so far: the four H20 targets; achieved: the two ブロードバンド ones.
    assert project["targets"] == {"total": 8, "due": 4, "done": 2}
    assert project["flags"]["missed"] == 2 and project["flags"]["unreported"] == 0

    items = _slipping(run, tanabe, "2009-06-30")
    assert len(items) == 2
    assert {(i["initiative"], i["fiscal_year"], i["target"], i["state"]) for i in items} == {
        (CATV, "H20", HOUSEHOLDS, "missed"),
        (CATV, "H20", RATE, "missed"),
    }
    for item in items:
        assert item["due"] == "2009-03-31"
        assert item["days_late"] == 91  # 2009-06-30 - 2009-03-31
        # The 理由 is on an H24 actual, which cannot count before H24 begins (2012-04-01) -> not explained yet.
        assert item["explained"] is False
        assert item["outlook"] is None


def test_tanabe_during_the_final_year(run: Run, tanabe: Path) -> None:
    data = _status(run, tanabe, "2012-11-26")
    assert data["last_quarter"] == {"fiscal_year": "H24", "quarter": "Q2"}
    # The yearly period owed is FY H23: no H23 targets, so nothing is unreported.
    assert data["last_report_period"] == {"fiscal_year": "H23", "period": "FY"}
    project = _project(data, SEIBI)

    # ブロードバンド H24: the undated H24 values count at once (their year is running), so 1113 >= 974
    # and 23.34 >= 19.99 are achieved on the as-of date, before the due date 2013-03-31 -> done.
    households = _target(project, BB, "H24", HOUSEHOLDS)
    assert households["state"] == "done"
    assert households["achieved_in"] == "H24" and households["achieved_on"] == "2012-11-26"
    assert _target(project, BB, "H24", RATE)["state"] == "done"
    # ケーブルテレビ H24, not yet due. No 基準値: progress runs from the last value reported before H24
    # began (H20's). Elapsed at the end of H24 Q2 = (2012-09-30 - 2012-04-01) / (2013-03-31 - 2012-04-01)
    # = 182 / 364 = 0.5. 加入世帯数: (4533 - 4660) / (4873 - 4660) = -0.60 < 0.5 -> slipping;
    # 加入率: (95.05 - 95.85) / (100 - 95.85) = -0.19 < 0.5 -> slipping.
    catv = _target(project, CATV, "H24", HOUSEHOLDS)
    assert catv["state"] == "slipping" and catv["kpi"]["value"] == 4533
    assert _target(project, CATV, "H24", RATE)["state"] == "slipping"
    assert _target(project, CATV, "H20", HOUSEHOLDS)["state"] == "missed"
    assert project["state"] == "missed"  # missed > slipping
    assert project["flags"]["missed"] == 2 and project["flags"]["slipping"] == 2

    items = _slipping(run, tanabe, "2012-11-26")
    # Worst first: the two missed H20 targets, then the two slipping H24 ones.
    assert [i["state"] for i in items] == ["missed", "missed", "slipping", "slipping"]
    assert {(i["fiscal_year"], i["target"]) for i in items[:2]} == {("H20", HOUSEHOLDS), ("H20", RATE)}
    assert {(i["fiscal_year"], i["target"]) for i in items[2:]} == {("H24", HOUSEHOLDS), ("H24", RATE)}
    assert {i["initiative"] for i in items} == {CATV}
    assert [i["days_late"] for i in items[:2]] == [1336, 1336]  # 2012-11-26 - 2009-03-31
    # The H24 加入世帯数 actual with a 理由 has happened (it counts at once) and is in or after both years.
    assert all(i["explained"] is True for i in items)


def test_tanabe_after_the_final_year(run: Run, tanabe: Path) -> None:
    data = _status(run, tanabe, "2013-06-30")
    assert data["last_report_period"] == {"fiscal_year": "H24", "period": "FY"}
    project = _project(data, SEIBI)

    # H24 is over: its undated actuals now count from 2013-03-31, the due date -> still done, on time.
    households = _target(project, BB, "H24", HOUSEHOLDS)
    assert households["state"] == "done"
    assert households["achieved_in"] == "H24" and households["achieved_on"] == "2013-03-31"
    assert households["kpi"]["value"] == 1113
    assert _initiative(project, BB)["state"] == "done"  # all four ブロードバンド targets done on time
    # ケーブルテレビ H24: 4533 < 4873 and 95.05 < 100, H24 over -> missed (like H20's).
    assert _states(project) == {
        (BB, "H20", HOUSEHOLDS): "done",
        (BB, "H20", RATE): "done",
        (BB, "H24", HOUSEHOLDS): "done",
        (BB, "H24", RATE): "done",
        (CATV, "H20", HOUSEHOLDS): "missed",
        (CATV, "H20", RATE): "missed",
        (CATV, "H24", HOUSEHOLDS): "missed",
        (CATV, "H24", RATE): "missed",
    }
    assert project["state"] == "missed"
    assert project["targets"] == {"total": 8, "due": 8, "done": 4}
    # FY H24 is owed (grace ended 2013-04-30) and ケーブルテレビ has unachieved H24 targets, but it has
    # whole-year H24 actuals -> reported.
    assert project["flags"]["missed"] == 4 and project["flags"]["unreported"] == 0

    items = _slipping(run, tanabe, "2013-06-30")
    assert len(items) == 4 and {i["state"] for i in items} == {"missed"}
    days = {(i["fiscal_year"], i["target"]): i["days_late"] for i in items}
    assert days == {
        ("H20", HOUSEHOLDS): 1552,  # 2013-06-30 - 2009-03-31 (four years with 2012-02-29 = 1461, + 91)
        ("H20", RATE): 1552,
        ("H24", HOUSEHOLDS): 91,  # 2013-06-30 - 2013-03-31
        ("H24", RATE): 91,
    }
    assert all(i["explained"] is True for i in items)
