"""Fiscal years, eras, quarters and dates: parsing every spelling a roadmap uses, and date arithmetic.

A fiscal year is identified by the calendar year it starts in (R5 = 令和5年度 = FY2023 = 2023;
H30 = 平成30年度 = FY2018). A `Calendar` knows the month the year starts in (April unless the
plan says otherwise).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dxroadmap.i18n import t

REIWA_OFFSET = 2018  # 令和1年 = 2019
HEISEI_OFFSET = 1988  # 平成1年 = 1989 (平成31年 = 令和元年 = 2019)
MIN_YEAR, MAX_YEAR = 1989, 2200
QUARTERS = (1, 2, 3, 4)


class FiscalError(ValueError):
    """A fiscal year or quarter that cannot be read; the message says what is accepted."""


@lru_cache(maxsize=8192)  # the same names and keys recur in every file
def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and surrounding white space removed."""
    return unicodedata.normalize("NFKC", text).strip()


_SPACES = re.compile(r"\s+")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")  # a space beside Japanese text means nothing


@lru_cache(maxsize=8192)
def text_key(text: str) -> str:
    """The key two target texts (or KPI names) must share to be one.

    NFKC (full-width letters, digits and spaces become ASCII), spaces collapsed, no space beside
    a Japanese character, no final 。 or ．: `現地　研修会。` is `現地研修会`.
    """
    return _CJK_SPACE.sub("", _SPACES.sub(" ", normalize(text))).rstrip("。.").rstrip()


ERA_OFFSETS = {"r": REIWA_OFFSET, "令和": REIWA_OFFSET, "h": HEISEI_OFFSET, "平成": HEISEI_OFFSET}
_ERA = r"(R|令和|H|平成)(\d{1,3}|元)"  # an era and its year (NFKC text)
_ERA_YEAR = rf"{_ERA}(?:年度?)?"
_WESTERN_YEAR = r"(?:FY)?(\d{4})(?:年度?)?"
_ERA_ONLY = re.compile(rf"^{_ERA_YEAR}$", re.IGNORECASE)
_WESTERN = re.compile(rf"^{_WESTERN_YEAR}(?:\({_ERA_YEAR}\))?$", re.IGNORECASE)
_ERA_FIRST = re.compile(rf"^{_ERA_YEAR}\({_WESTERN_YEAR}\)$", re.IGNORECASE)

# The spellings of parse_year as a JSON Schema pattern (for editors; the tool itself uses NFKC).
_D = "[0-9０-９]"
_ERA_PATTERN = rf"(?:[RrＲｒHhＨｈ]|令和|平成)(?:{_D}{{1,3}}|元)(?:年度?)?"
_WESTERN_PATTERN = rf"(?:[FfＦｆ][YyＹｙ])?{_D}{{4}}(?:年度?)?"
YEAR_PATTERN = (
    rf"^\s*(?:{_ERA_PATTERN}(?:\s*[(（]\s*{_WESTERN_PATTERN}\s*[)）])?"
    rf"|{_WESTERN_PATTERN}(?:\s*[(（]\s*{_ERA_PATTERN}\s*[)）])?)\s*$"
)


def parse_year(value: object) -> int:
    """The starting calendar year of the fiscal year written as `value`.

    Accepts R5, 令和5年度, 令和５年度, 令和5, 令和元年度, FY2023, 2023年度, 2023年度(令和5年度),
    令和5年度(2023年度), 2023; 平成 the same way (H30, 平成30年度, 平成元年度; 平成31年度 = 令和元年度).
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FiscalError(t("year.unreadable", value=repr(value)))
    return _parse_year(value)


@lru_cache(maxsize=1024, typed=True)  # a handful of spellings recur in every file (errors are not cached)
def _parse_year(value: int | str) -> int:
    text = normalize(str(value)).replace(" ", "")
    year: int | None = None
    era: int | None = None
    if m := _ERA_ONLY.match(text):
        year = _era_year(m.group(1), m.group(2))
    elif m := _WESTERN.match(text):
        year = int(m.group(1))
        era = _era_year(m.group(2), m.group(3)) if m.group(2) else None
    elif m := _ERA_FIRST.match(text):
        era, year = _era_year(m.group(1), m.group(2)), int(m.group(3))
    if not year or era == 0:  # 平成0年度 / R0 name no year
        raise FiscalError(t("year.unreadable", value=repr(value)))
    if era is not None and era != year:
        raise FiscalError(t("year.two", value=repr(value), year=year, era=label(era)))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FiscalError(t("year.range", value=repr(value), low=MIN_YEAR, high=MAX_YEAR))
    return year


def label(year: int) -> str:
    """The short label of a fiscal year, `R8`; years before 令和 as `H30` (before 平成, `FY1988`)."""
    if year > REIWA_OFFSET:
        return f"R{year - REIWA_OFFSET}"
    return f"H{year - HEISEI_OFFSET}" if year > HEISEI_OFFSET else f"FY{year}"


def _era_year(era: str, number: str) -> int:
    """The calendar year of year `number` (digits or 元) of an era (R, 令和, H, 平成); 0 for year 0."""
    if number == "元":
        return ERA_OFFSETS[era.lower()] + 1
    return ERA_OFFSETS[era.lower()] + int(number) if int(number) else 0


_WESTERN_DATE = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$")
_ERA_DATE = re.compile(r"^([RH])(\d{1,3})([./-])(\d{1,2})\3(\d{1,2})$", re.IGNORECASE)
_KANJI_DATE = re.compile(r"^(?:(\d{4})|(令和|平成)(\d{1,3}|元))年(\d{1,2})月(\d{1,2})日$")

# The text spellings of parse_date as a JSON Schema pattern (ISO dates are `format: date`).
_SEP, _ERA_SEP = "[-/－／]", "[-/.－／．]"
DATE_PATTERN = (
    rf"^\s*(?:{_D}{{4}}{_SEP}{_D}{{1,2}}{_SEP}{_D}{{1,2}}"
    rf"|[RrＲｒHhＨｈ]{_D}{{1,3}}{_ERA_SEP}{_D}{{1,2}}{_ERA_SEP}{_D}{{1,2}}"
    rf"|(?:{_D}{{4}}|(?:令和|平成)(?:{_D}{{1,3}}|元))年{_D}{{1,2}}月{_D}{{1,2}}日)\s*$"
)


def parse_date(value: object) -> date:
    """A date from a `date` (not a datetime) or text: 2026-11-15, 2026/11/15, 2026年11月15日,
    令和8年11月15日, 令和元年5月1日, 平成31年4月30日, R8.11.15, R8/11/15, H31.4.30 (NFKC first)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise FiscalError(t("date.unreadable", value=repr(value)))
    return _parse_date(value)


@lru_cache(maxsize=1024)  # errors are not cached
def _parse_date(value: str) -> date:
    text = normalize(value).replace(" ", "")
    if m := _WESTERN_DATE.match(text):
        year, month, day = int(m.group(1)), m.group(3), m.group(4)
    elif m := _ERA_DATE.match(text):
        year, month, day = _era_year(m.group(1), m.group(2)), m.group(4), m.group(5)
    elif m := _KANJI_DATE.match(text):
        year = int(m.group(1)) if m.group(1) else _era_year(m.group(2), m.group(3))
        month, day = m.group(4), m.group(5)
    else:
        year, month, day = 0, "1", "1"
    try:
        return date(year, int(month), int(day))
    except ValueError:  # no such day (2026-02-30), year 0 (R0.1.1) or an unknown spelling
        raise FiscalError(t("date.unreadable", value=repr(value))) from None


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

    def period_start(self, period: ReportPeriod) -> date:
        first = {"quarter": period.number, "half": 2 * period.number - 1, "year": 1}[period.cadence]
        return self.quarter_start(period.fiscal_year, first)

    def period_end(self, period: ReportPeriod) -> date:
        last = {"quarter": period.number, "half": 2 * period.number, "year": 4}[period.cadence]
        return self.quarter_end(period.fiscal_year, last)

    def period_of(self, day: date, cadence: str) -> ReportPeriod:
        """The report period (by the cadence) a date falls in."""
        year, quarter = self.quarter_of(day)
        return ReportPeriod(year, cadence, _number_of(cadence, quarter))

    def last_completed_period(self, as_of: date, cadence: str) -> ReportPeriod:
        """The latest report period (quarter, half or fiscal year, by `cadence`) that ended on or before `as_of`."""
        period = self.period_of(as_of, cadence)
        if as_of == self.period_end(period):
            return period
        return period.previous()


CADENCES = ("quarter", "half", "year")


def _number_of(cadence: str, quarter: int) -> int:
    return {"quarter": quarter, "half": (quarter + 1) // 2, "year": 1}[cadence]


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """A period owners report for: a quarter (1–4), a half (1–2) or the whole fiscal year (1), by cadence."""

    fiscal_year: int
    cadence: str  # "quarter" | "half" | "year"
    number: int

    @property
    def label(self) -> str:
        """`Q2`, `H1` or `FY` (the JSON spelling)."""
        return {"quarter": f"Q{self.number}", "half": f"H{self.number}", "year": "FY"}[self.cadence]

    @property
    def words(self) -> str:
        """`R8 Q2`, `R8 H1`, or `R8` for a whole year (as messages name the period)."""
        return label(self.fiscal_year) + (f" {self.label}" if self.cadence != "year" else "")

    def previous(self) -> ReportPeriod:
        if self.number > 1:
            return ReportPeriod(self.fiscal_year, self.cadence, self.number - 1)
        return ReportPeriod(self.fiscal_year - 1, self.cadence, {"quarter": 4, "half": 2, "year": 1}[self.cadence])

    def covers(self, quarter: int | None, half: int | None) -> bool:
        """Whether an entry of that quarter or half (of this period's year) reports for this period.

        A half reports for its quarters; a quarter for its half; either for the year.
        """
        if quarter is not None:
            return _number_of(self.cadence, quarter) == self.number
        if half is not None:
            if self.cadence == "quarter":
                return (self.number + 1) // 2 == half
            return self.cadence == "year" or half == self.number
        return False


_HALF = re.compile(r"^(?:H([12])|([上下])(?:半)?期?|第?([12])半期)$", re.IGNORECASE)


def parse_half(value: object) -> int:
    """1 or 2 from `上期`/`下期`, `上半期`/`下半期`, `H1`/`H2` (full-width too)."""
    if isinstance(value, str) and (m := _HALF.match(normalize(value).replace(" ", ""))):
        if m.group(2):
            return 1 if m.group(2) == "上" else 2
        return int(m.group(1) or m.group(3))
    raise FiscalError(t("half.unreadable", value=repr(value)))


_CADENCE_WORDS = {
    "四半期": "quarter",
    "半期": "half",
    "年度": "year",
    "quarter": "quarter",
    "half": "half",
    "year": "year",
}


def parse_cadence(value: object) -> str:
    """`quarter`, `half` or `year` from 四半期 / 半期 / 年度 (or the English words)."""
    if isinstance(value, str) and (word := _CADENCE_WORDS.get(normalize(value).lower())):
        return word
    raise FiscalError(t("cadence.unreadable", value=repr(value)))


@lru_cache(maxsize=4096)
def _year_end(start_month: int, year: int) -> date:
    return date(year + 1, start_month, 1) - timedelta(days=1)


@lru_cache(maxsize=4096)
def _quarter_end(start_month: int, year: int, quarter: int) -> date:
    y, m = _add_months(year, start_month, 3 * quarter)
    return date(y, m, 1) - timedelta(days=1)


# --- a report period written as one word (`form --period`) -----------------------------------

_PERIOD = re.compile(
    r"^(?P<year>.+?)[-_/.]?(?:(?:Q(?P<q>[1-4])|第(?P<q2>[1-4])四半期|(?P<q3>[1-4])Q)"
    r"|(?:H(?P<h>[12])|(?P<h2>[上下])半?期|第(?P<h3>[12])半期))?$",
    re.IGNORECASE,
)


def parse_period(value: object) -> ReportPeriod:
    """A report period from one word: `R8Q3`, `R8 Q3`, `R8H1`, `R8上期`, `R8` (the whole year), `2026Q3`,
    `FY2026Q3`, `令和8年度第3四半期` (NFKC first). Refused: anything else, with the accepted spellings."""
    if not isinstance(value, str):
        raise FiscalError(t("period.unreadable", value=repr(value)))
    text = normalize(value).replace(" ", "").replace("　", "")
    m = _PERIOD.match(text)
    if m is None:
        raise FiscalError(t("period.unreadable", value=repr(value)))
    try:
        year = parse_year(m.group("year"))
    except FiscalError:
        raise FiscalError(t("period.unreadable", value=repr(value))) from None
    quarter = m.group("q") or m.group("q2") or m.group("q3")
    if quarter:
        return ReportPeriod(year, "quarter", int(quarter))
    half = m.group("h") or m.group("h3")
    if half or m.group("h2"):
        return ReportPeriod(year, "half", int(half) if half else (1 if m.group("h2") == "上" else 2))
    return ReportPeriod(year, "year", 1)


def period_code(period: ReportPeriod) -> str:
    """The one-word spelling `parse_period` reads back: `R8Q3`, `R8H1`, `R8`."""
    return label(period.fiscal_year) + (period.label if period.cadence != "year" else "")
