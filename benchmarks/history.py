"""Times the review log: `history` and `status --since` on 1,000 commits over 100 roadmaps.

    .venv/bin/python benchmarks/history.py [--commits 1000] [--projects 100] [--runs 3]

Builds a git repository in a temporary folder with `git fast-import` (quarterly records and
re-planned targets, fixed author dates from 2026-04-01), then runs the installed `dxroadmap`
and prints the median wall time of each command.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import PLAN, corpus, render, roadmap

JST = timezone(timedelta(hours=9))


def build(folder: Path, projects: int, commits: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    files = corpus(projects, seed)
    data = {path: roadmap(random.Random(seed * 1000 + i), i) for i, path in enumerate(files)}
    folders = {"産業・しごと": "sangyo", "暮らし・まち": "kurashi", "行政経営": "gyosei"}
    data = {f"{folders[d['政策分野']]}/p{i:05d}.yaml": d for i, d in enumerate(data.values())}
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    stream: list[bytes] = []
    when = datetime(2026, 4, 1, 9, 0, tzinfo=JST)

    def blob(text: str) -> bytes:
        raw = text.encode()
        return f"data {len(raw)}\n".encode() + raw + b"\n"

    def commit(mark: int, message: str, changed: dict[str, str], author: str) -> None:
        stamp = f"{int(when.timestamp())} +0900"
        msg = message.encode()
        stream.append(f"commit refs/heads/main\nmark :{mark}\n".encode())
        stream.append(f"author {author} <{author}@example.invalid> {stamp}\n".encode())
        stream.append(f"committer {author} <{author}@example.invalid> {stamp}\n".encode())
        stream.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        if mark > 1:
            stream.append(f"from :{mark - 1}\n".encode())
        for path, text in changed.items():
            stream.append(f"M 100644 inline {path}\n".encode() + blob(text))
        stream.append(b"\n")

    initial = {"roadmaps/_plan.yaml": PLAN}
    initial |= {f"roadmaps/{p}": render(d).replace("../schemas", "../../schemas") for p, d in data.items()}
    commit(1, "import", initial, "dx-section")
    paths = list(data)
    for mark in range(2, commits + 1):
        when += timedelta(hours=4)
        path = rng.choice(paths)
        project = copy.deepcopy(data[path])
        init = rng.choice(project["取組"])
        if rng.random() < 0.15 and init["目標"]["R7"]:
            moved = init["目標"]["R7"].pop()  # re-planned to the next year
            init["目標"]["R8"].append(moved)
            message = f"re-plan: {path}"
        else:
            quarter = rng.choice(["Q1", "Q2", "Q3"])
            init["実績"].setdefault("R8", []).append({"四半期": quarter, "内容": f"記録{mark}"})
            message = f"record: {path} R8 {quarter}"
        data[path] = project
        text = render(project).replace("../schemas", "../../schemas")
        commit(mark, message, {f"roadmaps/{path}": text}, rng.choice(["kikaku", "nourin", "kenkou", "soumu"]))
    subprocess.run(["git", "-C", str(folder), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "-q", "main"], check=True)


def timed(command: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("dxroadmap"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "repo"
        start = time.perf_counter()
        build(folder, args.projects, args.commits)
        print(f"built {args.commits} commits over {args.projects} roadmaps in {time.perf_counter() - start:.1f} s")
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        cases = {
            "history --format json": [exe, "history", "--format", "json"],
            "history PROJECT": [exe, "history", "p00007"],
            "status --since 2026-08-20 --format json": [
                exe, "status", "--since", "2026-08-20", "--as-of", "2026-11-26", "--format", "json",
            ],
            "status --since last-meeting": [exe, "status", "--since", "last-meeting", "--as-of", "2026-11-26"],
        }  # fmt: skip
        print(f"{'command':45} {'median (s)':>10}   target")
        for name, command in cases.items():
            print(f"{name:45} {timed(command, folder, args.runs):10.2f}   < 10 s")


if __name__ == "__main__":
    main()
