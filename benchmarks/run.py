"""Times dxroadmap's commands on generated corpora of 100 / 1,000 / 10,000 roadmaps.

    .venv/bin/python benchmarks/run.py [--sizes 100,1000,10000] [--runs 3]

Prints a Markdown table of median wall time and peak memory (RSS) per command and size, next
to the targets of the scale work. With `check-jsonschema` on PATH, it is timed on the same
files as a reference for `validate`. The corpora (benchmarks/corpus.py, ~2.9 KB a file) are
written to a temporary folder; nothing is cached between runs of the tool (every run is cold).
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import PLAN, corpus

TARGETS = {
    "--help": "≤ 0.15 s",
    "validate": "3× faster than check-jsonschema",
    "status": "≤ 5 s cold (10,000)",
    "record": "≤ 0.5 s",
}


def write_corpus(folder: Path, count: int) -> str:
    root = folder / "roadmaps"
    root.mkdir(parents=True)
    (root / "_plan.yaml").write_text(PLAN, encoding="utf-8")
    files = corpus(count)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Path(next(iter(files))).with_suffix("").as_posix()


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one run.

    GNU time reads the peak of the command itself; `wait4`'s figure would include the pages a
    forked child shares with this (large) process until it execs.
    """
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r") as report:
        wrapped = [str(gnu_time), "-f", "%M", "-o", report.name, *command] if gnu_time.exists() else command
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    print("| command | files | median (s) | peak RSS (MB) | target |")
    print("|---|---:|---:|---:|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            first = write_corpus(folder, size)
            path = folder / "roadmaps" / f"{first}.yaml"
            original = path.read_bytes()
            cases: dict[str, list[str]] = {
                "--help": [exe, "--help"],
                "validate": [exe, "validate"],
                "status": [exe, "status", "--as-of", "2026-11-26"],
                "status --format json": [exe, "status", "--as-of", "2026-11-26", "--format", "json"],
                "slipping": [exe, "slipping", "--as-of", "2026-11-26"],
                "show PROJECT": [exe, "show", first, "--as-of", "2026-11-26"],
                "record PROJECT (exact id)": [
                    exe, "record", first, "-i", "1", "--note", "ベンチマーク", "--as-of", "2026-11-26",
                ],
                "export --format json": [exe, "export", "-o", str(folder / "out.json"), "--as-of", "2026-11-26"],
            }  # fmt: skip
            if checker and size <= 1000:
                files = [str(p) for p in sorted((folder / "roadmaps").rglob("p*.yaml"))]
                cases["check-jsonschema (reference)"] = [checker, "--schemafile", str(schema), *files]
            for name, command in cases.items():
                results = []
                for _ in range(args.runs):
                    results.append(measure(command, folder))
                    path.write_bytes(original)  # undo a record
                wall = statistics.median(r[0] for r in results)
                peak = max(r[1] for r in results) / 1024
                target = TARGETS.get(name.split(" ")[0], "")
                print(f"| {name} | {size:,} | {wall:.2f} | {peak:.0f} | {target} |", flush=True)


if __name__ == "__main__":
    main()
