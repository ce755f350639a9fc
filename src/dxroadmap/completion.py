"""Shell completion: the scripts of `--show-completion SHELL` and `--install-completion SHELL`, and the
values completed at a prompt (project ids, initiatives).

The shell is always the one named, never guessed from the shell that happens to have started us: Typer's
own completion options (which guess) are off, and these call its callbacks with the shell given.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer import completion as typer_completion

from dxroadmap import portfolio
from dxroadmap.i18n import t


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"


typer_completion.completion_init()  # type: ignore[attr-defined]  # Typer does this only for its own completion options, which guess the shell


def _show(ctx: typer.Context, param: typer.CallbackParam, value: Shell | None) -> None:
    """The completion script of the shell given, never of the shell that happens to have started us."""
    if value is not None:
        typer_completion.show_callback(ctx, param, value.value)


def _install(ctx: typer.Context, param: typer.CallbackParam, value: Shell | None) -> None:
    if value is not None:
        typer_completion.install_callback(ctx, param, value.value)


_ShellOption = functools.partial(typer.Option, metavar=t("metavar.shell"), is_eager=True, show_default=False)
ShowOption = Annotated[Shell | None, _ShellOption("--show-completion", callback=_show, help=t("help.show_completion"))]
InstallOption = Annotated[
    Shell | None, _ShellOption("--install-completion", callback=_install, help=t("help.install_completion"))
]


def _given_dir(ctx: typer.Context) -> Path | None:
    return next(iter(ctx.params.get("dir") or []), None)


def project(ctx: typer.Context, incomplete: str) -> list[str]:
    return portfolio.complete_project(_given_dir(ctx), incomplete)


def initiative(ctx: typer.Context, incomplete: str) -> list[str]:
    # while an option's value is completed, the positional argument may still sit in ctx.args
    query = str(ctx.params.get("project") or next(iter(ctx.args), ""))
    return portfolio.complete_initiative(_given_dir(ctx), query, incomplete)
