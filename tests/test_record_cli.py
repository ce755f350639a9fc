"""`record` and `new` as a user runs them (DESIGN.md §6–§7): what is printed, what is written, and
that nothing is ever lost: locks, atomic replacement, SIGKILL, concurrent writers, git, a real terminal.
"""

from __future__ import annotations

import difflib
import errno
import os
import random
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from dxroadmap import store
from dxroadmap.model import ActualEntry, Roadmap
from dxroadmap.problems import StoreError
from dxroadmap.settings import Settings
from tests.conftest import AS_OF, ENV, Run, no_crash

SEED_ID = "kurashi-dx-kiban"
SEED_REL = Path("roadmaps") / "kurashi-dx-kiban.yaml"
INIT1 = "地域社会のデジタル化促進に向けた環境整備"
INIT2 = "デジタル実装支援"
INIT3 = "効果的に横展開するための環境整備についての検討"
SHINRYO_REL = Path("roadmaps") / "kurashi" / "online-shinryo.yaml"
R8 = 2026  # fiscal years are held as the year they start in
DXROADMAP = Path(sys.executable).with_name("dxroadmap")
SUB_ENV = {k: v for k, v in os.environ.items() if k != "DXROADMAP_DIR"} | ENV


# --- helpers ----------------------------------------------------------------------------


def settings_of(repo: Path) -> Settings:
    plan, problems = store.load_plan(repo / "roadmaps")
    assert not problems
    return Settings.from_plan(plan)


def parse(repo: Path, rel: Path = SEED_REL) -> Roadmap:
    """The roadmap at `repo/rel`, which must be valid."""
    text = (repo / rel).read_bytes().decode("utf-8-sig")
    roadmap, problems = store.parse_roadmap(text, str(rel), settings_of(repo))
    assert roadmap is not None, problems
    return roadmap


def added_lines(before: bytes, after: bytes) -> list[str]:
    """The lines `after` adds to `before`; fails if any line of `before` was changed or removed."""
    old = before.decode("utf-8-sig").splitlines(keepends=True)
    new = after.decode("utf-8-sig").splitlines(keepends=True)
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, old[i1:i2], new[j1:j2])
        if tag == "insert":
            added.extend(line.rstrip("\r\n") for line in new[j1:j2])
    return added


def tmp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """The installed command in a subprocess."""
    done = subprocess.run(
        [str(DXROADMAP), *args],
        cwd=cwd,
        env={**SUB_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    no_crash(done.returncode, done.stdout, done.stderr)
    return done


def notes(roadmap: Roadmap, index: int, year: int = R8) -> list[str | None]:
    return [a.text if isinstance(a, ActualEntry) else a for a in roadmap.initiatives[index].actuals.get(year, [])]


# --- record through CliRunner: what is printed and written -------------------------------


def test_record_done_prints_the_record_and_each_state_change(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    result = run("record", SEED_ID, "-i", "2", "--done", "フィールドワーク", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"recorded {SEED_ID} R8 Q2: {INIT2} (roadmaps/kurashi-dx-kiban.yaml)",
        "  フィールドワーク (R8): open → done",
        f"  {INIT2}: unreported → reported",
    ]
    assert added_lines(before, path.read_bytes()) == [
        "    実績:",
        "      R8:",
        "        - 四半期: Q2",
        "          達成: [フィールドワーク]",
    ]
    [entry] = parse(seed_repo).initiatives[1].actuals[R8]
    assert isinstance(entry, ActualEntry) and entry.achieves == ["フィールドワーク"] and entry.quarter == 2


def test_record_prints_the_states_in_japanese(run: Run, seed_repo: Path) -> None:
    args = ("record", SEED_ID, "-i", "2", "--done", "フィールドワーク", "--as-of", AS_OF, "--lang", "ja")
    result = run(*args, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert "  フィールドワーク (R8): 進行中 → 達成" in result.stdout.splitlines()
    assert f"  {INIT2}: 未報告 → 報告済" in result.stdout.splitlines()
    by_locale = run(
        "record", SEED_ID, "-i", "2", "--done", "現地研修会", "--as-of", AS_OF,
        cwd=seed_repo, env={"LANG": "ja_JP.UTF-8", "LC_ALL": ""},
    )  # fmt: skip
    assert by_locale.exit_code == 0, by_locale.output
    assert "  現地研修会 (R8): 進行中 → 達成" in by_locale.stdout.splitlines()


def test_record_in_an_earlier_year_turns_a_missed_target_done(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    result = run(
        "record", SEED_ID, "-i", "1", "--year", "R5", "--quarter", "Q4", "--done", "ロードマップ作成",
        "--as-of", AS_OF, cwd=seed_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"recorded {SEED_ID} R5 Q4: {INIT1} (roadmaps/kurashi-dx-kiban.yaml)",
        "  ロードマップ作成 (R5): missed → done",
    ]
    # the flow list of R5 is the one line that changes (DESIGN.md §7)
    diff = [line for line in difflib.unified_diff(before.decode().splitlines(), path.read_text().splitlines(), n=0)]
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "-      R5: [ニーズ調査]",
        "+      R5: [ニーズ調査, {四半期: Q4, 達成: [ロードマップ作成]}]",
    ]


def test_a_missed_target_achieved_late_is_done_late(run: Run, seed_repo: Path) -> None:
    result = run("record", SEED_ID, "-i", "1", "--done", "ロードマップ作成", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert "  ロードマップ作成 (R5): missed → done late" in result.stdout.splitlines()
    entry = parse(seed_repo).initiatives[0].actuals[R8][0]
    assert isinstance(entry, ActualEntry) and entry.achieves == ["ロードマップ作成"] and entry.quarter == 2


def test_a_slipping_target_achieved_late_is_done_late(run: Run, sample_repo: Path) -> None:
    path = sample_repo / "roadmaps" / "kurashi" / "demand-kotsu.yaml"
    before = path.read_bytes()
    result = run(
        "record", "demand-kotsu", "-i", "実証運行", "--done", "本格導入の判断", "--quarter", "Q3",
        "--date", "2026-11-20", "--as-of", AS_OF, cwd=sample_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "recorded kurashi/demand-kotsu R8 Q3: 実証運行 (roadmaps/kurashi/demand-kotsu.yaml)",
        "  本格導入の判断 (R8): slipping → done late",
    ]
    assert added_lines(before, path.read_bytes()) == [
        "        - 四半期: Q3",
        "          日付: 2026-11-20",
        "          達成: [本格導入の判断]",
    ]


@pytest.mark.parametrize(
    ("as_of", "label", "year", "quarter"),
    [("2026-05-01", "R7 Q4", 2025, 4), ("2026-07-01", "R8 Q1", 2026, 1), ("2027-01-05", "R8 Q3", 2026, 3)],
)
def test_as_of_sets_the_default_year_and_quarter(
    run: Run, seed_repo: Path, as_of: str, label: str, year: int, quarter: int
) -> None:
    result = run("record", SEED_ID, "-i", "2", "--note", "定例報告", "--as-of", as_of, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"recorded {SEED_ID} {label}: {INIT2} ")
    [entry] = parse(seed_repo).initiatives[1].actuals[year]
    assert isinstance(entry, ActualEntry) and entry.quarter == quarter and entry.text == "定例報告"


@pytest.mark.parametrize(
    ("query", "index"),
    [("1", 0), ("3", 2), ("２", 1), (INIT2, 1), ("実装", 1), ("横展開", 2), ("地域社会", 0)],
)
def test_initiative_by_number_name_or_part(run: Run, seed_repo: Path, query: str, index: int) -> None:
    result = run("record", SEED_ID, "-i", query, "--note", "メモ", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    name = [INIT1, INIT2, INIT3][index]
    assert result.stdout.startswith(f"recorded {SEED_ID} R8 Q2: {name} ")
    assert notes(parse(seed_repo), index) == ["メモ"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("環境整備", f"環境整備 matches 2 initiatives: {INIT1}; {INIT3}"),
        ("存在しない取組", f"no initiative matches 存在しない取組: 1: {INIT1}; 2: {INIT2}; 3: {INIT3}"),
        ("9", f"no initiative number 9: 1: {INIT1}; 2: {INIT2}; 3: {INIT3}"),
        ("0", f"no initiative number 0: 1: {INIT1}; 2: {INIT2}; 3: {INIT3}"),
    ],
)
def test_ambiguous_or_unknown_initiative_lists_them(run: Run, seed_repo: Path, query: str, expected: str) -> None:
    before = (seed_repo / SEED_REL).read_bytes()
    result = run("record", SEED_ID, "-i", query, "--note", "x", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"dxroadmap: {expected}\n"
    assert (seed_repo / SEED_REL).read_bytes() == before


def test_unknown_or_ambiguous_project_lists_candidates(run: Run, sample_repo: Path) -> None:
    unknown = run("record", "存在しない事業", "--note", "x", "--as-of", AS_OF, cwd=sample_repo)
    assert unknown.exit_code == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith("dxroadmap: no project matches 存在しない事業; projects: ")
    assert "kurashi/online-shinryo (オンライン診療・遠隔医療の推進)" in unknown.stderr
    ambiguous = run("record", "kurashi", "--note", "x", "--as-of", AS_OF, cwd=sample_repo)
    assert ambiguous.exit_code == 1 and ambiguous.stdout == ""
    assert ambiguous.stderr.startswith("dxroadmap: kurashi matches 4 projects: ")
    for pid in ("kurashi/bosai-joho", "kurashi/demand-kotsu", "kurashi/kosodate-app", "kurashi/online-shinryo"):
        assert pid in ambiguous.stderr


def test_non_interactive_without_initiative_names_the_option(run: Run, seed_repo: Path) -> None:
    before = (seed_repo / SEED_REL).read_bytes()
    result = run("record", SEED_ID, "--note", "x", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert "give -i/--initiative" in result.stderr
    assert f"1: {INIT1}; 2: {INIT2}; 3: {INIT3}" in result.stderr
    assert (seed_repo / SEED_REL).read_bytes() == before


def test_non_interactive_without_project_names_it(run: Run, seed_repo: Path) -> None:
    result = run("record", "--note", "x", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "dxroadmap: give PROJECT (a project id, or part of one)\n"


def test_nothing_to_record_names_the_options(run: Run, seed_repo: Path) -> None:
    before = (seed_repo / SEED_REL).read_bytes()
    result = run("record", SEED_ID, "-i", "2", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert "nothing to record" in result.stderr
    for option in ("--done", "--note", "--kpi"):
        assert option in result.stderr
    assert (seed_repo / SEED_REL).read_bytes() == before


def test_a_reason_alone_is_refused_as_an_incomplete_request(run: Run, seed_repo: Path) -> None:
    """`nothing to record: give --done, --note, --kpi or --reason` offers --reason alone, yet an
    actual with only 理由 is invalid (DESIGN.md §3): the refusal must name what to add, not blame the file."""
    before = (seed_repo / SEED_REL).read_bytes()
    result = run("record", SEED_ID, "-i", "1", "--reason", "予算の都合で延期", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 1, result.output
    assert (seed_repo / SEED_REL).read_bytes() == before
    assert "--note" in result.stderr, result.stderr
    assert "would make the file invalid" not in result.stderr, result.stderr


def test_done_must_name_an_open_target(run: Run, seed_repo: Path) -> None:
    before = (seed_repo / SEED_REL).read_bytes()
    for name in ("存在しない目標", "ニーズ調査"):  # unknown; already achieved
        result = run("record", SEED_ID, "-i", "1", "--done", name, "--as-of", AS_OF, cwd=seed_repo)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr == (
            f"dxroadmap: {name} is no open target of {INIT1} in R8 or before; open targets: "
            "ロードマップ作成 (R5), ロードマップの随時アップデート (R6), ニーズ再調査 (R7)\n"
        )
    assert (seed_repo / SEED_REL).read_bytes() == before


def test_kpi_value_is_recorded_and_can_achieve_the_kpi(run: Run, sample_repo: Path) -> None:
    path = sample_repo / SHINRYO_REL
    before = path.read_bytes()
    # the sample already has a value of 導入市町村数 for R8 Q2: this one is for Q3, the last completed quarter
    args = ("record", "online-shinryo", "-i", "1", "--as-of", "2027-01-15")
    result = run(*args, "--kpi", "導入市町村数=7", cwd=sample_repo)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "recorded kurashi/online-shinryo R8 Q3: 市町村のオンライン診療導入支援 (roadmaps/kurashi/online-shinryo.yaml)",
        "  導入市町村数 (R8): open → slipping",  # 7 of 10 (70 %) with 75 % of the year gone by 2026-12-31
    ]
    assert added_lines(before, path.read_bytes()) == ["        - {四半期: Q3, 指標: 導入市町村数, 値: 7}"]
    again = run(*args, "--kpi", "導入市町村数=10", cwd=sample_repo)
    assert again.exit_code == 1 and "already recorded for R8 Q3" in again.output  # one value per quarter
    reached = run(*args, "--quarter", "Q4", "--date", "2027-01-10", "--kpi", "導入市町村数=10", cwd=sample_repo)
    assert reached.exit_code == 0, reached.output
    assert "  導入市町村数 (R8): slipping → done" in reached.stdout.splitlines()
    entries = parse(sample_repo, SHINRYO_REL).initiatives[0].actuals[R8]
    assert [(e.kpi, e.value) for e in entries if isinstance(e, ActualEntry)][-2:] == [
        ("導入市町村数", 7),
        ("導入市町村数", 10),
    ]


def test_unknown_kpi_is_recorded_as_a_monitored_indicator_with_a_warning(run: Run, sample_repo: Path) -> None:
    path = sample_repo / SHINRYO_REL
    before = path.read_bytes()
    result = run("record", "online-shinryo", "-i", "1", "--kpi", "利用者数=120", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "dxroadmap: warning: 利用者数 is no KPI of 市町村のオンライン診療導入支援: recorded as a monitored indicator\n"
    )
    assert result.stdout.startswith("recorded kurashi/online-shinryo R8 Q2: ")
    assert added_lines(before, path.read_bytes()) == ["        - {四半期: Q2, 指標: 利用者数, 値: 120}"]


def test_several_kpis_make_one_entry_each(run: Run, sample_repo: Path) -> None:
    path = sample_repo / SHINRYO_REL
    before = path.read_bytes()
    result = run(
        "record", "online-shinryo", "-i", "1", "--kpi", "導入市町村数=9", "--kpi", "利用者数=1.5",
        "--note", "報告", "--as-of", "2027-01-15", cwd=sample_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert added_lines(before, path.read_bytes()) == [
        "        - {四半期: Q3, 内容: 報告, 指標: 導入市町村数, 値: 9}",
        "        - {四半期: Q3, 指標: 利用者数, 値: 1.5}",
    ]


@pytest.mark.parametrize("value", ["bad", "導入市町村数=abc", "導入市町村数=inf", "=5"])
def test_malformed_kpi_is_a_usage_error(run: Run, sample_repo: Path, value: str) -> None:
    before = (sample_repo / SHINRYO_REL).read_bytes()
    result = run("record", "online-shinryo", "-i", "1", "--kpi", value, "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "NAME=VALUE" in result.stderr
    assert "internal error" not in result.stderr
    assert (sample_repo / SHINRYO_REL).read_bytes() == before


def test_unknown_outlook_is_a_usage_error(run: Run, seed_repo: Path) -> None:
    before = (seed_repo / SEED_REL).read_bytes()
    result = run("record", SEED_ID, "-i", "2", "--note", "x", "--outlook", "不明", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "--outlook" in result.stderr and "順調" in result.stderr
    assert "internal error" not in result.stderr
    assert (seed_repo / SEED_REL).read_bytes() == before


def test_outlook_and_reason_are_written(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    result = run(
        "record", SEED_ID, "-i", "1", "--note", "再調査の準備", "--reason", "予算の都合", "--outlook", "注意",
        "--as-of", AS_OF, cwd=seed_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert added_lines(before, path.read_bytes()) == [
        "      R8:",
        "        - 四半期: Q2",
        "          内容: 再調査の準備",
        "          理由: 予算の都合",
        "          見通し: 注意",
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--year", "X9", "'X9' is not a fiscal year"), ("--quarter", "Q5", "'Q5' is not a quarter")],
)
def test_bad_year_or_quarter_is_a_usage_error(run: Run, seed_repo: Path, option: str, value: str, message: str) -> None:
    before = (seed_repo / SEED_REL).read_bytes()
    result = run("record", SEED_ID, "-i", "2", "--note", "x", option, value, cwd=seed_repo)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.stderr and message in result.stderr
    assert (seed_repo / SEED_REL).read_bytes() == before


def test_date_is_written(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    result = run(
        "record", SEED_ID, "-i", "2", "--note", "研修", "--date", "2026-09-15", "--as-of", AS_OF, cwd=seed_repo
    )
    assert result.exit_code == 0, result.output
    added = added_lines(before, path.read_bytes())
    assert "          日付: 2026-09-15" in added
    assert added == [
        "    実績:",
        "      R8:",
        "        - 四半期: Q2",
        "          日付: 2026-09-15",
        "          内容: 研修",
    ]
    bad = run("record", SEED_ID, "-i", "2", "--note", "研修", "--date", "2026-13-01", cwd=seed_repo)
    assert bad.exit_code == 2 and "--date" in bad.stderr


def test_dry_run_prints_a_unified_diff_and_writes_nothing(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    result = run(
        "record", SEED_ID, "-i", "2", "--done", "フィールドワーク", "--dry-run", "--as-of", AS_OF, cwd=seed_repo
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "--- a/roadmaps/kurashi-dx-kiban.yaml"
    assert lines[1] == "+++ b/roadmaps/kurashi-dx-kiban.yaml"
    assert lines[2].startswith("@@ ")
    assert [line for line in lines[2:] if line.startswith(("+", "-"))] == [
        "+    実績:",
        "+      R8:",
        "+        - 四半期: Q2",
        "+          達成: [フィールドワーク]",
    ]
    assert "recorded" not in result.stdout
    assert path.read_bytes() == before
    assert tmp_files(path.parent) == []


def test_a_record_that_would_make_the_file_invalid_writes_nothing(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    roadmap = parse(seed_repo)
    items = sum(len(v) for i in roadmap.initiatives for m in (i.targets, i.actuals) for v in m.values())
    filler = ", ".join(f"目標{n}" for n in range(5000 - items))  # the file is at the limit of 5,000 items
    path.write_text(path.read_text(encoding="utf-8") + f"  - 名称: 埋め草\n    目標:\n      R8: [{filler}]\n", "utf-8")
    before = path.read_bytes()
    result = run("record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert "the record would make the file invalid, so nothing was written" in result.stderr
    assert "too-large" in result.stderr
    assert path.read_bytes() == before
    assert tmp_files(path.parent) == []


def test_record_keeps_the_file_mode(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    path.chmod(0o640)
    result = run("record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert notes(parse(seed_repo), 1) == ["x"]


def test_record_refuses_a_link_that_leads_out_of_the_roadmaps_directory(run: Run, seed_repo: Path) -> None:
    link = seed_repo / SEED_REL
    real = seed_repo / "elsewhere" / "kiban.yaml"
    real.parent.mkdir()
    shutil.move(link, real)
    link.symlink_to(Path("..") / "elsewhere" / "kiban.yaml")
    before = real.read_bytes()
    result = run("record", SEED_ID, "-i", "2", "--note", "リンク経由", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 1
    assert "outside-root" in result.output or "outside the roadmaps directory" in result.output
    assert real.read_bytes() == before


def test_record_through_a_symlink_writes_the_target_and_keeps_the_link(run: Run, seed_repo: Path) -> None:
    link = seed_repo / SEED_REL
    real = seed_repo / "roadmaps" / "_files" / "kiban.yaml"  # a link within the roadmaps directory
    real.parent.mkdir()
    shutil.move(link, real)
    link.symlink_to(Path("_files") / "kiban.yaml")
    before = real.read_bytes()
    result = run("record", SEED_ID, "-i", "2", "--note", "リンク経由", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"recorded {SEED_ID} R8 Q2: {INIT2} (roadmaps/kurashi-dx-kiban.yaml)")
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("_files") / "kiban.yaml")
    assert "          内容: リンク経由" in added_lines(before, real.read_bytes())
    assert tmp_files(real.parent) == [] and tmp_files(link.parent) == []


def test_record_keeps_crlf_line_endings_and_a_bom(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    original = store.BOM + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(original)
    result = run("record", SEED_ID, "-i", "2", "--note", "改行", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(store.BOM)
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line ends CRLF
    assert added_lines(original, after)[-1] == "          内容: 改行"


# --- --commit, in a real git repository -------------------------------------------------


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], env=git_env(repo), capture_output=True, text=True, check=False, timeout=30
    )
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout


def git_env(repo: Path) -> dict[str, str]:
    """No user or system git configuration; no repository above `repo` is found."""
    home = repo.parent / "home"
    home.mkdir(exist_ok=True)
    return {
        **SUB_ENV,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(repo.parent),
    }


@pytest.fixture
def git_repo(seed_repo: Path) -> Path:
    if shutil.which("git") is None:
        pytest.fail("git is needed for the --commit tests")
    git(seed_repo, "init", "-q")
    git(seed_repo, "config", "user.name", "Test User")
    git(seed_repo, "config", "user.email", "test@example.invalid")
    git(seed_repo, "config", "commit.gpgsign", "false")
    (seed_repo / "README.md").write_text("readme\n", encoding="utf-8")
    git(seed_repo, "add", "roadmaps", "README.md")
    git(seed_repo, "commit", "-q", "-m", "initial")
    return seed_repo


def test_commit_commits_only_the_roadmap_file(git_repo: Path) -> None:
    (git_repo / "README.md").write_text("readme, edited and staged\n", encoding="utf-8")
    git(git_repo, "add", "README.md")
    head = git(git_repo, "rev-parse", "HEAD").strip()
    proc = cli(
        "record", SEED_ID, "-i", "2", "--done", "フィールドワーク", "--as-of", AS_OF, "--commit",
        cwd=git_repo, env=git_env(git_repo),
    )  # fmt: skip
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    lines = proc.stdout.splitlines()
    assert lines[0] == f"recorded {SEED_ID} R8 Q2: {INIT2} (roadmaps/kurashi-dx-kiban.yaml)"
    assert lines[-1].startswith("committed ") and lines[-1].endswith(f" record: {SEED_ID} R8 Q2")
    assert git(git_repo, "log", "-1", "--format=%s").strip() == f"record: {SEED_ID} R8 Q2"
    assert git(git_repo, "rev-parse", "HEAD~1").strip() == head
    assert git(git_repo, "show", "--name-only", "--format=", "HEAD").split() == ["roadmaps/kurashi-dx-kiban.yaml"]
    assert git(git_repo, "diff", "--cached", "--name-only").split() == ["README.md"]  # still staged
    assert git(git_repo, "status", "--porcelain", "--", "roadmaps/kurashi-dx-kiban.yaml") == ""
    committed = git(git_repo, "show", "HEAD:roadmaps/kurashi-dx-kiban.yaml")
    assert "          達成: [フィールドワーク]" in committed.splitlines()
    # the commit's diff adds lines only
    numstat = git(git_repo, "show", "--numstat", "--format=", "HEAD").split()
    assert numstat == ["4", "0", "roadmaps/kurashi-dx-kiban.yaml"]


def test_commit_refuses_a_file_with_uncommitted_changes(git_repo: Path) -> None:
    path = git_repo / SEED_REL
    path.write_bytes(path.read_bytes() + b"# an edit not yet committed\n")
    before = path.read_bytes()
    head = git(git_repo, "rev-parse", "HEAD").strip()
    proc = cli(
        "record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, "--commit", cwd=git_repo, env=git_env(git_repo)
    )
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "has uncommitted changes already" in proc.stderr and "nothing was written" in proc.stderr
    assert path.read_bytes() == before
    assert git(git_repo, "rev-parse", "HEAD").strip() == head


def test_commit_with_dry_run_neither_writes_nor_commits(git_repo: Path) -> None:
    path = git_repo / SEED_REL
    before = path.read_bytes()
    head = git(git_repo, "rev-parse", "HEAD").strip()
    proc = cli(
        "record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, "--commit", "--dry-run",
        cwd=git_repo, env=git_env(git_repo),
    )  # fmt: skip
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert proc.stdout.startswith("--- a/roadmaps/kurashi-dx-kiban.yaml\n") and "committed" not in proc.stdout
    assert path.read_bytes() == before
    assert git(git_repo, "rev-parse", "HEAD").strip() == head


def test_commit_refuses_outside_a_git_repository(seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    proc = cli(
        "record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, "--commit", cwd=seed_repo, env=git_env(seed_repo)
    )
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "not inside a git repository" in proc.stderr
    assert path.read_bytes() == before


# --- nothing lost: concurrent writers, SIGKILL, the lock ------------------------------------


def test_eight_records_at_once_all_land(run: Run, seed_repo: Path) -> None:
    procs = [
        subprocess.Popen(
            [str(DXROADMAP), "record", SEED_ID, "-i", "2", "--note", f"同時{n}", "--as-of", AS_OF],
            cwd=seed_repo,
            env=SUB_ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, (out, err)
        assert out.startswith(f"recorded {SEED_ID} R8 Q2: {INIT2} "), out
        assert err == ""
    assert sorted(map(str, notes(parse(seed_repo), 1))) == sorted(f"同時{n}" for n in range(8))
    assert tmp_files(seed_repo / "roadmaps") == []
    validated = run("validate", cwd=seed_repo)
    assert validated.exit_code == 0, validated.output
    assert "checked 1 file(s): 0 problem(s)" in validated.stderr


def test_a_record_killed_at_any_moment_leaves_the_old_or_the_new_file(run: Run, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    folder = path.parent
    original = path.read_bytes()
    args = [str(DXROADMAP), "record", SEED_ID, "-i", "2", "--note", "強制終了", "--as-of", AS_OF]
    started = time.monotonic()
    assert subprocess.run(args, cwd=seed_repo, env=SUB_ENV, capture_output=True, check=False).returncode == 0
    whole = time.monotonic() - started  # how long one record takes: aim many kills near its end
    complete = path.read_bytes()
    assert complete != original and "          内容: 強制終了" in added_lines(original, complete)
    rng = random.Random(20261126)
    outcomes = {"old": 0, "new": 0}
    latest_old, earliest_new = 0.0, min(0.6, whole * 1.2)  # the write happens between these delays
    for attempt in range(30):
        path.write_bytes(original)
        # half the kills anywhere in 0–0.6 s, half closing in on the moment of the write
        delay = rng.uniform(0, 0.6) if attempt % 2 else rng.uniform(latest_old, max(latest_old, earliest_new))
        proc = subprocess.Popen(args, cwd=seed_repo, env=SUB_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        now = path.read_bytes()
        assert now in (original, complete), f"attempt {attempt}, killed after {delay:.3f} s: a partial file"
        outcomes["old" if now == original else "new"] += 1
        if now == original:
            latest_old = max(latest_old, delay)
        else:
            earliest_new = min(earliest_new, delay)
        follow = run("record", SEED_ID, "-i", "2", "--note", f"次{attempt}", "--as-of", AS_OF, cwd=seed_repo)
        assert follow.exit_code == 0, (attempt, follow.output)
        assert notes(parse(seed_repo), 1)[-1] == f"次{attempt}"
        assert tmp_files(folder) == [], f"attempt {attempt}: temporary files left after the next write"
    assert outcomes["old"] + outcomes["new"] == 30


def test_lock_timeout_says_who_holds_it(seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    with store.locked(path):
        assert store.lock_path(path) == path.with_name(".kurashi-dx-kiban.yaml.lock")
        assert store.lock_path(path).exists()
        started = time.monotonic()
        with pytest.raises(StoreError) as caught, store.locked(path, timeout=0.2):
            pytest.fail("a second lock was granted while the first is held")
        waited = time.monotonic() - started
    assert 0.2 <= waited < 3
    message = str(caught.value)
    assert "is being written by another dxroadmap" in message
    assert ".kurashi-dx-kiban.yaml.lock" in message and "try again" in message
    with store.locked(path, timeout=0.2):  # released: granted again at once
        pass


def test_record_waits_for_a_lock_and_then_writes(seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with store.locked(path):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(5)
        proc = subprocess.Popen(
            [str(DXROADMAP), "record", SEED_ID, "-i", "2", "--note", "待機", "--as-of", AS_OF],
            cwd=seed_repo,
            env=SUB_ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        assert proc.poll() is None, "record did not wait for the lock"
        assert notes(parse(seed_repo), 1) == []
    finally:
        release.set()
        holder.join()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, (out, err)
    assert notes(parse(seed_repo), 1) == ["待機"]


def test_record_gives_up_on_a_held_lock_with_a_clear_message(seed_repo: Path) -> None:
    """The default timeout (10 s) through the real command, once."""
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    with store.locked(path):
        started = time.monotonic()
        proc = cli("record", SEED_ID, "-i", "2", "--note", "x", "--as-of", AS_OF, cwd=seed_repo)
        waited = time.monotonic() - started
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert proc.stderr.startswith("dxroadmap: roadmaps/kurashi-dx-kiban.yaml is being written by another dxroadmap")
    assert "roadmaps/.kurashi-dx-kiban.yaml.lock" in proc.stderr and "try again" in proc.stderr
    assert 9.5 <= waited < 20
    assert path.read_bytes() == before


# --- interactive, through a real pseudo-terminal ------------------------------------------


class Terminal:
    """A command on a pseudo-terminal: wait for text, type answers; never hangs."""

    def __init__(self, args: Sequence[str], cwd: Path, timeout: float = 20) -> None:
        master, slave = os.openpty()
        env = {**SUB_ENV, "COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        self.proc = subprocess.Popen(
            [str(DXROADMAP), *args], cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.deadline = time.monotonic() + timeout
        self.buffer = b""
        self.position = 0
        self.closed = False

    @property
    def text(self) -> str:
        return self.buffer.decode("utf-8", errors="replace")

    def _read(self) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], min(remaining, 0.5))
        if ready:
            try:
                chunk = os.read(self.master, 4096)
            except OSError as exc:
                if exc.errno != errno.EIO:
                    raise
                chunk = b""
            if not chunk:
                self.closed = True
            self.buffer += chunk
        return True

    def expect(self, text: str) -> None:
        wanted = text.encode()
        while (found := self.buffer.find(wanted, self.position)) < 0:
            if not self._read():
                pytest.fail(f"waited for {text!r}; the terminal showed so far:\n{self.text}")
        self.position = found + len(wanted)

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode() + b"\n")

    def finish(self) -> int:
        while self._read() and not self.closed:
            pass
        try:
            code = self.proc.wait(timeout=max(0.1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"the command did not end; the terminal showed:\n{self.text}")
        no_crash(code, self.text)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


Start = Callable[..., Terminal]


@pytest.fixture
def terminal() -> Iterator[Start]:
    opened: list[Terminal] = []

    def start(*args: str, cwd: Path) -> Terminal:
        opened.append(Terminal(args, cwd))
        return opened[-1]

    yield start
    for term in opened:
        term.close()


def test_interactive_record_asks_for_what_is_missing(terminal: Start, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    term = terminal("record", SEED_ID, "--as-of", AS_OF, cwd=seed_repo)
    term.expect(f"1. {INIT1}")
    term.expect(f"2. {INIT2}")
    term.expect("Initiative")
    term.answer("2")
    term.expect("1. フィールドワーク (R8)")
    term.expect("Targets achieved")
    term.answer("1")
    term.expect("Note")
    term.answer("端末から記録")
    term.expect("This initiative is late: フィールドワーク (R5) missed;")
    term.expect("R8 Q2 unreported")
    term.expect("Reason")
    term.answer("人員不足のため。下期に集中して実施")
    term.expect("Outlook")
    term.answer("")
    term.expect("{四半期: Q2, 内容: 端末から記録, 達成: [フィールドワーク], 理由: 人員不足のため。下期に集中して実施}")
    term.expect("Record this?")
    term.answer("y")
    code = term.finish()
    assert code == 0, term.text
    assert "Rating" not in term.text  # the plan has no 評価区分
    assert f"recorded {SEED_ID} R8 Q2: {INIT2}" in term.text
    assert "フィールドワーク (R8): open → done" in term.text
    assert added_lines(before, path.read_bytes()) == [
        "    実績:",
        "      R8:",
        "        - 四半期: Q2",
        "          内容: 端末から記録",
        "          達成: [フィールドワーク]",
        "          理由: 人員不足のため。下期に集中して実施",
    ]


def test_interactive_record_declined_writes_nothing(terminal: Start, seed_repo: Path) -> None:
    path = seed_repo / SEED_REL
    before = path.read_bytes()
    term = terminal("record", SEED_ID, "--as-of", AS_OF, cwd=seed_repo)
    term.expect("Initiative")
    term.answer("1")
    term.expect("Targets achieved")
    term.answer("1")
    term.expect("Note")
    term.answer("")
    term.expect("Reason")
    term.answer("見直し中")
    term.expect("Outlook")
    term.answer("3")
    term.expect("理由: 見直し中, 見通し: 困難}")
    term.expect("Record this?")
    term.answer("maybe")
    term.expect("answer y (yes) or n (no)")
    term.answer("n")
    code = term.finish()
    assert code == 1, term.text
    assert "nothing written" in term.text
    assert "recorded" not in term.text
    assert path.read_bytes() == before


def test_interactive_new_asks_for_the_fields(run: Run, terminal: Start, seed_repo: Path) -> None:
    term = terminal("new", "kurashi/pty-jigyo", cwd=seed_repo)
    term.expect("3. 行政経営")
    term.expect("政策分野")
    term.answer("2")
    term.expect("事業名")
    term.answer("端末事業")
    term.expect("担当課")
    term.answer("端末課")
    term.expect("The first initiative's name")
    term.answer("")
    assert term.finish() == 0, term.text
    assert "wrote roadmaps/kurashi/pty-jigyo.yaml" in term.text
    roadmap = parse(seed_repo, Path("roadmaps/kurashi/pty-jigyo.yaml"))
    assert (roadmap.field, roadmap.name, roadmap.owner) == ("暮らし・まち", "端末事業", "端末課")
    assert [i.name for i in roadmap.initiatives] == ["取組1"]


KENSETSU_PLAN = """\
計画名: テスト計画
期間: {開始: R5, 終了: R9}
年度開始月: 4
報告期限日数: 30
評価区分:
  - {記号: A, 意味: 達成, 見通し: 順調}
  - {記号: B, 意味: 概ね達成, 見通し: 注意}
  - {記号: C, 意味: 未達成, 見通し: 困難}
分野:
  - 名称: 産業・しごと
"""
KENSETSU = """\
政策分野: 産業・しごと
事業名: 建設現場のDX
担当課: 県土整備部
取組:
  - 名称: 遠隔臨場の推進
    目標:
      R8:
        - {指標: 遠隔臨場の実施現場数, 目標値: 60, 単位: 現場, 基準値: 10}
    実績:
      R8:
        - {四半期: Q1, 指標: 遠隔臨場の実施現場数, 値: 30}
        - {四半期: Q2, 指標: 遠隔臨場の実施現場数, 値: 45}
  - 名称: 遠隔臨場の研修
    目標:
      R7: [研修計画の策定]
      R8: [研修会の開催]
  - 名称: 研修教材の作成
    目標:
      R8: [教材の作成]
    実績:
      R8:
        - {四半期: Q2, 内容: 教材の構成を決定}
"""
KENSETSU_REL = Path("roadmaps") / "kensetsu.yaml"


@pytest.fixture
def kensetsu_repo(tmp_path: Path) -> Path:
    """One project, as of AS_OF: a KPI on pace and reported (1), an initiative late (2), one on time (3);
    the plan has a 評価区分."""
    (tmp_path / "roadmaps").mkdir()
    (tmp_path / "roadmaps" / "_plan.yaml").write_text(KENSETSU_PLAN, encoding="utf-8")
    (tmp_path / KENSETSU_REL).write_text(KENSETSU, encoding="utf-8")
    return tmp_path


def test_interactive_kpi_value_by_name_and_word_in_english(terminal: Start, kensetsu_repo: Path) -> None:
    path = kensetsu_repo / KENSETSU_REL
    before = path.read_bytes()
    term = terminal(
        "record", "kensetsu", "--quarter", "Q3", "--date", "2026-11-20", "--as-of", AS_OF, "--lang", "en",
        cwd=kensetsu_repo,
    )  # fmt: skip
    term.expect("3. 研修教材の作成")
    term.expect("Initiative")
    term.answer("9")
    term.expect("give a number from 1 to 3, or a name (or part of one)")
    term.answer("存在しない")
    term.expect("nothing matches 存在しない; choose one of: 1. 遠隔臨場の推進; 2. 遠隔臨場の研修; 3. 研修教材の作成")
    term.answer("推進")  # a unique part of a name
    term.expect("Note")
    term.answer("")
    term.expect("KPI values (leave empty to skip)")
    term.expect("遠隔臨場の実施現場数 (target 60現場)")
    term.answer("たくさん")
    term.expect("たくさん is not a number")
    term.answer("５２")  # full-width digits
    term.expect("1. 順調 (on track)")
    term.expect("Outlook (見通し; leave empty to skip)")
    term.answer("順調")  # by word
    term.expect("1. A (on track)")
    term.expect("Rating")
    term.answer("a")
    term.expect("{四半期: Q3, 日付: 2026-11-20, 指標: 遠隔臨場の実施現場数, 値: 52, 見通し: 順調, 評価: A}")
    term.expect("Record this? [Y/n]")
    term.answer("")
    code = term.finish()
    assert code == 0, term.text
    assert "Reason" not in term.text and "late" not in term.text  # on pace and reported: nothing to explain
    assert "Error" not in term.text and "not a valid" not in term.text  # no message of Typer's own
    assert "recorded kensetsu R8 Q3: 遠隔臨場の推進" in term.text
    after = path.read_bytes()
    assert added_lines(before, after) == [
        "        - {四半期: Q3, 日付: 2026-11-20, 指標: 遠隔臨場の実施現場数, 値: 52, 見通し: 順調, 評価: A}"
    ]
    assert "指標: 遠隔臨場の実施現場数, 値: 52".encode() in after


def test_interactive_japanese_ambiguous_name_and_a_late_initiative_needs_a_reason(
    terminal: Start, kensetsu_repo: Path
) -> None:
    path = kensetsu_repo / KENSETSU_REL
    before = path.read_bytes()
    term = terminal("record", "--as-of", AS_OF, "--lang", "ja", cwd=kensetsu_repo)
    term.expect("1. kensetsu  建設現場のDX")
    term.expect("事業")
    term.answer("建設現場")  # the project by a part of its 事業名
    term.expect("取組")
    term.answer("研修")
    term.expect(
        "「研修」に当てはまるものが2件あります: 2. 遠隔臨場の研修; 3. 研修教材の作成。"
        "番号か、もっと長い名前で答えてください"
    )
    term.answer("遠隔臨場の研修")
    term.expect("1. 研修計画の策定 (R7)")
    term.expect("2. 研修会の開催 (R8)")
    term.expect("達成した目標")
    term.answer("研修会")
    term.expect("内容")
    term.answer("研修会を1回開催")
    term.expect("この取組は遅れています: 研修計画の策定 (R7) 未達; R8 Q2 未報告")
    term.expect("理由")
    term.answer("")
    term.expect("遅れている取組の実績には理由が必要です")
    term.expect("理由")
    term.answer("講師の確保が遅れたため。下期に追加で開催する")
    term.expect("見通し")
    term.answer("注意")
    term.expect("1. A (順調)")
    term.expect("評価")
    term.answer("")
    term.expect(
        "{四半期: Q2, 内容: 研修会を1回開催, 達成: [研修会の開催], "
        "理由: 講師の確保が遅れたため。下期に追加で開催する, 見通し: 注意}"
    )
    term.expect("この内容で記録しますか? [Y/n]")
    term.answer("はい")
    code = term.finish()
    assert code == 0, term.text
    dialogue = term.text.split("記録しました")[0].replace("kensetsu", "").replace("建設現場のDX", "")
    assert re.findall(r"[A-Za-z]{2,}", dialogue) == []  # no English word in the prompts
    assert "記録しました kensetsu R8 Q2: 遠隔臨場の研修" in term.text
    assert added_lines(before, path.read_bytes()) == [
        "    実績:",
        "      R8:",
        "        - 四半期: Q2",
        "          内容: 研修会を1回開催",
        "          達成: [研修会の開催]",
        "          理由: 講師の確保が遅れたため。下期に追加で開催する",
        "          見通し: 注意",
    ]


def test_interactive_targets_by_name_and_an_option_is_not_asked_again(terminal: Start, kensetsu_repo: Path) -> None:
    path = kensetsu_repo / KENSETSU_REL
    before = path.read_bytes()
    args = ("record", "kensetsu", "-i", "2", "--reason", "講師の確保が遅れた", "--outlook", "困難", "--rating", "C")
    term = terminal(*args, "--as-of", AS_OF, "--lang", "en", cwd=kensetsu_repo)
    term.expect("Targets achieved")
    term.answer("研修")
    term.expect("研修 matches 2 of them: 1. 研修計画の策定 (R7); 2. 研修会の開催 (R8)")
    term.answer("研修計画の策定、２")  # a name and a full-width number, with a Japanese comma
    term.expect("Note")
    term.answer("")
    term.expect("{四半期: Q2, 達成: [研修計画の策定, 研修会の開催], 理由: 講師の確保が遅れた, 見通し: 困難, 評価: C}")
    term.expect("Record this?")
    term.answer("y")
    assert term.finish() == 0, term.text
    for asked in ("Reason", "Outlook", "Rating", "KPI"):
        assert asked not in term.text
    assert added_lines(before, path.read_bytes())[2:4] == [
        "        - 四半期: Q2",
        "          達成: [研修計画の策定, 研修会の開催]",
    ]


@pytest.mark.parametrize(
    ("answer", "value"),
    [("52", 52), ("５２", 52), ("1,234", 1234), ("１，２３４", 1234), ("1.5", 1.5), ("-3", -3), ("52現場", 52)],
)
def test_a_kpi_value_is_read_as_typed(answer: str, value: float) -> None:
    from dxroadmap.dialogue import number as _number

    read = _number(answer, "現場")
    assert read == value and type(read) is type(value)


@pytest.mark.parametrize("answer", ["たくさん", "1,23", "1,2345", "nan", "inf", "1e3", "1_000", "5件", "--1"])
def test_what_is_no_kpi_value(answer: str) -> None:
    from dxroadmap.dialogue import number as _number

    assert _number(answer, "現場") is None


def test_an_answer_picks_by_number_exact_name_or_unique_part() -> None:
    from dxroadmap.dialogue import pick as _pick

    options = ["環境整備", "環境整備の検討", "Field Work"]
    names = [(o,) for o in options]
    assert _pick("２", options, names) == 1
    assert _pick("環境整備", options, names) == 0  # exact beats a part of another
    assert _pick("検討", options, names) == 1
    assert _pick("ｆｉｅｌｄ ｗｏｒｋ", options, names) == 2  # NFKC and case folded
    assert isinstance(_pick("環境", options, names), str)
    assert isinstance(_pick("4", options, names), str)
    assert isinstance(_pick("なし", options, names), str)


# --- new --------------------------------------------------------------------------------

NEW_ARGS = ("--field", "産業・しごと", "--name", "テスト事業", "--owner", "テスト課", "--years", "R6-R9")
NEW_REL = Path("roadmaps") / "sangyo" / "test-jigyo.yaml"


def test_new_writes_a_valid_commented_roadmap(run: Run, seed_repo: Path) -> None:
    result = run("new", "sangyo/test-jigyo", *NEW_ARGS, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote roadmaps/sangyo/test-jigyo.yaml\n"
    text = (seed_repo / NEW_REL).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../schemas/roadmap.schema.json"
    assert sum(line.lstrip().startswith("#") for line in lines) >= 3  # commented
    for line in ("政策分野: 産業・しごと", "事業名: テスト事業", "担当課: テスト課"):
        assert line in lines
    years = [line.strip() for line in lines if line.strip().startswith("R") and line.strip().endswith(": []")]
    assert years == ["R6: []", "R7: []", "R8: []", "R9: []"]
    assert text.endswith("\n")
    roadmap = parse(seed_repo, NEW_REL)
    assert sorted(roadmap.initiatives[0].targets) == [2024, 2025, 2026, 2027]
    validated = run("validate", cwd=seed_repo)
    assert validated.exit_code == 0, validated.output
    assert "checked 2 file(s): 0 problem(s)" in validated.stderr


def test_new_refuses_to_overwrite(run: Run, seed_repo: Path) -> None:
    assert run("new", "sangyo/test-jigyo", *NEW_ARGS, cwd=seed_repo).exit_code == 0
    path = seed_repo / NEW_REL
    path.write_bytes(path.read_bytes() + b"# my own edit\n")
    before = path.read_bytes()
    again = run("new", "sangyo/test-jigyo", *NEW_ARGS, cwd=seed_repo)
    assert again.exit_code == 1 and again.stdout == ""
    assert "exists" in again.stderr and "roadmaps/sangyo/test-jigyo.yaml" in again.stderr
    assert path.read_bytes() == before
    existing = run("new", SEED_ID, *NEW_ARGS, cwd=seed_repo)
    assert existing.exit_code == 1 and "exists" in existing.stderr


def test_new_checks_the_field_against_the_plan(run: Run, seed_repo: Path) -> None:
    result = run("new", "sangyo/x", "--field", "宇宙", "--name", "n", "--owner", "o", cwd=seed_repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "dxroadmap: no field 宇宙 in the plan; fields: 産業・しごと, 暮らし・まち, 行政経営\n"
    assert not (seed_repo / "roadmaps" / "sangyo").exists()
    trailing = run("new", "sangyo/x", "--field", "産業・しごと分野", "--name", "n", "--owner", "o", cwd=seed_repo)
    assert trailing.exit_code == 0, trailing.output


@pytest.mark.parametrize(("missing", "option"), [("--name", "--name"), ("--owner", "--owner"), ("--field", "--field")])
def test_new_non_interactive_names_the_missing_option(run: Run, seed_repo: Path, missing: str, option: str) -> None:
    given = {"--field": "産業・しごと", "--name": "テスト事業", "--owner": "テスト課"}
    del given[missing]
    result = run("new", "sangyo/x", *[part for pair in given.items() for part in pair], cwd=seed_repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"give {option}" in result.stderr
    assert not (seed_repo / "roadmaps" / "sangyo").exists()


@pytest.mark.parametrize("bad", ["../x", "/abs", "_x", "a b", "sangyo/../../x", ".hidden", "sangyo/_x"])
def test_new_refuses_ids_that_are_no_relative_name(run: Run, seed_repo: Path, bad: str) -> None:
    before = sorted(p.relative_to(seed_repo) for p in seed_repo.rglob("*"))
    result = run("new", bad, *NEW_ARGS, cwd=seed_repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{bad} is not a project id" in result.stderr
    assert sorted(p.relative_to(seed_repo) for p in seed_repo.rglob("*")) == before
    assert not (seed_repo.parent / "x.yaml").exists() and not Path("/abs.yaml").exists()


def test_new_years_backwards_is_a_usage_error(run: Run, seed_repo: Path) -> None:
    args = ("--field", "産業・しごと", "--name", "n", "--owner", "o", "--years", "R9-R6")
    result = run("new", "sangyo/x", *args, cwd=seed_repo)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "--years" in result.stderr and "internal error" not in result.stderr
    assert not (seed_repo / "roadmaps" / "sangyo").exists()


def test_record_into_a_new_file(run: Run, seed_repo: Path) -> None:
    assert run("new", "sangyo/test-jigyo", *NEW_ARGS, cwd=seed_repo).exit_code == 0
    path = seed_repo / NEW_REL
    before = path.read_bytes()
    result = run("record", "test-jigyo", "--note", "初回の実績", "--as-of", AS_OF, cwd=seed_repo)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "recorded sangyo/test-jigyo R8 Q2: 取組1 (roadmaps/sangyo/test-jigyo.yaml)"
    assert added_lines(before, path.read_bytes()) == [
        "    実績:",
        "      R8:",
        "        - 四半期: Q2",
        "          内容: 初回の実績",
    ]
    assert notes(parse(seed_repo, NEW_REL), 0) == ["初回の実績"]
    validated = run("validate", cwd=seed_repo)
    assert validated.exit_code == 0, validated.output
