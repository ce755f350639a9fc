"""`dxroadmap form` and `dxroadmap import` as a DX section runs them: forms out, answers back, reviewed, committed.

The services are tested in test_forms.py and test_import.py; here the two commands, through the command
line, with exit codes and what they print (the roadmap files compared byte for byte).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import Run
from tests.test_forms import FORM_A, FORM_C, OWNER_A, write_portfolio
from tests.test_forms import fill as fill_form
from tests.test_import import A_AFTER, ANSWERS, B_AFTER

AS_OF = "2026-11-26"


@pytest.fixture
def top(tmp_path: Path) -> Path:
    write_portfolio(tmp_path / "roadmaps")
    return tmp_path


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def test_form_writes_one_workbook_per_owner(run: Run, top: Path) -> None:
    result = run("form", "-o", "forms", "--as-of", AS_OF, cwd=top)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (top / "forms").iterdir()) == sorted([FORM_A, FORM_C])
    assert result.output.count("wrote forms/") == 2 and "2026-10-30" in result.output
    book = load_workbook(top / "forms" / FORM_A)
    assert book.sheetnames[0] == "記入方法", "Japanese for a Japanese plan, whatever the command line's language"


def test_form_for_one_owner_and_a_period(run: Run, top: Path) -> None:
    result = run("form", "-o", "out", "--owner", "DX推進課", "--period", "R8Q1", "--as-of", AS_OF, cwd=top)
    assert result.exit_code == 0, result.output
    assert [p.name for p in (top / "out").iterdir()] == [f"{OWNER_A}_R8Q1.xlsx"]


@pytest.mark.parametrize("period", ["R8Q5", "令和", "2026-07"])
def test_an_unreadable_period_is_a_usage_error(run: Run, top: Path, period: str) -> None:
    result = run("form", "-o", "out", "--period", period, "--as-of", AS_OF, cwd=top)
    assert result.exit_code == 2 and "--period" in result.output
    assert not (top / "out").exists()


def test_a_period_not_yet_begun_is_refused(run: Run, top: Path) -> None:
    result = run("form", "-o", "out", "--period", "R9Q1", "--as-of", AS_OF, cwd=top)
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert not (top / "out").exists()


def test_the_quarterly_round_trip(run: Run, top: Path) -> None:
    """Forms made, one filled and sent back; dry run shows the diff; import records; again adds nothing."""
    assert run("form", "-o", "forms", "--owner", "DX推進課", "--as-of", AS_OF, cwd=top).exit_code == 0
    answer = fill_form(top / "forms" / FORM_A, top / "回答_DX推進課.xlsx", ANSWERS)
    before = files(top / "roadmaps")

    dry = run("import", str(answer), "--dry-run", "--as-of", AS_OF, cwd=top)
    assert dry.exit_code == 0, dry.output
    assert "+        - 四半期: Q2" in dry.output and "+          評価: B" in dry.output
    assert files(top / "roadmaps") == before, "a dry run writes nothing"

    done = run("import", str(answer), "--as-of", AS_OF, cwd=top)
    assert done.exit_code == 0, done.output
    assert (top / "roadmaps" / "a.yaml").read_bytes() == A_AFTER.encode("utf-8")
    assert (top / "roadmaps" / "sub" / "b.yaml").read_bytes() == B_AFTER
    assert OWNER_A in done.output and "R8 Q2" in done.output

    again = run("import", str(answer), "--as-of", AS_OF, cwd=top)
    assert again.exit_code == 0 and "recorded already" in again.output
    assert (top / "roadmaps" / "a.yaml").read_bytes() == A_AFTER.encode("utf-8")


def test_a_bad_cell_is_named_and_nothing_is_written(run: Run, top: Path) -> None:
    assert run("form", "-o", "forms", "--owner", "DX推進課", "--as-of", AS_OF, cwd=top).exit_code == 0
    answers = dict(ANSWERS)
    answers[("a", "実装支援", "導入市町村数")] = {"value": "七", "reason": "遅れ"}
    answer = fill_form(top / "forms" / FORM_A, top / "回答_DX推進課.xlsx", answers)
    before = files(top / "roadmaps")
    result = run("import", str(answer), "--as-of", AS_OF, "--lang", "ja", cwd=top)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("回答_DX推進課.xlsx!報告!") and "七" in line for line in lines), result.output
    assert "何も書き込んでいません" in result.output
    assert files(top / "roadmaps") == before


def test_import_commit_makes_one_commit_per_workbook(run: Run, top: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(top))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in {"NAME": "DX推進課", "EMAIL": "dx@example.jp"}.items():
        monkeypatch.setenv(f"GIT_AUTHOR_{key}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{key}", value)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True, check=True).stdout

    git("init", "-q", "-b", "main")
    (top / ".gitignore").write_text("forms/\n*.xlsx\n.*.lock\n", encoding="utf-8")
    git("add", "-A")
    git("commit", "-q", "-m", "roadmaps")
    assert run("form", "-o", "forms", "--owner", "DX推進課", "--as-of", AS_OF, cwd=top).exit_code == 0
    answer = fill_form(top / "forms" / FORM_A, top / "回答_DX推進課.xlsx", ANSWERS)
    result = run("import", str(answer), "--commit", "--as-of", AS_OF, cwd=top)
    assert result.exit_code == 0, result.output
    assert git("log", "--format=%s").splitlines() == [f"import: {OWNER_A} R8 Q2", "roadmaps"]
    assert git("status", "--porcelain") == ""


def test_import_without_files_is_a_usage_error(run: Run, top: Path) -> None:
    assert run("import", cwd=top).exit_code == 2
