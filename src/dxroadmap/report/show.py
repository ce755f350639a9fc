"""`show`: one project as JSON, CSV or Markdown (the terminal's table is `terminal.show`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.progress import ProjectStatus
from dxroadmap.report import data, tables
from dxroadmap.safe import clean

Moved = dict[tuple[str, int, str], int]


def document(status: ProjectStatus, years: Sequence[int], moved: Moved, period: tuple[int, int] | None) -> Any:
    """The project's status JSON with its actuals, and the years shown (`in_period` false outside the plan)."""
    out = data.project(status, with_actuals=True, moved=moved)
    out["years"] = [{"fiscal_year": fiscal.label(y), "in_period": not tables.outside(y, period)} for y in years]
    return out


def text(
    fmt: str, status: ProjectStatus, years: Sequence[int], words: Words, moved: Moved, period: tuple[int, int] | None
) -> str:
    """The roadmap grid as CSV, or as Markdown under the project's heading (with the legend of years outside)."""
    rows = tables.show_rows(status, list(years), words, moved, period, outside_word=fmt == "csv")
    if fmt == "csv":
        return tables.to_csv(rows)
    roadmap = status.project.roadmap
    head = (
        f"## {clean(roadmap.name)}\n\n"
        f"- {words('field')}: {clean(roadmap.field)}\n- {words('owner')}: {clean(roadmap.owner)}\n"
        + (f"- {words('summary')}: {clean(roadmap.summary)}\n" if roadmap.summary else "")
        + f"- {words('state')}: {words(status.state)}\n\n"
    )
    legend = f"\n{tables.outside_legend(words)}\n" if any(tables.outside(y, period) for y in years) else ""
    return head + tables.to_markdown(rows) + legend
