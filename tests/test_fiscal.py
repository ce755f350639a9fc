"""Fiscal years, quarters and the calendar (DESIGN.md §3, §5)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxroadmap import fiscal


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
