"""The other ways in (#13): one file under two names, output targets, a broken plan, git data, the cache.

Each test goes through the command (in-process with `run`, or the installed `dxroadmap` in
subprocesses where processes must run at once) on real things: symlinks, FIFOs, a UNIX socket,
a character device node made in the test's own folder (never the machine's `/dev/null`), a
real git repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dxroadmap import index, store
from dxroadmap.model import ActualEntry
from dxroadmap.problems import StoreError
from dxroadmap.safe import clean
from dxroadmap.settings import Settings
from tests.conftest import AS_OF, ENV, SEED_PLAN, SEED_ROADMAP, Run, copy_sample

DXROADMAP = Path(sys.executable).with_name("dxroadmap")
SUB_ENV = {k: v for k, v in os.environ.items() if k != "DXROADMAP_DIR"} | ENV
IS_ROOT = os.geteuid() == 0
SEED_ID = "kurashi-dx-kiban"
INIT2 = 1  # デジタル実装支援, the initiative `-i 2` names
R8 = 2026
PROBLEM = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[a-z0-9-]+)(?: |$)")


def snapshot(top: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under `top` but `.git` (links not followed): its kind, owner, mode and content."""
    found: dict[str, tuple[Any, ...]] = {}
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *files]:
            path = Path(folder, name)
            info = path.lstat()
            key = path.relative_to(top).as_posix()
            if stat.S_ISREG(info.st_mode):
                found[key] = ("file", info.st_mode, info.st_uid, hashlib.sha256(path.read_bytes()).hexdigest())
            elif stat.S_ISLNK(info.st_mode):
                found[key] = ("link", os.readlink(path))
            else:
                found[key] = ("other", info.st_mode, info.st_rdev)
    return found


def notes(path: Path) -> list[str | None]:
    """The 内容 of the R8 actuals of the second initiative of the roadmap at `path`."""
    roadmap, problems = store.parse_roadmap(path.read_text(encoding="utf-8"), "x.yaml", Settings())
    assert roadmap is not None, problems
    return [a.text if isinstance(a, ActualEntry) else a for a in roadmap.initiatives[INIT2].actuals.get(R8, [])]


def record_args(project: str, note: str) -> list[str]:
    return [str(DXROADMAP), "record", project, "-i", "2", "--note", note, "--as-of", AS_OF]


# --- 1. one file, one lock, whatever name reaches it -------------------------------------------


@pytest.fixture
def linked(seed_repo: Path) -> tuple[Path, Path]:
    """The seed roadmap and `roadmaps/alias.yaml`, a link to it: one file, two names (two ids)."""
    real = seed_repo / "roadmaps" / f"{SEED_ID}.yaml"
    link = seed_repo / "roadmaps" / "alias.yaml"
    link.symlink_to(real.name)
    return real, link


def test_the_lock_is_keyed_by_the_real_path_and_lies_beside_the_real_file(linked: tuple[Path, Path]) -> None:
    real, link = linked
    assert store.lock_path(link) == store.lock_path(real) == real.with_name(f".{SEED_ID}.yaml.lock")
    with store.locked(link), pytest.raises(StoreError), store.locked(real, timeout=0.2):
        pytest.fail("the file was locked twice, through its link and its own name")
    assert not (real.parent / ".alias.yaml.lock").exists()


def test_a_record_through_a_link_waits_for_the_lock_taken_through_the_target(linked: tuple[Path, Path]) -> None:
    real, _ = linked
    top = real.parent.parent
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.locked(real):
            holding.set()
            release.wait(20)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(5)
        proc = subprocess.Popen(
            record_args("alias", "リンク経由"), cwd=top, env=SUB_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(1.5)
        assert proc.poll() is None, "record through the link did not wait for the file's lock"
        assert notes(real) == []
    finally:
        release.set()
        holder.join()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, (out, err)
    assert notes(real) == ["リンク経由"]
    assert real.parent.joinpath("alias.yaml").is_symlink()


def test_records_through_a_link_and_its_target_at_once_all_land(linked: tuple[Path, Path]) -> None:
    real, _ = linked
    top = real.parent.parent
    names = [("alias" if n % 2 else SEED_ID, f"同時{n}") for n in range(8)]
    procs = [
        subprocess.Popen(
            record_args(project, note), cwd=top, env=SUB_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for project, note in names
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, (out, err)
    assert sorted(map(str, notes(real))) == sorted(note for _, note in names)
    assert sorted(p.name for p in real.parent.glob(".*.lock")) == [f".{SEED_ID}.yaml.lock"]
    assert list(real.parent.glob(".*.tmp")) == []


def test_a_lock_file_that_is_a_link_is_never_followed(run: Run, linked: tuple[Path, Path], tmp_path: Path) -> None:
    real, _ = linked
    elsewhere = tmp_path / "elsewhere.lock"
    real.with_name(f".{SEED_ID}.yaml.lock").symlink_to(elsewhere)
    before = real.read_bytes()
    result = run("record", "alias", "-i", "2", "--note", "x", "--as-of", AS_OF, cwd=real.parent.parent)
    assert result.exit_code == 1
    assert "lock" in result.stderr
    assert not elsewhere.exists()
    assert real.read_bytes() == before


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file to another user")
@pytest.mark.parametrize("through", ["record-link", "record", "export"])
def test_a_rewrite_as_root_keeps_the_owner_group_and_mode(run: Run, linked: tuple[Path, Path], through: str) -> None:
    real, _ = linked
    top = real.parent.parent
    target = top / "report.csv" if through == "export" else real
    if through == "export":
        target.write_text("old\n", encoding="utf-8")
    os.chown(target, 4242, 4343)
    target.chmod(0o640)
    if through == "export":
        result = run("export", "-o", "report.csv", "--as-of", AS_OF, cwd=top)
    else:
        result = run("record", "alias" if through == "record-link" else SEED_ID, "-i", "2", "--note", "所有者",
                     "--as-of", AS_OF, cwd=top)  # fmt: skip
    assert result.exit_code == 0, result.output
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4242, 4343, 0o640)
    if through == "export":
        assert target.read_bytes().startswith("\ufeff".encode())
    else:
        assert notes(real) == ["所有者"]
        assert (top / "roadmaps" / "alias.yaml").is_symlink()


# --- 2. output targets of `export -o` ------------------------------------------------------------


class Reader:
    """Reads a FIFO to its end in a thread (as `cat` would), so the writer is never stuck."""

    def __init__(self, path: Path) -> None:
        self.data = b""
        self.thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self.thread.start()

    def _read(self, path: Path) -> None:
        with open(path, "rb") as fifo:
            self.data = fifo.read()

    def result(self) -> bytes:
        self.thread.join(10)
        assert not self.thread.is_alive(), "the FIFO was never written (nor closed)"
        return self.data


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_into_a_fifo_writes_into_it_and_leaves_it_a_fifo(
    run: Run, sample_repo: Path, fmt: str, own_cache: Path
) -> None:
    fifo = sample_repo / "pipe"
    os.mkfifo(fifo)
    reader = Reader(fifo)
    result = run("export", "-o", "pipe", "--format", fmt, "--as-of", AS_OF, cwd=sample_repo)
    got = reader.result()
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert list(sample_repo.glob(".pipe.*")) == []
    if fmt == "xlsx":
        assert got.startswith(b"PK\x03\x04")
    else:
        assert got == run("export", "-o", "-", "--format", fmt, "--as-of", AS_OF, cwd=sample_repo).stdout_bytes


def test_export_through_a_link_to_a_fifo_keeps_both(run: Run, sample_repo: Path) -> None:
    fifo = sample_repo / "pipe"
    os.mkfifo(fifo)
    (sample_repo / "report.csv").symlink_to("pipe")
    reader = Reader(fifo)
    result = run("export", "-o", "report.csv", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 0, result.output
    assert reader.result().startswith("\ufeff".encode())
    assert os.readlink(sample_repo / "report.csv") == "pipe"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.fixture
def char_device(tmp_path: Path) -> Path:
    """A node with /dev/null's numbers, made in the test's folder (the machine's own is never touched)."""
    node = tmp_path / "devices" / "null"
    node.parent.mkdir()
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.close(os.open(node, os.O_WRONLY))
    except OSError as exc:  # not root, or a folder on a `nodev` mount
        pytest.skip(f"no character device can be made and opened here: {exc}")
    return node


def test_export_into_a_character_device_writes_into_it_and_leaves_it(
    run: Run, sample_repo: Path, char_device: Path
) -> None:
    before = char_device.lstat()
    for output in (str(char_device), "linked-null"):
        if output == "linked-null":
            (sample_repo / output).symlink_to(char_device)
        result = run("export", "-o", output, "--format", "csv", "--as-of", AS_OF, cwd=sample_repo)
        assert result.exit_code == 0, result.output
        after = char_device.lstat()
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert (sample_repo / "linked-null").is_symlink()
    assert list(char_device.parent.iterdir()) == [char_device]


def _directory(top: Path) -> str:
    (top / "out.csv").mkdir()
    (top / "out.csv" / "kept.txt").write_text("kept", encoding="utf-8")
    return "out.csv"


def _linked_directory(top: Path) -> str:
    (top / "folder").mkdir()
    (top / "out.csv").symlink_to("folder")
    return "out.csv"


def _socket(top: Path) -> str:
    here = os.getcwd()
    os.chdir(top)  # a short relative name: AF_UNIX paths are limited to ~108 bytes
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind("out.csv")
        sock.close()
    finally:
        os.chdir(here)
    return "out.csv"


def _block_device(top: Path) -> str:
    try:
        os.mknod(top / "out.csv", stat.S_IFBLK | 0o600, os.makedev(0, 0))  # no such device: never opened anyway
    except OSError as exc:
        pytest.skip(f"no block device node can be made here: {exc}")
    return "out.csv"


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        pytest.param(_directory, "a folder", id="directory"),
        pytest.param(_linked_directory, "a folder", id="link-to-directory"),
        pytest.param(_socket, "a socket", id="socket"),
        pytest.param(_block_device, "a block device", id="block-device"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_refuses_a_folder_a_socket_or_a_block_device(
    run: Run, sample_repo: Path, make: Any, kind: str, fmt: str
) -> None:
    output = make(sample_repo)
    before = snapshot(sample_repo)
    result = run("export", "-o", output, "--format", fmt, "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr
        == f"dxroadmap: {output} is {kind}: not written (give a file name, a FIFO, a character device or -)\n"
    )
    assert snapshot(sample_repo) == before


def test_export_to_a_new_name_and_over_a_file_is_still_atomic(run: Run, sample_repo: Path) -> None:
    result = run("export", "-o", "new.csv", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 0, result.output
    first = sample_repo / "new.csv"
    inode = first.stat().st_ino
    result = run("export", "-o", "new.csv", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 0, result.output
    assert first.stat().st_ino != inode  # replaced whole, never written into
    assert list(sample_repo.glob(".new.csv.*")) == []


# --- 3. a broken plan stops every command that depends on it --------------------------------------

BROKEN_PLANS = {  # code: (text of the good plan, its broken spelling, line, column of the problem)
    "unknown-key": ("報告期限日数: 30", "報告期限日: 30", 5, 1),
    "bad-value": ("年度開始月: 4", "年度開始月: 13", 4, 8),
    "yaml-syntax": ("計画名: (仮称)", "計画名: [(仮称)", None, None),
}
PLAN_COMMANDS = {
    "status": ["status"],
    "status-json": ["status", "--format", "json"],
    "status-since": ["status", "--since", "2020-01-01"],
    "slipping": ["slipping"],
    "show": ["show", SEED_ID],
    "show-part": ["show", "kurashi"],
    "record": ["record", SEED_ID, "-i", "2", "--note", "計画が壊れている"],
    "record-dry-run": ["record", SEED_ID, "-i", "2", "--note", "x", "--dry-run"],
    "new": ["new", "gyosei/new-one", "--field", "行政経営", "--name", "新規", "--owner", "総務課"],
    "export-csv": ["export", "-o", "out.csv"],
    "export-json": ["export", "-o", "out.json"],
    "export-stdout": ["export", "-o", "-", "--format", "markdown"],
    "history": ["history"],
    "history-json": ["history", "--format", "json"],
}


@pytest.fixture
def committed_seed(seed_repo: Path) -> Path:
    """The seed roadmaps with SEED_PLAN as their plan, committed (so `history` and `--since` can run)."""
    (seed_repo / "roadmaps" / "_plan.yaml").write_text(SEED_PLAN, encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "seed"]):
        subprocess.run(
            ["git", "-C", str(seed_repo), "-c", "user.name=T", "-c", "user.email=t@example.invalid", *args],
            check=True, capture_output=True,
        )  # fmt: skip
    return seed_repo


@pytest.mark.parametrize("command", list(PLAN_COMMANDS))
@pytest.mark.parametrize("broken", list(BROKEN_PLANS))
def test_a_broken_plan_stops_every_command_that_depends_on_it(
    run: Run, committed_seed: Path, broken: str, command: str
) -> None:
    old, new, line, column = BROKEN_PLANS[broken]
    plan = committed_seed / "roadmaps" / "_plan.yaml"
    plan.write_text(SEED_PLAN.replace(old, new), encoding="utf-8")
    before = snapshot(committed_seed)
    result = run(*PLAN_COMMANDS[command], "--as-of", AS_OF, cwd=committed_seed)
    context = f"{broken} / {command}: exit {result.exit_code}\n{result.output}"
    assert result.exit_code == 1, context
    assert result.stdout == "", context
    head, *lines = result.stderr.splitlines()
    assert head.startswith("dxroadmap: the plan roadmaps/_plan.yaml has 1 problem(s): nothing was done"), context
    assert len(lines) == 1 and (found := PROBLEM.match(lines[0])), context
    assert (found["path"], found["code"]) == ("roadmaps/_plan.yaml", broken), context
    if line is not None:
        assert (int(found["line"]), int(found["column"])) == (line, column), context
    assert snapshot(committed_seed) == before, context


def test_validate_still_reports_a_broken_plan_with_the_other_files(run: Run, committed_seed: Path) -> None:
    plan = committed_seed / "roadmaps" / "_plan.yaml"
    plan.write_text(SEED_PLAN.replace("年度開始月: 4", "年度開始月: 13"), encoding="utf-8")
    (committed_seed / "roadmaps" / "broken.yaml").write_text("事業名: [壊れた\n", encoding="utf-8")
    result = run("validate", "--as-of", AS_OF, cwd=committed_seed)
    assert result.exit_code == 1
    codes = [(m["path"], m["code"]) for line in result.stdout.splitlines() if (m := PROBLEM.match(line))]
    assert codes == [("roadmaps/_plan.yaml", "bad-value"), ("roadmaps/broken.yaml", "yaml-syntax")]
    result = run("validate", "--format", "json", "--as-of", AS_OF, cwd=committed_seed)
    assert [p["code"] for p in json.loads(result.stdout)["invalid"]] == ["bad-value", "yaml-syntax"]


def test_the_plan_refusal_is_in_japanese_too(run: Run, committed_seed: Path) -> None:
    plan = committed_seed / "roadmaps" / "_plan.yaml"
    plan.write_text(SEED_PLAN.replace("報告期限日数: 30", "報告期限日: 30"), encoding="utf-8")
    result = run("record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, "--lang", "ja", cwd=committed_seed)
    assert result.exit_code == 1
    assert result.stderr.startswith("dxroadmap: 計画ファイル roadmaps/_plan.yaml に問題が 1 件あります")
    assert "\nroadmaps/_plan.yaml:5:1: unknown-key " in result.stderr


# --- 4. git data: any byte but NUL in a path or an author name ------------------------------------

WEIRD_AUTHOR = "a\tb\x1ec\x1fd|e\x7f"  # git keeps all of these (it drops a newline, and refuses < >)
FOLDER = "grp\tA\nB|\x1e"  # a folder of roadmaps, as a project id's first part
MOVED = "moved\t|\nname"


def _git(top: Path, *args: str, author: str = "Tester", when: str = "2026-04-01") -> str:
    home = top.parent / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": f"{when}T10:00:00+09:00",
        "GIT_COMMITTER_DATE": f"{when}T10:00:00+09:00",
    }
    done = subprocess.run(
        ["git", "-C", str(top), "-c", f"user.name={author}", "-c", "user.email=t@example.invalid", *args],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


@pytest.fixture
def weird_repo(run: Run, tmp_path: Path) -> tuple[Path, str]:
    """A repository in a folder named with a tab, a newline and separators, whose roadmap sits in one too.

    c1 (Tester, 04-01) adds it; c2 (WEIRD_AUTHOR, 06-01) records an actual; c3 (WEIRD_AUTHOR, 07-01)
    renames the file to another such name (a rename record: two paths).
    """
    top = tmp_path / "repo\t|\x1e\nx"
    folder = top / "roadmaps" / FOLDER
    folder.mkdir(parents=True)
    (top / "roadmaps" / "_plan.yaml").write_text(SEED_PLAN, encoding="utf-8")
    (folder / "kiban.yaml").write_text(SEED_ROADMAP, encoding="utf-8")
    _git(top, "init", "-q")
    _git(top, "add", "-A")
    _git(top, "commit", "-q", "-m", "c1")
    c1 = _git(top, "rev-parse", "HEAD").strip()
    recorded = run("record", f"{FOLDER}/kiban", "-i", "2", "--note", "記録", "--as-of", AS_OF, cwd=top)
    assert recorded.exit_code == 0, recorded.output
    _git(top, "commit", "-q", "-am", "c2", author=WEIRD_AUTHOR, when="2026-06-01")
    _git(top, "mv", f"roadmaps/{FOLDER}/kiban.yaml", f"roadmaps/{MOVED}.yaml")
    _git(top, "commit", "-q", "-m", "c3", author=WEIRD_AUTHOR, when="2026-07-01")
    assert _git(top, "log", "-1", "--format=%an").rstrip("\n") == WEIRD_AUTHOR
    return top, c1


def test_history_reads_authors_and_paths_holding_separators(run: Run, weird_repo: tuple[Path, str]) -> None:
    top, c1 = weird_repo
    for since in ([], ["--since", "2026-05-01"], ["--since", c1]):
        result = run("history", *since, "--format", "json", "--as-of", AS_OF, cwd=top)
        assert result.exit_code == 0, result.output
        records = [(e["author"], e["project"], e["text"]) for e in json.loads(result.stdout) if e["kind"] == "record"]
        assert records[-1] == (WEIRD_AUTHOR, MOVED, "記録"), since
        # before it, only the seed's own actuals, added by c1 (not after --since)
        assert {author for author, _, _ in records[:-1]} <= ({"Tester"} if not since else set()), since
    table = run("history", "--as-of", AS_OF, cwd=top)
    assert table.exit_code == 0, table.output
    assert "\x1e" not in table.stdout and "\x1f" not in table.stdout and "\x7f" not in table.stdout
    assert clean("\x1ec\x1fd|e\x7f") in table.stdout  # the author, shown through the sanitiser


def test_status_since_reads_authors_and_paths_holding_separators(run: Run, weird_repo: tuple[Path, str]) -> None:
    top, c1 = weird_repo
    for since in ("2026-05-01", c1):
        result = run("status", "--since", since, "--format", "json", "--as-of", AS_OF, cwd=top)
        assert result.exit_code == 0, result.output
        (project,) = json.loads(result.stdout)["projects"]
        assert project["id"] == MOVED
        assert [(e["author"], e["text"]) for e in project["since"]["records"]] == [(WEIRD_AUTHOR, "記録")]
    table = run("status", "--since", c1, "--as-of", AS_OF, cwd=top)
    assert table.exit_code == 0, table.output


# --- 5. the cache: a row is used only once its whole shape is checked ------------------------------


@pytest.fixture
def portfolio(sample_repo: Path) -> Path:
    """The sample portfolio with files settled in the past (so that they are cached) and one broken file."""
    (sample_repo / "roadmaps" / "kurashi" / "broken.yaml").write_text("事業名: [壊れた\n", encoding="utf-8")
    past = time.time_ns() - 3600 * 10**9
    for path in (sample_repo / "roadmaps").rglob("*.yaml"):
        os.utime(path, ns=(past, past))
    return sample_repo


CACHED_COMMANDS = [("status",), ("status", "--format", "json"), ("slipping",), ("slipping", "--format", "json")]


def _foreign(column: str, value: Any) -> Any:
    """How to turn a cached row's value of `column` (parsed JSON, or bytes) into a foreign one."""
    return {
        "summary-state": lambda s: [*s[:3], "exploded", *s[4:]] if s else s,
        "summary-short": lambda s: s[:5] if s else s,
        "summary-flags": lambda s: [*s[:5], {"missed": 0}, s[6]] if s else s,
        "summary-years-as-text": lambda s: [*s[:6], [[str(y), st] for y, st in s[6]]] if s else s,
        "summary-counts-negative": lambda s: [*s[:4], [-1, 0, 0], *s[5:]] if s else s,
        "problems-line-as-text": lambda p: [[a, str(b), c, d, e] for a, b, c, d, e in p] or [[None, "1", 1, "x", "y"]],
        "problems-object": lambda p: {"problems": p},
        "slips-short-row": lambda s: [row[:13] for row in s] or [["x"] * 13],
        "slips-due-not-a-date": lambda s: [[*row[:6], "2026-13-45", *row[7:]] for row in s],
        "slips-year-as-text": lambda s: [[*row[:2], "R8", *row[3:]] for row in s],
        "slips-outlook-unknown": lambda s: [[*row[:8], "rosy", *row[9:]] for row in s],
        "slips-nested-deep": lambda s: "[" * 100_000 + "]" * 100_000,
        "project-not-an-object": lambda p: b"garbage" if p else p,
        "project-not-utf8": lambda p: p[:-1] + b"\xff}" if p else p,
    }[column](value)


FOREIGN = [
    "summary-state", "summary-short", "summary-flags", "summary-years-as-text", "summary-counts-negative",
    "problems-line-as-text", "problems-object", "slips-short-row", "slips-due-not-a-date", "slips-year-as-text",
    "slips-outlook-unknown", "slips-nested-deep", "project-not-an-object", "project-not-utf8",
]  # fmt: skip


@pytest.mark.parametrize("foreign", FOREIGN)
def test_a_row_with_a_valid_checksum_and_a_foreign_shape_is_a_miss(
    run: Run, portfolio: Path, own_cache: Path, foreign: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    uncached = [run(*c, "--as-of", AS_OF, cwd=portfolio, env={"DXROADMAP_NO_CACHE": "1"}) for c in CACHED_COMMANDS]
    run("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio)  # every row, with its status JSON
    (path,) = own_cache.glob("*.sqlite")
    column = foreign.split("-", maxsplit=1)[0]
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT path, problems, summary, slips, project FROM entries").fetchall()
        assert len(rows) == 13
        changed: set[str] = set()  # the ids of the rows made foreign
        for key, problems, summary, slips, project in rows:
            fields = {"problems": problems, "summary": summary, "slips": slips}
            if column == "project":
                new_project = _foreign(foreign, project)
                if new_project == project:
                    continue
                db.execute(
                    "UPDATE entries SET project = ?, project_check = ? WHERE path = ?",
                    (new_project, hashlib.blake2b(new_project, digest_size=8).hexdigest(), key),
                )
            else:
                made = _foreign(foreign, json.loads(fields[column]))
                text = made if isinstance(made, str) else json.dumps(made, ensure_ascii=False, separators=(",", ":"))
                if text == fields[column]:
                    continue
                fields[column] = text
                check = index.Entry(fields["problems"], fields["summary"], fields["slips"], None).check()
                db.execute(f"UPDATE entries SET {column} = ?, checksum = ? WHERE path = ?", (text, check, key))
            changed.add(Path(key).relative_to(portfolio / "roadmaps").with_suffix("").as_posix())
        assert changed, "no row had anything to make foreign"
    seen: list[str] = []
    real = index.entry

    def counting(file: index.RoadmapFile, *args: Any, **kwargs: Any) -> index.Entry:
        seen.append(file.id)
        return real(file, *args, **kwargs)

    monkeypatch.setattr(index, "entry", counting)
    cached = [run(*c, "--as-of", AS_OF, cwd=portfolio) for c in CACHED_COMMANDS]
    assert [(r.exit_code, r.stdout) for r in cached] == [(r.exit_code, r.stdout) for r in uncached]
    assert set(seen) == changed  # each foreign row read again (and overwritten), no other
    # a row made again by a run that does not print the status JSON is kept without it, as any new row
    # is: the next `--format json` run adds it; from then on nothing is read again
    again = [run(*c, "--as-of", AS_OF, cwd=portfolio) for c in CACHED_COMMANDS]
    assert [(r.exit_code, r.stdout) for r in again] == [(r.exit_code, r.stdout) for r in uncached]
    seen.clear()
    settled = [run(*c, "--as-of", AS_OF, cwd=portfolio) for c in CACHED_COMMANDS]
    assert [(r.exit_code, r.stdout) for r in settled] == [(r.exit_code, r.stdout) for r in uncached]
    assert seen == []


@pytest.fixture
def no_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No DXROADMAP_CACHE_DIR: the cache goes where XDG_CACHE_HOME or HOME say; HOME is a folder of the test's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.delenv("DXROADMAP_CACHE_DIR")
    monkeypatch.setenv("HOME", str(home))
    yield home


def test_a_relative_xdg_cache_home_is_ignored(run: Run, portfolio: Path, no_cache_dir: Path) -> None:
    before = snapshot(portfolio)
    result = run("status", "--as-of", AS_OF, cwd=portfolio, env={"XDG_CACHE_HOME": "relative/dir"})
    assert result.exit_code == 1  # the broken file
    assert snapshot(portfolio) == before  # nothing under the working folder
    assert list((no_cache_dir / ".cache" / "dxroadmap").glob("*.sqlite"))  # ~/.cache instead


def test_an_absolute_xdg_cache_home_is_used(run: Run, portfolio: Path, no_cache_dir: Path, tmp_path: Path) -> None:
    result = run("status", "--as-of", AS_OF, cwd=portfolio, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert result.exit_code == 1
    assert list((tmp_path / "xdg" / "dxroadmap").glob("*.sqlite"))
    assert not (no_cache_dir / ".cache").exists()


# --- environment variables -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2), ("64", 64), ("99999999", 64), ("0", None), ("-3", None), ("abc", None), ("２", None), ("", None)],
)
def test_dxroadmap_jobs_is_bounded_and_a_bad_value_means_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None
) -> None:
    from dxroadmap import index

    monkeypatch.setenv("DXROADMAP_JOBS", value)
    chosen = index.workers()
    monkeypatch.delenv("DXROADMAP_JOBS")
    assert chosen == (expected if expected is not None else index.workers())


@pytest.mark.parametrize(
    "env",
    [
        {"DXROADMAP_LANG": "xx"},
        {"LANG": "\x1b[31mja_JP", "LC_ALL": ""},
        {"DXROADMAP_CACHE_DIR": "/proc/1/nothing"},
        {"DXROADMAP_NO_CACHE": "yes"},
        {"HOME": ""},
        {"COLUMNS": "\x1b[6n"},
    ],
    ids=["lang", "locale-escape", "cache-dir-unwritable", "no-cache-word", "no-home", "columns-escape"],
)
def test_hostile_environment_values_never_crash(run: Run, tmp_path: Path, env: dict[str, str]) -> None:
    copy_sample(tmp_path / "roadmaps")
    result = run("status", "--as-of", "2026-11-26", cwd=tmp_path, env=env)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
