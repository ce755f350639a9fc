"""Fiscal years, quarters and the calendar (DESIGN.md §3, §5)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from dxroadmap import edit, fiscal, i18n, model


@pytest.mark.parametrize(
    "spelling",
    ["R5", "r5", "令和5年度", "令和５年度", "令和5", "令和5年", "FY2023", "fy2023", "2023年度",
     "2023年度(令和5年度)", "2023", 2023, "Ｒ５", " R5 ", "２０２３年度"],
)  # fmt: skip
def test_every_spelling_means_fiscal_2023(spelling: object) -> None:
    assert fiscal.parse_year(spelling) == 2023


def test_reiwa_gannen_is_2019() -> None:
    assert fiscal.parse_year("令和元年度") == 2019
    assert fiscal.parse_year("R1") == 2019


@pytest.mark.parametrize("bad", ["X5", "R", "令和", "2023年度(令和6年度)", "FY23", "", True, 3.5, None, [2023], "1900"])
def test_unreadable_years_are_refused_with_a_hint(bad: object) -> None:
    with pytest.raises(fiscal.FiscalError) as info:
        fiscal.parse_year(bad)
    assert "R5" in str(info.value) or "two different" in str(info.value) or "outside" in str(info.value)


@given(st.integers(min_value=2019, max_value=2200))
def test_label_round_trips(year: int) -> None:
    assert fiscal.parse_year(fiscal.label(year)) == year
    assert fiscal.parse_year(f"FY{year}") == year
    assert fiscal.parse_year(f"令和{year - 2018}年度") == year


@pytest.mark.parametrize("spelling", ["Q2", "q2", "2", 2, "第2四半期", "第２四半期", "Ｑ２", "2Q"])
def test_quarter_spellings(spelling: object) -> None:
    assert fiscal.parse_quarter(spelling) == 2


@pytest.mark.parametrize("bad", ["Q5", "Q0", 0, 5, "第5四半期", "spring", True, None])
def test_quarters_outside_q1_q4_are_refused(bad: object) -> None:
    with pytest.raises(fiscal.FiscalError, match="Q1, Q2, Q3 or Q4"):
        fiscal.parse_quarter(bad)


def test_april_calendar() -> None:
    cal = fiscal.Calendar()
    assert cal.year_start(2026) == date(2026, 4, 1)
    assert cal.year_end(2026) == date(2027, 3, 31)
    assert [cal.quarter_end(2026, q) for q in (1, 2, 3, 4)] == [
        date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31), date(2027, 3, 31),
    ]  # fmt: skip
    assert cal.year_of(date(2027, 3, 31)) == 2026
    assert cal.year_of(date(2027, 4, 1)) == 2027
    assert cal.quarter_of(date(2027, 1, 15)) == (2026, 4)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 11, 26), (2026, 2)),
        (date(2026, 9, 30), (2026, 2)),  # a quarter is completed on its last day
        (date(2026, 9, 29), (2026, 1)),
        (date(2026, 4, 15), (2025, 4)),
        (date(2026, 3, 31), (2025, 4)),
    ],
)
def test_last_completed_quarter(as_of: date, expected: tuple[int, int]) -> None:
    assert fiscal.Calendar().last_completed_quarter(as_of) == expected


def test_a_year_starting_in_july() -> None:
    cal = fiscal.Calendar(start_month=7)
    assert cal.year_start(2026) == date(2026, 7, 1)
    assert cal.year_end(2026) == date(2027, 6, 30)
    assert cal.quarter_end(2026, 1) == date(2026, 9, 30)
    assert cal.quarter_end(2026, 3) == date(2027, 3, 31)
    assert cal.quarter_of(date(2026, 6, 30)) == (2025, 4)
    assert cal.last_completed_quarter(date(2026, 11, 26)) == (2026, 1)


def test_a_calendar_year() -> None:
    cal = fiscal.Calendar(start_month=1)
    assert cal.year_end(2026) == date(2026, 12, 31)
    assert cal.quarter_of(date(2026, 12, 31)) == (2026, 4)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2150, 12, 31)), st.integers(min_value=1, max_value=12))
def test_every_date_lies_in_its_quarter(day: date, month: int) -> None:
    cal = fiscal.Calendar(start_month=month)
    year, quarter = cal.quarter_of(day)
    assert cal.quarter_start(year, quarter) <= day <= cal.quarter_end(year, quarter)
    assert cal.year_start(year) <= day <= cal.year_end(year)
    last_year, last_quarter = cal.last_completed_quarter(day)
    assert cal.quarter_end(last_year, last_quarter) <= day
    assert (cal.quarter_end(last_year, last_quarter) - day).days > -100


# --- 平成, both orders of a double spelling, and dates (issue 12) -------------------------


@pytest.mark.parametrize(
    "spelling",
    ["H30", "h30", "平成30年度", "平成30年", "平成30", "平成３０年度", "Ｈ３０", "2018年度(平成30年度)",
     "平成30年度(2018年度)", "2018年度（平成30年度）", "平成30年度（2018年度）", "FY2018(H30)", "H30(2018)"],
)  # fmt: skip
def test_every_heisei_spelling_means_fiscal_2018(spelling: str) -> None:
    assert fiscal.parse_year(spelling) == 2018


def test_heisei_gannen_and_the_change_of_era() -> None:
    assert fiscal.parse_year("平成元年度") == fiscal.parse_year("H1") == fiscal.MIN_YEAR == 1989
    assert fiscal.parse_year("平成31年度") == fiscal.parse_year("令和元年度") == fiscal.parse_year("H31") == 2019


@pytest.mark.parametrize("spelling", ["令和6年度（2024年度）", "令和6年度(2024年度)", "R6(2024)", "R6（2024年度）"])
def test_the_era_may_come_first(spelling: str) -> None:
    assert fiscal.parse_year(spelling) == 2024


@pytest.mark.parametrize("bad", ["平成0年度", "H0", "R0", "H", "平成", "平成30年度(令和元年度)", "2018(2018)"])
def test_unreadable_heisei_years_are_refused(bad: str) -> None:
    with pytest.raises(fiscal.FiscalError, match="H30, 平成30年度"):
        fiscal.parse_year(bad)


@pytest.mark.parametrize("bad", ["令和6年度(2023年度)", "R6(2023)", "平成30年度(2019年度)", "2018年度(平成31年度)"])
def test_two_spellings_that_disagree_are_refused(bad: str) -> None:
    with pytest.raises(fiscal.FiscalError, match="two different fiscal years"):
        fiscal.parse_year(bad)


def test_labels_before_reiwa_are_heisei() -> None:
    assert [fiscal.label(y) for y in (1989, 2017, 2018, 2019, 2026)] == ["H1", "H29", "H30", "R1", "R8"]


@given(st.integers(min_value=fiscal.MIN_YEAR, max_value=2018))
def test_heisei_labels_round_trip(year: int) -> None:
    assert fiscal.parse_year(fiscal.label(year)) == year
    assert fiscal.parse_year(f"平成{year - 1988}年度") == year
    assert fiscal.parse_year(f"{year}年度(平成{year - 1988}年度)") == year


YEAR_SPELLINGS = ["R5", "令和5年度", "令和５年度", "令和元年度", "FY2023", "２０２３年度", "2023年度(令和5年度)",
                  "2023年度（令和5年度）", "令和5年度(2023年度)", "R5(2023)", "H30", "ｈ３０", "平成30年度",
                  "平成元年度", "2018年度(平成30年度)", "平成30年度（2018年度）", " R5 ", "2023"]  # fmt: skip


@pytest.mark.parametrize("spelling", YEAR_SPELLINGS)
def test_the_schema_pattern_matches_every_year_spelling(spelling: str) -> None:
    assert fiscal.parse_year(spelling)
    assert re.match(fiscal.YEAR_PATTERN, spelling), spelling


@pytest.mark.parametrize("bad", ["X5", "R", "H", "FY23", "2023年度(令和5年度"])
def test_the_schema_pattern_refuses_what_is_not_a_year(bad: str) -> None:
    assert not re.match(fiscal.YEAR_PATTERN, bad)


DATE_SPELLINGS = {
    "2026-11-15": date(2026, 11, 15),
    "2026/11/15": date(2026, 11, 15),
    "2026/1/5": date(2026, 1, 5),
    "2026-1-5": date(2026, 1, 5),
    "2026年11月15日": date(2026, 11, 15),
    "令和8年11月15日": date(2026, 11, 15),
    "令和元年5月1日": date(2019, 5, 1),
    "平成31年4月30日": date(2019, 4, 30),
    "平成元年1月8日": date(1989, 1, 8),
    "R8.11.15": date(2026, 11, 15),
    "r8.11.15": date(2026, 11, 15),
    "R8/11/15": date(2026, 11, 15),
    "H31.4.30": date(2019, 4, 30),
    "２０２６／１１／１５": date(2026, 11, 15),
    "２０２６－１１－１５": date(2026, 11, 15),
    "令和８年１１月１５日": date(2026, 11, 15),
    "Ｒ８．１１．１５": date(2026, 11, 15),
    " 2026-11-15 ": date(2026, 11, 15),
    "\u30002026/11/15\u3000": date(2026, 11, 15),
}


@pytest.mark.parametrize(("spelling", "expected"), DATE_SPELLINGS.items())
def test_every_date_spelling(spelling: str, expected: date) -> None:
    assert fiscal.parse_date(spelling) == expected
    assert re.match(fiscal.DATE_PATTERN, spelling) or spelling.strip() == expected.isoformat()


def test_a_date_object_is_a_date_but_a_datetime_is_not() -> None:
    assert fiscal.parse_date(date(2026, 11, 15)) == date(2026, 11, 15)
    with pytest.raises(fiscal.FiscalError):
        fiscal.parse_date(datetime(2026, 11, 15, 9, 30))


@pytest.mark.parametrize(
    "bad",
    ["2026-13-01", "2026-02-30", "R8.2.30", "R0.1.1", "平成0年1月1日", "2026.11.15", "2026/11-15", "26/11/15",
     "2026年11月", "R8", "令和8年度", "last-meeting", "", 20261115, None, True],
)  # fmt: skip
def test_what_is_not_a_date_is_refused_listing_the_spellings(bad: object) -> None:
    with pytest.raises(fiscal.FiscalError, match=r"is not a date \(write 2026-11-15, 2026/11/15, .*R8\.11\.15\)"):
        fiscal.parse_date(bad)


def test_the_date_message_is_in_the_users_language() -> None:
    before = i18n.language()
    i18n.set_language("ja")
    try:
        with pytest.raises(fiscal.FiscalError, match=r"は日付として読めません.*令和8年11月15日"):
            fiscal.parse_date("2026-13-01")
    finally:
        i18n.set_language(before)


@pytest.mark.parametrize(
    ("style", "r1", "h30"),
    [("R{n}", "R1", "H30"), ("令和{n}年度", "令和1年度", "平成30年度"), ("令和{n}年", "令和1年", "平成30年"),
     ("令和{n}", "令和1", "平成30"), ("FY{y}", "FY2019", "FY2018"), ("{y}年度", "2019年度", "2018年度"),
     ("{y}年度(令和{n}年度)", "2019年度(令和1年度)", "2018年度(平成30年度)"),
     ("令和{n}年度({y}年度)", "令和1年度(2019年度)", "平成30年度(2018年度)"), ("{y}", "2019", "2018")],
)  # fmt: skip
def test_a_new_year_key_before_reiwa_is_written_in_heisei(style: str, r1: str, h30: str) -> None:
    assert (edit.year_key(2019, style), edit.year_key(2018, style)) == (r1, h30)
    assert fiscal.parse_year(h30) == 2018 and fiscal.parse_year(r1) == 2019


@pytest.mark.parametrize(
    ("keys", "style"),
    [
        (["H30", "R1"], "R{n}"),
        (["平成30年度", "令和元年度"], "令和{n}年度"),
        (["令和5年度(2023年度)"], "令和{n}年度({y}年度)"),
    ],
)
def test_heisei_keys_count_as_their_reiwa_style(keys: list[str], style: str) -> None:
    data = {"取組": [{"名称": "a", "目標": {key: ["x"] for key in keys}}]}
    assert edit.year_key_style(data) == style


@pytest.mark.parametrize("spelling", ["2026/11/15", "令和8年11月15日", "R8.11.15", date(2026, 11, 15)])
def test_dates_in_files_take_every_spelling(spelling: object) -> None:
    roadmap = {
        "政策分野": "暮らし・まち",
        "事業名": "x",
        "担当課": "y",
        "取組": [
            {
                "名称": "a",
                "目標": {"R8": [{"内容": "t", "期限": spelling}]},
                "実績": {"R8": [{"達成": "t", "日付": spelling}]},
            }
        ],
    }
    initiative = model.ROADMAP.validate_python(roadmap).initiatives[0]
    assert initiative.targets[2026][0].due == date(2026, 11, 15)  # type: ignore[union-attr]
    assert initiative.actuals[2026][0].date == date(2026, 11, 15)  # type: ignore[union-attr]
    plan = model.PLAN.validate_python({"会議": [{"名称": "第1回", "日付": spelling}]})
    assert plan.meetings[0].date == date(2026, 11, 15)


def test_a_due_that_is_not_a_date_is_a_quarter() -> None:
    target = model.TaskTarget.model_validate({"内容": "t", "期限": "第2四半期"})
    assert target.due == 2
    with pytest.raises(ValidationError, match="not a quarter"):
        model.TaskTarget.model_validate({"内容": "t", "期限": "2026.99.1"})


@pytest.mark.parametrize("bad", ["2026-02-30", "R8.2.30", "2026.99.1", datetime(2026, 11, 15, 9, 30)])
def test_bad_dates_in_files_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        model.ActualEntry.model_validate({"内容": "x", "日付": bad})
    [error] = info.value.errors()
    assert error["type"] == ("date_from_datetime_inexact" if isinstance(bad, datetime) else "bad-value")


def test_the_schema_of_a_date_takes_the_text_spellings() -> None:
    choices = model.ActualEntry.model_json_schema(by_alias=True)["properties"]["日付"]["anyOf"]
    assert {"type": "string", "format": "date"} in choices
    [pattern] = [s["pattern"] for s in choices if "pattern" in s]
    assert all(re.match(pattern, s) for s in ("2026/11/15", "令和8年11月15日", "R8.11.15", "Ｈ３１．４．３０"))
    assert not re.match(pattern, "2026.11.15")
