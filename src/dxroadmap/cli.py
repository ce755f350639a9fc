"""The `dxroadmap` command: parse options, call the services, render, return a code.

Commands parse, call (`portfolio`, `recording`, `scaffold`, `history`), and render (`report`);
nothing else. Exit codes: 0 success; 1 a problem in the data or the request; 2 a usage error.
Global options are declared on every command so that they work after the command name.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from typer import completion

from dxroadmap import __version__, dialogue, fiscal, guard, helptext, i18n, portfolio
from dxroadmap.helptext import CommandHelp, Helpful
from dxroadmap.i18n import t
from dxroadmap.problems import RequestError, StoreError
from dxroadmap.report import out

if TYPE_CHECKING:  # imported lazily at run time
    pass

typer.core._ = helptext.framework_gettext  # type: ignore[attr-defined]  # Typer's words in help, in the chosen language


class _Command(CommandHelp, typer.core.TyperCommand):
    pass


class _Group(Helpful, typer.core.TyperGroup):
    pass


app = typer.Typer(
    name="dxroadmap",
    help=t("help.app"),
    cls=_Group,
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,  # `--show-completion SHELL` and `--install-completion SHELL`: see `_main`
)


def _given_dir(ctx: typer.Context) -> Path | None:
    return next(iter(ctx.params.get("dir") or []), None)


def _complete_project(ctx: typer.Context, incomplete: str) -> list[str]:
    return portfolio.complete_project(_given_dir(ctx), incomplete)


def _complete_initiative(ctx: typer.Context, incomplete: str) -> list[str]:
    # while an option's value is completed, the positional argument may still sit in ctx.args
    query = str(ctx.params.get("project") or next(iter(ctx.args), ""))
    return portfolio.complete_initiative(_given_dir(ctx), query, incomplete)


def _opt(*names: str, metavar: str | None = None, help: str, **kwargs: Any) -> Any:
    """An option whose metavar and help are words of the catalog (`metavar.KEY`, `help.KEY`), in the chosen language."""
    return typer.Option(*names, metavar=t(f"metavar.{metavar}") if metavar else None, help=t(f"help.{help}"), **kwargs)


def _arg(*, metavar: str, help: str, **kwargs: Any) -> Any:
    return typer.Argument(metavar=t(f"metavar.{metavar}"), help=t(f"help.{help}"), **kwargs)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Lang(StrEnum):
    ja = "ja"
    en = "en"


# Metavars in words of the chosen language (`PATH`, `DATE`, `N` … or `パス`, `日付`, `数` …), never a Python type.
DirsOption = Annotated[  # the commands that take several, for a roll-up
    list[Path] | None,
    _opt("--dir", metavar="path", help="dir"),
]
DirOption = Annotated[  # the commands that work in one (a second --dir is refused)
    list[Path] | None,
    _opt("--dir", metavar="path", help="dir_one"),
]
AsOfOption = Annotated[
    str | None,  # any spelling of fiscal.parse_date, read by _context once the language is set
    _opt("--as-of", metavar="date", help="as_of"),
]
LangOption = Annotated[Lang | None, typer.Option("--lang", metavar="ja|en", help=t("help.lang"))]
NoColorOption = Annotated[bool, _opt("--no-color", help="no_color")]
FormatOption = Annotated[Format, _opt("--format", "-f", metavar="format", help="format")]
FieldOption = Annotated[str | None, _opt("--field", metavar="field", help="field")]
OwnerOption = Annotated[str | None, _opt("--owner", metavar="text", help="owner")]
WhenOption = Annotated[str | None, _opt("--since", metavar="when", help="since")]


@dataclass
class Context:
    scope: portfolio.Scope  # the directories and the as-of date
    words: i18n.Words
    no_color: bool

    @property
    def as_of(self) -> date:
        return self.scope.as_of


AS_OF_RANGE = (date(fiscal.MIN_YEAR + 1, 1, 1), date(fiscal.MAX_YEAR - 1, 12, 31))


def _date_option(value: str | None, param_hint: str) -> date | None:
    """A date option in any spelling of `fiscal.parse_date`; else a usage error (exit 2) in the chosen language."""
    if value is None:
        return None
    try:
        return fiscal.parse_date(value)
    except fiscal.FiscalError as exc:
        raise typer.BadParameter(str(exc), param_hint=param_hint) from None


def _context(dir: list[Path] | None, as_of: str | None, lang: Lang | None, no_color: bool) -> Context:
    chosen = i18n.resolve(lang.value if lang else None)
    i18n.set_language(chosen)
    day = _date_option(as_of, "--as-of")
    low, high = AS_OF_RANGE
    if day is not None and not low <= day <= high:
        raise typer.BadParameter(t("cli.as_of_range", low=low.isoformat(), high=high.isoformat()), param_hint="--as-of")
    guard.configure_output(sys.stdout)  # UTF-8 into pipes and files; at a terminal, its encoding, never an error
    if os.environ.get("NO_COLOR"):
        no_color = True
    words = i18n.Words(chosen)
    bar = functools.partial(_progress_bar, words, no_color) if sys.stderr.isatty() else None
    return Context(portfolio.Scope(tuple(dir or ()), day or date.today(), bar), words, no_color)


def _progress_bar(words: i18n.Words, no_color: bool, total: int) -> Any:
    from dxroadmap.report import terminal

    return terminal.progress_bar(total, words("reading"), no_color)


P = ParamSpec("P")
R = TypeVar("R")


def _errors_are_lines(command: Callable[P, R]) -> Callable[P, R]:
    """Refused requests become one line on stderr and exit 1; a bug exits 70; nothing prints a traceback.

    A closed pipe on stdout exits 141 quietly; Ctrl-C (130) is left to `guard`, which says it.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except RequestError as exc:  # an option's value the service cannot serve: a usage error
            raise typer.BadParameter(str(exc), param_hint=exc.option) from None
        except StoreError as exc:
            _fail(str(exc))
        except dialogue.Ended:  # Ctrl-D at a prompt
            raise typer.Abort() from None
        except typer.Abort:
            if guard.interrupted():  # Ctrl-C at a prompt: an interrupt, not Typer's "Aborted!"
                raise KeyboardInterrupt from None
            raise
        except (typer.Exit, typer.BadParameter, SystemExit, KeyboardInterrupt):
            raise  # Typer's own: usage errors exit 2
        except BrokenPipeError:  # the reader of stdout has gone (`| head -1`): nothing more to say
            guard.silence_stdout()
            raise typer.Exit(guard.BROKEN_PIPE) from None
        except Exception as exc:  # the tool's own failure: one line and the saved traceback's path
            if os.environ.get("DXROADMAP_DEBUG"):
                raise
            failure = guard.output_failure(exc)  # stdout unwritable (read-only, disk full): a refusal, not a bug
            if failure is not None:
                _fail(failure)
            _fail(guard.internal_error(exc), guard.INTERNAL)

    return wrapper


def _fail(message: str, code: int = 1) -> NoReturn:
    from dxroadmap.safe import clean

    sys.stderr.write(f"dxroadmap: {clean(message)}\n")
    raise typer.Exit(code)


# --- commands ----------------------------------------------------------------------------


@app.command(cls=_Command, help=t("help.status"))
@_errors_are_lines
def status(
    field: FieldOption = None,
    owner: OwnerOption = None,
    since: WhenOption = None,
    limit: Annotated[int, _opt("--limit", min=1, metavar="n", help="status_limit")] = 100,
    all_: Annotated[bool, _opt("--all", help="all")] = False,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Progress across the fields: one row per project, with flags; invalid files listed below."""
    from dxroadmap.report import data

    ctx = _context(dir, as_of, lang, no_color)
    found = portfolio.status(ctx.scope, field, owner, since, data.project)  # the status JSON kept for a later run
    changed = found.since
    column = (changed.point.label, changed.report) if changed else None
    if format is Format.json and changed is not None:
        point = (changed.point, changed.revision, changed.report)
        out.json(data.status(changed.rolled.statuses, found.problems, found.settings, ctx.as_of, point))
    elif format is Format.json:
        from dxroadmap.report import stream

        invalid = {"invalid": [data.problem(p) for p in found.problems]}
        projects = (d.status_json() for d in found.digests)
        stream.write_list(data.status_head(found.settings, ctx.as_of), "projects", projects, invalid, sys.stdout)
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.status(
            terminal.console(ctx.no_color), found.summaries, found.problems, found.settings, found.years, ctx.as_of,
            ctx.words, column, None if all_ else limit,
        )  # fmt: skip
    else:
        from dxroadmap.report import tables

        out.rows(tables.status_rows(found.summaries, found.years, ctx.words, column), format.value)
        out.problems(found.problems)
    if found.problems:
        raise typer.Exit(1)


@app.command(cls=_Command, help=t("help.show"))
@_errors_are_lines
def show(
    project: Annotated[str, _arg(metavar="project", help="project", autocompletion=_complete_project)],
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """One project as the roadmap table: initiatives × years, a 目標 row and a 実績 row each."""
    from dxroadmap.report import show as shown
    from dxroadmap.report import tables

    ctx = _context(dir, as_of, lang, no_color)
    one = portfolio.one_project(ctx.scope, project)
    period = one.settings.period  # the grid widens it by every year that holds data, marked when outside it
    years = tables.shown_years(one.years, one.status, period)
    if format is Format.json:
        out.json(shown.document(one.status, years, one.moved, period))
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.show(terminal.console(ctx.no_color), one.status, years, ctx.as_of, one.settings, ctx.words, one.moved)
    else:
        sys.stdout.write(shown.text(format.value, one.status, years, ctx.words, one.moved, period))


@app.command("history", cls=_Command, help=t("help.history"))
@_errors_are_lines
def history_command(
    project: Annotated[
        str | None, _arg(metavar="project", help="history_project", autocompletion=_complete_project)
    ] = None,
    since: Annotated[str | None, _opt("--since", metavar="when", help="history_since")] = None,
    until: Annotated[str | None, _opt("--until", metavar="when", help="until")] = None,
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """The review log from git: who recorded which actuals, and which targets were re-planned."""
    ctx = _context(dir, as_of, lang, no_color)
    found = portfolio.events(ctx.scope, project, since, until)
    for warning in found.warnings:
        out.warn(warning)
    from dxroadmap.report import data, tables

    out.emit(
        format.value,
        ctx.no_color,
        as_json=lambda: [data.event(e) for e in found.events],
        as_table=lambda terminal, out: terminal.history(out, found.events, ctx.words),
        as_rows=lambda: tables.history_rows(found.events, ctx.words),
    )


@app.command(cls=_Command, help=t("help.slipping"))
@_errors_are_lines
def slipping(
    field: FieldOption = None,
    owner: OwnerOption = None,
    exit_code: Annotated[bool, _opt("--exit-code", help="exit_code")] = False,
    limit: Annotated[int, _opt("--limit", min=1, metavar="n", help="limit")] = 100,
    all_: Annotated[bool, _opt("--all", help="all")] = False,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Every slipping item, worst first: targets slipping or missed, initiatives unreported."""
    from dxroadmap.progress import slip_order

    ctx = _context(dir, as_of, lang, no_color)
    view = portfolio.overview(ctx.scope, with_slips=True)
    items = sorted((item for d in view.select(field, owner) for item in d.slips()), key=slip_order)
    from dxroadmap.report import data, tables

    out.emit(
        format.value,
        ctx.no_color,
        as_json=lambda: [data.slip(item) for item in items],
        as_table=lambda terminal, out: terminal.slipping(out, items, ctx.words, None if all_ else limit),
        as_rows=lambda: tables.slipping_rows(items, ctx.words),
    )
    out.problems(view.problems)
    if view.problems or (exit_code and items):
        raise typer.Exit(1)


@app.command(cls=_Command, help=t("help.validate"))
@_errors_are_lines
def validate(
    paths: Annotated[list[Path] | None, _arg(metavar="path", help="paths")] = None,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Check every file against the format and its rules: one `path:line:col: CODE message` per problem."""
    ctx = _context(dir, as_of, lang, no_color)
    view = portfolio.validated(ctx.scope, paths or [])
    every = sorted([*view.problems, *view.warnings])  # in file order, warnings beside errors
    if format is Format.json:
        from dxroadmap.report import data

        invalid, warnings = [data.problem(p) for p in view.problems], [data.problem(p) for p in view.warnings]
        out.json({"checked": view.checked, "invalid": invalid, "warnings": warnings})
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.problems(terminal.console(ctx.no_color), every)
        counts = ctx.words("checked", files=view.checked, problems=len(view.problems))
        if view.warnings:
            counts += ctx.words("and_warnings", warnings=len(view.warnings))
        sys.stderr.write(counts + "\n")
    else:
        from dxroadmap.report import tables

        out.rows(tables.problem_rows(every), format.value)
    if view.problems:
        raise typer.Exit(1)


@app.command(cls=_Command, help=t("help.schema"))
@_errors_are_lines
def schema(
    write: Annotated[bool, _opt("--write", help="write")] = False,
    dir: DirOption = None,
    lang: LangOption = None,
) -> None:
    """Print (or write into schemas/) the JSON Schemas of roadmap and plan files and of the JSON output."""
    from dxroadmap import schema as schemas
    from dxroadmap import store

    if not write:
        out.json(schemas.schemas())
        return
    for path in schemas.write(_context(dir, None, lang, no_color=False).scope.dir):
        out.say(t("cli.wrote", path=store.display_path(path)))


def _parsed_option(parse: Callable[[object], Any]) -> Callable[[str | None], Any]:
    """An option callback that reads the value with one of `fiscal`'s parsers (its refusal: a usage error)."""

    def callback(value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except fiscal.FiscalError as exc:
            raise typer.BadParameter(str(exc)) from None

    return callback


_year_option = _parsed_option(fiscal.parse_year)
_quarter_option = _parsed_option(fiscal.parse_quarter)
_half_option = _parsed_option(fiscal.parse_half)
_period_option = _parsed_option(fiscal.parse_period)
PeriodOption = Annotated[str | None, _opt("--period", metavar="period", callback=_period_option, help="period")]


@app.command(cls=_Command, help=t("help.record"))
@_errors_are_lines
def record(
    project: Annotated[str | None, _arg(metavar="project", help="project", autocompletion=_complete_project)] = None,
    initiative: Annotated[
        str | None,
        _opt("-i", "--initiative", metavar="initiative", help="initiative", autocompletion=_complete_initiative),
    ] = None,
    year: Annotated[str | None, _opt("--year", metavar="year", callback=_year_option, help="year")] = None,
    quarter: Annotated[
        str | None, _opt("--quarter", metavar="quarter", callback=_quarter_option, help="quarter")
    ] = None,
    half: Annotated[str | None, _opt("--half", metavar="half", callback=_half_option, help="half")] = None,
    done: Annotated[list[str] | None, _opt("--done", metavar="text", help="done")] = None,
    note: Annotated[str | None, _opt("--note", metavar="text", help="note")] = None,
    kpi: Annotated[list[str] | None, _opt("--kpi", metavar="kpi", help="kpi")] = None,
    reason: Annotated[str | None, _opt("--reason", metavar="text", help="reason")] = None,
    outlook: Annotated[str | None, _opt("--outlook", metavar="outlook", help="outlook")] = None,
    on: Annotated[str | None, _opt("--date", metavar="date", help="date")] = None,
    rating: Annotated[str | None, _opt("--rating", metavar="rating", help="rating")] = None,
    force: Annotated[bool, _opt("--force", help="force")] = False,
    dry_run: Annotated[bool, _opt("--dry-run", help="dry_run")] = False,
    commit: Annotated[bool, _opt("--commit", help="commit")] = False,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Add one actual to a roadmap (appended under 実績, every other byte of the file kept)."""
    from dxroadmap import recording, store

    ctx, interactive, day = _context(dir, as_of, lang, no_color), dialogue.interactive(), _date_option(on, "--date")
    loaded = portfolio.load_one(ctx.scope, project)
    found = _project_to_record(loaded, project, interactive)
    period = recording.report_period(
        found.roadmap, loaded.settings, ctx.as_of, _int(year), _int(quarter), _int(half), day
    )
    if initiative is None and len(found.roadmap.initiatives) > 1 and interactive:
        initiative = str(dialogue.choose(t("prompt.initiative"), [i.name for i in found.roadmap.initiatives]) + 1)
    request = recording.Request.of(
        period, loaded.settings, initiative, done=done or (), note=note, kpis=kpi or (), reason=reason,
        outlook=outlook, day=day, rating=rating, force=force,
    )  # fmt: skip
    if interactive and request.empty:
        request = dialogue.ask_for_entry(found, loaded.settings, request, ctx.words, ctx.as_of)
    change, committed = recording.record_project(
        loaded.root, found, loaded.settings, request, ctx.as_of, dry_run=dry_run, commit=commit
    )
    for warning in change.warnings:
        out.warn(warning)
    where, shown = f"{found.id} {period.words}", store.display_path(change.path)
    recorded = ctx.words("recorded", where=where, initiative=change.initiative, path=shown)
    out.change(change.diff(), recorded, change.moved, ctx.words, dry_run)
    if committed is not None:
        out.say(t("cli.committed", commit=committed, message=recording.change_label(found.id, request)))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _project_to_record(loaded: Any, project: str | None, interactive: bool) -> Any:
    """The project named, or at a terminal the one chosen from the list."""
    from dxroadmap import store

    if project is not None:
        return store.resolve_project(loaded, project)
    if not interactive or not loaded.projects:
        raise StoreError(t("cli.give_project"))
    projects = loaded.projects
    names = [(p.id, p.roadmap.name) for p in projects]
    return projects[dialogue.choose(t("prompt.project"), [f"{p.id}  {p.roadmap.name}" for p in projects], names)]


@app.command(cls=_Command, help=t("help.new"))
@_errors_are_lines
def new(
    project_id: Annotated[str, _arg(metavar="project_id", help="new_id")],
    field: Annotated[str | None, _opt("--field", metavar="field", help="new_field")] = None,
    name: Annotated[str | None, _opt("--name", metavar="text", help="new_name")] = None,
    owner: Annotated[str | None, _opt("--owner", metavar="text", help="new_owner")] = None,
    initiative: Annotated[str | None, _opt("--initiative", metavar="text", help="new_initiative")] = None,
    years: Annotated[str | None, _opt("--years", metavar="years", help="years")] = None,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Write a new, commented roadmap file (never over an existing one)."""
    from dxroadmap import scaffold, store

    ctx = _context(dir, as_of, lang, no_color=False)
    root = store.find_root(ctx.scope.dir)
    settings = store.load_settings(root)[1]
    path = scaffold.place(root, project_id)  # refused before anything is asked
    field, name, owner, first = dialogue.ask_new(settings, field, name, owner, initiative)
    scaffold.create(
        root, path, settings, field=field, name=name, owner=owner, initiative=first, years=years, as_of=ctx.as_of
    )
    out.say(t("new.wrote", path=store.display_path(path)))


@app.command(cls=_Command, help=t("help.form"))
@_errors_are_lines
def form(
    output: Annotated[Path, _opt("-o", "--output", metavar="path", help="form_output")],
    period: PeriodOption = None,
    owner: Annotated[str | None, _opt("--owner", metavar="text", help="form_owner")] = None,
    field: FieldOption = None,
    contact: Annotated[str | None, _opt("--contact", metavar="text", help="contact")] = None,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """One report form (xlsx) per owner section with something to answer for the period."""
    from dxroadmap import forms, store
    from dxroadmap.report.xlsx import form_workbook

    ctx = _context(dir, as_of, lang, no_color=False)
    root = store.find_root(ctx.scope.dir)
    language = lang.value if lang else "ja"  # the owner sections' language: Japanese unless asked otherwise
    forms.make(
        root, ctx.as_of, output, form_workbook, period=period, owner=owner, field=field,  # type: ignore[arg-type]
        contact=contact, lang=language, warn=out.warn, tell=out.say,
    )  # fmt: skip


@app.command("import", cls=_Command, help=t("help.import"))
@_errors_are_lines
def import_command(
    files: Annotated[list[Path], _arg(metavar="path", help="import_files")],
    period: PeriodOption = None,
    force: Annotated[bool, _opt("--force", help="import_force")] = False,
    dry_run: Annotated[bool, _opt("--dry-run", help="dry_run")] = False,
    commit: Annotated[bool, _opt("--commit", help="import_commit")] = False,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Check answered forms cell by cell, then record them as actuals (byte-exact, as `record` does)."""
    from dxroadmap import importing, store

    ctx = _context(dir, as_of, lang, no_color=False)
    plan = importing.check(files, store.find_root(ctx.scope.dir), ctx.as_of, force=force, period=period)  # type: ignore[arg-type]
    for warning in plan.warnings:
        out.warn(warning)
    if plan.problems:
        out.errors(plan.problems)
        raise StoreError(t("import.problems", count=len(plan.problems)))
    if dry_run:
        out.diff(plan.diff())
        said = plan.lines(dry_run=True)
    else:
        committed = importing.apply(plan, commit=commit)
        said = plan.lines() + committed
    for line in said:
        out.say(line)


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"
    site = "site"


@app.command(cls=_Command, help=t("help.export"))
@_errors_are_lines
def export(
    output: Annotated[str, _opt("-o", "--output", metavar="file", help="output")],
    format: Annotated[ExportFormat | None, _opt("--format", "-f", metavar="format", help="export_format")] = None,
    field: FieldOption = None,
    owner: OwnerOption = None,
    since: Annotated[str | None, _opt("--since", metavar="when", help="export_since")] = None,
    no_bom: Annotated[bool, _opt("--no-bom", help="no_bom")] = False,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """The whole portfolio for people without a terminal: Excel, CSV, JSON, Markdown, one HTML page or a site."""
    from dxroadmap import store

    chosen = _export_format(output, format, since)
    ctx = _context(dir, as_of, lang, no_color)
    if chosen is ExportFormat.site:
        store.output_folder(Path(output))  # a file where the folder should be: refused before any work
    elif output != "-":
        store.output_kind(Path(output))  # a folder, a socket, a block device: refused before any work
    content, count, problems = _exported(chosen, ctx, field, owner, since, bom=not no_bom)
    if chosen is ExportFormat.site:
        _write_site(Path(output), content, count)
    else:
        _write_output(output, content, chosen.value, count)
    out.problems(problems)
    if problems:
        raise typer.Exit(1)


def _export_format(output: str, format: ExportFormat | None, since: str | None) -> ExportFormat:
    """The format asked for, or the one the file's extension says; usage errors for what cannot be written."""
    from dxroadmap.report import export as exports

    suffix = Path(output).suffix.lower()
    chosen = format or (ExportFormat(exports.SUFFIXES[suffix]) if suffix in exports.SUFFIXES else None)
    if chosen is None:
        raise typer.BadParameter(t("cli.format_unknown"), param_hint="--format")
    if output == "-" and chosen is ExportFormat.xlsx:
        raise typer.BadParameter(t("cli.xlsx_stdout"), param_hint="-o")
    if output == "-" and chosen is ExportFormat.site:
        raise typer.BadParameter(t("cli.site_stdout"), param_hint="-o")
    if since is not None and chosen is ExportFormat.csv:
        raise typer.BadParameter(t("cli.since_format"), param_hint="--since")
    return chosen


def _exported(
    chosen: ExportFormat, ctx: Context, field: str | None, owner: str | None, since: str | None, *, bom: bool
) -> Any:
    """(the export's bytes, its pieces or the site's files, the number of projects, the problems)."""
    from dxroadmap import progress
    from dxroadmap.report import export as exports

    if chosen is ExportFormat.json and since is None:  # written as it is made: a national roll-up never sits in memory
        from dxroadmap.report import data

        view = portfolio.overview(ctx.scope, with_slips=True)
        selected = view.select(field, owner)
        texts = portfolio.project_documents(view, selected, ctx.as_of, data.portfolio_project, ctx.scope.progress)
        slips = (item for d in selected for item in d.slips())
        return (
            exports.portfolio_json(view.settings, ctx.as_of, texts, slips, view.problems),
            len(selected),
            view.problems,
        )
    if since is None and chosen is not ExportFormat.site:
        rolled, changes = portfolio.load_all(ctx.scope, field, owner), None
    else:  # what changed since WHEN (a site: since the last meeting, where the review log tells)
        fallback = "last-meeting" if chosen is ExportFormat.site else None
        found = portfolio.review(ctx.scope, field, owner, since, fallback)
        rolled, changes = found.rolled, _changes(found.since)
        if found.missing is not None:
            out.warn(t("export.no_changes", reason=found.missing))
    items = progress.slipping_items(rolled.statuses, ctx.as_of)
    years = portfolio.plan_years(rolled.settings, rolled.statuses)
    common = (rolled.settings, rolled.statuses, items, years, rolled.moved, ctx.as_of, ctx.words)
    if chosen is ExportFormat.site:
        content: Any = exports.site(*common, changes, found.replans, found.logged, found.missing)
    elif chosen is ExportFormat.json and changes is not None:
        content = exports.since_json(rolled.settings, ctx.as_of, rolled.statuses, items, rolled.problems, changes)
    else:
        content = exports.document(chosen.value, *common, bom=bom, changes=changes)
    return content, len(rolled.statuses), rolled.problems


def _changes(found: portfolio.SinceView | None) -> Any:
    """What the reports mark and list of `status --since`'s comparison (None without one)."""
    from dxroadmap.report import review

    if found is None:
        return None
    point = found.point
    return review.changes(found.rolled.statuses, found.then, found.report, point.label, point.date, found.revision)


def _write_site(folder: Path, files: list[tuple[str, bytes]], count: int) -> None:
    """The site's files into `folder`, each atomically; then what was written."""
    from dxroadmap import store
    from dxroadmap.safe import clean

    store.write_folder(folder, files)
    message = t("cli.wrote_site", path=store.display_path(folder), files=len(files), count=count)
    sys.stderr.write(clean(message) + "\n")


def _write_output(output: str, content: Any, kind: str, count: int) -> None:
    """To stdout (`-o -`), or to a file atomically, a FIFO or a device written into; then what was written."""
    from dxroadmap import store
    from dxroadmap.safe import clean

    if output == "-":
        for piece in [content] if isinstance(content, bytes) else content:
            sys.stdout.buffer.write(piece) if hasattr(sys.stdout, "buffer") else sys.stdout.write(piece.decode())
        sys.stdout.flush()
        return
    store.write_output(Path(output), content)
    message = t("cli.wrote_export", path=store.display_path(Path(output)), format=kind, count=count)
    sys.stderr.write(clean(message) + "\n")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"dxroadmap {__version__}\n")
        raise typer.Exit()


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"


completion.completion_init()  # type: ignore[attr-defined]  # Typer does this only for its own completion options, which guess the shell


def _show_completion(ctx: typer.Context, param: typer.CallbackParam, value: Shell | None) -> None:
    """The completion script of the shell given, never of the shell that happens to have started us."""
    if value is not None:
        completion.show_callback(ctx, param, value.value)


def _install_completion(ctx: typer.Context, param: typer.CallbackParam, value: Shell | None) -> None:
    if value is not None:
        completion.install_callback(ctx, param, value.value)


ShellOption = functools.partial(typer.Option, metavar=t("metavar.shell"), is_eager=True, show_default=False)


@app.callback()
def _main(
    version: Annotated[bool, _opt("--version", callback=_version, is_eager=True, help="version")] = False,
    show_completion: Annotated[
        Shell | None, ShellOption("--show-completion", callback=_show_completion, help=t("help.show_completion"))
    ] = None,
    install_completion: Annotated[
        Shell | None,
        ShellOption("--install-completion", callback=_install_completion, help=t("help.install_completion")),
    ] = None,
) -> None:
    """Roadmaps of a DX promotion plan, kept as YAML files: validate, judge, report."""


def main() -> NoReturn:
    """The `dxroadmap` command (`dxroadmap.__main__` sets this up before importing this module)."""
    guard.install()
    guard.run(app)
