"""Every value visible (issue 12, point 1): years outside the plan, KPI numbers, the slipping list's words.

Small roadmaps written inline into a temporary folder; every report read back the way its readers
would (CSV with the csv module, the workbook with openpyxl, the page in headless Chromium).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.test_export import browse, cell_text, chromium, console_lines, find_row, md_cells, md_tables, open_book

AS_OF = "2026-11-26"  # R8 Q3: the last half, R8 H1, ended 2026-09-30 and its grace on 2026-10-30

PLAN = """\
計画名: テスト計画
期間: {開始: R6, 終了: R8}
報告頻度: 半期
評価区分:
  - {記号: A, 意味: 達成, 見通し: 順調}
  - {記号: B, 意味: 概ね達成, 見通し: 注意}
分野:
  - 名称: 産業・しごと
"""

# 52 of 120 at the end of H1 (43 %) against half the year gone: slipping, while the owner says 順調.
GENBA = """\
政策分野: 産業・しごと
事業名: 建設現場のDX推進
担当課: 県土整備部
取組:
  - 名称: 遠隔臨場の導入
    目標:
      R8: [{指標: 導入現場数, 目標値: 120, 単位: 現場, 基準値: 0}]
    実績:
      R8:
        - {半期: 上期, 指標: 導入現場数, 値: 52, 理由: 山間部で通信環境の確保が遅れた, 見通し: 順調, 評価: A}
  - 名称: 研修の実施
    目標:
      R8: [研修会の開催]
  - 名称: 事後評価
    目標:
      R8: [評価計画の策定]
    実績:
      R5: [{指標: 利用者満足度, 値: 3.1}]
      R8:
        - {日付: 2026-08-20, 内容: 評価項目を検討, 評価: B}
"""

STAGED = """\
政策分野: 産業・しごと
事業名: 段階目標の事業
担当課: 商工労働部
取組:
  - 名称: 導入支援
    目標:
      R6: [{指標: 支援件数, 目標値: 72, 単位: 件}]
      R7: [{指標: 支援件数, 目標値: 392, 単位: 件}]
      R8: [{指標: 支援件数, 目標値: 392, 単位: 件, 基準値: 420, 方向: 減少}]
    実績:
      R7: [{四半期: Q2, 指標: 支援件数, 値: 400}]
"""

MONITORED = """\
政策分野: 産業・しごと
事業名: 雇用情勢の把握
担当課: 商工労働部
取組:
  - 名称: 雇用指標の観測
    実績:
      R6: [{指標: 有効求人倍率, 値: 1.2}]
      R7: [{四半期: Q2, 指標: 有効求人倍率, 値: 1.3}]
"""

LATE = """\
政策分野: 産業・しごと
事業名: 事後評価の事業
担当課: 商工労働部
取組:
  - 名称: 事後評価
    目標:
      R8: [評価計画の策定]
    実績:
      R10: [{内容: 事後評価を実施, 日付: 2028-05-01}]
"""


# Under a 年度 cadence, as of 2026-05-15 the year R7 is owed a report (its grace ended 2026-04-30).
YEARLY = """\
政策分野: 産業・しごと
事業名: 年次の事業
担当課: 商工労働部
取組:
  - 名称: 年次の取組
    目標:
      R7: [年次報告の作成]
"""


def repo(tmp_path: Path, files: dict[str, str], plan: str | None = PLAN) -> Path:
    folder = tmp_path / "roadmaps"
    folder.mkdir()
    if plan is not None:
        (folder / "_plan.yaml").write_text(plan, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return tmp_path


def ok(run: Run, where: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = run(*args, "--as-of", AS_OF, cwd=where, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _cells(line: str) -> list[str]:
    """A line as terminal cells: a wide character fills two."""
    out = []
    for char in line:
        out += [char, ""] if unicodedata.east_asian_width(char) in "WF" else [char]
    return out


def column(text: str, title: str) -> str:
    """The text of one column of a Rich table, its wrapped lines joined, without spaces."""
    lines = text.splitlines()
    number = next(i for i, line in enumerate(lines) if re.search(rf"(^|\s){re.escape(title)}(\s|$)", line))
    head = _cells(lines[number])
    joined = "".join(c or "\0" for c in head)
    start = joined.index(title)
    found = re.compile(r"\S").search(joined, joined.index("  ", start) if "  " in joined[start:] else len(joined))
    end = found.start() if found else len(head)
    body = ["".join(_cells(line)[start:end]) for line in lines[number + 1 :]]
    return re.sub(r"\s+", "", "".join(body))


def flat(text: str) -> str:
    """Terminal text with the table's borders and wrapping taken out."""
    return re.sub(r"[\s│┃|]+", "", text)


# --- years outside the plan's period ----------------------------------------------------------


def test_show_has_a_marked_column_for_a_year_outside_the_period(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    table = ok(run, where, "show", "genba")
    header = next(line for line in table.splitlines() if "Initiative" in line)
    assert re.findall(r"\b(R\d+\*?)", header) == ["R5*", "R6", "R7", "R8"]
    assert "*: outside the plan's period" in table
    assert "利用者満足度 = 3.1" in table

    rows = rows_of(ok(run, where, "show", "genba", "-f", "csv"))
    assert rows[0][2:] == ["R5 (outside the plan's period)", "R6", "R7", "R8"]
    evaluation = next(i for i, row in enumerate(rows) if row[0].startswith("事後評価"))
    assert rows[evaluation + 1][2] == "利用者満足度 = 3.1"  # the R5 column of its actuals row

    markdown = ok(run, where, "show", "genba", "-f", "markdown", "--lang", "ja")
    assert "| 取組 |  | R5* | R6 | R7 | R8 |" in markdown
    assert "*: 計画期間外" in markdown

    document = json.loads(ok(run, where, "show", "genba", "-f", "json"))
    assert document["years"][0] == {"fiscal_year": "R5", "in_period": False}
    assert [y["fiscal_year"] for y in document["years"]] == ["R5", "R6", "R7", "R8"]


def test_a_year_after_the_period_appears_once_its_actual_has_happened(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"late.yaml": LATE})
    before = run("show", "late", "--as-of", "2028-03-31", cwd=where).stdout
    assert "R10" not in before.split("Legend")[0].split("Initiative")[1].splitlines()[0]
    after = run("show", "late", "--as-of", "2028-06-10", cwd=where)
    assert after.exit_code == 0, after.output
    header = next(line for line in after.stdout.splitlines() if "Initiative" in line)
    assert re.findall(r"\b(R\d+\*?)", header) == ["R6", "R7", "R8", "R10*"]
    assert "2028-05-01 事後評価を実施" in after.stdout  # an actual shows its date


def test_status_keeps_the_plan_years(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    rows = rows_of(ok(run, where, "status", "-f", "csv"))
    years = [cell for cell in rows[0] if re.fullmatch(r"R\d+.*", cell)]
    assert years == ["R6", "R7", "R8"]


def test_xlsx_and_html_mark_a_year_outside_the_period(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    assert run("export", "-o", "out.xlsx", "--as-of", AS_OF, cwd=where).exit_code == 0
    book = open_book(where / "out.xlsx")
    assert [book["Summary"].cell(row=4, column=c).value for c in range(8, 11)] == ["R6", "R7", "R8"]
    ws = book["genba"]
    head = find_row(ws, 4, "R6")
    assert ws.cell(row=head, column=3).value == "R5 (outside the plan's period)"
    row = find_row(ws, 1, "事後評価\n利用者満足度: 3.1 (R5)")
    assert ws.cell(row=row + 1, column=3).value == "利用者満足度 = 3.1"

    assert run("export", "-o", "out.html", "--as-of", AS_OF, cwd=where).exit_code == 0
    page = (where / "out.html").read_text(encoding="utf-8")
    section = page[page.index('id="p-genba"') :]
    assert '<th class="outside" title="outside the plan&#x27;s period">R5<br><small>' in section
    assert "利用者満足度 = 3.1" in section


# --- KPI targets with their numbers --------------------------------------------------------------


def test_a_kpi_target_reads_with_its_numbers_and_progress(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    table = ok(run, where, "show", "genba")
    assert "導入現場数 120現場 (baseline 0)" in table
    assert "52/120現場,43%(R8H1)" in flat(table)
    rows = rows_of(ok(run, where, "show", "genba", "-f", "csv"))
    cell = rows[1][rows[0].index("R8")]
    assert cell == "! 導入現場数 120現場 (baseline 0)\n  52 / 120 現場, 43 % (R8 H1)"
    # the actual: its half, the value, 理由, 見通し and 評価
    actual = rows[2][rows[0].index("R8")]
    assert actual == "H1 導入現場数 = 52 [Reason: 山間部で通信環境の確保が遅れた] [Outlook: on track] [Rating: A]"
    ja = ok(run, where, "show", "genba", "-f", "markdown", "--lang", "ja")
    assert "導入現場数 120現場 (基準値 0)<br>  52 / 120 現場, 43 % (R8 上期)" in ja
    assert "上期 導入現場数 = 52 [理由: 山間部で通信環境の確保が遅れた] [見通し: 順調] [評価: A]" in ja
    assert "2026-08-20 評価項目を検討" in ja  # a dated entry shows its date


def test_a_staged_series_shows_each_years_number(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"staged.yaml": STAGED})
    rows = rows_of(ok(run, where, "show", "staged", "-f", "csv"))
    cells = dict(zip(rows[0][2:], rows[1][2:], strict=True))
    assert cells["R6"].splitlines()[0].endswith("支援件数 72件")
    assert cells["R7"].splitlines()[0].endswith("支援件数 392件")
    assert cells["R8"].splitlines()[0].endswith("支援件数 392件 (baseline 420, lower is better)")
    assert "400 / 72 件, 556 % (R7 Q2)" in cells["R6"] and "400 / 392 件, 102 % (R7 Q2)" in cells["R7"]
    assert "400 / 392 件, 71 % (R7 Q2)" in cells["R8"]  # from 420 down towards 392: 20 of 28
    assert "減少" in ok(run, where, "show", "staged", "--lang", "ja")


def test_a_roadmap_of_monitored_indicators_shows_its_values(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"koyo.yaml": MONITORED}, plan=None)
    table = ok(run, where, "show", "koyo")
    assert "有効求人倍率: 1.2 (R6), 1.3 (R7 Q2)" in table
    assert "有効求人倍率 = 1.2" in table and "Q2 有効求人倍率 = 1.3" in table
    rows = rows_of(ok(run, where, "show", "koyo", "-f", "csv"))
    assert rows[0][2:] == ["R6", "R7"]
    assert rows[2][2:] == ["有効求人倍率 = 1.2", "Q2 有効求人倍率 = 1.3"]
    markdown = ok(run, where, "show", "koyo", "-f", "markdown")
    assert "有効求人倍率: 1.2 (R6), 1.3 (R7 Q2)" in markdown


def test_xlsx_and_html_show_kpi_numbers(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA, "koyo.yaml": MONITORED})
    assert run("export", "-o", "out.xlsx", "--as-of", AS_OF, cwd=where).exit_code == 0
    book = open_book(where / "out.xlsx")
    ws = book["genba"]
    row = find_row(ws, 1, "遠隔臨場の導入")
    head = find_row(ws, 4, "R6")
    column = next(c for c in range(3, 8) if ws.cell(row=head, column=c).value == "R8")
    assert str(ws.cell(row=row, column=column).value) == (
        "! 導入現場数 120現場 (baseline 0) (slipping)\n  52 / 120 現場, 43 % (R8 H1)"
    )
    monitored = book["koyo"]
    assert find_row(monitored, 1, "雇用指標の観測\n有効求人倍率: 1.2 (R6), 1.3 (R7 Q2)")

    assert run("export", "-o", "out.html", "--as-of", AS_OF, cwd=where).exit_code == 0
    page = (where / "out.html").read_text(encoding="utf-8")
    assert '<span class="kpi">52 / 120 現場, 43 % (R8 H1)</span>' in page
    assert "導入現場数 120現場 (baseline 0)" in page
    assert "有効求人倍率: 1.2 (R6), 1.3 (R7 Q2)" in page


# --- the slipping list ---------------------------------------------------------------------------


def test_slipping_shows_reason_name_kpi_and_optimism(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    table = ok(run, where, "slipping")
    for text in ("建設現場のDX推進", "山間部で通信環境の確保が遅れた", "52 / 120 現場", "on track (optimistic)"):
        assert text in table, text
    rows = rows_of(ok(run, where, "slipping", "-f", "csv"))
    header = rows[0]
    assert header == [
        "State", "Project", "Name", "Initiative", "Year", "Target", "KPI value", "Due", "Days late", "Explained",
        "Reason", "Outlook",
    ]  # fmt: skip
    kpi = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[5] == "導入現場数")
    assert kpi["Name"] == "建設現場のDX推進" and kpi["Project"] == "genba"
    assert kpi["Reason"] == "山間部で通信環境の確保が遅れた" and kpi["Explained"] == "yes"
    assert kpi["KPI value"] == "52 / 120 現場"
    assert kpi["Outlook"] == "on track (optimistic)"
    ja = ok(run, where, "slipping", "--lang", "ja")
    assert "順調 (楽観)" in ja and "52 / 120 現場" in ja


def test_unreported_half_and_year_read_as_periods(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    rows = rows_of(ok(run, where, "slipping", "-f", "csv"))
    unreported = next(row for row in rows[1:] if row[3] == "研修の実施")
    assert unreported[4] == "R8 H1" and unreported[5] == "no actual for R8 H1"
    ja = ok(run, where, "slipping", "--lang", "ja")
    assert "R8 上期" in ja and "R8 上期の実績なし" in ja

    yearly = tmp_path / "yearly"
    yearly.mkdir()
    repo(yearly, {"nenji.yaml": YEARLY}, plan=PLAN.replace("報告頻度: 半期", "報告頻度: 年度"))
    result = run("slipping", "--as-of", "2026-05-15", "-f", "csv", cwd=yearly)
    assert result.exit_code == 0, result.output
    unreported = [row for row in rows_of(result.stdout)[1:] if row[0].startswith("?")]
    assert [(row[4], row[5]) for row in unreported] == [("R7", "no actual for R7")]
    ja = run("slipping", "--as-of", "2026-05-15", "--lang", "ja", cwd=yearly).stdout
    assert "R7の実績なし" in ja
    status = run("status", "--as-of", "2026-05-15", cwd=yearly).stdout
    assert re.search(r"Last report period R7$", status, flags=re.MULTILINE)


def test_status_counts_optimistic_and_names_the_report_period(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    table = ok(run, where, "status")
    assert "Last report period R8 H1" in table and "Last quarter" not in table
    assert "optimistic 1" in table
    footer = [line for line in table.splitlines() if line.strip().startswith("Total")]
    assert footer and all("optimistic 1" in line for line in footer)
    ja = ok(run, where, "status", "--lang", "ja")
    assert "楽観 1" in ja and "直近の報告期間 R8 上期" in ja
    rows = rows_of(ok(run, where, "status", "-f", "csv"))
    assert "optimistic 1" in rows[1][-1]
    assert run("export", "-o", "out.xlsx", "--as-of", AS_OF, cwd=where).exit_code == 0
    summary = open_book(where / "out.xlsx")["Summary"]
    assert "Last report period R8 H1" in cell_text(summary["A2"].value)
    assert "optimistic 1" in cell_text(summary.cell(row=5, column=11).value)


def test_xlsx_and_html_slipping_sections(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    assert run("export", "-o", "out.xlsx", "--as-of", AS_OF, cwd=where).exit_code == 0
    ws = open_book(where / "out.xlsx")["Slipping"]
    row = find_row(ws, 6, "導入現場数")
    values = [cell_text(ws.cell(row=row, column=c).value) for c in range(1, 13)]
    assert values[2] == "建設現場のDX推進" and values[6] == "52 / 120 現場"
    assert values[10] == "山間部で通信環境の確保が遅れた" and values[11] == "on track (optimistic)"
    assert ws.cell(row=row, column=12).font.b
    unreported = find_row(ws, 4, "研修の実施")
    assert ws.cell(row=unreported, column=5).value == "R8 H1"

    assert run("export", "-o", "out.html", "--as-of", AS_OF, "--lang", "ja", cwd=where).exit_code == 0
    page = (where / "out.html").read_text(encoding="utf-8")
    slipping = re.search(r'<table id="slipping">(.*?)</table>', page, flags=re.DOTALL)
    assert slipping is not None
    body = slipping.group(1)
    for text in (
        "建設現場のDX推進",
        "山間部で通信環境の確保が遅れた",
        "52 / 120 現場",
        "順調 (楽観)",
        "R8 上期の実績なし",
    ):
        assert text in body, text
    assert "楽観 1" in page  # the summary's flags


def test_markdown_export_marks_outside_years(run: Run, tmp_path: Path) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    result = run("export", "-o", "-", "--format", "markdown", "--as-of", AS_OF, cwd=where)
    assert result.exit_code == 0, result.output
    tables = md_tables(result.stdout)
    grid = tables[-1]
    assert md_cells(grid[0])[2:] == ["R5*", "R6", "R7", "R8"]
    assert "*: outside the plan's period" in result.stdout
    assert all(len(md_cells(line)) == len(md_cells(table[0])) for table in tables for line in table)


def test_html_with_kpis_and_outside_years_in_a_real_browser(run: Run, tmp_path: Path) -> None:
    chromium()
    where = repo(tmp_path, {"genba.yaml": GENBA, "staged.yaml": STAGED})
    assert run("export", "-o", "out.html", "--as-of", AS_OF, cwd=where).exit_code == 0
    dom = browse(where / "out.html", tmp_path, "--dump-dom")
    assert console_lines(dom.stderr) == []
    assert re.search(r'<html[^>]*\bdata-ready="1"', dom.stdout)
    assert '<th class="outside"' in dom.stdout
    assert "52 / 120 現場, 43 % (R8 H1)" in dom.stdout


# --- narrow terminals --------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["70", "90", "120"])
def test_narrow_terminals_wrap_and_keep_every_value(run: Run, tmp_path: Path, columns: str) -> None:
    where = repo(tmp_path, {"genba.yaml": GENBA})
    env = {"COLUMNS": columns}
    slipping = ok(run, where, "slipping", env=env)
    assert "…" not in slipping
    target = column(slipping, "Target")
    notes = target if int(columns) < 100 else column(slipping, "Reason") + column(slipping, "Outlook")
    for text in ("山間部で通信環境の確保が遅れた", "ontrack(optimistic)"):
        assert text in notes, (columns, text)
    assert "52/120現場" in target and "noactualforR8H1" in target
    assert "建設現場のDX推進" in column(slipping, "Project")
    show = ok(run, where, "show", "genba", env=env)
    assert "…" not in show
    assert "52/120現場,43%" in flat(show)
