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
    description_ja = ja.stdout.split("オプション:")[0]
    description_en = en.stdout.split("Options:")[0]
    assert JAPANESE.search(description_ja), ja.stdout
    assert not JAPANESE.search(description_en.replace("実績", "").replace("目標", "").replace("事業名", "")), en.stdout


def test_top_level_help_follows_the_locale(tmp_path: Path) -> None:
    assert "検証・判定・報告" in _dxroadmap("--help", lang="ja_JP.UTF-8", cwd=tmp_path).stdout
    assert "Roadmaps of a DX promotion plan" in _dxroadmap("--help", lang="C.UTF-8", cwd=tmp_path).stdout


# --- a command line people can read (issue 14, point 5) -------------------------------------------

PYTHON_WORDS = ["<", ">", "%Y", "%m", "x>=", "x<=", "list[", "Path]", "int range"]
FRAMEWORK_ENGLISH = ["Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "[required", "[default:"]
READERS = ["status", "show", "slipping", "validate", "record", "export", "history"]  # DESIGN.md §6's four options


def _options(help_text: str) -> set[str]:
    return set(re.findall(r"(?m)^\s+(?:-\w, )?(--[\w-]+)", help_text))


@pytest.mark.parametrize("command", [*COMMANDS, None])
def test_help_speaks_words_not_python_in_both_languages(command: str | None, tmp_path: Path) -> None:
    args = [command, "--help"] if command else ["--help"]
    en = _dxroadmap(*args, lang="C.UTF-8", cwd=tmp_path).stdout
    ja = _dxroadmap(*args, lang="ja_JP.UTF-8", cwd=tmp_path).stdout
    for text in (en, ja):
        assert not [word for word in PYTHON_WORDS if word in text], text
    assert en.startswith("Usage: ") and "Options:" in en and "Show this message and exit." in en
    assert ja.startswith("使い方: ") and "オプション:" in ja and "このヘルプを表示して終了" in ja
    assert not [word for word in FRAMEWORK_ENGLISH if word in ja], ja
    assert "[OPTIONS]" in en and "[オプション]" in ja and "[OPTIONS]" not in ja
    if command in ("status", "slipping"):
        flat = " ".join(en.split())
        assert "--limit N " in en and "at least 1" in flat and "[default: 100]" in flat
        assert "--limit 数 " in ja and "1以上" in ja and "[既定: 100]" in ja
    if command in ("status", "show", "validate", "record"):
        assert "--as-of DATE " in en and "--dir PATH " in en and "--as-of 日付 " in ja and "--dir パス " in ja
    if command == "show":
        assert "引数:" in ja and "[必須]" in ja and "Arguments:\n  PROJECT " in en and "[required]" in en
    if command is None:
        assert "コマンド:" in ja and "コマンド [引数]..." in ja and "--show-completion シェル" in ja


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--help", "--lang", "ja"],
        ["status", "--lang=ja", "--help"],
        ["show", "kurashi", "--help", "--lang", "ja"],
    ],
)
def test_lang_on_the_command_line_changes_the_help_wherever_it_stands(args: list[str], tmp_path: Path) -> None:
    help_text = _dxroadmap(*args, lang="C.UTF-8", cwd=tmp_path).stdout
    assert help_text.startswith("使い方: ") and "このヘルプを表示して終了" in help_text, help_text
    english = _dxroadmap("status", "--help", "--lang", "en", lang="ja_JP.UTF-8", cwd=tmp_path).stdout
    assert english.startswith("Usage: ") and "Output format" in english


def test_dxroadmap_lang_changes_the_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXROADMAP_LANG", "ja")
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    done = subprocess.run(
        [sys.executable, "-m", "dxroadmap", "slipping", "--help"],
        env=env | {"LANG": "C.UTF-8"}, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("使い方: "), done.stdout


def test_lang_is_read_from_the_command_line_before_parsing() -> None:
    assert i18n.lang_in_argv(["status", "--help", "--lang", "ja"]) == "ja"
    assert i18n.lang_in_argv(["--lang=en", "show", "x"]) == "en"
    assert i18n.lang_in_argv(["status", "--lang", "fr"]) is None  # Typer refuses it later: exit 2
    assert i18n.lang_in_argv(["record", "x", "--", "--lang", "ja"]) is None
    assert i18n.lang_in_argv(["status", "--lang"]) is None


def test_each_command_lists_only_the_options_it_uses(tmp_path: Path) -> None:
    helps = {command: _dxroadmap(command, "--help", lang="C.UTF-8", cwd=tmp_path).stdout for command in COMMANDS}
    for command in READERS:  # DESIGN.md §6: on every command that reads roadmaps
        assert {"--dir", "--as-of", "--lang", "--no-color"} <= _options(helps[command]), command
    assert _options(helps["schema"]) == {"--write", "--dir", "--lang", "--help"}
    assert not {"--no-color", "--format"} & _options(helps["new"])
    assert not {"--format"} & _options(helps["record"])
    roll_up = "take several, for a roll-up"
    for command, text in helps.items():  # said where --dir may be given more than once, and only there
        assert (roll_up in " ".join(text.split())) == (command in ("status", "slipping", "validate", "export")), command


def test_an_option_a_command_does_not_use_is_a_usage_error(run: Run, seed_repo: Path) -> None:
    assert run("schema", "--as-of", AS_OF, cwd=seed_repo).exit_code == 2
    assert run("schema", "--dir", str(seed_repo / "roadmaps"), "--lang", "ja", cwd=seed_repo).exit_code == 0
    assert run("status", "--limit", "0", cwd=seed_repo).exit_code == 2  # the range is said in words, still checked


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
