"""Report forms for the benchmarks: a portfolio of many owner sections, and its forms answered.

`portfolio(projects, sections)` builds roadmaps with benchmarks/corpus.py's generator, each owner
section (担当課) holding `projects / sections` of them; R8 Q2, the period just completed on the
benchmarks' as-of date, has nothing reported for it yet (the generator's R8 Q2 entries are left out). `fill(form,
out)` answers a form with openpyxl the way a person types into it: a text on every initiative row,
✔ on every third task, a number on every KPI row, a 理由 in every cell marked required (orange: the
target was slipping or missed at the period's end), and a date on every other initiative row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from corpus import render, roadmap

DEPARTMENTS = ["企画政策部", "総務部", "農林水産部", "健康福祉部", "商工観光部", "県土整備部"]
SECTIONS = ["DX推進課", "情報政策課", "行政改革課", "企画調整課", "地域振興課"]
FOLDERS = {"産業・しごと": "sangyo", "暮らし・まち": "kurashi", "行政経営": "gyosei"}
PERIOD = "R8Q2"  # Jul–Sep 2026: just ended on the benchmarks' as-of date (2026-11-26)
KEY_ROWS = 30  # the hidden row of column keys is among a sheet's first rows
REQUIRED = "F4B183"  # the fill of a 理由 cell the form marks required


def owners(count: int) -> list[str]:
    names = [f"{d}{s}" for s in SECTIONS for d in DEPARTMENTS]
    if count > len(names):
        raise ValueError(f"at most {len(names)} owner sections")
    return names[:count]


def portfolio(projects: int = 300, sections: int = 30, seed: int = 2026) -> dict[str, str]:
    """`projects` roadmap files by relative path, owned in turn by `sections` owner sections."""
    rng = random.Random(seed)
    names = owners(sections)
    files = {}
    for i in range(projects):
        data = roadmap(rng, i)
        data["担当課"] = names[i % sections]
        for initiative in data["取組"]:
            actuals = initiative["実績"]
            kept = [entry for entry in actuals.get("R8", []) if entry.get("四半期") != "Q2"]
            if kept:
                actuals["R8"] = kept
            else:
                actuals.pop("R8", None)
        text = render(data).replace("../schemas", "../../schemas")
        files[f"{FOLDERS[data['政策分野']]}/p{i:05d}.yaml"] = text
    return files


@dataclass
class Filled:
    rows: int = 0  # form rows (initiatives and targets)
    cells: int = 0  # input cells written

    def __iadd__(self, other: Filled) -> Filled:
        self.rows += other.rows
        self.cells += other.cells
        return self


def _keys(ws: Any) -> tuple[int, dict[str, int]] | None:
    for row in ws.iter_rows(max_row=KEY_ROWS):
        values = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "id.project" in values:
            return row[0].row, values
    return None


def fill(form: Path, out: Path) -> Filled:
    """Answer `form` as a person would and save it as `out`; what was written."""
    from openpyxl import load_workbook

    book = load_workbook(form)
    found = [(ws, head) for ws in book.worksheets if (head := _keys(ws)) is not None]
    if len(found) != 1:
        raise ValueError(f"{form}: {len(found)} form sheets")
    ws, (key_row, keys) = found[0]
    filled = Filled()
    tasks = initiatives = 0
    for r in range(key_row + 1, ws.max_row + 1):
        kind = ws.cell(r, keys["id.kind"]).value
        if kind not in ("initiative", "task", "kpi"):
            continue
        filled.rows += 1

        def write(key: str, value: str | float | datetime, row: int = r) -> None:
            ws.cell(row, keys[key]).value = value
            filled.cells += 1

        if kind == "initiative":
            write("text", f"第2四半期は{ws.cell(r, keys['id.initiative_name']).value}の作業を進めた")
            if initiatives % 2 == 0:
                write("date", datetime(2026, 9, 10 + initiatives % 20))
            initiatives += 1
            continue
        done = False
        if kind == "task":
            done = tasks % 3 == 0
            tasks += 1
            if done:
                write("done", "✔")
        else:
            target = ws.cell(r, keys["target_value"]).value
            write("value", round(float(target) * 0.6) if isinstance(target, (int, float)) else 5)
        if not done and str(ws.cell(r, keys["reason"]).fill.fgColor.rgb).endswith(REQUIRED):
            write("reason", "関係機関との調整に時間を要したため、第3四半期に実施する")
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return filled
