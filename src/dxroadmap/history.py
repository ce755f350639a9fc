"""The review log from git: who recorded which actuals, and which targets were re-planned.

Every commit that touched the roadmaps directory is compared file by file, before and after,
as models (`changes.diff`). Each version of a file (a git blob) is parsed once. Renamed files
are followed: events carry the project's latest id. A version that was invalid is reported as
a warning and skipped: the next valid version is compared with the last valid one. A merge
reports only what it changed relative to every parent (a resolution), since the commits it
brings in are listed themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from dxroadmap import changes, fiscal, progress, source, store, vcs
from dxroadmap.i18n import t
from dxroadmap.model import Meeting, Project, Roadmap
from dxroadmap.problems import StoreError
from dxroadmap.safe import name_text
from dxroadmap.settings import Settings
from dxroadmap.states import State


@dataclass(frozen=True)
class Event:
    commit: str
    date: datetime
    author: str
    project: str
    change: changes.Change


@dataclass(frozen=True)
class Since:
    """A point in the review log: a date, or a git revision (with its date)."""

    label: str
    date: date
    revision: str | None = None


@dataclass
class Log:
    events: list[Event] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # every id a project had -> its latest id
    parsed: dict[str, Roadmap | str] = field(default_factory=dict)  # blob -> its model, or why it is invalid


_DATE_SHAPE = re.compile(fiscal.DATE_PATTERN)  # the shape of a date, whether or not the day exists


def resolve_when(when: str, repo: vcs.Repo, settings: Settings, as_of: date) -> Since:
    """WHEN: a date (any spelling of `fiscal.parse_date`), `last-meeting`, a meeting of the plan, or a git revision."""
    text = when.strip()
    try:
        day = fiscal.parse_date(text)
        return Since(day.isoformat(), day)  # 令和8年6月1日 is shown as 2026-06-01
    except fiscal.FiscalError:
        if _DATE_SHAPE.match(text):  # 2026-02-30, R8.2.30: written as a date, but no such day
            raise StoreError(t("history.bad_date", when=when)) from None
    if text == "last-meeting":
        meeting = settings.last_meeting(as_of)
        if meeting is None:
            raise StoreError(t("history.no_meeting", date=as_of.isoformat()))
        return _at_meeting(meeting)
    for meeting in settings.meetings:
        if fiscal.normalize(meeting.name) == fiscal.normalize(text):
            return _at_meeting(meeting)
    revision = repo.resolve(text)
    if revision is not None:
        return Since(text, repo.author_date(revision).date(), revision)
    meetings = ", ".join(m.name for m in settings.meetings) or t("history.no_meetings")
    raise StoreError(t("history.unknown_when", when=when, meetings=meetings))


def _at_meeting(meeting: Meeting) -> Since:
    return Since(f"{meeting.name} ({meeting.date.isoformat()})", meeting.date)


class Reader:
    """Parses versions of roadmap files from git, each blob once."""

    def __init__(
        self, repo: vcs.Repo, root: Path, settings: Settings, parsed: dict[str, Roadmap | str] | None = None
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.prefix = repo.relative(root)
        self.parsed: dict[str, Roadmap | str] = {} if parsed is None else parsed

    def project_id(self, path: str | None) -> str | None:
        """The id of a project file at `path` (relative to the top of the repository), else None."""
        if path is None:
            return None
        pure = PurePosixPath(path)
        try:
            rel = pure.relative_to(self.prefix) if self.prefix else pure
        except ValueError:
            return None
        if rel.suffix not in store.SUFFIXES or any(p.startswith(("_", ".")) for p in rel.parts):
            return None
        return name_text(rel.with_suffix("").as_posix())  # as `store` makes ids: NFC, bytes not UTF-8 as `\\x93`

    def load(self, blobs: Iterable[str]) -> None:
        todo = [b for b in dict.fromkeys(blobs) if b not in self.parsed]
        for blob, raw in self.repo.blobs(todo).items():
            self.parsed[blob] = self._parse(raw)

    def _parse(self, raw: bytes) -> Roadmap | str:
        try:
            text = source.decode(raw, "")
        except source.SourceError as exc:
            problems = [exc.problem]
        else:
            roadmap, problems = store.parse_roadmap(text, "", Settings(calendar=self.settings.calendar))
            if roadmap is not None:
                return roadmap
        # why the version is invalid, as the tail of a problem line: `line:col: CODE message`
        return str(problems[0]).removeprefix(":")

    def version(self, blob: str | None) -> Roadmap | str | None:
        return None if blob is None else self.parsed.get(blob)


def review_log(
    repo: vcs.Repo,
    root: Path,
    settings: Settings,
    revisions: str = "HEAD",
    parsed: dict[str, Roadmap | str] | None = None,
) -> Log:
    """Every event in the commits touching the roadmaps directory, oldest first."""
    reader = Reader(repo, root, settings, parsed)
    commits = repo.log(reader.prefix, revisions)
    merges = {c.sha: [repo.diff(p, c.sha, reader.prefix) for p in c.parents] for c in commits if len(c.parents) > 1}
    reader.load(
        blob
        for c in commits
        for change in [*c.changes, *(x for per_parent in merges.get(c.sha, []) for x in per_parent)]
        for blob in (change.old_blob, change.new_blob)
        if blob
    )
    walk = _Walk(reader)
    for commit in commits:
        if commit.sha in merges:
            per_parent = [
                walk.events(commit, parent, diff, apply=False)
                for parent, diff in zip(commit.parents, merges[commit.sha], strict=True)
            ]
            # what the merge changed relative to every parent: a resolution, not the merged commits again
            common = set.intersection(*({_identity(e) for e in events} for events in per_parent))
            found = [e for e in per_parent[0] if _identity(e) in common]
            walk.events(commit, commit.parents[0], merges[commit.sha][0], apply=True)
        else:
            parent = commit.parents[0] if commit.parents else None
            found = walk.events(commit, parent, commit.changes, apply=True)
        walk.log.events += [Event(commit.sha, commit.date, commit.author, key, change) for key, change in found]
    log = walk.log
    # events carry a project's identity until here; now its latest id
    log.events = [Event(e.commit, e.date, e.author, walk.names[e.project], e.change) for e in log.events]
    log.renamed = {
        key.split("\x00")[0]: name for key, name in walk.names.items() if key.endswith("\x00") and key[:-1] != name
    }
    log.parsed = reader.parsed
    return log


def _identity(found: tuple[str, changes.Change]) -> tuple[object, ...]:
    key, c = found
    return (key, c.kind, c.initiative, c.fiscal_year, c.quarter, c.text, c.from_year, c.to_year)


class _Walk:
    """Walks commits in order, following each project through renames.

    A project's identity is `id NUL commit-that-added-it`, or `id NUL` for one that was there
    before the first commit walked; a rename carries the identity to the new id, and a new file
    at an old id is a new project.
    """

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.log = Log()
        self.identity: dict[str, str] = {}  # current id -> identity key
        self.names: dict[str, str] = {}  # identity key -> latest id
        self.last_valid: dict[str, Roadmap] = {}  # identity key -> last valid version

    def _key(self, pid: str) -> str:
        """The identity of the project now at `pid` (one from before the walk if unseen)."""
        if pid not in self.identity:
            self.identity[pid] = f"{pid}\x00"
            self.names.setdefault(self.identity[pid], pid)
        return self.identity[pid]

    def _new(self, pid: str, commit: str, apply: bool) -> str:
        """A project added by `commit` at `pid` (a new project, even at an id used before)."""
        key = f"{pid}\x00{commit}"
        self.names.setdefault(key, pid)
        if apply:
            self.identity[pid] = key
        return key

    def events(
        self, commit: vcs.Commit, parent: str | None, diff: list[vcs.FileChange], *, apply: bool
    ) -> list[tuple[str, changes.Change]]:
        found: list[tuple[str, changes.Change]] = []
        for change in diff:
            old_id = self.reader.project_id(change.old_path)
            new_id = self.reader.project_id(change.new_path)
            if old_id is None and new_id is None:
                continue
            key = self._key(old_id) if old_id else self._new(new_id or "", commit.sha, apply)
            old = self.reader.version(change.old_blob)
            if isinstance(old, str) or (old is None and change.old_blob):
                old = self.last_valid.get(key) or self._valid_before(parent, change.old_path)
            new = self.reader.version(change.new_blob)
            if isinstance(new, str):
                if apply:
                    self.log.warnings.append(
                        t("history.invalid_version", commit=commit.sha[:10], path=change.new_path, problem=new)
                    )
                continue
            found += [(key, c) for c in changes.diff(old, new)]
            if apply:
                if old_id and new_id and old_id != new_id:
                    self.identity.pop(old_id, None)
                    self.identity[new_id] = key
                    self.names[key] = new_id
                elif new_id is None and old_id:
                    self.identity.pop(old_id, None)
                if new is None:
                    self.last_valid.pop(key, None)
                else:
                    self.last_valid[key] = new
        return found

    def _valid_before(self, parent: str | None, path: str | None, limit: int = 50) -> Roadmap | None:
        """The last valid version of `path` before `parent` (when the range began after it)."""
        if parent is None or path is None:
            return None
        revisions = self.reader.repo.git("rev-list", f"--max-count={limit}", parent, "--", path).split()
        for revision in revisions:
            blob = self.reader.repo.resolve_blob(revision, path)
            if blob is None:
                return None
            self.reader.load([blob])
            version = self.reader.version(blob)
            if isinstance(version, Roadmap):
                return version
        return None


def latest_id(renamed: dict[str, str], project: str) -> str:
    """The id a project has now, given the renames of the walk (`Log.renamed`)."""
    return renamed.get(project, project)


def select(log: Log, since: Since | None, until: Since | None, projects: set[str] | None) -> list[Event]:
    """The events after `since` (a date: on or after it) up to `until`, of the given projects."""
    events = log.events
    if since is not None and since.revision is None:
        events = [e for e in events if e.date.date() >= since.date]
    if until is not None and until.revision is None:
        events = [e for e in events if e.date.date() <= until.date]
    if projects is not None:
        events = [e for e in events if e.project in projects]
    return events


def revisions(since: Since | None, until: Since | None) -> str:
    """The `git log` range for revisions given as WHEN (dates are filtered afterwards)."""
    end = until.revision if until is not None and until.revision else "HEAD"
    return f"{since.revision}..{end}" if since is not None and since.revision else end


def projects_at(
    repo: vcs.Repo, root: Path, settings: Settings, when: Since, parsed: dict[str, Roadmap | str] | None = None
) -> tuple[list[Project], str | None]:
    """The valid projects as they were at `when`: a revision, or for a date the last commit before
    it on HEAD's first-parent line (what the main line held that day; a branch merged later is not)."""
    reader = Reader(repo, root, settings, parsed)
    revision = when.revision or repo.first_parent_before(when.date)
    if revision is None:
        return [], None
    files = {path: blob for path, blob in repo.tree(revision, reader.prefix).items() if reader.project_id(path)}
    reader.load(files.values())
    projects = []
    for path, blob in sorted(files.items()):
        version = reader.version(blob)
        pid = reader.project_id(path)
        if isinstance(version, Roadmap) and pid:
            projects.append(Project(pid, path, version))
    return projects, revision


@dataclass
class ProjectSince:
    """What moved in one project since a point of the review log."""

    records: list[Event] = field(default_factory=list)
    replanned: list[Event] = field(default_factory=list)
    states: list[tuple[str, int, str, State, State]] = field(default_factory=list)  # initiative, year, text, then, now


def since_report(
    now: Iterable[progress.ProjectStatus],
    then: Iterable[progress.ProjectStatus],
    events: Iterable[Event],
    log: Log,
) -> dict[str, ProjectSince]:
    """Per current project id: actuals recorded, targets re-planned, target states that changed."""
    report: dict[str, ProjectSince] = {s.project.id: ProjectSince() for s in now}
    for event in events:
        entry = report.get(event.project)
        if entry is not None:
            (entry.records if event.change.kind == "record" else entry.replanned).append(event)
    before = {latest_id(log.renamed, s.project.id): s for s in then}
    for status in now:
        old = before.get(status.project.id)
        if old is not None:
            report[status.project.id].states = _state_changes(old, status)
    return report


def _state_changes(
    then: progress.ProjectStatus, now: progress.ProjectStatus
) -> list[tuple[str, int, str, State, State]]:
    def keyed(status: progress.ProjectStatus) -> dict[tuple[str, int, str, int], tuple[str, State]]:
        out: dict[tuple[str, int, str, int], tuple[str, State]] = {}
        seen: dict[tuple[str, int, str], int] = {}  # how many targets of the same text came before
        for init in status.initiatives:
            for target in init.targets:
                base = (fiscal.normalize(init.name), target.fiscal_year, fiscal.normalize(target.text))
                n = seen[base] = seen.get(base, -1) + 1
                out[(*base, n)] = (init.name, target.state)
        return out

    old, new = keyed(then), keyed(now)
    return [
        (name, key[1], text_of(now, key), old[key][1], state)
        for key, (name, state) in new.items()
        if key in old and old[key][1] != state
    ]


def text_of(status: progress.ProjectStatus, key: tuple[str, int, str, int]) -> str:
    for init in status.initiatives:
        for target in init.targets:
            if (fiscal.normalize(init.name), target.fiscal_year, fiscal.normalize(target.text)) == key[:3]:
                return target.text
    return key[2]


def moved_from(log: Log, project: str) -> dict[tuple[str, int, str], int]:
    """(initiative, year, text) of each target moved since it was first planned -> its first year."""
    origin: dict[tuple[str, int, str], int] = {}
    for event in log.events:
        c = event.change
        if event.project != project or c.kind != "target_moved" or c.from_year is None or c.to_year is None:
            continue
        name, text = fiscal.normalize(c.initiative), fiscal.normalize(c.text or "")
        first = origin.pop((name, c.from_year, text), c.from_year)
        origin[(name, c.to_year, text)] = first
    return {k: v for k, v in origin.items() if v != k[1]}
