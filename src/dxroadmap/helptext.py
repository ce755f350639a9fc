"""`--help` in words of the chosen language: the framework's own words too, metavars in words.

Mixins for the command-line framework's command and group classes (the command line combines
them with Typer's); nothing here imports the framework.
"""

from __future__ import annotations

from typing import Any

from dxroadmap.i18n import t

# Typer's words in help go through gettext (`typer.core._`): its hook, answered from the catalog.
FRAMEWORK_WORDS = {
    "Options": "help.options",
    "Arguments": "help.arguments",
    "Commands": "help.commands",
    "default: {default}": "help.default",
    "required": "help.required",
}


def framework_gettext(message: str) -> str:
    key = FRAMEWORK_WORDS.get(message)
    return t(key) if key is not None else message


class Helpful:
    """What Typer's command classes show in `--help`, in words of the chosen language.

    The usage line (Click's `write_usage` prefix), the help option's own text, and arguments named
    by their metavar (`PROJECT`, not `project <str>`); a number range is said in the option's help.
    The usage line of a usage error is left as it was: only `--help` changes.
    """

    _helping = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        Helpful._helping = True
        try:
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            Helpful._helping = False

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        if not Helpful._helping:
            return super().format_usage(ctx, formatter)  # type: ignore[misc, no-any-return]
        words = {"[OPTIONS]": t("help.options_metavar"), "COMMAND [ARGS]...": t("help.command_metavar")}
        pieces = [words.get(piece, piece) for piece in self.collect_usage_pieces(ctx)]  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("help.usage"))
        return None

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = t("help.help")
        return option


class CommandHelp(Helpful):
    """A command's help: arguments named by their metavar, and a number range said in words, not `x>=1`."""

    params: list[Any]  # the framework's command has them

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:  # `x>=1` is Python's; the help says "at least 1" (the value is checked all the same)
            param.min = param.max = None

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                name = (param.metavar or param.name or "") + ("..." if param.nargs != 1 else "")
                arguments.append((name, record[1]))
            else:
                options.append(record)
        for heading, rows in ((t("help.arguments"), arguments), (t("help.options"), options)):
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)
