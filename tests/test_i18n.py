"""Japanese and English: every message has both, and the locale chooses (issue: Fit the ecosystem)."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from dxroadmap import i18n
from dxroadmap.catalog import MESSAGES
from tests.conftest import AS_OF, Run, no_crash

COMMANDS = ["status", "show", "slipping", "validate", "schema", "record", "new", "export", "history"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    ja, en = MESSAGES[key]
    assert ja.strip() and en.strip()
    assert _fields(ja) == _fields(en), key


@pytest.mark.parametrize("key", sorted(i18n._WORDS))
def test_every_label_has_both_languages(key: str) -> None:
    ja, en = i18n._WORDS[key]
    assert ja.strip() and en.strip()
    assert _fields(ja) == _fields(en), key


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANGUAGE": "ja:en", "LANG": "C"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "DXROADMAP_LANG": "en"}, "en"),
        ({}, "en"),
    ],
)
def test_the_locale_chooses_the_language(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "DXROADMAP_LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.resolve() == expected
    assert i18n.resolve("en") == "en" and i18n.resolve("ja") == "ja"


def _dxroadmap(*args: str, lang: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "DXROADMAP_LANG")}
    env |= {"LANG": lang, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "dxroadmap", *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    no_crash(done.returncode, done.stdout, done.stderr)
    return done


@pytest.mark.parametrize("command", COMMANDS)
def test_help_follows_the_locale(command: str, tmp_path: Path) -> None:
    ja = _dxroadmap(command, "--help", lang="ja_JP.UTF-8", cwd=tmp_path)
    en = _dxroadmap(command, "--help", lang="C.UTF-8", cwd=tmp_path)
    assert ja.returncode == en.returncode == 0
    description_ja = ja.stdout.split("Options:")[0]
    description_en = en.stdout.split("Options:")[0]
    assert JAPANESE.search(description_ja), ja.stdout
    assert not JAPANESE.search(description_en.replace("実績", "").replace("目標", "").replace("事業名", "")), en.stdout


def test_top_level_help_follows_the_locale(tmp_path: Path) -> None:
    assert "検証・判定・報告" in _dxroadmap("--help", lang="ja_JP.UTF-8", cwd=tmp_path).stdout
    assert "Roadmaps of a DX promotion plan" in _dxroadmap("--help", lang="C.UTF-8", cwd=tmp_path).stdout


def test_commands_speak_japanese_under_a_japanese_locale(seed_repo: Path) -> None:
    status = _dxroadmap("status", "--as-of", AS_OF, lang="ja_JP.UTF-8", cwd=seed_repo)
    assert "基準日 2026-11-26" in status.stdout and "未達 15, 未報告 1" in status.stdout
    slipping = _dxroadmap("slipping", "--as-of", AS_OF, lang="ja_JP.UTF-8", cwd=seed_repo)
    assert "✖ 未達" in slipping.stdout and "R8 Q2の実績なし" in slipping.stdout
    show = _dxroadmap("show", "kurashi", "--as-of", AS_OF, lang="ja_JP.UTF-8", cwd=seed_repo)
    assert "担当課" in show.stdout and "凡例" in show.stdout
    unknown = _dxroadmap("show", "存在しない", lang="ja_JP.UTF-8", cwd=seed_repo)
    assert unknown.returncode == 1 and "該当する事業がありません" in unknown.stderr
    validate = _dxroadmap("validate", lang="ja_JP.UTF-8", cwd=seed_repo)
    assert "1件のファイルを検査: 問題0件" in validate.stderr


def test_problem_messages_follow_the_language(run: Run, seed_repo: Path) -> None:
    path = seed_repo / "roadmaps" / "kurashi-dx-kiban.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    実績:", "    実積:"), encoding="utf-8")
    ja = run("validate", "--lang", "ja", cwd=seed_repo)
    en = run("validate", "--lang", "en", cwd=seed_repo)
    assert ja.exit_code == en.exit_code == 1
    assert "unknown-key 不明なキー 実積 (実績 の誤りですか?)" in ja.stdout
    assert "unknown-key unknown key 実積 (did you mean 実績?)" in en.stdout


def test_record_speaks_the_chosen_language(run: Run, seed_repo: Path) -> None:
    args = ["record", "kurashi-dx-kiban", "-i", "2", "--done", "フィールドワーク", "--as-of", AS_OF]
    result = run(*args, "--lang", "ja", "--dry-run", cwd=seed_repo)
    assert result.exit_code == 0
    refused = run("record", "kurashi-dx-kiban", "--as-of", AS_OF, "--lang", "ja", "--note", "x", cwd=seed_repo)
    assert refused.exit_code == 1 and "-i/--initiative で取組を指定してください" in refused.stderr
    done = run(*args, "--lang", "ja", cwd=seed_repo)
    assert "記録しました kurashi-dx-kiban R8 Q2" in done.stdout and "進行中 → 達成" in done.stdout


def test_json_keys_and_codes_do_not_change_with_the_language(run: Run, seed_repo: Path) -> None:
    ja = run("status", "--as-of", AS_OF, "-f", "json", "--lang", "ja", cwd=seed_repo).stdout
    en = run("status", "--as-of", AS_OF, "-f", "json", "--lang", "en", cwd=seed_repo).stdout
    assert ja == en
