"""Times dxroadmap's commands on generated corpora of 100 / 1,000 / 10,000 roadmaps, cold and warm.

    .venv/bin/python benchmarks/run.py [--sizes 100,1000,10000] [--runs 3]

Prints a Markdown table of median wall time and peak memory (RSS, the largest process) per
command and size, then each target of the scale work next to the figure it is about. "Cold":
no cache (it is deleted before every run); "warm": the cache made by a first, untimed run.
With `check-jsonschema` on PATH, it is timed on the same files as a reference for `validate`.
The corpora (benchmarks/corpus.py, ~2.9 KB a file) are written to a temporary folder. The
terminal is taken to be 160 columns wide. About 7 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import PLAN, corpus

AS_OF = "2026-11-26"


@dataclass
class Case:
    name: str
    command: list[str]
    cached: bool  # reads every file (and so has a cold and a warm time)


@dataclass
class Figure:
    cold: float | None
    warm: float | None
    peak_mb: float


def write_corpus(folder: Path, count: int) -> str:
    root = folder / "roadmaps"
    root.mkdir(parents=True)
    (root / "_plan.yaml").write_text(PLAN, encoding="utf-8")
    files = corpus(count)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    old = time.time() - 3600  # files written an hour ago, as a real repository's are
    for path in root.rglob("*.yaml"):
        os.utime(path, (old, old))
    return Path(next(iter(files))).with_suffix("").as_posix()


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one run.

    GNU time reads the peak of the command (the largest of it and its worker processes); `wait4`'s
    figure would include the pages a forked child shares with this (large) process until it execs.
    """
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r") as report:
        wrapped = [str(gnu_time), "-f", "%M", "-o", report.name, *command] if gnu_time.exists() else command
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        peak = int(report.read().strip().splitlines()[-1]) if gnu_time.exists() else usage.ru_maxrss
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command)}: exit {code}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("dxroadmap"))
    checker = shutil.which("check-jsonschema")
    schema = Path(__file__).resolve().parent.parent / "schemas" / "roadmap.schema.json"
    cpu = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), "")
    print(f"machine: {platform.machine()} {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    print("| command | files | cold median (s) | warm median (s) | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    figures: dict[tuple[str, int], Figure] = {}
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            first = write_corpus(folder, size)
            cache = folder / "cache"
            env = {**os.environ, "DXROADMAP_CACHE_DIR": str(cache), "COLUMNS": "160"}
            env.pop("DXROADMAP_DIR", None)
            env.pop("DXROADMAP_NO_CACHE", None)
            path = folder / "roadmaps" / f"{first}.yaml"
            original = path.read_bytes()
            cases = [
                Case("--help", [exe, "--help"], cached=False),
                Case("validate", [exe, "validate"], cached=True),
                Case("status", [exe, "status", "--as-of", AS_OF], cached=True),
                Case("status --format json", [exe, "status", "--as-of", AS_OF, "--format", "json"], cached=True),
                Case("slipping", [exe, "slipping", "--as-of", AS_OF], cached=True),
                Case("show PROJECT", [exe, "show", first, "--as-of", AS_OF], cached=False),
                Case("export --format json", [exe, "export", "-o", str(folder / "out.json"), "--as-of", AS_OF], True),
                Case(
                    "record PROJECT (exact id)",
                    [exe, "record", first, "-i", "1", "--note", "ベンチマーク", "--as-of", AS_OF],
                    cached=False,
                ),
            ]
            if checker:
                files = [str(p) for p in sorted((folder / "roadmaps").rglob("p*.yaml"))]
                cases.append(
                    Case("check-jsonschema (reference)", [checker, "--schemafile", str(schema), *files], False)
                )
            for case in cases:
                runs = 1 if size >= 10_000 and (case.name.startswith(("check-", "export"))) else args.runs
                cold, peaks = [], []
                for _ in range(runs):
                    shutil.rmtree(cache, ignore_errors=True)
                    wall, peak = measure(case.command, folder, env)
                    cold.append(wall)
                    peaks.append(peak)
                    path.write_bytes(original)  # undo a record
                    os.utime(path, (time.time() - 3600,) * 2)
                warm = []
                if case.cached:
                    measure(case.command, folder, env)  # makes the cache
                    for _ in range(runs):
                        wall, peak = measure(case.command, folder, env)
                        warm.append(wall)
                        peaks.append(peak)
                figure = Figure(statistics.median(cold), statistics.median(warm) if warm else None, max(peaks) / 1024)
                figures[(case.name, size)] = figure
                warm_text = f"{figure.warm:.2f}" if figure.warm is not None else "–"
                print(
                    f"| {case.name} | {size:,} | {figure.cold:.2f} | {warm_text} | {figure.peak_mb:.0f} |",
                    flush=True,
                )
    print()
    print(f"Targets ({max(sizes):,} files), each next to its figure:")
    print()
    _targets(figures, max(sizes))
    print()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")


def _targets(figures: dict[tuple[str, int], Figure], size: int) -> None:
    def get(name: str) -> Figure | None:
        return figures.get((name, size))

    def line(target: str, measured: str, met: bool) -> None:
        print(f"- {target}: {measured} {'✔' if met else '✖'}")

    status, validate, record, help_ = get("status"), get("validate"), get("record PROJECT (exact id)"), get("--help")
    checker = get("check-jsonschema (reference)")
    if status is not None and status.warm is not None and status.cold is not None:
        line("`status` warm ≤ 1 s", f"{status.warm:.2f} s", status.warm <= 1.0)
        line("`status` cold ≤ 5 s", f"{status.cold:.2f} s", status.cold <= 5.0)
    if validate is not None and validate.cold is not None and checker is not None and checker.cold is not None:
        ratio = checker.cold / validate.cold
        line(
            "`validate` ≥ 3× faster than check-jsonschema",
            f"{ratio:.1f}× ({validate.cold:.2f} s cold vs {checker.cold:.2f} s)",
            ratio >= 3,
        )
    if record is not None and record.cold is not None:
        line("`record` ≤ 0.5 s", f"{record.cold:.2f} s", record.cold <= 0.5)
    if help_ is not None and help_.cold is not None:
        line("`--help` ≤ 150 ms", f"{help_.cold * 1000:.0f} ms", help_.cold <= 0.15)
    ours = {name: f for (name, n), f in figures.items() if n == size and not name.startswith("check-")}
    if ours:
        worst = max(ours, key=lambda name: ours[name].peak_mb)
        peak = ours[worst].peak_mb
        line("peak memory ≤ 300 MB", f"{peak:.0f} MB (the most: {worst})", peak <= 300)


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


if __name__ == "__main__":
    main()
