"""The review log run again (issue 17.4): what `history` and `status --since` read the second time, and the
words of a change in either language.

- A log read again is read from its cache (`history.Versions`, by the commits it covers): no `git log`, no
  version parsed, no file of the work tree read as YAML; what it prints is what an uncached run prints.
- `status --since` run again parses no file: the files as they are now are versions seen before (by their
  blob ids, `history.Current`); a file the plan makes invalid is still reported as `store.load_roadmap` reports
  it. Nor does it judge the projects as they were: the states of their targets are kept (`history.Then`). One
  new commit costs the one version it made.
- A cached log that is damaged, or not of the shape written, is a miss: read from git again.
- The parts of a change (`達成`, `理由`, `目標値`, `期限`) are the file's own words in JSON, whatever the
  language, and the words of the language in tables, CSV and Markdown.

The repository is tests/test_history.py's (c1 … c19 of its docstring), built once for the module.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dxroadmap import changes, history, i18n, progress, store, vcs
from dxroadmap.progress import judge
from tests.conftest import Run
from tests.test_history import ON, Built, build, cli, git

SINCE = ("status", "--since", "2026-06-01", "--as-of", "2026-11-26")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    if shutil.which("git") is None:
        pytest.fail("git is needed for the review-log tests")
    top = tmp_path_factory.mktemp("review-cache") / "repo"
    top.mkdir()
    return build(top)


@pytest.fixture(autouse=True)
def language() -> Iterator[None]:
    """A command run with `--lang ja` leaves the language of this process Japanese: put back for the next test."""
    before = i18n.language()
    yield
    i18n.set_language(before)


class Reads:
    """What a run read: `git log` calls, versions parsed (blobs of git or files' bytes), files read by the store."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.logs = 0
        self.parsed = 0
        self.loaded: list[str] = []
        self.judged: list[date] = []  # the as-of dates projects were judged at
        real_log, real_parse, real_load, real_judge = vcs.Repo.log, history.Reader._parse, store.load_roadmap, judge

        def log(repo: vcs.Repo, *args: Any) -> Any:
            self.logs += 1
            return real_log(repo, *args)

        def parse(reader: history.Reader, raw: bytes) -> Any:
            self.parsed += 1
            return real_parse(reader, raw)

        def load(path: Path, *args: Any, **kwargs: Any) -> Any:
            self.loaded.append(path.name)
            return real_load(path, *args, **kwargs)

        def judging(project: Any, settings: Any, as_of: date) -> Any:
            self.judged.append(as_of)
            return real_judge(project, settings, as_of)

        monkeypatch.setattr(progress, "judge", judging)
        monkeypatch.setattr(vcs.Repo, "log", log)
        monkeypatch.setattr(history.Reader, "_parse", parse)
        monkeypatch.setattr(store, "load_roadmap", load)

    def reset(self) -> None:
        self.logs, self.parsed, self.loaded, self.judged = 0, 0, [], []


def outputs(run: Run, top: Path, *args: str, uncached: bool = False) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of `args` in JSON, as a table and in CSV."""
    out = []
    for fmt in ("json", "table", "csv"):
        env = {"DXROADMAP_NO_CACHE": "1"} if uncached else {}
        result = run(*args, "--format", fmt, cwd=top, env=env)
        out.append((result.exit_code, result.stdout, result.stderr))
    return out


def test_history_run_again_reads_its_log_from_the_cache(run: Run, repo: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    after_c6 = ("history", "--since", repo.sha["c6"])  # a range of commits: a log of its own
    asked = [("history",), ("history", ON), ("history", "--since", "2026-06-01", "--until", "2026-10-05"), after_c6]
    expected = {args: outputs(run, repo.top, *args, uncached=True) for args in asked}
    reads = Reads(monkeypatch)
    assert outputs(run, repo.top, "history") == expected[("history",)]
    assert reads.logs == 1 and reads.parsed > 10 and reads.loaded == []  # no file of the work tree read
    reads.reset()
    for args in asked:
        assert outputs(run, repo.top, *args) == expected[args], args
    assert (reads.logs, reads.parsed, reads.loaded) == (1, 0, []), "only the range read from git; nothing parsed"
    reads.reset()
    for args in asked:
        assert outputs(run, repo.top, *args) == expected[args], args
    assert (reads.logs, reads.parsed, reads.loaded) == (0, 0, [])


def test_status_since_run_again_parses_no_file(run: Run, repo: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = outputs(run, repo.top, *SINCE, uncached=True)
    reads = Reads(monkeypatch)
    assert outputs(run, repo.top, *SINCE) == expected
    reads.reset()
    assert outputs(run, repo.top, *SINCE) == expected
    assert (reads.logs, reads.parsed, reads.loaded) == (0, 0, [])
    assert set(reads.judged) == {date(2026, 11, 26)}  # the projects as they are; as they were: their states kept


def test_one_new_commit_costs_only_its_own_version(
    run: Run, repo: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path / "copy"
    shutil.copytree(repo.top, top)
    outputs(run, top, *SINCE)
    outputs(run, top, "history")
    path = top / "roadmaps" / f"{ON}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("窓口業務のオンライン予約", "窓口の予約", 1), "utf-8")
    git(top, "commit", "-q", "-am", "one more")
    reads = Reads(monkeypatch)
    assert outputs(run, top, *SINCE) == outputs(run, top, *SINCE, uncached=True)
    reads.reset()
    outputs(run, top, *SINCE)
    outputs(run, top, "history")
    assert reads.parsed == 0 and reads.loaded == []
    reads.reset()
    git(top, "commit", "-q", "--allow-empty", "-m", "and one that changes nothing")
    path.write_text(path.read_text(encoding="utf-8").replace("窓口の予約", "窓口予約", 1), "utf-8")
    git(top, "commit", "-q", "-am", "and one more")
    first = outputs(run, top, "history")
    assert reads.parsed == 1 and reads.loaded == []  # the new version of the one file, once
    assert first == outputs(run, top, "history", uncached=True)


def test_a_file_the_plan_makes_invalid_is_reported_as_without_the_cache(
    run: Run, repo: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its versions were valid when read without the plan (as the review log reads them); now they are not."""
    top = tmp_path / "copy"
    shutil.copytree(repo.top, top)
    outputs(run, top, "history")  # every version read, and kept
    plan = top / "roadmaps" / "_plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "暮らし・まち" in text
    plan.write_text(text.replace("暮らし・まち", "くらし・まち"), encoding="utf-8")  # one file's 政策分野 unknown
    expected = outputs(run, top, *SINCE, uncached=True)
    assert expected[0][0] == 1 and "unknown-field" in expected[0][1]
    reads = Reads(monkeypatch)
    assert outputs(run, top, *SINCE) == expected
    assert outputs(run, top, *SINCE) == expected
    assert set(reads.loaded) == {"kurashi-dx-kiban.yaml"}  # only the invalid one read whole, for where its problem is


@pytest.mark.parametrize("damage", ["garbage", "foreign shape", "an event of another shape"])
def test_a_damaged_log_is_read_from_git_again(
    run: Run, repo: Built, own_cache: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    expected = outputs(run, repo.top, "history", uncached=True)
    outputs(run, repo.top, "history")
    with sqlite3.connect(own_cache / "versions.sqlite") as db:
        versions = history.Versions(db, "")
        for key, kept in db.execute("SELECT key, log FROM logs").fetchall():
            log = json.loads(kept)
            if damage == "garbage":
                text = "{not json"
            elif damage == "foreign shape":
                text = json.dumps([log])
            else:
                log["events"][0][4] = "R8"  # a fiscal year as text
                text = json.dumps(log)
            db.execute("UPDATE logs SET log = ?, checksum = ? WHERE key = ?", (text, versions._check(key, text), key))
    reads = Reads(monkeypatch)
    assert outputs(run, repo.top, "history") == expected
    assert reads.logs == 1  # read from git again
    reads.reset()
    assert outputs(run, repo.top, "history") == expected
    assert reads.logs == 0  # and kept again


# --- the words of a change ---------------------------------------------------------------------


def csv_rows(run: Run, repo: Built, lang: str) -> dict[str, list[str]]:
    result = cli(run, repo.top, "history", "--format", "csv", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    return {label: row for label, sha in repo.sha.items() for row in rows if row[1] == sha[:10]}


def test_history_in_english_says_the_parts_of_a_change_in_english(run: Run, repo: Built, tmp_path: Path) -> None:
    en, ja = csv_rows(run, repo, "en"), csv_rows(run, repo, "ja")
    assert en["c11"][-1].endswith("(achieves: フィールドワーク)"), en["c11"]
    assert ja["c11"][-1].endswith("(達成: フィールドワーク)"), ja["c11"]
    assert en["c3"][-1].endswith("(target value 880件 → target value 1065件)"), en["c3"]
    assert ja["c3"][-1].endswith("(目標値 880件 → 目標値 1065件)"), ja["c3"]
    assert not [row for row in en.values() if "達成" in row[-1] or "目標値" in row[-1]]
    table = cli(run, repo.top, "history", "--lang", "en").stdout
    assert "achieves: フィールドワーク" in table and "達成" not in table
    json_en = cli(run, repo.top, "history", "--format", "json", "--lang", "en").stdout
    json_ja = cli(run, repo.top, "history", "--format", "json", "--lang", "ja").stdout
    assert json_en == json_ja and "(達成" not in json_en and '"detail": "達成: フィールドワーク"' in json_ja
    for lang, said in (("en", "(achieves: フィールドワーク)"), ("ja", "(達成: フィールドワーク)")):  # `export --since`
        out = tmp_path / f"changes-{lang}.md"
        args = ("export", "--since", "2026-07-10", "--format", "markdown", "-o", str(out), "--lang", lang)
        assert cli(run, repo.top, *args, "--as-of", "2026-11-26").exit_code == 0
        assert f"| 5市町村でフィールドワークを実施 {said} | 2026-08-01 | Mallory |" in out.read_text(encoding="utf-8")


def test_the_japanese_words_of_a_change_are_the_files_own() -> None:
    """In Japanese a change is shown as JSON carries it (the file's own words): the tables did not change."""
    parts = (*((kind, "x") for kind in changes.PARTS), ("", "指標 = 3"))
    for words in (i18n.Words("ja"), None):
        record = changes.Change("record", "取組", 2026, 1, None, parts=parts)
        changed = changes.Change("target_changed", "取組", 2026, said="目標", parts=parts[2:4])
        assert record.text_in(words) == record.text == "達成: x"
        assert record.detail_in(words) == record.detail == "理由: x / 目標値 x / 期限 x / 期限 年度末 / 指標 = 3"
        assert changed.detail_in(words) == changed.detail == "目標値 x → 期限 x"
    english = i18n.Words("en")
    assert record.text_in(english) == "achieves: x"
    assert record.detail_in(english) == "Reason: x / target value x / due x / due by the year end / 指標 = 3"
    assert changes.Change("record", "取組", 2026, said="実施", parts=parts[:1]).detail_in(english) == "achieves: x"
