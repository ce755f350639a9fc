"""The portfolio at scale: the digest cache, parallel reading, several --dir, the status limit, the progress bar.

The cache is checked as a user meets it: a second run reads nothing it has seen; an edit, a
touch that keeps the size, a tool upgrade and a damaged cache file each make the next run read
again; a cached run prints exactly what an uncached one prints.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dxroadmap import cachedir, index
from tests.conftest import AS_OF, Run, copy_sample

PAST_NS = time.time_ns() - 3600 * 10**9  # an hour ago: no file looks "just changed"
COMMANDS = [
    ("status", "--format", "json"),
    ("status", "--format", "csv"),
    ("status",),
    ("slipping", "--format", "json"),
    ("validate", "--format", "json"),
]


def settle(root: Path, when: int = PAST_NS) -> None:
    """Give every file an mtime in the past, as files have that were not edited a moment ago."""
    for path in root.rglob("*.yaml"):
        os.utime(path, ns=(when, when))


@pytest.fixture
def portfolio(sample_repo: Path) -> Path:
    (sample_repo / "roadmaps" / "kurashi" / "broken.yaml").write_text("事業名: [壊れた\n", encoding="utf-8")
    settle(sample_repo / "roadmaps")
    return sample_repo


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the files each run had to read (not taken from the cache)."""
    seen: list[str] = []
    real = index.entry

    def counting(file: index.RoadmapFile, *args: object, **kwargs: object) -> index.Entry:
        seen.append(file.id)
        return real(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index, "entry", counting)
    yield seen


def outputs(run: Run, cwd: Path, env: dict[str, str] | None = None) -> list[tuple[int, str]]:
    results = [run(*command, "--as-of", AS_OF, cwd=cwd, env=env) for command in COMMANDS]
    return [(r.exit_code, r.stdout) for r in results]


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sqlite"))


def test_a_second_run_reads_nothing_and_prints_the_same(
    run: Run, portfolio: Path, computed: list[str], own_cache: Path
) -> None:
    first = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    assert len(computed) == 13  # twelve projects and the broken file
    computed.clear()
    second = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    assert computed == []
    assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout) == (1, first.stdout)
    assert len(cache_files(own_cache)) == 1


def test_cached_and_uncached_runs_print_identical_output(run: Run, portfolio: Path) -> None:
    cold = [run(*c, "--as-of", AS_OF, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"}) for c in COMMANDS]
    warm_up = outputs(run, portfolio)  # fills the cache (the status JSON with the first command)
    cached = outputs(run, portfolio)
    expected = [(r.exit_code, r.stdout) for r in cold]
    assert warm_up == expected
    assert cached == expected
    data = json.loads(expected[0][1])
    assert len(data["projects"]) == 12 and data["invalid"][0]["path"] == "roadmaps/kurashi/broken.yaml"


def test_a_table_run_keeps_the_status_json_for_a_json_run(run: Run, portfolio: Path, computed: list[str]) -> None:
    """`status` makes each project's status JSON with its line (and keeps it, unread): a JSON run after it is warm."""
    expected = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
    run("status", "--as-of", AS_OF, cwd=portfolio)
    computed.clear()
    assert run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout == expected.stdout
    assert computed == []


def test_a_json_run_after_one_that_kept_no_status_json_makes_it_once(
    run: Run, portfolio: Path, computed: list[str]
) -> None:
    """`slipping` is handed no serialiser: its entries are kept without the status JSON. A table needs none (it
    judges nothing again); the first JSON run makes it for every valid project at once, and keeps it."""
    expected = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
    run("slipping", "--as-of", AS_OF, cwd=portfolio)
    computed.clear()
    run("status", "--as-of", AS_OF, cwd=portfolio)
    assert computed == []
    assert run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout == expected.stdout
    assert len(computed) == 12  # made now for the valid projects (the broken file has none)
    computed.clear()
    assert run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout == expected.stdout
    run("status", "--as-of", AS_OF, cwd=portfolio)
    assert computed == []


def test_an_edit_is_read_again(run: Run, portfolio: Path, computed: list[str]) -> None:
    run("status", "--as-of", AS_OF, cwd=portfolio)
    path = portfolio / "roadmaps" / "sangyo" / "smart-nogyo.yaml"
    text = path.read_text(encoding="utf-8")
    name = text.split("事業名: ", 1)[1].splitlines()[0]
    path.write_text(text.replace(name, "名前を変えた事業"), encoding="utf-8")
    os.utime(path, ns=(PAST_NS + 10**9, PAST_NS + 10**9))  # edited a while ago
    computed.clear()
    result = run("status", "--as-of", AS_OF, cwd=portfolio)
    assert computed == ["sangyo/smart-nogyo"]
    assert "名前を変えた事業" in result.stdout and name not in result.stdout


def test_a_touch_that_keeps_the_size_is_read_again(run: Run, portfolio: Path, computed: list[str]) -> None:
    projects = json.loads(run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout)["projects"]
    path = portfolio / "roadmaps" / "gyosei" / "data-katsuyo.yaml"
    before = path.read_bytes()
    old = next(p["owner"] for p in projects if p["id"] == "gyosei/data-katsuyo")
    new = old[:-1] + ("局" if old[-1] != "局" else "室")  # one CJK character for another: three bytes each
    changed = before.replace(old.encode(), new.encode(), 1)
    assert len(changed) == len(before) and changed != before
    with open(path, "r+b") as stream:  # rewritten in place: same file, same inode, same size
        stream.write(changed)
    os.utime(path, ns=(PAST_NS + 2 * 10**9, PAST_NS + 2 * 10**9))
    computed.clear()
    after = json.loads(run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout)["projects"]
    assert computed == ["gyosei/data-katsuyo"]
    assert next(p["owner"] for p in after if p["id"] == "gyosei/data-katsuyo") == new


def test_a_touch_alone_is_seen_by_the_bytes_and_not_judged_again(
    run: Run, portfolio: Path, computed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new stamp makes the file's bytes be read and compared with the version held: the same bytes (a touch,
    a checkout of the same content) are that version, not parsed again; the stamp is then kept."""
    monkeypatch.setattr(cachedir, "RACY_NS", 0)  # the files settled a moment ago are not racy here
    first = run("status", "--as-of", AS_OF, cwd=portfolio)
    path = portfolio / "roadmaps" / "kurashi" / "bosai-joho.yaml"
    os.utime(path, ns=(PAST_NS + 5 * 10**9, PAST_NS + 5 * 10**9))
    reads: list[str] = []
    real = index._read_digest

    def reading(name: str) -> str | None:
        reads.append(Path(name).name)
        return real(name)

    monkeypatch.setattr(index, "_read_digest", reading)
    computed.clear()
    assert run("status", "--as-of", AS_OF, cwd=portfolio).stdout == first.stdout
    assert computed == [] and reads == ["bosai-joho.yaml"]
    reads.clear()
    run("status", "--as-of", AS_OF, cwd=portfolio)
    assert computed == [] and reads == []  # the new stamp is held


def test_a_tool_upgrade_reads_everything_again(
    run: Run, portfolio: Path, computed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    monkeypatch.setattr(index, "tool_fingerprint", lambda: "a later version of dxroadmap")
    computed.clear()
    second = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    assert len(computed) == 13
    assert second.stdout == first.stdout


def test_the_tool_fingerprint_follows_the_package_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade that changes any module of the package changes the fingerprint (so the cache key)."""
    package = tmp_path / "dxroadmap"
    shutil.copytree(Path(index.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(index, "__file__", str(package / "index.py"))
    same = index.tool_fingerprint.__wrapped__()
    assert same == index.tool_fingerprint()  # a copy of the same source: the same fingerprint
    rules = package / "progress.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert index.tool_fingerprint.__wrapped__() != same


def test_another_language_reads_everything_again(run: Run, portfolio: Path, computed: list[str]) -> None:
    run("status", "--as-of", AS_OF, cwd=portfolio)
    computed.clear()
    args = ["status", "--format", "json", "--as-of", AS_OF, "--lang", "ja"]
    result = run(*args, cwd=portfolio)
    assert len(computed) == 13
    uncached = run(*args, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
    assert result.stdout == uncached.stdout  # problems in the language asked for, not the cached one


@pytest.mark.parametrize(("day", "judged"), [("2026-11-27", 0), ("2026-12-26", 12), ("2025-06-30", 12)])
def test_another_date_is_judged_from_the_facts_or_not_at_all(
    run: Run, portfolio: Path, computed: list[str], monkeypatch: pytest.MonkeyPatch, day: str, judged: int
) -> None:
    """A day on which every rule decides as before reuses the entries; any other is judged again from the facts
    kept: no file is parsed but those with a problem that day (a problem is located in the file's text); the
    broken file's problem holds for any date. The output is an uncached run's."""
    from dxroadmap import source

    checked = run("validate", "--format", "json", "--as-of", day, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
    located = {Path(p["path"]).name for p in json.loads(checked.stdout)["warnings"]}
    run("status", "--as-of", AS_OF, cwd=portfolio)
    parsed: list[str] = []
    real = source.load

    def parsing(text: str, path: str) -> object:
        parsed.append(path)
        return real(text, path)

    monkeypatch.setattr(source, "load", parsing)
    computed.clear()
    for command in COMMANDS:
        cached = run(*command, "--as-of", day, cwd=portfolio)
        if command == COMMANDS[0]:
            assert len(computed) == judged
            assert {Path(p).name for p in parsed} <= {"_plan.yaml", *located}
        uncached = run(*command, "--as-of", day, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
        assert [cached.exit_code, cached.stdout, cached.stderr] == [
            uncached.exit_code,
            uncached.stdout,
            uncached.stderr,
        ]


def test_a_plan_edit_reads_everything_again(run: Run, portfolio: Path, computed: list[str]) -> None:
    run("status", "--as-of", AS_OF, cwd=portfolio)
    plan = portfolio / "roadmaps" / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("報告期限日数: 30", "報告期限日数: 45"), encoding="utf-8")
    computed.clear()
    run("status", "--as-of", AS_OF, cwd=portfolio)
    assert len(computed) == 13


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "a directory"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(
    run: Run, portfolio: Path, computed: list[str], own_cache: Path, damage: str
) -> None:
    first = outputs(run, portfolio)
    (path,) = cache_files(own_cache)
    if damage == "garbage":
        path.write_bytes(os.urandom(path.stat().st_size))
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
        path.mkdir()
    for stale in own_cache.glob("*-wal"):
        stale.unlink()
    computed.clear()
    assert outputs(run, portfolio) == first
    assert computed  # read again
    if damage != "a directory":
        computed.clear()
        assert outputs(run, portfolio) == first
        assert computed == []  # and the cache works again


def test_a_row_that_fails_its_checksum_is_read_again(
    run: Run, portfolio: Path, computed: list[str], own_cache: Path
) -> None:
    first = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    (path,) = cache_files(own_cache)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET summary = replace(summary, 'missed', 'done') WHERE path LIKE '%chusho-dx.yaml'")
        db.execute("UPDATE entries SET project = replace(project, '\"missed\"', '\"done\"')")
    computed.clear()
    second = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    assert second.stdout == first.stdout
    assert "sangyo/chusho-dx" in computed


def test_a_foreign_cache_is_not_used(run: Run, portfolio: Path, computed: list[str], own_cache: Path) -> None:
    other = portfolio.parent / "other"
    shutil.copytree(portfolio, other)
    run("status", "--as-of", AS_OF, cwd=portfolio)
    (mine,) = cache_files(own_cache)
    computed.clear()
    run("status", "--as-of", AS_OF, cwd=other)  # another folder: its own cache
    assert len(computed) == 13
    assert len(cache_files(own_cache)) == 2
    (theirs,) = [p for p in cache_files(own_cache) if p != mine]
    shutil.copy(theirs, mine)  # another folder's cache in this folder's place
    computed.clear()
    run("status", "--as-of", AS_OF, cwd=portfolio)
    assert len(computed) == 13


def test_a_cache_that_cannot_be_written_is_not_kept(run: Run, portfolio: Path, computed: list[str]) -> None:
    blocked = portfolio / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    env = {"DXROADMAP_CACHE_DIR": str(blocked / "cache")}
    expected = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
    for _ in range(2):
        result = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env=env)
        assert (result.exit_code, result.stdout, result.stderr) == (1, expected.stdout, expected.stderr)


def test_a_file_changed_a_moment_ago_is_kept_and_checked_by_its_bytes(
    run: Run, portfolio: Path, computed: list[str]
) -> None:
    """As after a `git clone`: every file just written. The first run keeps them (racy) with the digest of their
    bytes; the second finds the same bytes and judges nothing again (git's racy-clean check)."""
    for path in (portfolio / "roadmaps").rglob("*.yaml"):
        path.write_bytes(path.read_bytes())  # mtime now: another change in the same clock tick would not show
    first = run("status", "--as-of", AS_OF, cwd=portfolio)
    assert len(computed) == 13
    computed.clear()
    second = run("status", "--as-of", AS_OF, cwd=portfolio)
    assert computed == [] and second.stdout == first.stdout


def test_an_edit_in_the_same_tick_keeping_size_and_mtime_is_seen(
    run: Run, portfolio: Path, computed: list[str]
) -> None:
    """A file rewritten within the same clock tick as the run that read it, with the same size and mtime: its
    stamp alone cannot tell, its bytes do. The run after judges the new text."""
    path = portfolio / "roadmaps" / "gyosei" / "data-katsuyo.yaml"
    before = path.read_bytes()
    path.write_bytes(before)
    stamp = path.stat()
    first = json.loads(run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout)["projects"]
    old = next(p["owner"] for p in first if p["id"] == "gyosei/data-katsuyo")
    new = old[:-1] + ("局" if old[-1] != "局" else "室")  # one CJK character for another: the same size
    with open(path, "r+b") as stream:  # the same file, the same inode
        stream.write(before.replace(old.encode(), new.encode(), 1))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the mtime it had
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stamp.st_size, stamp.st_mtime_ns)
    computed.clear()
    result = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    after = json.loads(result.stdout)["projects"]
    assert computed == ["gyosei/data-katsuyo"]
    assert next(p["owner"] for p in after if p["id"] == "gyosei/data-katsuyo") == new
    uncached = run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"})
    assert result.stdout == uncached.stdout


def test_removed_and_added_files_are_seen(run: Run, portfolio: Path, own_cache: Path) -> None:
    run("status", "--as-of", AS_OF, cwd=portfolio)
    roadmaps = portfolio / "roadmaps"
    (roadmaps / "sangyo" / "kanko-data.yaml").rename(roadmaps / "sangyo" / "kanko-data-2.yaml")
    data = json.loads(run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout)
    ids = [p["id"] for p in data["projects"]]
    assert "sangyo/kanko-data-2" in ids and "sangyo/kanko-data" not in ids
    (path,) = cache_files(own_cache)
    with sqlite3.connect(path) as db:
        held = [row[0] for row in db.execute("SELECT path FROM entries")]
    assert not any(p.endswith("kanko-data.yaml") for p in held)  # forgotten


# --- parallel reading ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["workers", "no processes"])
def test_reading_in_worker_processes_gives_the_same_result(
    run: Run, portfolio: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    expected = outputs(run, portfolio, env={"DXROADMAP_NO_CACHE": "1", "DXROADMAP_JOBS": "1"})
    monkeypatch.setattr(index, "PARALLEL_FROM", 2)
    if how == "no processes":

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError(38, "no processes in this sandbox")

        monkeypatch.setattr(index, "ProcessPoolExecutor", refuse)
    got = outputs(run, portfolio, env={"DXROADMAP_NO_CACHE": "1", "DXROADMAP_JOBS": "2"})
    assert got == expected


# --- several roadmaps directories -------------------------------------------------------


@pytest.fixture
def two_prefectures(tmp_path: Path) -> Path:
    for name in ("aomori", "iwate"):
        copy_sample(tmp_path / name / "roadmaps")
    (tmp_path / "iwate" / "roadmaps" / "gyosei" / "data-katsuyo.yaml").rename(
        tmp_path / "iwate" / "roadmaps" / "gyosei" / "iwate-only.yaml"
    )
    return tmp_path


def test_dir_given_twice_rolls_both_up_and_tells_colliding_ids_apart(run: Run, two_prefectures: Path) -> None:
    args = ("--dir", "aomori/roadmaps", "--dir", "iwate/roadmaps", "--as-of", AS_OF)
    data = json.loads(run("status", "--format", "json", *args, cwd=two_prefectures).stdout)
    ids = sorted(p["id"] for p in data["projects"])
    assert len(ids) == 24
    assert "aomori/sangyo/smart-nogyo" in ids and "iwate/sangyo/smart-nogyo" in ids
    assert "gyosei/iwate-only" in ids  # unique ids stay as they are
    assert "aomori/gyosei/data-katsuyo" not in ids and "gyosei/data-katsuyo" in ids
    slips = json.loads(run("slipping", "--format", "json", *args, cwd=two_prefectures).stdout)
    assert {s["project"] for s in slips} <= set(ids)
    assert any(s["project"].startswith("iwate/") for s in slips)
    table = run("status", "--all", *args, cwd=two_prefectures).stdout
    assert "Total (24)" in table
    checked = json.loads(run("validate", "--format", "json", *args, cwd=two_prefectures).stdout)
    assert checked == {"checked": 24, "invalid": [], "warnings": []}


def test_a_dir_inside_another_counts_its_files_once(run: Run, two_prefectures: Path) -> None:
    args = ("--dir", "aomori/roadmaps", "--dir", "aomori/roadmaps/sangyo", "--as-of", AS_OF)
    data = json.loads(run("status", "--format", "json", *args, cwd=two_prefectures).stdout)
    assert len(data["projects"]) == 12
    result = run("export", "-o", "all.csv", *args, cwd=two_prefectures)
    assert "12 projects" in result.stderr
    checked = json.loads(run("validate", "--format", "json", *args, cwd=two_prefectures).stdout)
    assert checked == {"checked": 12, "invalid": [], "warnings": []}


def test_the_same_dir_twice_counts_once(run: Run, two_prefectures: Path) -> None:
    args = ("--dir", "aomori/roadmaps", "--dir", "aomori/roadmaps/../roadmaps", "--as-of", AS_OF)
    data = json.loads(run("status", "--format", "json", *args, cwd=two_prefectures).stdout)
    assert len(data["projects"]) == 12 and not any(p["id"].startswith("aomori/") for p in data["projects"])
    shown = run("show", "sangyo/smart-nogyo", "--format", "json", *args, cwd=two_prefectures)
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == "sangyo/smart-nogyo"


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_export_rolls_up_several_directories(run: Run, two_prefectures: Path, fmt: str) -> None:
    args = ("--dir", "aomori/roadmaps", "--dir", "iwate/roadmaps", "--as-of", AS_OF)
    result = run("export", "--format", fmt, "-o", f"all.{fmt}", *args, cwd=two_prefectures)
    assert result.exit_code == 0, result.output
    assert "24 projects" in result.stderr
    path = two_prefectures / f"all.{fmt}"
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        ids = [p["id"] for p in data["projects"]]
        status = json.loads(run("status", "--format", "json", *args, cwd=two_prefectures).stdout)
        assert ids == [p["id"] for p in status["projects"]]  # the same ids, in the same order
        assert {p["path"] for p in data["projects"]} >= {"iwate/roadmaps/gyosei/iwate-only.yaml"}
        assert all(s["project"] in ids for s in data["slipping"])
    elif fmt == "csv":
        text = path.read_text(encoding="utf-8-sig")
        assert "iwate/sangyo/smart-nogyo," in text and "aomori/sangyo/smart-nogyo," in text
        assert "gyosei/iwate-only," in text
    else:
        from openpyxl import load_workbook

        book = load_workbook(path)
        summary = book.worksheets[0]
        cells = {str(c.value) for row in summary.iter_rows() for c in row if c.value is not None}
        assert "iwate/sangyo/smart-nogyo" in cells and "aomori/sangyo/smart-nogyo" in cells


def test_commands_about_one_directory_refuse_two(run: Run, two_prefectures: Path) -> None:
    args = ("--dir", "aomori/roadmaps", "--dir", "iwate/roadmaps")
    for command in (("show", "smart-nogyo"), ("record", "sangyo/smart-nogyo", "--note", "x"), ("new", "a/b")):
        result = run(*command, *args, cwd=two_prefectures)
        assert result.exit_code == 2, (command, result.output)
        assert "give --dir once" in result.output


# --- the status table at scale ----------------------------------------------------------


def test_status_shows_the_worst_projects_when_there_are_more_than_the_limit(run: Run, portfolio: Path) -> None:
    everything = run("status", "--all", "--as-of", AS_OF, cwd=portfolio).stdout
    limited = run("status", "--limit", "3", "--as-of", AS_OF, cwd=portfolio).stdout
    data = json.loads(run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout)
    rank = ["missed", "slipping", "unreported", "open", "planned", "done_late", "done"]
    ordered = sorted(
        data["projects"],
        key=lambda p: (rank.index(p["state"]), -p["flags"]["missed"], -p["flags"]["slipping"], p["id"]),
    )
    shown = [p["id"] for p in data["projects"] if p["id"] in limited]
    assert shown == [p["id"] for p in data["projects"] if p["id"] in {q["id"] for q in ordered[:3]}]
    assert all(p["id"] in everything for p in data["projects"])
    assert "The worst 3 of 12 projects are shown" in limited
    assert "Total (12)" in limited  # totals count every project
    total = next(line for line in everything.splitlines() if "Total (12)" in line)
    assert total.split() == next(line for line in limited.splitlines() if "Total (12)" in line).split()
    assert "are shown" not in everything


# --- the progress bar ---------------------------------------------------------------------


def test_a_long_read_shows_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    """Through a real pseudo-terminal: the bar is drawn on stderr; with stderr not a terminal, nothing."""
    import pty

    root = tmp_path / "roadmaps"
    copy_sample(root)
    source = (root / "sangyo" / "smart-nogyo.yaml").read_text(encoding="utf-8")
    for i in range(1100):  # enough to take more than a second in one process (SECONDS_PER_FILE)
        folder = root / "bulk" / f"{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"p{i:04d}.yaml").write_text(source, encoding="utf-8")
    env = {**os.environ, "DXROADMAP_JOBS": "1", "COLUMNS": "100", "TERM": "xterm", "LANG": "C.UTF-8"}
    env.pop("DXROADMAP_DIR", None)
    command = [sys.executable, "-m", "dxroadmap", "status", "--as-of", AS_OF, "--format", "csv"]
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        command, cwd=tmp_path, env={**env, "DXROADMAP_NO_CACHE": "1"}, stdout=subprocess.DEVNULL, stderr=slave
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0
    assert b"Reading roadmaps" in seen and b"/1112" in seen
    quiet = subprocess.run(command, check=False, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == b""


# --- export --format json, written as it is made -----------------------------------------


def test_the_json_export_written_in_pieces_is_the_whole_document(
    run: Run, portfolio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same bytes as dumping the whole portfolio at once, the way it was made before."""
    from datetime import date

    from dxroadmap import __version__, progress, store
    from dxroadmap.report import data
    from dxroadmap.safe import json_text

    monkeypatch.chdir(portfolio)
    loaded = store.load_portfolio(Path("roadmaps"))
    as_of = date.fromisoformat(AS_OF)
    order = {name: i for i, name in enumerate(loaded.settings.fields)}
    statuses = sorted(
        (progress.judge(p, loaded.settings, as_of) for p in loaded.projects),
        key=lambda s: (order.get(s.field, len(order)), s.field, s.project.id),
    )
    items = progress.slipping_items(statuses, as_of)
    whole = data.portfolio(statuses, items, loaded.problems, loaded.settings, as_of, __version__)
    expected = json_text(json.dumps(whole, ensure_ascii=False, indent=2)) + "\n"
    for _ in range(2):  # cold, then from the cache
        result = run("export", "--format", "json", "-o", "-", "--as-of", AS_OF, cwd=portfolio)
        assert result.exit_code == 1  # the broken file
        assert result.stdout == expected
        run("export", "-o", "portfolio.json", "--as-of", AS_OF, cwd=portfolio)
        assert (portfolio / "portfolio.json").read_text(encoding="utf-8") == expected


def test_a_file_broken_while_the_export_is_written_leaves_no_half_file(
    run: Run, portfolio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = portfolio / "portfolio.json"
    target.write_text("the previous export\n", encoding="utf-8")
    real = index.load_roadmap
    calls = []

    def breaking(path: Path, settings: object) -> object:
        calls.append(path)
        if len(calls) == 5:  # the fifth project changes under the export's feet
            return None, []
        return real(path, settings)  # type: ignore[arg-type]

    run("status", "--as-of", AS_OF, cwd=portfolio)  # digests cached: the export reads each file once more
    monkeypatch.setattr(index, "load_roadmap", breaking)
    result = run("export", "-o", "portfolio.json", "--as-of", AS_OF, cwd=portfolio)
    assert result.exit_code == 1
    assert "changed while the export was being written" in result.stderr
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in portfolio.iterdir()) == ["portfolio.json", "roadmaps"]


def test_runs_at_the_same_time_share_the_cache_safely(portfolio: Path, own_cache: Path) -> None:
    """Six commands at once on one cache: every one prints what an uncached run prints."""
    env = {k: v for k, v in os.environ.items() if k != "DXROADMAP_DIR"}
    env |= {"DXROADMAP_CACHE_DIR": str(own_cache), "LANG": "C.UTF-8", "DXROADMAP_LANG": "en"}
    command = [sys.executable, "-m", "dxroadmap", "status", "--format", "json", "--as-of", AS_OF]
    expected = subprocess.run(
        command, check=False, cwd=portfolio, env={**env, "DXROADMAP_NO_CACHE": "1"}, capture_output=True
    )
    procs = [
        subprocess.Popen(command, cwd=portfolio, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, out, err) == (1, expected.stdout, expected.stderr)
    again = subprocess.run(command, check=False, cwd=portfolio, env=env, capture_output=True)
    assert again.stdout == expected.stdout


def test_show_by_part_of_a_name_reads_one_file_when_the_cache_is_warm(
    run: Run, portfolio: Path, computed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dxroadmap import store

    run("status", "--as-of", AS_OF, cwd=portfolio)
    name = json.loads(run("show", "sangyo/smart-nogyo", "--format", "json", "--as-of", AS_OF, cwd=portfolio).stdout)[
        "name"
    ]
    read: list[Path] = []
    real = store.load_roadmap

    def counting(path: Path, settings: object) -> object:
        read.append(path)
        return real(path, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "load_roadmap", counting)
    computed.clear()
    result = run("show", name[2:8], "--format", "json", "--as-of", AS_OF, cwd=portfolio)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "sangyo/smart-nogyo"
    assert computed == [] and [p.name for p in read] == ["smart-nogyo.yaml"]
    ambiguous = run("show", "i", "--as-of", AS_OF, cwd=portfolio)  # in nearly every id
    assert ambiguous.exit_code == 1 and "matches" in ambiguous.stderr
