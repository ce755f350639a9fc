"""The review log from git: who recorded which actuals, and which targets were re-planned.

Every commit that touched the roadmaps directory is compared file by file, before and after,
as models (`changes.diff`). Each version of a file (a git blob) is parsed once. Renamed files
are followed: events carry the project's latest id. A version that was invalid is reported as
a warning and skipped: the next valid version is compared with the last valid one. A merge
reports only what it changed relative to every parent (a resolution), since the commits it
brings in are listed themselves.

Between runs, `Versions` keeps (in the cache directory, by blob id) what each version was — its
facts (`facts`), or why it was invalid — the changes between two versions, and each log read (by
the commits it covers): a log read again is one query, and one new commit costs only its own
blobs. `Current` reads the files of the work tree through the same cache: a file whose bytes are a
version seen before (its blob id is that of its bytes) is made from its facts, not parsed. `Then`
keeps the states of the targets of the versions at a point of the log, as judged on its date: a
point read again judges nothing (and the projects are judged whole only when a report asks).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from dxroadmap import changes, checks, facts, fiscal, i18n, progress, source, store, vcs
from dxroadmap.i18n import t
from dxroadmap.model import Meeting, Project, Roadmap
from dxroadmap.problems import WARNINGS, Problem, StoreError
from dxroadmap.safe import name_text
from dxroadmap.settings import Settings
from dxroadmap.states import State


class Event(NamedTuple):  # a tuple, as `changes.Change` is: quick to make by the thousand
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
_COMMIT = re.compile("[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256


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


class Versions:
    """What each version of a roadmap file (a git blob) was, the changes between two, and each log read, kept
    between runs.

    An SQLite file in the cache directory, for every repository (a blob id names its content, a commit id its
    history), keyed by the tool (rows of another version are dropped). A version is kept as its facts or the reason
    it was invalid, for the language and the fiscal calendar it was read with; a comparison of two versions depends
    on neither (its words are put in a language when shown: `changes.Change.parts`). A log is kept by the commits it
    covers, the folder it is of and the language and calendar (its warnings are words); the last `LOGS` made are
    kept. The states of a version's targets judged as of a day under a plan (`Then`) are kept for the last `JUDGED`
    runs that judged any. Every row carries a checksum and its shape is checked when read: anything unexpected is
    a miss, read from git again.
    """

    FORMAT = "dxroadmap-versions 2"
    SCHEMA = (
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE versions (variant TEXT, blob TEXT, facts BLOB, reason TEXT, checksum TEXT,"
        " PRIMARY KEY (variant, blob))",
        "CREATE TABLE diffs (old TEXT, new TEXT, changes TEXT, checksum TEXT, PRIMARY KEY (old, new))",
        "CREATE TABLE logs (key TEXT PRIMARY KEY, log TEXT, checksum TEXT, used INTEGER)",
        "CREATE TABLE judged (key TEXT PRIMARY KEY, states TEXT, checksum TEXT, made INTEGER)",
    )
    LOGS = 16  # logs kept: the review log, `status --since` from a few points, of a few repositories
    JUDGED = 8  # points whose states are kept: those of the last runs that judged one

    def __init__(self, db: Any, variant: str) -> None:
        self.db = db
        self.variant = variant
        self.made: dict[str, Roadmap | str] = {}  # to be kept
        self.compared: dict[tuple[str, str], list[changes.Change]] = {}
        self.held: dict[tuple[str, str], list[changes.Change]] = {}  # read ahead (`read_diffs`)
        self.logged: tuple[str, str] | None = None  # a log to be kept: (key, its text)
        self.judged: dict[str, str] = {}  # the states of a version's targets as of a day, to be kept (`Then`)

    @classmethod
    def open(cls, settings: Settings) -> Versions | None:
        from dxroadmap import index
        from dxroadmap.cachedir import cache_dir

        place = cache_dir()
        if place is None:
            return None
        folder = Path(place)
        key = hashlib.sha256(f"{cls.FORMAT} {index.tool_fingerprint()}".encode()).hexdigest()
        variant = f"{i18n.language()} {settings.calendar.start_month}"
        path = folder / "versions.sqlite"
        tables = ("meta", "versions", "diffs", "logs", "judged")
        db = index.open_cache(path, key, tables, cls.SCHEMA)
        return cls(db, variant) if db is not None else None

    def _check(self, *parts: str | bytes | None) -> str:
        digest = hashlib.blake2b(digest_size=8)
        for part in parts:
            digest.update(b"\0" + (part.encode() if isinstance(part, str) else part or b""))
        return digest.hexdigest()

    def get(self, blobs: list[str]) -> dict[str, bytes | str]:
        """The facts (bytes) or the reason it was invalid (text) of each version of `blobs` held."""
        out: dict[str, bytes | str] = {}
        try:
            for start in range(0, len(blobs), 500):
                chunk = blobs[start : start + 500]
                rows = self.db.execute(
                    f"SELECT blob, facts, reason, checksum FROM versions WHERE variant = ? AND blob IN"
                    f" ({','.join('?' * len(chunk))})",
                    (self.variant, *chunk),
                )
                for blob, kept, reason, checksum in rows:
                    if self._check(self.variant, blob, kept, reason) != checksum:
                        continue
                    if type(kept) is bytes and reason is None:
                        out[blob] = kept
                    elif kept is None and type(reason) is str:
                        out[blob] = reason
        except Exception:  # a cache that fails while read is no cache
            return {}
        return out

    def read_diffs(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Read the changes between the versions of `pairs` held, in a few queries (`diff` then finds them)."""
        wanted = set(pairs) - self.held.keys()
        news = sorted({new for _, new in wanted})
        try:
            for start in range(0, len(news), 500):
                chunk = news[start : start + 500]
                rows = self.db.execute(
                    f"SELECT old, new, changes, checksum FROM diffs WHERE new IN ({','.join('?' * len(chunk))})", chunk
                )
                for old, new, text, checksum in rows:
                    if (old, new) in wanted and type(text) is str and self._check(old, new, text) == checksum:
                        with suppress(ValueError):
                            self.held[(old, new)] = _changes(json.loads(text))
        except Exception:  # a cache that fails while read is no cache: each pair is compared again
            return

    def diff(self, old: str, new: str) -> list[changes.Change] | None:
        """The changes from version `old` to version `new` ("": none), if held."""
        found = self.held.get((old, new))
        if found is not None:
            return found
        try:
            row = self.db.execute(
                "SELECT changes, checksum FROM diffs WHERE old = ? AND new = ?", (old, new)
            ).fetchone()
            if row is None or type(row[0]) is not str or self._check(old, new, row[0]) != row[1]:
                return None
            return _changes(json.loads(row[0]))
        except Exception:  # damaged, or not the shape `keep` writes: compared again
            return None

    def log(self, key: str) -> Any:
        """The text of the log kept under `key`, parsed (its shape is the reader's to check); None if not held."""
        try:
            row = self.db.execute("SELECT log, checksum FROM logs WHERE key = ?", (key,)).fetchone()
            if row is None or type(row[0]) is not str or self._check(key, row[0]) != row[1]:
                return None
            return json.loads(row[0])
        except Exception:  # a cache that fails while read is no cache
            return None

    def states(self, keys: list[str]) -> dict[str, Keyed]:
        """The states of the targets of the versions judged under `keys` (`Then._key`) that are held."""
        out: dict[str, Keyed] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                rows = self.db.execute(
                    f"SELECT key, states, checksum FROM judged WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
                for key, text, checksum in rows:
                    if type(text) is str and self._check(key, text) == checksum:
                        with suppress(ValueError, TypeError, KeyError):
                            out[key] = _states(json.loads(text))
        except Exception:  # a cache that fails while read is no cache
            return {}
        return out

    def keep(self) -> None:
        """Write what was made since the last call (nothing, if the cache cannot be written)."""
        versions: list[tuple[str, str, bytes | None, str | None]] = []
        for blob, version in self.made.items():
            if isinstance(version, str):
                versions.append((self.variant, blob, None, version))
            else:
                with suppress(ValueError):
                    versions.append((self.variant, blob, facts.encode(version), None))
        rows = [(*row, self._check(*row)) for row in versions]
        diffs = []
        for (old, new), found in self.compared.items():
            text = _json([_change_row(c) for c in found])
            diffs.append((old, new, text, self._check(old, new, text)))
        judged = [(key, text, self._check(key, text)) for key, text in self.judged.items()]
        logged, self.made, self.compared, self.logged, self.judged = self.logged, {}, {}, None, {}
        if rows or diffs or logged or judged:
            with suppress(Exception), self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?)", rows)
                self.db.executemany("INSERT OR REPLACE INTO diffs VALUES (?, ?, ?, ?)", diffs)
                if judged:
                    made = self.db.execute("SELECT COALESCE(MAX(made), 0) + 1 FROM judged").fetchone()[0]
                    rows_made = [(*row, made) for row in judged]
                    self.db.executemany("INSERT OR REPLACE INTO judged VALUES (?, ?, ?, ?)", rows_made)
                    self.db.execute("DELETE FROM judged WHERE made <= ?", (made - self.JUDGED,))
                if logged is not None:
                    key, text = logged
                    self.db.execute(
                        "INSERT OR REPLACE INTO logs VALUES (?, ?, ?, (SELECT COALESCE(MAX(used), 0) + 1 FROM logs))",
                        (key, text, self._check(key, text)),
                    )
                    self.db.execute(
                        "DELETE FROM logs WHERE key NOT IN (SELECT key FROM logs ORDER BY used DESC LIMIT ?)",
                        (self.LOGS,),
                    )

    def close(self) -> None:
        self.keep()
        self.db.close()


def _states(rows: Any) -> Keyed:
    """The states `Then` kept: `[initiative, year, text, n, state]` (normalised), each checked (ValueError)."""
    if type(rows) is not list:
        raise ValueError("not states")
    out: Keyed = {}
    for row in rows:
        if not (type(row) is list and len(row) == 5):
            raise ValueError("not a state")
        name, year, text, n, state = row
        if not (type(name) is str and type(year) is int and type(text) is str and type(n) is int):
            raise ValueError("not a state")
        out[(name, year, text, n)] = _STATES[state]  # KeyError: not a state
    return out


_STATES = {state.value: state for state in State}


def _change_row(c: changes.Change) -> list[Any]:
    """A change as `_changes` reads it back: its fields in order, the parts as pairs."""
    return [c.kind, c.initiative, c.fiscal_year, c.quarter, c.said, c.from_year, c.to_year, [list(p) for p in c.parts]]


def _changes(rows: Any) -> list[changes.Change]:
    """The changes `Versions.keep` wrote, their shape checked (ValueError otherwise)."""
    if type(rows) is not list:
        raise ValueError("not changes")
    return [_change(row) for row in rows]


def _change(row: Any) -> changes.Change:
    """A change as `_change_row` wrote it, its shape checked (ValueError otherwise)."""
    if not (type(row) is list and len(row) == 8):
        raise ValueError("not a change")
    kind, initiative, year, quarter, said, from_year, to_year, parts = row
    ok = (
        kind in changes.KINDS and type(initiative) is str and type(year) is int
        and (quarter is None or type(quarter) is int) and (said is None or type(said) is str)
        and all(y is None or type(y) is int for y in (from_year, to_year))
        and type(parts) is list
        and all(
            type(p) is list and len(p) == 2 and type(p[1]) is str and (p[0] == "" or p[0] in changes.PARTS)
            for p in parts
        )
    )  # fmt: skip
    if not ok:
        raise ValueError("not a change")
    return changes.Change(kind, initiative, year, quarter, said, from_year, to_year, tuple((k, v) for k, v in parts))


class Reader:
    """Parses versions of roadmap files from git, each blob once (and, with `Versions`, once for all runs).

    Without a repository (`repo` None), it reads the files of the work tree only (`current`).
    """

    def __init__(
        self,
        repo: vcs.Repo | None,
        root: Path | None,
        settings: Settings,
        parsed: dict[str, Roadmap | str] | None = None,
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.prefix = repo.relative(root) if repo is not None and root is not None else ""
        self.parsed: dict[str, Roadmap | str] = {} if parsed is None else parsed
        self.kept: dict[str, bytes | str] = {}  # from the cache: facts, or why the version is invalid
        self.ids: dict[str, str | None] = {}  # path -> project id (`project_id`)
        self.cache = Versions.open(settings)

    def project_id(self, path: str | None) -> str | None:
        """The id of a project file at `path` (relative to the top of the repository), else None."""
        if path is None:
            return None
        if path not in self.ids:
            self.ids[path] = self._project_id(path)
        return self.ids[path]

    def _project_id(self, path: str) -> str | None:
        pure = PurePosixPath(path)
        try:
            rel = pure.relative_to(self.prefix) if self.prefix else pure
        except ValueError:
            return None
        if rel.suffix not in store.SUFFIXES or any(p.startswith(("_", ".")) for p in rel.parts):
            return None
        return name_text(rel.with_suffix("").as_posix())  # as `store` makes ids: NFC, bytes not UTF-8 as `\\x93`

    def load(self, blobs: Iterable[str], kept: bool = True) -> None:
        """Read the versions `blobs` (those not read yet): from the cache (unless not `kept`), else from git."""
        todo = [b for b in dict.fromkeys(blobs) if b not in self.parsed and b not in self.kept]
        if todo and self.cache is not None and kept:
            self.kept.update(self.cache.get(todo))
            todo = [b for b in todo if b not in self.kept]
        for blob, raw in (self.repo.blobs(todo) if self.repo is not None else {}).items():
            self.parsed[blob] = version = self._parse(raw)
            if self.cache is not None:
                self.cache.made[blob] = version

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

    def current(self, raw: bytes) -> Roadmap | str:
        """The version whose bytes are `raw` (a file of the work tree): kept or read before, else parsed (and kept).

        Looked up by its blob id as git names it (SHA-1, or SHA-256 in a repository of that format).
        """
        blobs = [blob_id(raw, "sha1"), blob_id(raw, "sha256")]
        self.load(blobs)
        for blob in blobs:
            found = self.version(blob)
            if found is not None:
                return found
        self.parsed[blobs[0]] = version = self._parse(raw)
        if self.cache is not None:
            self.cache.made[blobs[0]] = version
        return version

    def version(self, blob: str | None) -> Roadmap | str | None:
        """The model of the version `blob`, or why it is invalid; None: no version, or one not loaded."""
        if blob is None:
            return None
        found = self.parsed.get(blob)
        if found is None and blob in self.kept:
            kept = self.kept.pop(blob)
            try:
                found = kept if isinstance(kept, str) else facts.decode(kept)
            except ValueError:  # not what was kept: read from git again
                self.load([blob], kept=False)
                return self.parsed.get(blob)
            self.parsed[blob] = found
        return found

    def reason(self, blob: str | None) -> str | None:
        """Why the version `blob` is invalid (None: it is valid, or not loaded), without making its model."""
        found = self.parsed.get(blob) if blob is not None else None
        if found is None and blob is not None:
            kept = self.kept.get(blob)
            return kept if isinstance(kept, str) else None
        return found if isinstance(found, str) else None

    def valid(self, blob: str | None) -> bool:
        """The version `blob` is loaded and valid."""
        if blob is None:
            return False
        found = self.parsed.get(blob)
        return isinstance(found, Roadmap) if found is not None else isinstance(self.kept.get(blob), bytes)

    def read_diffs(self, pairs: Iterable[tuple[str | None, str | None]]) -> None:
        """Read ahead the changes kept between the versions of `pairs` (None: no version), in a few queries."""
        if self.cache is not None:
            self.cache.read_diffs((old or "", new or "") for old, new in pairs)

    def diff(self, old: str | None, new: str | None) -> list[changes.Change]:
        """`changes.diff` of two valid versions (None: no version), kept between runs."""
        key = (old or "", new or "")
        if self.cache is not None:
            found = self.cache.compared.get(key)
            if found is None:
                found = self.cache.diff(*key)
            if found is not None:
                return found
        before, after = self.version(old), self.version(new)
        assert not isinstance(before, str) and not isinstance(after, str)
        found = changes.diff(before, after)
        if self.cache is not None:
            self.cache.compared[key] = found
        return found

    def close(self) -> None:
        """Keep what was read and compared (`Versions`)."""
        if self.cache is not None:
            self.cache.close()
            self.cache = None


def blob_id(raw: bytes, algorithm: str) -> str:
    """The id git gives a blob of these bytes (`git hash-object`), with `algorithm` (sha1, sha256)."""
    digest = hashlib.new(algorithm, b"blob %d\0" % len(raw))
    digest.update(raw)
    return digest.hexdigest()


class Current:
    """The roadmap files of the work tree as `store.load_roadmap` reads them, through `Versions`.

    A file whose bytes are a version seen before (by the review log, or by an earlier run: its blob id) is made
    from its facts, not parsed; one not seen before is parsed once, and kept. The plan's rules that a version
    read without them did not apply (its fields, period, ratings; the as-of date) are checked on the model; a
    file that is invalid is read by `store.load_roadmap` itself, for its problems and where they are.
    `parsed` (by blob id) is shared with the `Reader`s of the same command, so a version is made once.
    """

    def __init__(self, parsed: dict[str, Roadmap | str] | None = None) -> None:
        self.parsed: dict[str, Roadmap | str] = {} if parsed is None else parsed
        self.reader: Reader | None = None

    def load(self, path: Path, settings: Settings, as_of: date | None = None) -> tuple[Roadmap | None, list[Problem]]:
        """The roadmap at `path` (None if invalid) and its errors: `store.load_roadmap`'s, without its warnings."""
        if self.reader is None:
            self.reader = Reader(None, None, settings, self.parsed)
        if self.reader.cache is None or self.reader.settings.calendar != settings.calendar:
            return self._errors(store.load_roadmap(path, settings, as_of))
        try:
            raw = store.read_limited(path)
        except OSError:
            return self._errors(store.load_roadmap(path, settings, as_of))
        version = self.reader.current(raw)
        if isinstance(version, Roadmap) and all(f.code in WARNINGS for f in checks.check(version, settings, as_of)):
            return version, []
        return self._errors(store.load_roadmap(path, settings, as_of))  # invalid: its problems, where they are

    @staticmethod
    def _errors(loaded: tuple[Roadmap | None, list[Problem]]) -> tuple[Roadmap | None, list[Problem]]:
        roadmap, problems = loaded
        return roadmap, [p for p in problems if not p.warning]

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()


def review_log(
    repo: vcs.Repo,
    root: Path,
    settings: Settings,
    revisions: str = "HEAD",
    parsed: dict[str, Roadmap | str] | None = None,
) -> Log:
    """Every event in the commits touching the roadmaps directory, oldest first (kept by the commits it covers)."""
    reader = Reader(repo, root, settings, parsed)
    try:
        key = None
        if reader.cache is not None:
            commits = repo.rev_parse(revisions)  # the range as commit ids: what the log is a function of
            if commits is not None:
                text = json.dumps([Versions.FORMAT, reader.cache.variant, reader.prefix, commits], ensure_ascii=False)
                key = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
                with suppress(ValueError, TypeError, KeyError, IndexError):
                    kept = _read_log(reader.cache.log(key))
                    kept.parsed = reader.parsed
                    return kept
        log = _walk_log(reader, repo, revisions)
        if key is not None and reader.cache is not None:
            with suppress(ValueError):
                reader.cache.logged = (key, _log_text(log))
        log.parsed = reader.parsed
        return log
    finally:
        reader.close()


def _walk_log(reader: Reader, repo: vcs.Repo, revisions: str) -> Log:
    commits = repo.log(reader.prefix, revisions)
    merges = {c.sha: [repo.diff(p, c.sha, reader.prefix) for p in c.parents] for c in commits if len(c.parents) > 1}
    every = [change for c in commits for change in [*c.changes, *(x for diff in merges.get(c.sha, []) for x in diff)]]
    reader.load(blob for change in every for blob in (change.old_blob, change.new_blob) if blob)
    reader.read_diffs(
        (change.old_blob if reader.valid(change.old_blob) else None, change.new_blob)
        for change in every
        if reader.valid(change.new_blob) or change.new_blob is None
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
    return log


def _log_text(log: Log) -> str:
    """The log as `_read_log` reads it back: its commits once each, then its events, warnings and renames."""
    commits: dict[tuple[str, datetime, str], int] = {}
    events = []
    for e in log.events:
        n = commits.setdefault((e.commit, e.date, e.author), len(commits))
        events.append([n, e.project, *_change_row(e.change)])
    rows = [[sha, when.isoformat(), author] for sha, when, author in commits]
    return _json({"commits": rows, "events": events, "warnings": log.warnings, "renamed": log.renamed})


def _json(value: Any) -> str:
    """Compact JSON text that SQLite can hold: a lone surrogate (a byte of a name that is not UTF-8) as an escape."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text


def _read_log(data: Any) -> Log:
    """The log `_log_text` wrote, every value's shape checked (ValueError, TypeError, KeyError otherwise)."""
    if type(data) is not dict or set(data) != {"commits", "events", "warnings", "renamed"}:
        raise ValueError("not a log")
    commits = []
    for row in data["commits"]:
        sha, when, author = row
        if not (type(sha) is str and type(author) is str and type(when) is str and _COMMIT.fullmatch(sha)):
            raise ValueError("not a commit")
        commits.append((sha, datetime.fromisoformat(when), author))
    events = []
    for row in data["events"]:
        if not (type(row) is list and len(row) == 10 and type(row[0]) is int and row[0] >= 0 and type(row[1]) is str):
            raise ValueError("not an event")
        sha, when, author = commits[row[0]]
        events.append(Event(sha, when, author, row[1], _change(row[2:])))
    warnings, renamed = data["warnings"], data["renamed"]
    if not (type(warnings) is list and all(type(w) is str for w in warnings)):
        raise ValueError("not warnings")
    if not (type(renamed) is dict and all(type(v) is str for v in renamed.values())):
        raise ValueError("not renames")
    return Log(events, warnings, renamed)


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
        self.last_valid: dict[str, str] = {}  # identity key -> the blob of its last valid version

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
            # versions by their blobs: a model is made only to compare two versions not compared before
            old = change.old_blob
            if old is not None and not self.reader.valid(old):  # invalid (or not read): the last valid one
                old = self.last_valid.get(key) or self._valid_before(parent, change.old_path)
            reason = self.reader.reason(change.new_blob)
            if reason is not None:
                if apply:
                    self.log.warnings.append(
                        t("history.invalid_version", commit=commit.sha[:10], path=change.new_path, problem=reason)
                    )
                continue
            new = change.new_blob if self.reader.valid(change.new_blob) else None
            found += [(key, c) for c in self.reader.diff(old, new)]
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

    def _valid_before(self, parent: str | None, path: str | None, limit: int = 50) -> str | None:
        """The blob of the last valid version of `path` before `parent` (when the range began after it)."""
        repo = self.reader.repo
        if parent is None or path is None or repo is None:
            return None
        revisions = repo.git("rev-list", f"--max-count={limit}", parent, "--", path).split()
        for revision in revisions:
            blob = repo.resolve_blob(revision, path)
            if blob is None:
                return None
            self.reader.load([blob])
            if self.reader.valid(blob):
                return blob
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
    then = Then(repo, root, settings, when, parsed)
    return then.projects(), then.revision


class Then:
    """The projects as they were at `when` (`projects_at`), judged as of its date: the states of their targets,
    kept by version (`Versions`: a point read again judges nothing), and the projects judged whole when asked for.
    """

    def __init__(
        self, repo: vcs.Repo, root: Path, settings: Settings, when: Since, parsed: dict[str, Roadmap | str] | None
    ) -> None:
        self.settings, self.day = settings, when.date
        self.reader = reader = Reader(repo, root, settings, parsed)
        try:
            self.revision = when.revision or repo.first_parent_before(when.date)
            tree = repo.tree(self.revision, reader.prefix) if self.revision is not None else {}
            self.files = {path: blob for path, blob in sorted(tree.items()) if reader.project_id(path)}
            reader.load(self.files.values())
            self.valid = {path: blob for path, blob in self.files.items() if reader.valid(blob)}
            self.statuses: list[progress.ProjectStatus] | None = None
            self.keyed: dict[str, Keyed] | None = None
            if reader.cache is not None:
                self._kept_states(reader.cache)
        finally:
            reader.close()

    def _key(self, blob: str) -> str:
        text = json.dumps([Versions.FORMAT, blob, repr(self.settings), self.day.isoformat()], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def _kept_states(self, cache: Versions) -> None:
        """The states of every valid project's targets from the cache; those not held judged now, and kept."""
        keys = {path: self._key(blob) for path, blob in self.valid.items()}
        held = cache.states(list(keys.values()))
        if len(held) < len(keys):
            statuses = self.projects_judged()
            self.keyed = {}
            for status in statuses:
                states = self.keyed[status.project.id] = _keyed(status)[0]
                key = keys[status.project.path]
                if key not in held:
                    cache.judged[key] = _json([[*k, v] for k, v in states.items()])
            return
        self.keyed = {}
        for path, key in keys.items():
            pid = self.reader.project_id(path)
            if pid:
                self.keyed[pid] = held[key]

    def projects(self) -> list[Project]:
        """The valid projects, by path."""
        out = []
        for path, blob in self.valid.items():
            version = self.reader.version(blob)
            pid = self.reader.project_id(path)
            if isinstance(version, Roadmap) and pid:
                out.append(Project(pid, path, version))
        return out

    def projects_judged(self) -> list[progress.ProjectStatus]:
        """Each valid project judged whole as of the point's date, by path."""
        if self.statuses is None:
            self.statuses = [progress.judge(p, self.settings, self.day) for p in self.projects()]
        return self.statuses

    def states(self) -> dict[str, Keyed]:
        """The states of the targets of each valid project (by its id then), as `since_report` compares them."""
        if self.keyed is None:
            self.keyed = {s.project.id: _keyed(s)[0] for s in self.projects_judged()}
        return self.keyed


@dataclass
class ProjectSince:
    """What moved in one project since a point of the review log."""

    records: list[Event] = field(default_factory=list)
    replanned: list[Event] = field(default_factory=list)
    states: list[tuple[str, int, str, State, State]] = field(default_factory=list)  # initiative, year, text, then, now


def since_report(
    now: Iterable[progress.ProjectStatus],
    then: dict[str, Keyed],
    events: Iterable[Event],
    log: Log,
) -> dict[str, ProjectSince]:
    """Per current project id: actuals recorded, targets re-planned, target states that changed (`then`: the
    states of each project's targets at the point, by its id then: `Then.states`)."""
    report: dict[str, ProjectSince] = {s.project.id: ProjectSince() for s in now}
    for event in events:
        entry = report.get(event.project)
        if entry is not None:
            (entry.records if event.change.kind == "record" else entry.replanned).append(event)
    before = {latest_id(log.renamed, pid): states for pid, states in then.items()}
    for status in now:
        old = before.get(status.project.id)
        if old is not None:
            report[status.project.id].states = _state_changes(old, status)
    return report


Keyed = dict[tuple[str, int, str, int], State]  # a target's state by (initiative, year, text, n): `_keyed`


def _state_changes(old: Keyed, now: progress.ProjectStatus) -> list[tuple[str, int, str, State, State]]:
    states, texts, names = _keyed(now)
    return [
        (names[key], key[1], texts[key[:3]], old[key], state)
        for key, state in states.items()
        if key in old and old[key] != state
    ]


def _keyed(
    status: progress.ProjectStatus,
) -> tuple[Keyed, dict[tuple[str, int, str], str], dict[tuple[str, int, str, int], str]]:
    """Each target's state by (initiative, year, text, how many of the same came before), normalised; the text of
    the first target of each (initiative, year, text), and the name of each target's initiative, as written."""
    out: Keyed = {}
    texts: dict[tuple[str, int, str], str] = {}
    names: dict[tuple[str, int, str, int], str] = {}
    seen: dict[tuple[str, int, str], int] = {}
    for init in status.initiatives:
        name = fiscal.normalize(init.name)
        for target in init.targets:
            base = (name, target.fiscal_year, fiscal.normalize(target.text))
            n = seen[base] = seen.get(base, -1) + 1
            out[(*base, n)] = target.state
            names[(*base, n)] = init.name
            texts.setdefault(base, target.text)
    return out, texts, names


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
