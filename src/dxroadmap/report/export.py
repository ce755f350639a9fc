"""`export`: the whole portfolio as one document — xlsx, CSV, HTML, Markdown, or JSON written as it is made."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from dxroadmap import __version__
from dxroadmap.i18n import Words
from dxroadmap.problems import Problem
from dxroadmap.progress import ProjectStatus, SlipItem, slip_order
from dxroadmap.settings import Settings

FORMATS = ("xlsx", "csv", "json", "markdown", "html")
SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "markdown", ".html": "html", ".htm": "html"}


def document(
    kind: str,
    settings: Settings,
    statuses: list[ProjectStatus],
    items: list[SlipItem],
    years: list[int],
    moved: Any,
    as_of: date,
    words: Words,
    *,
    bom: bool,
) -> bytes:
    """The export of whole models: `kind` is xlsx, csv (one row per target, BOM unless `bom` is false),
    html or markdown."""
    from dxroadmap.report import tables

    if kind == "csv":
        text = tables.to_csv(tables.target_rows(statuses, words), lineterminator="\r\n")
        return ("\ufeff" if bom else "").encode() + text.encode()
    report = tables.Report(statuses, items, settings, years, as_of, words, moved)
    if kind == "xlsx":
        from dxroadmap.report import xlsx

        return xlsx.workbook(report)
    if kind == "html":
        from dxroadmap.report import html

        return html.page(report, __version__).encode()
    return tables.markdown_report(report).encode()


def portfolio_json(
    settings: Settings, as_of: date, projects: Iterable[str], items: Iterable[SlipItem], problems: Sequence[Problem]
) -> Iterator[bytes]:
    """`export --format json`: the head, each project's JSON text as it comes, the slip items worst first,
    the invalid files — in pieces, so that a national roll-up never sits in memory whole."""
    from dxroadmap.report import data, stream
    from dxroadmap.safe import json_text

    def slips() -> Iterator[str]:
        ordered = sorted(items, key=slip_order)
        return (json_text(json.dumps(data.slip(item), ensure_ascii=False, indent=2)) for item in ordered)

    def tail() -> dict[str, Any]:
        return {"invalid": [data.problem(p) for p in problems]}

    head = data.portfolio_head(settings, as_of, __version__)
    return (piece.encode() for piece in stream.pieces(head, [("projects", projects), ("slipping", slips())], tail))
