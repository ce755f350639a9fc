"""The read commands as a user runs them: status, show, slipping, validate, schema (DESIGN.md §6)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dxroadmap import schema
from tests.conftest import AS_OF, PROJECT, ROADMAPS, SEED_FILES, SEED_PLAN, SHIPPED, Run, copy_sample, no_crash

SEED_NAME = "暮らし・まちのDX創出基盤の構築"
INIT2 = "デジタル実装支援"


# --- status -----------------------------------------------------------------------------


def test_status_table_groups_by_field_with_counts_marks_and_flags(run: Run, seed_repo: Path) -> None:
    result = run("status", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0
    out = result.stdout
    assert "As of 2026-11-26 (R8)" in out and "Last quarter R8 Q2" in out
    assert "暮らし・まち" in out and SEED_NAME in out and "企画政策部DX推進課" in out
    assert "1/16/19" in out
    assert "missed 15, unreported 1" in out
    assert "✖ missed" in out  # the legend explains the marks
    row = next(line for line in out.splitlines() if SEED_NAME in line)
    assert "✖ missed" in row  # the project's state
    assert row.split("%")[1].split()[:4] == ["✖", "✖", "✖", "o"]  # R5–R8 marks after the bar
    assert "Total (1)" in out


def test_status_json_has_exactly_the_documented_fields(run: Run, seed_repo: Path) -> None:
    data = json.loads(run("status", "--as-of", AS_OF, "--format", "json", cwd=seed_repo).stdout)
    assert set(data) == {
        "as_of", "fiscal_year", "last_quarter", "last_report_period", "next_meeting", "projects", "invalid",
    }  # fmt: skip
    assert data["last_report_period"] == {"fiscal_year": "R8", "period": "Q2"}
    [project] = data["projects"]
    assert set(project) == {"id", "field", "focus", "name", "owner", "state", "targets", "flags", "initiatives"}
    assert project["flags"] == {"missed": 15, "slipping": 0, "unreported": 1, "optimistic": 0}
    initiative = project["initiatives"][0]
    assert set(initiative) == {"name", "state", "unreported", "targets"}
    target = initiative["targets"][0]
    assert target == {
        "fiscal_year": "R5",
        "text": "ニーズ調査",
        "due": "2024-03-31",
        "state": "done",
        "achieved_in": "R5",
        "achieved_on": "2024-03-31",
        "kpi": None,
    }
    assert data["next_meeting"] is None  # every meeting of the seed plan is in 2023


def test_status_names_the_next_meeting(run: Run, sample_repo: Path) -> None:
    data = json.loads(run("status", "--as-of", AS_OF, "--format", "json", cwd=sample_repo).stdout)
    assert data["next_meeting"] == {"name": "令和8年度第3回DX推進本部会議", "date": "2026-11-30"}
    table = run("status", "--as-of", AS_OF, cwd=sample_repo).stdout
    assert "Next meeting 令和8年度第3回DX推進本部会議 2026-11-30" in table


def test_status_groups_fields_in_plan_order(run: Run, sample_repo: Path) -> None:
    data = json.loads(run("status", "--as-of", AS_OF, "--format", "json", cwd=sample_repo).stdout)
    fields = list(dict.fromkeys(p["field"] for p in data["projects"]))
    assert fields == ["産業・しごと", "暮らし・まち", "行政経営"]


def test_status_kpi_target_in_json(run: Run, sample_repo: Path) -> None:
    data = json.loads(run("status", "--as-of", AS_OF, "--format", "json", cwd=sample_repo).stdout)
    kpis = [t for p in data["projects"] for i in p["initiatives"] for t in i["targets"] if t["kpi"]]
    assert kpis, "the sample has KPIs"
    assert all(set(t["kpi"]) == {"target", "unit", "baseline", "direction", "value"} for t in kpis)
    assert {t["kpi"]["direction"] for t in kpis} == {"up", "down"}


@pytest.mark.parametrize("spelling", ["暮らし・まち", "暮らし・まち分野"])
def test_status_field_filter(run: Run, sample_repo: Path, spelling: str) -> None:
    data = json.loads(run("status", "--as-of", AS_OF, "--format", "json", "--field", spelling, cwd=sample_repo).stdout)
    assert data["projects"] and {p["field"] for p in data["projects"]} == {"暮らし・まち"}


def test_status_unknown_field_lists_the_fields(run: Run, sample_repo: Path) -> None:
    result = run("status", "--field", "宇宙", cwd=sample_repo)
    assert result.exit_code == 1
    assert "産業・しごと" in result.stderr and "行政経営" in result.stderr


def test_status_owner_filter_matches_part_of_the_name(run: Run, sample_repo: Path) -> None:
    data = json.loads(run("status", "--as-of", AS_OF, "--format", "json", "--owner", "総務部", cwd=sample_repo).stdout)
    assert data["projects"] and all("総務部" in p["owner"] for p in data["projects"])


def test_status_csv_and_markdown(run: Run, seed_repo: Path) -> None:
    rows = list(csv.reader(io.StringIO(run("status", "--as-of", AS_OF, "-f", "csv", cwd=seed_repo).stdout)))
    assert rows[0][:3] == ["id", "Field", "Name"]
    assert rows[1][0] == "kurashi-dx-kiban" and rows[1][2] == SEED_NAME and rows[1][5] == "1/16/19"
    markdown = run("status", "--as-of", AS_OF, "-f", "markdown", cwd=seed_repo).stdout
    assert markdown.splitlines()[1].startswith("|---")
    assert f"| kurashi-dx-kiban | 暮らし・まち | {SEED_NAME} |" in markdown


def test_status_in_japanese(run: Run, seed_repo: Path) -> None:
    by_option = run("status", "--as-of", AS_OF, "--lang", "ja", cwd=seed_repo).stdout
    by_locale = run("status", "--as-of", AS_OF, cwd=seed_repo, env={"LANG": "ja_JP.UTF-8", "LC_ALL": ""}).stdout
    for out in (by_option, by_locale):
        assert "未達 15, 未報告 1" in out and "基準日 2026-11-26" in out


def test_japanese_text_wraps_instead_of_being_cut(run: Run, sample_repo: Path) -> None:
    out = run("status", "--as-of", AS_OF, cwd=sample_repo, env={"COLUMNS": "70"}).stdout
    assert "…" not in out
    assert "防災情報の一元化" in out  # the start of a long name is there, the rest folded onto the next lines


def test_output_to_a_pipe_has_no_escape_codes(run: Run, seed_repo: Path) -> None:
    result = run("status", "--as-of", AS_OF, cwd=seed_repo, env={"NO_COLOR": ""})
    assert "\x1b" not in result.stdout


# --- show -------------------------------------------------------------------------------


def test_show_prints_the_roadmap_grid_with_state_marks(run: Run, seed_repo: Path) -> None:
    result = run("show", "kurashi", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0
    out = result.stdout
    for text in (SEED_NAME, "企画政策部DX推進課", "本県における地域", "Targets", "Actuals", "R5", "R9"):
        assert text in out
    assert "✔ ニーズ調査" in out and "✖ ロードマップ作成" in out and "o フィールドワーク" in out
    assert "? unreported" in out  # デジタル実装支援 has not reported R8 Q2


def test_show_finds_a_project_by_part_of_its_name(run: Run, seed_repo: Path) -> None:
    assert run("show", "DX創出基盤", "--as-of", AS_OF, cwd=seed_repo).exit_code == 0


def test_show_json_includes_actuals(run: Run, seed_repo: Path) -> None:
    data = json.loads(run("show", "kurashi-dx-kiban", "--as-of", AS_OF, "-f", "json", cwd=seed_repo).stdout)
    assert data["id"] == "kurashi-dx-kiban"
    assert data["initiatives"][0]["actuals"][0]["text"] == "ニーズ調査"


def test_show_markdown_is_a_grid(run: Run, seed_repo: Path) -> None:
    out = run("show", "kurashi", "--as-of", AS_OF, "-f", "markdown", cwd=seed_repo).stdout
    assert out.startswith(f"## {SEED_NAME}")
    assert "| Initiative |  | R5 | R6 | R7 | R8 | R9 |" in out
    assert "✔ ニーズ調査<br>✖ ロードマップ作成" in out


def test_unknown_project_lists_candidates(run: Run, seed_repo: Path) -> None:
    result = run("show", "存在しない事業", cwd=seed_repo)
    assert result.exit_code == 1
    assert "no project matches 存在しない事業" in result.stderr and "kurashi-dx-kiban" in result.stderr


def test_ambiguous_project_lists_the_matches(run: Run, sample_repo: Path) -> None:
    result = run("show", "gyosei/", cwd=sample_repo)
    assert result.exit_code == 1
    assert "matches 4 projects" in result.stderr and "gyosei/data-katsuyo" in result.stderr


# --- slipping ---------------------------------------------------------------------------


def test_slipping_table_worst_first(run: Run, seed_repo: Path) -> None:
    result = run("slipping", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if "kurashi-dx-kiban" in line]
    assert len(lines) == 16
    assert "✖ missed" in lines[0] and "? unreported" in lines[-1]
    assert "no actual for R8 Q2" in lines[-1] and "2026-10-30" in lines[-1]


def test_slipping_csv_and_markdown(run: Run, seed_repo: Path) -> None:
    rows = list(csv.reader(io.StringIO(run("slipping", "--as-of", AS_OF, "-f", "csv", cwd=seed_repo).stdout)))
    assert len(rows) == 17 and rows[0][0] == "State"
    assert run("slipping", "--as-of", AS_OF, "-f", "markdown", cwd=seed_repo).stdout.count("\n") == 18


def test_slipping_when_nothing_is_flagged(run: Run, seed_repo: Path) -> None:
    result = run("slipping", "--as-of", "2023-06-01", "--exit-code", cwd=seed_repo)
    assert result.exit_code == 0
    assert "Nothing is slipping" in result.stdout


def test_slipping_explained_and_outlook_in_json(run: Run, sample_repo: Path) -> None:
    items = json.loads(run("slipping", "--as-of", AS_OF, "-f", "json", cwd=sample_repo).stdout)
    assert items and [i["state"] for i in items] == sorted(
        (i["state"] for i in items), key=["missed", "slipping", "unreported"].index
    )
    assert any(i["explained"] and i["outlook"] for i in items)


# --- validate ---------------------------------------------------------------------------


def test_validate_the_shipped_roadmaps_and_the_sample(run: Run, tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    for name in SEED_FILES:  # the shipped files, copied by name: never what a user has added beside them
        shutil.copy2(ROADMAPS / name, seed / name)
    assert run("validate", "--dir", str(seed)).exit_code == 0
    result = run("validate", "--dir", str(copy_sample(tmp_path / "sample")))
    assert result.exit_code == 0
    assert "checked 12 file(s): 0 problem(s)" in result.stderr


def test_validate_explicit_files(run: Run, seed_repo: Path) -> None:
    good = seed_repo / "roadmaps" / "kurashi-dx-kiban.yaml"
    bad = seed_repo / "elsewhere.yaml"
    bad.write_text("事業名: x\n", encoding="utf-8")
    assert run("validate", str(good), cwd=seed_repo).exit_code == 0
    result = run("validate", str(good), str(bad), cwd=seed_repo)
    assert result.exit_code == 1
    assert "elsewhere.yaml:1:1: missing-key missing key 政策分野" in result.stdout


def test_validate_json(run: Run, seed_repo: Path) -> None:
    (seed_repo / "roadmaps" / "broken.yaml").write_text("事業名: [\n", encoding="utf-8")
    result = run("validate", "-f", "json", cwd=seed_repo)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["checked"] == 2
    [problem] = data["invalid"]
    # at the "[" that is never closed, not at the end of the file where the parser noticed it
    assert problem["code"] == "yaml-syntax" and problem["line"] == 1 and problem["path"].endswith("broken.yaml")


# --- finding the roadmaps ---------------------------------------------------------------


def test_roadmaps_found_from_a_subfolder_by_env_and_by_option(run: Run, seed_repo: Path, tmp_path: Path) -> None:
    deep = seed_repo / "docs" / "deep"
    deep.mkdir(parents=True)
    assert run("validate", cwd=deep).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run("validate", cwd=elsewhere, env={"DXROADMAP_DIR": str(seed_repo / "roadmaps")}).exit_code == 0
    assert run("validate", "--dir", str(seed_repo / "roadmaps"), cwd=elsewhere).exit_code == 0


def test_no_roadmaps_directory_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    result = run("status", cwd=tmp_path)
    assert result.exit_code == 1
    assert "no roadmaps/ directory" in result.stderr and "--dir" in result.stderr


def test_files_and_folders_starting_with_underscore_or_dot_are_not_projects(run: Run, seed_repo: Path) -> None:
    for name in ("_draft.yaml", ".hidden.yaml", "_archive/old.yaml", ".git/x.yaml"):
        path = seed_repo / "roadmaps" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("broken: [\n", encoding="utf-8")
    sub = seed_repo / "roadmaps" / "sangyo"
    sub.mkdir()
    (sub / "copy.yml").write_bytes((seed_repo / "roadmaps" / "kurashi-dx-kiban.yaml").read_bytes())
    data = json.loads(run("status", "--as-of", AS_OF, "-f", "json", cwd=seed_repo).stdout)
    assert [p["id"] for p in data["projects"]] == ["kurashi-dx-kiban", "sangyo/copy"]


# --- usage errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["status", "--as-of", "2026.99.1"], ["status", "--format", "xml"], ["status", "--lang", "fr"], ["nosuch"]],
)
def test_usage_errors_exit_2(run: Run, seed_repo: Path, args: list[str]) -> None:
    assert run(*args, cwd=seed_repo).exit_code == 2


def test_global_options_work_after_the_command(run: Run, seed_repo: Path) -> None:
    args = ["--dir", str(seed_repo / "roadmaps"), "--as-of", AS_OF, "--lang", "en", "--no-color"]
    for command in (["status"], ["show", "kurashi"], ["slipping"]):
        assert run(*command, *args).exit_code == 0


def test_version(run: Run) -> None:
    from dxroadmap import __version__

    assert run("--version").stdout.strip() == f"dxroadmap {__version__}"


# --- schemas ----------------------------------------------------------------------------


def test_committed_schemas_match_the_models() -> None:
    for name, generated in schema.schemas().items():
        committed = (PROJECT / "schemas" / name).read_text(encoding="utf-8")
        assert committed == schema.dumps(generated), f"schemas/{name} is stale: run `dxroadmap schema --write`"


def test_schema_command_prints_and_writes(run: Run, seed_repo: Path) -> None:
    printed = json.loads(run("schema").stdout)
    assert set(printed) == {"roadmap.schema.json", "plan.schema.json", "portfolio.schema.json"}
    assert printed["roadmap.schema.json"]["$schema"] == "http://json-schema.org/draft-07/schema#"
    result = run("schema", "--write", cwd=seed_repo)
    assert result.exit_code == 0
    written = json.loads((seed_repo / "schemas" / "roadmap.schema.json").read_text(encoding="utf-8"))
    assert written == printed["roadmap.schema.json"]


def test_schema_lists_the_japanese_keys_and_year_pattern() -> None:
    roadmap = schema.schemas()["roadmap.schema.json"]
    assert set(roadmap["properties"]) == {
        "政策分野",
        "事業名",
        "担当課",
        "概要",
        "取組方針",
        "備考",
        "報告頻度",
        "取組",
    }
    kpi = roadmap["definitions"]["KpiTarget"]["properties"]
    assert {"基準年度", "基準日"} <= set(kpi)
    entry = roadmap["definitions"]["ActualEntry"]["properties"]
    assert {"半期", "評価"} <= set(entry)
    plan = schema.schemas()["plan.schema.json"]
    assert {"報告頻度", "評価区分"} <= set(plan["properties"])
    targets = roadmap["definitions"]["Initiative"]["properties"]["目標"]
    import re

    pattern = re.compile(targets["propertyNames"]["pattern"])
    for good in ("R5", "令和5年度", "FY2023", "2023年度", "2023年度(令和5年度)", "令和元年度", "H30", "平成30年度"):
        assert pattern.match(good), good
    assert not pattern.match("X5")


def test_shipped_roadmaps_point_editors_at_the_schema() -> None:
    for path in SHIPPED:  # named: a roadmap a user has added is not a shipped one
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target.exists(), f"{path}: {target}"


# --- architecture -----------------------------------------------------------------------


def test_the_core_imports_no_typer_rich_or_ruamel() -> None:
    code = (
        "import sys, dxroadmap.model, dxroadmap.fiscal, dxroadmap.progress, dxroadmap.checks;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'ruamel', 'click'}))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_help_imports_no_yaml_rich_or_pydantic() -> None:
    code = (
        "import sys; from dxroadmap.cli import app; from typer.testing import CliRunner;"
        "CliRunner().invoke(app, ['--help']);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'ruamel', 'pydantic'}))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["status"], 0),
        (["show", "kurashi"], 0),
        (["slipping"], 0),
        (["validate"], 0),
        (["history"], 1),  # outside git: exit 1 with a message, not a usage error
        (["record", "--help"], 0),
    ],
)
def test_every_command_takes_the_global_options_after_its_name(
    run: Run, seed_repo: Path, command: list[str], code: int
) -> None:
    args = ["--dir", str(seed_repo / "roadmaps"), "--as-of", AS_OF, "--lang", "en", "--no-color"]
    result = run(*command, *args, cwd=seed_repo)
    assert "No such option" not in result.output
    assert result.exit_code == code, result.output
    if command == ["history"]:
        assert "git" in result.stderr, result.output


# --- shell completion -------------------------------------------------------------------


def _complete(shell_env: dict[str, str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_DXROADMAP", "COMP_", "_TYPER"))}
    env |= {"LANG": "C.UTF-8", **shell_env}
    script = str(Path(sys.executable).with_name("dxroadmap"))  # completion keys on the program's name
    proc = subprocess.run([script], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    no_crash(proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def test_completion_of_commands_project_ids_and_initiatives(sample_repo: Path) -> None:
    bash = {"_DXROADMAP_COMPLETE": "complete_bash", "COMP_WORDS": "dxroadmap sl", "COMP_CWORD": "1"}
    assert _complete(bash, sample_repo).split() == ["slipping"]
    zsh = {"_DXROADMAP_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "dxroadmap show kurashi/"}
    assert "kurashi/demand-kotsu" in _complete(zsh, sample_repo)
    assert "gyosei/" not in _complete(zsh, sample_repo)
    words = "dxroadmap record kurashi/demand-kotsu -i "
    bash_i = {"_DXROADMAP_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4"}
    assert "実証運行" in _complete(bash_i, sample_repo).splitlines()
    fish = {"_DXROADMAP_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "dxroadmap history gyo",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args"}  # fmt: skip
    assert "gyosei/shinsei-online" in _complete(fish, sample_repo)


def test_completion_scripts_for_explicit_shells(run: Run) -> None:
    for shell in ("bash", "zsh", "fish", "powershell"):
        result = run("--show-completion", shell)
        assert result.exit_code == 0, shell
        assert "_DXROADMAP_COMPLETE" in result.stdout, shell


def _dx_from_sh(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The installed command started from `sh`, whatever shell runs the suite: nothing may be guessed from it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_DXROADMAP", "_TYPER"))}
    env |= {"SHELL": "/bin/sh", "HOME": str(home), "LANG": "C.UTF-8"}
    script = str(Path(sys.executable).with_name("dxroadmap"))
    command = " ".join(["exec", script, *args])
    proc = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, check=False, timeout=60)
    no_crash(proc.returncode, proc.stdout, proc.stderr)
    return proc


def test_show_completion_honours_the_shell_given(tmp_path: Path) -> None:
    zsh = _dx_from_sh("--show-completion", "zsh", home=tmp_path)
    bash = _dx_from_sh("--show-completion", "bash", home=tmp_path)
    assert zsh.returncode == bash.returncode == 0, zsh.stderr + bash.stderr
    assert zsh.stdout != bash.stdout
    assert "#compdef dxroadmap" in zsh.stdout and "complete_zsh" in zsh.stdout and "complete_bash" not in zsh.stdout
    assert "complete_bash" in bash.stdout and "COMPREPLY" in bash.stdout and "complete_zsh" not in bash.stdout
    assert _dx_from_sh("--show-completion", "ksh", home=tmp_path).returncode == 2  # not a guess: a usage error
    assert _dx_from_sh("--show-completion", home=tmp_path).returncode == 2  # the shell must be named


def test_install_completion_honours_the_shell_given(tmp_path: Path) -> None:
    done = _dx_from_sh("--install-completion", "zsh", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "complete_zsh" in (tmp_path / ".zfunc" / "_dxroadmap").read_text(encoding="utf-8")
    assert not (tmp_path / ".bashrc").exists()


def test_version_of_the_installed_command(tmp_path: Path) -> None:
    from dxroadmap import __version__

    done = _dx_from_sh("--version", home=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"dxroadmap {__version__}\n")


def test_slipping_table_shows_the_worst_items_and_says_how_many_more(run: Run, seed_repo: Path) -> None:
    limited = run("slipping", "--as-of", AS_OF, "--limit", "5", cwd=seed_repo)
    assert limited.exit_code == 0
    assert len([line for line in limited.stdout.splitlines() if "kurashi-dx-kiban" in line]) == 5
    assert "and 11 more (all of them: --all, or --format csv / json)" in limited.stdout
    everything = run("slipping", "--as-of", AS_OF, "--limit", "5", "--all", cwd=seed_repo)
    assert len([line for line in everything.stdout.splitlines() if "kurashi-dx-kiban" in line]) == 16
    assert len(json.loads(run("slipping", "--as-of", AS_OF, "--limit", "5", "-f", "json", cwd=seed_repo).stdout)) == 16


# --- dates and 平成 years in every spelling (issue 12) -----------------------------------


@pytest.mark.parametrize("spelling", ["2026/11/26", "令和8年11月26日", "R8.11.26", "２０２６年１１月２６日"])
def test_as_of_takes_every_date_spelling(run: Run, seed_repo: Path, spelling: str) -> None:
    iso = run("status", "--as-of", AS_OF, "--format", "json", cwd=seed_repo)
    other = run("status", "--as-of", spelling, "--format", "json", cwd=seed_repo)
    assert other.exit_code == 0, other.output
    assert other.stdout == iso.stdout


def test_a_bad_as_of_is_a_usage_error_in_the_chosen_language(run: Run, seed_repo: Path) -> None:
    japanese = run("status", "--as-of", "2026.99.1", "--lang", "ja", cwd=seed_repo)
    assert japanese.exit_code == 2
    assert "--as-of" in japanese.stderr and "'2026.99.1' は日付として読めません" in japanese.stderr
    assert "令和8年11月15日" in japanese.stderr and "does not match the format" not in japanese.stderr
    english = run("show", "kurashi", "--as-of", "R8.2.30", cwd=seed_repo)
    assert english.exit_code == 2 and "'R8.2.30' is not a date (write 2026-11-15, 2026/11/15" in english.stderr
    assert run("status", "--as-of", "1900/1/1", cwd=seed_repo).exit_code == 2  # the range check still holds


def test_record_date_takes_every_spelling(run: Run, seed_repo: Path) -> None:
    args = ("record", "kurashi-dx-kiban", "-i", "2", "--note", "研修", "--as-of", AS_OF, "--dry-run")
    result = run(*args, "--date", "令和8年9月15日", cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert "+          日付: 2026-09-15" in result.stdout
    bad = run(*args, "--date", "R8.9.31", "--lang", "ja", cwd=seed_repo)
    assert bad.exit_code == 2 and "--date" in bad.stderr and "'R8.9.31' は日付として読めません" in bad.stderr


DATED = """\
政策分野: 暮らし・まち
事業名: 日付の書き方
担当課: 企画政策部DX推進課
取組:
  - 名称: 調査
    目標:
      R8:
        - {内容: ニーズ調査, 期限: DAY}
        - 報告書作成
    実績:
      R8:
        - 達成: ニーズ調査
          日付: DAY
"""


def _dated_repo(top: Path, day: str) -> Path:
    (top / "roadmaps").mkdir(parents=True)
    (top / "roadmaps" / "_plan.yaml").write_text(SEED_PLAN, encoding="utf-8")
    (top / "roadmaps" / "dated.yaml").write_text(DATED.replace("DAY", day), encoding="utf-8")
    return top


@pytest.mark.parametrize("spelling", ["2026/11/15", "令和8年11月15日", "R8.11.15", "２０２６年１１月１５日"])
def test_dates_in_a_roadmap_take_every_spelling(run: Run, tmp_path: Path, spelling: str) -> None:
    iso, other = _dated_repo(tmp_path / "iso", "2026-11-15"), _dated_repo(tmp_path / "other", spelling)
    assert run("validate", cwd=other).exit_code == 0
    judged = [json.loads(run("status", "--as-of", AS_OF, "-f", "json", cwd=top).stdout) for top in (iso, other)]
    assert judged[0] == judged[1]
    target = judged[1]["projects"][0]["initiatives"][0]["targets"][0]
    assert (target["due"], target["state"], target["achieved_on"]) == ("2026-11-15", "done", "2026-11-15")


def test_a_bad_date_in_a_roadmap_lists_the_spellings(run: Run, tmp_path: Path) -> None:
    result = run("validate", cwd=_dated_repo(tmp_path, "R8.2.30"))
    assert result.exit_code == 1
    assert "bad-value" in result.stdout + result.stderr
    assert "'R8.2.30' is not a date" in result.stdout + result.stderr


HEISEI = """\
政策分野: 暮らし・まち
事業名: 平成からの事業
担当課: 企画政策部DX推進課
取組:
  - 名称: 旧計画
    目標:
      H30: [旧計画の策定]
      令和元年度: [旧計画の見直し]
  - 名称: 調査
    目標:
      平成30年度: [ニーズ調査]
      2019年度(平成31年度): [報告書作成]
"""


@pytest.mark.parametrize("plan", [None, "期間: {開始: H30, 終了: R9}\n", "期間: {開始: 平成30年度, 終了: 令和9年度}\n"])
def test_heisei_year_keys_validate_and_show_as_h30(run: Run, tmp_path: Path, plan: str | None) -> None:
    (tmp_path / "roadmaps").mkdir()
    (tmp_path / "roadmaps" / "heisei.yaml").write_text(HEISEI, encoding="utf-8")
    if plan is not None:
        (tmp_path / "roadmaps" / "_plan.yaml").write_text(plan, encoding="utf-8")
    result = run("validate", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(run("status", "--as-of", AS_OF, "-f", "json", cwd=tmp_path).stdout)
    years = [[t["fiscal_year"] for t in i["targets"]] for i in data["projects"][0]["initiatives"]]
    assert years == [["H30", "R1"], ["H30", "R1"]]
