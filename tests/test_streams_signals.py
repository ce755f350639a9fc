"""How the command ends, whatever happens around it: streams, terminals, signals, internal errors.

Through the installed command in subprocesses, and on a real pseudo-terminal for Ctrl-C and for
terminal encodings (the pseudo-terminal is the command's controlling terminal, so that typing
Ctrl-C sends SIGINT to its whole process group, workers included, as a terminal does):

- a bug exits 70 with one line naming the saved traceback, never a traceback on the screen;
- a closed pipe on stdout (`| head -1`) ends quietly with 141; a closed stdout with 1 and one line;
- a closed stdin is not a terminal: `record` names the option to give;
- a terminal whose encoding lacks ✔ ✖ (EUC-JP, cp932) gets ASCII marks, and Japanese text;
- `COLUMNS` zero, negative or not a number is an unknown width; at 40 and 60 columns names wrap
  while a project's flags and an item's days late stay whole;
- Ctrl-C at start-up, in a cold parallel read of 2,000 files, or at a `record` prompt exits 130
  within 0.5 s with one line, no traceback, no worker left, nothing written; twice too.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import select
import signal
import stat
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dxroadmap import fiscal, guard
from dxroadmap.cli import app
from tests.conftest import AS_OF, ENV, EXAMPLES, INTERNAL_ERROR, copy_sample, no_crash

DXROADMAP = Path(sys.executable).with_name("dxroadmap")
SEED_ID = "kurashi-dx-kiban"
SEED_REL = Path("roadmaps") / "kurashi-dx-kiban.yaml"
INTERRUPTED = "dxroadmap: interrupted"
CRASH_LINE = re.compile(r"^dxroadmap: internal error: RuntimeError: boom \(traceback saved in (?P<path>\S+)\)\n$")


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    """The user's environment, our usual terminal settings, crash files kept in `tmp`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DXROADMAP_DIR", "PYTHONIOENCODING", "COLUMNS")}
    return env | ENV | {"TMPDIR": str(tmp)} | extra


def dxroadmap(*args: str, cwd: Path, env: dict[str, str], shell: str = "") -> subprocess.CompletedProcess[bytes]:
    """The installed command; `shell` redirections (`>&-`, `<&-`) are applied by /bin/sh before it starts."""
    command = ["/bin/sh", "-c", f'exec "$0" "$@" {shell}', str(DXROADMAP), *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=60, check=False)
    no_crash(done.returncode, done.stdout, done.stderr)
    return done


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    copy_sample(tmp_path / "roadmaps")
    return tmp_path


def bulk(root: Path, count: int) -> None:
    """`count` more projects, copies of one sample (as tests/test_scale.py makes a large corpus)."""
    source = (EXAMPLES / "sangyo" / "smart-nogyo.yaml").read_text(encoding="utf-8")
    for i in range(count):
        folder = root / "bulk" / f"{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"p{i:04d}.yaml").write_text(source, encoding="utf-8")


# --- internal errors ------------------------------------------------------------------------


@pytest.fixture
def crash_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "crashes"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def assert_saved_traceback(stderr: str, crash_folder: Path) -> None:
    found = CRASH_LINE.match(stderr)
    assert found, stderr
    saved = Path(found["path"])
    assert saved.parent == crash_folder and saved.name.startswith("dxroadmap-crash-")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    text = saved.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: boom" in text


def test_a_bug_exits_70_with_one_line_and_the_traceback_saved(
    portfolio: Path, crash_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(portfolio)
    monkeypatch.setattr(fiscal, "parse_date", boom)  # reached from the command's body (--as-of)
    result = CliRunner().invoke(app, ["status", "--as-of", AS_OF], env=ENV)
    assert result.exit_code == INTERNAL_ERROR
    assert result.stdout == "" and "Traceback" not in result.output
    assert_saved_traceback(result.stderr, crash_folder)


def test_a_bug_outside_a_command_body_exits_70_too(
    portfolio: Path, crash_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An option's callback runs before the command: the process's own edge (`guard.run`) catches it."""
    monkeypatch.chdir(portfolio)
    monkeypatch.setattr(guard, "_ending", False)  # restored after: `run` marks the process as ending
    monkeypatch.setattr(fiscal, "parse_year", boom)  # `record --year`'s callback
    monkeypatch.setattr(sys, "argv", ["dxroadmap", "record", SEED_ID, "--year", "R8", "--note", "x"])
    with pytest.raises(SystemExit) as ended:
        guard.run(app)
    assert ended.value.code == INTERNAL_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_saved_traceback(captured.err, crash_folder)


def test_debug_still_raises(portfolio: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(portfolio)
    monkeypatch.setattr(fiscal, "parse_date", boom)
    result = CliRunner().invoke(app, ["status", "--as-of", AS_OF], env={**ENV, "DXROADMAP_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)


# --- closed and broken streams --------------------------------------------------------------


@pytest.mark.parametrize("args", [["status", "--all"], ["status", "--format", "json"]], ids=["table", "json"])
def test_a_closed_pipe_ends_quietly_with_141(tmp_path: Path, args: list[str]) -> None:
    """`dxroadmap status | head -1`: the reader takes one line and goes; the rest is not an error."""
    bulk(tmp_path / "roadmaps", 150)  # a few hundred KB of output: more than a pipe holds
    env = environment(tmp_path, COLUMNS="200")
    proc = subprocess.Popen(
        [str(DXROADMAP), *args, "--as-of", AS_OF], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert (proc.wait(timeout=60), stderr) == (guard.BROKEN_PIPE, b"")


def test_a_closed_stdout_is_exit_1_with_one_line_and_nothing_done(seed_repo: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    done = dxroadmap("status", "--as-of", AS_OF, cwd=seed_repo, env=env, shell=">&-")
    assert (done.returncode, done.stderr) == (1, b"dxroadmap: standard output is closed\n")
    before = (seed_repo / SEED_REL).read_bytes()
    done = dxroadmap("record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, cwd=seed_repo, env=env, shell=">&-")
    assert (done.returncode, done.stderr) == (1, b"dxroadmap: standard output is closed\n")
    assert (seed_repo / SEED_REL).read_bytes() == before  # nothing recorded that could not be reported


def test_a_stdout_that_cannot_be_written_is_exit_1_with_one_line(seed_repo: Path, tmp_path: Path) -> None:
    done = dxroadmap("status", "--as-of", AS_OF, cwd=seed_repo, env=environment(tmp_path), shell="1</dev/null")
    assert done.returncode == 1
    assert done.stderr == b"dxroadmap: cannot write to standard output: Bad file descriptor\n"


def test_a_closed_stdin_is_not_a_terminal(seed_repo: Path, tmp_path: Path) -> None:
    before = (seed_repo / SEED_REL).read_bytes()
    done = dxroadmap("record", SEED_ID, "--note", "x", "--as-of", AS_OF, cwd=seed_repo, env=environment(tmp_path),
                     shell="<&-")  # fmt: skip
    assert done.returncode == 1 and done.stdout == b""
    assert b"give -i/--initiative" in done.stderr and b"Traceback" not in done.stderr
    assert (seed_repo / SEED_REL).read_bytes() == before


# --- terminals: encodings and widths --------------------------------------------------------


def _foreground_job() -> None:
    """In the child, before `exec`: what a shell gives a command it runs in the foreground of a terminal — that
    terminal as its controlling terminal, and SIGINT at its default (a suite started in the background, as from
    a script with `&`, ignores SIGINT, and an ignored signal stays ignored across `exec`)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """The command with a pseudo-terminal as its controlling terminal: Ctrl-C typed there is SIGINT to its group."""

    def __init__(self, args: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
        master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [str(DXROADMAP), *args],
            cwd=cwd,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=_foreground_job,  # noqa: PLW1509 -- the test's own child
        )
        os.close(slave)
        self.master = master
        self.output = b""
        self.position = 0  # where the next `expect` starts looking

    def read(self, seconds: float) -> bool:
        """Read what arrives for up to `seconds`; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            chunk = b""
        self.output += chunk
        return bool(chunk)

    def expect(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while (found := self.output.find(text.encode(), self.position)) < 0:
            if time.monotonic() > deadline or not self.read(0.2):
                pytest.fail(f"waited for {text!r}; the terminal showed:\n{self.text}")
        self.position = found + len(text.encode())

    def ctrl_c(self) -> float:
        os.write(self.master, b"\x03")
        return time.monotonic()

    def wait(self, timeout: float = 20) -> int:
        """The exit code, once the command has ended (what it printed is read meanwhile)."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail(f"the command did not end; the terminal showed:\n{self.text}")
            self.read(0.01)
        while self.read(0.05):
            pass
        return self.proc.returncode

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


@pytest.mark.parametrize("encoding", ["euc_jp", "cp932"])
def test_a_japanese_legacy_terminal_gets_ascii_marks_and_japanese_text(
    portfolio: Path, terminals: list[Terminal], encoding: str
) -> None:
    (portfolio / "roadmaps" / "sangyo" / "smart-nogyo.yaml").write_text(
        (EXAMPLES / "sangyo" / "smart-nogyo.yaml").read_text(encoding="utf-8").replace("事業名: ", "事業名: 🌾", 1),
        encoding="utf-8",
    )  # a character neither encoding has
    env = environment(portfolio, PYTHONIOENCODING=encoding, COLUMNS="120", TERM="dumb")
    terminals.append(term := Terminal(["status", "--as-of", AS_OF], portfolio, env))
    assert term.wait() == 0
    shown = term.output.decode(encoding)  # every byte is of the terminal's encoding
    assert "中小企業の" in shown and "??スマート農" in shown  # a wide character missing: two cells
    assert "+ done" in shown and "* done late" in shown and "X missed" in shown  # the legend, in ASCII marks
    assert "Traceback" not in shown and "internal error" not in shown


@pytest.mark.parametrize("encoding", ["euc_jp", "cp932"])
def test_a_legacy_encoding_into_a_pipe_writes_utf8(portfolio: Path, encoding: str) -> None:
    env = environment(portfolio, PYTHONIOENCODING=encoding)
    done = dxroadmap("status", "--as-of", AS_OF, cwd=portfolio, env=env)
    assert done.returncode == 0 and done.stderr == b""
    assert "✔ done" in done.stdout.decode("utf-8")


def test_a_euc_jp_locale_when_the_system_has_one(portfolio: Path, terminals: list[Terminal]) -> None:
    locales = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.split()
    name = next((n for n in locales if n.lower().replace("-", "") in ("ja_jp.eucjp", "ja_jp.ujis")), None)
    if name is None:
        message = "no EUC-JP locale on this system (locale -a): localedef -i ja_JP -f EUC-JP ja_JP.eucJP"
        if os.environ.get("DXROADMAP_REQUIRE_EUCJP"):  # set by .ci/run, which makes the locale
            pytest.fail(message)
        pytest.skip(message)
    env = environment(portfolio, LC_ALL=name, LANG=name, COLUMNS="120", TERM="dumb")
    terminals.append(term := Terminal(["status", "--as-of", AS_OF], portfolio, env))
    assert term.wait() == 0
    assert "中小企業の" in term.output.decode("euc_jp")


@pytest.mark.parametrize("columns", ["0", "-5", "abc", "²", ""])
def test_a_columns_that_is_not_a_width_means_unknown(portfolio: Path, columns: str) -> None:
    env = environment(portfolio, COLUMNS=columns, LINES=columns)
    for args in (["status", "--as-of", AS_OF], ["slipping", "--as-of", AS_OF], ["show", "smart"], ["--help"]):
        done = dxroadmap(*args, cwd=portfolio, env=env)
        assert done.returncode == 0, (args, done.stderr)
        lines = done.stdout.decode("utf-8").splitlines()
        assert len(lines) > 3 and max(len(line) for line in lines) > 40, (args, done.stdout)


@pytest.mark.parametrize("columns", [40, 60])
def test_a_narrow_terminal_keeps_flags_and_days_late_whole(portfolio: Path, columns: int) -> None:
    env = environment(portfolio, COLUMNS=str(columns))
    status = json.loads(dxroadmap("status", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env=env).stdout)
    slipping = json.loads(dxroadmap("slipping", "--format", "json", "--as-of", AS_OF, cwd=portfolio, env=env).stdout)
    for command in ("status", "slipping"):
        table = dxroadmap(command, "--as-of", AS_OF, cwd=portfolio, env=env).stdout.decode("utf-8")
        lines = table.splitlines()
        assert all(len(line) <= columns for line in lines), table
        words = {word.rstrip(",") for line in lines for word in line.split()}
        if command == "status":
            assert "Flags" in words, table
            flags = {kind for p in status["projects"] for kind, n in p["flags"].items() if n}
            assert flags and flags <= words, (flags - words, table)  # each flag's word whole, never cut
        else:
            assert {"Days", "late"} <= words, table
            late = {str(item["days_late"]) for item in slipping if item["days_late"] >= 0}
            assert late and late <= words, (late - words, table)  # each item's days late whole


# --- Ctrl-C -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 roadmaps beside the sample portfolio: a cold read of them takes a few seconds in two workers."""
    top = tmp_path_factory.mktemp("large")
    copy_sample(top / "roadmaps")
    bulk(top / "roadmaps", 2000)
    return top


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
        return [int(child) for child in listing.read().split()]


def gone(pid: int) -> bool:
    """Ended: no such process, or a zombie (dead, waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as status:
            return status.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def interrupted_once(term: Terminal, sent: float) -> None:
    code = term.wait()
    took = time.monotonic() - sent
    assert code == guard.INTERRUPTED, term.text
    assert took < 0.5, f"{took:.2f} s after Ctrl-C"
    assert term.text.count(INTERRUPTED) == 1, term.text
    assert "Traceback" not in term.text and "Aborted" not in term.text, term.text


@pytest.mark.parametrize("times", [1, 2], ids=["once", "twice"])
def test_ctrl_c_during_a_cold_parallel_read_stops_at_once(large: Path, terminals: list[Terminal], times: int) -> None:
    env = environment(large, DXROADMAP_JOBS="2", DXROADMAP_NO_CACHE="1", COLUMNS="100", TERM="dumb")
    terminals.append(term := Terminal(["status", "--as-of", AS_OF], large, env))
    deadline = time.monotonic() + 30
    while len(workers := children(term.proc.pid)) < 2:  # the workers have started
        assert time.monotonic() < deadline and term.proc.poll() is None, term.text
        term.read(0.01)
    term.read(0.2)  # and are reading
    sent = term.ctrl_c()
    if times == 2:
        time.sleep(0.05)
        term.ctrl_c()
    interrupted_once(term, sent)
    assert all(gone(pid) for pid in workers), [pid for pid in workers if not gone(pid)]


def test_an_interrupt_ignored_at_start_stays_ignored(large: Path) -> None:
    """`dxroadmap status &` in a script, or under `nohup`: the shell starts it with SIGINT ignored, and a Ctrl-C
    sent to the terminal's foreground group (here: to the command and its workers) does not stop it."""
    env = environment(large, DXROADMAP_JOBS="2", DXROADMAP_NO_CACHE="1", COLUMNS="100", TERM="dumb")
    command = ["/bin/sh", "-c", 'trap "" INT; exec "$0" "$@"', str(DXROADMAP), "status", "--as-of", AS_OF]
    proc = subprocess.Popen(command, cwd=large, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(workers := children(proc.pid)) < 2:  # the workers have started: the read is under way
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.01)
    for pid in [proc.pid, *workers]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b""), err
    assert b"Total (2012)" in out  # every project: the sample's 12 and the 2,000 copies


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03])
def test_ctrl_c_during_start_up_is_one_line(portfolio: Path, terminals: list[Terminal], delay: float) -> None:
    """While Typer, Pydantic and the rest are imported; from the moment `dxroadmap.guard` is loaded.

    (Before that, in the first milliseconds, Python itself starts and answers Ctrl-C its own way.)
    """
    terminals.append(term := Terminal(["status", "--as-of", AS_OF], portfolio, environment(portfolio)))
    maps = Path(f"/proc/{term.proc.pid}/maps")
    deadline = time.monotonic() + 10
    while "unicodedata" not in maps.read_text():  # loaded by `dxroadmap.guard`, first of all
        assert time.monotonic() < deadline
        time.sleep(0.0005)
    time.sleep(delay)
    interrupted_once(term, term.ctrl_c())


def test_ctrl_c_at_a_record_prompt_writes_nothing(seed_repo: Path, terminals: list[Terminal]) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    env = environment(seed_repo, COLUMNS="120", TERM="dumb", NO_COLOR="1")
    terminals.append(term := Terminal(["record", SEED_ID, "--as-of", AS_OF], seed_repo, env))
    for question, answer in [("Initiative", "2"), ("Targets achieved", "1"), ("Note", "端末"), ("Reason", "x"),
                             ("Outlook", "")]:  # fmt: skip
        term.expect(question)
        os.write(term.master, answer.encode() + b"\n")
    term.expect("Record this?")
    interrupted_once(term, term.ctrl_c())
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []
