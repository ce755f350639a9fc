"""How a command's failures end: at most one line on stderr, and the exit code that says what happened.

A refused request (`StoreError`) is one line and exit 1; an option's value that a service cannot serve
(`RequestError`) a usage error, exit 2, naming the option; a bug one line and exit 70, its traceback saved
(`guard`), never printed. `guard` answers for the whole process; this, for the body of each command.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import typer

from dxroadmap import dialogue, guard
from dxroadmap.problems import RequestError, StoreError

P = ParamSpec("P")
R = TypeVar("R")


def errors_are_lines(command: Callable[P, R]) -> Callable[P, R]:
    """Refused requests become one line on stderr and exit 1; a bug exits 70; nothing prints a traceback.

    A closed pipe on stdout exits 141 quietly; Ctrl-C (130) is left to `guard`, which says it.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except RequestError as exc:  # an option's value the service cannot serve: a usage error
            raise typer.BadParameter(str(exc), param_hint=exc.option) from None
        except StoreError as exc:
            fail(str(exc))
        except dialogue.Ended:  # Ctrl-D at a prompt
            raise typer.Abort() from None
        except typer.Abort:
            if guard.interrupted():  # Ctrl-C at a prompt: an interrupt, not Typer's "Aborted!"
                raise KeyboardInterrupt from None
            raise
        except (typer.Exit, typer.BadParameter, SystemExit, KeyboardInterrupt):
            raise  # Typer's own: usage errors exit 2
        except BrokenPipeError:  # the reader of stdout has gone (`| head -1`): nothing more to say
            guard.silence_stdout()
            raise typer.Exit(guard.BROKEN_PIPE) from None
        except Exception as exc:  # the tool's own failure: one line and the saved traceback's path
            if os.environ.get("DXROADMAP_DEBUG"):
                raise
            failure = guard.output_failure(exc)  # stdout unwritable (read-only, disk full): a refusal, not a bug
            if failure is not None:
                fail(failure)
            fail(guard.internal_error(exc), guard.INTERNAL)

    return wrapper


def fail(message: str, code: int = 1) -> NoReturn:
    from dxroadmap.safe import clean

    sys.stderr.write(f"dxroadmap: {clean(message)}\n")
    raise typer.Exit(code)
