"""`python -m dxroadmap` and the `dxroadmap` command.

How the process ends (Ctrl-C, closed streams, internal errors: `dxroadmap.guard`) is set up
before the command line and its libraries are imported, so that Ctrl-C during start-up ends as
it does later: one line, exit 130, no traceback.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # not `typing`: nothing slow before Ctrl-C is answered
if TYPE_CHECKING:
    from typing import NoReturn


def main() -> NoReturn:
    # One short run: cyclic garbage is collected every 100,000 allocations, not every 700 (as mypy does). The
    # objects of a large portfolio are long-lived and seldom cycles; full collections traversing them and the
    # libraries' own cost 0.1–0.25 s at 10,000 files (benchmarks/), and memory is bounded all the same.
    gc.set_threshold(100_000, 30, 30)
    try:
        from dxroadmap import guard

        guard.install()
        guard.run(_command_line)
    except KeyboardInterrupt:  # before `guard` took over: Python's own handler raised it
        if sys.stderr is not None:
            sys.stderr.write("dxroadmap: interrupted\n")
        os._exit(130)


def _command_line() -> None:
    from dxroadmap import replay

    replay.answer(sys.argv)  # an unchanged reading command run again: its output written again, and the exit
    from dxroadmap import i18n

    # before the app is built: its help texts, and `--help` (answered at once), speak `--lang`
    i18n.set_language(i18n.resolve(i18n.lang_in_argv(sys.argv[1:])))
    from dxroadmap.cli import app

    replay.recording(app)


if __name__ == "__main__":
    main()
