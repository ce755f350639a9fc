"""The shape of the package, read from its source (AST): each heavy library is imported by exactly one
module, and the core (models, fiscal calendar, rules) imports nothing outside the core.

These replace ruff's per-file switch-offs of TID251, which let `import rich` into cli.py pass lint.
Imports inside functions count the same as those at the top (the tool imports lazily for speed).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "dxroadmap"

# library -> the one module that may import it (or the modules, for openpyxl)
HEAVY: dict[str, str | set[str] | None] = {
    # the command line's own: the commands, their options, shell completion, how a command's failures end
    "typer": {"cli", "options", "completion", "failures"},
    "click": None,  # Typer bundles its own: never imported directly
    "rich": "report.terminal",
    # two modules: report.xlsx writes workbooks (reports and the forms of `form`); intake reads answered
    # forms back (`import`), behind its own limits on untrusted files. Nothing else touches openpyxl.
    "openpyxl": {"report.xlsx", "intake"},
    "ruamel": "source",
    "yaml": "source",
}
# models, the fiscal calendar and the rules: no I/O, no framework, nothing above them
CORE = {
    "fiscal", "i18n", "catalog", "problems", "safe", "model", "settings", "states", "progress", "checks", "changes",
    "facts", "jsontext",
}  # fmt: skip


def modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "__init__.py"
    }


def imported(path: Path) -> set[str]:
    """Every module name `path` imports, anywhere in it (absolute names; `dxroadmap.` kept)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            assert node.level == 0, f"{path.name}: relative import"
            names.add(node.module)
            if node.module == "dxroadmap":  # `from dxroadmap import fiscal, store`
                names.update(f"dxroadmap.{alias.name}" for alias in node.names)
    return names


def test_the_modules_are_found() -> None:
    found = modules()
    assert {"cli", "source", "report.terminal", "report.xlsx", *CORE} <= set(found)


def test_each_heavy_library_is_imported_by_exactly_one_module() -> None:
    users: dict[str, set[str]] = {library: set() for library in HEAVY}
    for name, path in modules().items():
        for module in imported(path):
            top = module.split(".")[0]
            if top in users:
                users[top].add(name)
    assert users == {
        library: (owner if isinstance(owner, set) else {owner} if owner else set()) for library, owner in HEAVY.items()
    }


def test_the_core_imports_only_the_core_and_the_standard_library() -> None:
    allowed_third_party = {"pydantic", "pydantic_core"}  # the models are Pydantic models
    for name in CORE:
        path = modules()[name]
        for module in imported(path):
            top = module.split(".")[0]
            if module.startswith("dxroadmap."):
                inner = module.removeprefix("dxroadmap.")
                assert inner in CORE or inner == "__version__", f"{name} imports {module}"
            elif top == "dxroadmap":
                continue
            else:
                assert top in allowed_third_party or _standard(top), f"{name} imports {module}"


def _standard(top: str) -> bool:
    import sys

    return top in sys.stdlib_module_names or top == "__future__"


def test_every_map_keyed_by_state_covers_every_state() -> None:
    """A state added to the rules without its word, mark, colour or schema enum fails here, not at render time."""
    import json

    from dxroadmap import i18n
    from dxroadmap.progress import FLAGS, SEVERITY, TARGET_STATES
    from dxroadmap.report import html, tables, terminal, xlsx

    states = set(SEVERITY)
    assert set(TARGET_STATES) <= states
    for name, keyed in [
        ("i18n words", i18n._WORDS),
        ("marks", tables.MARKS),
        ("terminal styles", terminal.STYLES),
        ("xlsx fills", xlsx.FILLS),
        ("xlsx inks", xlsx.INKS),
        ("html colours", html.COLOURS),
    ]:
        assert states <= set(keyed), f"{name} lack {states - set(keyed)}"
    assert set(FLAGS) <= set(i18n._WORDS), "every flag has its word"
    schema = json.loads((PACKAGE.parent.parent / "schemas" / "portfolio.schema.json").read_text(encoding="utf-8"))
    enums = [e for e in _enums(schema) if set(e) & states]
    assert enums, "the schema names the states"
    for enum in enums:
        assert set(enum) - {None} <= states, enum


def _enums(node: object) -> list[list[object]]:
    if isinstance(node, dict):
        found = [node["enum"]] if isinstance(node.get("enum"), list) else []
        return found + [e for value in node.values() for e in _enums(value)]
    if isinstance(node, list):
        return [e for value in node for e in _enums(value)]
    return []


SERVICES = {
    "store", "source", "yaml_syntax", "index", "recording", "edit", "history", "vcs", "scaffold", "schema",
    "forms", "importing",  # `form` and `import`; their reader of workbooks, intake, is openpyxl's second module
    "cachedir", "replay",  # where the caches are; a reading command's output replayed (standard library only)
}  # fmt: skip


def test_services_reach_neither_the_reports_nor_the_command_line() -> None:
    """Arrows point inward: the services take what they need to render (e.g. `index` takes a serialiser)."""
    found = modules()
    assert set(found) >= SERVICES
    for name in SERVICES:
        for module in imported(found[name]):
            assert not module.startswith(("dxroadmap.report", "dxroadmap.cli", "dxroadmap.guard")), (
                f"{name} imports {module}"
            )
            assert module not in ("typer", "rich") and not module.startswith(("rich.", "openpyxl")), (
                f"{name} imports {module}"
            )


REPORTS_MAY_READ = {"history", "forms"}  # the data types they render: review-log events; a form's rows
COMMAND_LINE = {"cli", "__main__", "guard", "helptext", "dialogue", "options", "completion", "failures", "exporting"}


def _layer(name: str) -> int:
    if name in CORE or name == "__version__":
        return 1
    if name in SERVICES or name in ("portfolio", "intake"):
        return 2
    if name == "report" or name.startswith("report."):
        return 3
    assert name in COMMAND_LINE, f"{name}: not placed in a layer (see ARCHITECTURE.md)"
    return 4


def test_no_arrow_runs_from_a_lower_layer_to_a_higher_one() -> None:
    """core (1) < services (2) < reports (3) < command line (4), as ARCHITECTURE.md states them."""
    for name, path in modules().items():
        own = _layer(name)
        for module in imported(path):
            if not module.startswith("dxroadmap."):
                continue
            inner = module.removeprefix("dxroadmap.")
            if own == 3 and inner in REPORTS_MAY_READ:
                continue
            assert _layer(inner) <= own, f"{name} (layer {own}) imports {inner} (layer {_layer(inner)})"


def test_commands_parse_call_and_render_in_few_lines() -> None:
    """Each command's body (after its docstring) is at most ~30 lines, and cli.py at most ~500: the work is in the
    services, the options' declarations and parsing in `options`, completion in `completion`, failures in `failures`."""
    text = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 500
    tree = ast.parse(text)
    commands = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "command" for d in node.decorator_list)
    ]
    assert len(commands) >= 9
    for command in commands:
        first = command.body[1] if isinstance(command.body[0], ast.Expr) else command.body[0]
        length = (command.end_lineno or 0) - first.lineno + 1
        assert length <= 32, f"{command.name}: {length} lines"
