"""The `dxroadmap` command: parse options, call the store and the rules, render, return a code.

Exit codes: 0 success; 1 a problem in the data or the request; 2 a usage error (Typer's own).
Global options are declared on every command so that they work after the command name.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from typer import completion

from dxroadmap import __version__, fiscal, guard, i18n
from dxroadmap.i18n import t
from dxroadmap.problems import StoreError

if TYPE_CHECKING:  # imported lazily at run time
    from dxroadmap.index import Digest
    from dxroadmap.model import KpiTarget, Project
    from dxroadmap.problems import Problem
    from dxroadmap.progress import ProjectStatus, Summary
    from dxroadmap.report.data import Moved
    from dxroadmap.settings import Settings
    from dxroadmap.store import Portfolio, RoadmapFile

# --- help in the chosen language, Typer's own words too ---------------------------------------

# Typer's words in help go through gettext (`typer.core._`): its hook, answered from the catalog.
_FRAMEWORK_WORDS = {
    "Options": "help.options",
    "Arguments": "help.arguments",
    "Commands": "help.commands",
    "default: {default}": "help.default",
    "required": "help.required",
}


def _framework_gettext(message: str) -> str:
    key = _FRAMEWORK_WORDS.get(message)
    return t(key) if key is not None else message


typer.core._ = _framework_gettext  # type: ignore[attr-defined]


class _Helpful:
    """What Typer's command classes show in `--help`, in words of the chosen language.

    The usage line (Click's `write_usage` prefix), the help option's own text, and arguments named
    by their metavar (`PROJECT`, not `project <str>`); a number range is said in the option's help.
    The usage line of a usage error is left as it was: only `--help` changes.
    """

    _helping = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _Helpful._helping = True
        try:
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            _Helpful._helping = False

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        if not _Helpful._helping:
            return super().format_usage(ctx, formatter)  # type: ignore[misc, no-any-return]
        words = {"[OPTIONS]": t("help.options_metavar"), "COMMAND [ARGS]...": t("help.command_metavar")}
        pieces = [words.get(piece, piece) for piece in self.collect_usage_pieces(ctx)]  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("help.usage"))
        return None

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = t("help.help")
        return option


class _Command(_Helpful, typer.core.TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:  # `x>=1` is Python's; the help says "at least 1" (the value is checked all the same)
            param.min = param.max = None  # type: ignore[attr-defined]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                name = (param.metavar or param.name or "") + ("..." if param.nargs != 1 else "")
                arguments.append((name, record[1]))
            else:
                options.append(record)
        for heading, rows in ((t("help.arguments"), arguments), (t("help.options"), options)):
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)


class _Group(_Helpful, typer.core.TyperGroup):
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


def _complete_project(ctx: typer.Context, incomplete: str) -> list[str]:
    """Project ids for shell completion: from file names alone, nothing parsed."""
    from dxroadmap import store

    try:
        root = store.find_root(next(iter(ctx.params.get("dir") or []), None))
    except StoreError:
        return []
    from dxroadmap.safe import clean

    ids = [clean(store.project_id(root, path)) for path in store.project_files(root)]  # as shown, as `pick` takes
    return [pid for pid in ids if pid.startswith(incomplete)] or [pid for pid in ids if incomplete in pid]


def _complete_initiative(ctx: typer.Context, incomplete: str) -> list[str]:
    """Initiative names of the project already on the command line, for shell completion."""
    from dxroadmap import store

    try:
        root = store.find_root(next(iter(ctx.params.get("dir") or []), None))
        # while an option's value is completed, the positional argument may still sit in ctx.args
        query = str(ctx.params.get("project") or next(iter(ctx.args), ""))
        context = Context([root], date.today(), i18n.Words(i18n.language()), no_color=True, progress=False)
        project = store.resolve_project(_load(context, query), query)  # one file read, as for `record`
    except StoreError:
        return []
    names = [init.name for init in project.roadmap.initiatives]
    return [name for name in names if name.startswith(incomplete)] or [n for n in names if incomplete in n]


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
    typer.Option("--dir", metavar=t("metavar.path"), help=t("help.dir")),
]
DirOption = Annotated[  # the commands that work in one (a second --dir is refused)
    list[Path] | None,
    typer.Option("--dir", metavar=t("metavar.path"), help=t("help.dir_one")),
]
AsOfOption = Annotated[
    str | None,  # any spelling of fiscal.parse_date, read by _context once the language is set
    typer.Option("--as-of", metavar=t("metavar.date"), help=t("help.as_of")),
]
LangOption = Annotated[Lang | None, typer.Option("--lang", metavar="ja|en", help=t("help.lang"))]
NoColorOption = Annotated[bool, typer.Option("--no-color", help=t("help.no_color"))]
FormatOption = Annotated[Format, typer.Option("--format", "-f", metavar=t("metavar.format"), help=t("help.format"))]
FieldOption = Annotated[str | None, typer.Option("--field", metavar=t("metavar.field"), help=t("help.field"))]
OwnerOption = Annotated[str | None, typer.Option("--owner", metavar=t("metavar.text"), help=t("help.owner"))]
WhenOption = Annotated[str | None, typer.Option("--since", metavar=t("metavar.when"), help=t("help.since"))]


@dataclass
class Context:
    dirs: list[Path]
    as_of: date
    words: i18n.Words
    no_color: bool
    progress: bool = True  # a progress bar on stderr when a long read runs at a terminal (not while completing)

    @property
    def dir(self) -> Path | None:
        """The one roadmaps directory of a command that works in one (`--dir` at most once)."""
        if len({os.path.realpath(d) for d in self.dirs}) > 1:  # the same one twice is still one
            raise typer.BadParameter(t("cli.one_dir"), param_hint="--dir")
        return self.dirs[0] if self.dirs else None


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
    return Context(list(dir or []), day or date.today(), i18n.Words(chosen), no_color)


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
        except StoreError as exc:
            _fail(str(exc))
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


def _load(ctx: Context, project: str | None = None) -> Portfolio:
    """The portfolio; for a command about one project, just that project's file.

    An exact id names its file; any other query is resolved on the (cached) digests of every
    file, so that a part of an id or a name costs no more than `status` does.
    """
    from dxroadmap import store

    root = store.find_root(ctx.dir)
    if project is None:
        return store.load_portfolio(root)
    for suffix in store.SUFFIXES:
        path = root / f"{project}{suffix}"
        if not project.startswith(("/", ".", "_")) and ".." not in project and path.is_file():
            portfolio = store.load_portfolio(root, only=[path])
            if portfolio.projects:
                return portfolio
    view = _overview(ctx, root=root)
    valid = [d for d in view.digests if d.summary is not None]
    chosen = valid[store.pick(project, [(d.id, d.summary.name) for d in valid if d.summary], view.problems)]
    return store.load_portfolio(root, only=[Path(chosen.path)])


def _matching(known_fields: Sequence[str], field: str | None, owner: str | None) -> Callable[[str, str], bool]:
    """The test of `--field` and `--owner` on a project's (field, owner); an unknown field is refused."""
    from dxroadmap.model import field_name

    wanted = field_name(field) if field is not None else None
    known = list(dict.fromkeys(known_fields))
    if wanted is not None and wanted not in known:
        raise StoreError(t("cli.no_field", field=field, fields=", ".join(known)))
    needle = fiscal.normalize(owner) if owner is not None else None
    return lambda f, o: (wanted is None or f == wanted) and (needle is None or needle in fiscal.normalize(o))


@dataclass
class Group:
    """One roadmaps directory of the command line: its plan's settings and its files, with their final ids."""

    root: Path
    settings: Settings
    files: list[RoadmapFile]
    own_ids: dict[str, str]  # final id -> id in its own directory, where the directory's name went in front


@dataclass
class Gathered:
    """The roadmaps directories of the command line, their files found and named (nothing parsed yet)."""

    groups: list[Group]
    problems: list[Problem]  # of the plans and of finding the files
    checked: int  # files looked at

    @property
    def fields(self) -> list[str]:
        """The fields of every plan, in order (the first directory's first)."""
        return list(dict.fromkeys(name for group in self.groups for name in group.settings.fields))


def _gather(
    ctx: Context, only: Sequence[Path] | None = None, root: Path | None = None, report_plan: bool = False
) -> Gathered:
    """Each `--dir` (or only `only`, under `root`): its plan and its files, each file once.

    A plan with problems stops the command (`store.PlanError`); with `report_plan` (`validate`)
    its problems are reported with the files' instead. Ids that more than one directory holds
    get the directory's name in front (`_labels`).
    """
    from dxroadmap import store
    from dxroadmap.settings import Settings

    roots = [root] if root is not None else _roots(ctx)
    problems: list[Problem] = []
    found = []
    checked = 0
    seen: set[str] = set()  # with several directories, one inside another: each file once
    for folder in roots:
        try:
            settings = store.load_settings(folder)[1]
        except store.PlanError as exc:
            if not report_plan:
                raise
            settings, problems = Settings(), problems + exc.problems  # the files still checked, by the defaults
        walked = store.walk(folder, problems) if only is None else None
        checked += len(walked) if walked is not None else len(only or ())
        named = store.roadmap_files(folder, only, problems, walked=walked)
        if len(roots) > 1:
            kept = [f for f in named if _first_time(f.path, seen)]
            checked -= len(named) - len(kept)  # looked at already, from the directory it is in
            named = kept
        found.append((folder, settings, named))
    taken: dict[str, int] = {}
    for _, _, files in found:
        for file in files:
            taken[file.id] = taken.get(file.id, 0) + 1
    groups = []
    for (folder, settings, files), label in zip(found, _labels([folder for folder, _, _ in found]), strict=True):
        own = {f"{label}/{f.id}": f.id for f in files if taken[f.id] > 1}
        named = [replace(f, id=f"{label}/{f.id}") if taken[f.id] > 1 else f for f in files]
        groups.append(Group(folder, settings, named, own))
    return Gathered(groups, problems, checked)


@dataclass
class Overview:
    """Every roadmaps directory of the command line, as digests (see `index`)."""

    settings: Settings  # of the first directory: its calendar, meetings and period head the reports
    fields: list[str]  # of every plan, in order
    digests: list[Digest]
    problems: list[Problem]  # errors: the files they are in are invalid
    checked: int  # files looked at
    settings_of: dict[str, Settings]  # each file's own plan, by its path as shown
    warnings: list[Problem]


def _overview(
    ctx: Context,
    only: Sequence[Path] | None = None,
    root: Path | None = None,
    with_projects: bool = False,
    report_plan: bool = False,
    with_slips: bool = False,
) -> Overview:
    """Digests of every project file under each `--dir` (or only `only`, under `root`).

    `with_projects`: with each project's status JSON (for `--format json`). `with_slips`: the
    commands that read the slip items (`slipping`, the JSON export). `report_plan`: a
    plan's problems are reported (`validate`), not a refusal.
    """
    from dxroadmap import index

    project_json = None
    if with_projects:
        from dxroadmap.report import data

        project_json = data.project
    gathered = _gather(ctx, only, root, report_plan)
    problems = list(gathered.problems)
    digests = []
    settings_of = {}
    progress = _progress_bar(ctx) if ctx.progress and sys.stderr.isatty() else None
    for group in gathered.groups:
        scanned = index.scan(
            group.root, group.files, group.settings, ctx.as_of, progress,
            project_json=project_json, with_slips=with_slips, complete=only is None,
        )  # fmt: skip
        for digest in scanned:
            problems += digest.problems
            digests.append(digest)
            settings_of[digest.path] = group.settings
    warnings = sorted(p for p in problems if p.warning)
    problems = [p for p in problems if not p.warning]
    head = gathered.groups[0].settings
    return Overview(head, gathered.fields, digests, sorted(problems), gathered.checked, settings_of, warnings)


def _first_time(path: Path, seen: set[str]) -> bool:
    real = os.path.realpath(path)
    if real in seen:
        return False
    seen.add(real)
    return True


def _roots(ctx: Context) -> list[Path]:
    """The roadmaps directory of each `--dir` (each once), or the one found from here."""
    from dxroadmap import store

    given: list[Path | None] = [*ctx.dirs] or [None]
    return list({r.resolve(): r for r in map(store.find_root, given)}.values())


@dataclass
class RollUp:
    """Every `--dir` loaded whole (for what shows actuals) and judged, each with its own plan."""

    head: Group  # the first directory: its plan heads the reports
    statuses: list[ProjectStatus]  # in field order
    problems: list[Problem]
    moved: dict[str, Moved]  # re-planned targets from git, by (final) id

    @property
    def settings(self) -> Settings:
        return self.head.settings


def _load_all(ctx: Context, field: str | None, owner: str | None, with_moved: bool = True) -> RollUp:
    """Every `--dir` read whole and judged; `with_moved`: with the re-planned targets from git."""
    from dxroadmap import progress, store
    from dxroadmap.model import Project, field_name

    gathered = _gather(ctx)
    problems = list(gathered.problems)
    loaded = []
    for group in gathered.groups:
        for file in group.files:
            roadmap, found = store.load_roadmap(file.path, group.settings, ctx.as_of)
            problems += [p for p in found if not p.warning]
            if roadmap is not None:
                loaded.append((group, Project(file.id, file.shown, roadmap)))
    wanted = _matching([*gathered.fields, *(field_name(p.roadmap.field) for _, p in loaded)], field, owner)
    statuses = [
        progress.judge(project, group.settings, ctx.as_of)
        for group, project in loaded
        if wanted(field_name(project.roadmap.field), project.roadmap.owner)
    ]
    key = _in_field_order(gathered.fields)
    statuses.sort(key=lambda s: key(s.field, s.project.id))
    moved: dict[str, Moved] = {}
    for group in gathered.groups if with_moved else []:
        own = {group.own_ids.get(f.id, f.id): f.id for f in group.files}
        moved |= {own[pid]: targets for pid, targets in _moved_all(group.root, group.settings, own).items()}
    return RollUp(gathered.groups[0], statuses, sorted(problems), moved)


def _in_field_order(fields: Sequence[str]) -> Callable[[str, str], tuple[int, str, str]]:
    """The sort key of a project by (field, id): fields in the plans' order, then by name; ids within."""
    order = {name: i for i, name in enumerate(fields)}
    return lambda field, pid: (order.get(field, len(order)), field, pid)


def _labels(roots: Sequence[Path]) -> list[str]:
    """How each directory's projects are told apart where ids collide: its name (its parent's for `roadmaps`),
    as text the way ids are (`safe.name_text`)."""
    from dxroadmap import store
    from dxroadmap.safe import name_text

    names = []
    for folder in roots:
        real = folder.resolve()
        names.append(name_text(real.parent.name if real.name == "roadmaps" and real.parent.name else real.name))
    if len(set(names)) < len(names):
        return [name_text(store.display_path(folder)) for folder in roots]
    return names


def _progress_bar(ctx: Context) -> Callable[[int], Any]:
    def bar(total: int) -> Any:
        from dxroadmap.report import terminal

        return terminal.progress_bar(total, ctx.words("reading"), ctx.no_color)

    return bar


def _summaries(view: Overview, field: str | None, owner: str | None) -> list[Digest]:
    """The digests of valid projects that `--field` / `--owner` select, by field (plan order) and id."""
    wanted = _matching([*view.fields, *(d.summary.field for d in view.digests if d.summary)], field, owner)
    chosen = [(d.summary.field, d) for d in view.digests if d.summary and wanted(d.summary.field, d.summary.owner)]
    key = _in_field_order(view.fields)
    return [d for _, d in sorted(chosen, key=lambda pair: key(pair[0], pair[1].id))]


def _years(settings: Settings, statuses: Sequence[ProjectStatus | Summary]) -> list[int]:
    if settings.period is not None:
        start, end = settings.period
        return list(range(start, end + 1))
    used = {y for s in statuses for y in s.years()}
    return list(range(min(used), max(used) + 1)) if used else []


def _print_json(data: Any) -> None:
    from dxroadmap.report import stream

    stream.write(data, sys.stdout)


def _emit(
    fmt: Format,
    ctx: Context,
    *,
    as_json: Callable[[], Any],
    as_table: Callable[[Any, Any], None],
    as_rows: Callable[[], Any],
) -> None:
    """Print data in the chosen format; the terminal module (Rich) is imported only for tables."""
    if fmt is Format.json:
        _print_json(as_json())
    elif fmt is Format.table:
        from dxroadmap.report import terminal

        as_table(terminal, terminal.console(ctx.no_color))
    else:
        _print_rows(as_rows(), fmt)


def _print_rows(rows: Any, fmt: Format) -> None:
    from dxroadmap.report import tables

    sys.stdout.write(tables.to_csv(rows) if fmt is Format.csv else tables.to_markdown(rows))


@app.command(cls=_Command, help=t("help.status"))
@_errors_are_lines
def status(
    field: FieldOption = None,
    owner: OwnerOption = None,
    since: WhenOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar=t("metavar.n"), help=t("help.status_limit"))] = 100,
    all_: Annotated[bool, typer.Option("--all", help=t("help.all"))] = False,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Progress across the fields: one row per project, with flags; invalid files listed below."""
    from dxroadmap.report import data

    ctx = _context(dir, as_of, lang, no_color)
    column = None
    if since is not None:  # judged from the files as they are and as they were: the whole models
        one = ctx.dir  # the review log is one repository's: a second --dir is refused
        ctx = replace(ctx, dirs=[one] if one else [])
        rolled = _load_all(ctx, field, owner, with_moved=False)
        statuses = rolled.statuses
        point = _since(rolled.head, statuses, ctx, since)
        column = (point[0].label, point[2])
        summaries = [s.summary() for s in statuses]
        problems, settings, years = rolled.problems, rolled.settings, _years(rolled.settings, statuses)
        if format is Format.json:
            _print_json(data.status(statuses, problems, settings, ctx.as_of, point))
    else:
        view = _overview(ctx, with_projects=format is Format.json)
        chosen = _summaries(view, field, owner)
        summaries = [d.summary for d in chosen if d.summary is not None]
        problems, settings, years = view.problems, view.settings, _years(view.settings, summaries)
        if format is Format.json:
            head, invalid = data.status_head(settings, ctx.as_of), {"invalid": [data.problem(p) for p in problems]}
            from dxroadmap.report import stream

            stream.write_list(head, "projects", (d.status_json() for d in chosen), invalid, sys.stdout)
    if format is Format.table:
        from dxroadmap.report import terminal

        terminal.status(
            terminal.console(ctx.no_color), summaries, problems, settings, years, ctx.as_of, ctx.words, column,
            None if all_ else limit,
        )  # fmt: skip
    elif format is not Format.json:
        from dxroadmap.report import tables

        _print_rows(tables.status_rows(summaries, years, ctx.words, column), format)
        _report_problems(problems)
    if problems:
        raise typer.Exit(1)


def _since(portfolio: Group, statuses: list[ProjectStatus], ctx: Context, when: str) -> Any:
    """(the point, the revision it stands for, per-project changes) for `status --since`."""
    from dxroadmap import history, progress, vcs

    repo = vcs.Repo(portfolio.root)
    point = history.resolve_when(when, repo, portfolio.settings, ctx.as_of)
    parsed: dict[str, Any] = {}
    projects, revision = history.projects_at(repo, portfolio.root, portfolio.settings, point, parsed)
    # everything that reached the main line after that commit, branches merged since included
    log = history.review_log(
        repo, portfolio.root, portfolio.settings, f"{revision}..HEAD" if revision else "HEAD", parsed
    )
    then = [progress.judge(p, portfolio.settings, point.date) for p in projects]
    return point, revision, history.since_report(statuses, then, log.events, log)


def _warn(message: str) -> None:
    from dxroadmap.safe import clean

    sys.stderr.write(clean(f"dxroadmap: {t('cli.warning', message=message)}").replace("\n", "\\n") + "\n")


def _report_problems(problems: Sequence[Problem]) -> None:
    from dxroadmap.safe import clean

    for problem in problems:
        sys.stderr.write(clean(str(problem)) + "\n")


@app.command(cls=_Command, help=t("help.show"))
@_errors_are_lines
def show(
    project: Annotated[
        str, typer.Argument(metavar=t("metavar.project"), help=t("help.project"), autocompletion=_complete_project)
    ],
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """One project as the roadmap table: initiatives × years, a 目標 row and a 実績 row each."""
    from dxroadmap import progress, store

    ctx = _context(dir, as_of, lang, no_color)
    portfolio = _load(ctx, project)
    found = store.resolve_project(portfolio, project)
    status = progress.judge(found, portfolio.settings, ctx.as_of)
    from dxroadmap.report import tables

    # the plan's period, widened by every year that holds a target or an actual (marked when outside it)
    period = portfolio.settings.period
    years = tables.shown_years(_years(portfolio.settings, [status]), status, period)
    moved = _moved_all(portfolio.root, portfolio.settings, [found.id]).get(found.id, {})
    if format is Format.json:
        from dxroadmap.report import data

        document = data.project(status, with_actuals=True, moved=moved)
        document["years"] = [
            {"fiscal_year": fiscal.label(y), "in_period": not tables.outside(y, period)} for y in years
        ]
        _print_json(document)
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.show(terminal.console(ctx.no_color), status, years, ctx.as_of, portfolio.settings, ctx.words, moved)
    else:
        rows = tables.show_rows(status, years, ctx.words, moved, period, outside_word=format is Format.csv)
        if format is Format.markdown:
            roadmap = found.roadmap
            from dxroadmap.safe import clean

            sys.stdout.write(
                f"## {clean(roadmap.name)}\n\n"
                f"- {ctx.words('field')}: {clean(roadmap.field)}\n- {ctx.words('owner')}: {clean(roadmap.owner)}\n"
                + (f"- {ctx.words('summary')}: {clean(roadmap.summary)}\n" if roadmap.summary else "")
                + f"- {ctx.words('state')}: {ctx.words(status.state)}\n\n"
            )
            _print_rows(rows, format)
            if any(tables.outside(y, period) for y in years):
                sys.stdout.write(f"\n{tables.outside_legend(ctx.words)}\n")
        else:
            _print_rows(rows, format)


@app.command("history", cls=_Command, help=t("help.history"))
@_errors_are_lines
def history_command(
    project: Annotated[
        str | None,
        typer.Argument(metavar=t("metavar.project"), help=t("help.history_project"), autocompletion=_complete_project),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar=t("metavar.when"), help=t("help.history_since"))
    ] = None,
    until: Annotated[str | None, typer.Option("--until", metavar=t("metavar.when"), help=t("help.until"))] = None,
    format: FormatOption = Format.table,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """The review log from git: who recorded which actuals, and which targets were re-planned."""
    from dxroadmap import history, store, vcs

    ctx = _context(dir, as_of, lang, no_color)
    portfolio = _load(ctx)
    repo = vcs.Repo(portfolio.root)
    start = history.resolve_when(since, repo, portfolio.settings, ctx.as_of) if since else None
    end = history.resolve_when(until, repo, portfolio.settings, ctx.as_of) if until else None
    log = history.review_log(repo, portfolio.root, portfolio.settings, history.revisions(start, end))
    only = None
    if project is not None:
        ids = {p.id for p in portfolio.projects} | {e.project for e in log.events}
        only = {project} if project in ids else {store.resolve_project(portfolio, project).id}
    events = history.select(log, start, end, only)
    for warning in log.warnings:
        _warn(warning)
    from dxroadmap.report import data, tables

    _emit(
        format,
        ctx,
        as_json=lambda: [data.event(e) for e in events],
        as_table=lambda terminal, out: terminal.history(out, events, ctx.words),
        as_rows=lambda: tables.history_rows(events, ctx.words),
    )


@app.command(cls=_Command, help=t("help.slipping"))
@_errors_are_lines
def slipping(
    field: FieldOption = None,
    owner: OwnerOption = None,
    exit_code: Annotated[bool, typer.Option("--exit-code", help=t("help.exit_code"))] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar=t("metavar.n"), help=t("help.limit"))] = 100,
    all_: Annotated[bool, typer.Option("--all", help=t("help.all"))] = False,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Every slipping item, worst first: targets slipping or missed, initiatives unreported."""
    from dxroadmap.progress import slip_order

    ctx = _context(dir, as_of, lang, no_color)
    view = _overview(ctx, with_slips=True)
    items = sorted((item for d in _summaries(view, field, owner) for item in d.slips()), key=slip_order)
    from dxroadmap.report import data, tables

    _emit(
        format,
        ctx,
        as_json=lambda: [data.slip(item) for item in items],
        as_table=lambda terminal, out: terminal.slipping(out, items, ctx.words, None if all_ else limit),
        as_rows=lambda: tables.slipping_rows(items, ctx.words),
    )
    _report_problems(view.problems)
    if view.problems or (exit_code and items):
        raise typer.Exit(1)


@app.command(cls=_Command, help=t("help.validate"))
@_errors_are_lines
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(metavar=t("metavar.path"), help=t("help.paths"))] = None,
    format: FormatOption = Format.table,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Check every file against the format and its rules: one `path:line:col: CODE message` per problem."""
    from dxroadmap import store

    ctx = _context(dir, as_of, lang, no_color)
    if paths:
        try:
            root = store.find_root(ctx.dirs[0] if ctx.dirs else None)
        except StoreError:
            root = Path.cwd()
        files = [f for p in paths for f in ([p] if not p.is_dir() else store.project_files(p))]
        view = _overview(ctx, files, root, report_plan=True)
    else:
        view = _overview(ctx, report_plan=True)
    problems = view.problems
    every = sorted([*problems, *view.warnings])  # in file order, warnings beside errors
    if format is Format.json:
        from dxroadmap.report import data

        _print_json(
            {
                "checked": view.checked,
                "invalid": [data.problem(p) for p in problems],
                "warnings": [data.problem(p) for p in view.warnings],
            }
        )
    elif format is Format.table:
        from dxroadmap.report import terminal

        terminal.problems(terminal.console(ctx.no_color), every)
        counts = ctx.words("checked", files=view.checked, problems=len(problems))
        if view.warnings:
            counts += ctx.words("and_warnings", warnings=len(view.warnings))
        sys.stderr.write(counts + "\n")
    else:
        from dxroadmap.report import tables

        _print_rows(tables.problem_rows(every), format)
    if problems:
        raise typer.Exit(1)


@app.command(cls=_Command, help=t("help.schema"))
@_errors_are_lines
def schema(
    write: Annotated[bool, typer.Option("--write", help=t("help.write"))] = False,
    dir: DirOption = None,
    lang: LangOption = None,
) -> None:
    """Print (or write into schemas/) the JSON Schemas of roadmap and plan files."""
    from dxroadmap import schema as schemas
    from dxroadmap import store

    generated = schemas.schemas()
    if not write:
        _print_json(generated)
        return
    try:
        target = store.find_root(_context(dir, None, lang, no_color=False).dir).resolve().parent / "schemas"
    except StoreError:
        target = Path.cwd() / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    for name, content in generated.items():
        (target / name).write_text(schemas.dumps(content), encoding="utf-8")
        sys.stdout.write(t("cli.wrote", path=store.display_path(target / name)) + "\n")


def _interactive() -> bool:
    """Both stdin and stdout at a terminal; a closed or missing one is not."""
    try:
        return bool(sys.stdin and sys.stdin.isatty() and sys.stdout and sys.stdout.isatty())
    except (OSError, ValueError):  # a closed file
        return False


def _fold(text: str) -> str:
    """The key an answer is compared by: NFKC, case folded, spaces collapsed."""
    return " ".join(fiscal.normalize(text).casefold().split())


def _pick(answer: str, options: Sequence[str], names: Sequence[Sequence[str]]) -> int | str:
    """The 0-based index `answer` names (its number, a name, or a unique part of one), else why not."""
    text = fiscal.normalize(answer)
    if text.isdigit():
        number = int(text)
        return number - 1 if 1 <= number <= len(options) else t("prompt.range", count=len(options))
    key = _fold(text)
    exact = [i for i, ns in enumerate(names) if any(_fold(n) == key for n in ns)]
    found = exact or [i for i, ns in enumerate(names) if any(key in _fold(n) for n in ns)]
    if len(found) == 1:
        return found[0]
    if found:
        listing = "; ".join(f"{i + 1}. {options[i]}" for i in found)
        return t("prompt.ambiguous", answer=text, count=len(found), listing=listing)
    listing = "; ".join(f"{i}. {option}" for i, option in enumerate(options, 1))
    return t("prompt.unknown", answer=text, listing=listing)


def _say(line: str) -> None:
    """A line of the dialogue (it may quote file text: no control character reaches the terminal)."""
    from dxroadmap.safe import clean

    typer.echo(clean(line))


def _ask(title: str) -> str:
    """One line typed at the terminal, trimmed; empty allowed.

    Read from the descriptor with a short `select` timeout rather than `input()`: a Ctrl-C that
    lands between Python's check for signals and the blocking read would otherwise wait for the
    next Enter; this way it takes effect within a tenth of a second (exit 130, DESIGN §8).
    """
    import select

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # not a real stream (tests run prompts through CliRunner)
        return str(typer.prompt(title, default="", show_default=False)).strip()
    sys.stdout.write(f"{title}: ")
    sys.stdout.flush()
    while not select.select([fd], [], [], 0.1)[0]:
        pass
    line = os.read(fd, 65536)  # a terminal in canonical mode gives one line at most
    if not line:
        raise typer.Abort()  # Ctrl-D: end of input
    return line.decode(sys.stdin.encoding or "utf-8", "replace").strip()


def _ask_choice(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None, empty: bool) -> int | None:
    for i, option in enumerate(options, 1):
        _say(f"  {i}. {option}")
    while True:
        answer = _ask(title)
        if not answer and empty:
            return None
        picked = _pick(answer, options, names or [(o,) for o in options])
        if isinstance(picked, int):
            return picked
        _say("  " + picked)


def _choose(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None = None) -> int:
    """Ask for one of `options`; 0-based index. The answer is its number, or a name (`names[i]`,
    else the option's text) — exact, or a unique part of one; anything else is asked again."""
    picked = _ask_choice(title, options, names, empty=False)
    assert picked is not None
    return picked


def _choose_optional(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None = None) -> int | None:
    """As `_choose`, but an empty answer chooses nothing (None)."""
    return _ask_choice(title, options, names, empty=True)


_SEPARATORS = re.compile(r"[,、\s]+")


def _choose_many(title: str, options: Sequence[str], names: Sequence[Sequence[str]] | None = None) -> list[int]:
    """Ask for any of `options` by numbers or names separated by commas or spaces (empty: none)."""
    names = names or [(o,) for o in options]
    for i, option in enumerate(options, 1):
        _say(f"  {i}. {option}")
    while True:
        answer = fiscal.normalize(_ask(title))
        if not answer:
            return []
        whole = _pick(answer, options, names)
        if isinstance(whole, int) and not answer.isdigit():
            return [whole]  # one name, which may hold a comma or a space
        chosen: list[int] = []
        for part in _SEPARATORS.split(answer):
            picked = _pick(part, options, names) if part else None
            if isinstance(picked, str):
                _say("  " + (t("prompt.numbers", count=len(options)) if part.isdigit() else picked))
                break
            if picked is not None:
                chosen.append(picked)
        else:
            return list(dict.fromkeys(chosen))


_YES = {"y", "yes", "はい"}
_NO = {"n", "no", "いいえ"}


def _confirm(title: str) -> bool:
    """Yes or no (empty: yes), asked again in the chosen language until it is one of them."""
    while True:
        answer = _fold(_ask(title))
        if not answer or answer in _YES:
            return True
        if answer in _NO:
            return False
        _say("  " + t("prompt.yes_no"))


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")


def _number(answer: str, unit: str | None = None) -> int | float | None:
    """A KPI value as typed: `52`, `５２`, `1,234`, `1.5`, also with the KPI's unit after it; None if no number."""
    text = fiscal.normalize(answer)
    if unit and text.endswith(fiscal.normalize(unit)):
        text = text[: -len(fiscal.normalize(unit))].strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        value = float(text)
        return value if math.isfinite(value) else None
    return None


def _amount(value: float, unit: str | None) -> str:
    """`120現場`: a number as the file would show it, and its unit."""
    number = int(value) if isinstance(value, float) and value.is_integer() else value
    return f"{number}{unit or ''}"


def _parsed_option(parse: Callable[[object], int]) -> Callable[[str | None], int | None]:
    """An option callback that reads the value with one of `fiscal`'s parsers (its refusal: a usage error)."""

    def callback(value: str | None) -> int | None:
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


def _kpi_option(values: list[str] | None) -> list[tuple[str, int | float]]:
    out: list[tuple[str, int | float]] = []
    for item in values or []:
        name, sep, number = item.rpartition("=")
        try:
            value: int | float = int(number) if number.strip().lstrip("-").isdigit() else float(number)
        except ValueError:
            value = float("nan")
        if not sep or not name.strip() or not math.isfinite(value):
            raise typer.BadParameter(t("cli.kpi", item=repr(item)))
        out.append((name.strip(), value))
    return out


OUTLOOK_WORDS = ("順調", "注意", "困難")


@app.command(cls=_Command, help=t("help.record"))
@_errors_are_lines
def record(
    project: Annotated[
        str | None,
        typer.Argument(metavar=t("metavar.project"), help=t("help.project"), autocompletion=_complete_project),
    ] = None,
    initiative: Annotated[
        str | None,
        typer.Option(
            "-i",
            "--initiative",
            metavar=t("metavar.initiative"),
            help=t("help.initiative"),
            autocompletion=_complete_initiative,
        ),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option("--year", metavar=t("metavar.year"), callback=_year_option, help=t("help.year")),
    ] = None,
    quarter: Annotated[
        str | None,
        typer.Option("--quarter", metavar=t("metavar.quarter"), callback=_quarter_option, help=t("help.quarter")),
    ] = None,
    half: Annotated[
        str | None, typer.Option("--half", metavar=t("metavar.half"), callback=_half_option, help=t("help.half"))
    ] = None,
    done: Annotated[list[str] | None, typer.Option("--done", metavar=t("metavar.text"), help=t("help.done"))] = None,
    note: Annotated[str | None, typer.Option("--note", metavar=t("metavar.text"), help=t("help.note"))] = None,
    kpi: Annotated[list[str] | None, typer.Option("--kpi", metavar=t("metavar.kpi"), help=t("help.kpi"))] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar=t("metavar.text"), help=t("help.reason"))] = None,
    outlook: Annotated[
        str | None, typer.Option("--outlook", metavar=t("metavar.outlook"), help=t("help.outlook"))
    ] = None,
    on: Annotated[str | None, typer.Option("--date", metavar=t("metavar.date"), help=t("help.date"))] = None,
    rating: Annotated[str | None, typer.Option("--rating", metavar=t("metavar.rating"), help=t("help.rating"))] = None,
    force: Annotated[bool, typer.Option("--force", help=t("help.force"))] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=t("help.dry_run"))] = False,
    commit: Annotated[bool, typer.Option("--commit", help=t("help.commit"))] = False,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Add one actual to a roadmap (appended under 実績, every other byte of the file kept)."""
    from dxroadmap import recording, store

    if outlook is not None and fiscal.normalize(outlook) not in OUTLOOK_WORDS:
        raise typer.BadParameter(t("cli.outlook"), param_hint="--outlook")
    kpis = _kpi_option(kpi)
    ctx = _context(dir, as_of, lang, no_color)
    portfolio = _load(ctx, project)
    interactive = _interactive()
    if project is None:
        if not interactive or not portfolio.projects:
            raise StoreError(t("cli.give_project"))
        found = portfolio.projects[
            _choose(
                t("prompt.project"),
                [f"{p.id}  {p.roadmap.name}" for p in portfolio.projects],
                [(p.id, p.roadmap.name) for p in portfolio.projects],
            )
        ]
    else:
        found = store.resolve_project(portfolio, project)
    day = _date_option(on, "--date")
    period = _report_period(found, portfolio.settings, ctx.as_of, year, quarter, half, day)
    if rating is not None:
        _check_rating(rating, portfolio.settings)
    initiatives = found.roadmap.initiatives
    if initiative is None and len(initiatives) > 1 and interactive:
        initiative = str(_choose(t("prompt.initiative"), [i.name for i in initiatives]) + 1)
    request = recording.Request(
        initiative=initiative,
        year=period.fiscal_year,
        quarter=period.number if period.cadence == "quarter" else None,
        half=period.number if period.cadence == "half" else None,
        done=tuple(done or ()),
        note=note,
        kpis=tuple(kpis),
        reason=reason,
        outlook=fiscal.normalize(outlook) if outlook else None,
        date=day,
        rating=rating.strip() if rating else None,
        force=force,
    )
    if interactive and request.empty:
        request = _ask_for_entry(found, portfolio, request, ctx)
    path = Path(found.path)
    store.check_inside(portfolio.root, path)
    if commit and not dry_run:
        from dxroadmap import vcs

        vcs.check_committable(path)
    change = recording.record(path, found.id, portfolio.settings, request, ctx.as_of, dry_run=dry_run)
    for warning in change.warnings:
        _warn(warning)
    where = f"{found.id} {_period_words(period)}"
    _print_change(change, where, ctx, dry_run)
    if commit and not dry_run:
        from dxroadmap import vcs
        from dxroadmap.safe import clean

        label = f"record: {clean(where)}"  # git log shows it raw: no control character from a file name
        typer.echo(clean(t("cli.committed", commit=vcs.commit_file(path, label), message=label)))


def _ask_for_entry(found: Project, portfolio: Portfolio, request: Any, ctx: Context) -> Any:
    """What the entry is missing, asked for at the terminal; then the entry shown for confirmation.

    The targets achieved, a note and the values of the year's KPIs; where the initiative is late,
    its 理由 (required); then 見通し, and 評価 if the plan has a 評価区分. What was given as an
    option is not asked for again.
    """
    from dataclasses import replace

    from dxroadmap import edit, recording

    settings = portfolio.settings
    index = recording.resolve_initiative(found.roadmap, request.initiative)
    initiative = found.roadmap.initiatives[index]
    candidates = recording.open_targets(initiative, settings, request.year)
    done: tuple[str, ...] = ()
    if candidates:
        labels = [f"{c.text} ({fiscal.label(c.fiscal_year)})" for c in candidates]
        chosen = _choose_many(t("prompt.targets"), labels, [(c.text,) for c in candidates])
        done = tuple(dict.fromkeys(candidates[i].text for i in chosen))
    note = _ask(t("prompt.note")) or None
    kpis = _ask_for_kpis(found, index, settings, request.year)
    request = replace(request, initiative=str(index + 1), done=done, note=note, kpis=kpis)
    if request.empty:
        raise StoreError(t("edit.nothing"))
    if request.reason is None:
        late = _late_items(found, index, settings, ctx)
        if late:
            _say(t("prompt.late", items="; ".join(late)))
            request = replace(request, reason=_ask_for_reason())
    if request.outlook is None:
        request = replace(request, outlook=_ask_for_outlook(ctx))
    if request.rating is None and settings.ratings:
        request = replace(request, rating=_ask_for_rating(settings, ctx))
    entries, _ = recording.build_entries(found, index, request, settings)  # refused here as it would be later
    _say(f"{found.id} / {initiative.name} / {fiscal.label(request.year)}:")
    for entry in entries:
        _say(f"  - {edit.flow_entry(entry)}")
    if not _confirm(t("prompt.confirm")):
        raise StoreError(t("cli.nothing_written"))
    return request


def _ask_for_kpis(found: Project, index: int, settings: Settings, year: int) -> tuple[tuple[str, int | float], ...]:
    """A value for each KPI target of the initiative in `year` (an empty answer: none for that KPI)."""
    from dxroadmap import progress

    targets: dict[str, tuple[str, KpiTarget]] = {}
    for planned in progress.planned_targets(found.roadmap.initiatives[index], settings.calendar):
        if planned.kpi is not None and planned.fiscal_year == year:
            targets.setdefault(fiscal.text_key(planned.text), (planned.text, planned.kpi))
    if targets:
        _say(t("prompt.kpis"))
    values: list[tuple[str, int | float]] = []
    for name, kpi in targets.values():
        title = t("prompt.kpi", kpi=name, target=_amount(kpi.target, kpi.unit))
        while True:
            answer = _ask(title)
            value = _number(answer, kpi.unit) if answer else None
            if value is not None:
                values.append((name, value))
            if not answer or value is not None:
                break
            _say("  " + t("prompt.not_number", answer=answer))
    return tuple(values)


def _late_items(found: Project, index: int, settings: Settings, ctx: Context) -> list[str]:
    """What makes the initiative late as of the as-of date: targets slipping or missed, a period unreported."""
    from dxroadmap import progress

    status = progress.judge(found, settings, ctx.as_of).initiatives[index]
    items = [
        f"{target.text} ({fiscal.label(target.fiscal_year)}) {ctx.words(target.state)}"
        for target in status.targets
        if target.state in ("slipping", "missed")
    ]
    if status.unreported_period is not None:
        items.append(t("prompt.unreported", period=_period_words(status.unreported_period)))
    return items


def _ask_for_reason() -> str:
    """理由: required for a late initiative; an empty answer says so and asks again."""
    while not (reason := _ask(t("prompt.reason"))):
        _say("  " + t("prompt.reason_required"))
    return reason


OUTLOOK_KEYS = ("on_track", "at_risk", "off_track")  # the words of OUTLOOK_WORDS, as i18n names them


def _ask_for_outlook(ctx: Context) -> str | None:
    """見通し: 順調, 注意 or 困難, by number or word (in either language); empty: none."""
    pairs = list(zip(OUTLOOK_WORDS, OUTLOOK_KEYS, strict=True))
    labels = [w if ctx.words(k) == w else f"{w} ({ctx.words(k)})" for w, k in pairs]
    names = [(w, k, k.replace("_", " ")) for w, k in pairs]
    picked = _choose_optional(t("prompt.outlook"), labels, names)
    return None if picked is None else OUTLOOK_WORDS[picked]


def _ask_for_rating(settings: Settings, ctx: Context) -> str | None:
    """評価: a symbol of the plan's 評価区分 (shown with the outlook it implies); empty: none."""
    labels = [symbol + (f" ({ctx.words(outlook)})" if outlook else "") for symbol, outlook in settings.ratings]
    picked = _choose_optional(t("prompt.rating"), labels, [(symbol,) for symbol, _ in settings.ratings])
    return None if picked is None else settings.ratings[picked][0]


def _period_words(period: fiscal.ReportPeriod) -> str:
    """`R8 Q2`, `R8 H1`, or `R8` for a whole year."""
    return fiscal.label(period.fiscal_year) + (f" {period.label}" if period.cadence != "year" else "")


def _report_period(
    found: Project,
    settings: Settings,
    as_of: date,
    year: str | None,
    quarter: str | None,
    half: str | None,
    day: date | None,
) -> fiscal.ReportPeriod:
    """The period a record is for: as given, else the last completed one by the cadence; refused if in the future."""
    if quarter is not None and half is not None:
        raise typer.BadParameter(t("cli.quarter_and_half"), param_hint="--half")
    calendar = settings.calendar
    cadence = found.roadmap.cadence or settings.cadence
    last = calendar.last_completed_period(as_of, cadence)
    fiscal_year = int(year) if year is not None else last.fiscal_year
    if quarter is not None:
        period = fiscal.ReportPeriod(fiscal_year, "quarter", int(quarter))
    elif half is not None:
        period = fiscal.ReportPeriod(fiscal_year, "half", int(half))
    elif cadence != "year":
        period = fiscal.ReportPeriod(fiscal_year, cadence, last.number)
    else:
        period = fiscal.ReportPeriod(fiscal_year, "year", 1)
    start, end = calendar.period_start(period), calendar.period_end(period)
    if start > as_of:
        raise typer.BadParameter(
            t("cli.future_period", period=_period_words(period), start=start.isoformat(), as_of=as_of.isoformat()),
            param_hint="--year" if period.cadence == "year" else f"--{period.cadence}",
        )
    if end > as_of and day is None:  # an entry of a period is dated at its end: it would not count yet
        raise typer.BadParameter(
            t("cli.unfinished_period", period=_period_words(period), end=end.isoformat()), param_hint="--date"
        )
    if day is not None and not start <= day <= end:
        raise typer.BadParameter(
            t("cli.date_outside", date=day.isoformat(), year=_period_words(period), span=f"{start} – {end}"),
            param_hint="--date",
        )
    if day is not None and day > as_of:
        raise typer.BadParameter(
            t("cli.future_date", date=day.isoformat(), as_of=as_of.isoformat()), param_hint="--date"
        )
    return period


def _check_rating(rating: str, settings: Settings) -> None:
    symbols = [symbol for symbol, _ in settings.ratings]
    if symbols and fiscal.text_key(rating) not in {fiscal.text_key(s) for s in symbols}:
        raise typer.BadParameter(t("cli.rating", rating=rating, symbols=", ".join(symbols)), param_hint="--rating")


def _print_change(change: Any, where: str, ctx: Context, dry_run: bool) -> None:
    from dxroadmap.safe import clean

    if dry_run:
        sys.stdout.write(clean(change.diff()))
        return
    typer.echo(clean(ctx.words("recorded", where=where, initiative=change.initiative, path=store_path(change.path))))
    for what, before, after in change.moved:
        typer.echo(clean(f"  {what}: {_state_word(before, ctx)} → {_state_word(after, ctx)}"))


def _state_word(state: str, ctx: Context) -> str:
    return ctx.words(state) if state != "reported" else ctx.words("reported")


def store_path(path: Path) -> str:
    from dxroadmap import store

    return store.display_path(path)


@app.command(cls=_Command, help=t("help.new"))
@_errors_are_lines
def new(
    project_id: Annotated[str, typer.Argument(metavar=t("metavar.project_id"), help=t("help.new_id"))],
    field: Annotated[str | None, typer.Option("--field", metavar=t("metavar.field"), help=t("help.new_field"))] = None,
    name: Annotated[str | None, typer.Option("--name", metavar=t("metavar.text"), help=t("help.new_name"))] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar=t("metavar.text"), help=t("help.new_owner"))] = None,
    initiative: Annotated[
        str | None, typer.Option("--initiative", metavar=t("metavar.text"), help=t("help.new_initiative"))
    ] = None,
    years: Annotated[str | None, typer.Option("--years", metavar=t("metavar.years"), help=t("help.years"))] = None,
    dir: DirOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Write a new, commented roadmap file (never over an existing one)."""
    import os

    from dxroadmap import scaffold, store
    from dxroadmap.model import field_name
    from dxroadmap.safe import clean

    ctx = _context(dir, as_of, lang, no_color=False)
    root = store.find_root(ctx.dir)
    settings = store.load_settings(root)[1]
    pid = scaffold.check_id(project_id)
    path = root / f"{pid}.yaml"
    store.check_inside(root, path)  # a linked folder or a dangling link may lead elsewhere
    # the id taken by any name: `.yml`, or another Unicode normalisation of it (an NFD name from a Mac)
    taken = [p for p in store.project_files(root) if store.project_id(root, p) == pid]
    if taken or os.path.lexists(path) or os.path.lexists(path.with_suffix(".yml")):
        raise StoreError(t("store.exists", path=store.display_path(taken[0] if taken else path)))
    interactive = _interactive()

    def ask(value: str | None, option: str, label: str) -> str:
        if value:
            return value
        if not interactive:
            raise StoreError(t("new.give", option=option, label=label))
        return str(typer.prompt(label)).strip()

    if field is None and interactive and settings.fields:
        field = settings.fields[_choose("政策分野", settings.fields)]
    field = ask(field, "--field", "政策分野")
    if settings.fields and field_name(field) not in settings.fields:
        raise StoreError(t("new.unknown_field", field=field, fields=", ".join(settings.fields)))
    name = ask(name, "--name", "事業名")
    owner = ask(owner, "--owner", "担当課")
    first = initiative or (typer.prompt(t("new.first_initiative"), default="取組1") if interactive else "取組1")
    try:
        span = scaffold.parse_years(years) if years else _default_years(settings, ctx)
    except fiscal.FiscalError as exc:
        raise typer.BadParameter(str(exc), param_hint="--years") from None
    schema = os.path.relpath(root.resolve().parent / "schemas" / "roadmap.schema.json", path.resolve().parent)
    text = scaffold.roadmap_text(
        schema=Path(schema).as_posix(), field=field, name=name, owner=owner, initiative=first, years=span
    )
    roadmap, problems = store.parse_roadmap(text, store.display_path(path), settings)
    if roadmap is None:
        raise StoreError(t("new.invalid", problem=problems[0]))
    path.parent.mkdir(parents=True, exist_ok=True)
    store.write_file(path, text.encode("utf-8"), exclusive=True)
    typer.echo(clean(t("new.wrote", path=store.display_path(path))))


def _default_years(settings: Any, ctx: Context) -> list[int]:
    if settings.period is not None:
        start, end = settings.period
        return list(range(max(start, settings.calendar.year_of(ctx.as_of)), end + 1)) or list(range(start, end + 1))
    this = settings.calendar.year_of(ctx.as_of)
    return list(range(this, this + 4))


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"


_SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "markdown", ".html": "html", ".htm": "html"}


@app.command(cls=_Command, help=t("help.export"))
@_errors_are_lines
def export(
    output: Annotated[str, typer.Option("-o", "--output", metavar=t("metavar.file"), help=t("help.output"))],
    format: Annotated[
        ExportFormat | None,
        typer.Option("--format", "-f", metavar=t("metavar.format"), help=t("help.export_format")),
    ] = None,
    field: FieldOption = None,
    owner: OwnerOption = None,
    no_bom: Annotated[bool, typer.Option("--no-bom", help=t("help.no_bom"))] = False,
    dir: DirsOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
) -> None:
    """The whole portfolio for people without a terminal: Excel, CSV, JSON, Markdown or one HTML page."""
    from dxroadmap import progress, store
    from dxroadmap.safe import clean

    chosen = format or (
        ExportFormat(_SUFFIXES[Path(output).suffix.lower()]) if Path(output).suffix.lower() in _SUFFIXES else None
    )
    if chosen is None:
        raise typer.BadParameter(t("cli.format_unknown"), param_hint="--format")
    if output == "-" and chosen is ExportFormat.xlsx:
        raise typer.BadParameter(t("cli.xlsx_stdout"), param_hint="-o")
    ctx = _context(dir, as_of, lang, no_color)
    if output != "-":
        store.output_kind(Path(output))  # a folder, a socket, a block device: refused before any work
    content: bytes | Iterator[bytes]
    if chosen is ExportFormat.json:  # written as it is made: a national roll-up never sits in memory whole
        view = _overview(ctx, with_slips=True)
        selected = _summaries(view, field, owner)
        content, count, problems = _portfolio_json(view, selected, ctx), len(selected), view.problems
    else:
        rolled = _load_all(ctx, field, owner)
        statuses = rolled.statuses
        items = progress.slipping_items(statuses, ctx.as_of)
        years = _years(rolled.settings, statuses)
        content = _render_export(chosen, rolled.settings, statuses, items, years, rolled.moved, ctx, bom=not no_bom)
        count, problems = len(statuses), rolled.problems
    if output == "-":
        for piece in [content] if isinstance(content, bytes) else content:
            sys.stdout.buffer.write(piece) if hasattr(sys.stdout, "buffer") else sys.stdout.write(piece.decode())
        sys.stdout.flush()
    else:
        target = Path(output)
        store.write_output(target, content)  # a file atomically; a FIFO or a device written into
        sys.stderr.write(
            clean(t("cli.wrote_export", path=store.display_path(target), format=chosen.value, count=count)) + "\n"
        )
    _report_problems(problems)
    if problems:
        raise typer.Exit(1)


def _portfolio_json(view: Overview, selected: Sequence[Digest], ctx: Context) -> Iterator[bytes]:
    """`export --format json`, a project at a time (each file read again, with its actuals)."""
    from functools import partial

    from dxroadmap import i18n, index, progress
    from dxroadmap.report import data, stream
    from dxroadmap.safe import json_text
    from dxroadmap.store import RoadmapFile

    def projects() -> Iterator[str]:
        files = [(RoadmapFile(Path(d.path), d.path, d.id), view.settings_of[d.path]) for d in selected]
        work = partial(
            index.export_entries, as_of=ctx.as_of, language=i18n.language(), serialise=data.portfolio_project
        )
        try:
            bar = _progress_bar(ctx) if ctx.progress and sys.stderr.isatty() else None
            for _, texts in index.in_chunks(files, work, bar):
                yield from texts
        except index.ChangedError as exc:
            raise StoreError(t("cli.changed_meanwhile", path=exc.args[0])) from None

    def slips() -> Iterator[str]:
        items = sorted((item for d in selected for item in d.slips()), key=progress.slip_order)
        return (json_text(json.dumps(data.slip(item), ensure_ascii=False, indent=2)) for item in items)

    def tail() -> dict[str, Any]:
        return {"invalid": [data.problem(p) for p in view.problems]}

    head = data.portfolio_head(view.settings, ctx.as_of, __version__)
    return (piece.encode() for piece in stream.pieces(head, [("projects", projects()), ("slipping", slips())], tail))


def _render_export(
    chosen: ExportFormat,
    settings: Settings,
    statuses: list[ProjectStatus],
    items: Any,
    years: list[int],
    moved: Any,
    ctx: Context,
    *,
    bom: bool,
) -> bytes:
    if chosen is ExportFormat.csv:
        from dxroadmap.report import tables

        text = tables.to_csv(tables.target_rows(statuses, ctx.words), lineterminator="\r\n")
        return ("\ufeff" if bom else "").encode() + text.encode()
    from dxroadmap.report.tables import Report, markdown_report

    report = Report(statuses, items, settings, years, ctx.as_of, ctx.words, moved)
    if chosen is ExportFormat.xlsx:
        from dxroadmap.report import xlsx

        return xlsx.workbook(report)
    if chosen is ExportFormat.html:
        from dxroadmap.report import html

        return html.page(report, __version__).encode()
    return markdown_report(report).encode()


def _moved_all(root: Path, settings: Settings, ids: Iterable[str]) -> dict[str, Moved]:
    """Re-planned targets of the projects `ids` of one directory, from git (nothing outside a repository)."""
    from dxroadmap import history, vcs

    try:
        repo = vcs.Repo(root)
    except StoreError:
        return {}
    log = history.review_log(repo, root, settings)
    return {pid: moved for pid in ids if (moved := history.moved_from(log, pid))}


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
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=t("help.version"))
    ] = False,
    show_completion: Annotated[
        Shell | None,
        ShellOption("--show-completion", callback=_show_completion, help=t("help.show_completion")),
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
