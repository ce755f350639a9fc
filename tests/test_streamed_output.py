"""Long outputs are made as they are written (the slipping list of a national roll-up has 120,000 items), and
are the same bytes as when they were made whole."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from dxroadmap import i18n
from dxroadmap.progress import SlipItem
from dxroadmap.report import stream, tables
from dxroadmap.states import State


def item(n: int) -> SlipItem:
    return SlipItem(
        f"p{n:05d}", f"取組{n % 7}", n % 4, 2026, None, f"目標 {n}", State.MISSED, date(2026, 3, 31), n % 300,
        n % 2 == 0, None, name=f"事業 {n}", reason="遅れ | <理由>" if n % 3 == 0 else None,
    )  # fmt: skip


def as_object(slip: SlipItem) -> dict[str, object]:
    return {"project": slip.project, "target": slip.target, "days_late": slip.days_late, "reason": slip.reason}


@pytest.mark.parametrize("count", [0, 1, stream.ITEMS, stream.ITEMS + 1, 2 * stream.ITEMS + 500])
def test_each_writes_what_the_whole_list_writes(count: int) -> None:
    items = [item(n) for n in range(count)]
    made, whole = io.StringIO(), io.StringIO()
    stream.write(stream.Each(items, as_object), made)
    stream.write([as_object(i) for i in items], whole)
    assert made.getvalue() == whole.getvalue()
    assert json.loads(made.getvalue()) == [as_object(i) for i in items]


def test_the_slipping_rows_are_made_as_they_are_read() -> None:
    items = [item(n) for n in range(2500)]
    words = i18n.Words("ja")
    rows = tables.slipping_rows(items, words)
    assert not isinstance(rows.rows, list | tuple)  # a generator: never 120,000 lists of cells at once
    written = io.StringIO()
    tables.write_csv(tables.slipping_rows(items, words), written)
    assert written.getvalue() == tables.to_csv(tables.slipping_rows(items, words))
    parsed = list(csv.reader(io.StringIO(written.getvalue())))
    assert len(parsed) == 1 + len(items)
    assert parsed[1][1] == "p00000"
    markdown = io.StringIO()
    tables.write_markdown(tables.slipping_rows(items, words), markdown)
    lines = markdown.getvalue().splitlines()
    assert len(lines) == 2 + len(items)
    assert "遅れ \\| &lt;理由&gt;" in lines[2]  # cells escaped as before
