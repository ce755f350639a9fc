"""The service layer of the reading commands: which files, read how, judged, selected, rolled up.

The commands call these and render what they return; nothing here parses options or prints.
Two routes lead to a judged project, and each command takes the one it needs:

- **digests** (`overview`): each file's problems, its status-table line and slip items, from
  the cache (`index`) when the file has not changed. `status`, `slipping`, `validate`, the JSON
  export, and `show`/`record` resolving part of a name.
- **whole models** (`load_all`, `load_one`): the roadmap itself, judged by `progress.judge`
  into a `ProjectStatus`. What shows actuals or compares versions: `show`, `record`,
  `status --since`, the xlsx/HTML/Markdown/CSV exports.

A digest's `Summary` is the status line of a `ProjectStatus` (`ProjectStatus.summary()`):
both routes judge with the same function, so they agree by construction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as default
from datetime import date
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxroadmap import fiscal, i18n
from dxroadmap.i18n import t
from dxroadmap.problems import RequestError, StoreError

if TYPE_CHECKING:
    from dxroadmap.history import Event, Log, ProjectSince, Since
    from dxroadmap.index import Digest, Serialise
    from dxroadmap.model import Project, Roadmap
    from dxroadmap.problems import Problem
    from dxroadmap.progress import ProjectStatus, Summary
    from dxroadmap.settings import Settings
    from dxroadmap.store import Portfolio, RoadmapFile

Moved = dict[tuple[str, int, str], int]  # re-planned targets of one project: (initiative, index, text) -> from year
Bar = Callable[[int], Any]  # a progress bar for a long read, given the number of files
Load = Callable[[Path, "Settings", date], tuple["Roadmap | None", list["Problem"]]]  # `store.load_roadmap`, say


@dataclass(frozen=True)
class Scope:
    """What a reading command is about: the roadmaps directories (`--dir`) and the as-of date."""

    dirs: tuple[Path, ...]
    as_of: date
    progress: Bar | None = None  # shown while many files are read at a terminal
    # the files read, where a command read only some files of its directory (an exact id: the plan and one file),
    # so that its output is known to depend on those alone (`replay`); empty: on every file. Shared by `one()`.
    read: list[Path] = default(default_factory=list, compare=False)

    @property
    def dir(self) -> Path | None:
        """The one roadmaps directory of a command that works in one (`--dir` at most once)."""
        if len({os.path.realpath(d) for d in self.dirs}) > 1:  # the same one twice is still one
            raise RequestError("--dir", t("cli.one_dir"))
        return self.dirs[0] if self.dirs else None

    def one(self) -> Scope:
        """This scope narrowed to its one directory (a second `--dir` refused)."""
        one = self.dir
        return replace(self, dirs=(one,) if one else ())


# --- finding the directories and their files ------------------------------------------------


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


def roots(scope: Scope) -> list[Path]:
    """The roadmaps directory of each `--dir` (each once), or the one found from here."""
    from dxroadmap import store

    given: list[Path | None] = [*scope.dirs] or [None]
    return list({r.resolve(): r for r in map(store.find_root, given)}.values())


def labels(folders: Sequence[Path]) -> list[str]:
    """How each directory's projects are told apart where ids collide: its name (its parent's for `roadmaps`),
    as text the way ids are (`safe.name_text`)."""
    from dxroadmap import store
    from dxroadmap.safe import name_text

    names = []
    for folder in folders:
        real = folder.resolve()
        names.append(name_text(real.parent.name if real.name == "roadmaps" and real.parent.name else real.name))
    if len(set(names)) < len(names):
        return [name_text(store.display_path(folder)) for folder in folders]
    return names


def gather(
    scope: Scope, only: Sequence[Path] | None = None, root: Path | None = None, report_plan: bool = False
) -> Gathered:
    """Each `--dir` (or only `only`, under `root`): its plan and its files, each file once.

    A plan with problems stops the command (`store.PlanError`); with `report_plan` (`validate`)
    its problems are reported with the files' instead. Ids that more than one directory holds
    get the directory's name in front (`labels`).
    """
    from dxroadmap import store
    from dxroadmap.settings import Settings

    folders = [root] if root is not None else roots(scope)
    problems: list[Problem] = []
    found = []
    checked = 0
    seen: set[str] = set()  # with several directories, one inside another: each file once
    for folder in folders:
        try:
            settings = store.load_settings(folder)[1]
        except store.PlanError as exc:
            if not report_plan:
                raise
            settings, problems = Settings(), problems + exc.problems  # the files still checked, by the defaults
        walked = store.walk(folder, problems) if only is None else None
        checked += len(walked) if walked is not None else len(only or ())
        named = store.roadmap_files(folder, only, problems, walked=walked)
        if len(folders) > 1:
            kept = [f for f in named if _first_time(f.path, seen)]
            checked -= len(named) - len(kept)  # looked at already, from the directory it is in
            named = kept
        found.append((folder, settings, named))
    taken: dict[str, int] = {}
    for _, _, files in found:
        for file in files:
            taken[file.id] = taken.get(file.id, 0) + 1
    groups = []
    for (folder, settings, files), label in zip(found, labels([folder for folder, _, _ in found]), strict=True):
        own = {f"{label}/{f.id}": f.id for f in files if taken[f.id] > 1}
        named = [replace(f, id=f"{label}/{f.id}") if taken[f.id] > 1 else f for f in files]
        groups.append(Group(folder, settings, named, own))
    return Gathered(groups, problems, checked)


def _first_time(path: Path, seen: set[str]) -> bool:
    real = os.path.realpath(path)
    if real in seen:
        return False
    seen.add(real)
    return True


# --- route 1: digests -----------------------------------------------------------------------


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

    def select(self, field: str | None, owner: str | None) -> list[Digest]:
        """The digests of valid projects that `--field` / `--owner` select, by field (plan order) and id."""
        wanted = matching([*self.fields, *(d.summary.field for d in self.digests if d.summary)], field, owner)
        chosen = [(d.summary.field, d) for d in self.digests if d.summary and wanted(d.summary.field, d.summary.owner)]
        key = in_field_order(self.fields)
        return [d for _, d in sorted(chosen, key=lambda pair: key(pair[0], pair[1].id))]


def overview(
    scope: Scope,
    only: Sequence[Path] | None = None,
    root: Path | None = None,
    project_json: Serialise | None = None,
    report_plan: bool = False,
    with_slips: bool = False,
) -> Overview:
    """Digests of every project file under each `--dir` (or only `only`, under `root`).

    `project_json`: each project's status JSON made with it (for `--format json`). `with_slips`:
    the commands that read the slip items (`slipping`, the JSON export). `report_plan`: a
    plan's problems are reported (`validate`), not a refusal.
    """
    from dxroadmap import index

    gathered = gather(scope, only, root, report_plan)
    problems = list(gathered.problems)
    digests = []
    settings_of = {}
    for group in gathered.groups:
        scanned = index.scan(
            group.root, group.files, group.settings, scope.as_of, scope.progress,
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


def validated(scope: Scope, paths: Sequence[Path]) -> Overview:
    """`validate`: the files and folders given (under the roadmaps directory, if one is found), or every file."""
    from dxroadmap import store

    if not paths:
        return overview(scope, report_plan=True)
    try:
        root = store.find_root(scope.dirs[0] if scope.dirs else None)
    except StoreError:
        root = Path.cwd()
    files = [f for p in paths for f in ([p] if not p.is_dir() else store.project_files(p))]
    return overview(scope, files, root, report_plan=True)


def project_documents(
    view: Overview, selected: Sequence[Digest], as_of: date, serialise: Serialise, progress: Bar | None = None
) -> Iterator[str]:
    """The JSON texts of `selected` with their actuals (`export --format json`), each file read again,
    in worker processes, in order; a file changed meanwhile stops the export."""
    from dxroadmap import index
    from dxroadmap.store import RoadmapFile

    files = [(RoadmapFile(Path(d.path), d.path, d.id), view.settings_of[d.path]) for d in selected]
    work = partial(index.export_entries, as_of=as_of, language=i18n.language(), serialise=serialise)
    try:
        for _, texts in index.in_chunks(files, work, progress):
            yield from texts
    except index.ChangedError as exc:
        raise StoreError(t("cli.changed_meanwhile", path=exc.args[0])) from None


# --- route 2: whole models ------------------------------------------------------------------


@dataclass
class RollUp:
    """Every `--dir` loaded whole (for what shows actuals) and judged, each with its own plan."""

    head: Group  # the first directory: its plan heads the reports
    statuses: list[ProjectStatus]  # in field order
    problems: list[Problem]
    moved: dict[str, Moved]  # re-planned targets from git, by (final) id
    groups: list[Group] = default(default_factory=list)  # every directory, the head first

    @property
    def settings(self) -> Settings:
        return self.head.settings


def load_all(
    scope: Scope, field: str | None, owner: str | None, with_moved: bool = True, load: Load | None = None
) -> RollUp:
    """Every `--dir` read whole and judged; `with_moved`: with the re-planned targets from git. `load`: how a
    file is read (`store.load_roadmap`'s roadmap and errors; `history.Current` reads through its cache)."""
    from dxroadmap import progress, store
    from dxroadmap.model import Project, field_name

    gathered = gather(scope)
    problems = list(gathered.problems)
    loaded = []
    for group in gathered.groups:
        for file in group.files:
            roadmap, found = (load or store.load_roadmap)(file.path, group.settings, scope.as_of)
            problems += [p for p in found if not p.warning]
            if roadmap is not None:
                loaded.append((group, Project(file.id, file.shown, roadmap)))
    wanted = matching([*gathered.fields, *(field_name(p.roadmap.field) for _, p in loaded)], field, owner)
    statuses = [
        progress.judge(project, group.settings, scope.as_of)
        for group, project in loaded
        if wanted(field_name(project.roadmap.field), project.roadmap.owner)
    ]
    key = in_field_order(gathered.fields)
    statuses.sort(key=lambda s: key(s.field, s.project.id))
    moved: dict[str, Moved] = {}
    for group in gathered.groups if with_moved else []:
        own = {group.own_ids.get(f.id, f.id): f.id for f in group.files}
        moved |= {own[pid]: targets for pid, targets in moved_all(group.root, group.settings, own).items()}
    return RollUp(gathered.groups[0], statuses, sorted(problems), moved, gathered.groups)


def load_one(scope: Scope, project: str | None = None) -> Portfolio:
    """The portfolio of the one directory; for a command about one project, just that project's file.

    An exact id names its file; any other query is resolved on the (cached) digests of every
    file, so that a part of an id or a name costs no more than `status` does.
    """
    from dxroadmap import store

    root = store.find_root(scope.dir)
    if project is None:
        return store.load_portfolio(root)
    for suffix in store.SUFFIXES:
        path = root / f"{project}{suffix}"
        if not project.startswith(("/", ".", "_")) and ".." not in project and path.is_file():
            portfolio = store.load_portfolio(root, only=[path])
            if portfolio.projects:
                scope.read[:] = [root / store.PLAN_FILE, path]
                return portfolio
    view = overview(scope, root=root)
    valid = [d for d in view.digests if d.summary is not None]
    chosen = valid[store.pick(project, [(d.id, d.summary.name) for d in valid if d.summary], view.problems)]
    return store.load_portfolio(root, only=[Path(chosen.path)])


@dataclass
class OneProject:
    """`show`: one project judged, with the years to show and its re-planned targets."""

    project: Project
    status: ProjectStatus
    settings: Settings
    years: list[int]  # the plan's period (the grid widens it by every year that holds data)
    moved: Moved


def one_project(scope: Scope, query: str) -> OneProject:
    from dxroadmap import progress, store

    portfolio = load_one(scope, query)
    found = store.resolve_project(portfolio, query)
    status = progress.judge(found, portfolio.settings, scope.as_of)
    years = plan_years(portfolio.settings, [status])
    moved = moved_all(portfolio.root, portfolio.settings, [found.id]).get(found.id, {})
    return OneProject(found, status, portfolio.settings, years, moved)


@dataclass
class StatusView:
    """`status`: one status line per project selected, and with `--since` what changed."""

    summaries: list[Summary]
    problems: list[Problem]
    settings: Settings
    years: list[int]
    digests: list[Digest]  # the route of digests (without `--since`)
    since: SinceView | None  # the route of whole models (with `--since`)


def status(
    scope: Scope, field: str | None, owner: str | None, when: str | None, project_json: Serialise | None = None
) -> StatusView:
    """Without `when`, from the digests (each with its status JSON made by `project_json`); with it, judged
    from the files as they are and as they were (whole models)."""
    if when is not None:
        changed = since(scope, field, owner, when)
        rolled = changed.rolled
        years = plan_years(rolled.settings, rolled.statuses)
        summaries = [s.summary() for s in rolled.statuses]
        return StatusView(summaries, rolled.problems, rolled.settings, years, [], changed)
    view = overview(scope, project_json=project_json)
    chosen = view.select(field, owner)
    summaries = [d.summary for d in chosen if d.summary is not None]
    return StatusView(summaries, view.problems, view.settings, plan_years(view.settings, summaries), chosen, None)


# --- selecting and ordering -----------------------------------------------------------------


def matching(known_fields: Sequence[str], field: str | None, owner: str | None) -> Callable[[str, str], bool]:
    """The test of `--field` and `--owner` on a project's (field, owner); an unknown field is refused."""
    from dxroadmap.model import field_name

    wanted = field_name(field) if field is not None else None
    known = list(dict.fromkeys(known_fields))
    if wanted is not None and wanted not in known:
        raise StoreError(t("cli.no_field", field=field, fields=", ".join(known)))
    needle = fiscal.normalize(owner) if owner is not None else None
    return lambda f, o: (wanted is None or f == wanted) and (needle is None or needle in fiscal.normalize(o))


def in_field_order(fields: Sequence[str]) -> Callable[[str, str], tuple[int, str, str]]:
    """The sort key of a project by (field, id): fields in the plans' order, then by name; ids within."""
    order = {name: i for i, name in enumerate(fields)}
    return lambda field, pid: (order.get(field, len(order)), field, pid)


def plan_years(settings: Settings, statuses: Sequence[ProjectStatus | Summary]) -> list[int]:
    """The plan's period; without one, every year the projects use."""
    if settings.period is not None:
        start, end = settings.period
        return list(range(start, end + 1))
    used = {y for s in statuses for y in s.years()}
    return list(range(min(used), max(used) + 1)) if used else []


# --- the review log -------------------------------------------------------------------------


@dataclass
class SinceView:
    """`status --since`: the projects judged now, and what changed since the point WHEN names."""

    rolled: RollUp
    point: Since
    revision: str | None
    report: dict[str, ProjectSince]  # by project id
    judged: Callable[[], list[ProjectStatus]] = list  # the projects as judged at the point (asked for by `then`)
    renamed: dict[str, str] = default(default_factory=dict)  # the renames since the point (`Log.renamed`)

    @cached_property
    def then(self) -> dict[str, ProjectStatus]:
        """Each project as judged at the point, by its id now (judged when first asked for: `status` does not)."""
        from dxroadmap import history

        return {history.latest_id(self.renamed, s.project.id): s for s in self.judged()}


def since(scope: Scope, field: str | None, owner: str | None, when: str) -> SinceView:
    """Judged from the files as they are and as they were (whole models); one repository's log."""
    from dxroadmap import history, vcs

    scope = scope.one()
    parsed: dict[str, Any] = {}  # the versions made, by blob id: a file as it is now and as it was, made once
    current = history.Current(parsed)  # the files as they are, read through the versions cache
    try:
        rolled = load_all(scope, field, owner, with_moved=False, load=current.load)
    finally:
        current.close()
    group = rolled.head
    repo = vcs.Repo(group.root)
    point = history.resolve_when(when, repo, group.settings, scope.as_of)
    then = history.Then(repo, group.root, group.settings, point, parsed)  # its targets' states kept by version
    revision = then.revision
    # everything that reached the main line after that commit, branches merged since included
    log = history.review_log(repo, group.root, group.settings, f"{revision}..HEAD" if revision else "HEAD", parsed)
    report = history.since_report(rolled.statuses, then.states(), log.events, log)
    return SinceView(rolled, point, revision, report, then.projects_judged, log.renamed)


@dataclass
class Review:
    """`export --since` and `export --format site`: the projects judged now with their re-planned targets, what
    changed since a point of the review log, and each project's re-planning history."""

    rolled: RollUp
    since: SinceView | None
    replans: dict[str, list[Event]]  # by project id: targets added, moved, changed or dropped, oldest first
    logged: bool  # a review log was read (the directories are in git)
    missing: str | None = None  # why there is no `since` when the point was only a default (`fallback`)


def review(scope: Scope, field: str | None, owner: str | None, when: str | None, fallback: str | None = None) -> Review:
    """What changed since `when` (its refusal is the command's); without `when`, since `fallback` (the site's
    `last-meeting`) where that can be served, else the reason why not in `missing`. The review log is read
    whole once per directory, for the re-planned targets and their history; outside git they are empty."""
    changed, missing = None, None
    if when is not None or fallback is not None:
        try:
            changed = since(scope, field, owner, when if when is not None else str(fallback))
        except StoreError as exc:
            if when is not None:
                raise
            missing = str(exc)
    rolled = changed.rolled if changed is not None else load_all(scope, field, owner, with_moved=False)
    moved, replans, logged = _review_logs(rolled.groups or [rolled.head])
    rolled.moved = moved
    return Review(rolled, changed, replans, logged, missing)


def _review_logs(groups: Sequence[Group]) -> tuple[dict[str, Moved], dict[str, list[Event]], bool]:
    """The re-planned targets and the re-planning events of every project of `groups` (by final id), from git;
    and whether any directory had a review log."""
    from dxroadmap import history, vcs

    moved: dict[str, Moved] = {}
    replans: dict[str, list[Event]] = {}
    logged = False
    for group in groups:
        try:
            repo = vcs.Repo(group.root)
            log = history.review_log(repo, group.root, group.settings)
        except StoreError:  # not in git, or a shallow clone: no re-planning to show
            continue
        logged = True
        final = {own: pid for pid, own in group.own_ids.items()}
        created: dict[str, str] = {}  # project -> its first commit: the targets it added were planned, not re-planned
        for event in log.events:
            first = created.setdefault(event.project, event.commit)
            if event.change.kind == "record" or (event.change.kind == "target_added" and event.commit == first):
                continue
            replans.setdefault(final.get(event.project, event.project), []).append(event)
        for file in group.files:
            own = group.own_ids.get(file.id, file.id)
            if found := history.moved_from(log, own):
                moved[file.id] = found
    return moved, replans, logged


def moved_all(root: Path, settings: Settings, ids: Iterable[str]) -> dict[str, Moved]:
    """Re-planned targets of the projects `ids` of one directory, from git (nothing outside a repository)."""
    from dxroadmap import history, vcs

    try:
        repo = vcs.Repo(root)
    except StoreError:
        return {}
    log = history.review_log(repo, root, settings)
    return {pid: moved for pid in ids if (moved := history.moved_from(log, pid))}


@dataclass
class Events:
    """`history`: the events selected, and what reading the log warned of."""

    events: list[Any]
    warnings: list[str]


def events(scope: Scope, project: str | None, since: str | None, until: str | None) -> Events:
    """The review log of the one directory between two points, of one project or all."""
    from dxroadmap import history, store, vcs

    root = store.find_root(scope.dir)
    settings = store.load_settings(root)[1]  # no project file is read: the log has what it needs
    repo = vcs.Repo(root)
    start = history.resolve_when(since, repo, settings, scope.as_of) if since else None
    end = history.resolve_when(until, repo, settings, scope.as_of) if until else None
    log: Log = history.review_log(repo, root, settings, history.revisions(start, end))
    only = None
    if project is not None and project in {e.project for e in log.events}:
        only = {project}
    elif project is not None:  # a project as `show` finds it: an exact id reads its file, else the cached digests
        only = {store.resolve_project(load_one(scope, project), project).id}
    return Events(history.select(log, start, end, only), log.warnings)


# --- shell completion -----------------------------------------------------------------------


def complete_project(dir: Path | None, incomplete: str) -> list[str]:
    """Project ids for shell completion: from file names alone, nothing parsed."""
    from dxroadmap import store
    from dxroadmap.safe import clean

    try:
        root = store.find_root(dir)
    except StoreError:
        return []
    ids = [clean(store.project_id(root, path)) for path in store.project_files(root)]  # as shown, as `pick` takes
    return [pid for pid in ids if pid.startswith(incomplete)] or [pid for pid in ids if incomplete in pid]


def complete_initiative(dir: Path | None, query: str, incomplete: str) -> list[str]:
    """Initiative names of the project `query` (already on the command line), for shell completion."""
    from dxroadmap import store

    try:
        root = store.find_root(dir)
        project = store.resolve_project(load_one(Scope((root,), date.today()), query), query)  # one file read
    except StoreError:
        return []
    names = [init.name for init in project.roadmap.initiatives]
    return [name for name in names if name.startswith(incomplete)] or [n for n in names if incomplete in n]
