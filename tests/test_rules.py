"""The rules of DESIGN.md §5: target states, matching, KPIs, unreported initiatives, roll-ups.

Each test builds a small roadmap from inline YAML and judges it as of a date. Most use
`one(targets, actuals)`: a one-initiative roadmap whose 目標 and 実績 are flow-style YAML.
"""

from datetime import date
from itertools import combinations
from pathlib import Path
from textwrap import dedent

import pytest

from dxroadmap import fiscal, progress, store
from dxroadmap.model import PLAN, Project
from dxroadmap.settings import Settings
from tests.conftest import write_seed


def judge(yaml_text: str, as_of: str, plan_yaml: str | None = None) -> progress.ProjectStatus:
    settings = Settings()
    if plan_yaml is not None:
        from dxroadmap import source

        doc = source.load(dedent(plan_yaml), "_plan.yaml")
        settings = Settings.from_plan(PLAN.validate_python(doc.data))
    roadmap, problems = store.parse_roadmap(dedent(yaml_text), "t.yaml", settings)
    assert roadmap is not None and not [p for p in problems if not p.warning], problems
    return progress.judge(Project("t", "t.yaml", roadmap), settings, date.fromisoformat(as_of))


def roadmap(*initiatives: tuple[str, str]) -> str:
    """A roadmap with one initiative (取組1, 取組2, …) per (目標, 実績) pair of flow-style YAML."""
    lines = ["政策分野: 暮らし・まち", "事業名: テスト事業", "担当課: テスト課", "取組:"]
    for n, (targets, actuals) in enumerate(initiatives, start=1):
        lines += [f"  - 名称: 取組{n}", f"    目標: {targets}", f"    実績: {actuals}"]
    return "\n".join(lines) + "\n"


def one(targets: str, actuals: str = "{}") -> str:
    return roadmap((targets, actuals))


def target(status: progress.ProjectStatus, k: int = 0, initiative: int = 0) -> progress.TargetStatus:
    return status.initiatives[initiative].targets[k]


def states(status: progress.ProjectStatus) -> list[str]:
    return [t.state for i in status.initiatives for t in i.targets]


D = date.fromisoformat


def Q(year: int, quarter: int) -> fiscal.ReportPeriod:
    return fiscal.ReportPeriod(year, "quarter", quarter)


AS_OF = "2026-11-26"  # R8 Q3; the last completed quarter is R8 Q2 (ended 2026-09-30)


# --- the minimal roadmap -------------------------------------------------------------------


def test_minimal_roadmap_is_done() -> None:
    status = judge(
        """
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: テスト課
        取組:
          - 名称: 取組A
            目標:
              R8: [調査]
            実績:
              R8:
                - {四半期: Q1, 内容: 調査}
        """,
        AS_OF,
    )
    t = target(status)
    assert (t.fiscal_year, t.text, t.due, t.state) == (2026, "調査", D("2027-03-31"), "done")
    assert (t.achieved_in, t.achieved_on) == (2026, D("2026-06-30"))
    assert status.state == "done"


# --- the six target states -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "actuals", "expected"),
    [
        ("{R8: [調査]}", "{R8: [{四半期: Q1, 内容: 調査}]}", "done"),
        ("{R8: [{内容: 調査, 期限: Q1}]}", "{R8: [{四半期: Q2, 内容: 調査}]}", "done_late"),
        ("{R8: [{内容: 調査, 期限: Q2}]}", "{}", "slipping"),
        ("{R7: [調査]}", "{}", "missed"),
        ("{R8: [調査]}", "{}", "open"),
        ("{R9: [調査]}", "{}", "planned"),
    ],
)
def test_target_states(targets: str, actuals: str, expected: str) -> None:
    assert target(judge(one(targets, actuals), AS_OF)).state == expected


@pytest.mark.parametrize(("as_of", "expected"), [("2026-03-31", "planned"), ("2026-04-01", "open")])
def test_planned_until_the_fiscal_year_starts(as_of: str, expected: str) -> None:
    assert target(judge(one("{R8: [調査]}"), as_of)).state == expected


@pytest.mark.parametrize(
    ("actual_date", "expected"),
    [("2026-09-30", "done"), ("2026-10-01", "done_late")],
)
def test_actual_on_the_due_date_is_on_time(actual_date: str, expected: str) -> None:
    status = judge(one("{R8: [{内容: 調査, 期限: Q2}]}", f"{{R8: [{{日付: {actual_date}, 内容: 調査}}]}}"), AS_OF)
    t = target(status)
    assert (t.state, t.achieved_on, t.achieved_in) == (expected, D(actual_date), 2026)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-09-30", "open"),
        ("2026-10-01", "slipping"),
        ("2027-03-31", "slipping"),
        ("2027-04-01", "missed"),
    ],
)
def test_due_quarter(as_of: str, expected: str) -> None:
    t = target(judge(one("{R8: [{内容: 調査, 期限: Q2}]}"), as_of))
    assert (t.due, t.state) == (D("2026-09-30"), expected)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("Q1", "2026-06-30"),
        ("Q2", "2026-09-30"),
        ("2", "2026-09-30"),
        ("第2四半期", "2026-09-30"),
        ("Ｑ２", "2026-09-30"),
        ("Q3", "2026-12-31"),
        ("Q4", "2027-03-31"),
        ("2026-08-20", "2026-08-20"),
    ],
)
def test_due_spellings(due: str, expected: str) -> None:
    assert target(judge(one(f"{{R8: [{{内容: 調査, 期限: {due}}}]}}"), AS_OF)).due == D(expected)


def test_without_due_a_target_is_due_at_the_end_of_its_year() -> None:
    assert [t.due for t in judge(one("{R7: [調査], R8: [調査]}"), AS_OF).initiatives[0].targets] == [
        D("2026-03-31"),
        D("2027-03-31"),
    ]


@pytest.mark.parametrize(
    "key", ["R8", "令和8年度", "令和８年度", "令和8", "FY2026", "2026年度", "2026年度(令和8年度)", "2026", "Ｒ８"]
)
def test_fiscal_year_spellings(key: str) -> None:
    t = target(judge(one(f"{{'{key}': [調査]}}"), AS_OF))
    assert (t.fiscal_year, t.due) == (2026, D("2027-03-31"))


def test_reiwa_gannen_is_2019() -> None:
    t = target(judge(one("{令和元年度: [調査]}"), AS_OF))
    assert (t.fiscal_year, t.due, t.state) == (2019, D("2020-03-31"), "missed")


# --- which actual achieves which target ----------------------------------------------------


@pytest.mark.parametrize(
    "actual",
    ["{四半期: Q1, 内容: 報告書を提出, 達成: [調査]}", "{四半期: Q1, 内容: 調査}"],
    ids=["achieves", "text"],
)
def test_target_achieved_a_year_late(actual: str) -> None:
    t = target(judge(one("{R6: [調査]}", f"{{R7: [{actual}]}}"), AS_OF))
    assert (t.state, t.achieved_in, t.achieved_on) == ("done_late", 2025, D("2025-06-30"))


def test_an_actual_achieves_its_own_years_target_first() -> None:
    status = judge(one("{R6: [調査], R7: [調査], R8: [調査]}", "{R8: [{四半期: Q1, 内容: 調査}]}"), AS_OF)
    assert states(status) == ["missed", "missed", "done"]


def test_then_the_earliest_unachieved_earlier_target() -> None:
    actuals = "{R8: [{四半期: Q1, 内容: 調査}, {四半期: Q2, 内容: 調査}, {四半期: Q3, 達成: [調査]}]}"
    status = judge(one("{R6: [調査], R7: [調査], R8: [調査]}", actuals), "2027-01-15")
    got = [(t.fiscal_year, t.state, t.achieved_in, t.achieved_on) for t in status.initiatives[0].targets]
    assert got == [
        (2024, "done_late", 2026, D("2026-09-30")),
        (2025, "done_late", 2026, D("2026-12-31")),
        (2026, "done", 2026, D("2026-06-30")),
    ]


def test_an_actual_never_achieves_a_later_years_target() -> None:
    status = judge(one("{R8: [調査]}", "{R7: [{四半期: Q4, 内容: 調査}]}"), AS_OF)
    assert (target(status).state, target(status).achieved_on) == ("open", None)


def test_two_equal_targets_in_a_year_need_two_actuals() -> None:
    status = judge(one("{R8: [研修会, 研修会]}", "{R8: [{四半期: Q1, 内容: 研修会}]}"), AS_OF)
    assert states(status) == ["done", "open"]


@pytest.mark.parametrize(
    ("targets", "actual"),
    [
        ("{R8: [ＤＸ研修]}", "{四半期: Q1, 内容: '  DX研修 '}"),
        ("{R8: [DX研修]}", "{四半期: Q1, 内容: ＤＸ研修}"),
        ("{R8: [DX研修]}", "{四半期: Q1, 内容: 報告, 達成: ['ＤＸ研修　']}"),
        ("{R8: [第１回研修]}", "{四半期: Q1, 内容: 第1回研修}"),
    ],
)
def test_text_equality_after_nfkc_and_trimming(targets: str, actual: str) -> None:
    assert target(judge(one(targets, f"{{R8: [{actual}]}}"), AS_OF)).state == "done"


def test_different_text_does_not_achieve() -> None:
    status = judge(one("{R8: [調査]}", "{R8: [{四半期: Q1, 内容: 調査の準備}]}"), AS_OF)
    assert target(status).achieved_on is None


@pytest.mark.parametrize("actual", ["調査", "{内容: 調査}"], ids=["text", "mapping"])
@pytest.mark.parametrize(
    ("as_of", "state", "achieved_on"),
    [
        ("2026-03-31", "planned", None),  # R8 has not begun: nothing of R8 counts yet
        ("2026-04-01", "done", D("2026-04-01")),  # R8 has begun: written by now, so it counts now
        ("2026-11-26", "done", D("2026-11-26")),
        ("2027-03-30", "done", D("2027-03-30")),
        ("2027-05-01", "done", D("2027-03-31")),  # R8 is over: dated at its end, as before
    ],
)
def test_an_undated_actual_of_a_year_not_over_counts_at_once(
    actual: str, as_of: str, state: str, achieved_on: date | None
) -> None:
    t = target(judge(one("{R8: [調査]}", f"{{R8: [{actual}]}}"), as_of))
    assert (t.state, t.achieved_on) == (state, achieved_on)


def test_an_undated_actual_against_a_passed_due_quarter_is_late() -> None:
    """Nothing says it happened by the 期限: it counts from the date it is read (README, "Undated actuals")."""
    on_time = judge(one("{R8: [{内容: 調査, 期限: Q3}]}", "{R8: [調査]}"), AS_OF)
    assert (target(on_time).state, target(on_time).achieved_on) == ("done", D(AS_OF))
    late = judge(one("{R8: [{内容: 調査, 期限: Q2}]}", "{R8: [調査]}"), AS_OF)
    assert target(late).state == "done_late"
    dated = judge(one("{R8: [{内容: 調査, 期限: Q2}]}", "{R8: [{四半期: Q2, 内容: 調査}]}"), AS_OF)
    assert target(dated).state == "done"


@pytest.mark.parametrize(("as_of", "expected"), [("2026-08-09", "open"), ("2026-08-10", "done")])
def test_an_actual_dated_after_as_of_does_not_count(as_of: str, expected: str) -> None:
    status = judge(one("{R8: [調査]}", "{R8: [{四半期: Q2, 日付: 2026-08-10, 内容: 調査}]}"), as_of)
    assert target(status).state == expected
    assert len(status.initiatives[0].actuals) == (expected == "done")


@pytest.mark.parametrize(("as_of", "expected"), [("2026-09-29", "open"), ("2026-09-30", "done")])
def test_a_quarter_actual_counts_from_the_end_of_its_quarter(as_of: str, expected: str) -> None:
    assert target(judge(one("{R8: [調査]}", "{R8: [{四半期: Q2, 内容: 調査}]}"), as_of)).state == expected


def test_a_late_achievement_after_as_of_leaves_the_target_missed() -> None:
    yaml = one("{R7: [調査]}", "{R8: [{四半期: Q2, 内容: 調査}]}")
    assert target(judge(yaml, "2026-09-29")).state == "missed"
    assert target(judge(yaml, "2026-09-30")).state == "done_late"


# --- KPIs ----------------------------------------------------------------------------------

KPI_UP = "{R8: [{指標: 導入市町村数, 目標値: 10, 単位: 市町村, 基準値: 0}]}"
KPI_DOWN = "{R8: [{指標: 待ち時間, 目標値: 10, 単位: 分, 基準値: 30, 方向: 減少}]}"


def kpi_actual(name: str, value: float, quarter: str = "Q2", year: str = "R8") -> str:
    return f"{{{year}: [{{四半期: {quarter}, 指標: {name}, 値: {value}}}]}}"


@pytest.mark.parametrize(("value", "expected"), [(9, "open"), (10, "done"), (12, "done")])
def test_kpi_achieved_when_the_value_reaches_the_target(value: int, expected: str) -> None:
    t = target(judge(one(KPI_UP, kpi_actual("導入市町村数", value)), AS_OF))
    assert (t.state, t.text) == (expected, "導入市町村数")
    assert t.kpi is not None
    assert (t.kpi.target, t.kpi.unit, t.kpi.baseline, t.kpi.direction, t.kpi.value) == (10, "市町村", 0, "up", value)
    assert t.achieved_on == (D("2026-09-30") if expected == "done" else None)


@pytest.mark.parametrize(("value", "expected"), [(11, "open"), (10, "done"), (8, "done")])
def test_kpi_down_achieved_when_the_value_falls_to_the_target(value: int, expected: str) -> None:
    t = target(judge(one(KPI_DOWN, kpi_actual("待ち時間", value)), AS_OF))
    assert t.kpi is not None
    assert (t.state, t.kpi.direction, t.kpi.value) == (expected, "down", value)


def test_kpi_missed_when_the_year_ends_short() -> None:
    t = target(judge(one(KPI_UP, kpi_actual("導入市町村数", 9, "Q4")), "2027-04-01"))
    assert t.state == "missed"


# A staged series (72 → 392 → 392), reported once a year: 72, then 200, then 392 in R8 Q2.
STAGED = one(
    "{R6: [{指標: 利用件数, 目標値: 72}], R7: [{指標: 利用件数, 目標値: 392}], R8: [{指標: 利用件数, 目標値: 392}]}",
    "{R6: [{四半期: Q4, 指標: 利用件数, 値: 72}], R7: [{四半期: Q4, 指標: 利用件数, 値: 200}],"
    " R8: [{四半期: Q2, 指標: 利用件数, 値: 392}]}",
)


def test_kpi_staged_series() -> None:
    status = judge(STAGED, AS_OF)
    got = [(t.fiscal_year, t.state, t.achieved_in, t.achieved_on) for t in status.initiatives[0].targets]
    assert got == [
        (2024, "done", 2024, D("2025-03-31")),
        (2025, "done_late", 2026, D("2026-09-30")),
        (2026, "done", 2026, D("2026-09-30")),
    ]
    assert [t.kpi.value for t in status.initiatives[0].targets if t.kpi] == [392, 392, 392]


def test_kpi_staged_series_before_the_last_report() -> None:
    status = judge(STAGED, "2026-06-15")
    assert states(status) == ["done", "missed", "open"]
    assert [t.kpi.value for t in status.initiatives[0].targets if t.kpi] == [200, 200, 200]


def test_a_monitored_kpi_judges_nothing() -> None:
    status = judge(one("{R8: [調査]}", kpi_actual("利用者数", 120)), AS_OF)
    assert [(t.text, t.state, t.kpi) for t in status.initiatives[0].targets] == [("調査", "open", None)]
    assert (status.state, status.counts) == ("open", progress.Counts(total=1, due=0, done=0))


def test_a_monitored_kpi_alone_makes_no_targets() -> None:
    status = judge(one("{}", kpi_actual("利用者数", 120)), AS_OF)
    assert status.initiatives[0].targets == []
    assert status.counts == progress.Counts(total=0, due=0, done=0)
    assert status.flags == {"missed": 0, "slipping": 0, "unreported": 0, "optimistic": 0}


@pytest.mark.parametrize(("as_of", "value"), [("2026-06-29", None), ("2026-07-15", 3), (AS_OF, 5), ("2027-03-31", 7)])
def test_kpi_value_is_the_latest_reported_value(as_of: str, value: int | None) -> None:
    actuals = (
        "{R8: [{四半期: Q2, 指標: 導入市町村数, 値: 5}, {日付: 2026-07-01, 指標: 導入市町村数, 値: 3}, "
        "{四半期: Q4, 指標: 導入市町村数, 値: 7}]}"
    )
    t = target(judge(one(KPI_UP, actuals), as_of))
    assert t.kpi is not None
    assert t.kpi.value == value


def test_an_undated_kpi_value_of_the_current_year_is_the_latest_at_once() -> None:
    actuals = "{R8: [{四半期: Q1, 指標: 導入市町村数, 値: 3}, {指標: 導入市町村数, 値: 7}]}"
    t = target(judge(one(KPI_UP, actuals), "2026-07-15"))
    assert t.kpi is not None and t.kpi.value == 7
    assert t.kpi.reported is not None and t.kpi.reported.date == D("2026-07-15")


# --- the pace rule for KPIs (A/B rule, measured at the end of the last completed quarter) -----
# As of 2026-11-26 the review point is 2026-09-30: 182 of the 364 days from 2026-04-01 to
# 2027-03-31 have elapsed, so the share of time is exactly 0.5.


@pytest.mark.parametrize(("value", "expected"), [(40, "slipping"), (49, "slipping"), (50, "open"), (60, "open")])
def test_kpi_behind_pace_is_slipping(value: int, expected: str) -> None:
    targets = "{R8: [{指標: 導入件数, 目標値: 100, 基準値: 0}]}"
    assert target(judge(one(targets, kpi_actual("導入件数", value)), AS_OF)).state == expected


@pytest.mark.parametrize(("value", "expected"), [(25, "slipping"), (20, "open")])
def test_kpi_down_behind_pace_is_slipping(value: int, expected: str) -> None:
    assert target(judge(one(KPI_DOWN, kpi_actual("待ち時間", value)), AS_OF)).state == expected


@pytest.mark.parametrize("as_of", ["2026-04-01", "2026-05-15", "2026-06-29"])
def test_kpi_never_slipping_in_q1(as_of: str) -> None:
    targets = "{R8: [{指標: 導入件数, 目標値: 100, 基準値: 0}]}"
    assert target(judge(one(targets), as_of)).state == "open"


def test_kpi_pace_is_measured_at_the_last_completed_quarter() -> None:
    targets = "{R8: [{指標: 導入件数, 目標値: 100, 基準値: 0}]}"
    assert target(judge(one(targets), "2026-06-30")).state == "slipping"  # Q1 has ended, nothing reported


def test_kpi_without_baseline_is_never_behind_pace() -> None:
    targets = "{R8: [{指標: 導入件数, 目標値: 100}]}"
    assert target(judge(one(targets, kpi_actual("導入件数", 10)), AS_OF)).state == "open"


def test_kpi_baseline_from_a_value_reported_before_the_year() -> None:
    targets = "{R8: [{指標: 導入件数, 目標値: 100}]}"
    actuals = "{R7: [{指標: 導入件数, 値: 0}], R8: [{四半期: Q2, 指標: 導入件数, 値: 40}]}"
    assert target(judge(one(targets, actuals), AS_OF)).state == "slipping"


def test_kpi_due_in_q2_slipping_after_due() -> None:
    targets = "{R8: [{指標: 導入件数, 目標値: 100, 基準値: 0, 期限: Q2}]}"
    t = target(judge(one(targets, kpi_actual("導入件数", 90)), AS_OF))
    assert (t.due, t.state) == (D("2026-09-30"), "slipping")


# --- unreported initiatives ----------------------------------------------------------------


@pytest.mark.parametrize(("as_of", "unreported"), [("2026-10-30", False), ("2026-10-31", True)])
def test_unreported_after_the_grace_period(as_of: str, unreported: bool) -> None:
    status = judge(one("{R8: [調査]}", "{R8: [{四半期: Q1, 内容: 着手}]}"), as_of)
    init = status.initiatives[0]
    assert init.unreported is unreported
    if unreported:
        assert (init.unreported_period, init.unreported_due) == (Q(2026, 2), D("2026-10-30"))
        assert (init.state, status.state, status.flags["unreported"]) == ("unreported", "unreported", 1)
    else:
        assert (init.unreported_period, init.unreported_due) == (None, None)
        assert (init.state, status.state, status.flags["unreported"]) == ("open", "open", 0)


@pytest.mark.parametrize(
    "actuals",
    [
        "{R8: [{四半期: Q2, 内容: 進捗報告}]}",
        "{R8: [{四半期: 第2四半期, 指標: 利用者数, 値: 3}]}",
        "{R8: [{日付: 2026-08-01, 内容: 進捗報告}]}",
        "{R8: [{四半期: Q1, 内容: 調査}]}",
    ],
    ids=["quarter-report", "quarter-kpi-report", "dated-in-quarter", "all-achieved"],
)
def test_not_unreported(actuals: str) -> None:
    assert not judge(one("{R8: [調査]}", actuals), AS_OF).initiatives[0].unreported


@pytest.mark.parametrize(
    "actuals",
    ["{R8: [進捗報告]}", "{R8: [{四半期: Q1, 内容: 進捗報告}]}", "{R7: [{四半期: Q2, 内容: 進捗報告}]}"],
    ids=["annual-report", "other-quarter", "other-year"],
)
def test_unreported_despite_other_actuals(actuals: str) -> None:
    assert judge(one("{R8: [調査]}", actuals), AS_OF).initiatives[0].unreported_period == Q(2026, 2)


def test_not_unreported_without_targets_in_that_year() -> None:
    status = judge(one("{R7: [調査], R9: [調査]}"), AS_OF)
    assert not status.initiatives[0].unreported
    assert status.flags["unreported"] == 0


def test_unreported_for_q4_of_the_previous_year() -> None:
    init = judge(one("{R7: [調査]}"), "2026-05-01").initiatives[0]
    assert (init.unreported_period, init.unreported_due) == (Q(2025, 4), D("2026-04-30"))


@pytest.mark.parametrize(("as_of", "unreported"), [("2026-10-10", False), ("2026-10-11", True)])
def test_plan_grace_days(as_of: str, unreported: bool) -> None:
    init = judge(one("{R8: [調査]}"), as_of, plan_yaml="報告期限日数: 10\n").initiatives[0]
    assert init.unreported is unreported
    assert init.unreported_due == (D("2026-10-10") if unreported else None)


# --- a fiscal year starting in July --------------------------------------------------------

JULY = "年度開始月: 7\n"


def test_july_year_due_dates() -> None:
    status = judge(one("{R8: [調査, {内容: 設計, 期限: Q1}]}"), "2026-11-26", plan_yaml=JULY)
    assert [(t.due, t.state) for t in status.initiatives[0].targets] == [
        (D("2027-06-30"), "open"),
        (D("2026-09-30"), "slipping"),
    ]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2026-06-30", "planned"), ("2026-07-01", "open"), ("2027-06-30", "open"), ("2027-07-01", "missed")],
)
def test_july_year_bounds(as_of: str, expected: str) -> None:
    assert target(judge(one("{R8: [調査]}"), as_of, plan_yaml=JULY)).state == expected


@pytest.mark.parametrize(("quarter", "end"), [("Q1", "2026-09-30"), ("Q2", "2026-12-31"), ("Q4", "2027-06-30")])
def test_july_year_quarters(quarter: str, end: str) -> None:
    t = target(judge(one("{R8: [調査]}", f"{{R8: [{{四半期: {quarter}, 内容: 調査}}]}}"), "2027-07-01", plan_yaml=JULY))
    assert (t.state, t.achieved_on) == ("done", D(end))


def test_july_year_unreported_quarter() -> None:
    init = judge(one("{R8: [調査]}"), "2026-11-26", plan_yaml=JULY).initiatives[0]
    assert (init.unreported_period, init.unreported_due) == (Q(2026, 1), D("2026-10-30"))


# --- explained and outlook -----------------------------------------------------------------


def test_explained_and_outlook() -> None:
    actuals = (
        "{R8: [{四半期: Q1, 内容: 再調査を準備中, 理由: 予算確保が遅れたため次年度に実施, 見通し: 順調},"
        " {四半期: Q2, 内容: 委託先と調整, 見通し: 注意}]}"
    )
    init = judge(one("{R7: [ニーズ再調査], R8: [調査]}", actuals), AS_OF).initiatives[0]
    assert init.explained(2025) and init.explained(2026)
    assert init.outlook == "at_risk"


def test_a_reason_before_the_targets_year_does_not_explain_it() -> None:
    init = judge(one("{R7: [調査]}", "{R6: [{四半期: Q4, 内容: 準備, 理由: 人員不足}]}"), AS_OF).initiatives[0]
    assert not init.explained(2025)
    assert init.explained(2024)


def test_a_reason_after_as_of_does_not_explain() -> None:
    actuals = "{R8: [{四半期: Q3, 内容: 準備, 理由: 人員不足, 見通し: 困難}]}"
    status = judge(one("{R7: [調査]}", actuals), AS_OF)
    assert (status.initiatives[0].explained(2025), status.initiatives[0].outlook) == (False, None)
    status = judge(one("{R7: [調査]}", actuals), "2026-12-31")
    assert (status.initiatives[0].explained(2025), status.initiatives[0].outlook) == (True, "off_track")


@pytest.mark.parametrize(("word", "outlook"), [("順調", "on_track"), ("注意", "at_risk"), ("困難", "off_track")])
def test_outlook_words(word: str, outlook: str) -> None:
    actuals = f"{{R8: [{{四半期: Q1, 内容: 準備, 見通し: {word}}}]}}"
    assert judge(one("{R8: [調査]}", actuals), AS_OF).initiatives[0].outlook == outlook


# --- project state and counts --------------------------------------------------------------

# One initiative in each state as of 2026-11-26, worst first (the order of progress.SEVERITY).
PARTS = {
    "missed": ("{R7: [調査]}", "{}"),
    "slipping": ("{R8: [{内容: 調査, 期限: Q2}]}", "{R8: [{四半期: Q2, 内容: 報告}]}"),
    "unreported": ("{R8: [調査]}", "{}"),
    "open": ("{R8: [調査]}", "{R8: [{四半期: Q2, 内容: 報告}]}"),
    "planned": ("{R9: [調査]}", "{}"),
    "done_late": ("{R8: [{内容: 調査, 期限: Q1}]}", "{R8: [{四半期: Q2, 内容: 調査}]}"),
    "done": ("{R8: [調査]}", "{R8: [{四半期: Q1, 内容: 調査}]}"),
}
ORDER = ["missed", "slipping", "unreported", "open", "planned", "done_late", "done"]


def test_severity_order() -> None:
    assert list(progress.SEVERITY) == ORDER


@pytest.mark.parametrize("state", ORDER)
def test_initiative_alone(state: str) -> None:
    status = judge(roadmap(PARTS[state]), AS_OF)
    assert (status.initiatives[0].state, status.state) == (state, state)


@pytest.mark.parametrize(("worse", "better"), list(combinations(ORDER, 2)))
def test_project_state_is_the_worst_of_its_parts(worse: str, better: str) -> None:
    assert judge(roadmap(PARTS[better], PARTS[worse]), AS_OF).state == worse


def test_initiative_state_is_the_worst_of_its_targets() -> None:
    status = judge(one("{R7: [調査], R8: [設計]}", "{R8: [{四半期: Q2, 内容: 設計}]}"), AS_OF)
    assert (states(status), status.initiatives[0].state) == (["missed", "done"], "missed")


def test_counts_and_flags() -> None:
    targets = "{R7: [A, B], R8: [C, {内容: D, 期限: Q1}], R9: [E]}"
    actuals = "{R8: [{四半期: Q1, 内容: B}, {四半期: Q1, 内容: C}]}"
    status = judge(one(targets, actuals), AS_OF)
    assert states(status) == ["missed", "done_late", "done", "slipping", "planned"]
    # due: A, B (2026-03-31) and D (2026-06-30); done: B (late) and C (early, not yet due)
    assert status.counts == progress.Counts(total=5, due=3, done=2)
    assert status.flags == {"missed": 1, "slipping": 1, "unreported": 1, "optimistic": 0}


@pytest.mark.parametrize(("as_of", "due"), [("2026-09-30", 0), ("2026-10-01", 1)])
def test_a_target_counts_as_due_once_its_due_date_has_passed(as_of: str, due: int) -> None:
    assert judge(one("{R8: [{内容: 調査, 期限: Q2}]}"), as_of).counts.due == due


# --- slipping items ------------------------------------------------------------------------


def test_slipping_items_worst_first() -> None:
    yaml = roadmap(
        ("{R8: [{内容: 設計, 期限: Q1}]}", "{}"),  # slipping since 2026-06-30, and unreported for R8 Q2
        ("{R6: [調査], R7: [再調査]}", "{R8: [{四半期: Q2, 内容: 準備, 理由: 予算未確保, 見通し: 注意}]}"),
    )
    as_of = D(AS_OF)
    items = progress.slipping_items([judge(yaml, AS_OF)], as_of)
    got = [(i.state, i.initiative, i.target, i.fiscal_year, i.period, i.due, i.days_late) for i in items]
    assert got == [
        ("missed", "取組2", "調査", 2024, None, D("2025-03-31"), 605),
        ("missed", "取組2", "再調査", 2025, None, D("2026-03-31"), 240),
        ("slipping", "取組1", "設計", 2026, None, D("2026-06-30"), 149),
        ("unreported", "取組1", None, 2026, "Q2", D("2026-10-30"), 27),
    ]
    assert all(i.days_late == (as_of - i.due).days for i in items)
    assert [(i.explained, i.outlook) for i in items] == [(True, "at_risk")] * 2 + [(False, None)] * 2


def test_no_slipping_items_when_on_track() -> None:
    yaml = roadmap(PARTS["open"], PARTS["planned"], PARTS["done_late"], PARTS["done"])
    assert progress.slipping_items([judge(yaml, AS_OF)], D(AS_OF)) == []


# --- the source document's roadmap ---------------------------------------------------------


def seed_status(folder: Path) -> progress.ProjectStatus:
    portfolio = store.load_portfolio(write_seed(folder / "roadmaps"))  # a copy: never the repository's own roadmaps/
    assert not portfolio.problems, portfolio.problems
    (project,) = portfolio.projects
    return progress.judge(project, portfolio.settings, D(AS_OF))


def test_seed_roadmap_as_of_2026_11_26(tmp_path: Path) -> None:
    status = seed_status(tmp_path)
    by_text = {(i.name, t.fiscal_year, t.text): t.state for i in status.initiatives for t in i.targets}
    env = "地域社会のデジタル化促進に向けた環境整備"
    assert by_text[(env, 2023, "ニーズ調査")] == "done"
    assert by_text[(env, 2023, "ロードマップ作成")] == "missed"
    assert {s for (_, year, _), s in by_text.items() if year in (2024, 2025)} == {"missed"}
    assert {s for (_, year, _), s in by_text.items() if year == 2026} == {"open"}
    assert status.counts == progress.Counts(total=19, due=16, done=1)
    assert status.state == "missed"


def test_seed_roadmap_unreported_initiative(tmp_path: Path) -> None:
    status = seed_status(tmp_path)
    unreported = [(i.name, i.unreported_period, i.unreported_due) for i in status.initiatives if i.unreported]
    assert unreported == [("デジタル実装支援", Q(2026, 2), D("2026-10-30"))]
    assert status.flags == {"missed": 15, "slipping": 0, "unreported": 1, "optimistic": 0}


def test_a_due_date_outside_its_fiscal_year_is_refused() -> None:
    from dxroadmap.settings import Settings as _Settings

    text = dedent(
        """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: テスト課
        取組:
          - 名称: 取組A
            目標:
              R8: [{内容: 調査, 期限: 2027-05-31}]
        """
    )
    roadmap, problems = store.parse_roadmap(text, "t.yaml", _Settings())
    assert roadmap is None
    assert [(p.line, p.code) for p in problems] == [(7, "bad-value")]
    assert "outside R8 (2026-04-01 – 2027-03-31)" in problems[0].message


# --- the reporting cadence (報告頻度) --------------------------------------------------------


def plan_with(extra: str) -> str:
    return "期間: {開始: R5, 終了: R9}\n" + extra


HALF_PLAN = plan_with("報告頻度: 半期\n")
YEAR_PLAN = plan_with("報告頻度: 年度\n")


@pytest.mark.parametrize(
    ("plan", "as_of", "period", "due"),
    [
        (None, AS_OF, Q(2026, 2), D("2026-10-30")),
        (HALF_PLAN, AS_OF, fiscal.ReportPeriod(2026, "half", 1), D("2026-10-30")),
        (HALF_PLAN, "2026-10-30", None, None),  # H1 ended 2026-09-30: still within the 30 days' grace
        (HALF_PLAN, "2026-08-15", None, None),  # the last completed half is R7 H2: no targets in R7
        (YEAR_PLAN, AS_OF, None, None),  # the last completed fiscal year is R7: no targets in R7
        (YEAR_PLAN, "2027-05-01", fiscal.ReportPeriod(2026, "year", 1), D("2027-04-30")),
        (YEAR_PLAN, "2027-04-30", None, None),
    ],
    ids=["quarter", "half", "half-grace", "half-no-targets", "year-no-targets", "year", "year-grace"],
)
def test_unreported_follows_the_cadence(plan: str | None, as_of: str, period: object, due: date | None) -> None:
    init = judge(one("{R8: [調査]}"), as_of, plan).initiatives[0]
    assert (init.unreported_period, init.unreported_due) == (period, due)


@pytest.mark.parametrize(
    ("actual", "reported"),
    [
        ("{半期: 上期, 内容: 準備}", True),
        ("{半期: H1, 内容: 準備}", True),
        ("{半期: 上半期, 内容: 準備}", True),
        ("{四半期: Q1, 内容: 準備}", True),  # a quarter reports for its half
        ("{四半期: Q3, 内容: 準備}", False),
        ("{半期: 下期, 内容: 準備}", False),
        ("{日付: 2026-09-01, 内容: 準備}", True),
    ],
)
def test_what_reports_for_a_half(actual: str, reported: bool) -> None:
    """As of 2027-01-15 the last completed half is R8 上期 (its grace ended 2026-10-30)."""
    init = judge(one("{R8: [調査]}", f"{{R8: [{actual}]}}"), "2027-01-15", HALF_PLAN).initiatives[0]
    assert init.unreported_period == (None if reported else fiscal.ReportPeriod(2026, "half", 1))


def test_a_half_entry_reports_for_both_its_quarters() -> None:
    init = judge(one("{R8: [調査]}", "{R8: [{半期: 上期, 内容: 準備}]}"), AS_OF).initiatives[0]
    assert init.unreported_period is None  # Q2 lies in 上期


def test_an_annual_plan_takes_an_undated_entry_as_the_years_report() -> None:
    init = judge(one("{R7: [調査], R8: [次]}", "{R7: [準備]}"), "2026-05-01", YEAR_PLAN).initiatives[0]
    assert init.unreported_period is None
    init = judge(one("{R7: [調査], R8: [次]}", "{}"), "2026-05-01", YEAR_PLAN).initiatives[0]
    assert init.unreported_period == fiscal.ReportPeriod(2025, "year", 1)


def test_a_roadmap_overrides_the_plans_cadence() -> None:
    text = one("{R8: [調査]}").replace("担当課: テスト課\n", "担当課: テスト課\n報告頻度: 年度\n")
    status = judge(text, AS_OF, HALF_PLAN)
    assert status.cadence == "year"
    assert status.initiatives[0].unreported_period is None


def test_quarter_and_half_together_are_refused() -> None:
    roadmap, problems = store.parse_roadmap(
        one("{R8: [調査]}", "{R8: [{四半期: Q1, 半期: 上期, 内容: 準備}]}"), "t", Settings()
    )
    assert roadmap is None and [p.code for p in problems] == ["bad-value"]


# --- dated baselines (基準年度, 基準日): the pace rule across years ----------------------------
# A KPI due at the end of R9 (2028-03-31) with its baseline at the end of R5 (2024-03-31): as of
# 2026-11-26 the review point is 2026-09-30, 914 of 1,461 days (63 %) have elapsed.

LONG_KPI = "{R9: [{指標: 導入数, 目標値: 100, 基準値: 0, %s}]}"


@pytest.mark.parametrize("dated", ["基準年度: R5", "基準日: 2024-03-31"])
@pytest.mark.parametrize(("value", "state"), [(10, "slipping"), (62, "slipping"), (64, "planned"), (100, "planned")])
def test_a_dated_baseline_runs_the_pace_rule_across_years(dated: str, value: int, state: str) -> None:
    """62 % of the way is behind 63 % of the time; a value reported before R9 does not achieve R9's target."""
    status = judge(one(LONG_KPI % dated, f"{{R7: [{{四半期: Q1, 指標: 導入数, 値: {value}}}]}}"), AS_OF)
    assert target(status).state == state


def test_without_a_dated_baseline_a_later_years_kpi_is_only_planned() -> None:
    status = judge(
        one("{R9: [{指標: 導入数, 目標値: 100, 基準値: 0}]}", "{R7: [{四半期: Q1, 指標: 導入数, 値: 10}]}"), AS_OF
    )
    assert target(status).state == "planned"


def test_a_dated_baseline_without_a_value_takes_the_value_reported_by_then() -> None:
    kpi = "{R9: [{指標: 導入数, 目標値: 100, 基準年度: R5}]}"
    actuals = "{R5: [{四半期: Q4, 指標: 導入数, 値: 20}], R7: [{四半期: Q1, 指標: 導入数, 値: 30}]}"
    # progress (30 - 20) / (100 - 20) = 12.5 % against 63 % of the time: behind pace
    assert target(judge(one(kpi, actuals), AS_OF)).state == "slipping"
    assert target(judge(one(kpi, actuals.replace("値: 30", "値: 80")), AS_OF)).state == "planned"


def test_two_baseline_dates_are_refused() -> None:
    text = one("{R9: [{指標: 導入数, 目標値: 100, 基準年度: R5, 基準日: 2024-03-31}]}")
    roadmap, problems = store.parse_roadmap(text, "t", Settings())
    assert roadmap is None and [p.code for p in problems] == ["bad-value"]


# --- self-evaluation (評価区分, 評価) and the optimistic flag ---------------------------------

RATED_PLAN = plan_with(
    "評価区分:\n"
    "  - {記号: A, 意味: 達成, 見通し: 順調}\n"
    "  - {記号: B, 意味: 概ね達成, 見通し: 注意}\n"
    "  - {記号: C, 意味: 未達成}\n"
)


@pytest.mark.parametrize(
    ("entry", "outlook", "optimistic"),
    [
        ("{四半期: Q2, 内容: 準備, 見通し: 順調}", "on_track", True),
        ("{四半期: Q2, 内容: 準備, 評価: A}", "on_track", True),  # A implies 順調
        ("{四半期: Q2, 内容: 準備, 評価: B}", "at_risk", False),
        ("{四半期: Q2, 内容: 準備, 評価: C}", None, False),  # no outlook implied
        ("{四半期: Q2, 内容: 準備, 評価: A, 見通し: 困難}", "off_track", False),  # 見通し as written wins
    ],
)
def test_an_owners_on_track_beside_a_slip_is_flagged(entry: str, outlook: str | None, optimistic: bool) -> None:
    status = judge(one("{R8: [{内容: 設計, 期限: Q1}]}", f"{{R8: [{entry}]}}"), AS_OF, RATED_PLAN)
    init = status.initiatives[0]
    assert (init.state, init.outlook, init.optimistic) == ("slipping", outlook, optimistic)
    assert status.flags["optimistic"] == int(optimistic)
    [item] = progress.slipping_items([status], D(AS_OF))
    assert item.disagrees is optimistic


def test_on_track_while_on_track_is_no_disagreement() -> None:
    status = judge(one("{R8: [調査]}", "{R8: [{四半期: Q2, 内容: 準備, 見通し: 順調}]}"), AS_OF)
    assert status.flags["optimistic"] == 0


def test_a_rating_not_in_the_plans_scale_is_refused() -> None:
    from dxroadmap import source

    settings = Settings.from_plan(PLAN.validate_python(source.load(RATED_PLAN, "_plan.yaml").data))
    roadmap, problems = store.parse_roadmap(
        one("{R8: [調査]}", "{R8: [{四半期: Q2, 内容: 準備, 評価: S}]}"), "t", settings
    )
    assert roadmap is None and [p.code for p in problems] == ["bad-value"]
    assert "A, B, C" in problems[0].message


# --- matching texts: NFKC, spaces, a final 。 ------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "written"),
    [
        ("現地研修会", "現地研修会。"),
        ("現地研修会", "現地研修会．"),
        ("現地研修会", "現地　研修会"),  # a full-width space
        ("現地 研修会", "現地研修会 "),
        ("Wi-Fi 環境の整備", "Wi-Fi環境の整備"),
        ("open data", "open  data"),
        ("ゲンチ研修会", "ｹﾞﾝﾁ研修会"),  # half-width katakana
        ("ＤＸ研修", "DX研修"),
    ],
)
def test_target_texts_match_after_normalisation(planned: str, written: str) -> None:
    status = judge(one(f"{{R8: ['{planned}']}}", f"{{R8: [{{四半期: Q1, 内容: '{written}'}}]}}"), AS_OF)
    assert target(status).state == "done"


def test_a_longer_text_still_does_not_match() -> None:
    status = judge(one("{R8: [現地研修会]}", "{R8: [{四半期: Q1, 内容: 現地研修会の準備}]}"), AS_OF)
    assert target(status).state == "open"
    status = judge(one("{R8: [open data]}", "{R8: [{四半期: Q1, 内容: opendata}]}"), AS_OF)
    assert target(status).state == "open"  # between ASCII words a space still counts


# --- years far from the plan's period ---------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "code"), [("R12", "year-out-of-period"), ("R32", "year-out-of-period"), ("R77", "bad-year")]
)
def test_a_year_outside_the_period_is_a_warning_unless_far_off(year: str, code: str) -> None:
    from dxroadmap import source

    settings = Settings.from_plan(PLAN.validate_python(source.load(plan_with(""), "_plan.yaml").data))
    roadmap, problems = store.parse_roadmap(one(f"{{R8: [調査], {year}: [最終目標]}}"), "t", settings)
    assert [p.code for p in problems] == [code]
    assert (roadmap is None) == (code == "bad-year")
