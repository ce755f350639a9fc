"""`dxroadmap export` (#5): xlsx, CSV, JSON, Markdown and one self-contained HTML page.

Every format is read back the way its readers would: the workbook with openpyxl, the CSV with a
BOM-aware csv reader, the JSON against schemas/portfolio.schema.json, the HTML in a real headless
Chromium (skipped without one, unless DXROADMAP_REQUIRE_BROWSER is set: then it fails).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.workbook.workbook import Workbook

from dxroadmap.report.html import COLOURS
from dxroadmap.report.tables import MARKS

from .conftest import AS_OF, PROJECT, Run

SCHEMA = PROJECT / "schemas" / "portfolio.schema.json"
YEARS = ["R5", "R6", "R7", "R8", "R9"]
STATE_WORDS_EN = {
    "done": "done",
    "done_late": "done late",
    "slipping": "slipping",
    "missed": "missed",
    "open": "open",
    "planned": "planned",
    "unreported": "unreported",
}
STATE_WORDS_JA = {
    "done": "達成",
    "done_late": "達成(遅れ)",
    "slipping": "遅延",
    "missed": "未達",
    "open": "進行中",
    "planned": "予定",
    "unreported": "未報告",
}
SAMPLE_IDS = {
    "gyosei/data-katsuyo",
    "gyosei/kakanai-madoguchi",
    "gyosei/security-kyoka",
    "gyosei/shinsei-online",
    "kurashi/bosai-joho",
    "kurashi/demand-kotsu",
    "kurashi/kosodate-app",
    "kurashi/online-shinryo",
    "sangyo/chusho-dx",
    "sangyo/kanko-data",
    "sangyo/kensetsu-ict",
    "sangyo/smart-nogyo",
}
CSV_HEADER_EN = [
    "id", "Project", "Field", "Owner", "Initiative", "Year", "Target", "Due", "State", "Achieved in", "KPI value",
]  # fmt: skip
CSV_HEADER_JA = ["id", "事業", "政策分野", "担当課", "取組", "年度", "目標", "期限", "状態", "達成年度", "指標の値"]
BOM = b"\xef\xbb\xbf"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BAD_SHEET_CHARS = set("[]:*?/\\")

# A project whose text from the file starts like spreadsheet formulas.
INJECTION = """\
政策分野: 行政経営
事業名: "=1+2"
担当課: "+SUM(A1)"
概要: "-2+3 概要"
備考: "@cmd 備考"
取組:
  - 名称: "@SUM(1,2)"
    目標:
      R5: ["-3", "\\t=x", "\\r=y"]
      R6: ["=HYPERLINK(\\"http://example.invalid\\",\\"x\\")"]
    実績:
      R5: ["@cmd"]
    備考: "=1+2 備考"
"""

# A project whose text from the file is HTML, and a target with Markdown table syntax in it.
MARKUP = """\
政策分野: 行政経営
事業名: "<script>alert(1)</script>"
担当課: '"><img src=x onerror=alert(1)>'
概要: "a | b"
取組:
  - 名称: "</td></tr></table><script>alert(3)</script>"
    目標:
      R5: ["A|B", "line1\\nline2", "<b>bold</b>"]
    実績:
      R5: ['"><img src=x onerror=alert(2)>']
"""

MINIMAL = """\
政策分野: 行政経営
事業名: {name}
担当課: 総務部テスト課
取組:
  - 名称: 取組1
    目標:
      R5: [調査]
"""


# ---------------------------------------------------------------- helpers


def export(run: Run, repo: Path, *args: str) -> Any:
    return run("export", *args, cwd=repo)


def write_roadmap(repo: Path, relative: str, text: str) -> Path:
    path = repo / "roadmaps" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def portfolio_json(run: Run, repo: Path, *args: str) -> dict[str, Any]:
    result = export(run, repo, "-o", "-", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def all_targets(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (p["id"], i["name"], t)
        for p in document["projects"]
        for i in p["initiatives"]
        for t in i["targets"]
    ]  # fmt: skip


def no_temp_files(folder: Path) -> None:
    left = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert left == [], left


def cell_text(value: object) -> str:
    return "" if value is None else str(value)


def find_row(ws: Any, column: int, value: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == value:
            return row
    raise AssertionError(f"{value!r} not in column {column} of {ws.title}")


def md_cells(line: str) -> list[str]:
    """The cells of a Markdown table row: split on pipes that are not escaped by a backslash."""
    cells, current, escaped = [], "", False
    for char in line.strip()[1:]:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            current += char
            escaped = True
        elif char == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += char
    assert current.strip() == "", f"row does not end with a pipe: {line!r}"
    return cells


def md_tables(text: str) -> list[list[str]]:
    """Blocks of consecutive lines that start with `|`."""
    tables: list[list[str]] = []
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
        elif block:
            tables.append(block)
            block = []
    return tables


# ---------------------------------------------------------------- the browser


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("DXROADMAP_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed but DXROADMAP_REQUIRE_BROWSER is set: apt-get install chromium")
        pytest.skip("no headless browser: apt-get install chromium")
    return found


def browse(page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp)
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, page.resolve().as_uri(),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_rows(path: Path) -> tuple[int, int, Iterator[bytes]]:
    """(width, height, the unfiltered scanlines) of an 8-bit RGB or RGBA PNG, standard library only."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, bytearray(), b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(bytes(idat))
    assert len(raw) == height * (stride + 1)
    wrap = bytes(range(256)) * 2

    def rows() -> Iterator[bytes]:
        previous = bytes(stride)
        for y in range(height):
            kind = raw[y * (stride + 1)]
            line = raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
            if kind == 0:
                current = bytearray(line)
            elif kind == 1:  # Sub: a running sum per channel
                current = bytearray(stride)
                for c in range(bpp):
                    current[c::bpp] = bytes(value & 255 for value in accumulate(line[c::bpp]))
            elif kind == 2:  # Up
                current = bytearray(map(wrap.__getitem__, map(int.__add__, line, previous)))
            else:
                current = bytearray(line)
                for i in range(stride):
                    a = current[i - bpp] if i >= bpp else 0
                    b = previous[i]
                    if kind == 3:
                        current[i] = (current[i] + (a + b) // 2) & 255
                    else:
                        c = previous[i - bpp] if i >= bpp else 0
                        p = a + b - c
                        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        best = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                        current[i] = (current[i] + best) & 255
            previous = bytes(current)
            yield previous

    return width, height, rows()


def screenshot_colours(path: Path, enough: int, wanted: set[tuple[int, int, int]]) -> tuple[int, int, set[Any]]:
    """Decode the screenshot until `enough` distinct colours and every wanted colour are seen."""
    width, height, rows = png_rows(path)
    colours: set[Any] = set()
    for row in rows:
        bpp = len(row) // width
        colours.update(row[i : i + 3] for i in range(0, len(row), bpp))
        if len(colours) >= enough and all(bytes(w) in colours for w in wanted):
            break
    return width, height, colours


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# ---------------------------------------------------------------- xlsx


def open_book(path: Path) -> Workbook:
    return load_workbook(path, rich_text=True)


def test_xlsx_sample_summary_sheet(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "out.xlsx", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "out.xlsx" in result.stderr
    assert result.stdout == ""
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    book = open_book(sample_repo / "out.xlsx")
    assert len(book.sheetnames) == 2 + 12
    assert book.sheetnames[:2] == ["Summary", "Slipping"]
    assert set(book.sheetnames[2:]) == {pid.replace("/", "-") for pid in SAMPLE_IDS}

    ws = book["Summary"]
    assert ws["A1"].value == "架空県DX推進計画(サンプル)"
    assert "2026-11-26" in cell_text(ws["A2"].value)
    header = [ws.cell(row=4, column=c).value for c in range(1, 14)]
    assert header == [
        "Field", "Name", "id", "Owner", "State", "Done/Due/Total", "Progress", *YEARS, "Flags",
    ]  # fmt: skip
    ids = [ws.cell(row=r, column=3).value for r in range(5, 5 + 12)]
    assert ids == [p["id"] for p in document["projects"]]
    fills = {}
    for row, project in enumerate(document["projects"], 5):
        assert ws.cell(row=row, column=1).value == project["field"]
        assert ws.cell(row=row, column=2).value == project["name"]
        assert ws.cell(row=row, column=4).value == project["owner"]
        state = ws.cell(row=row, column=5)
        assert state.value == f"{MARKS[project['state']]} {STATE_WORDS_EN[project['state']]}"
        assert state.fill.fill_type == "solid"
        assert state.fill.fgColor.rgb not in (None, "00000000", "FFFFFFFF")
        assert state.font.color is not None
        fills[project["state"]] = state.fill.fgColor.rgb
        counts = project["targets"]
        assert ws.cell(row=row, column=6).value == f"{counts['done']}/{counts['due']}/{counts['total']}"
        for column in (1, 2, 4):
            assert ws.cell(row=row, column=column).alignment.wrap_text, (row, column)
    # states differ by colour as well as by mark and word
    assert len(set(fills.values())) == len(fills) >= 4
    # the year marks of sangyo/chusho-dx (first row): done R5, done late R6, missed R7, open R8, nothing in R9
    row = ids.index("sangyo/chusho-dx") + 5
    marks = [ws.cell(row=row, column=c).value for c in range(8, 13)]
    assert marks == [MARKS["done"], MARKS["done_late"], MARKS["missed"], MARKS["open"], None]
    assert ws.cell(row=row, column=10).fill.fill_type == "solid"
    # a total row under the projects
    total = [p["targets"] for p in document["projects"]]
    sums = f"{sum(t['done'] for t in total)}/{sum(t['due'] for t in total)}/{sum(t['total'] for t in total)}"
    assert ws.cell(row=17, column=6).value == sums
    # frozen headers, widths for Japanese text, print setup
    assert ws.freeze_panes == "C5"
    longest_owner = max(len(p["owner"]) for p in document["projects"])
    assert ws.column_dimensions["B"].width >= 20
    assert ws.column_dimensions["D"].width >= min(40, 2 * longest_owner)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.freeze_panes, sheet.title


def test_xlsx_sample_slipping_sheet(run: Run, sample_repo: Path) -> None:
    assert export(run, sample_repo, "-o", "out.xlsx", "--as-of", AS_OF).exit_code == 0
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    ws = open_book(sample_repo / "out.xlsx")["Slipping"]
    assert [ws.cell(row=1, column=c).value for c in range(1, 13)] == [
        "State", "Project", "Name", "Initiative", "Year", "Target", "KPI value", "Due", "Days late", "Explained",
        "Reason", "Outlook",
    ]  # fmt: skip
    slipping = document["slipping"]
    assert len(slipping) == 7
    assert ws.max_row == 1 + len(slipping)
    for row, item in enumerate(slipping, 2):
        assert ws.cell(row=row, column=1).value == f"{MARKS[item['state']]} {STATE_WORDS_EN[item['state']]}"
        assert ws.cell(row=row, column=2).value == item["project"]
        assert ws.cell(row=row, column=3).value == item["name"]
        assert ws.cell(row=row, column=4).value == item["initiative"]
        assert ws.cell(row=row, column=8).value == item["due"]
        if item["days_late"] >= 0:  # else "behind pace" (a KPI not yet due)
            assert ws.cell(row=row, column=9).value == item["days_late"]
        assert cell_text(ws.cell(row=row, column=11).value) == (item["reason"] or "")
    assert ws.freeze_panes == "B2"


def check_project_sheet(ws: Any, project: dict[str, Any], labels: list[str], words: dict[str, str], rows: str) -> None:
    targets_word, actuals_word = rows.split("/")
    assert [ws.cell(row=r, column=1).value for r in range(1, 5)] == labels
    assert [ws.cell(row=r, column=2).value for r in range(1, 5)] == [
        project["field"], project["name"], project["owner"], project["summary"],
    ]  # fmt: skip
    assert ws.cell(row=2, column=2).alignment.wrap_text
    head = find_row(ws, 3, "R5")
    assert head > 4
    assert [ws.cell(row=head, column=c).value for c in range(3, 8)] == YEARS
    assert ws.freeze_panes == f"C{head + 1}"
    merged = {str(r) for r in ws.merged_cells.ranges}
    for number, initiative in enumerate(project["initiatives"]):
        row = head + 1 + 2 * number
        flag = f"\n{MARKS['unreported']} {words['unreported']}" if initiative["unreported"] else ""
        assert ws.cell(row=row, column=1).value == initiative["name"] + flag
        assert f"A{row}:A{row + 1}" in merged
        assert ws.cell(row=row, column=2).value == targets_word
        assert ws.cell(row=row + 1, column=2).value == actuals_word
        for offset, year in enumerate(YEARS):
            cell = ws.cell(row=row, column=3 + offset)
            targets = [t for t in initiative["targets"] if t["fiscal_year"] == year]
            if not targets:
                assert cell.value in (None, ""), (project["id"], year, cell.value)
                continue
            assert isinstance(cell.value, CellRichText), (project["id"], year)
            lines = str(cell.value).split("\n")
            for t in targets:
                lead, state = f"{MARKS[t['state']]} {t['text']}", f"({words[t['state']]})"
                kpi = t["kpi"]
                if kpi is None:
                    assert lines.pop(0) == f"{lead} {state}"
                    continue
                # a KPI reads with its numbers, then its latest value against the target
                first = lines.pop(0)
                assert first.startswith(f"{lead} {kpi['target']}{kpi['unit'] or ''}") and first.endswith(state)
                if kpi["value"] is not None:
                    assert lines.pop(0).startswith(f"  {kpi['value']} / {kpi['target']}"), (project["id"], year)
            assert lines == [], (project["id"], year, lines)
            blocks = [b for b in cell.value if isinstance(b, TextBlock)]
            assert blocks and all(b.font.color is not None for b in blocks)
            assert cell.alignment.wrap_text
            assert cell.fill.fill_type == "solid"
            actual = cell_text(ws.cell(row=row + 1, column=3 + offset).value)
            for entry in initiative["actuals"]:
                if entry["fiscal_year"] == year and entry["text"]:
                    assert entry["text"] in actual, (project["id"], year, entry["text"])
    assert ws.max_row == head + 2 * len(project["initiatives"])
    assert ws.column_dimensions["A"].width > 13
    for letter in "CDEFG":
        assert ws.column_dimensions[letter].width > 13


def test_xlsx_project_sheets_follow_the_roadmap_layout(run: Run, sample_repo: Path) -> None:
    assert export(run, sample_repo, "-o", "out.xlsx", "--as-of", AS_OF).exit_code == 0
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    book = open_book(sample_repo / "out.xlsx")
    for project in document["projects"]:
        ws = book[project["id"].replace("/", "-")]
        check_project_sheet(ws, project, ["Field", "Name", "Owner", "Summary"], STATE_WORDS_EN, "Targets/Actuals")


def test_xlsx_in_japanese(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "out.xlsx", "--as-of", AS_OF, "--lang", "ja")
    assert result.exit_code == 0, result.stderr
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    book = open_book(sample_repo / "out.xlsx")
    assert book.sheetnames[:2] == ["全体", "遅延一覧"]
    summary = book["全体"]
    assert [summary.cell(row=4, column=c).value for c in range(1, 5)] == ["政策分野", "事業名", "id", "担当課"]
    assert summary.cell(row=5, column=5).value == f"{MARKS['missed']} 未達"
    project = next(p for p in document["projects"] if p["id"] == "gyosei/security-kyoka")
    check_project_sheet(
        book["gyosei-security-kyoka"], project, ["政策分野", "事業名", "担当課", "概要"], STATE_WORDS_JA, "目標/実績"
    )


def test_xlsx_sheet_names_are_valid_and_unique(run: Run, seed_repo: Path) -> None:
    long_name = "とても長い事業名" * 6 + "[]:*?/\\"
    ids = [
        "a-very-long-project-identifier-that-goes-on-and-on-and-on",
        "same-prefix-that-runs-past-thirty-one-characters-A",
        "same-prefix-that-runs-past-thirty-one-characters-B",
        "odd[1]:*?\\name",
        "sub/odd[2]",
        "History",
        "history2",
        "Summary",
        "Slipping",
        "'quoted'",
        "x" * 30 + "'tail",
    ]
    for number, pid in enumerate(ids):
        write_roadmap(seed_repo, f"{pid}.yaml", MINIMAL.format(name=json.dumps(f"{long_name}{number}")))
    result = export(run, seed_repo, "-o", "out.xlsx", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    book = open_book(seed_repo / "out.xlsx")
    names = book.sheetnames
    assert len(names) == 2 + 1 + len(ids), names
    assert len({n.casefold() for n in names}) == len(names), names
    for name in names:
        assert 1 <= len(name) <= 31, name
        assert not set(name) & BAD_SHEET_CHARS, name
        assert not name.startswith("'") and not name.endswith("'"), f"Excel refuses the sheet name {name!r}"
        assert name.casefold() != "history", name
    # every project is there: each sheet's 事業名 cell names one of them
    shown = {book[n]["B2"].value for n in names[2:]}
    assert {f"{long_name}{number}" for number in range(len(ids))} <= shown


def test_xlsx_formula_injection(run: Run, seed_repo: Path) -> None:
    write_roadmap(seed_repo, "inject.yaml", INJECTION)
    result = export(run, seed_repo, "-o", "out.xlsx", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    # nothing in the file is a formula
    with zipfile.ZipFile(seed_repo / "out.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                assert not re.search(r"<(\w+:)?f[ >]", xml), name
    book = load_workbook(seed_repo / "out.xlsx", rich_text=True)
    found: dict[str, str] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                text = cell_text(cell.value)
                if isinstance(cell.value, str) and text.startswith(FORMULA_START):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                found.setdefault(text, f"{ws.title}!{cell.coordinate}")
    ws = book["inject"]
    assert ws["B2"].value == "=1+2" and ws["B2"].data_type == "s"
    assert ws["B3"].value == "+SUM(A1)" and ws["B3"].data_type == "s"
    assert ws["B4"].value == "-2+3 概要" and ws["B4"].data_type == "s"
    row = find_row(ws, 1, "@SUM(1,2)")
    assert ws.cell(row=row, column=1).data_type == "s"
    targets = ws.cell(row=row, column=3)
    assert targets.data_type == "s"
    lines = str(targets.value).split("\n")
    assert lines[0] == f"{MARKS['missed']} -3 (missed)"
    assert lines[1] == f"{MARKS['missed']} \t=x (missed)"
    assert lines[2] in (f"{MARKS['missed']} \r=y (missed)", f"{MARKS['missed']} \\x0d=y (missed)")
    assert str(ws.cell(row=row, column=4).value).endswith('=HYPERLINK("http://example.invalid","x") (missed)')
    actual = ws.cell(row=row + 1, column=3)
    assert actual.value == "@cmd" and actual.data_type == "s"
    summary = book["Summary"]
    row = find_row(summary, 3, "inject")
    assert summary.cell(row=row, column=2).value == "=1+2"
    assert summary.cell(row=row, column=4).value == "+SUM(A1)"
    slipping = book["Slipping"]
    shown = {slipping.cell(row=r, column=6).value for r in range(2, slipping.max_row + 1)}
    assert {"-3", "\t=x", '=HYPERLINK("http://example.invalid","x")'} <= shown


# ---------------------------------------------------------------- csv


def test_csv_has_a_bom_and_one_row_per_target(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "out.csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    raw = (sample_repo / "out.csv").read_bytes()
    assert raw.startswith(BOM)
    assert raw.count(BOM) == 1
    rows = read_csv(sample_repo / "out.csv")
    assert rows[0] == CSV_HEADER_EN
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    targets = all_targets(document)
    assert len(targets) == sum(p["targets"]["total"] for p in document["projects"]) == 139
    assert len(rows) == 1 + len(targets)
    owners = {p["id"]: p for p in document["projects"]}
    for row, (pid, initiative, target) in zip(rows[1:], targets, strict=True):
        assert len(row) == len(CSV_HEADER_EN)
        assert row[0] == pid
        assert row[1] == owners[pid]["name"]
        assert row[2] == owners[pid]["field"]
        assert row[3] == owners[pid]["owner"]
        assert row[4] == initiative
        assert row[5] == target["fiscal_year"]
        assert row[6] == target["text"]
        assert row[7] == target["due"]
        assert row[8] == STATE_WORDS_EN[target["state"]]
        assert row[9] == (target["achieved_in"] or "")
        if target["kpi"] is not None and target["kpi"]["value"] is not None:
            assert float(row[10]) == target["kpi"]["value"]
        else:
            assert row[10] == ""


def test_csv_without_bom_and_in_japanese(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "plain.csv", "--no-bom", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    raw = (sample_repo / "plain.csv").read_bytes()
    assert not raw.startswith(BOM)
    assert raw.decode("utf-8").startswith("id,Project,")
    result = export(run, sample_repo, "-o", "ja.csv", "--lang", "ja", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    rows = read_csv(sample_repo / "ja.csv")
    assert rows[0] == CSV_HEADER_JA
    assert set(STATE_WORDS_JA.values()) >= {row[8] for row in rows[1:]}


def test_csv_formula_injection(run: Run, seed_repo: Path) -> None:
    write_roadmap(seed_repo, "inject.yaml", INJECTION)
    result = export(run, seed_repo, "-o", "out.csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    rows = [row for row in read_csv(seed_repo / "out.csv")[1:] if row[0] == "inject"]
    assert len(rows) == 4
    for row in rows:
        assert row[1] == "'=1+2"
        assert row[3] == "'+SUM(A1)"
        assert row[4] == "'@SUM(1,2)"
    targets = [row[6] for row in rows]
    assert targets[0] == "'-3"
    assert targets[1] == "'\t=x"
    assert targets[2] in ("'\r=y", "\\x0d=y")
    assert targets[3] == '\'=HYPERLINK("http://example.invalid","x")'
    for row in read_csv(seed_repo / "out.csv"):
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell


# ---------------------------------------------------------------- json


def test_json_validates_against_its_schema(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "out.json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    document = json.loads((sample_repo / "out.json").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    # the schema is not vacuous: a wrong document fails
    broken = json.loads(json.dumps(document))
    broken["projects"][0]["initiatives"][0]["targets"][0]["due"] = "2026-02-31"
    assert not validator.is_valid(broken)
    assert document["as_of"] == AS_OF
    assert document["fiscal_year"] == "R8"
    assert document["plan"]["title"] == "架空県DX推進計画(サンプル)"
    assert document["plan"]["period"] == {"start": "R5", "end": "R9"}
    assert [f["name"] for f in document["plan"]["fields"]] == ["産業・しごと", "暮らし・まち", "行政経営"]
    assert {p["id"] for p in document["projects"]} == SAMPLE_IDS
    assert all(p["path"].endswith(".yaml") for p in document["projects"])
    actuals = [a for p in document["projects"] for i in p["initiatives"] for a in i["actuals"]]
    assert len(actuals) > 50
    assert any(a["reason"] for a in actuals) and any(a["kpi"] for a in actuals)
    assert len(document["slipping"]) == 7
    assert {s["state"] for s in document["slipping"]} == {"missed", "slipping", "unreported"}
    assert document["invalid"] == []
    # the same states as the CSV
    csv_rows = portfolio_csv_states(run, sample_repo)
    assert csv_rows == [STATE_WORDS_EN[t["state"]] for _, _, t in all_targets(document)]


def portfolio_csv_states(run: Run, repo: Path, *args: str) -> list[str]:
    result = export(run, repo, "-o", "-", "--format", "csv", "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.stderr
    return [row[8] for row in list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))[1:]]


def test_json_to_stdout(run: Run, sample_repo: Path) -> None:
    before = sorted(p.name for p in sample_repo.iterdir())
    result = export(run, sample_repo, "-o", "-", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {p["id"] for p in document["projects"]} == SAMPLE_IDS
    assert sorted(p.name for p in sample_repo.iterdir()) == before


# ---------------------------------------------------------------- markdown


def test_markdown_report(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "out.md", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    text = (sample_repo / "out.md").read_text(encoding="utf-8")
    assert text.startswith("# 架空県DX推進計画(サンプル)")
    assert "2026-11-26" in text
    assert "| id | Field | Name | Owner | State | Done/Due/Total | R5 | R6 | R7 | R8 | R9 | Flags |" in text
    assert "## Slipping (7)" in text
    assert "| ✖ missed | gyosei/security-kyoka |" in text
    sections = re.findall(r"^### .* \(([^)]+)\)$", text, flags=re.MULTILINE)
    assert sorted(sections) == sorted(SAMPLE_IDS)
    grid_header = "| Initiative |  | R5 | R6 | R7 | R8 | R9 |"
    assert text.count(grid_header) == 12
    tables = md_tables(text)
    assert len(tables) == 2 + 12
    for table in tables:
        width = len(md_cells(table[0]))
        assert re.fullmatch(r"\|(---\|)+", table[1]), table[1]
        assert all(len(md_cells(line)) == width for line in table), table[0]
    assert len(tables[0]) == 2 + 12  # the status table: one row per project
    assert len(tables[1]) == 2 + 7  # the slipping list


def test_markdown_table_survives_pipes_newlines_and_html(run: Run, seed_repo: Path) -> None:
    write_roadmap(seed_repo, "markup.yaml", MARKUP)
    result = export(run, seed_repo, "-o", "-", "--format", "markdown", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for table in md_tables(text):
        width = len(md_cells(table[0]))
        assert all(len(md_cells(line)) == width for line in table), table
    grid = md_tables(text)[-1]
    targets = md_cells(grid[2])
    assert targets[0].startswith("&lt;/td&gt;")
    assert "A\\|B" in targets[2] and "line1<br>line2" in targets[2].replace(f"{MARKS['missed']} ", "")
    assert "<script>" not in text and "<img" not in text


# ---------------------------------------------------------------- html


def html_of(run: Run, repo: Path, *args: str) -> str:
    result = export(run, repo, "-o", "report.html", *args)
    assert result.exit_code == 0, result.stderr
    return (repo / "report.html").read_text(encoding="utf-8")


def assert_self_contained(text: str) -> None:
    assert not re.search(r"<link\b", text, flags=re.IGNORECASE)
    assert not re.search(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", text, flags=re.IGNORECASE)
    assert not re.search(r"@import", text, flags=re.IGNORECASE)
    scripts = re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE)
    assert scripts and all("src" not in tag for tag in scripts), scripts
    assert re.search(r"<style\b[^>]*>.+</style>", text, flags=re.DOTALL)


def test_html_report_is_self_contained_and_complete(run: Run, sample_repo: Path) -> None:
    text = html_of(run, sample_repo, "--as-of", AS_OF)
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    assert text.startswith("<!DOCTYPE html>")
    assert_self_contained(text)
    assert re.search(r'<meta name="viewport" content="width=device-width[^"]*">', text)
    assert '<html lang="en">' in text
    assert "架空県DX推進計画(サンプル)" in text
    assert "2026-11-26" in text
    assert re.search(r"<svg\b[^>]*>.*<rect\b.*</svg>", text, flags=re.DOTALL)
    for project in document["projects"]:
        assert f'id="p-{project["id"]}"' in text
        assert project["name"] in text
        assert f"{project['id']}" in text
    # the chart: one bar per field, a segment per state with its count
    svg = re.search(r"<svg\b.*?</svg>", text, flags=re.DOTALL)
    assert svg is not None
    fields = [f["name"] for f in document["plan"]["fields"]]
    labels = [m.start() for f in fields for m in [re.search(rf">{re.escape(f)} \(\d+\)</text>", svg.group(0))] if m]
    assert len(labels) == len(fields) and labels == sorted(labels)
    for number, field in enumerate(fields):
        states = [t["state"] for p in document["projects"] if p["field"] == field for i in p["initiatives"]
                  for t in i["targets"]]  # fmt: skip
        end = labels[number + 1] if number + 1 < len(fields) else len(svg.group(0))
        bar = svg.group(0)[labels[number] : end]
        assert f">{field} ({len(states)})</text>" in bar
        for state in set(states):
            assert f"<title>{STATE_WORDS_EN[state]}: {states.count(state)}</title>" in bar, (field, state)
    # wide tables scroll sideways on a phone
    assert text.count("<table") == text.count('<div class="scroll"><table') == 2 + 12
    slipping = re.search(r'<table id="slipping">(.*?)</table>', text, flags=re.DOTALL)
    assert slipping is not None
    assert slipping.group(1).count("<tr>") == 1 + 7
    # states carry a mark and a word, not a colour alone
    for state in ("missed", "slipping", "open", "done_late", "unreported"):
        assert re.search(
            rf'<span class="state"[^>]*><span class="mark"[^>]*>{re.escape(MARKS[state])}</span> '
            rf"{STATE_WORDS_EN[state]}</span>",
            text,
        ), state
    assert "<small>(missed)</small>" in text


def test_html_escapes_text_from_files(run: Run, seed_repo: Path) -> None:
    write_roadmap(seed_repo, "markup.yaml", MARKUP)
    text = html_of(run, seed_repo, "--as-of", AS_OF)
    assert_self_contained(text)
    assert len(re.findall(r"<script\b", text, flags=re.IGNORECASE)) == 1  # the page's own
    assert "<img" not in text.lower()
    assert "<b>bold</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in text
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text


def test_html_in_a_real_browser(run: Run, sample_repo: Path, tmp_path: Path) -> None:
    chromium()
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    html_of(run, sample_repo, "--as-of", AS_OF)
    page = sample_repo / "report.html"
    dom = browse(page, tmp_path, "--dump-dom")
    assert console_lines(dom.stderr) == []
    assert re.search(r'<html[^>]*\bdata-ready="1"', dom.stdout), dom.stdout[:300]
    for project in document["projects"]:
        assert re.search(rf'<section class="project" id="p-{re.escape(project["id"])}"', dom.stdout), project["id"]
    assert re.search(r'<figure class="chart" id="chart"><svg\b', dom.stdout)
    assert '<table id="slipping">' in dom.stdout

    shot = tmp_path / "desktop.png"
    done = browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars")
    assert console_lines(done.stderr) == []
    wanted = {rgb(COLOURS["done"]), rgb(COLOURS["open"])}  # the chart's bars
    width, height, colours = screenshot_colours(shot, 64, wanted)
    assert (width, height) == (1280, 2000)
    assert len(colours) >= 64, f"the screenshot looks blank: {len(colours)} colours"
    assert {bytes(w) for w in wanted} <= colours, "the chart's bars are not on the screenshot"


def test_html_in_a_real_browser_at_phone_width(run: Run, sample_repo: Path, tmp_path: Path) -> None:
    chromium()
    html_of(run, sample_repo, "--as-of", AS_OF, "--lang", "ja")
    shot = tmp_path / "phone.png"
    done = browse(
        sample_repo / "report.html", tmp_path, f"--screenshot={shot}", "--window-size=390,1600", "--hide-scrollbars"
    )
    assert console_lines(done.stderr) == []
    width, height, colours = screenshot_colours(shot, 32, {rgb(COLOURS["done"])})
    assert (width, height) == (390, 1600)
    assert len(colours) >= 32, f"the screenshot looks blank: {len(colours)} colours"


# ---------------------------------------------------------------- options


def test_as_of_changes_the_states(run: Run, sample_repo: Path) -> None:
    late = portfolio_json(run, sample_repo, "--as-of", AS_OF)
    early = portfolio_json(run, sample_repo, "--as-of", "2023-12-01")
    assert early["as_of"] == "2023-12-01" and early["fiscal_year"] == "R5"
    late_states = [t["state"] for _, _, t in all_targets(late)]
    early_states = [t["state"] for _, _, t in all_targets(early)]
    assert late_states != early_states
    assert "missed" not in early_states and "planned" in early_states
    assert early_states.count("planned") > late_states.count("planned")
    result = export(run, sample_repo, "-o", "early.csv", "--as-of", "2023-12-01")
    assert result.exit_code == 0, result.stderr
    assert [row[8] for row in read_csv(sample_repo / "early.csv")[1:]] == [STATE_WORDS_EN[s] for s in early_states]
    html = html_of(run, sample_repo, "--as-of", "2023-12-01")
    assert "2023-12-01" in html and "2026-11-26" not in html
    result = export(run, sample_repo, "-o", "early.xlsx", "--as-of", "2023-12-01")
    assert result.exit_code == 0, result.stderr
    assert "2023-12-01" in cell_text(open_book(sample_repo / "early.xlsx")["Summary"]["A2"].value)


def test_field_and_owner_restrict_the_projects(run: Run, sample_repo: Path) -> None:
    gyosei = {pid for pid in SAMPLE_IDS if pid.startswith("gyosei/")}
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF, "--field", "行政経営")
    assert {p["id"] for p in document["projects"]} == gyosei
    assert all(s["project"] in gyosei for s in document["slipping"])
    document = portfolio_json(run, sample_repo, "--as-of", AS_OF, "--owner", "総務部")
    assert {p["id"] for p in document["projects"]} == {
        "gyosei/kakanai-madoguchi", "gyosei/security-kyoka", "gyosei/shinsei-online",
    }  # fmt: skip
    result = export(run, sample_repo, "-o", "field.xlsx", "--as-of", AS_OF, "--field", "行政経営")
    assert result.exit_code == 0, result.stderr
    assert set(open_book(sample_repo / "field.xlsx").sheetnames[2:]) == {p.replace("/", "-") for p in gyosei}
    result = export(run, sample_repo, "-o", "owner.csv", "--as-of", AS_OF, "--owner", "総務部")
    assert result.exit_code == 0, result.stderr
    assert {row[3] for row in read_csv(sample_repo / "owner.csv")[1:]} == {
        "総務部窓口サービス改革課", "総務部情報政策課情報セキュリティ対策室", "総務部行政手続デジタル化推進課",
    }  # fmt: skip
    html = html_of(run, sample_repo, "--as-of", AS_OF, "--field", "行政経営")
    assert set(re.findall(r'<section class="project" id="p-([^"]+)"', html)) == gyosei
    result = export(run, sample_repo, "-o", "none.csv", "--field", "無い分野")
    assert result.exit_code == 1
    assert "no field" in result.stderr
    assert not (sample_repo / "none.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "markdown", "html"])
def test_text_formats_to_stdout(run: Run, sample_repo: Path, fmt: str) -> None:
    before = sorted(p.name for p in sample_repo.iterdir())
    result = export(run, sample_repo, "-o", "-", "--format", fmt, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in sample_repo.iterdir()) == before
    suffix = {"csv": "csv", "markdown": "md", "html": "html"}[fmt]
    assert export(run, sample_repo, "-o", f"file.{suffix}", "--as-of", AS_OF).exit_code == 0
    assert result.stdout_bytes == (sample_repo / f"file.{suffix}").read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        ["-o", "-", "--format", "xlsx"],
        ["-o", "-"],
        ["-o", "report"],
        ["-o", "out.txt"],
        ["-o", "out.xlsx", "--format", "pdf"],
    ],
)
def test_usage_errors_exit_2(run: Run, sample_repo: Path, args: list[str]) -> None:
    before = sorted(p.name for p in sample_repo.iterdir())
    result = export(run, sample_repo, *args, "--as-of", AS_OF)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "--format" in result.stderr or "-o" in result.stderr
    assert sorted(p.name for p in sample_repo.iterdir()) == before


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("out.xlsx", lambda raw: raw.startswith(b"PK")),
        ("out.csv", lambda raw: raw.startswith(BOM + b"id,")),
        ("out.json", lambda raw: json.loads(raw)["schema_version"] == 1),
        ("out.md", lambda raw: raw.startswith(b"# ")),
        ("out.html", lambda raw: raw.startswith(b"<!DOCTYPE html>")),
        ("OUT.HTM", lambda raw: raw.startswith(b"<!DOCTYPE html>")),
    ],
)
def test_format_from_the_extension(run: Run, sample_repo: Path, name: str, check: Any) -> None:
    result = export(run, sample_repo, "-o", name, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert check((sample_repo / name).read_bytes())


def test_explicit_format_wins_over_the_extension(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "out.txt", "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert read_csv(sample_repo / "out.txt")[0] == CSV_HEADER_EN


# ---------------------------------------------------------------- writing


def test_export_replaces_an_existing_file_atomically(run: Run, sample_repo: Path) -> None:
    target = sample_repo / "out.csv"
    target.write_text("old content\n", encoding="utf-8")
    target.chmod(0o640)
    result = export(run, sample_repo, "-o", "out.csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert read_csv(target)[0] == CSV_HEADER_EN
    assert "old content" not in target.read_text(encoding="utf-8-sig")
    assert target.stat().st_mode & 0o777 == 0o640
    no_temp_files(sample_repo)


def test_export_through_a_symlink_keeps_the_link(run: Run, sample_repo: Path) -> None:
    real = sample_repo / "real.html"
    real.write_text("old", encoding="utf-8")
    link = sample_repo / "report.html"
    link.symlink_to("real.html")
    result = export(run, sample_repo, "-o", "report.html", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert os.readlink(link) == "real.html"
    assert real.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    no_temp_files(sample_repo)


def test_export_into_a_missing_folder(run: Run, sample_repo: Path) -> None:
    result = export(run, sample_repo, "-o", "missing/out.html", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "missing" in result.stderr and "cannot write" in result.stderr
    assert result.stderr.startswith("dxroadmap: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (sample_repo / "missing").exists()


def test_an_invalid_file_does_not_stop_the_export(run: Run, sample_repo: Path) -> None:
    write_roadmap(sample_repo, "gyosei/broken.yaml", "政策分野: 行政経営\n事業名: 壊れた事業\n")
    result = export(run, sample_repo, "-o", "out.json", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "broken.yaml" in result.stderr
    document = json.loads((sample_repo / "out.json").read_text(encoding="utf-8"))
    assert {p["id"] for p in document["projects"]} == SAMPLE_IDS
    assert document["invalid"] and all("broken.yaml" in p["path"] for p in document["invalid"])
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert list(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(document)) == []
    result = export(run, sample_repo, "-o", "out.xlsx", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "broken.yaml" in result.stderr
    assert len(open_book(sample_repo / "out.xlsx").sheetnames) == 2 + 12
