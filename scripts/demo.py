"""The demo repository, and the README's example outputs regenerated on it.

    python scripts/demo.py build DIR                 # a git repository of the bundled roadmaps, with a history
    python scripts/demo.py readme [--check]          # rewrite (or, with --check, compare) README's examples

`build` makes DIR (new or empty) a git repository: the bundled `roadmaps/` committed as they are
(2023-06-07), a target re-planned (2026-06-10: ロードマップ作成 moved from R5 to R6 in
kurashi-dx-kiban) and an actual recorded by the real `dxroadmap record --commit` (2026-10-10: R8 Q2,
フィールドワーク). Authors, committers, their dates and the git settings are fixed, so the commit ids
are the same on every machine (no global git configuration is read; it works as root).

`readme` builds the demo in a temporary folder and, for every example in README.md written as

    <!-- example: dxroadmap history --since 2026-06-01 --as-of 2026-11-26 -->
    ```console
    $ dxroadmap history --since 2026-06-01 --as-of 2026-11-26
    …what it prints…
    ```
    <!-- /example -->

runs the command (a line of `sh`, in a fresh copy of the demo repository) and writes the fenced
block between the markers: `$ ` and the command, then what it printed (stdout and stderr, in the
order written; trailing spaces dropped) and, for an exit status other than 0, `$ echo $?` and the
status. Every `dxroadmap` in a command must give `--as-of` (but `schema`); the environment is
fixed: English (`LANG=C.UTF-8`, `DXROADMAP_LANG=en`), `NO_COLOR=1`, `COLUMNS=120`, `TZ=JST-9`.
With `--check` nothing is written: a difference is printed as a diff and the exit status is 1.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
AUTHOR = ("青森太郎", "taro@example.jp")
PROJECT_FILE = "roadmaps/kurashi-dx-kiban.yaml"
REPLAN_BEFORE = "      R5: [ニーズ調査, ロードマップ作成]\n      R6: [ロードマップの随時アップデート]\n"
REPLAN_AFTER = "      R5: [ニーズ調査]\n      R6: [ロードマップ作成, ロードマップの随時アップデート]\n"
RECORD = [
    "record",
    "kurashi-dx-kiban",
    "-i",
    "デジタル実装支援",
    "--done",
    "フィールドワーク",
    "--note",
    "3市町村でフィールドワークを実施",
    "--date",
    "2026-09-30",
    "--as-of",
    "2026-10-10",
    "--commit",
]
EXAMPLE = re.compile(
    r"^<!-- example: (?P<command>.+?) -->\n(?P<body>.*?)^<!-- /example -->$",
    re.MULTILINE | re.DOTALL,
)
RUN_ENV = {
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "DXROADMAP_LANG": "en",
    "NO_COLOR": "1",
    "COLUMNS": "120",
    "LINES": "50",
    "TZ": "JST-9",
    "PYTHONUNBUFFERED": "1",
}
NO_AS_OF = {"schema"}  # commands that take no --as-of


class DemoError(Exception):
    pass


def default_dxroadmap() -> str:
    beside = Path(sys.executable).parent / "dxroadmap"
    found = str(beside) if beside.exists() else shutil.which("dxroadmap")
    if not found:
        raise DemoError("dxroadmap not found: install the project (pip install -e .) or pass --dxroadmap PATH")
    return found


def base_env(dxroadmap: str) -> dict[str, str]:
    """The environment of every command: this machine's, without git's or dxroadmap's own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "DXROADMAP_", "LC_"))}
    env.pop("NO_COLOR", None)
    env.update(RUN_ENV)
    env["PATH"] = os.pathsep.join([str(Path(dxroadmap).parent), env.get("PATH", os.defpath)])
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["DXROADMAP_NO_CACHE"] = "1"  # nothing written outside the demo
    return env


def git_env(env: dict[str, str], when: str) -> dict[str, str]:
    stamp = f"{when}T10:00:00+09:00"
    name, email = AUTHOR
    return {
        **env,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }


def run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DemoError(f"{shlex.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def commit(folder: Path, env: dict[str, str], when: str, message: str) -> None:
    run(["git", "add", "-A"], folder, env)
    run(["git", "commit", "-q", "-m", message], folder, git_env(env, when))


def build(folder: Path, dxroadmap: str) -> None:
    """Make `folder` (new or empty) the demo repository."""
    if folder.exists() and any(folder.iterdir()):
        raise DemoError(f"{folder} is not empty")
    folder.mkdir(parents=True, exist_ok=True)
    env = base_env(dxroadmap)
    run(["git", "init", "-q"], folder, env)
    run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], folder, env)
    for key, value in [
        ("user.name", AUTHOR[0]),
        ("user.email", AUTHOR[1]),
        ("commit.gpgsign", "false"),
        ("core.autocrlf", "false"),
        ("core.filemode", "true"),
    ]:
        run(["git", "config", key, value], folder, env)

    # 1. The bundled roadmaps, as they are (the draft plan of 2023-06-07).
    shutil.copytree(PROJECT / "roadmaps", folder / "roadmaps", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    for path in (folder / "roadmaps").rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    (folder / ".gitignore").write_text(".*.lock\n", encoding="utf-8")
    commit(folder, env, "2023-06-07", "roadmaps: the draft plan of 2023-06-07")

    # 2. A target re-planned: ロードマップ作成 moved from R5 to R6.
    path = folder / PROJECT_FILE
    text = path.read_text(encoding="utf-8")
    if text.count(REPLAN_BEFORE) != 1:
        raise DemoError(f"{PROJECT_FILE} no longer has the lines the demo re-plans:\n{REPLAN_BEFORE}")
    path.write_text(text.replace(REPLAN_BEFORE, REPLAN_AFTER), encoding="utf-8")
    commit(folder, env, "2026-06-10", "replan: ロードマップ作成 R5→R6")

    # 3. An actual recorded, and committed, by dxroadmap itself.
    run([dxroadmap, *RECORD], folder, git_env(env, "2026-10-10"))


def check_command(command: str) -> None:
    """Every dxroadmap in the command gives --as-of (but the commands that take none)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    for token in [*lexer, ";"]:
        if token and set(token) <= set("&|;()<>"):
            while words and re.match(r"^\w+=", words[0]):
                words.pop(0)  # VAR=value before the command
            takes_as_of = words[:1] == ["dxroadmap"] and not (words[1:2] and words[1] in NO_AS_OF)
            if takes_as_of and not any(w == "--as-of" or w.startswith("--as-of=") for w in words):
                raise DemoError(f"example without --as-of: {command}")
            words = []
        else:
            words.append(token)


def render(command: str, output: str, status: int) -> str:
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if status != 0:
        lines += ["$ echo $?", str(status)]
    return "\n".join(["```console", f"$ {command}", *lines, "```", ""])


def example(command: str, demo: Path, scratch: Path, index: int, env: dict[str, str]) -> str:
    check_command(command)
    folder = scratch / f"example-{index}"
    shutil.copytree(demo, folder, symlinks=True)
    proc = subprocess.run(
        ["sh", "-c", command],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    for place in {str(folder), str(folder.resolve()), str(scratch), str(scratch.resolve())}:
        if place in proc.stdout:
            raise DemoError(f"the output of `{command}` names the temporary folder {place}:\n{proc.stdout}")
    if proc.returncode >= 64:
        raise DemoError(f"`{command}` failed ({proc.returncode}):\n{proc.stdout}")
    return render(command, proc.stdout, proc.returncode)


def outputs(commands: list[str], dxroadmap: str, scratch: Path) -> dict[str, str]:
    """The block of each command, run in its own copy of the demo repository (built in `scratch`)."""
    if scratch.exists() and any(scratch.iterdir()):
        raise DemoError(f"{scratch} is not empty")
    demo = scratch / "demo"
    build(demo, dxroadmap)
    env = base_env(dxroadmap)
    unique = list(dict.fromkeys(commands))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        blocks = pool.map(lambda pair: example(pair[1], demo, scratch, pair[0], env), enumerate(unique))
        return dict(zip(unique, blocks, strict=True))


def substitute(text: str, blocks: dict[str, str]) -> str:
    def block(match: re.Match[str]) -> str:
        if match["command"] not in blocks:
            raise DemoError(f"README.md changed meanwhile (a new example: {match['command']}): run again")
        return f"<!-- example: {match['command']} -->\n{blocks[match['command']]}<!-- /example -->"

    return EXAMPLE.sub(block, text)


def readme(check: bool, dxroadmap: str, scratch: Path | None) -> int:
    old = README.read_text(encoding="utf-8")
    commands = [match["command"] for match in EXAMPLE.finditer(old)]
    if not commands:
        raise DemoError("README.md has no <!-- example: … --> markers")
    if scratch is not None:
        blocks = outputs(commands, dxroadmap, scratch)
    else:
        with tempfile.TemporaryDirectory(prefix="dxroadmap-demo-") as temporary:
            blocks = outputs(commands, dxroadmap, Path(temporary))
    new = substitute(old, blocks)
    if new == old:
        print(f"{len(commands)} README examples are up to date")
        return 0
    if check:
        sys.stdout.writelines(
            difflib.unified_diff(old.splitlines(True), new.splitlines(True), "README.md", "README.md (regenerated)")
        )
        print("README examples differ from what the demo prints: run `python scripts/demo.py readme`", file=sys.stderr)
        return 1
    # Re-read: others may be editing other parts of README.md; only the examples are replaced.
    README.write_text(substitute(README.read_text(encoding="utf-8"), blocks), encoding="utf-8")
    print("README.md: examples regenerated")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dxroadmap", help="the dxroadmap command (default: beside this Python, else on PATH)")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="make DIR the demo repository")
    build_parser.add_argument("dir", type=Path)
    readme_parser = commands.add_parser("readme", help="regenerate the examples of README.md")
    readme_parser.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff on a change")
    readme_parser.add_argument("--tmp", type=Path, help="build the demo here (new or empty) rather than in a temp dir")
    args = parser.parse_args(argv)
    try:
        dxroadmap = args.dxroadmap or default_dxroadmap()
        if args.command == "build":
            build(args.dir.resolve(), dxroadmap)
            print(run(["git", "log", "--format=%h %ad %an %s", "--date=short"], args.dir, base_env(dxroadmap)))
            return 0
        return readme(args.check, dxroadmap, args.tmp.resolve() if args.tmp else None)
    except DemoError as error:
        print(f"demo.py: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
