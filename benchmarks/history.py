"""The review log of the benchmark: a git repository of 1,000 commits over 100 roadmaps.

`build` writes it with `git fast-import` (quarterly records and re-planned targets, fixed author
dates from 2026-04-01); benchmarks/run.py times `history` and `status --since` on it. Alone:

    .venv/bin/python benchmarks/history.py [--commits 1000] [--projects 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import copy
import random
import subprocess
import sys
import tempfile
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
        done = {t for entries in init["実績"].values() for entry in entries for t in entry.get("達成", [])}
        movable = [
            t for t in init["目標"]["R7"] if isinstance(t, str) and t not in done and t not in init["目標"]["R8"]
        ]
        if rng.random() < 0.15 and movable and len(init["目標"]["R7"]) > 1:
            init["目標"]["R7"].remove(movable[-1])  # re-planned to the next year (never one achieved)
            init["目標"]["R8"].append(movable[-1])
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


def main() -> None:
    """The review log alone, as benchmarks/run.py times it (which also puts it in RESULTS.md)."""
    from run import Bench, history_table, prepare, run_history

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dxroadmap-bench-source-") as tmp:
        tools, env = prepare(None, Path(tmp))
        bench = Bench(env)
        run_history(bench, tools, args.commits, args.projects, args.runs)
    print(f"{args.commits:,} commits over {args.projects} roadmaps, {tools.revision}:")
    print()
    print("\n".join(history_table(bench)))


if __name__ == "__main__":
    main()
