"""Fiscal years, eras and quarters: parsing every spelling a roadmap uses, and date arithmetic.

A fiscal year is identified by the calendar year it starts in (R5 = 令和5年度 = FY2023 = 2023).
A `Calendar` knows the month the year starts in (April unless the plan says otherwise).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from dxroadmap.i18n import t

REIWA_OFFSET = 2018  # 令和1年 = 2019
MIN_YEAR, MAX_YEAR = 1989, 2200
QUARTERS = (1, 2, 3, 4)


class FiscalError(ValueError):
    """A fiscal year or quarter that cannot be read; the message says what is accepted."""


@lru_cache(maxsize=8192)  # the same names and keys recur in every file
def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and surrounding white space removed."""
    return unicodedata.normalize("NFKC", text).strip()


_REIWA = re.compile(r"^(?:R|令和)(\d{1,3}|元)(?:年度?)?$", re.IGNORECASE)
_WESTERN = re.compile(r"^(?:FY)?(\d{4})(?:年度?)?(?:\((?:R|令和)(\d{1,3}|元)(?:年度?)?\))?$", re.IGNORECASE)


# The spellings of parse_year as a JSON Schema pattern (for editors; the tool itself uses NFKC).
YEAR_PATTERN = (
    r"^\s*(?:[RrＲｒ][0-9０-９]{1,3}|令和(?:[0-9０-９]{1,3}|元)(?:年度?)?"
    r"|(?:[FfＦｆ][YyＹｙ])?[0-9０-９]{4}(?:年度?)?(?:[(（](?:[Rr]|令和)(?:[0-9０-９]{1,3}|元)(?:年度?)?[)）])?)\s*$"
)


def parse_year(value: object) -> int:
    """The starting calendar year of the fiscal year written as `value`.

    Accepts R5, 令和5年度, 令和５年度, 令和5, 令和元年度, FY2023, 2023年度, 2023年度(令和5年度), 2023.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FiscalError(t("year.unreadable", value=repr(value)))
    return _parse_year(value)


@lru_cache(maxsize=1024, typed=True)  # a handful of spellings recur in every file (errors are not cached)
def _parse_year(value: int | str) -> int:
    text = normalize(str(value)).replace(" ", "")
    year: int | None = None
    if m := _REIWA.match(text):
        year = REIWA_OFFSET + (1 if m.group(1) == "元" else int(m.group(1)))
    elif m := _WESTERN.match(text):
        year = int(m.group(1))
        if m.group(2) is not None:
            era = REIWA_OFFSET + (1 if m.group(2) == "元" else int(m.group(2)))
            if era != year:
                raise FiscalError(t("year.two", value=repr(value), year=year, era=f"R{era - REIWA_OFFSET}"))
    if year is None:
        raise FiscalError(t("year.unreadable", value=repr(value)))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FiscalError(t("year.range", value=repr(value), low=MIN_YEAR, high=MAX_YEAR))
    return year


def label(year: int) -> str:
    """The short label of a fiscal year, `R8`; years before 令和 as `FY2018`."""
    return f"R{year - REIWA_OFFSET}" if year > REIWA_OFFSET else f"FY{year}"


_QUARTER = re.compile(r"^(?:Q([1-9]\d*)|([1-9]\d*)|第([1-9]\d*)四半期|([1-9]\d*)Q)$", re.IGNORECASE)


def parse_quarter(value: object) -> int:
    """1–4 from `Q2`, `2`, `第2四半期` (full-width digits too)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FiscalError(t("quarter.unreadable", value=repr(value)))
    text = normalize(str(value)).replace(" ", "")
    m = _QUARTER.match(text)
    number = next((int(g) for g in m.groups() if g), 0) if m else 0
    if number not in QUARTERS:
        raise FiscalError(t("quarter.unreadable", value=repr(value)))
    return number


def quarter_label(quarter: int) -> str:
    return f"Q{quarter}"


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Calendar:
    """Fiscal-year arithmetic for a year starting in `start_month` (1–12)."""

    start_month: int = 4

    def year_start(self, year: int) -> date:
        return date(year, self.start_month, 1)

    def year_end(self, year: int) -> date:
        return _year_end(self.start_month, year)

    def quarter_start(self, year: int, quarter: int) -> date:
        y, m = _add_months(year, self.start_month, 3 * (quarter - 1))
        return date(y, m, 1)

    def quarter_end(self, year: int, quarter: int) -> date:
        return _quarter_end(self.start_month, year, quarter)

    def year_of(self, day: date) -> int:
        """The fiscal year a date falls in."""
        return day.year if day.month >= self.start_month else day.year - 1

    def quarter_of(self, day: date) -> tuple[int, int]:
        """(fiscal year, quarter) of a date."""
        year = self.year_of(day)
        months = (day.year * 12 + day.month) - (year * 12 + self.start_month)
        return year, months // 3 + 1

    def last_completed_quarter(self, as_of: date) -> tuple[int, int]:
        """The latest quarter that ended on or before `as_of`."""
        year, quarter = self.quarter_of(as_of)
        if as_of == self.quarter_end(year, quarter):
            return year, quarter
        return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


@lru_cache(maxsize=4096)
def _year_end(start_month: int, year: int) -> date:
    return date(year + 1, start_month, 1) - timedelta(days=1)


@lru_cache(maxsize=4096)
def _quarter_end(start_month: int, year: int, quarter: int) -> date:
    y, m = _add_months(year, start_month, 3 * quarter)
    return date(y, m, 1) - timedelta(days=1)
