"""`record` in any reasonable layout: only the new entry is added, and it loads back as given.

DESIGN.md §7 ("What a write must keep, always"): every byte outside the added entry stays —
comments, blank lines, indentation, quoting, flow style, LF or CRLF, a BOM, a final newline
or its absence. The only line that may change is a year held as a flow list (`R5: [a]`, which
gains `, {…}` before its `]`) or as a single item (`R8: 調査`). Each test writes a file,
records into it through the library, and checks the bytes before against the bytes after,
then parses the new file and compares the year's actuals with the old ones plus the entry.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxroadmap import fiscal, recording, source, store
from dxroadmap.model import ActualEntry, Roadmap
from dxroadmap.problems import StoreError
from dxroadmap.settings import Settings
from tests.conftest import SHIPPED as SHIPPED_FILES
from tests.conftest import fuzz_settings

PROJECT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 26)
BOM = b"\xef\xbb\xbf"


# --- helpers ---------------------------------------------------------------------------------


def encode(text: str, *, crlf: bool = False, bom: bool = False, final_newline: bool = True) -> bytes:
    """`text` (LF, ending in a newline) as file bytes in the given layout."""
    if not final_newline:
        assert text.endswith("\n")
        text = text[:-1]
    if crlf:
        text = text.replace("\n", "\r\n")
    return (BOM if bom else b"") + text.encode("utf-8")


def write(folder: Path, text: str, name: str = "x.yaml", **layout: bool) -> Path:
    path = folder / name
    path.write_bytes(encode(dedent(text), **layout))
    return path


def parse(data: bytes) -> Roadmap:
    roadmap, problems = store.parse_roadmap(data.decode("utf-8-sig"), "x.yaml", Settings())
    assert roadmap is not None, [str(p) for p in problems]
    return roadmap


def show(before: bytes, after: bytes) -> str:
    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, "before", "after"))


def _is_subsequence(short: bytes, long: bytes) -> bool:
    rest = iter(long)
    return all(byte in rest for byte in short)


def added_bytes(before: bytes, after: bytes, *, one_line_may_change: bool = False) -> bytes:
    """What `after` adds to `before`: one insertion, or (if allowed) one line that only gains bytes."""
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    if prefix + suffix == len(before):
        added = after[prefix : len(after) - suffix]
        # the same insertion one byte earlier, rotated, where that starts it at the start of a line
        while added and prefix > 0 and before[prefix - 1] != ord("\n") and before[prefix - 1] == added[-1]:
            prefix -= 1
            added = before[prefix : prefix + 1] + added[:-1]
        return added
    assert one_line_may_change, f"bytes outside the new entry changed:\n{show(before, after)}"
    start = before.rfind(b"\n", 0, prefix) + 1
    end = before.find(b"\n", len(before) - suffix)
    end = len(before) if end < 0 else end
    old_line, new_line = before[start:end], after[start : len(after) - (len(before) - end)]
    assert b"\n" not in new_line, f"more than one line changed:\n{show(before, after)}"
    assert _is_subsequence(old_line, new_line), f"the changed line lost bytes:\n{show(before, after)}"
    return new_line


def assert_layout_kept(before: bytes, after: bytes) -> None:
    assert after.startswith(BOM) == before.startswith(BOM), "the BOM was added or lost"
    assert not after.decode("utf-8-sig").startswith("\ufeff"), "a second BOM"
    assert after.endswith(b"\n") == before.endswith(b"\n"), "the final newline was added or lost"
    if b"\r\n" in before:
        assert after.count(b"\n") == after.count(b"\r\n"), f"a line ending in LF in a CRLF file:\n{after!r}"
    else:
        assert b"\r" not in after, f"a CR in an LF file:\n{after!r}"


def expected_entry(request: recording.Request) -> ActualEntry:
    """The entry as the user gave it, built straight from the request (not through `edit`)."""
    data: dict[str, Any] = {"四半期": request.quarter}
    if request.date is not None:
        data["日付"] = request.date
    if request.note is not None:
        data["内容"] = request.note
    if request.done:
        data["達成"] = list(request.done)
    if request.kpis:
        data["指標"], data["値"] = request.kpis[0]
    if request.reason is not None:
        data["理由"] = request.reason
    if request.outlook is not None:
        data["見通し"] = request.outlook
    return ActualEntry.model_validate(data)


def assert_loads_back(old: Roadmap, new: Roadmap, index: int, request: recording.Request) -> None:
    year = request.year
    old_init, new_init = old.initiatives[index], new.initiatives[index]
    want = [*old_init.actuals.get(year, []), expected_entry(request)]
    assert new_init.actuals.get(year) == want
    actuals = dict(new_init.actuals)
    if year in old_init.actuals:
        actuals[year] = old_init.actuals[year]
    else:
        del actuals[year]
    initiatives = list(new.initiatives)
    initiatives[index] = new_init.model_copy(update={"actuals": actuals})
    assert new.model_copy(update={"initiatives": initiatives}) == old, "something besides the new entry changed"


@dataclass
class Recorded:
    before: bytes
    after: bytes
    added: str  # the inserted text (or the one changed line), decoded
    change: recording.Change


def record(
    path: Path,
    *,
    initiative: str = "1",
    year: int = 2026,
    quarter: int = 2,
    one_line_may_change: bool = False,
    **fields: Any,
) -> Recorded:
    """Record into `path` and check the byte property, the layout and the loaded-back entry."""
    if not fields:
        fields = {"note": "メモ"}
    before = path.read_bytes()
    old = parse(before)
    index = recording.resolve_initiative(old, initiative)
    request = recording.Request(initiative=initiative, year=year, quarter=quarter, **fields)
    change = recording.record(path, "p", Settings(), request, AS_OF, dry_run=False)
    after = path.read_bytes()
    assert change.after == after
    added = added_bytes(before, after, one_line_may_change=one_line_may_change)
    assert_layout_kept(before, after)
    assert_loads_back(old, parse(after), index, request)
    return Recorded(before, after, added.decode("utf-8"), change)


def assert_refused(path: Path, **kw: Any) -> StoreError:
    before = path.read_bytes()
    request = recording.Request(
        initiative=kw.pop("initiative", "1"), year=kw.pop("year", 2026), quarter=kw.pop("quarter", 2), **kw
    )
    with pytest.raises(StoreError) as info:
        recording.record(path, "p", Settings(), request, AS_OF, dry_run=False)
    assert path.read_bytes() == before
    assert not list(path.parent.glob(f".{path.name}.*.tmp")), "a temporary file was left behind"
    return info.value


# --- every shipped roadmap ---------------------------------------------------------------------

SHIPPED = sorted(p for p in SHIPPED_FILES if not p.name.startswith("_"))  # named: never a file a user has added


@pytest.mark.parametrize("shipped", SHIPPED, ids=[p.relative_to(PROJECT).as_posix() for p in SHIPPED])
def test_record_into_every_initiative_of_shipped_roadmaps(shipped: Path, tmp_path: Path) -> None:
    original = shipped.read_bytes()
    roadmap = parse(original)
    raw = source.load(original.decode("utf-8-sig"), "x.yaml").data
    path = tmp_path / shipped.name
    cases = 0
    for i, initiative in enumerate(roadmap.initiatives):
        years_with = sorted(initiative.actuals)
        years_without = [y for y in range(2023, 2028) if y not in initiative.actuals]
        assert "実績" in raw["取組"][i] or not years_with
        for year in [*years_with, *years_without[:1], *years_without[-1:]]:
            path.write_bytes(original)
            record(path, initiative=str(i + 1), year=year, note=f"テスト記録 {fiscal.label(year)}")
            cases += 1
        open_targets = recording.open_targets(initiative, Settings(), 2026)
        if open_targets:
            path.write_bytes(original)
            record(path, initiative=initiative.name, year=2026, done=(open_targets[-1].text,), outlook="注意")
            cases += 1
    assert cases >= len(roadmap.initiatives)


def test_shipped_roadmaps_cover_the_three_cases() -> None:
    """The loop above sees a year with actuals, a year without, and an initiative without 実績."""
    with_year = without_key = 0
    for shipped in SHIPPED:
        raw = source.load(shipped.read_text(encoding="utf-8-sig"), "x.yaml").data
        for initiative in raw["取組"]:
            with_year += bool(initiative.get("実績"))
            without_key += "実績" not in initiative
    assert with_year and without_key


# --- line endings, BOM, final newline ------------------------------------------------------------

BASIC = """\
    # 先頭のコメント
    政策分野: 暮らし・まち
    事業名: テスト事業
    担当課: DX推進課
    取組:
      - 名称: 環境整備
        目標:
          R7: [ニーズ調査]
          R8: [ロードマップ作成, 研修会]
        実績:
          R7: [ニーズ調査]
          R8:
            - 四半期: Q1
              内容: 着手
      - 名称: 実装支援
        目標:
          R8:
            - フィールドワーク
            - 現地研修会
"""

LAYOUTS = {
    "lf": {},
    "crlf": {"crlf": True},
    "bom": {"bom": True},
    "bom+crlf": {"bom": True, "crlf": True},
    "lf-no-final-newline": {"final_newline": False},
    "crlf-no-final-newline": {"crlf": True, "final_newline": False},
    "bom+crlf-no-final-newline": {"bom": True, "crlf": True, "final_newline": False},
}

SCENARIOS = {
    "existing-block-year": ({"initiative": "1", "year": 2026}, False),
    "existing-flow-year": ({"initiative": "1", "year": 2025}, True),
    "new-year-after": ({"initiative": "1", "year": 2027}, False),
    "new-year-before": ({"initiative": "1", "year": 2024}, False),
    "no-actuals-last-initiative": ({"initiative": "2", "year": 2026}, False),
    "done-target": ({"initiative": "2", "year": 2026, "done": ("現地研修会",)}, False),
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
def test_line_endings_bom_and_final_newline(tmp_path: Path, layout: str, scenario: str) -> None:
    path = write(tmp_path, BASIC, **LAYOUTS[layout])
    kwargs, one_line = SCENARIOS[scenario]
    rec = record(path, one_line_may_change=one_line, **kwargs)
    if LAYOUTS[layout].get("crlf") and not one_line:
        assert "\r\n" in rec.added
        assert rec.added.count("\n") == rec.added.count("\r\n")


def test_existing_block_year_gets_a_block_entry_at_the_items_column(tmp_path: Path) -> None:
    rec = record(write(tmp_path, BASIC), note="メモ")
    assert rec.added == "        - 四半期: Q2\n          内容: メモ\n"


def test_crlf_entry_text(tmp_path: Path) -> None:
    rec = record(write(tmp_path, BASIC, crlf=True), note="メモ")
    assert rec.added == "        - 四半期: Q2\r\n          内容: メモ\r\n"


def test_no_final_newline_last_line_is_the_last_actual(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8:
                - 四半期: Q1
                  内容: 着手
    """
    for crlf in (False, True):
        for year in (2026, 2027, 2025):
            rec = record(write(tmp_path, text, final_newline=False, crlf=crlf), year=year)
            assert not rec.after.endswith(b"\n")


def test_no_final_newline_last_line_is_the_initiatives_last_target(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8:
                - ニーズ調査
                - 研修会
    """
    for crlf in (False, True):
        rec = record(write(tmp_path, text, final_newline=False, crlf=crlf), done=("研修会",))
        nl = "\r\n" if crlf else "\n"
        assert rec.added == nl + nl.join(["    実績:", "      R8:", "        - 四半期: Q2", "          達成: [研修会]"])


def test_no_final_newline_last_line_is_a_flow_year(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8: [着手]
    """
    rec = record(write(tmp_path, text, final_newline=False), one_line_may_change=True)
    assert rec.after.endswith("R8: [着手, {四半期: Q2, 内容: メモ}]".encode())


def test_no_final_newline_last_line_is_an_empty_year(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8:
    """
    record(write(tmp_path, text, final_newline=False))


def test_no_final_newline_last_line_is_a_comment(tmp_path: Path) -> None:
    text = BASIC + "    # おわり\n"
    for scenario in ("existing-block-year", "new-year-after", "no-actuals-last-initiative"):
        kwargs, _ = SCENARIOS[scenario]
        record(write(tmp_path, text, final_newline=False), **kwargs)


# --- indentation ---------------------------------------------------------------------------------

INDENT4 = """\
    政策分野: 暮らし・まち
    事業名: テスト事業
    担当課: DX推進課
    取組:
        -   名称: 環境整備
            目標:
                R7: [ニーズ調査]
                R8:
                    - ロードマップ作成
            実績:
                R8:
                    -   四半期: Q1
                        内容: 着手
        -   名称: 実装支援
            目標:
                R8:
                    - フィールドワーク
"""

INDENTLESS = """\
    政策分野: 暮らし・まち
    事業名: テスト事業
    担当課: DX推進課
    取組:
    - 名称: 環境整備
      目標:
        R7:
        - ニーズ調査
        R8:
        - ロードマップ作成
      実績:
        R8:
        - 四半期: Q1
          内容: 着手
    - 名称: 実装支援
      目標:
        R8:
        - フィールドワーク
"""


@pytest.mark.parametrize("text", [INDENT4, INDENTLESS], ids=["indent4", "indentless"])
@pytest.mark.parametrize(
    ("initiative", "year"), [("1", 2026), ("1", 2027), ("1", 2025), ("2", 2026)], ids=["into", "after", "before", "new"]
)
def test_indentation_styles(tmp_path: Path, text: str, initiative: str, year: int) -> None:
    for layout in ({}, {"crlf": True}, {"final_newline": False}):
        record(write(tmp_path, text, **layout), initiative=initiative, year=year)


def test_indent4_new_entry_uses_the_files_columns(tmp_path: Path) -> None:
    rec = record(write(tmp_path, INDENT4), initiative="2")
    assert rec.added.startswith("        実績:\n            R8:\n")
    rec = record(write(tmp_path, INDENT4), year=2027)
    assert rec.added.startswith("            R9:\n")


def test_indentless_sequences_stay_indentless(tmp_path: Path) -> None:
    rec = record(write(tmp_path, INDENTLESS))
    assert rec.added == "    - 四半期: Q2\n      内容: メモ\n"
    rec = record(write(tmp_path, INDENTLESS), year=2027)
    assert rec.added == "    R9:\n    - 四半期: Q2\n      内容: メモ\n"


# --- comments and blank lines --------------------------------------------------------------------

COMMENTED = """\
    # yaml-language-server: $schema=../schemas/roadmap.schema.json
    政策分野: 暮らし・まち  # 分野
    事業名: テスト事業
    担当課: DX推進課

    取組:  # 取組の一覧

      # 一つ目
      - 名称: 環境整備  # 名前
        目標:
          # 年度ごと
          R7: [ニーズ調査]  # R7
          R8:
            - ロードマップ作成
            # 間のコメント
            - 研修会  # 最後の目標
        実績:  # 実績
          R7:
            - ニーズ調査  # 達成
          R8:
            - 四半期: Q1
              内容: 着手  # 最初
            # エントリーの間
            - {四半期: Q1, 内容: 準備}  # 最後のエントリー
            # 年の最後のエントリーの後
          # R9 はまだ


      - 名称: 実装支援
        目標:
          R8:
            - フィールドワーク  # 最後の取組の最後の行
        # 最後の取組の後
    # ファイルの終わり

"""


@pytest.mark.parametrize(
    ("initiative", "year"),
    [("1", 2026), ("1", 2025), ("1", 2027), ("1", 2024), ("2", 2026)],
    ids=["into-year", "into-earlier-year", "new-year-after", "new-year-before", "no-actuals"],
)
@pytest.mark.parametrize("layout", ["lf", "crlf", "bom+crlf"])
def test_comments_and_blank_lines_stay(tmp_path: Path, initiative: str, year: int, layout: str) -> None:
    record(write(tmp_path, COMMENTED, **LAYOUTS[layout]), initiative=initiative, year=year)


def test_comment_at_end_without_final_newline(tmp_path: Path) -> None:
    text = COMMENTED.rstrip("\n") + "\n"
    for initiative, year in (("1", 2026), ("1", 2027), ("2", 2026)):
        record(write(tmp_path, text, final_newline=False), initiative=initiative, year=year)


def test_trailing_comment_on_the_last_items_line(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]  # 目標
            実績:
              R8:
                - 着手  # 最後の項目
              R9:  # 来年度
                - {内容: 予定}  # 最後
    """
    rec = record(write(tmp_path, text))
    assert rec.added == "        - 四半期: Q2\n          内容: メモ\n"
    record(write(tmp_path, text), year=2027)
    record(write(tmp_path, text, final_newline=False), year=2027)


def test_empty_year_with_a_trailing_comment(tmp_path: Path) -> None:
    """`R8:  # 未着手` is an empty year like `R8:`; recording into it should work."""
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8:  # 未着手
              R9:
    """
    record(write(tmp_path, text))


def test_empty_year_without_comment(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8:
              R9:
                - 予定
    """
    rec = record(write(tmp_path, text), done=("ニーズ調査",))
    assert rec.added == "        - 四半期: Q2\n          達成: [ニーズ調査]\n"
    record(write(tmp_path, text), year=2027)


def test_empty_flow_year_and_empty_flow_actuals(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標: {R8: [ニーズ調査]}
            実績: {}
          - 名称: 実装支援
            目標: {R8: [研修会]}
            実績: {R7: [着手], R9: []}
    """
    rec = record(write(tmp_path, text), one_line_may_change=True)
    assert "\n    実績: {R8: [{四半期: Q2, 内容: メモ}]}\n" in rec.after.decode()
    record(write(tmp_path, text), initiative="2", one_line_may_change=True)
    rec = record(write(tmp_path, text), initiative="2", year=2027, one_line_may_change=True)
    assert "\n    実績: {R7: [着手], R9: [{四半期: Q2, 内容: メモ}]}\n" in rec.after.decode()


def test_multi_line_flow_list(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8: [
                着手,
                "準備: 完了",
              ]
    """
    record(write(tmp_path, text), one_line_may_change=True)


def test_single_scalar_year_becomes_a_flow_list_on_its_line(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8: 調査  # 一件だけ
              R9: "予定: 未定"
    """
    rec = record(write(tmp_path, text), one_line_may_change=True)
    assert rec.added == "      R8: [調査, {四半期: Q2, 内容: メモ}]  # 一件だけ"
    rec = record(write(tmp_path, text, crlf=True), year=2027, one_line_may_change=True)
    assert rec.added == '      R9: ["予定: 未定", {四半期: Q2, 内容: メモ}]\r'


# --- entry style ---------------------------------------------------------------------------------


def test_flow_entries_get_a_flow_entry(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査, 研修会]
            実績:
              R8:
                - {四半期: Q1, 内容: 着手}
                - {四半期: Q1, 内容: "準備, 完了"}
    """
    rec = record(write(tmp_path, text), note="a, b", done=("研修会",))
    assert rec.added == '        - {四半期: Q2, 内容: "a, b", 達成: [研修会]}\n'


def test_block_entries_get_a_block_entry(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査, 研修会]
            実績:
              R8:
                - 四半期: Q1
                  内容: 着手
                  達成:
                    - ニーズ調査
    """
    rec = record(write(tmp_path, text), note="メモ", done=("研修会",), reason="理由", outlook="順調")
    assert rec.added.splitlines() == [
        "        - 四半期: Q2",
        "          内容: メモ",
        "          達成: [研修会]",
        "          理由: 理由",
        "          見通し: 順調",
    ]


def test_kpi_and_date_fields(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8:
                - {指標: 導入数, 目標値: 10, 単位: 件}
    """
    record(write(tmp_path, text), kpis=(("導入数", 7),), date=date(2026, 9, 30))
    record(write(tmp_path, text), kpis=(("導入率", 0.125),))
    record(write(tmp_path, text), kpis=(("導入数", 1e20),), note="大きな値")


# --- years: order and key styles -----------------------------------------------------------------


def test_years_out_of_order(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R9: [仕上げ]
              R6: [ニーズ調査]
            実績:
              R9:
                - 予定
              R6: [ニーズ調査]
              R7:
                - 準備
            備考: 年度の順が逆
    """
    for year in (2023, 2024, 2025, 2026, 2027, 2028):
        record(write(tmp_path, text), year=year, one_line_may_change=year == 2024)


YEAR_STYLES = {
    "R": ("R{n}", "R8"),
    "令和年度": ("令和{n}年度", "令和8年度"),
    "FY": ("FY{y}", "FY2026"),
    "年度": ("{y}年度", "2026年度"),
    "number": ("{y}", "2026"),
    "western+era": ("{y}年度(令和{n}年度)", "2026年度(令和8年度)"),
}


def with_year_style(style: str) -> str:
    def key(year: int) -> str:
        return style.format(y=year, n=year - 2018)

    return f"""\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              {key(2025)}: [ニーズ調査]
              {key(2027)}: [仕上げ]
            実績:
              {key(2025)}:
                - 着手
          - 名称: 実装支援
            目標:
              {key(2026)}: [研修会]
    """


@pytest.mark.parametrize("style", YEAR_STYLES, ids=list(YEAR_STYLES))
def test_new_year_key_follows_the_files_style(tmp_path: Path, style: str) -> None:
    pattern, r8 = YEAR_STYLES[style]
    text = with_year_style(pattern)
    rec = record(write(tmp_path, text))  # a new year after R7
    assert rec.added.startswith(f"      {r8}:\n")
    rec = record(write(tmp_path, text), initiative="2")  # a new 実績
    assert rec.added.startswith(f"    実績:\n      {r8}:\n")
    record(write(tmp_path, text), year=2025)  # into the existing year
    record(write(tmp_path, text), year=2024)  # a new year before


# --- block scalars, quoting, full-width spaces -----------------------------------------------------


BLOCK_SCALAR = """\
    政策分野: 暮らし・まち
    事業名: テスト事業
    担当課: DX推進課
    取組:
      - 名称: 環境整備
        目標:
          R8: [ニーズ調査]
        実績:
          R8:
            - 四半期: Q1
              内容: {header}
                一行目: 詳細
                  # 字下げした行(内容の一部)
                三行目
{tail}      - 名称: 実装支援
        目標:
          R8: [研修会]
        備考: {header}
          最後の値
"""


@pytest.mark.parametrize("header", ["|", "|-", "|+", ">", ">-"])
@pytest.mark.parametrize("tail", ["", "\n", "\n\n"], ids=["no-blank", "one-blank", "two-blanks"])
@pytest.mark.parametrize(
    ("initiative", "year"), [("1", 2026), ("1", 2027), ("2", 2026)], ids=["into", "new-year", "new-actuals"]
)
def test_block_scalar_before_the_insertion_point(
    tmp_path: Path, header: str, tail: str, initiative: str, year: int
) -> None:
    text = BLOCK_SCALAR.format(header=header, tail=tail)
    rec = record(write(tmp_path, text), initiative=initiative, year=year)
    assert rec.added.endswith("内容: メモ\n")


@pytest.mark.parametrize("header", ["|", "|-", "|+", ">"])
@pytest.mark.parametrize("year", [2026, 2027], ids=["into", "new-year"])
def test_block_scalar_last_in_a_file_without_final_newline(tmp_path: Path, header: str, year: int) -> None:
    """With no final newline, text after `内容: |` would give the scalar its missing line break.

    `|-` drops that line break anyway, so recording must work; for the others the value would
    change, so a clean refusal (nothing written) is the right answer, and so is a success.
    """
    text = f"""\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - 名称: 環境整備
            目標:
              R8: [ニーズ調査]
            実績:
              R8:
                - 四半期: Q1
                  内容: {header}
                    一行目
                    二行目
    """
    path = write(tmp_path, text, final_newline=False)
    if header == "|-":
        record(path, year=year)
        return
    try:
        record(path, year=year)
    except StoreError:
        assert path.read_bytes() == encode(dedent(text), final_newline=False)


def test_quoted_keys(tmp_path: Path) -> None:
    text = """\
        "政策分野": 暮らし・まち
        '事業名': テスト事業
        担当課: DX推進課
        "取組":
          - "名称": 環境整備
            '目標':
              "R7": ['ニーズ調査']
              'R8': ["研修会"]
            "実績":
              "R7":
                - '着手'
          - '名称': 実装支援
            "目標":
              "R8": [研修会]
    """
    for initiative, year in (("1", 2025), ("1", 2026), ("1", 2024), ("2", 2026)):
        record(write(tmp_path, text), initiative=initiative, year=year)


def test_full_width_spaces(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト　事業
        担当課: DX推進課
        取組:
          - 名称: 環境　整備
            目標:
              R8: [ニーズ　調査, "　先頭が全角", 研修会]
            実績:
              R8:
                - 四半期: Q1
                  内容: 全角　スペース　入り
    """
    record(write(tmp_path, text), note="全角　スペース", done=("ニーズ　調査",))
    record(write(tmp_path, text), note="　前後に全角　", done=("　先頭が全角",))
    record(write(tmp_path, text), initiative="環境　整備", note="全角\u3000#記号")


def test_document_markers(tmp_path: Path) -> None:
    text = "---\n" + dedent(BASIC) + "...\n"
    for scenario in ("existing-block-year", "new-year-after", "no-actuals-last-initiative"):
        kwargs, _ = SCENARIOS[scenario]
        record(write(tmp_path, text), **kwargs)


def test_keys_after_the_initiatives(tmp_path: Path) -> None:
    text = """\
        取組:
        - 名称: 環境整備
          目標:
            R8: [ニーズ調査]
          実績:
            R8:
            - 着手
          備考: 最後のキー
        - 名称: 実装支援
          目標:
            R8: [研修会]
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
    """
    for initiative, year in (("1", 2026), ("1", 2027), ("2", 2026)):
        record(write(tmp_path, text), initiative=initiative, year=year)


TRICKY_NOTES = [
    "a: b",
    "10:30に説明会",
    "https://example.jp/a?b=c#d",
    "要確認?",
    "末尾がコロン:",
    "a #b",
    "#先頭",
    "- 先頭がダッシュ",
    "-1",
    "[先頭が括弧",
    "{波括弧}",
    "a, b",
    "a]b",
    "yes",
    "no",
    "on",
    "true",
    "False",
    "null",
    "~",
    "",
    "123",
    "1_000",
    "0o17",
    "0x1F",
    "1.5",
    "1e3",
    ".inf",
    ".nan",
    "2024-04-01",
    "2024-04-01 10:00:00",
    "Q2",
    "R8",
    "改行\nあり",
    "末尾に改行\n",
    "タブ\tあり",
    'ダブル"クオート',
    "シングル'クオート",
    "'全体が引用'",
    '"全体が引用"',
    "バック\\スラッシュ",
    " 前後に空白 ",
    "*エイリアス",
    "&アンカー",
    "!タグ",
    "|",
    ">",
    "%",
    "@",
    "`",
    "? 質問",
    "---",
    "...",
    "絵文字😀",
    "行区切り\u2028あり",
    "段落区切り\u2029あり",
    "ゼロ幅\u200bスペース",
    "BOM\ufeff入り",
    "書式\u202e制御",
    "<<",
    "=",
]
NOTE_YEARS = {"block": 2026, "flow-entries": 2027, "flow-list": 2025, "new-year": 2028, "new-actuals": 2026}
NOTE_FILE = """\
    政策分野: 暮らし・まち
    事業名: テスト事業
    担当課: DX推進課
    取組:
      - 名称: 環境整備
        目標:
          R7: [ニーズ調査]
        実績:
          R7: [着手]
          R8:
            - 四半期: Q1
              内容: 着手
          R9:
            - {四半期: Q1, 内容: 着手}
      - 名称: 実装支援
        目標:
          R8: [研修会]
"""


@pytest.mark.parametrize("where", NOTE_YEARS, ids=list(NOTE_YEARS))
@pytest.mark.parametrize("note", [n for n in TRICKY_NOTES if n.strip()], ids=repr)
def test_notes_that_need_quoting_load_back_exactly(tmp_path: Path, note: str, where: str) -> None:
    initiative = "2" if where == "new-actuals" else "1"
    record(
        write(tmp_path, NOTE_FILE), initiative=initiative, year=NOTE_YEARS[where], note=note, one_line_may_change=True
    )


TRICKY_TARGETS = [
    "a: b",
    "a, b",
    "[括弧]",
    "123",
    "yes",
    "2024-04-01",
    "#先頭",
    "末尾:",
    "'引用'",
    "10:00開始",
    "要確認?",
]


@pytest.mark.parametrize("target", TRICKY_TARGETS)
@pytest.mark.parametrize("flow_year", [False, True], ids=["block-year", "flow-year"])
def test_done_targets_that_need_quoting(tmp_path: Path, target: str, flow_year: bool) -> None:
    quoted = json.dumps(target, ensure_ascii=False)
    actuals = "R8: [着手]" if flow_year else "R8:\n            - 着手"
    text = f"""\
    政策分野: 暮らし・まち
    事業名: テスト事業
    担当課: DX推進課
    取組:
      - 名称: 環境整備
        目標:
          R8: [{quoted}, 研修会]
        実績:
          {actuals}
    """
    record(write(tmp_path, text), done=(target,), one_line_may_change=flow_year)


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\r", "\x7f", "\x85", "\x9f", "\ufffe"], ids=repr)
def test_control_characters_load_back_or_are_refused_cleanly(tmp_path: Path, char: str) -> None:
    """YAML holds these only as escapes; the note must load back exactly, or nothing is written."""
    path = write(tmp_path, NOTE_FILE)
    try:
        record(path, note=f"制御{char}文字")
    except StoreError:
        assert path.read_bytes() == encode(dedent(NOTE_FILE))


# --- refusals leave the file as it was ---------------------------------------------------------------


@pytest.mark.parametrize("layout", ["lf", "bom+crlf-no-final-newline"])
def test_unknown_done_target_is_refused(tmp_path: Path, layout: str) -> None:
    path = write(tmp_path, BASIC, **LAYOUTS[layout])
    error = assert_refused(path, done=("存在しない目標",))
    assert "存在しない目標" in str(error)
    assert_refused(path, done=("ニーズ調査",), year=2026)  # achieved already
    assert_refused(path, done=("仕上げ",), year=2024)  # no such target by then
    assert_refused(path, initiative="9")
    assert_refused(path, initiative="存在しない取組")
    assert_refused(path)  # nothing to record


INVALID = {
    "duplicate-key": BASIC + "    担当課: 重複\n",
    "unknown-key": BASIC.replace("実績:", "実積:"),
    "yaml-syntax": BASIC + "    取組: [\n",
    "bad-quarter": BASIC.replace("四半期: Q1", "四半期: Q5"),
    "date-as-text": BASIC.replace("内容: 着手", "内容: 2024-04-01"),
    "unknown-target": BASIC.replace("内容: 着手", "達成: [ない目標]"),
    "alias": BASIC.replace("R8: [ロードマップ作成, 研修会]", "R8: &a [ロードマップ作成, 研修会]"),
    "conflict-marker": BASIC + "    <<<<<<< HEAD\n",
    "empty": "\n",
    "not-mapping": "- a\n- b\n",
}


@pytest.mark.parametrize("problem", INVALID, ids=list(INVALID))
def test_a_file_invalid_before_the_record_is_left_alone(tmp_path: Path, problem: str) -> None:
    path = write(tmp_path, INVALID[problem], crlf=True, bom=True)
    assert_refused(path, note="メモ")


def test_not_utf8_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(dedent(BASIC).encode("cp932"))
    assert_refused(path, note="メモ")


def test_flow_style_initiative_is_refused_cleanly(tmp_path: Path) -> None:
    text = """\
        政策分野: 暮らし・まち
        事業名: テスト事業
        担当課: DX推進課
        取組:
          - {名称: 環境整備, 目標: {R8: [ニーズ調査]}}
    """
    assert_refused(write(tmp_path, text), note="メモ")


def test_dry_run_writes_nothing_and_shows_only_the_addition(tmp_path: Path) -> None:
    path = write(tmp_path, COMMENTED, crlf=True, bom=True, final_newline=False)
    before = path.read_bytes()
    request = recording.Request(initiative="2", year=2026, quarter=2, note="メモ")
    change = recording.record(path, "p", Settings(), request, AS_OF, dry_run=True)
    assert path.read_bytes() == before
    added_bytes(before, change.after)
    assert_layout_kept(before, change.after)
    assert_loads_back(parse(before), parse(change.after), 1, request)
    assert all(line[0] in "+ @-" for line in change.diff().splitlines())
    assert not [line for line in change.diff().splitlines() if line.startswith("-") and not line.startswith("---")]


def test_two_records_in_a_row_keep_the_layout(tmp_path: Path) -> None:
    path = write(tmp_path, COMMENTED, crlf=True, final_newline=False)
    record(path, initiative="2", year=2026, note="一件目")
    record(path, initiative="2", year=2026, note="二件目")
    record(path, initiative="2", year=2027, note="三件目")
    record(path, initiative="1", year=2026, note="四件目")


# --- the property: any generated layout ---------------------------------------------------------------

TARGET_WORDS = ["ニーズ調査", "ロードマップ作成", "現地研修会", "実装モデル導入試験", "フィールドワーク", "要件定義"]
ACTUAL_WORDS = ["着手", "3市町村で実施", "検討中", "報告書を公表", "説明会: 2回", "準備, 完了", "yes", "123"]
COMMENTS = ["# メモ", "#", "# TODO: 確認する", "#- 名称: 偽の行", "# 実績:", "#R8: [x]"]
STYLES = ["R{n}", "令和{n}年度", "FY{y}", "{y}年度", "{y}"]
YEARS = [2023, 2024, 2025, 2026, 2027]


def yaml_text(text: str, quoting: str, flow: bool) -> str:
    plain_ok = text in TARGET_WORDS or text in ("着手", "3市町村で実施", "検討中", "報告書を公表")
    if quoting == "single":
        return "'" + text.replace("'", "''") + "'"
    if quoting == "plain" and plain_ok and not (flow and any(c in text for c in ",[]{}")):
        return text
    return json.dumps(text, ensure_ascii=False)


@dataclass
class Line:
    text: str
    scalar_body: bool = False  # inside a block scalar: no comment or blank line may go before it


@st.composite
def roadmap_files(draw: st.DrawFn) -> tuple[bytes, list[dict[str, Any]], str]:
    """A roadmap in a random layout: (the file's bytes, its initiatives as data, its year-key style)."""
    indent = draw(st.sampled_from([2, 4]))
    seq_indent = draw(st.booleans())
    dash_gap = draw(st.sampled_from([1, 1, indent - 1]))
    style = draw(st.sampled_from(STYLES))
    noise = draw(st.sampled_from([0, 1, 2]))
    quoting = st.sampled_from(["plain", "plain", "single", "double"])

    def key(year: int) -> str:
        return style.format(y=year, n=year - 2018)

    def seq(col: int) -> int:
        return col + indent if seq_indent else col

    lines = [Line("政策分野: 暮らし・まち"), Line("事業名: 生成された事業"), Line("担当課: DX推進課"), Line("取組:")]
    initiatives: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, 3))):
        dash = seq(0)
        col = dash + 1 + dash_gap
        name = f"取組{number + 1}"
        lines.append(Line(" " * dash + "-" + " " * dash_gap + f"名称: {name}"))
        targets: dict[int, list[str]] = {}
        for year in draw(st.lists(st.sampled_from(YEARS), max_size=3, unique=True)):
            targets[year] = draw(st.lists(st.sampled_from(TARGET_WORDS), max_size=3, unique=True))
        actuals: dict[int, list[Any]] = {}
        for year in draw(st.lists(st.sampled_from(YEARS), max_size=3, unique=True)):
            items = st.one_of(
                st.sampled_from(ACTUAL_WORDS).map(lambda w: ("text", w)),
                st.tuples(st.just("entry"), st.integers(1, 4), st.sampled_from(ACTUAL_WORDS), st.booleans()),
            )
            actuals[year] = draw(st.lists(items, max_size=3))
        for section, years in (("目標", targets), ("実績", actuals)):
            if not years and draw(st.booleans()):
                continue  # no key at all
            if draw(st.integers(0, 5)) == 0 or not years:
                body = ", ".join(
                    f"{key(y)}: [{', '.join(_flow_item(v, draw(quoting)) for v in vs)}]" for y, vs in years.items()
                )
                lines.append(Line(" " * col + f"{section}: {{{body}}}"))
                continue
            lines.append(Line(" " * col + f"{section}:"))
            year_col = col + indent
            for year, values in years.items():
                layout = draw(st.sampled_from(["block", "flow", "flow"] if values else ["empty", "flow"]))
                if layout == "empty":
                    lines.append(Line(" " * year_col + f"{key(year)}:"))
                elif layout == "flow":
                    body = ", ".join(_flow_item(v, draw(quoting)) for v in values)
                    lines.append(Line(" " * year_col + f"{key(year)}: [{body}]"))
                else:
                    lines.append(Line(" " * year_col + f"{key(year)}:"))
                    item_col = seq(year_col)
                    for value in values:
                        lines += _block_item(value, item_col, dash_gap, draw(quoting))
        if draw(st.integers(0, 3)) == 0:
            header = draw(st.sampled_from(["|", "|-", ">", "|+"]))
            lines.append(Line(" " * col + f"備考: {header}"))
            lines += [Line(" " * (col + indent) + "一行目: 詳細", True), Line(" " * (col + indent) + "二行目", True)]
        initiatives.append({"name": name, "targets": targets, "actuals": actuals})

    text = _with_noise(draw, lines, noise)
    crlf, bom, final_newline = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    if not final_newline and lines[-1].scalar_body:
        final_newline = True  # the file's last line break belongs to the block scalar's value
    return encode(text, crlf=crlf, bom=bom, final_newline=final_newline), initiatives, style


def _flow_item(value: Any, quoting: str) -> str:
    if isinstance(value, str):
        return yaml_text(value, quoting, flow=True)
    if value[0] == "text":
        return yaml_text(value[1], quoting, flow=True)
    _, quarter, text, _ = value
    return f"{{四半期: Q{quarter}, 内容: {yaml_text(text, quoting, flow=True)}}}"


def _block_item(value: Any, col: int, gap: int, quoting: str) -> list[Line]:
    dash = " " * col + "-" + " " * gap
    if isinstance(value, str):
        return [Line(dash + yaml_text(value, quoting, flow=False))]
    if value[0] == "text":
        return [Line(dash + yaml_text(value[1], quoting, flow=False))]
    _, quarter, text, flow = value
    if flow:
        return [Line(dash + _flow_item(value, quoting))]
    inner = " " * (col + 1 + gap)
    return [Line(dash + f"四半期: Q{quarter}"), Line(inner + f"内容: {yaml_text(text, quoting, flow=False)}")]


def _with_noise(draw: st.DrawFn, lines: list[Line], noise: int) -> str:
    """The lines, with comment lines, blank lines and trailing comments drawn in at `noise` density."""
    out: list[str] = []
    gaps = ["none"] * (8 // noise if noise else 1) + ["blank", "comment", "comment-indented", "trailing"]
    for i, line in enumerate([*lines, Line("")]):
        after_scalar = i > 0 and lines[i - 1].scalar_body
        kind = draw(st.sampled_from(gaps)) if noise and not line.scalar_body else "none"
        if kind == "blank":
            out.append("")
        elif kind == "comment":
            out.append(draw(st.sampled_from(COMMENTS)))
        elif kind == "comment-indented" and not after_scalar:
            out.append(" " * draw(st.integers(1, 12)) + draw(st.sampled_from(COMMENTS)))
        elif kind == "trailing" and i > 0 and not lines[i - 1].scalar_body:
            out[-1] += "  " + draw(st.sampled_from(COMMENTS))
        if i < len(lines):
            out.append(line.text)
    return "\n".join(out) + "\n"


EVERYDAY_NOTES = ["10:30に説明会", "https://example.jp/?id=1", "進捗率:50%", "要確認?", "第2回(10/5)", "予算 1,200千円"]
notes = st.one_of(
    st.sampled_from(EVERYDAY_NOTES),
    st.sampled_from(TRICKY_NOTES),
    st.text(st.sampled_from("あいう漢字カナ　 abcXYZ019:-#,[]{}'\"\n\t!&*|>%@`?~"), min_size=1, max_size=12),
    st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=12),
).filter(lambda s: bool(s.strip()))


@fuzz_settings(share=2)
@given(file=roadmap_files(), data=st.data())
def test_property_any_layout(tmp_path_factory: pytest.TempPathFactory, file: Any, data: st.DataObject) -> None:
    """Any generated layout, any entry: only insertions (or the year's one flow line grows), and it loads back."""
    content, initiatives, style = file
    path = tmp_path_factory.mktemp("prop") / "x.yaml"
    path.write_bytes(content)
    old = parse(content)
    index = data.draw(st.integers(0, len(initiatives) - 1), label="initiative")
    year = data.draw(st.sampled_from(YEARS), label="year")
    open_texts = sorted({t.text for t in recording.open_targets(old.initiatives[index], Settings(), year)})
    done = tuple(data.draw(st.lists(st.sampled_from(open_texts), max_size=2, unique=True))) if open_texts else ()
    note = data.draw(st.none() | notes, label="note") if done else data.draw(notes, label="note")
    extra: dict[str, Any] = {}
    if data.draw(st.integers(0, 3)) == 0:
        extra["reason"] = data.draw(notes, label="reason")
    if data.draw(st.integers(0, 3)) == 0:
        extra["outlook"] = data.draw(st.sampled_from(["順調", "注意", "困難"]))
    if data.draw(st.integers(0, 4)) == 0:
        number = st.integers(-(10**6), 10**6) | st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
        extra["kpis"] = ((data.draw(st.sampled_from(["導入数", "利用率"])), data.draw(number)),)
    if data.draw(st.integers(0, 4)) == 0:
        extra["date"] = data.draw(st.dates(date(2023, 4, 1), date(2028, 3, 31)))
    rec = record(
        path,
        initiative=str(index + 1),
        year=year,
        quarter=data.draw(st.integers(1, 4), label="quarter"),
        done=done,
        note=note,
        one_line_may_change=_held_on_one_line(content, index, year),
        **extra,
    )
    had_years = any(i["targets"] or i["actuals"] for i in initiatives)
    if year not in old.initiatives[index].actuals:
        new_key = (style if had_years else "R{n}").format(y=year, n=year - 2018)
        assert f"{new_key}: " in rec.added or f"{new_key}:\n" in rec.added or f"{new_key}:\r\n" in rec.added


def _held_on_one_line(content: bytes, index: int, year: int) -> bool:
    """Whether the initiative's 実績 is a flow mapping, or the year a flow list or a single item."""
    doc = source.load(content.decode("utf-8-sig"), "x.yaml")
    actuals_path = ("取組", index, "実績")
    if actuals_path in doc.positions.flow:
        return True
    years = doc.data["取組"][index].get("実績") or {}
    key = next((k for k in years if fiscal.parse_year(k) == year), None)
    return key is not None and ((*actuals_path, key) in doc.positions.flow or isinstance(years[key], str))


def test_added_bytes_helper() -> None:
    """`added_bytes` finds a single insertion, allows one growing line only when asked, refuses a change."""
    assert added_bytes(b"a\nb\n", b"a\nx\nb\n") == b"x\n"
    assert added_bytes(b"R5: [a]\n", b"R5: [a, {b}]\n") == b", {b}"
    assert added_bytes(b"R5: a\n", b"R5: [a, {b}]\n", one_line_may_change=True) == b"R5: [a, {b}]"
    with pytest.raises(AssertionError):
        added_bytes(b"a\nb\n", b"a\nc\n")
    with pytest.raises(AssertionError):
        added_bytes(b"a\nb\n", b"a\nc\n", one_line_may_change=True)
