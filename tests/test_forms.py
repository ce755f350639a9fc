"""`form` below the command line (issue 15): which rows each owner section's form holds, and the workbook.

Forms are made from a small portfolio written here (two owners, a plan with 評価区分, a slipping
task, a missed one, a KPI behind pace) and opened with openpyxl, as an office suite would: the
記入方法 sheet, the protected form sheet (input cells unlocked and coloured, no password), data
validation, the hidden identification. The helpers at the end (`fill`, `form_keys`, …) are shared
with `tests/test_import.py`, which fills the forms and imports them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from dxroadmap import fiscal, forms, i18n
from dxroadmap.problems import StoreError
from dxroadmap.report.xlsx import form_workbook

AS_OF = date(2026, 11, 26)  # R8 Q3: the period just completed is R8 Q2 (Jul–Sep), its grace ends on 10-30

PLAN = """\
計画名: テスト県DX推進計画
期間: {開始: R5, 終了: R9}
報告期限日数: 30
評価区分:
  - {記号: A, 意味: 達成, 見通し: 順調}
  - {記号: B, 意味: 概ね達成, 見通し: 注意}
  - {記号: C, 意味: 未達成, 見通し: 困難}
分野:
  - 名称: 暮らし・まち
  - 名称: 行政経営
"""

# 環境整備: ロードマップ作成 (R7) missed, ニーズ調査 (due Q1) slipping, 研修会 open;
# 実装支援: a KPI behind pace (4 of 10 at half time); the third initiative has nothing left to answer.
A_YAML = """\
# テスト用の事業(コメントは残ること)
政策分野: 暮らし・まち
事業名: 地域DX基盤の構築
担当課: 企画政策部DX推進課
取組:
  - 名称: 環境整備
    目標:
      R7: [ロードマップ作成]
      R8:
        - {内容: ニーズ調査, 期限: Q1}
        - 研修会
    実績:
      R8:
        - 四半期: Q1
          内容: 調査票を作成

  - 名称: 実装支援
    目標:
      R8:
        - {指標: 導入市町村数, 目標値: 10, 単位: 市町村, 基準値: 0}
    実績:
      R8: [{四半期: Q1, 指標: 導入市町村数, 値: 4}]   # 第1四半期

  - 名称: 完了した取組
    目標:
      R8: [説明会]
    実績:
      R8: [説明会]
"""

# The same owner's second project: CRLF, a BOM, no final newline, no 実績 yet.
B_YAML = (
    "政策分野: 暮らし・まち\n事業名: 窓口のオンライン化\n担当課: 企画政策部DX推進課\n"
    "取組:\n  - 名称: オンライン申請\n    目標:\n      R8: [申請システム構築]"
)
B_BYTES = b"\xef\xbb\xbf" + B_YAML.replace("\n", "\r\n").encode("utf-8")

C_YAML = """\
政策分野: 行政経営
事業名: 情報セキュリティの強化
担当課: 総務部情報政策課
取組:
  - 名称: セキュリティ研修
    目標:
      R8:
        - {指標: 受講率, 目標値: 90, 単位: "%", 基準値: 40}
"""

OWNER_A = "企画政策部DX推進課"
OWNER_C = "総務部情報政策課"
FORM_A = f"{OWNER_A}_R8Q2.xlsx"
FORM_C = f"{OWNER_C}_R8Q2.xlsx"


def write_portfolio(root: Path) -> Path:
    """The roadmaps folder of these tests: a plan and three projects of two owners."""
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / "_plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "a.yaml").write_bytes(A_YAML.encode("utf-8"))
    (root / "sub" / "b.yaml").write_bytes(B_BYTES)
    (root / "c.yaml").write_bytes(C_YAML.encode("utf-8"))
    return root


@pytest.fixture
def lang_ja() -> Iterator[None]:
    i18n.set_language("ja")
    yield
    i18n.set_language("en")


@pytest.fixture
def lang_en() -> Iterator[None]:
    i18n.set_language("en")
    yield


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    return write_portfolio(tmp_path / "roadmaps")


def make(root: Path, out: Path, **kw: Any) -> list[Path]:
    return forms.make(root, kw.pop("as_of", AS_OF), out, form_workbook, **kw)


# --- which rows ----------------------------------------------------------------------------------


def test_one_form_per_owner_for_the_period_just_completed(portfolio: Path, tmp_path: Path, lang_en: None) -> None:
    said: list[str] = []
    paths = make(portfolio, tmp_path / "out", tell=said.append)
    assert [p.name for p in paths] == [FORM_A, FORM_C]
    assert said[0] == (
        f"wrote {os.path.relpath(tmp_path / 'out' / FORM_A)} ({OWNER_A}, R8 Q2: 3 initiative(s), 5 target(s); "
        "due back 2026-10-30)"
    )
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_the_rows_of_a_form(portfolio: Path) -> None:
    repository = forms.load(portfolio)
    form = next(f for f in forms.build(repository, AS_OF) if f.owner == OWNER_A)
    assert form.period == fiscal.ReportPeriod(2026, "quarter", 2)
    assert (form.start, form.end, form.deadline) == (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 30))
    assert form.plan == "テスト県DX推進計画"
    shown = [(r.project, r.kind, r.initiative_name, r.target, r.fiscal_year, r.state, r.late) for r in form.rows]
    assert shown == [
        ("a", "initiative", "環境整備", None, None, "missed", True),
        ("a", "task", "環境整備", "ロードマップ作成", 2025, "missed", True),
        ("a", "task", "環境整備", "ニーズ調査", 2026, "slipping", True),
        ("a", "task", "環境整備", "研修会", 2026, "open", False),
        ("a", "initiative", "実装支援", None, None, "slipping", True),
        ("a", "kpi", "実装支援", "導入市町村数", 2026, "slipping", True),
        ("sub/b", "initiative", "オンライン申請", None, None, "unreported", False),
        ("sub/b", "task", "オンライン申請", "申請システム構築", 2026, "open", False),
    ]  # the third initiative of a.yaml has nothing left to answer: no row
    kpi = form.rows[5]
    assert (kpi.kpi_target, kpi.unit, kpi.baseline, kpi.last_value, kpi.last_period) == (10, "市町村", 0, 4, "R8 Q1")
    assert form.digests == {
        "a": forms.digest((portfolio / "a.yaml").read_bytes()),
        "sub/b": forms.digest(B_BYTES),
    }


def test_owner_field_and_period_choose_the_forms(portfolio: Path, tmp_path: Path) -> None:
    assert [p.name for p in make(portfolio, tmp_path / "o1", owner="情報政策")] == [FORM_C]
    assert [p.name for p in make(portfolio, tmp_path / "o2", field="行政経営分野")] == [FORM_C]
    paths = make(portfolio, tmp_path / "o3", period=fiscal.parse_period("R8Q1"), owner="DX推進課")
    assert [p.name for p in paths] == [f"{OWNER_A}_R8Q1.xlsx"]
    with pytest.raises(StoreError, match="no field 産業"):
        make(portfolio, tmp_path / "o4", field="産業")
    with pytest.raises(StoreError, match="R8 Q4 has not started"):
        make(portfolio, tmp_path / "o5", period=fiscal.parse_period("R8Q4"))
    with pytest.raises(StoreError, match="nothing to answer"):
        make(portfolio, tmp_path / "o6", owner="どこにもない課")


def test_a_half_year_and_a_whole_year_period(portfolio: Path) -> None:
    repository = forms.load(portfolio)
    half = forms.build(repository, AS_OF, period=fiscal.parse_period("R8上期"))[0]
    assert (half.code, half.words, half.end) == ("R8H1", "R8 H1", date(2026, 9, 30))
    year = forms.build(repository, date(2027, 4, 1), period=fiscal.parse_period("令和8年度"))[0]
    assert (year.code, year.words, year.end, year.deadline) == ("R8", "R8", date(2027, 3, 31), date(2027, 4, 30))


def test_an_invalid_file_is_left_out_and_said(portfolio: Path, tmp_path: Path, lang_en: None) -> None:
    (portfolio / "broken.yaml").write_text("事業名: [\n", encoding="utf-8")
    said: list[str] = []
    make(portfolio, tmp_path / "out", warn=said.append)
    assert len(said) == 1 and said[0].startswith("left out of the forms: ") and "broken.yaml:" in said[0]


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("R8Q3", (2026, "quarter", 3)),
        ("r8 q3", (2026, "quarter", 3)),
        ("2026Q3", (2026, "quarter", 3)),
        ("FY2026-Q3", (2026, "quarter", 3)),
        ("令和8年度第3四半期", (2026, "quarter", 3)),
        ("Ｒ８Ｑ３", (2026, "quarter", 3)),
        ("R8H1", (2026, "half", 1)),
        ("R8下期", (2026, "half", 2)),
        ("R8", (2026, "year", 1)),
        ("令和8年度", (2026, "year", 1)),
        ("H30Q4", (2018, "quarter", 4)),
    ],
)
def test_parse_period(spelling: str, expected: tuple[int, str, int]) -> None:
    period = fiscal.parse_period(spelling)
    assert period == fiscal.ReportPeriod(*expected)
    assert fiscal.parse_period(fiscal.period_code(period)) == period


@pytest.mark.parametrize("spelling", ["R8Q5", "Q3", "", "R8Q3Q4", "R8H3", "第3四半期"])
def test_parse_period_refuses(spelling: str, lang_en: None) -> None:
    with pytest.raises(fiscal.FiscalError, match="is not a report period"):
        fiscal.parse_period(spelling)


# --- the workbook --------------------------------------------------------------------------------


def test_the_workbook_opened_as_an_office_suite_would(portfolio: Path, tmp_path: Path) -> None:
    path = make(portfolio, tmp_path / "out", contact="DX推進課 企画グループ(内線 1234)")[0]
    book = load_workbook(path)
    assert book.sheetnames == ["記入方法", "報告", "dxroadmap"]
    howto, ws, meta = book["記入方法"], book["報告"], book["dxroadmap"]
    assert [s.sheet_state for s in (howto, ws, meta)] == ["visible", "visible", "hidden"]
    text = "\n".join(str(c.value) for c in howto["A"] if c.value)
    for said in [
        "宛先: 企画政策部DX推進課",
        "報告対象期間: R8 Q2(2026年7月1日〜2026年9月30日)",
        "提出期限: 2026年10月30日(報告期間の終了後 30 日)",
        "問い合わせ先: DX推進課 企画グループ(内線 1234)",
        "保護されています(パスワードなし)",
        "評価区分から選んでください: A(達成)、B(概ね達成)、C(未達成)",
    ]:
        assert said in text
    # the form sheet: protected without a password; sorting, filtering and widening allowed
    protection = ws.protection
    assert protection.sheet and not protection.password
    assert not (protection.sort or protection.autoFilter or protection.formatColumns)
    keys = form_keys(ws)
    assert list(keys)[:18] == [key for key, _ in forms.COLUMNS]
    assert ws.row_dimensions[3].hidden, "the row of column keys is hidden"
    for key in forms.IDS:
        assert ws.column_dimensions[letter(keys[key])].hidden, key
    assert [ws.cell(4, keys[k]).value for k in ("target", "done", "value", "text", "reason")] == [
        "目標", "達成", "値", "実施内容", "理由",
    ]  # fmt: skip
    rows = data_rows(ws, keys)
    assert len(rows) == 8 and rows[0] == 5
    ids = [tuple(ws.cell(r, keys[k]).value for k in ("id.project", "id.kind", "id.target")) for r in rows]
    assert ids[1] == ("a", "task", "ロードマップ作成") and ids[5] == ("a", "kpi", "導入市町村数")
    digest = forms.digest((portfolio / "a.yaml").read_bytes())
    row = rows[1]
    assert [ws.cell(row, keys[k]).value for k in forms.IDS] == [
        forms.MARK, "テスト県DX推進計画", "R8Q2", OWNER_A, "a", digest, 1, "環境整備", "task", 2025, 1,
        "ロードマップ作成",
    ]  # fmt: skip
    assert "✖" in ws.cell(row, keys["state"]).value and "未達" in ws.cell(row, keys["state"]).value
    # input cells: unlocked and coloured where the row takes them; everything else locked
    for r in rows:
        kind = ws.cell(r, keys["id.kind"]).value
        for key in forms.INPUTS:
            cell = ws.cell(r, keys[key])
            assert cell.protection.locked == (key not in forms.ROW_INPUTS[kind]), (r, key)
        for key in ("no", "name", "target", "state", "id.project"):
            assert ws.cell(r, keys[key]).protection.locked
    assert fill_colour(ws.cell(rows[0], keys["text"])) == "FFF2CC"
    assert fill_colour(ws.cell(rows[1], keys["value"])) == "D9D9D9"  # a task's row takes no value
    late = [fill_colour(ws.cell(r, keys["reason"])) == "F4B183" for r in rows]
    assert late == [True, True, True, False, True, True, False, False]  # 理由 required where late
    # meta: the identification, and a digest per file
    pairs = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert pairs[forms.FORMAT] == forms.VERSION
    assert (pairs["period"], pairs["owner"], pairs["deadline"]) == ("R8Q2", OWNER_A, "2026-10-30")
    assert pairs["digest:sub/b"] == forms.digest(B_BYTES)


def test_data_validation(portfolio: Path, tmp_path: Path) -> None:
    path = make(portfolio, tmp_path / "out")[0]
    ws = load_workbook(path)["報告"]
    keys = form_keys(ws)
    rows = data_rows(ws, keys)
    found = {}
    for validation in ws.data_validations.dataValidation:
        cells = {c.coord for r in validation.sqref.ranges for c in _cells(r)}
        columns = {ws[c].column for c in cells}
        assert len(columns) == 1, validation
        found.setdefault(next(iter(columns)), []).append((validation, cells))
    done = found[keys["done"]][0][0]
    assert (done.type, done.formula1, done.allow_blank, done.showErrorMessage) == ("list", '"✔"', True, True)
    assert found[keys["outlook"]][0][0].formula1 == '"順調,注意,困難"'
    assert found[keys["rating"]][0][0].formula1 == '"A,B,C"'
    value = found[keys["value"]][0][0]
    assert value.type == "decimal" and value.operator == "between"
    day = found[keys["date"]][0][0]
    assert (day.type, day.operator, day.formula1, day.formula2) == (
        "date",
        "between",
        "DATE(2026,7,1)",
        "DATE(2026,9,30)",
    )
    reasons = found[keys["reason"]]
    prompted = [v for v, _ in reasons if v.showInputMessage]
    assert len(prompted) == 1 and prompted[0].promptTitle == "理由が必要です"
    assert {ws.cell(r, keys["reason"]).coordinate for r in (rows[0], rows[1], rows[2])} <= next(
        cells for v, cells in reasons if v.showInputMessage
    )
    done_cells = found[keys["done"]][0][1]
    assert {ws.cell(r, keys["done"]).coordinate for r in (rows[1], rows[2], rows[3], rows[7])} == done_cells


def test_ratings_with_a_comma_are_listed_in_the_hidden_sheet(portfolio: Path, tmp_path: Path) -> None:
    plan = PLAN.replace("{記号: A, 意味: 達成", '{記号: "A,+", 意味: 達成')
    (portfolio / "_plan.yaml").write_text(plan, encoding="utf-8")
    book = load_workbook(make(portfolio, tmp_path / "out")[0])
    ws = book["報告"]
    rating = next(v for v in ws.data_validations.dataValidation if ws[str(v.sqref).split()[0]].column == 18)
    assert rating.formula1 == "'dxroadmap'!$D$1:$D$3"
    assert [book["dxroadmap"].cell(i, 4).value for i in (1, 2, 3)] == ["A,+", "B", "C"]


def test_without_ratings_there_is_no_rating_column(portfolio: Path, tmp_path: Path) -> None:
    without = PLAN.split("評価区分:", maxsplit=1)[0] + "分野:\n  - 名称: 暮らし・まち\n  - 名称: 行政経営\n"
    (portfolio / "_plan.yaml").write_text(without, encoding="utf-8")
    ws = load_workbook(make(portfolio, tmp_path / "out")[0])["報告"]
    keys = form_keys(ws)
    assert "rating" not in keys and keys["id.form"] == 18


def test_an_english_form(portfolio: Path, tmp_path: Path) -> None:
    book = load_workbook(make(portfolio, tmp_path / "out", lang="en", owner="DX")[0])
    assert book.sheetnames == ["How to fill in", "Report", "dxroadmap"]
    text = "\n".join(str(c.value) for c in book["How to fill in"]["A"] if c.value)
    assert "Please send it back by 2026-10-30 (30 days after the period ends)." in text
    assert "protected, without a password" in text
    ws = book["Report"]
    assert ws.cell(4, form_keys(ws)["reason"]).value == "Reason"


def test_text_from_files_is_written_as_text(portfolio: Path, tmp_path: Path) -> None:
    """A 事業名 that looks like a formula stays text; control characters are shown, never written raw."""
    hostile = A_YAML.replace("事業名: 地域DX基盤の構築", '事業名: "=HYPERLINK(\\"http://x\\")\\e[31m"')
    (portfolio / "a.yaml").write_text(hostile, encoding="utf-8")
    ws = load_workbook(make(portfolio, tmp_path / "out", owner="DX")[0])["報告"]
    cell = ws.cell(5, form_keys(ws)["name"])
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")\\x1b[31m'


# --- file names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("企画政策部DX推進課", "企画政策部DX推進課"),
        ("総務部/情報政策課", "総務部_情報政策課"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("COM1", "_COM1"),
        ("  .隠し課. ", "隠し課"),
        ("課\x1b[31m赤", "課_x1b[31m赤"),
        ("課\u202e名", "課_u202e名"),
        ("", "form"),
        ("...", "form"),
    ],
)
def test_file_names_are_safe_on_every_os(owner: str, expected: str) -> None:
    assert forms.safe_file_name(owner) == expected


def test_long_names_are_cut_in_characters_and_bytes() -> None:
    assert len(forms.safe_file_name("a" * 300)) == forms.MAX_NAME_CHARS
    name = forms.safe_file_name("課" * 300)
    assert len(name.encode("utf-8")) <= forms.MAX_NAME_BYTES and name == "課" * 50
    taken: set[str] = set()
    assert [forms.unique_name(n, ".xlsx", taken) for n in ("A課", "a課", "A課")] == [
        "A課.xlsx",
        "a課~2.xlsx",
        "A課~3.xlsx",
    ]


def test_owners_whose_names_clash_get_two_files(portfolio: Path, tmp_path: Path) -> None:
    (portfolio / "c.yaml").write_text(C_YAML.replace(OWNER_C, "企画政策部/DX推進課"), encoding="utf-8")
    (portfolio / "a.yaml").write_text(A_YAML.replace(OWNER_A, "企画政策部_DX推進課"), encoding="utf-8")
    names = {p.name for p in make(portfolio, tmp_path / "out")}
    assert names == {"企画政策部_DX推進課_R8Q2.xlsx", "企画政策部_DX推進課_R8Q2~2.xlsx", f"{OWNER_A}_R8Q2.xlsx"}


# --- helpers shared with test_import.py ----------------------------------------------------------


def letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _cells(cell_range: Any) -> Iterator[Any]:
    from openpyxl.worksheet.cell_range import CellRange

    assert isinstance(cell_range, CellRange)
    for row in range(cell_range.min_row, cell_range.max_row + 1):
        for column in range(cell_range.min_col, cell_range.max_col + 1):
            yield type("C", (), {"coord": f"{letter(column)}{row}"})


def fill_colour(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def form_sheet(book: Any) -> Worksheet:
    """The form sheet, found as the import finds it: by the row of column keys."""
    found = [
        ws for ws in book.worksheets if any(c.value == "id.project" for row in ws.iter_rows(max_row=30) for c in row)
    ]
    assert len(found) == 1
    sheet: Worksheet = found[0]
    return sheet


def form_keys(ws: Worksheet) -> dict[str, int]:
    for row in ws.iter_rows(max_row=30):
        values = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "id.project" in values:
            return {k: v for k, v in values.items() if k in forms.KEYS}
    raise AssertionError("no key row")


def data_rows(ws: Worksheet, keys: dict[str, int]) -> list[int]:
    return [
        r for r in range(1, ws.max_row + 1) if str(ws.cell(r, keys["id.form"]).value or "").startswith(forms.FORMAT)
    ]


def find(ws: Worksheet, keys: dict[str, int], project: str, initiative: str, target: str | None = None) -> int:
    """The sheet row of a form row: by project id, initiative name and target (None: the initiative's row)."""
    for r in data_rows(ws, keys):
        ids = [ws.cell(r, keys[k]).value for k in ("id.project", "id.initiative_name", "id.target")]
        if ids[:2] == [project, initiative] and (ids[2] or None) == target:
            return r
    raise AssertionError(f"no row {project} / {initiative} / {target}")


Answers = dict[tuple[str, str, str | None], dict[str, object]]


def fill(form: Path, out: Path, answers: Answers, *, edit: Any = None) -> Path:
    """Fill a form the way a person would (typing into the input cells) and save it as `out`.

    `answers`: (project, initiative, target or None) -> {column key: value}. `edit(book, ws, keys)`
    may then do what else people do to workbooks (sort, rename, add notes…).
    """
    book = load_workbook(form)
    ws = form_sheet(book)
    keys = form_keys(ws)
    for (project, initiative, target), cells in answers.items():
        r = find(ws, keys, project, initiative, target)
        for key, value in cells.items():
            ws.cell(r, keys[key]).value = value
    if edit is not None:
        edit(book, ws, keys)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def soffice() -> str:
    """The LibreOffice command, or a skip (a failure where CI requires it: DXROADMAP_REQUIRE_LIBREOFFICE)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("DXROADMAP_REQUIRE_LIBREOFFICE"):
            pytest.fail("soffice is missing but DXROADMAP_REQUIRE_LIBREOFFICE is set: apt-get install libreoffice-calc")
        pytest.skip("no LibreOffice (soffice): apt-get install libreoffice-calc")
    return found


def libreoffice_resave(path: Path, tmp: Path) -> Path:
    """`path` opened and saved again as .xlsx by LibreOffice, headless, into a fresh folder (and profile)."""
    out = Path(tempfile.mkdtemp(prefix="lo-out-", dir=tmp))
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=tmp))
    command = [
        soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
        "--convert-to", "xlsx", "--outdir", str(out), str(path),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=120, check=False)
    result = out / (path.stem + ".xlsx")
    assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
    return result
