"""The commands' options: declared once in words of the chosen language, and read into what a command needs.

Every command declares the global options (`--dir`, `--as-of`, `--lang`, `--no-color`) so that they work
after the command name; `context` reads them into a `Context` (the language set, the as-of date checked,
stdout's encoding, colour, the progress bar). Values written in the fiscal calendar (`--year`, `--period`,
…) are read by `fiscal`'s parsers in the options' callbacks; what cannot be read is a usage error (exit 2)
in the chosen language. Metavars are words too (`PATH`, `DATE`, `N` … or `パス`, `日付`, `数` …), never a
Python type.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from dxroadmap import __version__, fiscal, guard, i18n, portfolio, replay
from dxroadmap.i18n import t


def opt(*names: str, metavar: str | None = None, help: str, **kwargs: Any) -> Any:
    """An option whose metavar and help are words of the catalog (`metavar.KEY`, `help.KEY`), in the chosen language."""
    return typer.Option(*names, metavar=t(f"metavar.{metavar}") if metavar else None, help=t(f"help.{help}"), **kwargs)


def arg(*, metavar: str, help: str, **kwargs: Any) -> Any:
    return typer.Argument(metavar=t(f"metavar.{metavar}"), help=t(f"help.{help}"), **kwargs)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Lang(StrEnum):
    ja = "ja"
    en = "en"


def given_path(value: str | Path) -> Path:
    """A path given on the command line (no file system looked at yet); one with a NUL byte is a usage error."""
    if "\x00" in str(value):
        raise typer.BadParameter(t("cli.nul_path"))
    return Path(value)


DirsOption = Annotated[  # the commands that take several, for a roll-up
    list[Path] | None,
    opt("--dir", metavar="path", parser=given_path, help="dir"),
]
DirOption = Annotated[  # the commands that work in one (a second --dir is refused)
    list[Path] | None,
    opt("--dir", metavar="path", parser=given_path, help="dir_one"),
]
AsOfOption = Annotated[
    str | None,  # any spelling of fiscal.parse_date, read by `context` once the language is set
    opt("--as-of", metavar="date", help="as_of"),
]
LangOption = Annotated[Lang | None, typer.Option("--lang", metavar="ja|en", help=t("help.lang"))]
NoColorOption = Annotated[bool, opt("--no-color", help="no_color")]
FormatOption = Annotated[Format, opt("--format", "-f", metavar="format", help="format")]
FieldOption = Annotated[str | None, opt("--field", metavar="field", help="field")]
OwnerOption = Annotated[str | None, opt("--owner", metavar="text", help="owner")]
WhenOption = Annotated[str | None, opt("--since", metavar="when", help="since")]


@dataclass
class Context:
    scope: portfolio.Scope  # the directories and the as-of date
    words: i18n.Words
    no_color: bool

    @property
    def as_of(self) -> date:
        return self.scope.as_of


AS_OF_RANGE = (date(fiscal.MIN_YEAR + 1, 1, 1), date(fiscal.MAX_YEAR - 1, 12, 31))


def date_option(value: str | None, param_hint: str) -> date | None:
    """A date option in any spelling of `fiscal.parse_date`; else a usage error (exit 2) in the chosen language."""
    if value is None:
        return None
    try:
        return fiscal.parse_date(value)
    except fiscal.FiscalError as exc:
        raise typer.BadParameter(str(exc), param_hint=param_hint) from None


def context(
    dir: list[Path] | None,
    as_of: str | None,
    lang: Lang | None,
    no_color: bool,
    *,
    replayable: bool = False,
    git: bool = False,
) -> Context:
    """The options every command shares, read. `replayable`: the command's output depends on the request and the
    roadmaps only (`git`: and the review log), so an unchanged run again may replay it (`replay`)."""
    chosen = i18n.resolve(lang.value if lang else None)
    i18n.set_language(chosen)
    day = date_option(as_of, "--as-of")
    low, high = AS_OF_RANGE
    if day is not None and not low <= day <= high:
        raise typer.BadParameter(t("cli.as_of_range", low=low.isoformat(), high=high.isoformat()), param_hint="--as-of")
    guard.configure_output(sys.stdout)  # UTF-8 into pipes and files; at a terminal, its encoding, never an error
    if os.environ.get("NO_COLOR"):
        no_color = True
    words = i18n.Words(chosen)
    bar = functools.partial(_progress_bar, words, no_color) if sys.stderr.isatty() else None
    scope = portfolio.Scope(tuple(dir or ()), day or date.today(), bar)
    if replayable:
        found = not dir and not os.environ.get("DXROADMAP_DIR")
        replay.reads(lambda: portfolio.roots(scope), found=found, git=git, only=lambda: scope.read)
    return Context(scope, words, no_color)


def _progress_bar(words: i18n.Words, no_color: bool, total: int) -> Any:
    from dxroadmap.report import terminal

    return terminal.progress_bar(total, words("reading"), no_color)


def _parsed_option(parse: Callable[[object], Any]) -> Callable[[str | None], Any]:
    """An option callback that reads the value with one of `fiscal`'s parsers (its refusal: a usage error)."""

    def callback(value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except fiscal.FiscalError as exc:
            raise typer.BadParameter(str(exc)) from None

    return callback


year_option = _parsed_option(fiscal.parse_year)
quarter_option = _parsed_option(fiscal.parse_quarter)
half_option = _parsed_option(fiscal.parse_half)
period_option = _parsed_option(fiscal.parse_period)


def at_least_one(value: int) -> int:
    """`--limit`: a whole number from 1, checked here (the help says so in words, not Python's `x>=1`)."""
    if value < 1:
        raise typer.BadParameter(t("cli.at_least_one", value=value))
    return value


PeriodOption = Annotated[str | None, opt("--period", metavar="period", callback=period_option, help="period")]


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"
    site = "site"


def export_format(output: str, format: ExportFormat | None, since: str | None) -> ExportFormat:
    """The format asked for, or the one the file's extension says; usage errors for what cannot be written."""
    from dxroadmap.report import export as exports

    suffix = Path(output).suffix.lower()
    chosen = format or (ExportFormat(exports.SUFFIXES[suffix]) if suffix in exports.SUFFIXES else None)
    if chosen is None:
        raise typer.BadParameter(t("cli.format_unknown"), param_hint="--format")
    if output == "-" and chosen is ExportFormat.xlsx:
        raise typer.BadParameter(t("cli.xlsx_stdout"), param_hint="-o")
    if output == "-" and chosen is ExportFormat.site:
        raise typer.BadParameter(t("cli.site_stdout"), param_hint="-o")
    if since is not None and chosen is ExportFormat.csv:
        raise typer.BadParameter(t("cli.since_format"), param_hint="--since")
    return chosen


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"dxroadmap {__version__}\n")
        raise typer.Exit()


VersionOption = Annotated[bool, opt("--version", callback=_version, is_eager=True, help="version")]
