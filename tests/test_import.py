"""`import` below the command line (issue 15): answered forms checked cell by cell, recorded byte-exact.

Forms are made from the portfolio of `tests/test_forms.py`, filled with openpyxl the way a person
would, and imported with `importing.check` / `importing.apply`; the roadmap files are compared byte
for byte with what they must be. Then every tolerance (LibreOffice re-saves, numbers and dates as
text, serials, blank rows, notes, sorted and filtered rows, a renamed sheet, CSV with or without a
BOM), every refusal (each problem one line naming the cell; nothing written), idempotence, forms
made before the roadmap changed, `--commit`, untrusted files (formulas, macros, encryption, zip
bombs), and a property over the record tests' generated layouts.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from dxroadmap import fiscal, forms, i18n, importing, intake, recording
from dxroadmap.problems import StoreError
from dxroadmap.report.xlsx import form_workbook
from dxroadmap.settings import Settings
from tests.test_forms import (
    A_YAML,
    AS_OF,
    B_BYTES,
    OWNER_A,
    Answers,
    data_rows,
    fill,
    find,
    form_sheet,
    libreoffice_resave,
    make,
    write_portfolio,
)
from tests.test_record_layouts import _held_on_one_line, added_bytes, assert_layout_kept, roadmap_files

ANSWER = "回答_DX推進課.xlsx"

# A whole answer of 企画政策部DX推進課 for R8 Q2, and what it makes of the two files.
ANSWERS: Answers = {
    ("a", "環境整備", None): {
        "text": "ニーズ調査を実施",
        "date": datetime(2026, 9, 10),
        "outlook": "注意",
        "rating": "B",
    },
    ("a", "環境整備", "ロードマップ作成"): {"reason": "担当者の異動で遅れた。R9 Q1 に作成する"},
    ("a", "環境整備", "ニーズ調査"): {"done": "✔"},
    ("a", "実装支援", None): {"outlook": "順調"},
    ("a", "実装支援", "導入市町村数"): {"value": 7, "reason": "補助金の交付決定が遅れたため"},
    ("sub/b", "オンライン申請", None): {"text": "構築完了"},
    ("sub/b", "オンライン申請", "申請システム構築"): {"done": "✔"},
}
A_AFTER = A_YAML.replace(
    "          内容: 調査票を作成\n",
    "          内容: 調査票を作成\n"
    "        - 四半期: Q2\n"
    "          日付: 2026-09-10\n"
    "          内容: ニーズ調査を実施\n"
    "          達成: [ニーズ調査]\n"
    "          理由: 担当者の異動で遅れた。R9 Q1 に作成する\n"
    "          見通し: 注意\n"
    "          評価: B\n",
).replace(
    "R8: [{四半期: Q1, 指標: 導入市町村数, 値: 4}]",
    "R8: [{四半期: Q1, 指標: 導入市町村数, 値: 4}, {四半期: Q2, 指標: 導入市町村数, 値: 7, "
    "理由: 補助金の交付決定が遅れたため, 見通し: 順調}]",
)
B_AFTER = (
    B_BYTES
    + (
        "\r\n    実績:\r\n      R8:\r\n        - 四半期: Q2\r\n"
        "          内容: 構築完了\r\n          達成: [申請システム構築]"
    ).encode()
)


@pytest.fixture
def lang_ja() -> Iterator[None]:
    i18n.set_language("ja")
    yield
    i18n.set_language("en")


@pytest.fixture
def lang_en() -> Iterator[None]:
    i18n.set_language("en")
    yield


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_portfolio(tmp_path / "roadmaps")


@pytest.fixture
def form(repo: Path, tmp_path: Path) -> Path:
    return make(repo, tmp_path / "forms", owner="DX推進課")[0]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def check(root: Path, *paths: Path, **kw: Any) -> importing.Plan:
    return importing.check(list(paths), root, kw.pop("as_of", AS_OF), **kw)


def imported(root: Path, *paths: Path, **kw: Any) -> importing.Plan:
    plan = check(root, *paths, **kw)
    assert plan.problems == []
    importing.apply(plan)
    return plan


def refused(root: Path, *paths: Path, **kw: Any) -> list[str]:
    """The problems of an import that must be refused; nothing is written, even when asked to."""
    before = files(root)
    plan = check(root, *paths, **kw)
    assert plan.problems, "expected a refusal"
    with pytest.raises(StoreError):
        importing.apply(plan)
    assert files(root) == before
    return plan.problems


def assert_whole_answer_recorded(root: Path) -> None:
    assert (root / "a.yaml").read_bytes() == A_AFTER.encode("utf-8")
    assert (root / "sub" / "b.yaml").read_bytes() == B_AFTER


# --- the round trip ------------------------------------------------------------------------------


def test_a_filled_form_is_recorded_byte_exact(repo: Path, form: Path, tmp_path: Path, lang_ja: None) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    c_before = (repo / "c.yaml").read_bytes()
    plan = imported(repo, answer)
    assert_whole_answer_recorded(repo)
    assert (repo / "c.yaml").read_bytes() == c_before
    assert plan.warnings == []
    shown = os.path.relpath(answer)
    assert plan.lines() == [
        f"{shown}: {OWNER_A} R8 Q2 — 取組 3 件の実績を 2 件のファイルに記録しました",
        f"  a ({os.path.relpath(repo / 'a.yaml')}): 環境整備, 実装支援",
        "    ニーズ調査 (R8): 遅延 → 達成(遅れ)",
        "    環境整備: 未報告 → 報告済",
        "    導入市町村数 (R8): 遅延 → 進行中",
        "    実装支援: 未報告 → 報告済",
        f"  sub/b ({os.path.relpath(repo / 'sub' / 'b.yaml')}): オンライン申請",
        "    申請システム構築 (R8): 進行中 → 達成",
        "    オンライン申請: 未報告 → 報告済",
    ]
    assert not list(repo.rglob(".*.tmp"))


def test_importing_the_same_answers_again_adds_nothing(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    imported(repo, answer)
    after = files(repo)
    again = imported(repo, answer)
    assert files(repo) == after
    assert again.batches == []
    assert again.lines() == [
        f"{os.path.relpath(answer)}: the answers of {OWNER_A} for R8 Q2 are all recorded already; nothing added"
    ]
    twice = imported(repo, answer, answer)  # the same workbook twice in one import
    assert files(repo) == after and twice.batches == []


def test_the_same_form_given_twice_in_one_import_records_once(repo: Path, form: Path, tmp_path: Path) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    plan = imported(repo, answer, answer)
    assert [len(w.batches) for w in plan.workbooks] == [2, 0]
    assert_whole_answer_recorded(repo)


def test_dry_run_gives_the_diff_and_writes_nothing(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    before = files(repo)
    plan = check(repo, answer)
    diff = plan.diff()
    assert files(repo) == before
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert "+        - 四半期: Q2" in added and "+          達成: [ニーズ調査]" in added
    assert removed == [
        "-      R8: [{四半期: Q1, 指標: 導入市町村数, 値: 4}]   # 第1四半期",  # the one flow line grows
        "-      R8: [申請システム構築]",  # the last line of a file without a final newline gains one
    ]
    assert diff.endswith("達成: [申請システム構築]\n\\ No newline at end of file\n")
    assert plan.lines(dry_run=True)[0].endswith("(--dry-run: nothing written)")


def test_a_later_answer_adds_only_what_is_new(repo: Path, form: Path, tmp_path: Path) -> None:
    first: Answers = {("a", "環境整備", None): {"text": "ニーズ調査を実施", "reason": "遅れた"}}
    imported(repo, fill(form, tmp_path / "1.xlsx", first))
    more = {**first, ("a", "環境整備", "研修会"): {"done": "✔", "text": "研修会を開催"}}
    plan = imported(repo, fill(form, tmp_path / "2.xlsx", more))
    assert plan.batches[0].parts[0][1][0].text == "研修会を開催"
    text = (repo / "a.yaml").read_text(encoding="utf-8")
    assert text.count("ニーズ調査を実施") == 1 and "達成: [研修会]" in text


def test_two_owners_two_workbooks_one_commit_each(repo: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = repo.parent
    git = ["git", "-C", str(top), "-c", "user.name=t", "-c", "user.email=t@example.jp"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    a_form, c_form = make(repo, tmp_path / "forms")
    a = fill(a_form, tmp_path / ANSWER, ANSWERS)
    c = fill(
        c_form,
        tmp_path / "回答_情報政策課.xlsx",
        {("c", "セキュリティ研修", "受講率"): {"value": "55%", "reason": "研修日程の調整中"}},
    )
    plan = check(repo, a, c)
    assert plan.problems == []
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.jp"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.jp"}
    old = os.environ.copy()
    os.environ.update(env)
    try:
        said = importing.apply(plan, commit=True)
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert len(said) == 2

    def commit(revision: str) -> list[str]:
        shown = [*git, "show", "--name-only", "--format=%s", revision]
        return subprocess.run(shown, capture_output=True, text=True, check=True).stdout.split()

    assert commit("HEAD") == ["import:", "総務部情報政策課", "R8", "Q2", "roadmaps/c.yaml"]
    assert commit("HEAD~1") == ["import:", "企画政策部DX推進課", "R8", "Q2", "roadmaps/a.yaml", "roadmaps/sub/b.yaml"]
    assert commit("HEAD~2")[0] == "start"
    assert_whole_answer_recorded(repo)
    status = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_commit_refuses_a_file_with_uncommitted_changes(repo: Path, form: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git = ["git", "-C", str(repo.parent), "-c", "user.name=t", "-c", "user.email=t@example.jp"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    with (repo / "sub" / "b.yaml").open("ab") as out:
        out.write(b"\r\n# edited")
    plan = check(repo, fill(form, tmp_path / ANSWER, ANSWERS))
    before = files(repo)
    with pytest.raises(StoreError, match="uncommitted changes"):
        importing.apply(plan, commit=True)
    assert files(repo) == before


# --- problems: one line each, naming the cell; nothing written -----------------------------------


def test_every_bad_cell_is_one_line_naming_it(repo: Path, form: Path, tmp_path: Path, lang_ja: None) -> None:
    bad: Answers = {
        **ANSWERS,
        ("a", "環境整備", None): {"text": "実施", "date": "来週", "outlook": "まあまあ", "rating": "Z"},
        ("a", "環境整備", "ロードマップ作成"): {},  # late, not achieved, no 理由
        ("a", "環境整備", "ニーズ調査"): {"done": "○"},
        ("a", "実装支援", "導入市町村数"): {"value": "七", "reason": "遅れ"},
        ("sub/b", "オンライン申請", None): {"text": "構築完了", "date": datetime(2026, 10, 1)},
    }
    answer = fill(form, tmp_path / ANSWER, bad)
    name = os.path.relpath(answer)
    must = "達成していなければ 理由(遅れの理由と対応)を書いてください"
    assert refused(repo, answer) == [
        f"{name}!報告!O5: 来週 は日付として読めません(2026/10/15、令和8年10月15日 のように書いてください)",
        f"{name}!報告!Q5: まあまあ は選択肢にありません(選べるもの: 順調, 注意, 困難)",
        f"{name}!報告!R5: Z は選択肢にありません(選べるもの: A, B, C)",
        f"{name}!報告!K7: ○ は選択肢にありません(選べるもの: ✔ または空欄)",
        f"{name}!報告!L10: 七 は数値として読めません",
        f"{name}!報告!O11: 2026-10-01 は報告期間 R8 Q2(2026-07-01〜2026-09-30)の外です",
        f"{name}!報告!P6: ロードマップ作成 (R7) は R8 Q2 の末に未達です。{must}",
        f"{name}!報告!P7: ニーズ調査 (R8) は R8 Q2 の末に遅延です。{must}",
    ]


def test_problems_speak_english_too(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, {("a", "実装支援", "導入市町村数"): {"value": "many"}})
    name = os.path.relpath(answer)
    assert refused(repo, answer) == [
        f"{name}!報告!L10: many is not a number",
        f"{name}!報告!P10: 導入市町村数 (R8) was slipping at the end of R8 Q2: unless it was achieved, give 理由 "
        "(why it is late, what is done)",
    ]


def test_reason_is_not_needed_when_the_late_item_is_achieved(repo: Path, form: Path, tmp_path: Path) -> None:
    answers: Answers = {
        ("a", "環境整備", "ロードマップ作成"): {"done": "✔"},
        ("a", "環境整備", "ニーズ調査"): {"done": "✔"},
        ("a", "実装支援", "導入市町村数"): {"value": 10},  # reaches the target
    }
    imported(repo, fill(form, tmp_path / ANSWER, answers))
    text = (repo / "a.yaml").read_text(encoding="utf-8")
    assert "        - 四半期: Q2\n          達成: [ロードマップ作成, ニーズ調査]\n" in text
    assert "{四半期: Q2, 指標: 導入市町村数, 値: 10}" in text


def test_a_reason_on_the_initiatives_row_covers_its_late_targets(repo: Path, form: Path, tmp_path: Path) -> None:
    answers: Answers = {("a", "環境整備", None): {"text": "調査継続中", "reason": "業者選定が遅れた"}}
    imported(repo, fill(form, tmp_path / ANSWER, answers))
    assert "理由: 業者選定が遅れた" in (repo / "a.yaml").read_text(encoding="utf-8")


def test_reason_or_outlook_alone_needs_a_text(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, {("sub/b", "オンライン申請", None): {"outlook": "困難"}})
    assert refused(repo, answer) == [
        f"{os.path.relpath(answer)}!報告!N11: 理由, 見通し or 評価 alone cannot be recorded: give 実施内容 too "
        "(write 実施なし if nothing was done)"
    ]


def test_an_answer_contradicting_the_period_is_refused_unless_forced(
    repo: Path, form: Path, tmp_path: Path, lang_en: None
) -> None:
    text = A_YAML.replace(
        "[{四半期: Q1, 指標: 導入市町村数, 値: 4}]", "[{四半期: Q2, 指標: 導入市町村数, 値: 5, 見通し: 注意}]"
    )
    (repo / "a.yaml").write_text(text, encoding="utf-8")
    answers: Answers = {
        ("a", "実装支援", None): {"outlook": "順調"},
        ("a", "実装支援", "導入市町村数"): {"value": 6, "reason": "遅れ"},
    }
    answer = fill(form, tmp_path / ANSWER, answers)
    name = os.path.relpath(answer)
    assert refused(repo, answer) == [
        f"{name}!報告!Q9: Outlook is already recorded as at risk for R8 Q2, not 順調 (record it anyway with --force)",
        f"{name}!報告!L10: 導入市町村数 is already recorded as 5 for R8 Q2, not 6 (record it anyway with --force)",
    ]
    imported(repo, answer, force=True)
    after = (repo / "a.yaml").read_text(encoding="utf-8")
    assert "{四半期: Q2, 指標: 導入市町村数, 値: 6, 理由: 遅れ, 見通し: 順調}]" in after
    same = {("a", "実装支援", "導入市町村数"): {"value": 6, "reason": "遅れ"}}
    assert check(repo, fill(form, tmp_path / "same.xlsx", same)).batches == []  # the same value again: nothing


def test_a_form_of_another_plan_or_period_is_refused(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    name = os.path.relpath(answer)
    plan_text = (repo / "_plan.yaml").read_text(encoding="utf-8")
    assert refused(repo, answer, period=fiscal.parse_period("R8Q3")) == [
        f"{name}!報告!U5: a form for R8 Q2 (the answers being imported are for R8 Q3)"
    ]
    (repo / "_plan.yaml").write_text(plan_text.replace("テスト県", "別の県"), encoding="utf-8")
    assert refused(repo, answer) == [
        f"{name}!報告!T5: a form of another plan (the form's: テスト県DX推進計画; this plan: 別の県DX推進計画)"
    ]


def test_a_row_pasted_from_another_periods_form_is_refused(
    repo: Path, form: Path, tmp_path: Path, lang_en: None
) -> None:
    def paste(book: Any, ws: Any, keys: dict[str, int]) -> None:
        ws.cell(data_rows(ws, keys)[2], keys["id.period"]).value = "R8Q1"

    answer = fill(form, tmp_path / ANSWER, ANSWERS, edit=paste)
    assert refused(repo, answer) == [
        f"{os.path.relpath(answer)}!報告!U7: this row comes from a form for R8Q1 (this form is for R8 Q2)"
    ]


def test_a_form_of_a_newer_version_or_damaged_ids(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    def newer(book: Any, ws: Any, keys: dict[str, int]) -> None:
        for r in data_rows(ws, keys):
            ws.cell(r, keys["id.form"]).value = f"{forms.FORMAT}/99"

    answer = fill(form, tmp_path / "newer.xlsx", ANSWERS, edit=newer)
    assert refused(repo, answer) == [
        f"{os.path.relpath(answer)}!報告!S5: this form ({forms.FORMAT}/99) was made by a newer dxroadmap: "
        "update dxroadmap"
    ]

    def damaged(book: Any, ws: Any, keys: dict[str, int]) -> None:
        ws.cell(data_rows(ws, keys)[1], keys["id.year"]).value = "次の年"

    answer = fill(form, tmp_path / "damaged.xlsx", ANSWERS, edit=damaged)
    problems = refused(repo, answer)
    assert problems == [
        f"{os.path.relpath(answer)}!報告!AB6: this row's identification is damaged (id.year: 次の年); do not change "
        "the form's hidden columns"
    ]


def test_the_period_not_over_needs_dates(repo: Path, tmp_path: Path, lang_en: None) -> None:
    early = make(repo, tmp_path / "forms", owner="DX", period=fiscal.parse_period("R8Q3"))[0]
    answers: Answers = {("sub/b", "オンライン申請", None): {"text": "設計中"}}
    answer = fill(early, tmp_path / ANSWER, answers)
    assert refused(repo, answer) == [
        f"{os.path.relpath(answer)}!報告!O11: R8 Q3 is not over yet (it ends on 2026-12-31): give this initiative's "
        "日付 (date)"
    ]
    dated = fill(
        early, tmp_path / "dated.xlsx", {("sub/b", "オンライン申請", None): {"text": "設計中", "date": "2026/11/20"}}
    )
    imported(repo, dated)
    assert "日付: 2026-11-20" in (repo / "sub" / "b.yaml").read_text(encoding="utf-8-sig")
    future = fill(
        early, tmp_path / "future.xlsx", {("sub/b", "オンライン申請", None): {"text": "x", "date": "2026/12/01"}}
    )
    assert refused(repo, future) == [
        f"{os.path.relpath(future)}!報告!O11: 2026-12-01 has not come yet (as of 2026-11-26)"
    ]


# --- a form made before the roadmap changed ------------------------------------------------------


def test_a_stale_form_imports_the_rows_that_still_match(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    changed = A_YAML.replace("取組:\n", "取組:\n  - 名称: 新しい取組\n    目標:\n      R9: [準備]\n\n", 1).replace(
        "        - 研修会\n", "        - 研修会(全3回)\n"
    )
    (repo / "a.yaml").write_text(changed, encoding="utf-8")
    answers = {k: v for k, v in ANSWERS.items() if k[0] == "a"}
    answer = fill(form, tmp_path / ANSWER, answers)
    plan = imported(repo, answer)
    assert plan.warnings == [
        f"{os.path.relpath(answer)}!報告!X5: the file of the project a changed after the form was made: its rows are "
        "matched by ids and texts",
        f"{os.path.relpath(answer)}!報告!D8: this row no longer matches the roadmap (it holds no answer, so it is "
        "skipped): the initiative 環境整備 no longer has the target 研修会 in R8",
        f"{os.path.relpath(answer)}!報告: no answer: sub/b / オンライン申請",
    ]
    text = (repo / "a.yaml").read_text(encoding="utf-8")
    assert "達成: [ニーズ調査]" in text and "値: 7" in text  # placed by name: the initiatives moved down by one
    answered = fill(form, tmp_path / "2.xlsx", {("a", "環境整備", "研修会"): {"done": "✔"}})
    assert refused(repo, answered) == [
        f"{os.path.relpath(answered)}!報告!D8: the initiative 環境整備 no longer has the target 研修会 in R8"
    ]


def test_an_initiative_renamed_names_its_rows(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    (repo / "a.yaml").write_text(A_YAML.replace("名称: 実装支援", "名称: 実装の支援"), encoding="utf-8")
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    name = os.path.relpath(answer)
    assert refused(repo, answer) == [
        f"{name}!報告!D9: the project a no longer has the initiative 実装支援",
        f"{name}!報告!D10: the project a no longer has the initiative 実装支援",
    ]


def test_each_file_is_written_once(repo: Path, form: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workbooks that both answer for a.yaml: one write of it, holding both."""
    written: list[str] = []
    real = recording.store.write_atomic

    def counting(path: Path, data: Any, **kw: Any) -> None:
        written.append(path.name)
        real(path, data, **kw)

    monkeypatch.setattr(recording.store, "write_atomic", counting)
    first = {k: v for k, v in ANSWERS.items() if k[1] == "環境整備"}
    second = {k: v for k, v in ANSWERS.items() if k[1] != "環境整備"}
    imported(repo, fill(form, tmp_path / "1.xlsx", first), fill(form, tmp_path / "2.xlsx", second))
    assert sorted(written) == ["a.yaml", "b.yaml"]
    assert_whole_answer_recorded(repo)


def test_a_project_gone_or_broken(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    (repo / "sub" / "b.yaml").unlink()
    problems = refused(repo, answer)
    assert problems == [
        f"{os.path.relpath(answer)}!報告!D11: the project sub/b no longer exists",
        f"{os.path.relpath(answer)}!報告!D12: the project sub/b no longer exists",
    ]
    (repo / "sub" / "b.yaml").write_text("事業名: [\n", encoding="utf-8")
    problems = refused(repo, answer)
    assert len(problems) == 2 and "the file of the project sub/b has a problem; fix it first:" in problems[0]


# --- tolerance: what people do to workbooks ------------------------------------------------------


def _sort_rows_backwards(book: Any, ws: Any, keys: dict[str, int]) -> None:
    rows = data_rows(ws, keys)
    values = [[ws.cell(r, c).value for c in range(1, ws.max_column + 1)] for r in rows]
    for r, row in zip(rows, reversed(values), strict=True):
        for c, value in enumerate(row, 1):
            ws.cell(r, c).value = value


def _notes_blank_rows_widths_renamed(book: Any, ws: Any, keys: dict[str, int]) -> None:
    last = data_rows(ws, keys)[-1]
    ws.insert_rows(7, 2)  # blank rows in the middle
    ws.cell(last + 4, 2).value = "備考: 担当者 山田(内線 1234)"  # notes below
    ws.cell(last + 5, 14).value = "※ 数値は速報値です"
    for letter in ("B", "C", "N", "P"):
        ws.column_dimensions[letter].width = 80
    ws.title = "第2四半期の回答"  # the sheet renamed
    for r in data_rows(ws, keys)[:2]:
        ws.row_dimensions[r].hidden = True  # filtered out


def _as_text(book: Any, ws: Any, keys: dict[str, int]) -> None:
    """Numbers and dates typed as text, full-width digits, a date serial, ✔ with a variation selector."""
    r = find(ws, keys, "a", "実装支援", "導入市町村数")
    ws.cell(r, keys["value"]).value = "７市町村"
    r = find(ws, keys, "a", "環境整備")
    ws.cell(r, keys["date"]).value = "令和８年９月10日"
    r = find(ws, keys, "a", "環境整備", "ニーズ調査")
    ws.cell(r, keys["done"]).value = "✔\ufe0f"


def _serial(book: Any, ws: Any, keys: dict[str, int]) -> None:
    r = find(ws, keys, "a", "環境整備")
    ws.cell(r, keys["date"]).value = 46275  # 2026-09-10 as an Excel serial, in a General cell
    ws.cell(r, keys["date"]).number_format = "General"
    r = find(ws, keys, "a", "実装支援", "導入市町村数")
    ws.cell(r, keys["value"]).value = 7.0


def _slash_date_and_comma_number(book: Any, ws: Any, keys: dict[str, int]) -> None:
    ws.cell(find(ws, keys, "a", "環境整備"), keys["date"]).value = "2026/09/10"
    ws.cell(find(ws, keys, "a", "実装支援", "導入市町村数"), keys["value"]).value = " 7 "
    ws.cell(find(ws, keys, "a", "実装支援"), keys["outlook"]).value = " 順調 "


@pytest.mark.parametrize(
    "edit",
    [_sort_rows_backwards, _notes_blank_rows_widths_renamed, _as_text, _serial, _slash_date_and_comma_number],
)
def test_what_people_do_to_workbooks_changes_nothing(repo: Path, form: Path, tmp_path: Path, edit: Any) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS, edit=edit)
    plan = imported(repo, answer)
    assert_whole_answer_recorded(repo)
    assert all("not a row of the form" in w or "備考" not in w for w in plan.warnings)


def test_notes_typed_into_an_answer_column_below_the_form_are_named(
    repo: Path, form: Path, tmp_path: Path, lang_en: None
) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS, edit=_notes_blank_rows_widths_renamed)
    plan = imported(repo, answer)
    assert plan.warnings == [
        f"{os.path.relpath(answer)}!第2四半期の回答!A17: not a row of the form (it has no identification): not imported"
    ]


def test_a_copy_of_the_form_sheet_is_refused(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS, edit=lambda book, ws, keys: book.copy_worksheet(ws))
    assert refused(repo, answer) == [f"{os.path.relpath(answer)}: 2 sheets are forms (報告, 報告 Copy): keep one"]


def csv_of(workbook: Path, out: Path, *, bom: bool) -> Path:
    """The form sheet saved as CSV the way Excel does (every column, hidden ones too)."""
    ws = form_sheet(load_workbook(workbook))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in ws.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v.strftime("%Y/%m/%d") if isinstance(v, datetime) else v for v in row])
    out.write_bytes(("\ufeff" if bom else "").encode() + text.getvalue().encode("utf-8"))
    return out


@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_csv_answers_with_or_without_bom(repo: Path, form: Path, tmp_path: Path, bom: bool) -> None:
    answer = csv_of(fill(form, tmp_path / ANSWER, ANSWERS), tmp_path / "回答.csv", bom=bom)
    imported(repo, answer)
    assert_whole_answer_recorded(repo)


def test_csv_problems_name_the_cell_and_cp932_is_refused(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = csv_of(fill(form, tmp_path / ANSWER, {("a", "実装支援", "導入市町村数"): {"value": "x", "reason": "r"}}),
                    tmp_path / "回答.csv", bom=True)  # fmt: skip
    assert refused(repo, answer) == [f"{os.path.relpath(answer)}!L10: x is not a number"]
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes(answer.read_bytes()[3:].decode("utf-8").encode("cp932", "replace"))
    assert refused(repo, sjis) == [
        f"{os.path.relpath(sjis)}: the CSV is not UTF-8: in Excel, save it as CSV UTF-8 (comma delimited)"
    ]


def test_csv_cannot_put_answers_where_the_row_takes_none(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = csv_of(fill(form, tmp_path / ANSWER, ANSWERS), tmp_path / "回答.csv", bom=False)
    text = answer.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(text) if ",ニーズ調査,R8," in line)
    cells = next(csv.reader([text[row]]))
    cells[14] = "2026/09/01"  # 日付 on a target's row
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    text[row] = out.getvalue()
    answer.write_text("\r\n".join(text) + "\r\n", encoding="utf-8")
    assert refused(repo, answer) == [f"{os.path.relpath(answer)}!O{row + 1}: nothing goes into Date on this row"]


def test_libreoffice_round_trip(repo: Path, form: Path, tmp_path: Path) -> None:
    """A form re-saved by LibreOffice (the way an owner section's office suite would) imports the same."""
    answer = fill(form, tmp_path / "filled" / ANSWER, ANSWERS, edit=_as_text)
    resaved = libreoffice_resave(answer, tmp_path)
    book = load_workbook(resaved)
    assert [ws.sheet_state for ws in book.worksheets] == ["visible", "visible", "hidden"]
    assert book["報告"].protection.sheet
    plan = imported(repo, resaved)
    assert plan.warnings == []
    assert_whole_answer_recorded(repo)


# --- untrusted files -----------------------------------------------------------------------------


def _patch(path: Path, part: str, change: Any) -> None:
    """Rewrite one part of an xlsx (zip) in place."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def _sheet_part(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return next(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet2\.xml", n))


def test_formulas_are_never_evaluated(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answers = {
        **ANSWERS,
        ("a", "実装支援", "導入市町村数"): {"value": "=3+4", "reason": "補助金の交付決定が遅れたため"},
    }
    answer = fill(form, tmp_path / ANSWER, answers)
    assert refused(repo, answer) == [
        f"{os.path.relpath(answer)}!報告!L10: a formula with no saved value: type the value, not a formula"
    ]
    # the value the office suite saved with the formula is used, with a warning
    _patch(answer, _sheet_part(answer), lambda xml: re.sub(rb"(<f>3\+4</f>)<v\s*/?>(?:</v>)?", rb"\1<v>7</v>", xml))
    plan = imported(repo, answer)
    assert plan.warnings == [
        f"{os.path.relpath(answer)}!報告!L10: formulas are not evaluated: its saved value 7 is used"
    ]
    assert_whole_answer_recorded(repo)


def test_macro_workbooks_are_refused(repo: Path, form: Path, tmp_path: Path, lang_en: None) -> None:
    answer = fill(form, tmp_path / ANSWER, ANSWERS)
    xlsm = tmp_path / "回答.xlsm"
    shutil.copy(answer, xlsm)
    message = "a macro-enabled workbook (.xlsm, …) is refused: save it as .xlsx"
    assert refused(repo, xlsm) == [f"{os.path.relpath(xlsm)}: {message}"]
    with zipfile.ZipFile(answer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 64)
    assert refused(repo, answer) == [f"{os.path.relpath(answer)}: {message}"]


def test_encrypted_and_old_files_are_refused(repo: Path, tmp_path: Path, lang_en: None) -> None:
    ole = tmp_path / "暗号化.xlsx"
    ole.write_bytes(intake.OLE_MAGIC + b"\x00" * 504 + b"EncryptionInfo")
    assert refused(repo, ole) == [
        f"{os.path.relpath(ole)}: an encrypted (password-protected) or old-format (.xls) file: save it as .xlsx "
        "without a password"
    ]
    text = tmp_path / "text.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    assert refused(repo, text) == [f"{os.path.relpath(text)}: cannot read it as xlsx: File is not a zip file"]
    other = tmp_path / "answer.ods"
    other.write_bytes(b"PK")
    assert refused(repo, other) == [f"{os.path.relpath(other)}: cannot import a .ods file: give an .xlsx or a .csv"]


def test_zip_bombs_and_doctypes_are_refused_before_openpyxl(repo: Path, tmp_path: Path, lang_en: None) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(intake.MAX_PART_BYTES // (1 << 20) + 1):
                part.write(b"\0" * (1 << 20))
    assert bomb.stat().st_size < 200_000
    problems = refused(repo, bomb)
    assert problems == [
        f"{os.path.relpath(bomb)}: it expands to too much (xl/worksheets/sheet1.xml: the limit is 52,428,800 "
        "bytes): not a form"
    ]
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(intake.MAX_ENTRIES + 1):
            archive.writestr(f"x/{i}.xml", b"<a/>")
    assert refused(repo, many) == [
        f"{os.path.relpath(many)}: too many parts inside the xlsx (zip): 501, the limit is 500"
    ]
    laughs = tmp_path / "laughs.xlsx"
    book = Workbook()
    book.save(laughs)
    doctype = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
    _patch(laughs, "xl/workbook.xml", lambda xml: doctype + re.sub(rb"^<\?xml[^>]*\?>", b"", xml))
    assert refused(repo, laughs) == [
        f"{os.path.relpath(laughs)}: xl/workbook.xml holds a DOCTYPE declaration, which no xlsx needs: refused"
    ]


def test_a_workbook_that_is_no_form(repo: Path, tmp_path: Path, lang_en: None) -> None:
    plain = tmp_path / "plain.xlsx"
    book = Workbook()
    book.active["A1"] = "実績"  # type: ignore[index]
    book.save(plain)
    assert refused(repo, plain) == [
        f"{os.path.relpath(plain)}: no dxroadmap form in it (no sheet with the form's identification)"
    ]
    with pytest.raises(StoreError, match="give the workbooks"):
        importing.check([], repo, AS_OF)


def test_texts_go_through_the_sanitiser(repo: Path, form: Path, tmp_path: Path) -> None:
    """ESC and a bidi override (a CSV can hold them; a workbook cannot) are written as visible text."""
    answers: Answers = {("sub/b", "オンライン申請", None): {"text": "構築ESC[31m完了RLO"}}
    answer = csv_of(fill(form, tmp_path / ANSWER, answers), tmp_path / "回答.csv", bom=True)
    answer.write_text(
        answer.read_text(encoding="utf-8").replace("ESC", "\x1b").replace("RLO", "\u202e"), encoding="utf-8"
    )
    imported(repo, answer)
    assert "内容: 構築\\x1b[31m完了\\u202e" in (repo / "sub" / "b.yaml").read_text(encoding="utf-8-sig")


def test_a_file_changed_after_the_check_is_not_overwritten(
    repo: Path, form: Path, tmp_path: Path, lang_en: None
) -> None:
    plan = check(repo, fill(form, tmp_path / ANSWER, ANSWERS))
    edited = (repo / "a.yaml").read_bytes() + b"# edited meanwhile\n"
    (repo / "a.yaml").write_bytes(edited)
    b_before = (repo / "sub" / "b.yaml").read_bytes()
    with pytest.raises(StoreError, match="changed after it was checked"):
        importing.apply(plan)
    assert (repo / "a.yaml").read_bytes() == edited and (repo / "sub" / "b.yaml").read_bytes() == b_before


# --- byte-exactness over generated layouts (the record tests' generator) --------------------------


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
@given(file=roadmap_files(), data=st.data())
def test_property_import_writes_what_record_writes(
    tmp_path_factory: pytest.TempPathFactory, file: Any, data: Any
) -> None:
    """Any generated layout: an answered form adds exactly what `record` adds for the same entry."""
    content, _, _ = file
    folder = tmp_path_factory.mktemp("layout")
    root = folder / "roadmaps"
    root.mkdir()
    (root / "x.yaml").write_bytes(content)
    made = forms.build(forms.load(root), AS_OF)
    assume(made)
    rows = made[0].rows
    heads = [r for r in rows if r.kind == "initiative"]
    head = data.draw(st.sampled_from(heads), label="initiative")
    tasks = [r for r in rows if r.kind == "task" and r.initiative == head.initiative]
    done = data.draw(st.lists(st.sampled_from(tasks), unique_by=lambda r: r.target, max_size=2)) if tasks else []
    done.sort(key=lambda r: (r.fiscal_year or 0, r.target_index or 0))
    note = data.draw(st.sampled_from(["フォームからの回答", "回答: 3件", "'引用'と#記号", "ＡＢＣ１２"]))
    answers: Answers = {("x", head.initiative_name, None): {"text": note, "reason": "遅れの理由"}}
    for row in done:
        answers[("x", head.initiative_name, row.target)] = {"done": "✔"}
    path = forms.make(root, AS_OF, folder / "forms", form_workbook)[0]
    answer = fill(path, folder / "answer.xlsx", answers)
    expected = folder / "expected.yaml"
    expected.write_bytes(content)
    request = recording.Request(
        initiative=str(head.initiative + 1), year=2026, quarter=2, done=tuple(r.target or "" for r in done),
        note=note, reason="遅れの理由",
    )  # fmt: skip
    recording.record(expected, "x", Settings(), request, AS_OF, dry_run=False)
    imported(root, answer)
    after = (root / "x.yaml").read_bytes()
    assert after == expected.read_bytes()
    added_bytes(content, after, one_line_may_change=_held_on_one_line(content, head.initiative, 2026))
    assert_layout_kept(content, after)


def test_record_many_is_one_locked_write_of_what_records_one_by_one_make(repo: Path, tmp_path: Path) -> None:
    requests = [
        recording.Request(initiative="1", year=2026, quarter=2, note="一つ目", reason="遅れ"),
        recording.Request(initiative="2", year=2026, quarter=2, kpis=(("導入市町村数", 6),)),
    ]
    copy = tmp_path / "copy.yaml"
    copy.write_bytes((repo / "a.yaml").read_bytes())
    settings = forms.load(repo).settings
    for request in requests:
        recording.record(copy, "a", settings, request, AS_OF, dry_run=False)
    dry = recording.record_many(repo / "a.yaml", "a", settings, requests, AS_OF, dry_run=True)
    assert (repo / "a.yaml").read_bytes() == A_YAML.encode() and dry.after == copy.read_bytes()
    batch = recording.record_many(repo / "a.yaml", "a", settings, requests, AS_OF, dry_run=False)
    assert (repo / "a.yaml").read_bytes() == copy.read_bytes() == batch.after
    assert [name for name, _ in batch.parts] == ["環境整備", "実装支援"]
