"""How the command ends, whatever happens: Ctrl-C, closed and broken streams, internal errors.

`install` runs first, before Typer, Pydantic and the rest are imported, so that Ctrl-C at any
moment (start-up included) ends the same way. `run` calls the command line and turns every way
out into an exit code and at most one line on stderr:

- 0, 1, 2: the command's own (1 a refusal or invalid data, 2 a usage error);
- 1 also when stdout is closed (`>&-`): nothing is done, since nothing could be shown;
- 70: an internal error (a bug): one line, the traceback saved to a private file, never printed;
- 130: interrupted (SIGINT): worker processes stopped, no traceback; a second Ctrl-C ends at once;
- 141: stdout was a pipe whose reader went away (`| head -1`), as a shell reports SIGPIPE.

Text that the output's encoding cannot hold (a cp932 or EUC-JP terminal) is replaced, never
an error: the state marks by ASCII ones, anything else by `?`. Standard library only: this
module must cost nothing before the heavy imports.
"""

from __future__ import annotations

import codecs
import io
import os
import signal
import sys
import time
import unicodedata
from contextlib import suppress

TYPE_CHECKING = False  # `typing` costs more than this whole module: not imported before Ctrl-C is handled
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any, NoReturn

INTERNAL = 70  # EX_SOFTWARE (sysexits.h)
INTERRUPTED = 130  # 128 + SIGINT
BROKEN_PIPE = 141  # 128 + SIGPIPE

ERRORS = "dxroadmap-replace"  # the codec error handler of stdout
# The marks of ✔ done, ✓ done late and ✖ missed where the encoding lacks them (the others are ASCII already).
ASCII_MARKS = {"✔": "+", "✓": "*", "✖": "X"}

_interrupted = False
_ending = False  # the command is over: a Ctrl-C now ends the process at once
_stdout_closed = False


def install() -> None:
    """Before anything else: Ctrl-C answered, closed standard streams held by /dev/null."""
    global _stdout_closed
    _stdout_closed = sys.stdout is None  # Python found descriptor 1 closed
    for fd in (0, 1, 2):  # so that no file this process opens later becomes its stdin, stdout or stderr
        _hold(fd)
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 -- the process's own stdin
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    configure_output(sys.stdout)  # before anything is written: help and messages too
    # An interrupt ignored when the process starts (`dxroadmap status &` in a script, `nohup`) stays ignored, as
    # Python itself leaves it: a Ctrl-C meant for the foreground job does not stop a background one.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _on_interrupt)


def _hold(fd: int) -> None:
    try:
        os.fstat(fd)
    except OSError:
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)


def _on_interrupt(signum: int, frame: Any) -> None:
    global _interrupted
    if _interrupted or _ending:  # the second Ctrl-C while the first unwinds: stop now
        end_interrupted()
    _interrupted = True
    raise KeyboardInterrupt


def interrupted() -> bool:
    """Whether Ctrl-C was pressed (a prompt turns it into an abort; the command line turns that back)."""
    return _interrupted


def run(body: Callable[[], object]) -> NoReturn:
    """`body()` (the command line), then exit with the code that says how it ended."""
    global _ending
    if _stdout_closed:
        _say(_message("cli.stdout_closed", "standard output is closed"))
        finish(1)
    try:
        body()
        code = 0
    except BaseException as exc:
        _ending = True
        code = _outcome(exc)
    _ending = True
    if _interrupted:  # Typer turns KeyboardInterrupt into a quiet exit 130: say it, and stop the workers
        end_interrupted()
    if type(sys.stdout).__name__ == "PacifyFlushWrapper":  # Typer's answer to EPIPE outside a command
        code = BROKEN_PIPE
    finish(code)


def _outcome(exc: BaseException) -> int:
    if isinstance(exc, SystemExit):
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        _say(str(exc.code))
        return 1
    if isinstance(exc, KeyboardInterrupt):
        end_interrupted()
    if isinstance(exc, BrokenPipeError):
        return BROKEN_PIPE
    failure = output_failure(exc)
    if failure is not None:
        _say(failure)
        return 1
    if not isinstance(exc, Exception) or os.environ.get("DXROADMAP_DEBUG"):
        raise exc
    _say(internal_error(exc))
    return INTERNAL


def output_failure(exc: BaseException) -> str | None:
    """The line to show when `exc` came from writing stdout (read-only, a full disk…); else None."""
    if not isinstance(exc, OSError) or isinstance(exc, BrokenPipeError):
        return None
    try:
        sys.stdout.flush()
        os.write(sys.stdout.fileno(), b"")  # a descriptor open for reading only fails here
    except io.UnsupportedOperation:  # not a file (a test's capture): not the cause
        return None
    except OSError as again:
        silence_stdout()
        return _cannot_write(again)
    except ValueError:
        return None
    return None


def _cannot_write(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return _message("cli.stdout_failed", f"cannot write to standard output: {reason}", reason=reason)


def finish(code: int) -> NoReturn:
    """Exit with `code`, stdout flushed first: 141 if its reader has gone, 1 if it cannot be written."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        code = BROKEN_PIPE
    except OSError as exc:
        silence_stdout()
        if code == 0:
            _say(_cannot_write(exc))
            code = 1
    except ValueError:  # closed under us
        silence_stdout()
    raise SystemExit(code)


def silence_stdout() -> None:
    """Point stdout at /dev/null: what is left in its buffer goes nowhere, with no error at exit."""
    with suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def end_interrupted() -> NoReturn:
    """Ctrl-C: workers stopped, one line, exit 130 now (every `finally` has run while the interrupt unwound)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop_children()
    _say(_message("cli.interrupted", "interrupted"))
    os._exit(INTERRUPTED)  # not waiting for threads or atexit: nothing of this process is worth waiting for


def stop_children() -> None:
    """The worker processes of this process (multiprocessing's), ended now rather than waited for."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:
        return
    with suppress(Exception):
        children = multiprocessing.active_children()
        for child in children:
            child.terminate()
        deadline = time.monotonic() + 0.2
        for child in children:
            child.join(max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                child.kill()


# --- internal errors -------------------------------------------------------------------------


def internal_error(exc: BaseException) -> str:
    """The line of an internal error (a bug); its traceback saved to a new private file named there."""
    from dxroadmap.safe import clean

    kind = type(exc).__name__
    message = clean(" ".join(str(exc).split()))[:500]
    try:
        path = save_traceback(exc)
    except OSError as why:
        reason = clean(why.strerror or str(why))
        return _message("cli.internal_unsaved", f"internal error: {kind}: {message} (traceback not saved: {reason})",
                        kind=kind, message=message, reason=reason)  # fmt: skip
    return _message("cli.internal", f"internal error: {kind}: {message} (traceback saved in {path})",
                    kind=kind, message=message, path=clean(path))  # fmt: skip


def save_traceback(exc: BaseException) -> str:
    """The traceback of `exc` in a new file of the temporary folder, readable by this user only (0600)."""
    import tempfile
    import traceback

    from dxroadmap import __version__

    fd, path = tempfile.mkstemp(prefix="dxroadmap-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as out:
        out.write(f"dxroadmap {__version__}, Python {sys.version.split()[0]} on {sys.platform}\n")
        out.write(f"command: {sys.argv!r}\n\n")
        out.write("".join(traceback.format_exception(exc)))
    return path


def _message(key: str, english: str, **values: object) -> str:
    """A message of the catalog when it is at hand (not while Python starts), else the English given."""
    try:
        from dxroadmap.i18n import t

        return t(key, **values)
    except Exception:
        return english


def _say(line: str) -> None:
    with suppress(Exception):
        sys.stderr.write(f"dxroadmap: {line}\n")
        sys.stderr.flush()


# --- encodings -------------------------------------------------------------------------------


def configure_output(stream: IO[str]) -> None:
    """A pipe or a file gets UTF-8; a terminal keeps its encoding, and what that lacks is replaced."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    codecs.register_error(ERRORS, _replace)
    with suppress(OSError, ValueError):
        if stream.isatty():
            reconfigure(errors=ERRORS)
        else:
            reconfigure(encoding="utf-8", errors=ERRORS)


def _replace(error: UnicodeError) -> tuple[str, int]:
    """The marks as ASCII, any other character the encoding lacks as `?` (`??` for a wide one, as it is drawn)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    lacking = error.object[error.start : error.end]
    return "".join(ASCII_MARKS.get(c) or "?" * _cells(c) for c in lacking), error.end


def _cells(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
