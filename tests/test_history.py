"""The review log from git (#4, DESIGN.md §6): `history`, `status --since`, moved targets in `show`,
and what these say outside a git repository or in a shallow clone.

One real repository is built once for the module (`git init`, commits with fixed author dates and
a different author each), from the shipped seed roadmap and a KPI roadmap written here. The tests
only read it. Its history, oldest first (K = kurashi-dx-kiban, ON = the KPI roadmap):

    c1  04-10 Alice    initial: _plan.yaml (with 2026 meetings), K, ON as gyosei-online.yaml
    c2  05-01 Bob      K: ロードマップ作成 moved R5 → R6
    c3  05-20 Carol    ON: KPI オンライン化手続数 目標値 880 → 1065
    c4  06-01 Dave     ON: 利用者アンケート dropped; 窓口業務の見直し reworded in place
    c5  06-05 Erin     ON: 電子申請システムの更改 moved R6 → R7
    c6  06-10 Frank    git mv gyosei-online.yaml online-tetsuzuki.yaml (pure rename)
    c7  06-20 Grace    ON: a record R8 Q1
    c8  06-25 Heidi    ON: 電子申請システムの更改 moved R7 → R8
    c9  07-01 Ivan     K: broken YAML
    c10 07-05 Judy     K: fixed, and a record R8 Q1
    c11 08-01 Mallory  (branch feature) `dxroadmap record … --commit`: R8 Q2, achieves フィールドワーク
    c12 08-05 Niaj     (main) K: 検討とりまとめ moved R6 → R7
    c13 08-10 Olivia   merge --no-ff feature (no conflict)
    c14 10-01 Peggy    (branch b2) ON: R9 窓口のキャッシュレス化 added
    c15 10-02 Rupert   (main) ON: R9 書かないワンストップ窓口 added (same line: conflict)
    c16 10-05 Sybil    merge b2, resolved by hand: both, plus 手続の棚卸し
    c17 10-10 Trent    (branch b3) ON: KPI 1065 → 1100
    c18 10-11 Victor   (main) ON: KPI 1065 → 1200
    c19 10-15 Walter   merge b3, resolved by hand: 1150
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ENV, SEED_PLAN, Run, write_seed

K = "kurashi-dx-kiban"
O_OLD = "gyosei-online"
ON = "online-tetsuzuki"
K_INIT1 = "地域社会のデジタル化促進に向けた環境整備"
K_INIT2 = "デジタル実装支援"
K_INIT3 = "効果的に横展開するための環境整備についての検討"
O_INIT = "行政手続のオンライン化"
KPI = "オンライン化手続数"
AS_OF = "2026-11-26"
DXROADMAP = Path(sys.executable).with_name("dxroadmap")
EVENT_KEYS = {
    "commit", "date", "author", "project", "kind", "initiative", "fiscal_year", "quarter",
    "text", "from_year", "to_year", "detail",
}  # fmt: skip

PLAN_MEETINGS = """\
  - {名称: 第1回推進委員会, 日付: 2026-06-15}
  - {名称: 第2回推進委員会, 日付: 2026-09-15}
"""

ONLINE = """\
# yaml-language-server: $schema=../schemas/roadmap.schema.json
政策分野: 行政経営
事業名: 行政手続のオンライン化推進
担当課: 総務部行政経営課
取組:
  - 名称: 行政手続のオンライン化
    目標:
      R6:
        - {指標: オンライン化手続数, 目標値: 880, 単位: 件}
        - 電子申請システムの更改
        - 利用者アンケート
      R7: [窓口業務の見直し]
      R8: [窓口業務のオンライン予約]
    実績:
      R6:
        - {指標: オンライン化手続数, 値: 700}
"""


# --- building the repository ------------------------------------------------------------


def git_env(top: Path) -> dict[str, str]:
    """No user or system git configuration; no repository above `top` is found."""
    home = top.parent / "home"
    home.mkdir(exist_ok=True)
    return {
        **{k: v for k, v in os.environ.items() if k != "DXROADMAP_DIR" and not k.startswith("GIT_")},
        **ENV,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(top.parent),
    }


def git(top: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-C", str(top), *args],
        env={**git_env(top), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    if check:
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout


def dated(author: str, when: str) -> dict[str, str]:
    stamp = f"2026-{when}T10:00:00+09:00"
    email = f"{author.lower()}@example.invalid"
    return {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@dataclass
class Built:
    top: Path
    sha: dict[str, str]  # c1..c19 -> full commit hash

    def short(self, label: str) -> str:
        return self.sha[label][:10]


def build(top: Path) -> Built:
    """The repository of the module docstring."""
    roadmaps = write_seed(top / "roadmaps")
    kurashi, online = roadmaps / f"{K}.yaml", roadmaps / f"{O_OLD}.yaml"
    plan = roadmaps / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + PLAN_MEETINGS, encoding="utf-8")
    online.write_text(ONLINE, encoding="utf-8")
    (top / "README.md").write_text("not a roadmap\n", encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "user.name", "Nobody")
    git(top, "config", "user.email", "nobody@example.invalid")
    git(top, "config", "commit.gpgsign", "false")
    sha: dict[str, str] = {}

    def commit(label: str, author: str, when: str) -> None:
        git(top, "add", "-A")
        git(top, "commit", "-q", "-m", f"{label} by {author}", env=dated(author, when))
        sha[label] = git(top, "rev-parse", "HEAD").strip()

    def merge(label: str, branch: str, author: str, when: str, resolve: tuple[Path, str, str] | None = None) -> None:
        env = dated(author, when)
        out = git(top, "merge", "--no-ff", "-q", "-m", f"{label}: merge {branch}", branch, env=env, check=False)
        if resolve is None:
            assert git(top, "rev-parse", "HEAD^2", check=False).strip(), out  # merged without a conflict
        else:
            path, old, new = resolve
            text = path.read_text(encoding="utf-8")
            assert "<<<<<<<" in text, "the merge was meant to conflict"
            start, end = text.index("<<<<<<<"), text.index(">>>>>>>")
            end = text.index("\n", end) + 1
            assert old in text[start:end]
            path.write_text(text[:start] + new + text[end:], encoding="utf-8")
            git(top, "add", "-A")
            git(top, "commit", "-q", "--no-edit", env=env)
        sha[label] = git(top, "rev-parse", "HEAD").strip()
        assert len(git(top, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 3, label  # a merge commit

    commit("c1", "Alice", "04-10")
    edit(kurashi, "R5: [ニーズ調査, ロードマップ作成]\n      R6: [ロードマップの随時アップデート]",
         "R5: [ニーズ調査]\n      R6: [ロードマップ作成, ロードマップの随時アップデート]")  # fmt: skip
    commit("c2", "Bob", "05-01")
    edit(online, "目標値: 880", "目標値: 1065")
    commit("c3", "Carol", "05-20")
    edit(online, "        - 利用者アンケート\n", "")
    edit(online, "R7: [窓口業務の見直し]", "R7: [窓口業務の抜本的見直し]")
    commit("c4", "Dave", "06-01")
    edit(online, "        - 電子申請システムの更改\n", "")
    edit(online, "R7: [窓口業務の抜本的見直し]", "R7: [窓口業務の抜本的見直し, 電子申請システムの更改]")
    commit("c5", "Erin", "06-05")
    git(top, "mv", f"roadmaps/{O_OLD}.yaml", f"roadmaps/{ON}.yaml")
    online = roadmaps / f"{ON}.yaml"
    commit("c6", "Frank", "06-10")
    git(top, "tag", "reviewed-c6")
    online.write_text(
        online.read_text(encoding="utf-8") + "      R8:\n        - {四半期: Q1, 内容: 予約システムの仕様を確定}\n",
        encoding="utf-8",
    )
    commit("c7", "Grace", "06-20")
    edit(online, "R7: [窓口業務の抜本的見直し, 電子申請システムの更改]\n      R8: [窓口業務のオンライン予約]",
         "R7: [窓口業務の抜本的見直し]\n      R8: [窓口業務のオンライン予約, 電子申請システムの更改]")  # fmt: skip
    commit("c8", "Heidi", "06-25")
    edit(kurashi, "R7: [ニーズ再調査]", "R7: [ニーズ再調査")
    commit("c9", "Ivan", "07-01")
    edit(kurashi, "R7: [ニーズ再調査", "R7: [ニーズ再調査]")
    edit(kurashi, "      R8: [フィールドワーク, 実装モデル導入試験, 現地研修会]\n",
         "      R8: [フィールドワーク, 実装モデル導入試験, 現地研修会]\n"
         "    実績:\n      R8:\n        - {四半期: Q1, 内容: 2市町村と実施計画を調整}\n")  # fmt: skip
    commit("c10", "Judy", "07-05")

    git(top, "checkout", "-q", "-b", "feature")
    proc = subprocess.run(
        [str(DXROADMAP), "record", K, "-i", K_INIT2, "--year", "R8", "--quarter", "Q2",
         "--done", "フィールドワーク", "--note", "5市町村でフィールドワークを実施",
         "--commit", "--as-of", "2026-10-05"],
        cwd=top, env={**git_env(top), **dated("Mallory", "08-01")}, capture_output=True, text=True, check=False,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    sha["c11"] = git(top, "rev-parse", "HEAD").strip()
    assert git(top, "log", "-1", "--format=%an %aI").strip() == "Mallory 2026-08-01T10:00:00+09:00"
    git(top, "checkout", "-q", "main")
    edit(kurashi, "R6: [検討とりまとめ]\n      R7: [サービスの実施]", "R7: [検討とりまとめ, サービスの実施]")
    commit("c12", "Niaj", "08-05")
    merge("c13", "feature", "Olivia", "08-10")

    anchor = "R8: [窓口業務のオンライン予約, 電子申請システムの更改]\n"
    git(top, "checkout", "-q", "-b", "b2")
    edit(online, anchor, anchor + "      R9: [窓口のキャッシュレス化]\n")
    commit("c14", "Peggy", "10-01")
    git(top, "checkout", "-q", "main")
    edit(online, anchor, anchor + "      R9: [書かないワンストップ窓口]\n")
    commit("c15", "Rupert", "10-02")
    resolution = "      R9: [窓口のキャッシュレス化, 書かないワンストップ窓口, 手続の棚卸し]\n"
    merge("c16", "b2", "Sybil", "10-05", (online, "書かないワンストップ窓口", resolution))

    git(top, "checkout", "-q", "-b", "b3")
    edit(online, "目標値: 1065", "目標値: 1100")
    commit("c17", "Trent", "10-10")
    git(top, "checkout", "-q", "main")
    edit(online, "目標値: 1065", "目標値: 1200")
    commit("c18", "Victor", "10-11")
    merge(
        "c19",
        "b3",
        "Walter",
        "10-15",
        (online, "目標値: 1200", "        - {指標: オンライン化手続数, 目標値: 1150, 単位: 件}\n"),
    )

    assert git(top, "status", "--porcelain") == ""
    return Built(top, sha)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    if shutil.which("git") is None:
        pytest.fail("git is needed for the review-log tests")
    top = tmp_path_factory.mktemp("history") / "repo"
    top.mkdir()
    return build(top)


# --- running the command ----------------------------------------------------------------


def cli(run: Run, cwd: Path, *args: str, top: Path | None = None) -> Any:
    """`dxroadmap ARGS…` in `cwd` with git isolated from the user's configuration (and nothing above `top`)."""
    env = git_env(top or cwd)
    return run(*args, cwd=cwd, env={k: v for k, v in env.items() if k.startswith(("GIT_", "HOME", "XDG"))})


def history(run: Run, repo: Built, *args: str) -> list[dict[str, Any]]:
    result = cli(run, repo.top, "history", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    events = json.loads(result.stdout)
    assert isinstance(events, list)
    return events


def of(events: list[dict[str, Any]], repo: Built, label: str) -> list[dict[str, Any]]:
    return [e for e in events if e["commit"] == repo.sha[label]]


def commits(events: list[dict[str, Any]], repo: Built) -> list[str]:
    """The labels of the commits the events come from, in the order first seen."""
    names = {sha: label for label, sha in repo.sha.items()}
    return list(dict.fromkeys(names.get(e["commit"], e["commit"]) for e in events))


def key(e: dict[str, Any]) -> tuple[Any, ...]:
    """An event without its commit facts; a record's text is checked separately."""
    text = None if e["kind"] == "record" else e["text"]
    return (
        e["project"],
        e["kind"],
        e["initiative"],
        e["fiscal_year"],
        e["quarter"],
        text,
        e["from_year"],
        e["to_year"],
    )


# --- history: what each commit changed --------------------------------------------------

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "c2": [(K, "target_moved", K_INIT1, "R6", None, "ロードマップ作成", "R5", "R6")],
    "c3": [(ON, "target_changed", O_INIT, "R6", None, KPI, None, None)],
    "c4": [
        (ON, "target_dropped", O_INIT, "R6", None, "利用者アンケート", None, None),
        (ON, "target_changed", O_INIT, "R7", None, "窓口業務の抜本的見直し", None, None),
    ],
    "c5": [(ON, "target_moved", O_INIT, "R7", None, "電子申請システムの更改", "R6", "R7")],
    "c6": [],
    "c7": [(ON, "record", O_INIT, "R8", "Q1", None, None, None)],
    "c8": [(ON, "target_moved", O_INIT, "R8", None, "電子申請システムの更改", "R7", "R8")],
    "c9": [],
    "c10": [(K, "record", K_INIT2, "R8", "Q1", None, None, None)],
    "c11": [(K, "record", K_INIT2, "R8", "Q2", None, None, None)],
    "c12": [(K, "target_moved", K_INIT3, "R7", None, "検討とりまとめ", "R6", "R7")],
    "c13": [],
    "c14": [(ON, "target_added", O_INIT, "R9", None, "窓口のキャッシュレス化", None, None)],
    "c15": [(ON, "target_added", O_INIT, "R9", None, "書かないワンストップ窓口", None, None)],
    "c16": [(ON, "target_added", O_INIT, "R9", None, "手続の棚卸し", None, None)],
    "c17": [(ON, "target_changed", O_INIT, "R6", None, KPI, None, None)],
    "c18": [(ON, "target_changed", O_INIT, "R6", None, KPI, None, None)],
}
AUTHORS = {
    "c1": "Alice", "c2": "Bob", "c3": "Carol", "c4": "Dave", "c5": "Erin", "c6": "Frank", "c7": "Grace",
    "c8": "Heidi", "c9": "Ivan", "c10": "Judy", "c11": "Mallory", "c12": "Niaj", "c13": "Olivia", "c14": "Peggy",
    "c15": "Rupert", "c16": "Sybil", "c17": "Trent", "c18": "Victor", "c19": "Walter",
}  # fmt: skip
DATES = {
    "c1": "04-10", "c2": "05-01", "c3": "05-20", "c4": "06-01", "c5": "06-05", "c6": "06-10", "c7": "06-20",
    "c8": "06-25", "c9": "07-01", "c10": "07-05", "c11": "08-01", "c12": "08-05", "c13": "08-10", "c14": "10-01",
    "c15": "10-02", "c16": "10-05", "c17": "10-10", "c18": "10-11", "c19": "10-15",
}  # fmt: skip


def test_each_commit_reports_exactly_what_it_changed(run: Run, repo: Built) -> None:
    events = history(run, repo)
    for e in events:
        assert set(e) == EVENT_KEYS, e
        assert e["kind"] in ("record", "target_added", "target_moved", "target_changed", "target_dropped")
    known = set(repo.sha.values())
    assert {e["commit"] for e in events} <= known
    for label, expected in EXPECTED.items():
        assert sorted(map(key, of(events, repo, label)), key=repr) == sorted(expected, key=repr), label


def test_every_event_carries_its_commits_author_and_date(run: Run, repo: Built) -> None:
    events = history(run, repo)
    for label, author in AUTHORS.items():
        for e in of(events, repo, label):
            assert e["author"] == author, (label, e)
            assert e["date"] == f"2026-{DATES[label]}T10:00:00+09:00", (label, e)


def test_commits_are_listed_oldest_first(run: Run, repo: Built) -> None:
    order = commits(history(run, repo), repo)
    assert order[0] == "c1"
    for earlier, later in [("c1", "c2"), ("c2", "c3"), ("c5", "c7"), ("c8", "c10"), ("c10", "c11"), ("c10", "c12")]:
        assert order.index(earlier) < order.index(later)
    assert order.index("c12") < order.index("c15") < order.index("c16") < order.index("c18")


def test_the_first_commit_adds_each_file_as_it_was(run: Run, repo: Built) -> None:
    first = of(history(run, repo), repo, "c1")
    by_project = Counter((e["project"], e["kind"]) for e in first)
    # the seed: 2 + 1 + 1 + 3 × 4 + 3 targets and its one actual; the KPI roadmap: 5 targets, 1 actual
    assert by_project == {(K, "target_added"): 19, (K, "record"): 1, (ON, "target_added"): 5, (ON, "record"): 1}
    seed_record = next(e for e in first if e["project"] == K and e["kind"] == "record")
    assert (seed_record["initiative"], seed_record["fiscal_year"], seed_record["quarter"]) == (K_INIT1, "R5", None)
    assert seed_record["text"] == "ニーズ調査"
    kpi_record = next(e for e in first if e["project"] == ON and e["kind"] == "record")
    assert (kpi_record["fiscal_year"], kpi_record["quarter"]) == ("R6", None)
    assert KPI in kpi_record["text"] and "700" in kpi_record["text"]
    kpi_added = [e for e in first if e["text"] == KPI]
    assert len(kpi_added) == 1 and kpi_added[0]["fiscal_year"] == "R6"


def test_a_record_commit_is_one_record_event(run: Run, repo: Built) -> None:
    (event,) = of(history(run, repo), repo, "c11")
    assert event["kind"] == "record"
    assert event["project"] == K
    assert event["initiative"] == K_INIT2
    assert (event["fiscal_year"], event["quarter"]) == ("R8", "Q2")
    assert "5市町村でフィールドワークを実施" in event["text"]
    assert event["author"] == "Mallory"
    assert event["date"] == "2026-08-01T10:00:00+09:00"
    assert (event["from_year"], event["to_year"]) == (None, None)


def test_records_written_by_hand_carry_their_text(run: Run, repo: Built) -> None:
    events = history(run, repo)
    assert [e["text"] for e in of(events, repo, "c7")] == ["予約システムの仕様を確定"]
    assert [e["text"] for e in of(events, repo, "c10")] == ["2市町村と実施計画を調整"]


def test_a_moved_target_is_moved_not_added_and_dropped(run: Run, repo: Built) -> None:
    events = history(run, repo)
    (moved,) = of(events, repo, "c2")
    assert (moved["kind"], moved["text"], moved["from_year"], moved["to_year"]) == (
        "target_moved", "ロードマップ作成", "R5", "R6",
    )  # fmt: skip
    assert moved["fiscal_year"] == "R6"
    assert moved["author"] == "Bob"
    later = [e for e in events if e["commit"] != repo.sha["c1"] and e["text"] == "ロードマップ作成"]
    assert later == [moved]


def test_a_kpi_target_changed_says_from_what_to_what(run: Run, repo: Built) -> None:
    (changed,) = of(history(run, repo), repo, "c3")
    assert changed["kind"] == "target_changed"
    assert changed["text"] == KPI
    assert changed["fiscal_year"] == "R6"
    detail = changed["detail"]
    assert "880" in detail and "1065" in detail
    assert detail.index("880") < detail.index("1065")


def test_a_dropped_and_a_reworded_target(run: Run, repo: Built) -> None:
    found = {e["kind"]: e for e in of(history(run, repo), repo, "c4")}
    assert set(found) == {"target_dropped", "target_changed"}
    assert (found["target_dropped"]["text"], found["target_dropped"]["fiscal_year"]) == ("利用者アンケート", "R6")
    reworded = found["target_changed"]
    assert (reworded["text"], reworded["fiscal_year"]) == ("窓口業務の抜本的見直し", "R7")
    assert "窓口業務の見直し" in reworded["detail"] and "窓口業務の抜本的見直し" in reworded["detail"]


# --- renames ------------------------------------------------------------------------------


def test_events_before_and_after_a_rename_carry_the_latest_id(run: Run, repo: Built) -> None:
    events = history(run, repo)
    assert {e["project"] for e in events} == {K, ON}
    before = [e for e in events if e["commit"] in {repo.sha[c] for c in ("c1", "c3", "c4", "c5")}]
    assert before and all(e["project"] in (K, ON) for e in before)
    assert {e["project"] for e in of(events, repo, "c3") + of(events, repo, "c7")} == {ON}
    assert of(events, repo, "c6") == []  # a pure rename changes nothing in the roadmap


def test_history_of_the_new_id_includes_events_from_before_the_rename(run: Run, repo: Built) -> None:
    events = history(run, repo, ON)
    assert {e["project"] for e in events} == {ON}
    labels = commits(events, repo)
    assert {"c1", "c3", "c4", "c5", "c7", "c8", "c14"} <= set(labels)
    assert not {"c2", "c10", "c11", "c12"} & set(labels)  # the other project's commits
    by_name = history(run, repo, "オンライン化推進")  # a part of the 事業名
    assert by_name == events


def test_history_of_one_project_has_only_its_events(run: Run, repo: Built) -> None:
    events = history(run, repo, K)
    assert events and {e["project"] for e in events} == {K}
    assert set(commits(events, repo)) == {"c1", "c2", "c10", "c11", "c12"}


# --- an invalid version in the middle ---------------------------------------------------


def test_an_invalid_version_is_a_warning_not_fatal(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "history", "--format", "json")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert repo.short("c9") in warnings[0]
    assert "kurashi-dx-kiban.yaml" in warnings[0]
    events = json.loads(result.stdout)
    assert of(events, repo, "c9") == []
    (fixed,) = of(events, repo, "c10")  # the fix and its record: once, not the whole file as new
    assert fixed["kind"] == "record" and fixed["text"] == "2市町村と実施計画を調整"


def test_an_invalid_version_is_warned_about_in_the_table_output_too(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "history")
    assert result.exit_code == 0
    assert repo.short("c9") in result.stderr and "kurashi-dx-kiban.yaml" in result.stderr
    assert repo.short("c9") not in result.stdout


def test_since_a_revision_before_the_invalid_version_still_compares_with_the_last_valid_one(
    run: Run, repo: Built
) -> None:
    """The range c9..HEAD: c10 is compared with the last valid version (c2's), so it is one record."""
    result = cli(run, repo.top, "history", "--since", repo.sha["c8"], "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert repo.short("c9") in result.stderr
    events = json.loads(result.stdout)
    assert [key(e) for e in of(events, repo, "c10")] == EXPECTED["c10"]
    assert not [e for e in events if e["kind"] == "target_added" and e["project"] == K]


def test_status_since_a_revision_before_the_invalid_version_is_not_inflated(run: Run, repo: Built) -> None:
    """The same range as a `status --since`: K was re-planned once since c8 (c12), not re-written whole."""
    data = status_json(run, repo, "--since", repo.sha["c8"])
    since = next(p["since"] for p in data["projects"] if p["id"] == K)
    assert [(e["commit"], e["kind"]) for e in since["replanned"]] == [(repo.sha["c12"], "target_moved")]
    assert [e["commit"] for e in since["records"]] == [repo.sha["c10"], repo.sha["c11"]]


# --- merges -----------------------------------------------------------------------------


def test_a_merged_branchs_record_appears_once_from_the_branch_commit(run: Run, repo: Built) -> None:
    events = history(run, repo)
    records = [e for e in events if e["kind"] == "record" and "5市町村でフィールドワークを実施" in (e["text"] or "")]
    assert len(records) == 1
    assert records[0]["commit"] == repo.sha["c11"]
    assert of(events, repo, "c13") == []  # a merge without a conflict adds nothing of its own
    assert len(of(events, repo, "c12")) == 1  # main's move, once


def test_a_conflicting_merge_shows_only_the_resolution(run: Run, repo: Built) -> None:
    events = history(run, repo)
    assert [key(e) for e in of(events, repo, "c16")] == EXPECTED["c16"]
    assert of(events, repo, "c16")[0]["author"] == "Sybil"
    for text in ("窓口のキャッシュレス化", "書かないワンストップ窓口", "手続の棚卸し"):
        assert len([e for e in events if e["text"] == text]) == 1, text


def test_a_kpi_value_chosen_in_a_merge_resolution_is_reported(run: Run, repo: Built) -> None:
    """b3 set 1100, main 1200, the resolution 1150: that value is the merge's own change (to every parent)."""
    events = history(run, repo)
    assert "1100" in of(events, repo, "c17")[0]["detail"]
    assert "1200" in of(events, repo, "c18")[0]["detail"]
    resolution = of(events, repo, "c19")
    assert [key(e) for e in resolution] == [(ON, "target_changed", O_INIT, "R6", None, KPI, None, None)]
    assert "1150" in resolution[0]["detail"]


# --- WHEN -------------------------------------------------------------------------------


def test_since_a_date_includes_that_day(run: Run, repo: Built) -> None:
    events = history(run, repo, "--since", "2026-06-01")
    labels = commits(events, repo)
    assert labels[0] == "c4"  # dated 2026-06-01
    assert not {"c1", "c2", "c3"} & set(labels)
    assert {"c5", "c7", "c10", "c11", "c12", "c16"} <= set(labels)
    assert all(e["date"] >= "2026-06-01" for e in events)


def test_since_and_until_take_every_date_spelling(run: Run, repo: Built) -> None:
    since, until = history(run, repo, "--since", "2026-06-01"), history(run, repo, "--until", "2026-06-01")
    for spelling in ("2026/6/1", "令和8年6月1日", "R8.6.1"):
        assert history(run, repo, "--since", spelling) == since, spelling
    assert history(run, repo, "--until", "２０２６年６月１日") == until
    status = [cli(run, repo.top, "status", "--since", when, "-f", "json") for when in ("2026-06-01", "R8/6/1")]
    assert status[0].exit_code == 0 and status[0].stdout == status[1].stdout
    result = cli(run, repo.top, "history", "--since", "R8.2.30")
    assert result.exit_code == 1 and "R8.2.30" in result.stderr and "not a valid date" in result.stderr


def test_since_a_revision_is_only_the_commits_after_it(run: Run, repo: Built) -> None:
    for revision in (repo.sha["c4"], repo.short("c4")):
        labels = commits(history(run, repo, "--since", revision), repo)
        assert labels[0] == "c5"
        assert not {"c1", "c2", "c3", "c4"} & set(labels)
        assert {"c7", "c11", "c12"} <= set(labels)


def test_since_a_tag_or_a_relative_revision(run: Run, repo: Built) -> None:
    assert history(run, repo, "--since", "reviewed-c6") == history(run, repo, "--since", repo.sha["c6"])
    assert commits(history(run, repo, "--since", "reviewed-c6", "--until", "reviewed-c6~0"), repo) == []
    assert commits(history(run, repo, "--since", "reviewed-c6~2", "--until", "reviewed-c6"), repo) == ["c5"]


def test_since_a_meeting_of_the_plan(run: Run, repo: Built) -> None:
    events = history(run, repo, "--since", "第1回推進委員会")  # 2026-06-15
    labels = commits(events, repo)
    assert labels[0] == "c7"
    assert not {"c1", "c5"} & set(labels)
    assert history(run, repo, "--since", "第１回推進委員会") == events  # full-width digit: the same meeting


def test_since_last_meeting_depends_on_the_as_of_date(run: Run, repo: Built) -> None:
    first = history(run, repo, "--since", "last-meeting", "--as-of", "2026-08-01")  # 第1回, 2026-06-15
    assert commits(first, repo)[0] == "c7"
    second = history(run, repo, "--since", "last-meeting", "--as-of", "2026-10-01")  # 第2回, 2026-09-15
    assert set(commits(second, repo)) - {"c19"} == {"c14", "c15", "c16", "c17", "c18"}


def test_last_meeting_with_no_meeting_before_the_as_of_date_is_refused(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "history", "--since", "last-meeting", "--as-of", "2023-01-01")
    assert result.exit_code == 1
    assert "meeting" in result.stderr


def test_until_a_date_includes_that_day(run: Run, repo: Built) -> None:
    labels = commits(history(run, repo, "--until", "2026-06-01"), repo)
    assert labels == ["c1", "c2", "c3", "c4"]


def test_until_a_revision_and_since_with_until(run: Run, repo: Built) -> None:
    assert commits(history(run, repo, "--until", repo.sha["c5"]), repo) == ["c1", "c2", "c3", "c4", "c5"]
    between = history(run, repo, "--since", repo.sha["c2"], "--until", repo.sha["c5"])
    assert commits(between, repo) == ["c3", "c4", "c5"]
    dates = history(run, repo, "--since", "2026-05-01", "--until", "2026-06-01")
    assert commits(dates, repo) == ["c2", "c3", "c4"]


def test_an_unknown_when_is_refused_listing_the_accepted_forms(run: Run, repo: Built) -> None:
    for args in (["history", "--since", "先週の会議"], ["status", "--since", "先週の会議"]):
        result = cli(run, repo.top, *args)
        assert result.exit_code == 1, args
        message = result.stderr
        assert "先週の会議" in message
        assert "YYYY-MM-DD" in message and "last-meeting" in message and "revision" in message
        assert "第1回推進委員会" in message and "第2回推進委員会" in message
        assert result.stdout == ""
    result = cli(run, repo.top, "history", "--until", "2026-02-30")
    assert result.exit_code == 1 and "2026-02-30" in result.stderr


# --- status --since ---------------------------------------------------------------------


def status_json(run: Run, repo: Built, *args: str) -> dict[str, Any]:
    result = cli(run, repo.top, "status", "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_status_since_a_date_json(run: Run, repo: Built) -> None:
    data = status_json(run, repo, "--since", "2026-07-15")
    assert data["since"] == {"when": "2026-07-15", "date": "2026-07-15", "commit": repo.sha["c10"]}
    projects = {p["id"]: p for p in data["projects"]}
    assert set(projects) == {K, ON}
    since = projects[K]["since"]
    assert set(since) == {"records", "replanned", "state_changes"}
    (record,) = since["records"]
    assert set(record) == EVENT_KEYS
    assert (record["commit"], record["kind"], record["quarter"]) == (repo.sha["c11"], "record", "Q2")
    assert [(e["commit"], e["kind"], e["text"]) for e in since["replanned"]] == [
        (repo.sha["c12"], "target_moved", "検討とりまとめ")
    ]
    assert since["state_changes"] == [
        {"initiative": K_INIT2, "fiscal_year": "R8", "text": "フィールドワーク", "from": "open", "to": "done"}
    ]
    online = projects[ON]["since"]
    assert online["records"] == [] and online["state_changes"] == []
    assert {e["commit"] for e in online["replanned"]} >= {repo.sha[c] for c in ("c14", "c15", "c16", "c17", "c18")}
    assert all(e["kind"] != "record" for e in online["replanned"])
    # the rest of the JSON is that of plain status
    plain = status_json(run, repo)
    assert "since" not in plain and all("since" not in p for p in plain["projects"])
    assert [{k: v for k, v in p.items() if k != "since"} for p in data["projects"]] == plain["projects"]


def test_status_since_a_meeting_and_a_revision(run: Run, repo: Built) -> None:
    data = status_json(run, repo, "--since", "第1回推進委員会")
    assert data["since"]["date"] == "2026-06-15"
    assert "第1回推進委員会" in data["since"]["when"]
    assert data["since"]["commit"] == repo.sha["c6"]  # the last commit before that day
    projects = {p["id"]: p["since"] for p in data["projects"]}
    assert [e["commit"] for e in projects[ON]["records"]] == [repo.sha["c7"]]
    assert {e["commit"] for e in projects[K]["records"]} == {repo.sha["c10"], repo.sha["c11"]}

    data = status_json(run, repo, "--since", repo.sha["c10"])
    assert data["since"]["commit"] == repo.sha["c10"]
    assert data["since"]["date"] == "2026-07-05"
    projects = {p["id"]: p["since"] for p in data["projects"]}
    assert [e["commit"] for e in projects[K]["records"]] == [repo.sha["c11"]]  # not c10 itself
    assert [s["text"] for s in projects[K]["state_changes"]] == ["フィールドワーク"]


def test_status_since_last_meeting(run: Run, repo: Built) -> None:
    data = status_json(run, repo, "--since", "last-meeting")  # as of 2026-11-26: 第2回, 2026-09-15
    assert data["since"]["date"] == "2026-09-15"
    assert data["since"]["commit"] == repo.sha["c13"]
    projects = {p["id"]: p["since"] for p in data["projects"]}
    # no commit to K since, but the Q2 actual (merged before) is dated 2026-09-30, the end of its quarter:
    # as of 2026-09-15 フィールドワーク was still open (DESIGN.md §5)
    assert projects[K] == {
        "records": [],
        "replanned": [],
        "state_changes": [
            {"initiative": K_INIT2, "fiscal_year": "R8", "text": "フィールドワーク", "from": "open", "to": "done"}
        ],
    }
    assert projects[ON]["records"] == [] and projects[ON]["replanned"]


def test_status_since_a_date_judges_then_on_the_line_of_head(run: Run, repo: Built) -> None:
    """On 2026-08-03 main was at c10: the branch commit c11 (08-01) was merged only on 08-10 (c13).

    The state "then" is what HEAD's history held on that day (first parents), not a commit of a
    branch that was not merged yet.
    """
    data = status_json(run, repo, "--since", "2026-08-03")
    assert data["since"]["commit"] == repo.sha["c10"]


def test_status_since_table_has_a_since_column(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "status", "--as-of", AS_OF, "--since", "2026-07-15")
    assert result.exit_code == 0, result.stderr
    assert "Since 2026-07-15" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "暮らし・まちのDX創出基盤の構築" in line)
    assert "1 recorded" in row
    plain = cli(run, repo.top, "status", "--as-of", AS_OF)
    assert "Since" not in plain.stdout


def test_status_since_csv_and_markdown_have_the_column(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "status", "--as-of", AS_OF, "--since", "2026-07-15", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header = rows[0]
    assert header[-1] == "Since 2026-07-15"
    cells = {row[0]: row[-1] for row in rows[1:]}
    # a cell starting with "+" is written with a leading ' so that spreadsheets do not take it for a formula
    assert cells[K].removeprefix("'") == "1 recorded, 1 states changed, 1 re-planned"
    assert "records" not in cells[ON] and "re-planned" in cells[ON]
    result = cli(run, repo.top, "status", "--as-of", AS_OF, "--since", "2026-07-15", "--format", "markdown")
    assert result.exit_code == 0
    assert "Since 2026-07-15" in result.stdout.splitlines()[0]
    assert "1 recorded" in next(line for line in result.stdout.splitlines() if K in line)


def test_status_since_a_day_with_nothing_after_it(run: Run, repo: Built) -> None:
    data = status_json(run, repo, "--since", "2026-11-01")
    assert data["since"]["commit"] == repo.sha["c19"]
    for project in data["projects"]:
        assert project["since"] == {"records": [], "replanned": [], "state_changes": []}
    result = cli(run, repo.top, "status", "--as-of", AS_OF, "--since", "2026-11-01", "--format", "csv")
    assert {row[-1] for row in list(csv.reader(io.StringIO(result.stdout)))[1:]} == {"no change"}


# --- show: re-planning made visible -----------------------------------------------------


def test_show_marks_a_moved_target_with_its_first_year(run: Run, repo: Built) -> None:
    table = cli(run, repo.top, "show", K, "--as-of", AS_OF)
    assert table.exit_code == 0, table.stderr
    flat = table.stdout.replace("\n", "").replace(" ", "").replace("│", "")
    assert "ロードマップ作成(R5→R6)" in flat
    assert "検討とりまとめ(R6→R7)" in flat
    assert "ニーズ調査(R" not in flat
    markdown = cli(run, repo.top, "show", K, "--as-of", AS_OF, "--format", "markdown")
    assert markdown.exit_code == 0
    assert "ロードマップ作成 (R5→R6)" in markdown.stdout
    assert "検討とりまとめ (R6→R7)" in markdown.stdout
    assert "フィールドワーク (R" not in markdown.stdout


def test_show_json_has_moved_from(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "show", K, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    moved = {
        (i["name"], t["fiscal_year"], t["text"]): t["moved_from"] for i in data["initiatives"] for t in i["targets"]
    }
    assert moved[(K_INIT1, "R6", "ロードマップ作成")] == "R5"
    assert moved[(K_INIT3, "R7", "検討とりまとめ")] == "R6"
    others = {k: v for k, v in moved.items() if k[2] not in ("ロードマップ作成", "検討とりまとめ")}
    assert others and set(others.values()) == {None}


def test_show_follows_a_target_moved_twice_across_a_rename(run: Run, repo: Built) -> None:
    """電子申請システムの更改: R6 → R7 before the rename, R7 → R8 after it: first planned in R6."""
    result = cli(run, repo.top, "show", ON, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    targets = {
        (t["fiscal_year"], t["text"]): t["moved_from"] for t in json.loads(result.stdout)["initiatives"][0]["targets"]
    }
    assert targets[("R8", "電子申請システムの更改")] == "R6"
    assert targets[("R7", "窓口業務の抜本的見直し")] is None  # reworded, not moved
    markdown = cli(run, repo.top, "show", ON, "--as-of", AS_OF, "--format", "markdown")
    assert "電子申請システムの更改 (R6→R8)" in markdown.stdout


# --- formats ----------------------------------------------------------------------------


def test_history_table_lists_the_commits(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "history")
    assert result.exit_code == 0
    for label in ("c1", "c2", "c3", "c4", "c5", "c7", "c8", "c10", "c11", "c12", "c14", "c15", "c16"):
        assert repo.short(label) in result.stdout, label
    for label in ("c6", "c9", "c13"):  # no events of their own
        assert repo.short(label) not in result.stdout, label
    assert "Mallory" in result.stdout and "target moved" in result.stdout
    assert "2026-05-01" in result.stdout


def test_history_table_in_japanese(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "history", K, "--lang", "ja")
    assert result.exit_code == 0
    assert "年度変更" in result.stdout and "実績記録" in result.stdout and "目標追加" in result.stdout


def test_history_csv_matches_the_json(run: Run, repo: Built) -> None:
    events = history(run, repo)
    result = cli(run, repo.top, "history", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:5] == ["Date", "Commit", "Author", "Project", "Kind"]
    assert len(rows) == len(events) + 1
    for row, e in zip(rows[1:], events, strict=True):
        assert e["commit"].startswith(row[1]) and row[2] == e["author"] and row[3] == e["project"]
        assert row[0] == e["date"][:10]
    moved = next(row for row in rows if row[1] == repo.short("c2"))
    assert "ロードマップ作成" in moved[-1] and "R5" in moved[-1] and "R6" in moved[-1]
    kpi = next(row for row in rows if row[1] == repo.short("c3"))
    assert "880" in kpi[-1] and "1065" in kpi[-1]


def test_history_markdown_renders_a_table(run: Run, repo: Built) -> None:
    events = history(run, repo, K)
    result = cli(run, repo.top, "history", K, "--format", "markdown")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert len(lines) == len(events) + 2  # header, separator, one row per event
    assert set(lines[1].replace("|", "").replace(" ", "")) <= set("-:")
    assert any(repo.short("c11") in line and "Mallory" in line for line in lines)


def test_history_with_nothing_to_show(run: Run, repo: Built) -> None:
    result = cli(run, repo.top, "history", "--since", "2026-12-01")
    assert result.exit_code == 0
    assert "Nothing in the review log." in result.stdout
    assert history(run, repo, "--since", "2026-12-01") == []


# --- outside git, shallow clones, empty repositories ------------------------------------


@pytest.fixture
def plain_copy(repo: Built, tmp_path: Path) -> Path:
    """The roadmaps of the repository, as they are now, in a folder that is not a repository."""
    top = tmp_path / "plain"
    shutil.copytree(repo.top / "roadmaps", top / "roadmaps")
    return top


def test_outside_a_repository_history_and_since_say_so(run: Run, plain_copy: Path) -> None:
    for args in (
        ["history"],
        ["history", K],
        ["status", "--since", "2026-07-15"],
        ["status", "--since", "last-meeting"],
    ):
        result = cli(run, plain_copy, *args, "--as-of", AS_OF)
        assert result.exit_code == 1, args
        assert "not inside a git repository" in result.stderr, (args, result.stderr)
        assert result.stdout == "", args


def test_outside_a_repository_the_other_commands_work(run: Run, plain_copy: Path) -> None:
    for args in (["status", "--as-of", AS_OF], ["show", K], ["validate"], ["slipping"], ["status", "-f", "json"]):
        result = cli(run, plain_copy, *args)
        assert result.exit_code == 0, (args, result.stderr)
    show = cli(run, plain_copy, "show", K, "--as-of", AS_OF, "--format", "markdown")
    assert "ロードマップ作成" in show.stdout and "(R5→R6)" not in show.stdout
    data = json.loads(cli(run, plain_copy, "show", K, "--as-of", AS_OF, "--format", "json").stdout)
    assert {t["moved_from"] for i in data["initiatives"] for t in i["targets"]} == {None}


def test_a_shallow_clone_says_so(run: Run, repo: Built, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.top}", str(shallow))
    assert git(shallow, "rev-parse", "--is-shallow-repository").strip() == "true"
    for args in (["history"], ["status", "--since", "2026-07-15"]):
        result = cli(run, shallow, *args, "--as-of", AS_OF)
        assert result.exit_code == 1, args
        assert "shallow" in result.stderr, result.stderr
    for args in (["status", "--as-of", AS_OF], ["show", K], ["validate"], ["slipping"]):
        assert cli(run, shallow, *args).exit_code == 0, args
    show = cli(run, shallow, "show", K, "--as-of", AS_OF, "--format", "markdown")
    assert "ロードマップ作成" in show.stdout


def test_a_repository_without_commits_says_so(run: Run, seed_repo: Path) -> None:
    git(seed_repo, "init", "-q")
    result = cli(run, seed_repo, "history")
    assert result.exit_code == 1
    assert "no commits" in result.stderr
    assert cli(run, seed_repo, "show", K, "--as-of", AS_OF).exit_code == 0


def test_history_from_a_subfolder_or_with_dir(run: Run, repo: Built, tmp_path: Path) -> None:
    events = history(run, repo)
    inside = cli(run, repo.top / "roadmaps", "history", "--format", "json", top=repo.top)
    assert inside.exit_code == 0 and json.loads(inside.stdout) == events
    elsewhere = cli(run, tmp_path, "history", "--dir", str(repo.top / "roadmaps"), "--format", "json")
    assert elsewhere.exit_code == 0, elsewhere.stderr
    assert json.loads(elsewhere.stdout) == events


# --- renames, in a small repository of their own ----------------------------------------

SMALL = """\
政策分野: 行政経営
事業名: {name}
担当課: 総務部
取組:
  - 名称: 取組A
    目標:
      R8: [{first}, 研修の実施]
"""


@pytest.fixture
def renamed(tmp_path: Path) -> Built:
    """sub/aaa.yaml (05-01); renamed to ccc.yaml and a target reworded, one commit (06-01); a record in
    ccc achieving 研修の実施 (07-01); then a new, different project written at the old path sub/aaa.yaml (07-10).
    """
    top = tmp_path / "small"
    (top / "roadmaps" / "sub").mkdir(parents=True)
    (top / "roadmaps" / "_plan.yaml").write_text(SEED_PLAN, encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "commit.gpgsign", "false")
    sha: dict[str, str] = {}

    def commit(label: str, author: str, when: str) -> None:
        git(top, "add", "-A")
        git(top, "commit", "-q", "-m", label, env=dated(author, when))
        sha[label] = git(top, "rev-parse", "HEAD").strip()

    old = top / "roadmaps" / "sub" / "aaa.yaml"
    old.write_text(SMALL.format(name="事業一", first="要件定義"), encoding="utf-8")
    commit("s1", "Alice", "05-01")
    git(top, "mv", "roadmaps/sub/aaa.yaml", "roadmaps/ccc.yaml")
    edit(top / "roadmaps" / "ccc.yaml", "要件定義", "要件定義書の作成")
    commit("s2", "Bob", "06-01")
    with (top / "roadmaps" / "ccc.yaml").open("a", encoding="utf-8") as f:
        f.write("    実績:\n      R8:\n        - {四半期: Q1, 内容: 研修の実施}\n")
    commit("s3", "Carol", "07-01")
    old.write_text(SMALL.format(name="事業二", first="別の事業の目標"), encoding="utf-8")
    commit("s4", "Dave", "07-10")
    return Built(top, sha)


def test_a_rename_with_an_edit_in_the_same_commit_is_followed(run: Run, renamed: Built) -> None:
    events = history(run, renamed)
    assert [key(e) for e in of(events, renamed, "s2")] == [
        ("ccc", "target_changed", "取組A", "R8", None, "要件定義書の作成", None, None)
    ]
    assert {e["project"] for e in of(events, renamed, "s1")} == {"ccc"}
    assert [key(e)[:4] for e in of(events, renamed, "s3")] == [("ccc", "record", "取組A", "R8")]


def test_status_since_before_a_rename_compares_the_states_of_the_same_project(run: Run, renamed: Built) -> None:
    data = status_json(run, renamed, "--since", "2026-05-15")
    assert data["since"]["commit"] == renamed.sha["s1"]
    projects = {p["id"]: p["since"] for p in data["projects"]}
    assert projects["ccc"]["state_changes"] == [
        {"initiative": "取組A", "fiscal_year": "R8", "text": "研修の実施", "from": "open", "to": "done"}
    ]
    assert [e["commit"] for e in projects["ccc"]["records"]] == [renamed.sha["s3"]]


def test_a_new_project_at_a_renamed_projects_old_path_is_not_the_renamed_one(run: Run, renamed: Built) -> None:
    """sub/aaa was renamed to ccc; the file written later at sub/aaa.yaml is another project (事業二)."""
    events = history(run, renamed)
    assert {e["project"] for e in of(events, renamed, "s4")} == {"sub/aaa"}
    assert {e["project"] for e in history(run, renamed, "ccc")} == {"ccc"}
    assert "s4" not in commits(history(run, renamed, "ccc"), renamed)
    assert commits(history(run, renamed, "sub/aaa"), renamed) == ["s4"]
    data = status_json(run, renamed, "--since", "2026-07-05")
    projects = {p["id"]: p["since"] for p in data["projects"]}
    assert projects["ccc"] == {"records": [], "replanned": [], "state_changes": []}
    assert [e["text"] for e in projects["sub/aaa"]["replanned"]] == ["別の事業の目標", "研修の実施"]
