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
from dxroadmap.model import Meeting, Project, Roadmap
from dxroadmap.problems import StoreError
from dxroadmap.progress import Settings


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


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def resolve_when(when: str, repo: vcs.Repo, settings: Settings, as_of: date) -> Since:
    """WHEN: a date, `last-meeting`, a meeting of the plan, or a git revision."""
    text = when.strip()
    if _DATE.match(text):
        try:
            return Since(text, date.fromisoformat(text))
        except ValueError:
            raise StoreError(f"{when}: not a valid date") from None
    if text == "last-meeting":
        meeting = settings.last_meeting(as_of)
        if meeting is None:
            raise StoreError(f"no meeting of _plan.yaml before {as_of.isoformat()}")
        return _at_meeting(meeting)
    for meeting in settings.meetings:
        if fiscal.normalize(meeting.name) == fiscal.normalize(text):
            return _at_meeting(meeting)
    revision = repo.resolve(text)
    if revision is not None:
        when_committed = repo.git("log", "-1", "--format=%aI", revision).strip()
        return Since(text, datetime.fromisoformat(when_committed).date(), revision)
    meetings = ", ".join(m.name for m in settings.meetings) or "none in _plan.yaml"
    raise StoreError(f"{when}: not a date (YYYY-MM-DD), last-meeting, a meeting ({meetings}) or a git revision")


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
        return rel.with_suffix("").as_posix()

    def load(self, blobs: Iterable[str]) -> None:
        todo = [b for b in dict.fromkeys(blobs) if b not in self.parsed]
        for blob, raw in self.repo.blobs(todo).items():
            self.parsed[blob] = self._parse(raw)

    def _parse(self, raw: bytes) -> Roadmap | str:
        try:
            text = source.decode(raw, "")
        except source.SourceError as exc:
            return exc.problem.message
        roadmap, problems = store.parse_roadmap(text, "", Settings(calendar=self.settings.calendar))
        return (
            roadmap
            if roadmap is not None
            else f"{problems[0].line}:{problems[0].column}: {problems[0].code} {problems[0].message}"
        )

    def version(self, blob: str | None) -> Roadmap | str | None:
        return None if blob is None else self.parsed.get(blob)


def review_log(repo: vcs.Repo, root: Path, settings: Settings, revisions: str = "HEAD") -> Log:
    """Every event in the commits touching the roadmaps directory, oldest first."""
    reader = Reader(repo, root, settings)
    commits = repo.log(reader.prefix, revisions)
    merges = {c.sha: [repo.diff(p, c.sha, reader.prefix) for p in c.parents] for c in commits if len(c.parents) > 1}
    reader.load(
        blob
        for c in commits
        for change in [*c.changes, *(x for per_parent in merges.get(c.sha, []) for x in per_parent)]
        for blob in (change.old_blob, change.new_blob)
        if blob
    )
    log = Log()
    latest: dict[str, str] = {}  # every id seen -> its latest id, following renames
    last_valid: dict[str, Roadmap] = {}
    for commit in commits:
        if commit.sha in merges:
            per_parent = [
                _file_events(reader, commit, diff, last_valid, log, latest, record=False) for diff in merges[commit.sha]
            ]
            common = set.intersection(*(set(events) for events in per_parent)) if per_parent else set()
            found = [e for e in per_parent[0] if e in common]
            _apply(reader, commit, merges[commit.sha][0], last_valid, latest)
        else:
            found = _file_events(reader, commit, commit.changes, last_valid, log, latest, record=True)
        log.events += [Event(commit.sha, commit.date, commit.author, project, change) for project, change in found]
    log.renamed = latest
    log.parsed = reader.parsed
    log.events = [Event(e.commit, e.date, e.author, latest_id(latest, e.project), e.change) for e in log.events]
    return log


def latest_id(latest: dict[str, str], project: str) -> str:
    """The id a project has now, following renames (`a.yaml` → `b.yaml` → `c.yaml`)."""
    seen = set()
    while project in latest and project not in seen:
        seen.add(project)
        project = latest[project]
    return project


def _file_events(
    reader: Reader,
    commit: vcs.Commit,
    diff: list[vcs.FileChange],
    last_valid: dict[str, Roadmap],
    log: Log,
    latest: dict[str, str],
    *,
    record: bool,
) -> list[tuple[str, changes.Change]]:
    found: list[tuple[str, changes.Change]] = []
    for change in diff:
        old_id, new_id = reader.project_id(change.old_path), reader.project_id(change.new_path)
        if old_id is None and new_id is None:
            continue
        if record and old_id and new_id and old_id != new_id:
            latest[old_id] = new_id
        old = reader.version(change.old_blob)
        if isinstance(old, str) or (old is None and change.old_blob):
            old = last_valid.get(old_id or "")
        new = reader.version(change.new_blob)
        project = new_id or old_id or ""
        if isinstance(new, str):
            if record:
                log.warnings.append(f"{commit.sha[:10]} {change.new_path}: invalid in this commit ({new}); skipped")
            continue
        found += [(project, c) for c in changes.diff(old, new)]
        if record:
            if new is None:
                last_valid.pop(project, None)
            else:
                last_valid[project] = new
    return found


def _apply(
    reader: Reader,
    commit: vcs.Commit,
    diff: list[vcs.FileChange],
    last_valid: dict[str, Roadmap],
    latest: dict[str, str],
) -> None:
    """After a merge, the merged versions are the last valid ones (as against the first parent)."""
    for change in diff:
        old_id, new_id = reader.project_id(change.old_path), reader.project_id(change.new_path)
        if old_id and new_id and old_id != new_id:
            latest[old_id] = new_id
        new = reader.version(change.new_blob)
        if isinstance(new, Roadmap) and new_id:
            last_valid[new_id] = new
        elif new is None and old_id:
            last_valid.pop(old_id, None)


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
    """The valid projects as they were at `when` (a revision, or the last commit before a date)."""
    reader = Reader(repo, root, settings, parsed)
    revision = when.revision
    if revision is None:
        before = [c for c in repo.log(reader.prefix) if c.date.date() < when.date]
        revision = before[-1].sha if before else None
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
    states: list[tuple[str, int, str, str, str]] = field(default_factory=list)  # initiative, year, text, then, now


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


def _state_changes(then: progress.ProjectStatus, now: progress.ProjectStatus) -> list[tuple[str, int, str, str, str]]:
    def keyed(status: progress.ProjectStatus) -> dict[tuple[str, int, str, int], tuple[str, str]]:
        out: dict[tuple[str, int, str, int], tuple[str, str]] = {}
        for init in status.initiatives:
            for t in init.targets:
                base = (fiscal.normalize(init.name), t.fiscal_year, fiscal.normalize(t.text))
                n = sum(1 for k in out if k[:3] == base)
                out[(*base, n)] = (init.name, t.state)
        return out

    old, new = keyed(then), keyed(now)
    return [
        (name, key[1], text_of(now, key), old[key][1], state)
        for key, (name, state) in new.items()
        if key in old and old[key][1] != state
    ]


def text_of(status: progress.ProjectStatus, key: tuple[str, int, str, int]) -> str:
    for init in status.initiatives:
        for t in init.targets:
            if (fiscal.normalize(init.name), t.fiscal_year, fiscal.normalize(t.text)) == key[:3]:
                return t.text
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
