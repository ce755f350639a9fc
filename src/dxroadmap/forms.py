"""Report forms (照会) for the owner sections: which rows each form holds, and the layout they share.

One form per owner section (担当課) that has something to answer for a report period: for each of
its projects, each initiative with targets in the period's fiscal year, and under it each target
still open, slipping or missed (the one an entry of that year would achieve, as `record` chooses).
The workbook itself is drawn by `report.xlsx.form_workbook`; the answers are read back by `intake`
and checked and recorded by `importing`. Both find their way by the column keys and the hidden
identification defined here, never by a sheet's name or a column's place.

Services layer: `store` and `recording` are imported where they are used, so that the renderer can
import this module's types and layout without loading the YAML parser.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from dxroadmap import fiscal, progress
from dxroadmap.catalog import MESSAGES
from dxroadmap.i18n import LANGS, t
from dxroadmap.model import Initiative, Project, field_name
from dxroadmap.problems import Problem, StoreError
from dxroadmap.progress import LATE
from dxroadmap.safe import clean
from dxroadmap.settings import Settings
from dxroadmap.states import Outlook, State

if TYPE_CHECKING:
    from dxroadmap.model import Plan

FORMAT = "dxroadmap-form"
VERSION = 1
MARK = f"{FORMAT}/{VERSION}"  # in every row's `id.form` cell, and in A1 of the hidden sheet

# The columns of the form sheet, in order: (key, whether the owner writes in it). The key of each
# column is written in a hidden row above the header, so that a reader finds every column by it.
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("no", False),
    ("name", False),
    ("initiative", False),
    ("target", False),
    ("year", False),
    ("due", False),
    ("state", False),
    ("target_value", False),
    ("baseline", False),
    ("last_value", False),
    ("done", True),
    ("value", True),
    ("unit", False),
    ("text", True),
    ("date", True),
    ("reason", True),
    ("outlook", True),
    ("rating", True),  # only when the plan declares 評価区分
)
# Hidden columns that identify each row (any sort or filter moves them with their row).
IDS = (
    "id.form",
    "id.plan",
    "id.period",
    "id.owner",
    "id.project",
    "id.digest",
    "id.initiative",
    "id.initiative_name",
    "id.kind",
    "id.year",
    "id.target_index",
    "id.target",
)
INPUTS = frozenset(key for key, writable in COLUMNS if writable)
KEYS = frozenset(key for key, _ in COLUMNS) | frozenset(IDS)
# Which inputs each kind of row takes; the others are locked (grey) on that row.
ROW_INPUTS = {
    "initiative": frozenset({"text", "date", "reason", "outlook", "rating"}),
    "task": frozenset({"done", "text", "reason"}),
    "kpi": frozenset({"value", "text", "reason"}),
}
DONE_MARK = "✔"
OUTLOOK_WORDS = tuple(outlook.written for outlook in Outlook)  # 順調, 注意, 困難
MAX_TEXT = 2000  # characters of one answer cell (実施内容, 理由)
SHEET_KEY = "form"  # the catalog key of the form sheet's name: form.sheet
META_SHEET = "dxroadmap"  # the hidden sheet of the form's identification (any name is found by its A1)


@dataclass(frozen=True)
class FormRow:
    """One row of a form: an initiative, or one of its targets (a task or a KPI)."""

    kind: str  # "initiative" | "task" | "kpi"
    project: str  # the project's id
    name: str  # the project's 事業名
    owner: str
    digest: str  # sha256 of the roadmap file the form was made from
    initiative: int  # 0-based position in 取組
    initiative_name: str
    state: State  # as of the form's as-of date
    late: bool  # slipping or missed at the period's end: 理由 is required unless it is achieved
    fiscal_year: int | None = None  # of the target
    target_index: int | None = None  # its place in its year's list
    target: str | None = None  # the target's text, or the KPI's name
    due: date | None = None
    kpi_target: float | None = None
    unit: str | None = None
    baseline: float | None = None
    last_value: float | None = None
    last_period: str | None = None  # when the last value was reported: `R8 Q1`


@dataclass
class Form:
    """What one owner section is asked for one report period."""

    owner: str
    period: fiscal.ReportPeriod
    start: date
    end: date
    deadline: date  # the end of the grace period after the period
    as_of: date
    plan: str  # the plan's 計画名 ("" without one): a form of another plan is refused on import
    lang: str
    rows: list[FormRow]
    digests: dict[str, str]  # project id -> sha256 of its file
    contact: str | None = None
    ratings: tuple[tuple[str, str | None], ...] = ()  # the plan's 評価区分: (symbol, meaning)
    grace_days: int = 30
    file_name: str = ""

    @property
    def code(self) -> str:
        """`R8Q2`: the period as the hidden identification writes it."""
        return fiscal.period_code(self.period)

    @property
    def words(self) -> str:
        """`R8 Q2`: the period as people read it."""
        return period_words(self.period)

    def say(self, key: str, /, **values: object) -> str:
        """A message of the catalog in the form's language (not the command line's)."""
        return say(self.lang, key, **values)


def say(lang: str, key: str, /, **values: object) -> str:
    text = MESSAGES[key][LANGS.index(lang) if lang in LANGS else 0]
    return text.format(**values) if values else text


def period_words(period: fiscal.ReportPeriod) -> str:
    """`R8 Q2`, `R8 H1`, or `R8` for a whole year."""
    return fiscal.label(period.fiscal_year) + (f" {period.label}" if period.cadence != "year" else "")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the repository, read once with each file's bytes --------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A valid roadmap file: its project, where it is, and the digest of the bytes it was read from."""

    project: Project
    path: Path
    data: bytes
    digest: str


@dataclass
class Repository:
    root: Path
    plan: Plan | None
    settings: Settings
    files: dict[str, Loaded] = field(default_factory=dict)  # by project id
    problems: list[Problem] = field(default_factory=list)  # files left out (invalid, unreadable)


def load(root: Path) -> Repository:
    """Every valid roadmap under `root` with its bytes and digest; the plan's problems stop it (`PlanError`)."""
    from dxroadmap import source, store

    plan, settings = store.load_settings(root)
    repository = Repository(root, plan, settings)
    for file in store.roadmap_files(root, None, repository.problems):
        try:
            raw = store.read_limited(file.path)
        except OSError as exc:
            message = t("store.unreadable", reason=exc.strerror or exc)
            repository.problems.append(Problem(file.shown, 1, 1, "unreadable", message))
            continue
        try:
            text = source.decode(raw, file.shown)
        except source.SourceError as exc:
            repository.problems.append(exc.problem)
            continue
        roadmap, found = store.parse_roadmap(text, file.shown, settings)
        if roadmap is None:
            repository.problems.append(found[0])
            continue
        repository.files[file.id] = Loaded(Project(file.id, file.shown, roadmap), Path(file.path), raw, digest(raw))
    return repository


# --- what a form holds ---------------------------------------------------------------------------


def default_period(settings: Settings, as_of: date) -> fiscal.ReportPeriod:
    """The report period just completed by the plan's cadence."""
    return settings.last_report_period(as_of)


def build(
    repository: Repository,
    as_of: date,
    *,
    period: fiscal.ReportPeriod | None = None,
    owner: str | None = None,
    field: str | None = None,
    contact: str | None = None,
    lang: str = "ja",
) -> list[Form]:
    """The forms for every owner section with something to answer for `period` (default: the one just
    completed), of the projects matching `owner` (a part of the 担当課) and `field` (a 政策分野)."""
    settings = repository.settings
    period = period or default_period(settings, as_of)
    start = settings.calendar.period_start(period)
    if start > as_of:
        raise StoreError(
            t("form.future_period", period=period_words(period), start=start.isoformat(), as_of=as_of.isoformat())
        )
    files = list(repository.files.values())
    if field is not None:
        files = _in_field(files, field, settings)
    if owner is not None:
        needle = fiscal.normalize(owner).casefold()
        files = [f for f in files if needle in fiscal.normalize(f.project.roadmap.owner).casefold()]
    end = settings.calendar.period_end(period)
    groups: dict[str, list[FormRow]] = {}
    spelled: dict[str, str] = {}
    for file in sorted(files, key=lambda f: f.project.id):
        rows = project_rows(file, settings, period, as_of)
        if rows:
            key = fiscal.normalize(file.project.roadmap.owner)
            spelled.setdefault(key, file.project.roadmap.owner)
            groups.setdefault(key, []).extend(rows)
    plan = repository.plan
    ratings = tuple((r.symbol, r.meaning) for r in plan.ratings) if plan is not None else ()
    forms = []
    taken: set[str] = set()
    for key in sorted(groups):
        rows = groups[key]
        form = Form(
            owner=spelled[key],
            period=period,
            start=start,
            end=end,
            deadline=end + timedelta(days=settings.grace_days),
            as_of=as_of,
            plan=settings.title or "",
            lang=lang,
            rows=rows,
            digests={row.project: row.digest for row in rows},
            contact=contact,
            ratings=ratings,
            grace_days=settings.grace_days,
        )
        form.file_name = unique_name(f"{safe_file_name(form.owner)}_{form.code}", ".xlsx", taken)
        forms.append(form)
    return forms


def _in_field(files: list[Loaded], field: str, settings: Settings) -> list[Loaded]:
    wanted = field_name(field)
    known = list(settings.fields) or sorted({field_name(f.project.roadmap.field) for f in files})
    if wanted not in known:
        raise StoreError(t("form.no_field", field=field, fields=", ".join(known)))
    return [f for f in files if field_name(f.project.roadmap.field) == wanted]


ANSWERABLE = (State.OPEN, *LATE)


def project_rows(file: Loaded, settings: Settings, period: fiscal.ReportPeriod, as_of: date) -> list[FormRow]:
    """The rows of one project: each initiative with targets in the period's year and something still to
    answer, then its targets still open, slipping or missed (as of `as_of`)."""
    from dxroadmap import recording

    project = file.project
    year = period.fiscal_year
    now = progress.judge(project, settings, as_of)
    at_end = progress.judge(project, settings, settings.calendar.period_end(period))
    rows: list[FormRow] = []
    for index, initiative in enumerate(project.roadmap.initiatives):
        if not initiative.targets.get(year):
            continue
        states = {(ts.fiscal_year, ts.index): ts for ts in now.initiatives[index].targets}
        late = {(ts.fiscal_year, ts.index) for ts in at_end.initiatives[index].targets if ts.state in LATE}
        chosen = [
            p
            for p in recording.open_targets(initiative, settings, year)
            if states[(p.fiscal_year, p.index)].state in ANSWERABLE
        ]
        chosen += _kpi_targets(initiative, settings, year, states)
        chosen.sort(key=lambda p: (p.fiscal_year, p.index))
        if not chosen:
            continue
        head = FormRow(
            "initiative", project.id, project.roadmap.name, project.roadmap.owner, file.digest, index,
            initiative.name, now.initiatives[index].state, late=False,
        )  # fmt: skip
        target_rows = []
        for planned in chosen:
            status = states[(planned.fiscal_year, planned.index)]
            kpi = status.kpi
            last = kpi.reported if kpi is not None else None
            target_rows.append(
                replace(
                    head,
                    kind="kpi" if planned.kpi is not None else "task",
                    state=status.state,
                    late=(planned.fiscal_year, planned.index) in late,
                    fiscal_year=planned.fiscal_year,
                    target_index=planned.index,
                    target=planned.text,
                    due=planned.due,
                    kpi_target=kpi.target if kpi else None,
                    unit=kpi.unit if kpi else None,
                    baseline=kpi.baseline if kpi else None,
                    last_value=kpi.value if kpi else None,
                    last_period=_reported(last) if last is not None else None,
                )
            )
        rows += [replace(head, late=any(r.late for r in target_rows)), *target_rows]
    return rows


def _kpi_targets(
    initiative: Initiative, settings: Settings, year: int, states: dict[tuple[int, int], progress.TargetStatus]
) -> list[progress.PlannedTarget]:
    """One row per KPI still to reach, by its name: the target of the period's year, else the latest earlier one."""
    by_name: dict[str, progress.PlannedTarget] = {}
    for planned in progress.planned_targets(initiative, settings.calendar):
        if planned.kpi is None or planned.fiscal_year > year:
            continue
        if states[(planned.fiscal_year, planned.index)].state not in ANSWERABLE:
            continue
        by_name[fiscal.text_key(planned.text)] = planned  # in year order: the latest wins
    return list(by_name.values())


def _reported(actual: progress.DatedActual) -> str:
    return fiscal.label(actual.fiscal_year) + (f" {actual.period_label}" if actual.period_label else "")


# --- file names --------------------------------------------------------------------------------

_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(
    r"^(?:CON|PRN|AUX|NUL|CLOCK\$|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(?:\..*)?$", re.IGNORECASE
)
MAX_NAME_CHARS = 60
MAX_NAME_BYTES = 150  # of UTF-8: a Japanese character is three; file systems allow 255


def safe_file_name(text: str) -> str:
    """A file name (without extension) made from `text` that every OS accepts: no separators or characters
    Windows forbids, no control characters (`safe.clean` shows them as text first), not a reserved device
    name (CON, NUL, COM1…), no leading or trailing dot or space, short enough in characters and bytes."""
    name = unicodedata.normalize("NFC", clean(text))
    name = _NOT_IN_NAMES.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .-")
    name = name[:MAX_NAME_CHARS]
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    name = name.rstrip(" .") or "form"
    if _RESERVED.match(name):
        name = "_" + name
    return name


def unique_name(stem: str, suffix: str, taken: set[str]) -> str:
    """`stem + suffix`, or `stem~2 + suffix`…: unique among `taken`, case-insensitively (Windows, macOS)."""
    name, n = stem + suffix, 2
    while name.casefold() in taken:
        name = f"{stem}~{n}{suffix}"
        n += 1
    taken.add(name.casefold())
    return name


# --- making them ---------------------------------------------------------------------------------


def make(
    root: Path,
    as_of: date,
    out_dir: Path,
    render: Callable[[Form], bytes],
    *,
    period: fiscal.ReportPeriod | None = None,
    owner: str | None = None,
    field: str | None = None,
    contact: str | None = None,
    lang: str = "ja",
    warn: Callable[[str], None] | None = None,
    tell: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write one workbook per owner section into `out_dir` (made if missing); return the files written.

    `render` draws a form (`report.xlsx.form_workbook`). Each file is written whole and atomically.
    Files that cannot be read are left out and said to `warn`; each file written is said to `tell` (one
    line: where, for whom, how many rows, by when). Nothing to answer at all is a `StoreError`.
    """
    from dxroadmap import store

    repository = load(root)
    for problem in repository.problems:
        if warn is not None:
            warn(t("form.left_out", problem=problem))
    forms = build(repository, as_of, period=period, owner=owner, field=field, contact=contact, lang=lang)
    if not forms:
        chosen = period or default_period(repository.settings, as_of)
        raise StoreError(t("form.nothing", period=period_words(chosen)))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        shown = store.display_path(out_dir)
        raise StoreError(t("store.cannot_write", path=shown, reason=exc.strerror or exc)) from None
    written = []
    for form in forms:
        path = out_dir / form.file_name
        store.write_file(path, render(form))
        written.append(path)
        if tell is not None:
            tell(describe(form, store.display_path(path)))
    return written


def describe(form: Form, shown: str) -> str:
    """The line said of a form written to `shown`, in the command line's language."""
    initiatives = sum(r.kind == "initiative" for r in form.rows)
    return t(
        "form.wrote",
        path=shown,
        owner=form.owner,
        period=form.words,
        initiatives=initiatives,
        targets=len(form.rows) - initiatives,
        deadline=form.deadline.isoformat(),
    )
