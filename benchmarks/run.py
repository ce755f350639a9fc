"""The benchmark: every speed figure of the README, from one command.

    .venv/bin/python benchmarks/run.py [--quick] [--sizes 100,1000,10000] [--runs 3] [--heavy-runs 1]
                                       [--commits 1000] [--projects 100] [--no-history] [--no-forms]
                                       [--revision REV] [--output FILE] [--readme]

Writes realistic, fictional corpora (benchmarks/corpus.py, ~2.9 KB a file) into a temporary
folder, times dxroadmap's commands on them in each state below, times the floor
(benchmarks/floor.py: one Python process parsing every file with PyYAML's C loader, gc off) and
`check-jsonschema` on the same files, the review log on a git repository of 1,000 commits over
100 roadmaps (benchmarks/history.py), and the report forms of 30 owner sections (担当課) of 10
projects each (benchmarks/forms.py): `form` writing the 30 workbooks, then, once they are answered
(with openpyxl in this process, not timed), `import --dry-run`, `import` and `import` again.
Prints Markdown (median wall time, its ratio to the floor measured in the same run, peak RSS; then
each target next to its figure, met or not met) and
rewrites benchmarks/RESULTS.md with it, the date, the revision measured and the machine; with
`--readme`, copies the tables into README.md's "Speed" section too (between its two markers).

States of a corpus and of the cache (an SQLite file per roadmaps directory, in
$DXROADMAP_CACHE_DIR, here a temporary folder; keyed by the tool, the plan, the language and the
as-of date; a row per file, stamped with its size, mtime, ctime and inode; a file changed in the
last 2 seconds is not kept):

- fresh: the files were just written, mtimes now, as a `git clone` writes them;
  "first run" has no cache; "second run" comes right after it.
- aged: the files were written a day ago. "cold": no cache (deleted before the run);
  "warm": after an earlier run of a reading command on the same files (which one is said);
  "new day": a warm cache, but `--as-of` one day later than the run that made it.

Cases that parse every file (cold, new day, fresh, export, check-jsonschema) run `--heavy-runs`
times from `--heavy-from` files on, `--runs` times below; `form` and `import` `--heavy-runs` times
(each takes seconds); every other case `--runs` times. A `form` or `import` run must exit 0 and do
what it should (30 workbooks; a dry run and a second import write nothing; the import writes), else
its case is marked failed.
`--quick` is for development: 100 and 1,000 files (heavy cases once at 1,000), a review log of
200 commits over 20 roadmaps, the same report forms, and no RESULTS.md unless `--output` is given.
`--revision REV` measures a clean copy of REV (`git archive`) instead of the work tree.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import PLAN, corpus
from forms import PERIOD, Filled, fill, portfolio

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
AS_OF = date(2026, 11, 26)
BIG = 10_000  # the size the targets are for
AGE = 86_400  # aged files were written a day ago
SETTLED = 2.1  # seconds: a checkout or commit older than this is past the racy window (no run of it is recorded)
README_FROM = "<!-- the benchmark's figures (benchmarks/run.py --readme) from here -->"
README_TO = "<!-- to here -->"
FORM_PROJECTS, FORM_OWNERS = 300, 30  # report forms: 30 owner sections (担当課) of 10 projects each


@dataclass(frozen=True)
class Case:
    id: str
    command: str  # as shown
    state: str
    heavy: bool = False  # parses every file


CASES = [
    Case("floor", "`yaml.load(f, Loader=yaml.CSafeLoader)`, every file, gc off", "–"),
    Case("check-jsonschema", "`check-jsonschema --schemafile schemas/roadmap.schema.json` every roadmap", "–", True),
    Case("help", "`dxroadmap --help`", "–"),
    Case("validate.cold", "`dxroadmap validate`", "aged, cold", True),
    Case("validate.warm", "`dxroadmap validate`", "aged, warm (after `status`)"),
    Case("status.fresh-first", "`dxroadmap status`", "fresh, first run (cold)", True),
    Case("status.fresh-second", "`dxroadmap status`", "fresh, second run", True),
    Case("status.cold", "`dxroadmap status`", "aged, cold", True),
    Case("status.warm", "`dxroadmap status`", "aged, warm (after `status`), not replayed"),
    Case("status.again", "`dxroadmap status`", "aged, run again: replayed"),
    Case("status.new-day", "`dxroadmap status`", "aged, new day", True),
    Case("status-json.cold", "`dxroadmap status --format json`", "aged, cold", True),
    Case("status-json.warm-after-status", "`dxroadmap status --format json`", "aged, warm (after `status`)", True),
    Case("status-json.warm", "`dxroadmap status --format json`", "aged, warm (after itself), not replayed"),
    Case("slipping.cold", "`dxroadmap slipping`", "aged, cold", True),
    Case("slipping.warm", "`dxroadmap slipping`", "aged, warm (after `status`)"),
    Case("show.id", "`dxroadmap show ID` (an exact id)", "aged, first run"),
    Case("show.id.again", "`dxroadmap show ID` (an exact id)", "aged, run again: replayed"),
    Case("show.name.warm", "`dxroadmap show 第N号` (part of a 事業名)", "aged, warm (after `status`)"),
    Case("record.id", "`dxroadmap record ID -i 1 --note …` (an exact id)", "aged, no cache"),
    Case("export-json.cold", "`dxroadmap export -o out.json`", "aged, cold", True),
    Case("export-json.warm", "`dxroadmap export -o out.json`", "aged, warm (after `status`)", True),
]
HISTORY_CASES = [
    Case("history.floor", "`yaml.load(f, Loader=yaml.CSafeLoader)`, every file of the checkout, gc off", "–"),
    Case("history-json", "`dxroadmap history --format json`", ""),
    Case("history.project", "`dxroadmap history p00007` (part of an id: `gyosei/p00007`)", ""),
    Case("status-since.date", "`dxroadmap status --since 2026-08-20 --format json`", ""),
    Case("status-since.meeting", "`dxroadmap status --since last-meeting`", ""),
]
FORM_CASES = [
    Case("forms.floor", "`yaml.load(f, Loader=yaml.CSafeLoader)`, every file of the portfolio, gc off", "–"),
    Case("form", f"`dxroadmap form -o DIR --period {PERIOD}`: the {FORM_OWNERS} workbooks", "aged", True),
    Case("import.dry-run", f"`dxroadmap import FILE… --dry-run`: the {FORM_OWNERS} answered workbooks", "aged", True),
    Case("import", f"`dxroadmap import FILE…`: the {FORM_OWNERS} answered workbooks, written", "aged", True),
    Case("import.again", "`dxroadmap import FILE…` again: nothing new", "after `import`", True),
]
BY_ID = {case.id: case for case in CASES + HISTORY_CASES + FORM_CASES}


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)  # MB
    failure: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and self.failure is None else None

    @property
    def peak(self) -> float | None:
        return max(self.peaks) if self.peaks else None


class Failed(Exception):
    pass


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one run; `Failed` unless it exits 0.

    GNU time reads the peak of the command (the largest of it and its worker processes); `wait4`'s
    figure would include the pages a forked child shares with this (large) process until it execs.
    """
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r") as report, tempfile.TemporaryFile() as errors:
        wrapped = [str(gnu_time), "-f", "%M", "-o", report.name, *command] if gnu_time.exists() else command
        start = time.perf_counter()
        proc = subprocess.Popen(
            wrapped, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
        )
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: the command and its workers (its own process group) go too
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            raise
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            errors.seek(0)
            last = errors.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise Failed(f"exit {code}: {last[0][:200]}")
        lines = report.read().strip().splitlines()
        peak_kib = int(lines[-1]) if gnu_time.exists() and lines else usage.ru_maxrss
    return elapsed, peak_kib / 1024


class Bench:
    """Runs commands and keeps their samples by (case, column): a column is a size or "history"."""

    def __init__(self, env: dict[str, str], quiet: bool = False) -> None:
        self.env = env
        self.quiet = quiet
        self.samples: dict[tuple[str, int | str], Sample] = {}
        self.started = time.perf_counter()
        self.forms = ""  # what the report forms held and did, said above their table

    def time(self, case: str, column: int | str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        assert case in BY_ID, case
        sample = self.samples.setdefault((case, column), Sample())
        if sample.failure is not None:
            return
        try:
            wall, peak = measure(command, cwd, env)
        except Failed as exc:
            sample.failure = str(exc)
            self.log(f"{case} @ {column}: FAILED, {exc}")
            return
        sample.seconds.append(wall)
        sample.peaks.append(peak)
        self.log(f"{case} @ {column}: {wall:.3f} s, {peak:.0f} MB")

    def fail(self, case: str, column: int | str, why: str) -> None:
        """Mark a case failed though its command exited 0: it did not do what it must."""
        sample = self.samples.setdefault((case, column), Sample())
        if sample.failure is None:
            sample.failure = why
            self.log(f"{case} @ {column}: FAILED, {why}")

    def log(self, text: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.started:5.0f} s] {text}", file=sys.stderr, flush=True)

    def get(self, case: str, column: int | str) -> Sample | None:
        return self.samples.get((case, column))


# --- the corpora ---------------------------------------------------------------------------------


def write_fresh(root: Path, texts: dict[str, str]) -> None:
    """The corpus as a clone writes it: every file new (a new inode), mtime now."""
    shutil.rmtree(root, ignore_errors=True)
    for rel, text in texts.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def age(root: Path) -> None:
    old = time.time() - AGE
    for path in root.rglob("*.yaml"):
        os.utime(path, (old, old))


def run_size(bench: Bench, tools: Tools, size: int, runs: int, heavy_runs: int, heavy_from: int) -> None:
    heavy = heavy_runs if size >= heavy_from else runs
    texts = {"_plan.yaml": PLAN, **corpus(size)}
    first = Path(next(rel for rel in texts if rel != "_plan.yaml")).with_suffix("").as_posix()
    name_part = f"第{size // 2}号"  # the 事業名 of project size/2 ends so; unique
    with tempfile.TemporaryDirectory(prefix="dxroadmap-bench-") as tmp:
        folder = Path(tmp)
        root, cache = folder / "roadmaps", folder / "cache"
        env = {**bench.env, "DXROADMAP_CACHE_DIR": str(cache)}

        def run(case: str, *args: str, day: date = AS_OF) -> None:
            bench.time(case, size, [tools.dxroadmap, *args, "--as-of", day.isoformat()], folder, env)

        def cold() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        def no_replay() -> None:  # the portfolio cache as it is, but no output recorded: worked out again
            shutil.rmtree(cache / "replay", ignore_errors=True)

        for _ in range(heavy):  # fresh: a clone, then the first and the second run
            cold()
            write_fresh(root, texts)
            run("status.fresh-first", "status")
            run("status.fresh-second", "status")
        age(root)
        time.sleep(SETTLED)  # their ctimes (which `utime` sets to now) past the racy window too, as a day-old file's
        for _ in range(runs):
            bench.time("floor", size, [sys.executable, str(HERE / "floor.py"), "roadmaps"], folder, env)
        for _ in range(runs):
            bench.time("help", size, [tools.dxroadmap, "--help"], folder, env)
        cold()
        for _ in range(runs):
            no_replay()
            run("show.id", "show", first)
        for _ in range(runs):
            run("show.id.again", "show", first)
        path = root / f"{first}.yaml"
        original = path.read_bytes()
        for _ in range(runs):
            run("record.id", "record", first, "-i", "1", "--note", "ベンチマーク")
            path.write_bytes(original)  # undone, and aged again
            os.utime(path, (time.time() - AGE,) * 2)
        if tools.checker is not None:
            files = sorted(str(p.relative_to(folder)) for p in root.rglob("p*.yaml"))
            command = [tools.checker, "--schemafile", str(tools.schema), *files]
            for _ in range(heavy):
                bench.time("check-jsonschema", size, command, folder, env)
        for case, args in (
            ("validate.cold", ["validate"]),
            ("slipping.cold", ["slipping"]),
            ("status-json.cold", ["status", "--format", "json"]),
            ("export-json.cold", ["export", "-o", str(folder / "out.json"), "--format", "json"]),
        ):
            for _ in range(heavy):
                cold()
                run(case, *args)
        for _ in range(heavy):
            cold()
            run("status.cold", "status")
            run("status-json.warm-after-status", "status", "--format", "json")
        for _ in range(runs):  # the cache: made by `status`, status JSON added by `status --format json`
            no_replay()
            run("status.warm", "status")
            run("status.again", "status")
            no_replay()
            run("status-json.warm", "status", "--format", "json")
            no_replay()
            run("slipping.warm", "slipping")
            run("validate.warm", "validate")
            run("show.name.warm", "show", name_part)
        for _ in range(heavy):
            run("export-json.warm", "export", "-o", str(folder / "out.json"), "--format", "json")
        for day in range(1, heavy + 1):  # each a day after the cache's
            run("status.new-day", "status", day=AS_OF + timedelta(days=day))


def run_history(bench: Bench, tools: Tools, commits: int, projects: int, runs: int) -> None:
    from history import build

    with tempfile.TemporaryDirectory(prefix="dxroadmap-bench-history-") as tmp:
        folder = Path(tmp) / "repo"
        start = time.perf_counter()
        build(folder, projects, commits)
        bench.log(f"built {commits} commits over {projects} roadmaps in {time.perf_counter() - start:.1f} s")
        time.sleep(SETTLED)  # a repository a few seconds old, as one is when someone looks at its log
        cache = Path(tmp) / "cache"
        env = {**bench.env, "DXROADMAP_CACHE_DIR": str(cache)}
        for _ in range(runs):
            bench.time("history.floor", "history", [sys.executable, str(HERE / "floor.py"), "roadmaps"], folder, env)
        cases = {
            "history-json": ["history", "--format", "json", "--as-of", AS_OF.isoformat()],
            "history.project": ["history", f"p{min(7, projects - 1):05d}", "--as-of", AS_OF.isoformat()],
            "status-since.date": ["status", "--since", "2026-08-20", "--as-of", AS_OF.isoformat(), "--format", "json"],
            "status-since.meeting": ["status", "--since", "last-meeting", "--as-of", AS_OF.isoformat()],
        }
        for case, args in cases.items():
            shutil.rmtree(cache, ignore_errors=True)
            bench.time(case, "history-first", [tools.dxroadmap, *args], folder, env)
            for _ in range(runs):
                bench.time(case, "history", [tools.dxroadmap, *args], folder, env)
            for _ in range(runs):  # the caches of versions and logs, but no output recorded: worked out again
                shutil.rmtree(cache / "replay", ignore_errors=True)
                bench.time(case, "history-cache", [tools.dxroadmap, *args], folder, env)
            new_commit(folder)  # one roadmap changed and committed: only its new version is read
            bench.time(case, "history-commit", [tools.dxroadmap, *args], folder, env)
            subprocess.run(["git", "-C", str(folder), "reset", "-q", "--hard", "HEAD~1"], check=True)  # as it was
            time.sleep(SETTLED)


def new_commit(folder: Path) -> None:
    """A commit on top of the review log that changes one roadmap (a comment added)."""
    path = sorted((folder / "roadmaps").rglob("p*.yaml"))[0]
    with path.open("a", encoding="utf-8") as file:
        file.write("# ベンチマーク: 新しいコミット\n")
    who = ["-c", "user.name=benchmark", "-c", "user.email=benchmark@example.org"]
    subprocess.run(["git", "-C", str(folder), *who, "commit", "-q", "-a", "-m", "one more"], check=True)


def snapshot(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.yaml"))}


def run_forms(bench: Bench, tools: Tools, runs: int, heavy_runs: int) -> None:
    """`form` for 30 owner sections of 10 projects each; the forms answered (not timed); `import` of them."""
    column = "forms"
    texts = {"_plan.yaml": PLAN, **portfolio(FORM_PROJECTS, FORM_OWNERS)}
    with tempfile.TemporaryDirectory(prefix="dxroadmap-bench-forms-") as tmp:
        folder = Path(tmp)
        root, made, answered = folder / "roadmaps", folder / "forms", folder / "answers"
        env = {**bench.env, "DXROADMAP_CACHE_DIR": str(folder / "cache")}
        as_of = ["--as-of", AS_OF.isoformat()]

        def run(case: str, *args: str) -> bool:
            """One timed run; whether it exited 0."""
            before = bench.get(case, column)
            count = len(before.seconds) if before is not None else 0
            bench.time(case, column, [tools.dxroadmap, *args, *as_of], folder, env)
            sample = bench.get(case, column)
            return sample is not None and sample.failure is None and len(sample.seconds) > count

        def restore() -> None:  # the portfolio as checked out a day ago, nothing recorded for the period
            write_fresh(root, texts)
            age(root)

        restore()
        original = snapshot(root)
        for _ in range(runs):
            bench.time("forms.floor", column, [sys.executable, str(HERE / "floor.py"), "roadmaps"], folder, env)
        for _ in range(heavy_runs):
            shutil.rmtree(made, ignore_errors=True)
            if run("form", "form", "-o", made.name, "--period", PERIOD):
                written = sorted(made.glob("*.xlsx"))
                if len(written) != FORM_OWNERS:
                    bench.fail("form", column, f"{len(written)} workbooks written, not {FORM_OWNERS}")
        heading = (
            f"Report forms (benchmarks/forms.py): {FORM_PROJECTS} projects of {FORM_OWNERS} owner sections (担当課),"
            f" period {PERIOD[:2]} {PERIOD[2:]}, nothing recorded for it yet"
        )
        bench.forms = f"{heading} (the floor: the portfolio's files):"
        written = sorted(made.glob("*.xlsx"))
        if len(written) != FORM_OWNERS:
            return  # nothing to answer: `form` failed, and the imports are not measured
        start, filled = time.perf_counter(), Filled()
        for path in written:
            filled += fill(path, answered / path.name)
        bench.log(
            f"answered {len(written)} forms ({filled.rows} rows, {filled.cells} cells) in"
            f" {time.perf_counter() - start:.1f} s"
        )
        files = [f"{answered.name}/{path.name}" for path in written]
        for _ in range(heavy_runs):
            if run("import.dry-run", "import", *files, "--dry-run") and snapshot(root) != original:
                bench.fail("import.dry-run", column, "the dry run wrote roadmap files")
        changed, after = 0, original
        for number in range(heavy_runs):
            if number:
                restore()
            if not run("import", "import", *files):
                break
            after = snapshot(root)
            changed = sum(after[rel] != original[rel] for rel in original)
            if not changed:
                bench.fail("import", column, "the import wrote no roadmap file")
        if changed:
            for _ in range(heavy_runs):
                if run("import.again", "import", *files) and snapshot(root) != after:
                    bench.fail("import.again", column, "importing the same forms again wrote roadmap files")
        bench.forms = (
            f"{heading}; {FORM_OWNERS} forms of {filled.rows:,} rows, answered with openpyxl (not timed):"
            f" {filled.cells:,} input cells filled; `import` records actuals in {changed} of the {len(original) - 1}"
            " files (the floor: the portfolio's files):"
        )


# --- what is measured, on what ---------------------------------------------------------------------


@dataclass
class Tools:
    dxroadmap: str
    checker: str | None
    checker_version: str
    schema: Path
    revision: str
    source: Path  # the package measured (src/dxroadmap)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(PROJECT), *args], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return done.stdout.decode(errors="replace").strip()


def prepare(revision: str | None, folder: Path) -> tuple[Tools, dict[str, str]]:
    """The tools and the environment of every run; with `revision`, a clean copy of it in `folder`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXROADMAP_") and k != "PYTHONPATH"}
    env |= {"COLUMNS": "160", "DXROADMAP_LANG": "ja"}
    if revision is None:
        short = _git("rev-parse", "--short", "HEAD") or "unknown"
        # --no-optional-locks: `status` must not refresh the index of a checkout others work in
        dirty = _git("--no-optional-locks", "status", "--porcelain")
        described = f"{short}{'+dirty' if dirty else ''} (the work tree)"
        base = PROJECT
        # compiled once, as an installed package is: with PYTHONDONTWRITEBYTECODE set (as here), every run would
        # compile the package's source again (~0.1 s a command)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(PROJECT / "src")], check=True)
    else:
        short = _git("rev-parse", "--short", f"{revision}^{{commit}}")
        if not short:
            raise SystemExit(f"run.py: no such revision: {revision}")
        archive = subprocess.run(
            ["git", "-C", str(PROJECT), "archive", "--format=tar", short, "src", "schemas"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "src")], check=True)
        env["PYTHONPATH"] = str(folder / "src")  # ahead of the editable install's path
        described = f"{short} (a clean copy of `{revision}`, `--revision`)"
        base = folder
    checker = Path(sys.executable).with_name("check-jsonschema")
    found = str(checker) if checker.exists() else shutil.which("check-jsonschema")
    version = ""
    if found:
        done = subprocess.run([found, "--version"], capture_output=True, check=False)
        version = done.stdout.decode(errors="replace").strip().split()[-1:][0] if done.stdout.strip() else ""
    tools = Tools(
        dxroadmap=str(Path(sys.executable).with_name("dxroadmap")),
        checker=found,
        checker_version=version,
        schema=base / "schemas" / "roadmap.schema.json",
        revision=described,
        source=base / "src" / "dxroadmap",
    )
    return tools, env


def source_digest(package: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def machine() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        cpuinfo = []
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    cpu = cpu or platform.processor() or "unknown CPU"
    return (
        f"{platform.machine()} {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


# --- Markdown --------------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 0.1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def times(ratio: float) -> str:
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×" if ratio >= 1 else f"{ratio:.2g}×"


def floor_of(bench: Bench, column: int | str) -> Sample | None:
    """The floor measured on the files of `column`: a corpus size, the review log's checkout, the forms' portfolio."""
    if isinstance(column, int):
        return bench.get("floor", column)
    if column == "forms":
        return bench.get("forms.floor", column)
    return bench.get("history.floor", "history")


def cell(bench: Bench, case: str, column: int | str) -> str:
    sample = bench.get(case, column)
    if sample is None:
        return "–"
    if sample.failure is not None:
        return f"failed ({sample.failure.split(':')[0]})"
    median = sample.median
    assert median is not None
    floor = floor_of(bench, column)
    if floor is not None and floor.median:
        return f"{seconds(median)} ({times(median / floor.median)})"
    return seconds(median)


def summary_table(bench: Bench, sizes: list[int]) -> list[str]:
    top = max(sizes)
    head = ["case", "command", "state", *(f"{n:,} files" for n in sizes), f"peak RSS at {top:,}"]
    out = ["| " + " | ".join(head) + " |", "|---|---|---|" + "---:|" * (len(sizes) + 1)]
    for case in CASES:
        if not any(bench.get(case.id, n) for n in sizes):
            continue
        sample = bench.get(case.id, top)
        peak = f"{sample.peak:.0f} MB" if sample is not None and sample.peak is not None else "–"
        cells = [cell(bench, case.id, n) for n in sizes]
        out.append(f"| `{case.id}` | {case.command} | {case.state} | {' | '.join(cells)} | {peak} |")
    return out


def history_table(bench: Bench) -> list[str]:
    out = [
        "| case | command | first run (no cache) | run again (replayed) | run again, not replayed"
        " | after one new commit | peak RSS |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for case in HISTORY_CASES:
        sample = bench.get(case.id, "history")
        if sample is None:
            continue
        first = cell(bench, case.id, "history-first") if bench.get(case.id, "history-first") else "–"
        cached, committed = (
            cell(bench, case.id, column) if bench.get(case.id, column) else "–"
            for column in ("history-cache", "history-commit")
        )
        columns = ("history", "history-first", "history-cache", "history-commit")
        peaks = [s.peak for s in (bench.get(case.id, c) for c in columns) if s is not None and s.peak is not None]
        peak = f"{max(peaks):.0f} MB" if peaks else "–"
        again = cell(bench, case.id, "history")
        out.append(f"| `{case.id}` | {case.command} | {first} | {again} | {cached} | {committed} | {peak} |")
    return out


def forms_table(bench: Bench) -> list[str]:
    out = ["| case | command | state | time (× floor) | peak RSS |", "|---|---|---|---:|---:|"]
    for case in FORM_CASES:
        sample = bench.get(case.id, "forms")
        if sample is None:
            continue
        peak = f"{sample.peak:.0f} MB" if sample.peak is not None else "–"
        out.append(f"| `{case.id}` | {case.command} | {case.state} | {cell(bench, case.id, 'forms')} | {peak} |")
    return out


def details_table(bench: Bench, sizes: list[int]) -> list[str]:
    out = [
        "| case | files | runs | median | min | max | × floor | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "history-first": "review log, first",
        "history": "review log",
        "history-cache": "review log, not replayed",
        "history-commit": "review log, one new commit",
        "forms": "report forms",
    }
    columns: list[int | str] = [*sizes, *labels]
    for column in columns:
        for case in CASES + HISTORY_CASES + FORM_CASES:
            sample = bench.get(case.id, column)
            if sample is None:
                continue
            label = f"{column:,}" if isinstance(column, int) else labels[column]
            if sample.failure is not None:
                out.append(f"| `{case.id}` | {label} | {len(sample.seconds) + 1} | failed: {sample.failure} | | | | |")
                continue
            floor = floor_of(bench, column)
            median = sample.median or 0.0
            ratio = times(median / floor.median) if floor is not None and floor.median else "–"
            out.append(
                f"| `{case.id}` | {label} | {len(sample.seconds)} | {seconds(median)} | {seconds(min(sample.seconds))}"
                f" | {seconds(max(sample.seconds))} | {ratio} | {sample.peak:.0f} MB |"
            )
    return out


def targets_table(bench: Bench, top: int) -> list[str]:
    """Each target of issue 17.3 next to its figure: met or not met (at the largest size measured)."""
    floor = bench.get("floor", top)
    out = ["| target | case | measured | |", "|---|---|---:|---|"]

    def row(target: str, case: str, column: int | str, limit: float, ratio: bool = True) -> None:
        sample = bench.get(case, column)
        if sample is None:
            return
        if sample.failure is not None or sample.median is None:
            out.append(f"| {target} | `{case}` | failed | **not met** (the case failed) |")
            return
        if ratio:
            if floor is None or not floor.median:
                return
            value = sample.median / floor.median
            measured = f"{times(value)} ({seconds(sample.median)})"
        else:
            value, measured = sample.median, seconds(sample.median)
        out.append(f"| {target} | `{case}` | {measured} | {'met' if value <= limit else '**not met**'} |")

    row("warm `status` ≤ 0.02× floor", "status.warm", top, 0.02)
    row("warm `status` ≤ 0.02× floor", "status.again", top, 0.02)
    row("warm `status --format json` ≤ 0.05× floor", "status-json.warm", top, 0.05)
    row("warm `status --format json` ≤ 0.05× floor", "status-json.warm-after-status", top, 0.05)
    row("new-day `status` ≤ 0.05× floor", "status.new-day", top, 0.05)
    row("cold `status` ≤ 0.8× floor", "status.cold", top, 0.8)
    row("cold `status` ≤ 0.8× floor", "status.fresh-first", top, 0.8)
    row("`record` by exact id ≤ 0.01× floor", "record.id", top, 0.01)
    row("`show` by exact id ≤ 0.01× floor", "show.id", top, 0.01)
    row("`show` by exact id ≤ 0.01× floor", "show.id.again", top, 0.01)
    peaks = [
        (sample.peak, case)
        for (case, column), sample in bench.samples.items()
        if sample.peak is not None
        and (column == top or str(column).startswith("history") or column == "forms")
        and case not in ("floor", "history.floor", "forms.floor", "check-jsonschema")
    ]
    if peaks:
        peak, case = max(peaks)
        over = sorted({c for p, c in peaks if p > 150})
        measured = f"{peak:.0f} MB (the most: `{case}`)"
        verdict = "met" if not over else "**not met**: " + ", ".join(f"`{c}`" for c in over)
        out.append(f"| peak memory ≤ 150 MB, every command | all `dxroadmap` cases | {measured} | {verdict} |")
    for case in HISTORY_CASES[1:]:
        row(f"{case.command.split(' (')[0]} run again ≤ 0.5 s", case.id, "history", 0.5, ratio=False)
        row(f"{case.command.split(' (')[0]} run again, not replayed ≤ 0.5 s", case.id, "history-cache", 0.5, False)
        row(f"{case.command.split(' (')[0]} after one new commit ≤ 0.5 s", case.id, "history-commit", 0.5, False)
    return out


def tables(bench: Bench, args: argparse.Namespace, sizes: list[int]) -> list[str]:
    """The figures, the review log and the targets: RESULTS.md has them, and the README a copy."""
    top = max(sizes)
    targets = f"at {BIG:,} files" + (f"; here at {top:,}" if top != BIG else "")
    return [
        *summary_table(bench, sizes),
        "",
        f"Review log: {args.commits:,} commits over {args.projects} roadmaps (the floor: its checkout's files;"
        " each case starts on a repository more than 2 s old; *after one new commit*: the run right after a commit"
        " that changes one roadmap, so not replayed):",
        "",
        *history_table(bench),
        "",
        *([bench.forms, "", *forms_table(bench), ""] if bench.forms else []),
        f"Targets (issue 17.3, {targets}):",
        "",
        *targets_table(bench, top),
    ]


def report(
    bench: Bench, tools: Tools, args: argparse.Namespace, sizes: list[int], load_before: str, took: float, changed: bool
) -> tuple[str, list[str]]:
    """RESULTS.md, and the block of the README's "Speed" section."""
    top = max(sizes)
    command = " ".join([".venv/bin/python benchmarks/run.py", *sys.argv[1:]])
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    heavy = (
        f", {args.heavy_runs} for the cases that parse every file at {args.heavy_from:,} files and more"
        if top >= args.heavy_from
        else ""
    )
    checker = (
        f"check-jsonschema {tools.checker_version}"
        if tools.checker
        else "check-jsonschema was absent, so not measured (`.venv/bin/pip install check-jsonschema`)"
    )
    warning = "**warning: the source (src/dxroadmap) changed during the run; the figures mix revisions**"
    forms_runs = f", {args.heavy_runs} for `form` and `import`" if bench.forms else ""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}`; do not edit by hand, run it again.",
        "",
        f"- date: {when}",
        f"- revision: {tools.revision}",
        f"- machine: {machine()}",
        f"- load average (1 min) at the start and at the end: {load_before} / {load()}",
        f"- run time: {took // 60:.0f} min {took % 60:.0f} s",
        f"- corpora: {', '.join(f'{n:,}' for n in sizes)} roadmap files (benchmarks/corpus.py, ~2.9 KB each);"
        f" review log: {args.commits:,} commits over {args.projects} roadmaps (benchmarks/history.py)"
        + (
            f"; report forms: {FORM_PROJECTS} projects of {FORM_OWNERS} owner sections (benchmarks/forms.py)"
            if bench.forms
            else ""
        ),
        f"- runs: {args.runs} a case{heavy}{forms_runs}; median wall time; peak RSS of the largest process (GNU time)",
        f"- {checker}",
        f"- every command with `--as-of {AS_OF}` (new day: a day later), `DXROADMAP_LANG=ja`, 160 columns,"
        " output to /dev/null, one worker process per processor",
        *([f"- {warning}"] * changed),
        "",
        "The floor: one Python process parsing every file of the corpus with PyYAML's C loader"
        " (`yaml.load(f, Loader=yaml.CSafeLoader)`, gc off; benchmarks/floor.py), the least a YAML tool must"
        " do. Each figure: median (its ratio to the floor of the same size, measured in the same run).",
        "",
        "States: *fresh*: files just written, mtimes now, as after `git clone`; *first run*: no cache;"
        " *second run*: right after the first. *Aged*: files written a day ago; *cold*: no cache;"
        " *warm*: after an earlier run of the reading command named, its output not recorded (worked out"
        " from the portfolio cache); *run again: replayed*: right after the same command, its output"
        " replayed (`replay.py`); *new day*: a warm cache, `--as-of` one day later. *First run* of `show`"
        " and `record`: they read one file and the plan, the portfolio cache plays no part.",
        "",
        *tables(bench, args, sizes),
        "",
        "Every sample:",
        "",
        *details_table(bench, sizes),
        "",
    ]
    block = [
        f"Measured {when} by `{command}`, revision {tools.revision}, on {machine()} (load average"
        f" {load_before} at the start); {args.runs} runs a case{heavy}{forms_runs}. Each figure: median (its"
        " ratio to the floor). Each row is a benchmark case; `benchmarks/RESULTS.md` has every sample."
        + (f" {warning}" if changed else ""),
        "",
        *tables(bench, args, sizes),
    ]
    return "\n".join(lines), block


def write_readme(path: Path, block: list[str]) -> None:
    """The figures of the README's "Speed" section: between its two markers, nothing else touched."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_FROM), text.find(README_TO)
    if start < 0 or end < start:
        raise SystemExit(f"run.py: {path} has no {README_FROM} … {README_TO}")
    start += len(README_FROM)
    path.write_text(text[:start] + "\n\n" + "\n".join(block) + "\n\n" + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 files, 200 commits × 20 roadmaps")
    parser.add_argument("--sizes", help="corpus sizes (default 100,1000,10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of a case (default 3)")
    parser.add_argument("--heavy-runs", type=int, default=1, help="runs of a case that parses every file, from…")
    parser.add_argument("--heavy-from", type=int, help="…this size on (default 10000; 1000 with --quick)")
    parser.add_argument("--commits", type=int, help="review log: commits (default 1000)")
    parser.add_argument("--projects", type=int, help="review log: roadmaps (default 100)")
    parser.add_argument("--no-history", action="store_true", help="skip the review log")
    parser.add_argument("--no-forms", action="store_true", help="skip the report forms (form, import)")
    parser.add_argument("--revision", help="measure a clean copy of this git revision, not the work tree")
    parser.add_argument("--output", type=Path, help="default benchmarks/RESULTS.md (none with --quick)")
    parser.add_argument("--readme", action="store_true", help="copy the tables into README.md's Speed section too")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # temporary folders removed on the way out
    sizes = [int(s) for s in (args.sizes or ("100,1000" if args.quick else "100,1000,10000")).split(",")]
    args.heavy_from = args.heavy_from or (1000 if args.quick else 10_000)
    args.commits = args.commits or (200 if args.quick else 1000)
    args.projects = args.projects or (20 if args.quick else 100)
    output = args.output or (None if args.quick else HERE / "RESULTS.md")
    started, load_before = time.perf_counter(), load()
    with tempfile.TemporaryDirectory(prefix="dxroadmap-bench-source-") as tmp:
        tools, env = prepare(args.revision, Path(tmp))
        before = source_digest(tools.source)
        bench = Bench(env)
        bench.log(f"measuring {tools.revision} on {machine()}")
        for size in sizes:
            run_size(bench, tools, size, args.runs, args.heavy_runs, args.heavy_from)
        if not args.no_history:
            run_history(bench, tools, args.commits, args.projects, args.runs)
        if not args.no_forms:
            run_forms(bench, tools, args.runs, args.heavy_runs)
        changed = source_digest(tools.source) != before
    text, block = report(bench, tools, args, sizes, load_before, time.perf_counter() - started, changed)
    print(text)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        print(f"(written to {output})", file=sys.stderr)
    if args.readme:
        write_readme(PROJECT / "README.md", block)
        print("(the figures copied into README.md, section Speed)", file=sys.stderr)


if __name__ == "__main__":
    main()
