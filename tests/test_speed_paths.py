"""The fast paths give what the slow ones give (issue 17): the same bytes, by construction and by test.

- the facts of a roadmap (`facts`): decoded, the very model validation made;
- an entry judged on one day holds on every day of its horizon (`index._Horizon`): checked day by day
  over two fiscal years, for every sample file, under three plans;
- a new as-of date, racy files and a fresh clone: every format of `status`, `slipping`, `validate` and
  the JSON export print what an uncached run prints;
- the JSON the cache keeps is `json.dumps(…, indent=2)`'s text;
- the review log read again from its cache (`history.Versions`) is the log read from git; one new
  commit reads only its own blobs; a damaged or foreign cache is ignored.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import time
from datetime import date, timedelta
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from dxroadmap import cachedir, facts, history, index, jsontext, progress, store
from dxroadmap.model import ActualEntry, Initiative, KpiTarget, Roadmap, TaskTarget
from dxroadmap.report import data
from dxroadmap.settings import Settings
from tests.conftest import AS_OF, EXAMPLES, ROADMAPS, Run, copy_sample

PAST_NS = time.time_ns() - 3600 * 10**9


def settle(root: Path) -> None:
    for path in root.rglob("*.yaml"):
        os.utime(path, ns=(PAST_NS, PAST_NS))


# --- facts ----------------------------------------------------------------------------------------


def test_the_field_lists_of_facts_are_the_models_own() -> None:
    for model, names in [
        (Roadmap, facts.ROADMAP_FIELDS),
        (Initiative, facts.INITIATIVE_FIELDS),
        (TaskTarget, facts.TASK_FIELDS),
        (KpiTarget, facts.KPI_FIELDS),
        (ActualEntry, facts.ACTUAL_FIELDS),
    ]:
        assert tuple(model.model_fields) == names, model.__name__


def strict(value: Any) -> Any:
    """A value with every type spelled out: equal only for the very same models (an int is not a float)."""
    if isinstance(value, BaseModel):
        own = [(k, strict(v)) for k, v in value.__dict__.items()]
        return (type(value).__name__, sorted(value.__pydantic_fields_set__), value.__pydantic_extra__, own)
    if isinstance(value, dict):
        return ("dict", [(strict(k), strict(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [strict(v) for v in value])
    return (type(value).__name__, value)


def every_roadmap() -> list[Roadmap]:
    found = []
    for root in (EXAMPLES, ROADMAPS, EXAMPLES.parent / "real"):
        for path in sorted(root.rglob("*.yaml")):
            if path.name.startswith("_"):
                continue
            roadmap, _ = store.load_roadmap(path, Settings())
            if roadmap is not None:
                found.append(roadmap)
    return found


def test_facts_give_back_the_very_model_validation_made() -> None:
    roadmaps = every_roadmap()
    assert len(roadmaps) >= 12
    for roadmap in roadmaps:
        back = facts.decode(facts.encode(roadmap))
        assert strict(back) == strict(roadmap)
        assert back == roadmap and repr(back) == repr(roadmap)  # repr: `changes` compares actuals by it


def test_facts_of_a_hand_written_roadmap_with_every_kind_of_value() -> None:
    text = """\
政策分野: 行政経営
事業名: "全部入り \\t タブ"
担当課: 課
報告頻度: 半期
取組方針: [a, b]
取組:
  - 名称: 一
    備考: メモ
    目標:
      R7:
        - 文字だけ
        - {内容: 期限つき, 期限: Q2}
        - {内容: 日付の期限, 期限: 2025-09-30}
        - {指標: 件数, 目標値: 10.5, 単位: 件, 基準値: 0, 方向: 減少, 期限: 2026-03-31, 基準年度: R6}
        - {指標: 率, 目標値: 1e16, 基準日: 2025-01-15}
    実績:
      R7:
        - 文字だけの実績
        - {半期: 上期, 内容: x, 達成: [文字だけ], 理由: r, 見通し: 注意, 評価: A}
        - {四半期: Q3, 指標: 件数, 値: 3, 日付: 2025-12-01}
"""
    roadmap, problems = store.parse_roadmap(text, "x.yaml", Settings())
    assert roadmap is not None, problems
    back = facts.decode(facts.encode(roadmap))
    assert strict(back) == strict(roadmap) and repr(back) == repr(roadmap)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:8],
        lambda d: [*d[:8], "not a list"],
        lambda d: [1 << 20, *d[1:]],
        lambda d: [d[0], 5, *d[2:]],
        lambda d: [*d[:7], "weekly", d[8]],
        lambda d: [*d[:8], [[0, "x", [[1e9, []]], [], None]]],
        lambda d: [*d[:8], [[0, "x", [[2026, [[0, 1, "t", 7]]]], [], None]]],
        lambda d: [*d[:8], [[0, "x", [[2026, [[0, 1, "t", "2026-02-30"]]]], [], None]]],
        lambda d: [*d[:8], [[0, "x", [[2026, [[1, 1, "k", "NaN", None, None, "up", None, None, None]]]], [], None]]],
        lambda d: [
            *d[:8],
            [[0, "x", [], [[2026, [[0, 5, None, "t", [], None, None, None, None, "rosy", None]]]], None]],
        ],
    ],
)
def test_foreign_facts_are_refused(damage: Any) -> None:
    roadmap = every_roadmap()[0]
    data = json.loads(facts.encode(roadmap))
    with pytest.raises(ValueError):
        facts.decode(json.dumps(damage(data)).replace('"NaN"', "NaN").encode())
    for raw in (b"", b"\xff", b"[" * 100_000, b"null", b'"x"'):
        with pytest.raises(ValueError):
            facts.decode(raw)


# --- the JSON the cache keeps ------------------------------------------------------------------


class Word(StrEnum):
    A = "a\u2028b"


class Number(IntEnum):
    X = 3


def random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(
            [None, True, False, 0, -5, 10**20, 1.5, -0.0, 1e16, float("inf"), float("nan"), "", 'x"y\\\n\t\x00\x1f}',
             "},\n{", "日本語", "\ud800", Word.A, Number.X, 2.5e-8]
        )  # fmt: skip
    if roll < 0.5:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.6:
        return tuple(random_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    if roll < 0.8:
        keys = ["a", "b", "c", '"q', "日"]
        return [
            {
                k: random_value(rng, 5) if rng.random() < 0.6 else rng.choice([[], {}, [1], {"x": 1, "y": "z"}, (1, 2)])
                for k in rng.sample(keys, rng.randint(0, 4))
            }
            for _ in range(rng.randint(0, 5))
        ]
    if roll < 0.95:
        return {
            rng.choice(["a", "b", "日本", "k\n", "z"]): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))
        }
    return {rng.choice([1, 2.5, True, None, "s"]): random_value(rng, depth + 1) for _ in range(rng.randint(1, 3))}


def test_indented_json_is_json_dumps_text() -> None:
    rng = random.Random(17)
    for _ in range(5_000):
        value = random_value(rng)
        assert jsontext.indented(value) == json.dumps(value, ensure_ascii=False, indent=2), repr(value)
    loaded = store.load_portfolio(EXAMPLES)
    for project in loaded.projects:
        status = progress.judge(project, loaded.settings, date.fromisoformat(AS_OF))
        for document in (data.project(status), data.portfolio_project(status), data.project(status, True)):
            assert jsontext.indented(document) == json.dumps(document, ensure_ascii=False, indent=2)


# --- an entry holds on every day of its horizon -------------------------------------------------

PLANS = {
    "the sample's plan": None,
    "half-yearly, January, 10 days": "年度開始月: 1\n報告期限日数: 10\n報告頻度: 半期\n",
    "yearly": "報告頻度: 年度\n期間: {開始: R6, 終了: R8}\n",
}


@pytest.mark.parametrize("plan", list(PLANS))
def test_an_entry_holds_on_every_day_of_its_horizon(tmp_path: Path, plan: str) -> None:
    """Each day from 2026-09-15 to 2027-04-15 judged alone (from the facts, as a new day is): wherever the horizon
    of one day reaches, every other day's entry is the same text — problems, line, slip items, status JSON."""
    root = copy_sample(tmp_path / "roadmaps")
    if PLANS[plan] is not None:
        (root / "_plan.yaml").write_text(PLANS[plan], encoding="utf-8")
    settings = store.load_settings(root)[1]
    first, last = date(2026, 9, 15), date(2027, 4, 15)  # two quarters' ends and a year's, month ends, graces
    start, days = first.toordinal(), (last - first).days + 1
    files = store.roadmap_files(root, None, [])
    for file in files if PLANS[plan] is None else files[::3]:
        cold = index.entry(file, settings, first, data.project)
        known = index.Known(cold.digest, cold.facts)
        made = [index.entry(file, settings, date.fromordinal(start + n), data.project, known) for n in range(days)]
        reach = 0
        for n, found in enumerate(made):
            assert found.lo <= start + n <= found.hi
            for other in range(max(found.lo - start, 0), min(found.hi - start + 1, days)):
                assert made[other][:4] == found[:4], (file.id, date.fromordinal(start + n), other)
                reach += 1
        assert reach > 3 * days, f"{file.id}: horizons of a day or two only"  # the point of them


def test_the_watched_date_is_the_date() -> None:
    """Judged with the watched as-of date or the plain one: the same status, state for state."""
    loaded = store.load_portfolio(EXAMPLES)
    for day in (date(2025, 6, 30), date(2026, 11, 26), date(2027, 3, 31)):
        for project in loaded.projects:
            plain = progress.judge(project, loaded.settings, day)
            watched = progress.judge(project, loaded.settings, index._Horizon(day).watched())
            assert data.project(watched, True) == data.project(plain, True)
            assert progress.slipping_items([watched], day) == progress.slipping_items([plain], day)


def test_the_watched_date_narrows_its_horizon() -> None:
    day = date(2026, 11, 26)
    horizon = index._Horizon(day)
    watched = horizon.watched()
    assert watched > date(2026, 10, 30) and watched < date(2026, 12, 31)
    assert (date.fromordinal(horizon.lo), date.fromordinal(horizon.hi)) == (date(2026, 10, 31), date(2026, 12, 30))
    assert watched.month == 11 and (horizon.lo, horizon.hi) == (date(2026, 11, 1).toordinal(), horizon.hi)
    assert watched == date(2026, 11, 26) and horizon.lo == horizon.hi == day.toordinal()
    uses = [str, repr, hash, lambda d: d.isoformat(), lambda d: f"{d:%Y}", lambda d: d.toordinal(), lambda d: d.day]
    for use in [*uses, lambda d: d - date(2026, 1, 1), lambda d: d + timedelta(1), lambda d: d.replace(day=1)]:
        horizon = index._Horizon(day)
        use(horizon.watched())
        assert horizon.lo == horizon.hi == day.toordinal(), use
    assert type(index._Horizon(day).watched() + timedelta(1)) is date  # results are plain dates


# --- the command line: a new day, racy files, a fresh clone -----------------------------------------

COMMANDS = [
    ("status",),
    ("status", "--format", "json"),
    ("status", "--format", "markdown"),
    ("slipping",),
    ("slipping", "--format", "csv"),
    ("validate", "--format", "json"),
    ("export", "--format", "json", "-o", "-"),
]
DAYS = ["2026-11-27", "2026-12-01", "2027-01-05", "2026-03-31"]  # the same month, the next, a later one, before


def outputs(run: Run, cwd: Path, day: str, env: dict[str, str] | None = None) -> list[tuple[int, str, str]]:
    found = []
    for command in COMMANDS:
        result = run(*command, "--as-of", day, cwd=cwd, env=env)
        found.append((result.exit_code, result.stdout, result.stderr))
    return found


@pytest.fixture
def portfolio(sample_repo: Path) -> Path:
    (sample_repo / "roadmaps" / "kurashi" / "broken.yaml").write_text("事業名: [壊れた\n", encoding="utf-8")
    settle(sample_repo / "roadmaps")
    return sample_repo


def test_a_new_day_prints_what_an_uncached_run_prints(run: Run, portfolio: Path, own_cache: Path) -> None:
    outputs(run, portfolio, AS_OF)  # the cache made on the first day
    for day in DAYS:  # each day after the one before: entries reused, or judged again from the facts
        assert outputs(run, portfolio, day) == outputs(run, portfolio, day, {"DXROADMAP_NO_CACHE": "1"}), day


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the files this process judges (`index.entry` computes an entry), in order."""
    ids: list[str] = []
    real = index.entry

    def counting(file: index.RoadmapFile, *args: Any, **kwargs: Any) -> index.Entry:
        ids.append(file.id)
        return real(file, *args, **kwargs)

    monkeypatch.setattr(index, "entry", counting)
    return ids


def test_a_fresh_clone_is_warm_on_its_second_run(
    run: Run, sample_repo: Path, own_cache: Path, judged: list[str]
) -> None:
    """Every file written just now (racy): the first run keeps them with their digests, the second reads their
    bytes, finds them as they were and judges nothing again; every format as an uncached run prints it."""
    expected = outputs(run, sample_repo, AS_OF, {"DXROADMAP_NO_CACHE": "1"})
    judged.clear()
    assert outputs(run, sample_repo, AS_OF) == expected
    assert len(set(judged)) == 12
    judged.clear()
    assert outputs(run, sample_repo, AS_OF) == expected
    assert judged == []  # the export reads its files whole, through `load_roadmap`: not `entry`


def test_an_edit_in_the_same_second_keeping_size_and_mtime_is_judged(run: Run, sample_repo: Path) -> None:
    """Written, run, written again in the same second with the same size and mtime, run: the new text is judged
    (the first run kept the file as racy: its bytes are compared with the digest of what was judged)."""
    path = sample_repo / "roadmaps" / "sangyo" / "smart-nogyo.yaml"
    text = path.read_text(encoding="utf-8")
    name = text.split("事業名: ", 1)[1].splitlines()[0]
    renamed = name[:-1] + ("甲" if name[-1] != "甲" else "乙")  # the same number of UTF-8 bytes
    path.write_text(text, encoding="utf-8")
    stamp = path.stat()
    first = run("status", "--format", "json", "--as-of", AS_OF, cwd=sample_repo)
    assert name in first.stdout
    path.write_text(text.replace(name, renamed, 1), encoding="utf-8")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stamp.st_size, stamp.st_mtime_ns)
    second = run("status", "--format", "json", "--as-of", AS_OF, cwd=sample_repo)
    uncached = run("status", "--format", "json", "--as-of", AS_OF, cwd=sample_repo, env={"DXROADMAP_NO_CACHE": "1"})
    assert renamed in second.stdout and name not in second.stdout
    assert second.stdout == uncached.stdout


def test_a_racy_file_stays_racy_until_its_bytes_are_seen_later(sample_repo: Path, own_cache: Path) -> None:
    """A file kept as racy is read again on the next run; once that run is later than the racy window, the file
    is trusted by its stamp again (its racy mark cleared)."""
    root = sample_repo / "roadmaps"
    path = root / "gyosei" / "data-katsuyo.yaml"
    path.write_bytes(path.read_bytes())
    settings = store.load_settings(root)[1]
    files = store.roadmap_files(root, None, [])
    day = date.fromisoformat(AS_OF)
    index.scan(root, files, settings, day)

    def marks() -> dict[str, int]:
        (db_path,) = own_cache.glob("*.sqlite")
        with sqlite3.connect(db_path) as db:
            return {Path(p).name: racy for p, racy in db.execute("SELECT path, racy FROM files")}

    assert marks()["data-katsuyo.yaml"] == 1
    old = time.time_ns() - 10 * 10**9
    os.utime(path, ns=(old, old))  # the stamp changes (mtime, ctime): read again, the same bytes
    index.scan(root, files, settings, day)
    assert marks()["data-katsuyo.yaml"] == 1  # its ctime is recent: still racy
    real = cachedir.RACY_NS
    try:
        cachedir.RACY_NS = 0
        index.scan(root, files, settings, day)
    finally:
        cachedir.RACY_NS = real
    assert marks()["data-katsuyo.yaml"] == 0


def test_the_status_json_kept_but_damaged_is_made_again_and_kept(
    run: Run, portfolio: Path, own_cache: Path, judged: list[str]
) -> None:
    expected = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
    run("status", "--as-of", AS_OF, cwd=portfolio)
    (path,) = own_cache.glob("*.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET project = replace(project, '\"missed\"', '\"done\"') WHERE path LIKE '%chusho%'")
    judged.clear()  # counted from here: what the runs below judge
    for _ in range(2):
        result = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
        assert result.stdout == expected.stdout
    assert judged == ["sangyo/chusho-dx"]  # once: then kept


def test_a_file_that_turns_invalid_before_its_status_json_is_read_stops_the_output(
    portfolio: Path, own_cache: Path
) -> None:
    root = portfolio / "roadmaps"
    settings = store.load_settings(root)[1]
    files = store.roadmap_files(root, None, [])
    day = date.fromisoformat(AS_OF)
    index.scan(root, files, settings, day, project_json=data.project)
    digests = index.scan(root, files, settings, day, project_json=data.project)
    first = next(d for d in digests if d.summary is not None)
    (path,) = own_cache.glob("*.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM entries")
    (root / f"{first.id}.yaml").write_text("事業名: [壊れた\n", encoding="utf-8")
    with pytest.raises(store.StoreError, match="changed"):
        first.status_json()


# --- the review log from its cache ------------------------------------------------------------


@pytest.fixture(scope="module")
def log_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.test_history import build

    if shutil.which("git") is None:
        pytest.fail("git is needed for the review-log tests")
    top = tmp_path_factory.mktemp("versions") / "repo"
    top.mkdir()
    return build(top).top


def read_log(top: Path, cache: Path | None, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[str], int]:
    """(the events of the whole log as JSON, its warnings, how many blobs were parsed)."""
    from dxroadmap import vcs

    if cache is None:
        monkeypatch.setenv("DXROADMAP_NO_CACHE", "1")
    else:
        monkeypatch.delenv("DXROADMAP_NO_CACHE", raising=False)
        monkeypatch.setenv("DXROADMAP_CACHE_DIR", str(cache))
    parsed: list[bytes] = []
    real = history.Reader._parse

    def parsing(self: history.Reader, raw: bytes) -> Any:
        parsed.append(raw)
        return real(self, raw)

    monkeypatch.setattr(history.Reader, "_parse", parsing)
    root = top / "roadmaps"
    log = history.review_log(vcs.Repo(root), root, store.load_settings(root)[1])
    return [data.event(e) for e in log.events], log.warnings, len(parsed)


def test_the_review_log_read_again_is_the_log_read_from_git(
    log_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = read_log(log_repo, None, monkeypatch)
    assert expected[2] > 10 and expected[1]  # blobs parsed; an invalid version warned of
    first = read_log(log_repo, tmp_path / "cache", monkeypatch)
    again = read_log(log_repo, tmp_path / "cache", monkeypatch)
    assert first[:2] == again[:2] == expected[:2]
    assert first[2] == expected[2] and again[2] == 0  # nothing parsed the second time


def test_one_new_commit_reads_only_its_own_blobs(
    log_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_history import git

    top = tmp_path / "copy"
    shutil.copytree(log_repo, top)
    read_log(top, tmp_path / "cache", monkeypatch)
    path = top / "roadmaps" / "kurashi-dx-kiban.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ニーズ調査", "ニーズ調査(追補)", 1), encoding="utf-8")
    git(top, "commit", "-q", "-am", "one more")
    events, warnings, parsed = read_log(top, tmp_path / "cache", monkeypatch)
    assert parsed == 1  # the new version of the one file
    assert (events, warnings) == read_log(top, None, monkeypatch)[:2]


@pytest.mark.parametrize("damage", ["garbage", "foreign rows", "a directory"])
def test_a_damaged_or_foreign_versions_cache_is_ignored(
    log_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    cache = tmp_path / "cache"
    expected = read_log(log_repo, None, monkeypatch)[:2]
    read_log(log_repo, cache, monkeypatch)
    path = cache / "versions.sqlite"
    if damage == "garbage":
        path.write_bytes(os.urandom(4096))
        for extra in cache.glob("versions.sqlite-*"):
            extra.unlink()
    elif damage == "a directory":
        path.unlink()
        for extra in cache.glob("versions.sqlite-*"):
            extra.unlink()
        path.mkdir()
    else:  # a valid checksum on a foreign shape: a miss, never an error
        with sqlite3.connect(path) as db:
            cache_of = history.Versions(db, "")
            for old, new, text in db.execute("SELECT old, new, changes FROM diffs").fetchall():
                rows = json.loads(text)
                foreign = json.dumps([[*row[:2], str(row[2]), *row[3:]] for row in rows] or [["exploded"] * 8])
                db.execute(
                    "UPDATE diffs SET changes = ?, checksum = ? WHERE old = ? AND new = ?",
                    (foreign, cache_of._check(old, new, foreign), old, new),
                )
            for variant, blob, kept in db.execute("SELECT variant, blob, facts FROM versions").fetchall():
                if kept is not None:
                    broken = kept.replace(b'"', b"'", 3)
                    check = history.Versions(db, variant)._check(variant, blob, broken, None)
                    db.execute(
                        "UPDATE versions SET facts = ?, checksum = ? WHERE variant = ? AND blob = ?",
                        (broken, check, variant, blob),
                    )
    for _ in range(2):
        assert read_log(log_repo, cache, monkeypatch)[:2] == expected


def test_status_json_made_in_workers_while_printing_is_printed_once(tmp_path: Path, own_cache: Path) -> None:
    """After `slipping` (which keeps no status JSON), `status --format json` makes it for every project in worker
    processes while its output has begun: what was printed before they start is not printed twice."""
    import subprocess
    import sys

    root = tmp_path / "roadmaps"
    copy_sample(root)
    text = (root / "sangyo" / "smart-nogyo.yaml").read_text(encoding="utf-8")
    for i in range(index.PARALLEL_FROM + 20):
        folder = root / "bulk" / f"{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"p{i:04d}.yaml").write_text(text, encoding="utf-8")
    settle(root)
    env = {k: v for k, v in os.environ.items() if k not in ("DXROADMAP_DIR", "PYTHONUNBUFFERED")}  # stdout buffered
    env |= {"DXROADMAP_CACHE_DIR": str(own_cache), "DXROADMAP_JOBS": "2", "LANG": "C.UTF-8", "DXROADMAP_LANG": "en"}
    status = [sys.executable, "-m", "dxroadmap", "status", "--format", "json", "--as-of", AS_OF]
    expected = subprocess.run(
        status, check=False, cwd=tmp_path, env={**env, "DXROADMAP_NO_CACHE": "1"}, capture_output=True
    )
    slipping = [sys.executable, "-m", "dxroadmap", "slipping", "--as-of", AS_OF]
    subprocess.run(slipping, cwd=tmp_path, env=env, capture_output=True, check=True)
    for _ in range(2):  # made in workers, then read from the cache
        got = subprocess.run(status, check=False, cwd=tmp_path, env=env, capture_output=True)
        assert (got.returncode, got.stdout, got.stderr) == (expected.returncode, expected.stdout, expected.stderr)
