"""The `dxroadmap` command: parse options, call the store and the rules, render, return a code.

Exit codes: 0 success; 1 a problem in the data or the request; 2 a usage error (Typer's own).
Global options are declared on every command so that they work after the command name.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer

from dxroadmap import __version__, fiscal, i18n
from dxroadmap.problems import StoreError

if TYPE_CHECKING:  # imported lazily at run time
    from dxroadmap.progress import ProjectStatus
    from dxroadmap.store import Portfolio

app = typer.Typer(
    name="dxroadmap",
    help="Roadmaps of a DX promotion plan, kept as YAML files: validate, judge, report.",
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Lang(StrEnum):
    ja = "ja"
    en = "en"


DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="The roadmaps directory (default: $DXROADMAP_DIR, else roadmaps/ here or above)."),
]
AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Judge as of this date, YYYY-MM-DD (default: today)."),
]
LangOption = Annotated[Lang | None, typer.Option("--lang", help="Language of the output (default: from the locale).")]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour, even on a terminal.")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
FieldOption = Annotated[str | None, typer.Option("--field", help="Only projects of this field (政策分野).")]
OwnerOption = Annotated[str | None, typer.Option("--owner", help="Only projects whose owner (担当課) contains this.")]


@dataclass
class Context:
    dir: Path | None
    as_of: date
    words: i18n.Words
    no_color: bool


def _context(dir: Path | None, as_of: datetime | None, lang: Lang | None, no_color: bool) -> Context:
    if not sys.stdout.isatty() and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    if os.environ.get("NO_COLOR"):
        no_color = True
    return Context(
        dir, as_of.date() if as_of else date.today(), i18n.Words(i18n.resolve(lang.value if lang else None)), no_color
    )


P = ParamSpec("P")
R = TypeVar("R")


def _errors_are_lines(command: Callable[P, R]) -> Callable[P, R]:
    """Refused requests become one line on stderr and exit 1; nothing prints a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except StoreError as exc:
            _fail(str(exc))
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # the tool's own failure: still one line, never a traceback
            if os.environ.get("DXROADMAP_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set DXROADMAP_DEBUG=1 for details)")

    return wrapper


def _fail(message: str) -> NoReturn:
    from dxroadmap.safe import clean

    sys.stderr.write(f"dxroadmap: {clean(message)}\n")
    raise typer.Exit(1)


def _load(ctx: Context) -> Portfolio:
    from dxroadmap import store

    return store.load_portfolio(store.find_root(ctx.dir))


def _judge(
    portfolio: Portfolio, ctx: Context, field: str | None = None, owner: str | None = None
) -> list[ProjectStatus]:
    from dxroadmap import progress
    from dxroadmap.model import field_name

    projects = portfolio.projects
    if field is not None:
        wanted = field_name(field)
        known = list(dict.fromkeys([*portfolio.settings.fields, *(field_name(p.roadmap.field) for p in projects)]))
        if wanted not in known:
            raise StoreError(f"no field {field}; fields: {', '.join(known)}")
        projects = [p for p in projects if field_name(p.roadmap.field) == wanted]
    if owner is not None:
        needle = fiscal.normalize(owner)
        projects = [p for p in projects if needle in fiscal.normalize(p.roadmap.owner)]
    order = {name: i for i, name in enumerate(portfolio.settings.fields)}
    statuses = [progress.judge(p, portfolio.settings, ctx.as_of) for p in projects]
    statuses.sort(key=lambda s: (order.get(s.field, len(order)), s.field, s.project.id))
    return statuses


def _years(portfolio: Portfolio, statuses: Sequence[ProjectStatus]) -> list[int]:
    if portfolio.settings.period is not None:
        start, end = portfolio.settings.period
        return list(range(start, end + 1))
    used = {y for s in statuses for y in s.years()}
    return list(range(min(used), max(used) + 1)) if used else []


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _print_rows(rows: Any, fmt: Format) -> None:
    from dxroadmap.report import tables

    sys.stdout.write(tables.to_csv(rows) if fmt is Format.csv else tables.to_markdown(rows))


@app.command()
@_errors_are_lines
def status(
    field: FieldOption = None,
    owner: OwnerOption = None,
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Progress across the fields: one row per project, with flags; invalid files listed below."""
    ctx = _context(dir, as_of, lang, no_color)
    portfolio = _load(ctx)
    statuses = _judge(portfolio, ctx, field, owner)
    if format is Format.json:
        from dxroadmap.report import data

        _print_json(data.status(statuses, portfolio.problems, portfolio.settings, ctx.as_of))
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.status(
            terminal.console(ctx.no_color), statuses, portfolio.problems, portfolio.settings,
            _years(portfolio, statuses), ctx.as_of, ctx.words,
        )  # fmt: skip
    else:
        from dxroadmap.report import tables

        _print_rows(tables.status_rows(statuses, _years(portfolio, statuses), ctx.words), format)
        _report_problems(portfolio)
    if portfolio.problems:
        raise typer.Exit(1)


def _report_problems(portfolio: Portfolio) -> None:
    from dxroadmap.safe import clean

    for problem in portfolio.problems:
        sys.stderr.write(clean(str(problem)) + "\n")


@app.command()
@_errors_are_lines
def show(
    project: Annotated[str, typer.Argument(help="A project id, or a unique part of an id or a 事業名.")],
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """One project as the roadmap table: initiatives × years, a 目標 row and a 実績 row each."""
    from dxroadmap import progress, store

    ctx = _context(dir, as_of, lang, no_color)
    portfolio = _load(ctx)
    found = store.resolve_project(portfolio, project)
    status = progress.judge(found, portfolio.settings, ctx.as_of)
    years = _years(portfolio, [status])
    if format is Format.json:
        from dxroadmap.report import data

        _print_json(data.project(status, with_actuals=True))
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.show(terminal.console(ctx.no_color), status, years, ctx.as_of, portfolio.settings, ctx.words)
    else:
        from dxroadmap.report import tables

        if format is Format.markdown:
            roadmap = found.roadmap
            from dxroadmap.safe import clean

            sys.stdout.write(
                f"## {clean(roadmap.name)}\n\n"
                f"- {ctx.words('field')}: {clean(roadmap.field)}\n- {ctx.words('owner')}: {clean(roadmap.owner)}\n"
                + (f"- {ctx.words('summary')}: {clean(roadmap.summary)}\n" if roadmap.summary else "")
                + f"- {ctx.words('state')}: {ctx.words(status.state)}\n\n"
            )
        _print_rows(tables.show_rows(status, years, ctx.words), format)


@app.command()
@_errors_are_lines
def slipping(
    field: FieldOption = None,
    owner: OwnerOption = None,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when anything is flagged (for CI).")] = False,
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Every slipping item, worst first: targets slipping or missed, initiatives unreported."""
    from dxroadmap import progress

    ctx = _context(dir, as_of, lang, no_color)
    portfolio = _load(ctx)
    items = progress.slipping_items(_judge(portfolio, ctx, field, owner), ctx.as_of)
    if format is Format.json:
        from dxroadmap.report import data

        _print_json([data.slip(item) for item in items])
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.slipping(terminal.console(ctx.no_color), items, ctx.words)
    else:
        from dxroadmap.report import tables

        _print_rows(tables.slipping_rows(items, ctx.words), format)
    _report_problems(portfolio)
    if portfolio.problems or (exit_code and items):
        raise typer.Exit(1)


@app.command()
@_errors_are_lines
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to check (default: all roadmaps).")
    ] = None,
    format: FormatOption = Format.table,
    dir: DirOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Check every file against the format and its rules: one `path:line:col: CODE message` per problem."""
    from dxroadmap import store

    ctx = _context(dir, None, lang, no_color)
    if paths:
        try:
            root = store.find_root(ctx.dir)
        except StoreError:
            root = Path.cwd()
        files = [f for p in paths for f in ([p] if not p.is_dir() else store.project_files(p))]
        portfolio = store.load_portfolio(root, only=files)
    else:
        portfolio = _load(ctx)
        files = store.project_files(portfolio.root)
    problems = portfolio.problems
    if format is Format.json:
        from dxroadmap.report import data

        _print_json({"checked": len(files), "invalid": [data.problem(p) for p in problems]})
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.problems(terminal.console(ctx.no_color), problems)
        sys.stderr.write(ctx.words("checked", files=len(files), problems=len(problems)) + "\n")
    else:
        from dxroadmap.report import tables

        _print_rows(tables.problem_rows(problems), format)
    if problems:
        raise typer.Exit(1)


@app.command()
@_errors_are_lines
def schema(
    write: Annotated[bool, typer.Option("--write", help="Write the schemas into schemas/ beside roadmaps/.")] = False,
    dir: DirOption = None,
) -> None:
    """Print (or write into schemas/) the JSON Schemas of roadmap and plan files."""
    from dxroadmap import schema as schemas
    from dxroadmap import store

    generated = schemas.schemas()
    if not write:
        _print_json(generated)
        return
    try:
        target = store.find_root(dir).resolve().parent / "schemas"
    except StoreError:
        target = Path.cwd() / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    for name, content in generated.items():
        (target / name).write_text(schemas.dumps(content), encoding="utf-8")
        sys.stdout.write(f"wrote {store.display_path(target / name)}\n")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"dxroadmap {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Roadmaps of a DX promotion plan, kept as YAML files: validate, judge, report."""


def main() -> None:
    app()
