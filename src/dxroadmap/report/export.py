"""`export`: the whole portfolio as one document — xlsx, CSV, HTML, Markdown, or JSON written as it is made —
or as a site of pages (`site`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from dxroadmap import __version__
from dxroadmap.i18n import Words
from dxroadmap.problems import Problem
from dxroadmap.progress import ProjectStatus, SlipItem, slip_order
from dxroadmap.settings import Settings

if TYPE_CHECKING:  # only types: the review log's module is loaded by the commands that use it
    from dxroadmap.history import Event
    from dxroadmap.report.review import Changes

FORMATS = ("xlsx", "csv", "json", "markdown", "html", "site")
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
    changes: Changes | None = None,
) -> bytes:
    """The export of whole models: `kind` is xlsx, csv (one row per target, BOM unless `bom` is false),
    html or markdown; with `changes` (`--since`), what changed is marked and listed."""
    from dxroadmap.report import tables

    if kind == "csv":
        text = tables.to_csv(tables.target_rows(statuses, words), lineterminator="\r\n")
        return ("\ufeff" if bom else "").encode() + text.encode()
    report = tables.Report(statuses, items, settings, years, as_of, words, moved, changes)
    if kind == "xlsx":
        from dxroadmap.report import xlsx

        return xlsx.workbook(report)
    if kind == "html":
        from dxroadmap.report import html

        return html.page(report, __version__).encode()
    return tables.markdown_report(report).encode()


def site(
    settings: Settings,
    statuses: list[ProjectStatus],
    items: list[SlipItem],
    years: list[int],
    moved: Any,
    as_of: date,
    words: Words,
    changes: Changes | None,
    replans: Mapping[str, Sequence[Event]],
    logged: bool,
    missing: str | None,
) -> list[tuple[str, bytes]]:
    """`export --format site`: every file of the site, as (relative name, bytes)."""
    from dxroadmap.report import site as pages
    from dxroadmap.report import tables

    report = tables.Report(statuses, items, settings, years, as_of, words, moved, changes)
    return pages.pages(report, __version__, replans, logged, missing)


def portfolio_json(
    settings: Settings,
    as_of: date,
    projects: Iterable[str],
    items: Iterable[SlipItem],
    problems: Sequence[Problem],
    since: dict[str, Any] | None = None,
) -> Iterator[bytes]:
    """`export --format json`: the head, each project's JSON text as it comes, the slip items worst first,
    the invalid files (and with `--since`, its point) — in pieces, so that a national roll-up never sits in
    memory whole."""
    from dxroadmap.report import data, stream
    from dxroadmap.safe import json_text

    def slips() -> Iterator[str]:
        ordered = sorted(items, key=slip_order)
        return (json_text(json.dumps(data.slip(item), ensure_ascii=False, indent=2)) for item in ordered)

    def tail() -> dict[str, Any]:
        return {"invalid": [data.problem(p) for p in problems], **({"since": since} if since is not None else {})}

    head = data.portfolio_head(settings, as_of, __version__)
    lists = [("projects", projects), ("slipping", slips())]
    return (piece.encode() if isinstance(piece, str) else piece for piece in stream.pieces(head, lists, tail))


def since_json(
    settings: Settings,
    as_of: date,
    statuses: Sequence[ProjectStatus],
    items: Iterable[SlipItem],
    problems: Sequence[Problem],
    changes: Changes,
) -> Iterator[bytes]:
    """`export --format json --since WHEN`: the whole models, each project with its `since`, and the point."""
    from dxroadmap.report import data
    from dxroadmap.safe import json_text

    texts = (
        json_text(
            json.dumps(
                {**data.portfolio_project(s), "since": data.export_since(changes, s)}, ensure_ascii=False, indent=2
            )
        )
        for s in statuses
    )
    return portfolio_json(settings, as_of, texts, items, problems, data.since_point(changes))
