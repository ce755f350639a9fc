"""The service layer without the command line: what the commands call, called directly.

Each test works on its own copy of the roadmaps it needs (the sample portfolio, the seed roadmap)
and, for the review log, a real git repository made in a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from dxroadmap import portfolio, recording
from dxroadmap.portfolio import Scope
from dxroadmap.problems import RequestError, StoreError
from tests.conftest import AS_OF, ENV, SEED_ID, copy_sample, write_seed

TODAY = date.fromisoformat(AS_OF)


@pytest.fixture
def sample(tmp_path: Path) -> Scope:
    return Scope((copy_sample(tmp_path / "roadmaps"),), TODAY)


def test_both_routes_judge_alike(sample: Scope) -> None:
    """The digests (from the cache or not) and the whole models give the same status line of every project."""
    view = portfolio.overview(sample)
    digests = view.select(None, None)
    assert len(digests) >= 10 and not view.problems
    rolled = portfolio.load_all(sample, None, None, with_moved=False)
    assert [d.summary for d in digests] == [s.summary() for s in rolled.statuses]
    again = portfolio.overview(sample).select(None, None)  # the second time from the cache
    assert [d.summary for d in again] == [d.summary for d in digests]


def test_select_by_field_and_owner_in_plan_order(sample: Scope) -> None:
    view = portfolio.overview(sample)
    fields = [d.summary.field for d in view.select(None, None) if d.summary]
    order = [f for f in view.fields if f in fields]
    assert fields == sorted(fields, key=order.index), "grouped by field, in the plan's order"
    chosen = view.select("暮らし・まち", None)
    assert chosen and {d.summary.field for d in chosen if d.summary} == {"暮らし・まち"}
    owner = next(d.summary.owner for d in chosen if d.summary)
    assert all(d.summary and owner in d.summary.owner for d in view.select(None, owner))
    with pytest.raises(StoreError, match="no-such-field"):
        view.select("no-such-field", None)


def test_status_gives_lines_problems_and_the_plans_years(sample: Scope) -> None:
    found = portfolio.status(sample, None, None, None)
    assert found.since is None and not found.problems
    assert len(found.summaries) == len(found.digests) >= 10
    start, end = found.settings.period or (0, 0)
    assert found.years == list(range(start, end + 1))


def test_an_invalid_file_is_a_problem_not_a_line(sample: Scope) -> None:
    (sample.dirs[0] / "broken.yaml").write_text("政策分野: [\n", encoding="utf-8")
    found = portfolio.status(sample, None, None, None)
    assert [p.path.endswith("broken.yaml") for p in found.problems] == [True]
    assert "broken" not in {s.id for s in found.summaries}


def test_two_directories_holding_the_same_id_are_told_apart(tmp_path: Path) -> None:
    north = write_seed(tmp_path / "north" / "roadmaps")
    south = write_seed(tmp_path / "south" / "roadmaps")
    view = portfolio.overview(Scope((north, south), TODAY))
    assert sorted(d.id for d in view.digests) == [f"north/{SEED_ID}", f"south/{SEED_ID}"]
    again = portfolio.overview(Scope((north, north), TODAY))  # the same folder twice: its files once
    assert [d.id for d in again.digests] == [SEED_ID]


def test_a_command_about_one_directory_refuses_two(tmp_path: Path) -> None:
    scope = Scope((write_seed(tmp_path / "a"), write_seed(tmp_path / "b")), TODAY)
    with pytest.raises(RequestError) as refused:
        scope.one()
    assert refused.value.option == "--dir"
    assert Scope((tmp_path / "a", tmp_path / "a"), TODAY).one().dirs == (tmp_path / "a",)


def test_one_project_by_exact_id_or_part_of_its_name(sample: Scope) -> None:
    any_id = portfolio.overview(sample).select(None, None)[0].id
    exact = portfolio.one_project(sample, any_id)
    assert exact.project.id == any_id and exact.status.project.id == any_id
    name = exact.project.roadmap.name
    by_name = portfolio.one_project(sample, name)
    assert by_name.project.id == any_id
    assert exact.years == by_name.years and exact.years, "the plan's years"


def test_the_record_period_refusals_name_their_option(sample: Scope) -> None:
    one = portfolio.one_project(sample, portfolio.overview(sample).select(None, None)[0].id)
    roadmap, settings = one.project.roadmap, one.settings
    last = recording.report_period(roadmap, settings, TODAY)
    assert last.fiscal_year == 2026 and last.number == 2  # 2026-11-26: Q2 of R8 is the last one completed
    cases = [
        ({"quarter": 1, "half": 1}, "--half"),
        ({"year": 2030, "quarter": 1}, "--quarter"),
        ({"quarter": 3}, "--date"),  # under way: counts only with a date
        ({"quarter": 2, "day": date(2026, 10, 5)}, "--date"),  # outside the period
        ({"quarter": 3, "day": date(2026, 12, 5)}, "--date"),  # after the as-of date
    ]
    for given, option in cases:
        with pytest.raises(RequestError) as refused:
            recording.report_period(roadmap, settings, TODAY, **given)  # type: ignore[arg-type]
        assert refused.value.option == option, given


@pytest.mark.parametrize("typed", ["x", "=3", "a=", "a=inf", "a=nan", "a=1e999"])
def test_a_kpi_option_must_be_a_name_and_a_finite_number(typed: str) -> None:
    with pytest.raises(RequestError):
        recording.parse_kpis([typed])


def test_kpi_options_are_read_as_numbers() -> None:
    assert recording.parse_kpis(["導入数=3", "率=1.5", "a=b=-2"]) == [("導入数", 3), ("率", 1.5), ("a=b", -2)]


def test_completion_offers_ids_from_file_names(sample: Scope) -> None:
    ids = portfolio.complete_project(sample.dirs[0], "")
    assert len(ids) >= 10
    some = ids[0]
    assert portfolio.complete_project(sample.dirs[0], some[:4]) and all(
        i.startswith(some[:4]) for i in portfolio.complete_project(sample.dirs[0], some[:4])
    )
    assert portfolio.complete_project(sample.dirs[0] / "missing", "") == []


# --- the review log, in a real repository ----------------------------------------------------------


def _git(top: Path, *args: str) -> str:
    home = top.parent / "home"
    home.mkdir(exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        **ENV,
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(top.parent),
        "GIT_AUTHOR_NAME": "青森太郎",
        "GIT_AUTHOR_EMAIL": "taro@example.jp",
        "GIT_COMMITTER_NAME": "青森太郎",
        "GIT_COMMITTER_EMAIL": "taro@example.jp",
        "GIT_AUTHOR_DATE": "2026-06-01T10:00:00+09:00",
        "GIT_COMMITTER_DATE": "2026-06-01T10:00:00+09:00",
    }
    proc = subprocess.run(["git", "-C", str(top), *args], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    top = tmp_path / "repo"
    write_seed(top / "roadmaps")
    _git(top, "init", "-q", "-b", "main")
    _git(top, "add", "-A")
    _git(top, "commit", "-q", "-m", "roadmaps")
    for key, value in {"HOME": str(tmp_path / "home"), "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    return top


def test_a_record_committed_is_in_the_log_and_in_since(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "青森花子")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "hanako@example.jp")
    scope = Scope((repo / "roadmaps",), TODAY)
    loaded = portfolio.load_one(scope, SEED_ID)
    project = loaded.projects[0]
    request = recording.Request("1", 2026, 2, note="説明会を開催")
    before = Path(project.path).read_bytes()
    change, commit = recording.record_project(
        loaded.root, project, loaded.settings, request, TODAY, dry_run=False, commit=True
    )
    assert commit and change.before == before
    assert Path(project.path).read_bytes() == change.after != before
    log = _git(repo, "log", "--format=%s")
    assert log.splitlines()[0] == f"record: {SEED_ID} R8 Q2"

    found = portfolio.events(scope, SEED_ID, None, None)
    records = [e for e in found.events if e.change.kind == "record"]
    assert [e.author for e in records] == ["青森太郎", "青森花子"]  # the seed's R5 actual, then this one

    changed = portfolio.since(scope, None, None, "2026-06-02")
    assert changed.revision is not None
    assert [e.author for e in changed.report[SEED_ID].records] == ["青森花子"]
    status = portfolio.status(scope, None, None, "2026-06-02")
    assert status.since is not None and [s.id for s in status.summaries] == [SEED_ID]


def test_a_dry_run_writes_and_commits_nothing(repo: Path) -> None:
    scope = Scope((repo / "roadmaps",), TODAY)
    loaded = portfolio.load_one(scope, SEED_ID)
    project = loaded.projects[0]
    before = Path(project.path).read_bytes()
    request = recording.Request("1", 2026, 2, note="説明会を開催")
    change, commit = recording.record_project(
        loaded.root, project, loaded.settings, request, TODAY, dry_run=True, commit=True
    )
    assert commit is None and change.after != before
    assert Path(project.path).read_bytes() == before
    assert len(_git(repo, "log", "--format=%s").splitlines()) == 1


def test_outside_git_there_is_nothing_moved(tmp_path: Path) -> None:
    folder = write_seed(tmp_path / "plain" / "roadmaps")
    assert portfolio.moved_all(folder, portfolio.gather(Scope((folder,), TODAY)).groups[0].settings, [SEED_ID]) == {}
