"""The documents say what the tool does: CI snippets that parse, every command and problem code in the README,
the Quick start commands that CI runs verbatim."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from dxroadmap.cli import app
from dxroadmap.problems import CODES

PROJECT = Path(__file__).resolve().parent.parent
README = (PROJECT / "README.md").read_text(encoding="utf-8")
CI_DOC = (PROJECT / "docs" / "ci.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
INSTALL = 'pip install "dxroadmap @ git+https://example.invalid/your-org/dxroadmap.git"'
COMMANDS = [command.name or command.callback.__name__ for command in app.registered_commands if command.callback]


def blocks(text: str, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(text) if lang == language]


def ci_documents() -> list[Any]:
    return [yaml.safe_load(body) for body in blocks(CI_DOC, "yaml")]


def scripts(steps: list[Any]) -> str:
    return "\n".join(str(step) for step in steps)


def test_every_yaml_block_of_the_ci_guide_parses() -> None:
    documents = ci_documents()
    assert len(documents) == 3
    assert all(isinstance(d, dict) for d in documents)


def test_github_workflow_validates_every_pull_request() -> None:
    (workflow,) = [d for d in ci_documents() if "jobs" in d]
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 (PyYAML) reads the key `on` as true
    assert "pull_request" in (triggers if isinstance(triggers, dict | list) else [triggers])
    (job,) = workflow["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert any(INSTALL in run for run in runs)
    assert "dxroadmap validate" in runs
    (slipping,) = [step for step in job["steps"] if step.get("run") == "dxroadmap slipping --exit-code"]
    assert "DXROADMAP_FAIL_ON_SLIPPING" in slipping["if"]
    assert all("uses" in step or "run" in step for step in job["steps"])


def test_gitlab_job_validates_every_merge_request() -> None:
    (document,) = [d for d in ci_documents() if any(isinstance(j, dict) and "script" in j for j in d.values())]
    (job,) = document.values()
    assert any("merge_request_event" in rule["if"] for rule in job["rules"])
    script = job["script"]
    assert all(isinstance(line, str) for line in script)
    assert script[0].startswith(INSTALL)
    assert "dxroadmap validate" in script
    assert any("DXROADMAP_FAIL_ON_SLIPPING" in line and "dxroadmap slipping --exit-code" in line for line in script)


def test_pre_commit_snippet_names_hooks_this_repository_offers() -> None:
    (config,) = [d for d in ci_documents() if "repos" in d]
    (repo,) = config["repos"]
    assert repo["repo"] == "https://example.invalid/your-org/dxroadmap.git"
    assert repo["rev"]
    offered = {hook["id"]: hook for hook in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert [hook["id"] for hook in repo["hooks"]] == ["dxroadmap-validate"]
    assert set(offered) == {"dxroadmap-validate", "dxroadmap-slipping"}
    assert offered["dxroadmap-validate"]["entry"] == "dxroadmap validate"
    assert offered["dxroadmap-validate"]["pass_filenames"] is True
    assert offered["dxroadmap-slipping"]["entry"].startswith("dxroadmap slipping --exit-code")
    assert offered["dxroadmap-slipping"]["stages"] == ["manual"]
    assert offered["dxroadmap-slipping"]["pass_filenames"] is False
    pattern = re.compile(offered["dxroadmap-validate"]["files"])
    assert pattern.search("roadmaps/kurashi-dx-kiban.yaml") and pattern.search("roadmaps/sangyo/a.yml")
    assert not pattern.search("docs/ci.md") and not pattern.search(".github/workflows/roadmaps.yml")


def test_the_readme_links_the_ci_guide() -> None:
    assert "docs/ci.md" in README


def test_commands_are_all_found() -> None:
    assert "history" in COMMANDS and "history_command" not in COMMANDS
    assert set(COMMANDS) >= {"status", "show", "slipping", "validate", "schema", "record", "new", "export"}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme_and_has_help(name: str) -> None:
    assert f"dxroadmap {name}" in README
    result = CliRunner().invoke(app, [name, "--help"], env={"LANG": "C.UTF-8", "COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert f"dxroadmap {name}" in result.output  # the usage line
    (command,) = [c for c in app.registered_commands if (c.name or c.callback.__name__) == name]
    description = (command.help or (command.callback.__doc__ if command.callback else None) or "").strip()
    first = " ".join(description.splitlines()[0].split()) if description else ""
    assert first, f"{name} has no description"
    assert first in " ".join(result.output.split()), result.output


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_problem_code_is_in_the_readme(code: str) -> None:
    assert f"`{code}`" in README


def test_quick_start_commands_are_what_ci_runs() -> None:
    section = README.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    install, tests = (body.strip() for body in blocks(section, "sh")[:2])
    assert len(blocks(section, "sh")) == 2
    assert "pip install -e ." in install and "dxroadmap status" in install
    assert ".[test]" in tests and "pytest" in tests
    assert tests in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


# --- docs/threats.md: every row names tests that exist ---------------------------------------------

THREATS = (PROJECT / "docs" / "threats.md").read_text(encoding="utf-8")


def test_every_row_of_the_threat_model_names_tests_that_exist() -> None:
    rows = [line for line in THREATS.splitlines() if line.startswith("| ") and not line.startswith("| channel")]
    assert len(rows) >= 30
    for row in rows:
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert len(cells) == 4, row
        named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`", cells[3])
        assert named, f"a row without a test: {row}"
        current = None
        for path, test, bare in named:
            current = path or current
            assert current is not None, row
            source = (PROJECT / current).read_text(encoding="utf-8")
            for name in (test, bare):
                if name:
                    assert re.search(rf"^(?:def|class) {name}\b", source, re.MULTILINE), f"{current}::{name} ({row})"
