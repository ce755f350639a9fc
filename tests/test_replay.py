"""A reading command run again on unchanged files replays its output (`dxroadmap.replay`), through the installed
command: the same bytes and exit code as the run it replays, and never once anything it could read changed.

How a test knows a run was replayed: it swaps the recorded stdout for `REPLAYED` (the record's checksum made
again, as a record of that output would be). A run that prints `REPLAYED` was replayed; one that prints what a
run without any cache prints was worked out. Files are written, then left alone for longer than the racy
window (`cachedir.RACY_NS`), as a checkout a few seconds old is: a run right after a change is never recorded.
"""

from __future__ import annotations

import marshal
import os
import shutil
import stat
import subprocess
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from dxroadmap import cachedir, guard, replay
from tests.conftest import AS_OF, copy_sample
from tests.test_streams_signals import (  # the fixtures `large` and `terminals` too
    DXROADMAP,
    Terminal,
    bulk,
    dxroadmap,
    environment,
    large,  # noqa: F401
    terminals,  # noqa: F401
)

MARK = b"REPLAYED\n"
SETTLE = cachedir.RACY_NS / 1e9 + 0.2  # seconds: after this, files just written are no longer racy
PROJECT = "sangyo/smart-nogyo"

Done = subprocess.CompletedProcess[bytes]


def settle() -> None:
    time.sleep(SETTLE)


@pytest.fixture
def home(tmp_path: Path, own_cache: Path) -> tuple[Path, dict[str, str]]:
    """A folder with a roadmaps/ copy of the sample portfolio, settled, and the command's environment."""
    copy_sample(tmp_path / "work" / "roadmaps")
    settle()
    return tmp_path / "work", environment(tmp_path)


def records(cache: Path) -> list[Path]:
    folder = cache / "replay"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def mark(record: Path) -> None:
    """The record's stdout made `MARK` (a valid record still: its checksum made again)."""
    payload = record.read_bytes().partition(b"\n")[2]
    facts, code, chunks, inputs = marshal.loads(payload)
    chunks = [(1, MARK), *((which, data) for which, data in chunks if which == 2)]
    payload = marshal.dumps((facts, code, chunks, inputs))
    record.write_bytes(replay.FORMAT + b" %08x\n" % zlib.crc32(payload) + payload)


def fresh(args: list[str], cwd: Path, env: dict[str, str]) -> Done:
    """What the command prints with no cache at all."""
    return dxroadmap(*args, cwd=cwd, env=env | {"DXROADMAP_NO_CACHE": "1"})


READERS = [
    ["status", "--as-of", AS_OF],
    ["status", "--as-of", AS_OF, "--format", "json"],
    ["slipping", "--as-of", AS_OF, "--exit-code"],  # exit 1: replayed with it
    ["validate", "--as-of", AS_OF],
    ["show", PROJECT, "--as-of", AS_OF],
    ["show", "スマート農業", "--as-of", AS_OF, "--format", "json"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:1] + a[3:]))
def test_a_run_again_prints_the_same_bytes_and_exit_code(
    home: tuple[Path, dict[str, str]], own_cache: Path, args: list[str]
) -> None:
    cwd, env = home
    first = dxroadmap(*args, cwd=cwd, env=env)
    assert len(records(own_cache)) == 1
    again = dxroadmap(*args, cwd=cwd, env=env)
    expected = fresh(args, cwd, env)
    for run in (first, again):
        assert (run.returncode, run.stdout, run.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    mark(records(own_cache)[0])
    assert dxroadmap(*args, cwd=cwd, env=env).stdout == MARK  # so `again` was a replay


def _same_size_edit(cwd: Path) -> None:
    """The project's name changed, the file's size and mtime as they were (only its ctime tells)."""
    path = cwd / "roadmaps" / f"{PROJECT}.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "スマート農業" in text
    path.write_text(text.replace("スマート農業", "スマート漁業", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def _new_file(cwd: Path) -> None:
    shutil.copy(cwd / "roadmaps" / f"{PROJECT}.yaml", cwd / "roadmaps" / "sangyo" / "copy.yaml")


def _removed_file(cwd: Path) -> None:
    (cwd / "roadmaps" / f"{PROJECT}.yaml").unlink()


def _plan_edited(cwd: Path) -> None:
    plan = cwd / "roadmaps" / "_plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "計画名: 架空県DX推進計画" in text
    plan.write_text(text.replace("計画名: 架空県DX推進計画", "計画名: 別の計画"), encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edited, same size and mtime": _same_size_edit,
    "a file added": _new_file,
    "a file removed": _removed_file,
    "the plan edited": _plan_edited,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
@pytest.mark.parametrize("args", [READERS[0], READERS[4]], ids=["status", "show"])
def test_a_change_to_any_file_is_seen(
    home: tuple[Path, dict[str, str]], own_cache: Path, args: list[str], change: Callable[[Path], None]
) -> None:
    cwd, env = home
    dxroadmap(*args, cwd=cwd, env=env)
    mark(records(own_cache)[0])
    change(cwd)
    after = dxroadmap(*args, cwd=cwd, env=env)
    assert after.stdout != MARK
    expected = fresh(args, cwd, env)
    assert (after.returncode, after.stdout, after.stderr) == (expected.returncode, expected.stdout, expected.stderr)


def test_a_file_changed_just_before_a_run_is_not_recorded(tmp_path: Path, own_cache: Path) -> None:
    """A fresh checkout: its files' stamps could still hide a change made within the same clock tick."""
    copy_sample(tmp_path / "roadmaps")
    env = environment(tmp_path)
    dxroadmap(*READERS[0], cwd=tmp_path, env=env)
    assert records(own_cache) == []
    settle()
    dxroadmap(*READERS[0], cwd=tmp_path, env=env)
    assert len(records(own_cache)) == 1


def test_a_nearer_roadmaps_folder_made_later_is_found(tmp_path: Path, own_cache: Path) -> None:
    copy_sample(tmp_path / "roadmaps")
    (tmp_path / "inner").mkdir()
    settle()
    env = environment(tmp_path)
    first = dxroadmap(*READERS[0], cwd=tmp_path / "inner", env=env)
    mark(records(own_cache)[0])
    assert dxroadmap(*READERS[0], cwd=tmp_path / "inner", env=env).stdout == MARK
    copy_sample(tmp_path / "inner" / "roadmaps")  # nearer than the one found before
    _removed_file(tmp_path / "inner")
    after = dxroadmap(*READERS[0], cwd=tmp_path / "inner", env=env)
    assert after.stdout not in (MARK, first.stdout)
    assert after.stdout == fresh(READERS[0], tmp_path / "inner", env).stdout


@pytest.mark.parametrize(
    "other",
    [
        {"COLUMNS": "100"},
        {"DXROADMAP_LANG": "ja"},
        {"NO_COLOR": ""},
        {"TZ": "Pacific/Kiritimati"},
    ],
    ids=["width", "language", "colour", "time zone"],
)
def test_another_environment_is_another_request(
    home: tuple[Path, dict[str, str]], own_cache: Path, other: dict[str, str]
) -> None:
    cwd, env = home
    args = ["status"]  # today's date: the time zone decides it
    dxroadmap(*args, cwd=cwd, env=env)
    mark(records(own_cache)[0])
    assert dxroadmap(*args, cwd=cwd, env=env | other).stdout != MARK


def _git(cwd: Path, *args: str) -> None:
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}
    env = os.environ | who | {"GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


LOG_READERS = [READERS[4], ["history", "--as-of", AS_OF], ["status", "--since", "2026-01-01", "--as-of", AS_OF]]


@pytest.mark.parametrize("args", LOG_READERS, ids=["show", "history", "status --since"])
def test_what_reads_the_review_log_sees_a_new_commit(tmp_path: Path, own_cache: Path, args: list[str]) -> None:
    """`show` (re-planned targets), `history` and `status --since` read git's commits: a commit is a change,
    though no file is."""
    copy_sample(tmp_path / "roadmaps")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "start")
    settle()
    env = environment(tmp_path)
    first = dxroadmap(*args, cwd=tmp_path, env=env)
    assert (first.returncode, first.stdout) == (0, fresh(args, tmp_path, env).stdout)
    mark(records(own_cache)[0])
    assert dxroadmap(*args, cwd=tmp_path, env=env).stdout == MARK
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "no file changed")
    after = dxroadmap(*args, cwd=tmp_path, env=env)
    assert after.stdout != MARK
    assert after.stdout == fresh(args, tmp_path, env).stdout


def test_show_sees_a_repository_made_above_it(home: tuple[Path, dict[str, str]], own_cache: Path) -> None:
    cwd, env = home
    dxroadmap(*READERS[4], cwd=cwd, env=env)
    mark(records(own_cache)[0])
    _git(cwd, "init", "-q")
    assert dxroadmap(*READERS[4], cwd=cwd, env=env).stdout != MARK


def test_validate_of_named_files_is_never_recorded(home: tuple[Path, dict[str, str]], own_cache: Path) -> None:
    cwd, env = home
    dxroadmap("validate", "roadmaps/sangyo", cwd=cwd, env=env)
    assert records(own_cache) == []


def test_a_record_damaged_or_not_the_users_own_is_not_used(home: tuple[Path, dict[str, str]], own_cache: Path) -> None:
    cwd, env = home
    expected = dxroadmap(*READERS[0], cwd=cwd, env=env).stdout
    record = records(own_cache)[0]
    mark(record)
    record.write_bytes(record.read_bytes()[:-1] + b"?")  # one byte changed: its checksum fails
    assert dxroadmap(*READERS[0], cwd=cwd, env=env).stdout == expected
    record = records(own_cache)[0]  # recorded again
    mark(record)
    record.chmod(0o666)  # anyone may have written it
    assert dxroadmap(*READERS[0], cwd=cwd, env=env).stdout == expected
    for record in records(own_cache):
        record.chmod(0o600)
    mark(records(own_cache)[0])
    (own_cache / "replay").chmod(0o777)  # anyone may have put it there
    assert dxroadmap(*READERS[0], cwd=cwd, env=env).stdout == expected
    (own_cache / "replay").chmod(0o700)
    assert stat.S_IMODE(records(own_cache)[0].stat().st_mode) == 0o600
    record = records(own_cache)[0]
    mark(record)
    elsewhere = record.with_name(".elsewhere")
    record.rename(elsewhere)
    record.symlink_to(elsewhere)  # a link where the record was: not followed
    assert dxroadmap(*READERS[0], cwd=cwd, env=env).stdout == expected
    record.unlink(missing_ok=True)
    os.mkfifo(record)  # a FIFO: never waited on (`dxroadmap` would hang opening it to read)
    assert dxroadmap(*READERS[0], cwd=cwd, env=env).stdout == expected
    foreign = marshal.dumps(("not", "a record"))  # its checksum right, its shape not: a miss, and recorded anew
    record.write_bytes(replay.FORMAT + b" %08x\n" % zlib.crc32(foreign) + foreign)
    assert dxroadmap(*READERS[0], cwd=cwd, env=env).stdout == expected
    mark(record)
    assert dxroadmap(*READERS[0], cwd=cwd, env=env).stdout == MARK


def test_a_replay_into_a_closed_pipe_ends_quietly_with_141(tmp_path: Path, own_cache: Path) -> None:
    """`dxroadmap status --all | head -1`, replayed: as when it is worked out (test_streams_signals)."""
    bulk(tmp_path / "roadmaps", 150)  # a few hundred KB of output: more than a pipe holds
    settle()
    env = environment(tmp_path)
    args = [str(DXROADMAP), "status", "--all", "--as-of", AS_OF]
    dxroadmap(*args[1:], cwd=tmp_path, env=env)
    assert len(records(own_cache)) == 1
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert (proc.wait(timeout=60), stderr) == (guard.BROKEN_PIPE, b"")
    mark(records(own_cache)[0])
    assert dxroadmap(*args[1:], cwd=tmp_path, env=env).stdout == MARK  # the run above was a replay


def test_a_report_written_into_the_current_folder_is_replayed(tmp_path: Path, own_cache: Path) -> None:
    """`dxroadmap status > report.txt` at the top of the repository: the folder changes, nothing the command reads."""
    copy_sample(tmp_path / "roadmaps")
    settle()
    env = environment(tmp_path)
    args = " ".join(READERS[0])
    for name in ("first.txt", "again.txt"):
        subprocess.run(["/bin/sh", "-c", f'"{DXROADMAP}" {args} > {name}'], cwd=tmp_path, env=env, check=True)
    assert len(records(own_cache)) == 1
    assert (tmp_path / "again.txt").read_bytes() == (tmp_path / "first.txt").read_bytes()
    mark(records(own_cache)[0])
    subprocess.run(["/bin/sh", "-c", f'"{DXROADMAP}" {args} > marked.txt'], cwd=tmp_path, env=env, check=True)
    assert (tmp_path / "marked.txt").read_bytes() == MARK


def test_show_of_an_exact_id_depends_on_its_own_file_and_the_plan_only(
    home: tuple[Path, dict[str, str]], own_cache: Path
) -> None:
    """`show ID` reads the plan and `ID.yaml` alone: another project's edit leaves its record good; its own does not."""
    cwd, env = home
    args = READERS[4]
    dxroadmap(*args, cwd=cwd, env=env)
    mark(records(own_cache)[0])
    other = cwd / "roadmaps" / "gyosei" / "data-katsuyo.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# 編集\n", encoding="utf-8")
    assert dxroadmap(*args, cwd=cwd, env=env).stdout == MARK
    by_name = ["show", "スマート農業", "--as-of", AS_OF]  # found among every project's names: reads them all
    dxroadmap(*by_name, cwd=cwd, env=env)
    assert len(records(own_cache)) == 1  # just changed: not recorded
    _same_size_edit(cwd)
    after = dxroadmap(*args, cwd=cwd, env=env)
    assert after.stdout != MARK
    assert after.stdout == fresh(args, cwd, env).stdout


def test_a_run_that_drew_a_progress_bar_is_not_recorded(
    large: Path,  # noqa: F811
    terminals: list[Terminal],  # noqa: F811
    own_cache: Path,
) -> None:
    """A cold read of 2,012 files at a terminal draws a bar on stderr: replayed, it would be drawn again for
    nothing. The next run, warm and without a bar, is recorded."""
    settle()
    env = environment(large, DXROADMAP_JOBS="2", COLUMNS="100", TERM="xterm")
    terminals.append(first := Terminal(["status", "--as-of", AS_OF], large, env))
    assert first.wait(timeout=60) == 0, first.text
    assert "\x1b[?25l" in first.text  # the cursor hidden while the bar is drawn
    assert records(own_cache) == []
    terminals.append(second := Terminal(["status", "--as-of", AS_OF], large, env))
    assert second.wait() == 0, second.text
    assert "\x1b[?25l" not in second.text
    assert len(records(own_cache)) == 1


def test_a_file_name_that_is_not_utf8_is_recorded_and_its_change_seen(tmp_path: Path, own_cache: Path) -> None:
    """A name the file system holds as bytes (cp932 `\\x93`): kept and looked up as the same bytes."""
    copy_sample(tmp_path / "roadmaps")
    odd = tmp_path.joinpath("roadmaps", "sangyo", os.fsdecode(b"x\x93y.yaml"))
    shutil.copy(tmp_path / "roadmaps" / f"{PROJECT}.yaml", odd)
    settle()
    env = environment(tmp_path)
    first = dxroadmap(*READERS[0], cwd=tmp_path, env=env)
    assert b"sangyo/x\\x93y" in first.stdout
    mark(records(own_cache)[0])
    assert dxroadmap(*READERS[0], cwd=tmp_path, env=env).stdout == MARK
    odd.write_text(odd.read_text(encoding="utf-8").replace("スマート農業", "スマート漁業", 1), encoding="utf-8")
    after = dxroadmap(*READERS[0], cwd=tmp_path, env=env)
    assert after.stdout != MARK
    assert after.stdout == fresh(READERS[0], tmp_path, env).stdout
