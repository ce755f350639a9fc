"""The `dxroadmap` command: parse options, call the services, render, return a code.

Commands parse, call (`portfolio`, `recording`, `scaffold`, `history`), and render (`report`);
nothing else. Exit codes: 0 success; 1 a problem in the data or the request; 2 a usage error
(how a failure becomes one: `failures`). Global options are declared on every command so that
they work after the command name; their declarations and parsing are in `options`, completion
in `completion`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from dxroadmap import completion, dialogue, guard, helptext, portfolio
from dxroadmap.failures import errors_are_lines
from dxroadmap.helptext import CommandHelp, Helpful
from dxroadmap.i18n import t
from dxroadmap.options import (
    AsOfOption,
    DirOption,
    DirsOption,
    ExportFormat,
    FieldOption,
    Format,
    FormatOption,
    LangOption,
    NoColorOption,
    OwnerOption,
    PeriodOption,
    VersionOption,
    WhenOption,
    arg,
    at_least_one,
    context,
    date_option,
    export_format,
    given_path,
    half_option,
    opt,
    quarter_option,
    year_option,
)
from dxroadmap.problems import StoreError
from dxroadmap.report import out

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
    add_completion=False,  # `--show-completion SHELL` and `--install-completion SHELL`: see `completion`
)


# --- commands ----------------------------------------------------------------------------


@app.command(cls=_Command, help=t("help.status"))
@errors_are_lines
def status(
    field: FieldOption = None,
    owner: OwnerOption = None,
    since: WhenOption = None,
    limit: Annotated[int, opt("--limit", metavar="n", callback=at_least_one, help="status_limit")] = 100,
    all_: Annotated[bool, opt("--all", help="all")] = False,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Progress across the fields: one row per project, with flags; invalid files listed below."""
    from dxroadmap.report import data

    ctx = context(dir, as_of, lang, no_color, replayable=True, git=since is not None)
    found = portfolio.status(ctx.scope, field, owner, since, data.project)  # the status JSON kept for a later run
    changed = found.since
    column = (changed.point.label, changed.report) if changed else None
    if format is Format.json and changed is not None:
        point = (changed.point, changed.revision, changed.report)
        out.json(data.status(changed.rolled.statuses, found.problems, found.settings, ctx.as_of, point))
    elif format is Format.json:
        from dxroadmap.report import stream

        invalid = {"invalid": [data.problem(p) for p in found.problems]}
        projects = (d.status_json_bytes() for d in found.digests)
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
@errors_are_lines
def show(
    project: Annotated[str, arg(metavar="project", help="project", autocompletion=completion.project)],
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """One project as the roadmap table: initiatives × years, a 目標 row and a 実績 row each."""
    from dxroadmap.report import show as shown
    from dxroadmap.report import tables

    ctx = context(dir, as_of, lang, no_color, replayable=True, git=True)  # re-planned targets: from the review log
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
@errors_are_lines
def history_command(
    project: Annotated[
        str | None, arg(metavar="project", help="history_project", autocompletion=completion.project)
    ] = None,
    since: Annotated[str | None, opt("--since", metavar="when", help="history_since")] = None,
    until: Annotated[str | None, opt("--until", metavar="when", help="until")] = None,
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """The review log from git: who recorded which actuals, and which targets were re-planned."""
    ctx = context(dir, as_of, lang, no_color, replayable=True, git=True)
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
@errors_are_lines
def slipping(
    field: FieldOption = None,
    owner: OwnerOption = None,
    exit_code: Annotated[bool, opt("--exit-code", help="exit_code")] = False,
    limit: Annotated[int, opt("--limit", metavar="n", callback=at_least_one, help="limit")] = 100,
    all_: Annotated[bool, opt("--all", help="all")] = False,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Every slipping item, worst first: targets slipping or missed, initiatives unreported."""
    from dxroadmap.progress import slip_order

    ctx = context(dir, as_of, lang, no_color, replayable=True)
    view = portfolio.overview(ctx.scope, with_slips=True)
    items = sorted((item for d in view.select(field, owner) for item in d.slips()), key=slip_order)
    from dxroadmap.report import data, stream, tables

    out.emit(
        format.value,
        ctx.no_color,
        as_json=lambda: stream.Each(items, data.slip),
        as_table=lambda terminal, out: terminal.slipping(out, items, ctx.words, None if all_ else limit),
        as_rows=lambda: tables.slipping_rows(items, ctx.words),
    )
    out.problems(view.problems)
    if view.problems or (exit_code and items):
        raise typer.Exit(1)


@app.command(cls=_Command, help=t("help.validate"))
@errors_are_lines
def validate(
    paths: Annotated[list[Path] | None, arg(metavar="path", parser=given_path, help="paths")] = None,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Check every file against the format and its rules: one `path:line:col: CODE message` per problem."""
    ctx = context(dir, as_of, lang, no_color, replayable=not paths)
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
@errors_are_lines
def schema(
    write: Annotated[bool, opt("--write", help="write")] = False,
    dir: DirOption = None,
    lang: LangOption = None,
) -> None:
    """Print (or write into schemas/) the JSON Schemas of roadmap and plan files and of the JSON output."""
    from dxroadmap import schema as schemas
    from dxroadmap import store

    if not write:
        out.json(schemas.schemas())
        return
    for path in schemas.write(context(dir, None, lang, no_color=False).scope.dir):
        out.say(t("cli.wrote", path=store.display_path(path)))


@app.command(cls=_Command, help=t("help.record"))
@errors_are_lines
def record(
    project: Annotated[str | None, arg(metavar="project", help="project", autocompletion=completion.project)] = None,
    initiative: Annotated[
        str | None,
        opt("-i", "--initiative", metavar="initiative", help="initiative", autocompletion=completion.initiative),
    ] = None,
    year: Annotated[str | None, opt("--year", metavar="year", callback=year_option, help="year")] = None,
    quarter: Annotated[str | None, opt("--quarter", metavar="quarter", callback=quarter_option, help="quarter")] = None,
    half: Annotated[str | None, opt("--half", metavar="half", callback=half_option, help="half")] = None,
    done: Annotated[list[str] | None, opt("--done", metavar="text", help="done")] = None,
    note: Annotated[str | None, opt("--note", metavar="text", help="note")] = None,
    kpi: Annotated[list[str] | None, opt("--kpi", metavar="kpi", help="kpi")] = None,
    reason: Annotated[str | None, opt("--reason", metavar="text", help="reason")] = None,
    outlook: Annotated[str | None, opt("--outlook", metavar="outlook", help="outlook")] = None,
    on: Annotated[str | None, opt("--date", metavar="date", help="date")] = None,
    rating: Annotated[str | None, opt("--rating", metavar="rating", help="rating")] = None,
    force: Annotated[bool, opt("--force", help="force")] = False,
    dry_run: Annotated[bool, opt("--dry-run", help="dry_run")] = False,
    commit: Annotated[bool, opt("--commit", help="commit")] = False,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Add one actual to a roadmap (appended under 実績, every other byte of the file kept)."""
    from dxroadmap import recording, store

    ctx, interactive, day = context(dir, as_of, lang, no_color), dialogue.interactive(), date_option(on, "--date")
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
@errors_are_lines
def new(
    project_id: Annotated[str, arg(metavar="project_id", help="new_id")],
    field: Annotated[str | None, opt("--field", metavar="field", help="new_field")] = None,
    name: Annotated[str | None, opt("--name", metavar="text", help="new_name")] = None,
    owner: Annotated[str | None, opt("--owner", metavar="text", help="new_owner")] = None,
    initiative: Annotated[str | None, opt("--initiative", metavar="text", help="new_initiative")] = None,
    years: Annotated[str | None, opt("--years", metavar="years", help="years")] = None,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Write a new, commented roadmap file (never over an existing one)."""
    from dxroadmap import scaffold, store

    ctx = context(dir, as_of, lang, no_color=False)
    root = store.find_root(ctx.scope.dir)
    settings = store.load_settings(root)[1]
    path = scaffold.place(root, project_id)  # refused before anything is asked
    field, name, owner, first = dialogue.ask_new(settings, field, name, owner, initiative)
    scaffold.create(
        root, path, settings, field=field, name=name, owner=owner, initiative=first, years=years, as_of=ctx.as_of
    )
    out.say(t("new.wrote", path=store.display_path(path)))


@app.command(cls=_Command, help=t("help.form"))
@errors_are_lines
def form(
    output: Annotated[Path, opt("-o", "--output", metavar="path", parser=given_path, help="form_output")],
    period: PeriodOption = None,
    owner: Annotated[str | None, opt("--owner", metavar="text", help="form_owner")] = None,
    field: FieldOption = None,
    contact: Annotated[str | None, opt("--contact", metavar="text", help="contact")] = None,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """One report form (xlsx) per owner section with something to answer for the period."""
    from dxroadmap import forms, store
    from dxroadmap.report.xlsx import form_workbook

    ctx = context(dir, as_of, lang, no_color=False)
    root = store.find_root(ctx.scope.dir)
    language = lang.value if lang else "ja"  # the owner sections' language: Japanese unless asked otherwise
    forms.make(
        root, ctx.as_of, output, form_workbook, period=period, owner=owner, field=field,  # type: ignore[arg-type]
        contact=contact, lang=language, warn=out.warn, tell=out.say,
    )  # fmt: skip


@app.command("import", cls=_Command, help=t("help.import"))
@errors_are_lines
def import_command(
    files: Annotated[list[Path], arg(metavar="path", parser=given_path, help="import_files")],
    period: PeriodOption = None,
    force: Annotated[bool, opt("--force", help="import_force")] = False,
    dry_run: Annotated[bool, opt("--dry-run", help="dry_run")] = False,
    commit: Annotated[bool, opt("--commit", help="import_commit")] = False,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Check answered forms cell by cell, then record them as actuals (byte-exact, as `record` does)."""
    from dxroadmap import importing, store

    ctx = context(dir, as_of, lang, no_color=False)
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


@app.command(cls=_Command, help=t("help.export"))
@errors_are_lines
def export(
    output: Annotated[str, opt("-o", "--output", metavar="file", help="output")],
    format: Annotated[ExportFormat | None, opt("--format", "-f", metavar="format", help="export_format")] = None,
    field: FieldOption = None,
    owner: OwnerOption = None,
    since: Annotated[str | None, opt("--since", metavar="when", help="export_since")] = None,
    no_bom: Annotated[bool, opt("--no-bom", help="no_bom")] = False,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """The whole portfolio for people without a terminal: Excel, CSV, JSON, Markdown, one HTML page or a site."""
    from dxroadmap import exporting

    chosen = export_format(output, format, since)
    ctx = context(dir, as_of, lang, no_color)
    exporting.refuse_unwritable(output, chosen.value)
    content, count, problems = exporting.build(chosen.value, ctx.scope, ctx.words, field, owner, since, bom=not no_bom)
    exporting.write(output, chosen.value, content, count)
    out.problems(problems)
    if problems:
        raise typer.Exit(1)


@app.callback()
def _main(
    version: VersionOption = False,
    show_completion: completion.ShowOption = None,
    install_completion: completion.InstallOption = None,
) -> None:
    """Roadmaps of a DX promotion plan, kept as YAML files: validate, judge, report."""


def main() -> NoReturn:
    """The `dxroadmap` command (`dxroadmap.__main__` sets this up before importing this module)."""
    guard.install()
    guard.run(app)
