"""What the commands print, in the chosen format: stdout for the result, stderr for problems and warnings.

Every line of file text goes through `safe.clean`; the terminal module (Rich) is imported only for
tables, so that JSON, CSV and Markdown start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from dxroadmap.i18n import Words, t
from dxroadmap.problems import Problem
from dxroadmap.safe import clean


def json(data: Any) -> None:
    from dxroadmap.report import stream

    stream.write(data, sys.stdout)


def rows(table: Any, fmt: str) -> None:
    """CSV (`fmt` csv) or a Markdown table."""
    from dxroadmap.report import tables

    (tables.write_csv if fmt == "csv" else tables.write_markdown)(table, sys.stdout)


def emit(
    fmt: str,
    no_color: bool,
    *,
    as_json: Callable[[], Any],
    as_table: Callable[[Any, Any], None],
    as_rows: Callable[[], Any],
) -> None:
    """Print data in the chosen format (`table`, `json`, `csv`, `markdown`)."""
    if fmt == "json":
        json(as_json())
    elif fmt == "table":
        from dxroadmap.report import terminal

        as_table(terminal, terminal.console(no_color))
    else:
        rows(as_rows(), fmt)


def say(line: str) -> None:
    sys.stdout.write(clean(line) + "\n")


def warn(message: str) -> None:
    sys.stderr.write(clean(f"dxroadmap: {t('cli.warning', message=message)}").replace("\n", "\\n") + "\n")


def problems(found: Sequence[Problem]) -> None:
    for problem in found:
        sys.stderr.write(clean(str(problem)) + "\n")


def errors(lines: Sequence[str]) -> None:
    """Problems that are lines already (`file!sheet!cell: …`), on stderr."""
    for line in lines:
        sys.stderr.write(clean(line).replace("\n", "\\n") + "\n")


def diff(text: str) -> None:
    sys.stdout.write(clean(text))


def binary(content: bytes | Iterable[bytes]) -> None:
    """A document's bytes to stdout (`export -o -`), each piece as it is made."""
    for piece in [content] if isinstance(content, bytes) else content:
        sys.stdout.buffer.write(piece) if hasattr(sys.stdout, "buffer") else sys.stdout.write(piece.decode())
    sys.stdout.flush()


def note(line: str) -> None:
    """What was done, on stderr (stdout holds the result, or nothing): `wrote 12 projects into …`."""
    sys.stderr.write(clean(line) + "\n")


def change(diff: str, recorded: str, moved: Sequence[tuple[str, str, str]], words: Words, dry_run: bool) -> None:
    """What a record did: its diff (`--dry-run`), or the line saying so and each state that moved."""
    if dry_run:
        sys.stdout.write(clean(diff))
        return
    say(recorded)
    for what, before, after in moved:
        say(f"  {what}: {words(before)} → {words(after)}")
