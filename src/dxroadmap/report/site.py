"""`export --format site`: the portfolio as a small static site for the public, from the pieces of `html`.

`index.html` (the plan and its fields, the chart of target states by field, the status table, the
changes since the last meeting, the slipping list), one page per project under `projects/` (its
roadmap grid, KPI trends and re-planning history) and `changes.html` (every change since the
review point), sharing one stylesheet, `style.css` (print rules under `@media print`: A4
landscape, no table row cut in two). Links are relative and nothing is fetched from anywhere, so
it works from `file://` as from any static host; no script. File names of project pages are made
of the id's ASCII letters, digits, `-` and `_` (a `/` becomes `--`); an id that needs more than
that, or that would collide with another (a case-insensitive file system), also gets a short
digest of the id, so a Japanese id or `a/b` beside `a--b` still has a page of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from dxroadmap import fiscal
from dxroadmap.i18n import Words
from dxroadmap.progress import ProjectStatus
from dxroadmap.report import html, review
from dxroadmap.report.tables import MARKS, Report, history_rows, meta_line, shown_years
from dxroadmap.safe import clean

if TYPE_CHECKING:  # only types: the review log's module is loaded by the commands that use it
    from dxroadmap.history import Event

STYLE = "style.css"
INDEX = "index.html"
CHANGES = "changes.html"
FOLDER = "projects"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def page_names(ids: Sequence[str]) -> dict[str, str]:
    """A file name (`name.html`) for each project id: ASCII, unique even where case is not told apart."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for pid in ids:
        wanted = pid.replace("/", "--")
        name = _UNSAFE.sub("-", wanted).strip("-")[:80]
        if name != wanted or name.casefold() in taken:
            name = f"{name or 'p'}-{_digest(pid)}"
        n = 2
        while name.casefold() in taken:  # a digest that collides too: never in practice, but never a lost page
            name = f"{name}-{n}"
            n += 1
        taken.add(name.casefold())
        names[pid] = f"{name}.html"
    return names


def _digest(pid: str) -> str:
    return hashlib.sha256(pid.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def pages(
    report: Report,
    version: str,
    replans: Mapping[str, Sequence[Event]],
    logged: bool,
    missing: str | None = None,
) -> list[tuple[str, bytes]]:
    """Every file of the site as (relative name, bytes), the stylesheet first and the index last."""
    names = page_names([s.project.id for s in report.statuses])
    files = [(STYLE, html.CSS.lstrip().encode())]
    for n, s in enumerate(report.statuses):
        body = _project(report, s, names, replans.get(s.project.id, ()), logged, f"k{n}")
        files.append((f"{FOLDER}/{names[s.project.id]}", _document(report, version, *body, depth=1).encode()))
    files.append((CHANGES, _document(report, version, *_changes(report, names, missing), depth=0).encode()))
    files.append((INDEX, _document(report, version, *_index(report, names, missing), depth=0).encode()))
    return files


def _t(text: str) -> str:
    return escape(clean(text))


Page = tuple[str, str, str]  # (its title, its body after the navigation, the page it is: INDEX, CHANGES or "")


def _document(report: Report, version: str, title: str, body: str, here: str, *, depth: int) -> str:
    """A page of the site: the shared stylesheet, the skip link, the navigation (`here` marked), the body."""
    words = report.words
    up = "../" * depth
    lang = "ja" if words.lang == "ja" else "en"
    nav = []
    for target, label in ((INDEX, words("site_home")), (CHANGES, words("changes_heading"))):
        current = ' aria-current="page"' if target == here else ""
        nav.append(f'<a href="{up}{target}"{current}>{escape(label)}</a>')
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_t(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'  # no request for /favicon.ico on a static host
        f'<link rel="stylesheet" href="{up}{STYLE}">\n</head>\n<body>\n'
        f'<a class="skip" href="#main">{escape(words("skip_to_content"))}</a>\n'
        f'<header><nav class="site" aria-label="{escape(words("site_nav"))}">{"".join(nav)}</nav>\n'
        f"{body}\n"
        f"<footer>{escape(words('generated', version=version))}</footer>\n</body>\n</html>\n"
    )


def _title(report: Report) -> str:
    return f"{report.settings.title or 'dxroadmap'} {report.words('report_title')}"


def _legend(words: Words) -> str:
    return '<p class="legend">' + " ".join(f"<span>{html._state(s, words)}</span>" for s in MARKS) + "</p>"


def _index(report: Report, names: Mapping[str, str], missing: str | None) -> Page:
    words, settings = report.words, report.settings

    def link(pid: str) -> str:
        return f"{FOLDER}/{names[pid]}" if pid in names else "#"

    head = (
        f"<h1>{_t(_title(report))}</h1>"
        f'<p class="meta">{_t(meta_line(settings, report.as_of, words))}</p>{_legend(words)}</header>'
    )
    body = [
        head,
        '<main id="main">',
        *_plan(report),
        f"<h2>{escape(words('by_field'))}</h2>",
        f'<figure class="chart" id="chart">{html.field_chart(report.statuses, words)}</figure>',
        f"<h2>{escape(words('summary_sheet'))}</h2>",
        html.summary_table(report.statuses, report.years, words, link, report.changes),
        *_changes_summary(report, names, missing),
        f"<h2>{escape(words('slipping_count', n=len(report.items)))}</h2>",
        html.slipping_table(report.items, words, link),
        "</main>",
    ]
    return _title(report), "\n".join(body), INDEX


def _plan(report: Report) -> list[str]:
    """計画: its name, period and meetings, and its fields with their focus areas and projects."""
    words, settings = report.words, report.settings
    facts = [(words("plan_title"), settings.title or "dxroadmap")]
    if settings.period is not None:
        facts.append((words("plan_period"), f"{fiscal.label(settings.period[0])}–{fiscal.label(settings.period[1])}"))
    meeting = settings.next_meeting(report.as_of)
    if meeting is not None:
        facts.append((words("next_meeting"), f"{meeting.name} {meeting.date.isoformat()}"))
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{_t(v)}</dd>" for k, v in facts)
    counts: dict[str, int] = {}
    for s in report.statuses:
        counts[s.field] = counts.get(s.field, 0) + 1
    fields = list(dict.fromkeys([*settings.fields, *counts]))
    comma = "、" if words.lang == "ja" else ", "
    rows = "".join(
        f"<tr><td>{_t(f)}</td><td>{_t(comma.join(settings.focus.get(f, ())))}</td>"
        f'<td class="num">{counts.get(f, 0)}</td></tr>'
        for f in fields
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in (words("field"), words("focus"), words("projects")))
    table = (
        f'<div class="scroll"><table id="fields"><caption>{escape(words("fields_heading"))}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return [f"<h2>{escape(words('plan_heading'))}</h2>", f'<dl class="head">{dl}</dl>', table]


def _changes_summary(report: Report, names: Mapping[str, str], missing: str | None) -> list[str]:
    """On the index: the projects that changed since the review point, each in a few words, and the way to all."""
    words, changes = report.words, report.changes
    if changes is None:
        return [f'<h2 id="changes">{escape(words("changes_heading"))}</h2>', _missing(words, missing)]
    items = []
    for s in report.statuses:
        if changes.of_project(s.project.id):
            href = f"{FOLDER}/{names[s.project.id]}"
            items.append(
                f'<li><a href="{escape(href)}">{_t(s.project.roadmap.name)}</a> <small>({_t(s.project.id)})</small> '
                f"{html.changed(review.summary(changes, s.project.id, words))}</li>"
            )
    listed = f'<ul class="changed">{"".join(items)}</ul>' if items else f"<p>{escape(words('changes_none'))}</p>"
    return [
        f'<h2 id="changes">{_t(review.heading(changes, words))}</h2>',
        f"<p>{_t(review.legend(changes, words))}</p>",
        listed,
        f'<p><a href="{CHANGES}">{escape(words("all_changes"))}</a></p>',
    ]


def _missing(words: Words, missing: str | None) -> str:
    return f"<p>{_t(words('changes_missing', reason=missing or ''))}</p>"


def _changes(report: Report, names: Mapping[str, str], missing: str | None) -> Page:
    words, changes = report.words, report.changes

    def link(pid: str) -> str:
        return f"{FOLDER}/{names[pid]}" if pid in names else "#"

    if changes is None:
        body = f'<h1>{escape(words("changes_heading"))}</h1></header>\n<main id="main">{_missing(words, missing)}'
        return f"{words('changes_heading')} — {_title(report)}", body + "</main>", CHANGES
    section = html.changes_section(changes, words, link, "h1")
    body = f'{section[0]}</header>\n<main id="main">{"".join(section[1:])}</main>'
    return f"{review.heading(changes, words)} — {_title(report)}", body, CHANGES


def _project(
    report: Report, s: ProjectStatus, names: Mapping[str, str], events: Sequence[Event], logged: bool, prefix: str
) -> Page:
    words, settings, changes = report.words, report.settings, report.changes
    pid = s.project.id
    roadmap = s.project.roadmap

    def link(other: str) -> str:
        return names.get(other, "#")

    years = shown_years(report.years, s, settings.period)
    moved = report.moved.get(pid)
    parts = [
        f"<h1>{_t(roadmap.name)} <small>({_t(pid)})</small></h1></header>",
        '<main id="main">',
        html.head_list(s, words, changes),
        f"<h2>{escape(words('projects_heading'))}</h2>",
        _legend(words),
        html.grid_table(s, years, words, moved, settings.period, changes),
        html.trend_figures(s, words, settings, prefix, "h2"),
        f"<h2>{escape(words('replan_history'))}</h2>",
        _replans(events, logged, words),
    ]
    if changes is not None:
        parts += html.changes_section(changes, words, link, "h2", changes.of_project(pid))
    parts.append("</main>")
    return f"{roadmap.name} — {_title(report)}", "\n".join(parts), ""


def _replans(events: Sequence[Event], logged: bool, words: Words) -> str:
    """The targets of a project added, moved, changed or dropped, from the review log, oldest first."""
    if not logged:
        return f"<p>{escape(words('no_review_log'))}</p>"
    if not events:
        return f"<p>{escape(words('no_replans'))}</p>"
    rows = history_rows(events, words)
    keep = [i for i, _ in enumerate(rows.header) if i != 3]  # not the project: the page is the project's
    head = "".join(f"<th>{escape(rows.header[i])}</th>" for i in keep)
    body = "".join("<tr>" + "".join(f"<td>{_t(row[i])}</td>" for i in keep) + "</tr>" for row in rows.rows)
    return (
        f'<div class="scroll"><table id="replans" tabindex="0"><caption class="sr-only">'
        f"{escape(words('replan_history'))}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
