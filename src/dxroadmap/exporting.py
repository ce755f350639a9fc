"""`export`'s route once its options are read: the portfolio loaded as the format needs it, built into one
document or a site (`report.export`), and written where `-o` says (`store`), saying so on stderr.

Three loads: JSON without `--since` is written from the digests as it is made (a national roll-up never sits in
memory); the other documents read the whole models; with `--since`, and for a site (since the last meeting,
where the review log tells), the models are compared with the review log's point. Command line layer, as
`cli` is: the one command whose route joins services and reports at more than one turn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxroadmap import portfolio, progress, store
from dxroadmap.i18n import Words, t
from dxroadmap.problems import Problem
from dxroadmap.report import export as exports
from dxroadmap.report import out


def refuse_unwritable(output: str, kind: str) -> None:
    """Before any work: a file where the site's folder goes; a folder, a socket or a block device where a file goes."""
    if kind == "site":
        store.output_folder(Path(output))
    elif output != "-":
        store.output_kind(Path(output))


def build(
    kind: str,
    scope: portfolio.Scope,
    words: Words,
    field: str | None,
    owner: str | None,
    since: str | None,
    *,
    bom: bool,
) -> tuple[Any, int, list[Problem]]:
    """(the export's bytes, its pieces or the site's files, the number of projects, the problems)."""
    as_of = scope.as_of
    if kind == "json" and since is None:  # written as it is made: a national roll-up never sits in memory
        from dxroadmap.report import data

        view = portfolio.overview(scope, with_slips=True)
        selected = view.select(field, owner)
        texts = portfolio.project_documents(view, selected, as_of, data.portfolio_project, scope.progress)
        slips = (item for d in selected for item in d.slips())
        return exports.portfolio_json(view.settings, as_of, texts, slips, view.problems), len(selected), view.problems
    if since is None and kind != "site":
        rolled, changes = portfolio.load_all(scope, field, owner), None
    else:  # what changed since WHEN (a site: since the last meeting, where the review log tells)
        fallback = "last-meeting" if kind == "site" else None
        found = portfolio.review(scope, field, owner, since, fallback)
        rolled, changes = found.rolled, _changes(found.since)
        if found.missing is not None:
            out.warn(t("export.no_changes", reason=found.missing))
    items = progress.slipping_items(rolled.statuses, as_of)
    years = portfolio.plan_years(rolled.settings, rolled.statuses)
    common = (rolled.settings, rolled.statuses, items, years, rolled.moved, as_of, words)
    if kind == "site":
        content: Any = exports.site(*common, changes, found.replans, found.logged, found.missing)
    elif kind == "json" and changes is not None:
        content = exports.since_json(rolled.settings, as_of, rolled.statuses, items, rolled.problems, changes)
    else:
        content = exports.document(kind, *common, bom=bom, changes=changes)
    return content, len(rolled.statuses), rolled.problems


def _changes(found: portfolio.SinceView | None) -> Any:
    """What the reports mark and list of `status --since`'s comparison (None without one)."""
    from dxroadmap.report import review

    if found is None:
        return None
    point = found.point
    return review.changes(found.rolled.statuses, found.then, found.report, point.label, point.date, found.revision)


def write(output: str, kind: str, content: Any, count: int) -> None:
    """The site's files into the folder, each atomically; a document to stdout (`-o -`), or to a file atomically,
    a FIFO or a device written into; then what was written, on stderr."""
    path = Path(output)
    if kind == "site":
        store.write_folder(path, content)
        out.note(t("cli.wrote_site", path=store.display_path(path), files=len(content), count=count))
    elif output == "-":
        out.binary(content)
    else:
        store.write_output(path, content)
        out.note(t("cli.wrote_export", path=store.display_path(path), format=kind, count=count))
