"""Review and publish (issue 16): what changed since the last meeting, KPI trends, and a site the public can read.

Every output is opened the way its readers open it: workbooks with openpyxl (marks, the changes sheet, native
line charts), Markdown and JSON as text (JSON against the schema), the one-page report and the site in headless
Chromium driven by Playwright (the DOM; axe-core injected into every page: no WCAG 2.1 A/AA violation; no console
message; screenshots at desktop and phone width; printed to PDF: A4 landscape, no table row cut in two).

The browser tests skip without Chromium or Playwright unless DXROADMAP_REQUIRE_BROWSER is set, and the axe
checks without axe-core (`npm install --no-save --prefix .ci/node axe-core@4`) unless DXROADMAP_REQUIRE_AXE is
set: then they fail. With DXROADMAP_WRITE_DOCS set, the README's screenshots are written into docs/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock

from dxroadmap.report import review, trends
from dxroadmap.report.site import page_names

from .conftest import AS_OF, EXAMPLES, PROJECT, Run, copy_sample

SCHEMA = PROJECT / "schemas" / "portfolio.schema.json"
AXE = Path(os.environ.get("DXROADMAP_AXE", PROJECT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]  # fmt: skip
MEETING = "令和8年度第2回DX推進本部会議 (2026-08-20)"  # the last meeting before AS_OF in the sample plan
INK = tuple(int(review.INK[i : i + 2], 16) for i in (1, 3, 5))
A4_LANDSCAPE = (842, 595)  # points
JAPANESE_ID = "kurashi/見守りサービス"
JAPANESE = """\
政策分野: 暮らし・まち
事業名: 高齢者見守りサービスのデジタル化
担当課: 健康福祉部高齢福祉課
取組:
  - 名称: 見守りセンサーの導入
    目標:
      R8: [モデル地区での導入]
"""


# ---------------------------------------------------------------- the repositories


def git(top: Path, *args: str, when: str | None = None) -> None:
    home = top.parent / "home"
    home.mkdir(exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(top.parent), "GIT_AUTHOR_NAME": "DX推進課",
        "GIT_AUTHOR_EMAIL": "dx@example.invalid", "GIT_COMMITTER_NAME": "DX推進課",
        "GIT_COMMITTER_EMAIL": "dx@example.invalid",
        **({"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {}),
    }  # fmt: skip
    command = ["git", "-C", str(top), "-c", "commit.gpgsign=false", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def edit(folder: Path, relative: str, old: str, new: str) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portfolio (and a project with a Japanese id) in git: committed on 2026-07-01, then on
    2026-11-01 — after the plan's meeting of 2026-08-20 — a KPI value recorded and a target moved to R9.
    Read only: every test writes its output elsewhere."""
    top = tmp_path_factory.mktemp("reviewed") / "repo"
    roadmaps = copy_sample(top / "roadmaps")
    (roadmaps / f"{JAPANESE_ID}.yaml").write_text(JAPANESE, encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "R8 Q1", when="2026-07-01T10:00:00+09:00")
    edit(roadmaps, "sangyo/kensetsu-ict.yaml", "          見通し: 注意\n",
         "          見通し: 注意\n        - {日付: 2026-10-31, 指標: 遠隔臨場の実施現場数, 値: 71}\n")  # fmt: skip
    edit(roadmaps, "kurashi/online-shinryo.yaml", "      R8: [本格運行, 運行ルートの見直し]\n",
         "      R8: [本格運行]\n      R9: [運行ルートの見直し]\n")  # fmt: skip
    git(top, "commit", "-q", "-am", "R8 Q2", when="2026-11-01T10:00:00+09:00")
    return top


def exported(run: Run, repo: Path, out: Path, *args: str) -> Path:
    result = run("export", "-o", str(out), "--as-of", AS_OF, *args, cwd=repo)
    assert result.exit_code == 0, result.output
    return out


def crowded(folder: Path, count: int = 28) -> Path:
    """A portfolio whose slipping list is long and whose reasons run over many lines, each reason between two
    tokens (ROW07BEGIN … ROW07END): printed, a row cut in two puts them on two pages."""
    roadmaps = folder / "roadmaps"
    roadmaps.mkdir(parents=True)
    shutil.copy2(EXAMPLES / "_plan.yaml", roadmaps / "_plan.yaml")
    for n in range(count):
        reason = (
            f"ROW{n:02d}BEGIN "
            + "山間部の通信環境の整備が遅れ、実施時期を見直している。" * (2 + n % 4)
            + f" ROW{n:02d}END"
        )
        (roadmaps / f"p{n:02d}.yaml").write_text(
            f"政策分野: 行政経営\n事業名: 事業{n:02d}\n担当課: 総務部テスト課\n取組:\n  - 名称: 取組{n:02d}\n"
            f"    目標:\n      R7: [作業{n:02d}]\n    実績:\n      R8:\n"
            f"        - {{四半期: Q2, 内容: 検討中, 理由: {reason}}}\n",
            encoding="utf-8",
        )
    return folder


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, never a downloaded one) for the module, driven by Playwright."""
    required = bool(os.environ.get("DXROADMAP_REQUIRE_BROWSER"))
    found = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        found = None
    if found is None:
        if required:
            pytest.fail("chromium or playwright is missing but DXROADMAP_REQUIRE_BROWSER is set")
        pytest.skip("no headless browser: apt-get install chromium; pip install playwright")
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=found, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe() -> str:
    if not AXE.is_file():
        if os.environ.get("DXROADMAP_REQUIRE_AXE"):
            pytest.fail(f"axe-core is missing ({AXE}) but DXROADMAP_REQUIRE_AXE is set")
        pytest.skip("axe-core is not installed: npm install --no-save --prefix .ci/node axe-core@4")
    return AXE.read_text(encoding="utf-8")


class Opened:
    """A page opened from file://, with every console message, script error and request that left file://."""

    def __init__(self, browser: Any, path: Path | str, width: int, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.messages: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.messages.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.messages.append(f"error: {e}"))
        address = path if isinstance(path, str) else path.resolve().as_uri()
        self.home = ("data:", address[: address.index("/", address.index("//") + 2) + 1])
        self.page.route("**/*", self._request)
        self.page.goto(address)

    def _request(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.home):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def violations(self, axe: str) -> list[str]:
        """axe-core's WCAG 2.1 A and AA violations (its preload of stylesheets is off: no request of its own)."""
        self.page.add_script_tag(content=axe)
        result = self.page.evaluate(
            "opts => axe.run(document, opts)",
            {"preload": False, "resultTypes": ["violations"], "runOnly": {"type": "tag", "values": WCAG}},
        )
        return [
            f"{v['id']}: {v['nodes'][0]['html'][:160]} {v['nodes'][0]['failureSummary']}" for v in result["violations"]
        ]

    def close(self) -> None:
        self.page.close()


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` served over HTTP on the loopback address (a static host), for as long as the block runs."""
    handler = partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def pdf_pages(data: bytes) -> list[tuple[int, int]]:
    """The size in points of every page of a PDF that Chromium wrote."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", data)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def per_page(texts: list[str], token: str) -> list[int]:
    return [text.count(token) for text in texts]


def page_texts(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        if os.environ.get("DXROADMAP_REQUIRE_BROWSER"):
            pytest.fail("pdftotext is missing (apt-get install poppler-utils) but DXROADMAP_REQUIRE_BROWSER is set")
        pytest.skip("no pdftotext: apt-get install poppler-utils")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


# ---------------------------------------------------------------- export --since


def test_html_since_marks_and_lists_what_changed(run: Run, reviewed: Path, tmp_path: Path) -> None:
    page = exported(run, reviewed, tmp_path / "r.html", "--since", "last-meeting").read_text(encoding="utf-8")
    changes = re.search(r'<table id="changes-list">(.*?)</table>', page, flags=re.DOTALL)
    assert changes is not None
    listed = changes.group(1)
    for kind, project, text in [
        ("record", "sangyo/kensetsu-ict", "遠隔臨場の実施現場数 = 71"),
        ("target moved", "kurashi/online-shinryo", "運行ルートの見直し (R8→R9)"),
        ("target state", "kurashi/demand-kotsu", "本格導入の判断: open → slipping"),
        ("initiative state", "kurashi/demand-kotsu", "open → slipping"),
        ("project state", "kurashi/demand-kotsu", "unreported → slipping"),
    ]:
        assert re.search(
            rf'<tr><td><mark class="chg">◆ {kind}</mark></td><td><a href="#p-{re.escape(project)}">[^<]*</a></td>'
            rf".*?{re.escape(text)}",
            listed,
        ), (kind, project)
    assert f"Changes since {MEETING}" in page and "◆ = changed since" in page
    # marked where they are: the new actual, the moved target, the target whose state changed, the project row
    section = page[page.index('id="p-sangyo/kensetsu-ict"') :]
    assert '<mark class="chg">◆ new actual</mark> 2026-10-31 遠隔臨場の実施現場数 = 71' in section
    section = page[page.index('id="p-kurashi/online-shinryo"') :]
    assert '<mark class="chg">◆ target moved (R8→R9)</mark>' in section
    section = page[page.index('id="p-kurashi/demand-kotsu"') :]
    assert '<mark class="chg">◆ state changed: open → slipping</mark>' in section
    rows = re.findall(r'<tr class="chg"><td><a href="#p-([^"]+)">', page)
    assert set(rows) == {
        "sangyo/kensetsu-ict",
        "kurashi/demand-kotsu",
        "kurashi/online-shinryo",
        "gyosei/security-kyoka",
    }
    assert re.search(r"mark\.chg \{[^}]*color: var\(--change\)", page) and f"--change: {review.INK}" in page


def test_xlsx_since_has_a_changes_sheet_and_marks_in_colour(run: Run, reviewed: Path, tmp_path: Path) -> None:
    book = load_workbook(exported(run, reviewed, tmp_path / "r.xlsx", "--since", "last-meeting"), rich_text=True)
    assert book.sheetnames[:3] == ["Summary", "Slipping", "Changes since the last review"]
    assert book["Slipping"].oddHeader.center.text == "Slipping, missed and unreported"  # on every printed page
    sheet = book["Changes since the last review"]
    assert sheet["A1"].value == f"Changes since {MEETING}"
    assert [c.value for c in sheet[3]] == ["Kind", "Project", "Name", "Initiative", "Year", "Change", "Date", "Author"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert ["◆ record", "sangyo/kensetsu-ict", "ICT施工と建設現場のDX推進", "遠隔臨場の導入", "R8",
            "遠隔臨場の実施現場数 = 71", "2026-11-01", "DX推進課"] in rows  # fmt: skip
    assert any(r[0] == "◆ target moved" and r[5] == "運行ルートの見直し (R8→R9)" for r in rows)
    assert all(
        sheet.cell(row=r, column=1).font.color.rgb.endswith(review.INK[1:].upper()) for r in range(4, 4 + len(rows))
    )
    summary = book["Summary"]
    head = [c.value for c in summary[4]]
    column = head.index(f"Since {MEETING}") + 1
    marked = {summary.cell(row=r, column=3).value: summary.cell(row=r, column=column) for r in range(5, 18)}
    assert marked["sangyo/kensetsu-ict"].value == "◆ 1 recorded"
    assert marked["sangyo/kensetsu-ict"].font.b and marked["sangyo/kensetsu-ict"].font.color.rgb.endswith("A4262C")
    assert marked["sangyo/chusho-dx"].value == "no change"
    ws = book["sangyo-kensetsu-ict"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, CellRichText) and "◆" in str(c.value)]
    assert len(cells) == 1
    block = next(b for b in cells[0].value if isinstance(b, TextBlock) and b.text.lstrip().startswith("◆"))
    assert block.text.strip() == "◆ new actual" and block.font.b and block.font.color.rgb.endswith("A4262C")
    assert "2026-10-31 遠隔臨場の実施現場数 = 71" in str(cells[0].value)


def test_markdown_since_has_the_list_and_the_marks(run: Run, reviewed: Path, tmp_path: Path) -> None:
    text = exported(run, reviewed, tmp_path / "r.md", "--since", "last-meeting").read_text(encoding="utf-8")
    assert f"## Changes since {MEETING}\n" in text
    assert "| ◆ record | sangyo/kensetsu-ict | ICT施工と建設現場のDX推進 | 遠隔臨場の導入 | R8 |" in text
    assert "◆ new actual 2026-10-31 遠隔臨場の実施現場数 = 71" in text
    assert "◆ target moved (R8→R9)" in text
    assert re.search(r"^## Slipping \(\d+\): targets late or missed, initiatives unreported$", text, re.MULTILINE)


def test_json_since_carries_the_since_blocks_of_status(run: Run, reviewed: Path, tmp_path: Path) -> None:
    document = json.loads(exported(run, reviewed, tmp_path / "r.json", "--since", "last-meeting").read_text("utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert list(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(document)) == []
    status = json.loads(run("status", "--since", "last-meeting", "--as-of", AS_OF, "-f", "json", cwd=reviewed).stdout)
    assert document["since"] == status["since"] and document["since"]["when"] == MEETING
    by_id = {p["id"]: p["since"] for p in status["projects"]}
    for project in document["projects"]:
        since = project["since"]
        assert {k: since[k] for k in ("records", "replanned", "state_changes")} == by_id[project["id"]]
    demand = next(p["since"] for p in document["projects"] if p["id"] == "kurashi/demand-kotsu")
    assert demand["state"] == {"from": "unreported", "to": "slipping"}
    assert {"initiative": "実証運行", "from": "open", "to": "slipping"} in demand["initiative_states"]
    plain = json.loads(exported(run, reviewed, tmp_path / "p.json").read_text("utf-8"))
    assert "since" not in plain and all("since" not in p for p in plain["projects"])


def test_since_is_refused_for_csv_and_outside_git(run: Run, reviewed: Path, sample_repo: Path, tmp_path: Path) -> None:
    result = run("export", "-o", str(tmp_path / "t.csv"), "--since", "last-meeting", cwd=reviewed)
    assert result.exit_code == 2 and "--since" in result.stderr
    result = run("export", "-o", str(tmp_path / "s.html"), "--since", "last-meeting", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 1 and "git" in result.stderr and not (tmp_path / "s.html").exists()
    result = run("export", "-o", "-", "--format", "site", cwd=sample_repo)
    assert result.exit_code == 2


def test_the_review_service_without_the_command_line(reviewed: Path, sample_repo: Path) -> None:
    """`portfolio.review`: what changed since WHEN, the re-planned targets and their history (not a project's
    creation); without git, the site's default point gives way to a reason and nothing is logged."""
    from datetime import date

    from dxroadmap import portfolio

    as_of = date.fromisoformat(AS_OF)
    found = portfolio.review(portfolio.Scope((reviewed / "roadmaps",), as_of), None, None, None, "last-meeting")
    assert found.since is not None and found.since.point.label == MEETING and found.logged and found.missing is None
    assert [e.change.kind for e in found.replans["kurashi/online-shinryo"]] == ["target_moved"]
    assert set(found.replans) == {"kurashi/online-shinryo"}
    assert found.rolled.moved["kurashi/online-shinryo"] == {
        ("医療MaaS(移動診療車)の運行", 2027, "運行ルートの見直し"): 2026
    }
    assert found.since.then["kurashi/demand-kotsu"].state == "unreported"
    alone = portfolio.review(portfolio.Scope((sample_repo / "roadmaps",), as_of), None, None, None, "last-meeting")
    assert alone.since is None and not alone.logged and alone.missing and "git" in alone.missing
    assert len(alone.rolled.statuses) == 12 and alone.replans == {} and alone.rolled.moved == {}


def test_page_names_are_ascii_unique_and_stable() -> None:
    names = page_names(["a/b", "a--b", "Kurashi/X", "kurashi/x", JAPANESE_ID, "見守り", "-x-"])
    assert names["a/b"] == "a--b.html" and names["Kurashi/X"] == "Kurashi--X.html"
    assert len(set(names.values())) == len(names)
    assert len({n.casefold() for n in names.values()}) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*\.html", n) for n in names.values()), names
    assert names[JAPANESE_ID] == page_names([JAPANESE_ID])[JAPANESE_ID]  # the same id, the same page, every time


# ---------------------------------------------------------------- KPI trends


def expected_trends(document: dict[str, Any]) -> dict[str, list[str]]:
    """Per project: the KPIs with targets and the monitored indicators reported at least twice."""
    out: dict[str, list[str]] = {}
    for p in document["projects"]:
        for i in p["initiatives"]:
            values: dict[str, int] = {}
            for a in i["actuals"]:
                if a["kpi"] is not None and a["value"] is not None:
                    values[a["kpi"]] = values.get(a["kpi"], 0) + 1
            kpis = list(dict.fromkeys(t["text"] for t in i["targets"] if t["kpi"] is not None))
            out.setdefault(p["id"], []).extend(
                [k for k in kpis if values.get(k, 0) >= 2] + [k for k in values if k not in kpis and values[k] >= 2]
            )
    return out


def test_kpi_trends_are_inline_svg_with_axes_and_a_text_alternative(run: Run, reviewed: Path, tmp_path: Path) -> None:
    page = exported(run, reviewed, tmp_path / "r.html").read_text(encoding="utf-8")
    document = json.loads(exported(run, reviewed, tmp_path / "r.json").read_text("utf-8"))
    wanted = expected_trends(document)
    assert sum(map(len, wanted.values())) >= 8
    for pid, names in wanted.items():
        start = page.index(f'<section class="project" id="p-{pid}"')
        section = page[start : page.index("</section>", start)]
        figures = re.findall(r'<figure class="trend" id="([^"]+)"><svg (.*?)</svg>(.*?)</figure>', section, re.DOTALL)
        assert re.findall(r'<title id="[^"]+-t">(.*?) over time</title>', section) == names, pid
        for ident, svg, caption in figures:
            assert f'role="img" class="trend-chart" aria-labelledby="{ident}-t" aria-describedby="{ident}-d"' in svg
            assert f'<desc id="{ident}-d">reported values: ' in svg
            assert re.search(r">R\d+</text>", svg)  # the x axis: fiscal years
            assert re.search(r'text-anchor="end" fill="#1a1a1a">\d+</text>', svg)  # the y axis: values
            assert f'stroke="{trends.VALUE_INK}" stroke-width="2.5"' in svg and "<circle" in svg
            assert "<details><summary>values</summary>" in caption
    # the kensetsu KPI: baseline, each year's target and the pace line of the A/B rule
    section = page[page.index('id="p-sangyo/kensetsu-ict"') :]
    svg = section[section.index("<svg") : section.index("</svg>")]
    assert ">baseline 18</text>" in svg and ">Target 60</text>" in svg and ">Target 90</text>" in svg
    assert svg.count('stroke-dasharray="6 4"') == 2  # the pace to R6's 60 and to R7's 90, each from 18
    assert "<script" not in svg


def test_xlsx_has_a_native_line_chart_per_trend(run: Run, reviewed: Path, tmp_path: Path) -> None:
    book = load_workbook(exported(run, reviewed, tmp_path / "r.xlsx"))
    document = json.loads(exported(run, reviewed, tmp_path / "r.json").read_text("utf-8"))
    for pid, names in expected_trends(document).items():
        ws = book[pid.replace("/", "-")]
        charts = ws._charts
        assert [type(c).__name__ for c in charts] == ["LineChart"] * len(names), pid
        for chart in charts:
            assert type(chart.x_axis).__name__ == "DateAxis"
            refs = [s.val.numRef.f for s in chart.series]
            assert len(refs) >= 3 and all(ref.startswith(f"'{ws.title}'!") for ref in refs)
            titles = [ws[s.tx.strRef.f.split("!")[1]].value for s in chart.series]
            assert titles[:3] == ["reported values", "baseline", "each year's target"]
    ws = book["sangyo-kensetsu-ict"]
    row = next(r for r in ws.iter_rows() for c in r if c.value == "reported values")
    values = [c.value for c in row if isinstance(c.value, int | float)]
    assert values == [64, 93, 38, 52, 71]  # the two trends' values, side by side


def test_show_has_a_sparkline_row_beside_the_kpi_values(run: Run, reviewed: Path) -> None:
    table = run("show", "sangyo/smart-nogyo", "--as-of", AS_OF, cwd=reviewed).stdout
    assert "trend ⣀⣶⣶⣿ 214 → 562" in table
    assert table.index("562 / 600") < table.index("trend ⣀⣶⣶⣿")
    monitored = run("show", "kurashi/demand-kotsu", "--as-of", AS_OF, cwd=reviewed).stdout
    assert "trend ⣀⣿ 13 → 17" in monitored  # a monitored indicator, reported twice
    for fmt in ("csv", "markdown", "json"):
        assert "⣿" not in run("show", "sangyo/smart-nogyo", "--as-of", AS_OF, "-f", fmt, cwd=reviewed).stdout


def test_sparkline_and_trend_series() -> None:
    assert trends.spark([1, 2, 3, 4]) == "⣀⣤⣶⣿"
    assert trends.spark([5, 5]) == "⣤⣤"
    assert trends.spark([10, 0]) == "⣿⣀"


# ---------------------------------------------------------------- the site


def links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)


def test_site_is_a_folder_of_relative_pages(run: Run, reviewed: Path, tmp_path: Path) -> None:
    site = exported(run, reviewed, tmp_path / "site", "--format", "site", "--lang", "ja")
    document = json.loads(exported(run, reviewed, tmp_path / "r.json").read_text("utf-8"))
    names = page_names([p["id"] for p in document["projects"]])
    files = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert files == sorted(
        [".dxroadmap-site", "changes.html", "index.html", "style.css", *(f"projects/{n}" for n in names.values())]
    )
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+\.html", n) for n in names.values())
    assert names[JAPANESE_ID].startswith("kurashi-") and names["sangyo/kensetsu-ict"] == "sangyo--kensetsu-ict.html"
    css = (site / "style.css").read_text(encoding="utf-8")
    assert "@media print" in css and "size: A4 landscape" in css and "break-inside: avoid" in css
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="ja">')
        assert "<script" not in html and "<style" not in html and "@import" not in html
        for target in links(html):
            if target == "data:,":  # the empty icon: no request for /favicon.ico
                continue
            assert not re.match(r"[a-z]+:|//|/", target), (page, target)
            path = target.split("#")[0]
            if path:
                assert (page.parent / path).resolve().is_file(), (page, target)
        assert html.count('rel="stylesheet"') == 1
    index = (site / "index.html").read_text(encoding="utf-8")
    for heading in (
        "計画",
        "政策分野と取組方針",
        "分野別の目標の状態",
        "全体",
        f"前回からの変更 ({MEETING}以降)",
        "遅延・未達・未報告 (",
    ):
        assert heading in index, heading
    project = (site / "projects" / names["kurashi/online-shinryo"]).read_text(encoding="utf-8")
    for text in (
        "<h2>事業別ロードマップ</h2>",
        "<h2>指標の推移</h2>",
        "<h2>計画変更の履歴</h2>",
        "運行ルートの見直し (R8→R9)",
    ):
        assert text in project, text
    replans = re.search(r'<table id="replans".*?</table>', project, re.DOTALL)
    assert replans is not None and replans.group(0).count("<tr>") == 2  # the header and the one move (not creation)


def test_site_refuses_a_file_and_removes_only_its_own_stale_pages(run: Run, reviewed: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("keep", encoding="utf-8")
    result = run("export", "-o", str(taken), "--format", "site", "--as-of", AS_OF, cwd=reviewed)
    assert result.exit_code == 1 and "not a folder" in result.stderr and taken.read_text(encoding="utf-8") == "keep"
    work = tmp_path / "work"
    shutil.copytree(reviewed / "roadmaps", work / "roadmaps")  # not in git: no changes, said once
    site = tmp_path / "site"
    site.mkdir()
    (site / "CNAME").write_text("example.invalid\n", encoding="utf-8")
    result = run("export", "-o", str(site), "--format", "site", "--as-of", AS_OF, cwd=work)
    assert result.exit_code == 0, result.output
    assert "the site shows no changes since the last meeting" in result.stderr
    assert "No changes can be shown" in (site / "changes.html").read_text(encoding="utf-8")
    stale = site / "projects" / "gyosei--data-katsuyo.html"
    assert stale.is_file()
    (work / "roadmaps" / "gyosei" / "data-katsuyo.yaml").unlink()
    assert run("export", "-o", str(site), "--format", "site", "--as-of", AS_OF, cwd=work).exit_code == 0
    assert not stale.exists() and (site / "CNAME").read_text(encoding="utf-8") == "example.invalid\n"
    assert not list(site.rglob(".*.tmp"))


def test_site_and_report_in_a_real_browser(run: Run, reviewed: Path, tmp_path: Path, browser: Any, axe: str) -> None:
    """Every page of a site and the one-page report: axe-core finds no WCAG 2.1 A/AA violation, nothing is
    logged, nothing is fetched from outside file://; at phone width nothing but the tables' own boxes scrolls.
    The site is of one field (its five projects: KPI charts, a monitored indicator, a move, a Japanese id), so
    that every page of it is audited in time; the site of every field is the same pages, more of them."""
    site = exported(run, reviewed, tmp_path / "site", "--format", "site", "--lang", "ja", "--field", "暮らし・まち")
    report = exported(run, reviewed, tmp_path / "report.html", "--since", "last-meeting", "--lang", "ja")
    english = exported(run, reviewed, tmp_path / "english.html", "--since", "last-meeting")
    plain = exported(run, reviewed, tmp_path / "plain.html")  # without --since
    pages = [report, english, site / "index.html", site / "changes.html", *sorted(site.glob("projects/*.html")), plain]
    for n, path in enumerate(pages):
        for width in (1280, 390):
            opened = Opened(browser, path, width)
            try:
                # every page at desktop width; at phone width too the Japanese report, index, changes, a project
                if width == 1280 or n in (0, 2, 3, 4):
                    assert opened.violations(axe) == [], (path.name, width)
                assert opened.messages == [] and opened.outside == [], (path.name, width)
                overflow = opened.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (path.name, width, overflow)  # only the tables' own boxes scroll sideways
                if width == 390 and n < 3:
                    shot = opened.page.screenshot(full_page=False)
                    assert png_size(shot) == (390, 900) and len(shot) > 20_000
            finally:
                opened.close()
    with served(site) as host:  # from a static host, as from file://: the same pages, nothing else asked for
        for name in ("index.html", "changes.html", f"projects/{page_names([JAPANESE_ID])[JAPANESE_ID]}"):
            opened = Opened(browser, f"{host}/{name}", 1280)
            try:
                assert opened.messages == [] and opened.outside == [], name
                background = opened.page.evaluate("getComputedStyle(document.querySelector('th')).backgroundColor")
                assert background == "rgb(31, 78, 121)", name  # the shared stylesheet came too
            finally:
                opened.close()
    opened = Opened(browser, site / "index.html", 1280)
    try:
        assert opened.page.evaluate("document.documentElement.lang") == "ja"
        sheet = opened.page.evaluate("getComputedStyle(document.querySelector('th')).backgroundColor")
        assert sheet == "rgb(31, 78, 121)"  # the shared stylesheet was applied
        colour = opened.page.evaluate("getComputedStyle(document.querySelector('mark.chg')).color")
        assert colour == f"rgb({INK[0]}, {INK[1]}, {INK[2]})"
        assert opened.page.evaluate("document.querySelector('mark.chg').textContent").startswith("◆")
        hrefs = opened.page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.tabIndex)")
        assert hrefs and all(i == 0 for i in hrefs)  # every link is reached by the keyboard
        shot = opened.page.screenshot(full_page=True)
        width, height = png_size(shot)
        assert width == 1280 and height > 1500
    finally:
        opened.close()


def test_printed_a4_landscape_with_no_row_cut_in_two(run: Run, tmp_path: Path, browser: Any) -> None:
    """The slipping list of a crowded portfolio, printed from the one-page report and the site: every page A4
    landscape; each row's reason begins and ends on the same page. The same page printed with rows allowed to
    break does cut one: the check can see it."""
    repo = crowded(tmp_path / "crowded")
    report = exported(run, repo, tmp_path / "report.html", "--lang", "ja")
    site = exported(run, repo, tmp_path / "site", "--format", "site", "--lang", "ja")
    for path in (report, site / "index.html"):
        opened = Opened(browser, path, 1280)
        try:
            opened.page.emulate_media(media="print")
            rule = opened.page.evaluate("getComputedStyle(document.querySelector('#slipping tr')).breakInside")
            assert rule == "avoid"
            hidden = (
                "[...document.querySelectorAll('label.filter, a.skip, nav.site')].map(e => getComputedStyle(e).display)"
            )
            assert set(opened.page.evaluate(hidden)) == {"none"}  # no switch, skip link or navigation on paper
            pdf = tmp_path / f"{path.stem}.pdf"
            data = opened.page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            sizes = pdf_pages(data)
            assert len(sizes) >= 3 and set(sizes) == {A4_LANDSCAPE}, sizes
            texts = page_texts(pdf)
            for n in range(28):
                begin = per_page(texts, f"ROW{n:02d}BEGIN")
                assert sum(begin) >= 1 and begin == per_page(texts, f"ROW{n:02d}END"), n
            opened.page.add_style_tag(content="tr, td, th { break-inside: auto !important; }")
            loose = tmp_path / f"{path.stem}-loose.pdf"
            opened.page.pdf(path=str(loose), prefer_css_page_size=True)
            texts = page_texts(loose)
            cut = [n for n in range(28) if per_page(texts, f"ROW{n:02d}BEGIN") != per_page(texts, f"ROW{n:02d}END")]
            assert cut, "rows allowed to break were not cut either: the check proves nothing"
        finally:
            opened.close()


# ---------------------------------------------------------------- the README's screenshots


def test_readme_screenshots(run: Run, reviewed: Path, tmp_path: Path, browser: Any) -> None:
    """The committee's report (`export --format html --since last-meeting`) and the site's index at desktop
    width; written into docs/ with DXROADMAP_WRITE_DOCS set."""
    report = exported(run, reviewed, tmp_path / "report.html", "--since", "last-meeting", "--lang", "ja")
    plain = exported(run, reviewed, tmp_path / "plain.html", "--lang", "ja")
    site = exported(run, reviewed, tmp_path / "site", "--format", "site", "--lang", "ja")
    shots = {
        "report-html.png": (plain, None, (1200, 1500)),
        "report-since.png": (report, "#changes", (1280, 1000)),
        "site-index.png": (site / "index.html", None, (1280, 1000)),
        "site-project.png": (site / "projects" / "sangyo--kensetsu-ict.html", ".trends", (1280, 1000)),
    }
    for name, (path, anchor, size) in shots.items():
        opened = Opened(browser, path, *size)
        try:
            if anchor:
                opened.page.evaluate(f"document.querySelector('{anchor}').scrollIntoView()")
            shot = opened.page.screenshot()
            assert png_size(shot) == size and len(shot) > 50_000
            if os.environ.get("DXROADMAP_WRITE_DOCS"):
                (PROJECT / "docs" / name).write_bytes(shot)
        finally:
            opened.close()
