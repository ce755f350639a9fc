"""File and folder names are untrusted text (issue 13).

A file or folder name reaches every output as an id or a path: it is cleaned on the way out
like file contents (`safe.clean`), whatever the format. A name that is not valid UTF-8 (a
Shift_JIS name from a zip made on Japanese Windows) is shown with each such byte as `\\x93`,
and the id as shown names the project. Ids are NFC: an NFD name (macOS) is found by the id as
typed, and two names that differ only in normalisation are a `duplicate-id` problem.

Folders are built with `os.open` on bytes paths; commands run in-process (`CliRunner`, whose
stdout encodes as strictly as a UTF-8 terminal) or, where the bytes of an argument or of the
real streams matter, as the installed `dxroadmap`. The property test feeds random bytes as
names; its number of examples follows the hypothesis profile of tests/test_hostile.py
(`HYPOTHESIS_PROFILE=long` for a long run).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from dxroadmap.cli import app
from dxroadmap.safe import clean, json_text, name_text
from tests.conftest import AS_OF, ENV, SEED_PLAN, fuzz_settings, no_crash

DXROADMAP = Path(sys.executable).with_name("dxroadmap")
SUB_ENV = {k: v for k, v in os.environ.items() if k != "DXROADMAP_DIR" and not k.startswith("GIT_")} | ENV
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}

ROADMAP = """\
政策分野: 暮らし・まち分野
事業名: 暮らし・まちのDX創出基盤の構築
担当課: 企画政策部DX推進課
取組:
  - 名称: 地域社会のデジタル化促進に向けた環境整備
    目標:
      R5: [ニーズ調査, ロードマップ作成]
    実績:
      R5: [ニーズ調査]
  - 名称: デジタル実装支援
    目標:
      R8: [フィールドワーク, 実装モデル導入試験]
    実績:
      R8:
        - 四半期: Q1
          内容: 3市町村でフィールドワークを実施
          達成: [フィールドワーク]
"""
NAME = "暮らし・まちのDX創出基盤の構築"
RECORD = ("-i", "2", "--done", "実装モデル導入試験", "--as-of", AS_OF)
NEW = ("--field", "暮らし・まち", "--name", "新しい事業", "--owner", "DX推進課")

# A name with ESC (a CSI sequence), BEL, the 8-bit CSI U+009B and a bidi override U+202E; a
# folder with an OSC sequence; non-characters; an invalid file with a clear-screen in its name.
CONTROL = b"esc\x1b[31mred\x07bel\xc2\x9bcsi\xe2\x80\xaertl"
FOLDER = b"dir\x1b]0;pwned\x07/inner"
NONCHAR = "nc\ufffe\ufdd0\U0001fffe".encode()
BROKEN = b"broken\x1b[2J\xc2\x85"
# 日本 and 部/計画 in Shift_JIS: not UTF-8
SJIS = b"\x93\xfa\x96\x7b"
SJIS_FOLDER = b"\x95\x94/\x8c\x76\x89\xe6"
SJIS_BROKEN = b"\x89\xf3"

# --- what no output may hold ------------------------------------------------------------------

_HIDDEN = ("Cc", "Cf", "Cs", "Zl", "Zp")
# what XML 1.0 allows: an xlsx with anything else is refused by Excel
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def unsafe(text: str, allowed: str = "\t\n") -> list[str]:
    """The characters of `text` that act on a terminal, hide themselves or are not text at all."""
    return sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if c not in allowed and (unicodedata.category(c) in _HIDDEN or _noncharacter(ord(c)))
        }
    )


@dataclass
class Ran:
    args: tuple[str | bytes, ...]
    code: int
    out: bytes
    err: bytes

    def check(self) -> str:
        """stdout and stderr, which must be UTF-8 (strictly) and hold nothing `unsafe`, from an exit 0 or 1."""
        context = (self.args, self.code, self.out[-2000:], self.err[-2000:])
        assert self.code in (0, 1), context
        text = self.out.decode("utf-8") + self.err.decode("utf-8")
        assert "Traceback" not in text and "internal error" not in text, context
        assert unsafe(text) == [], (unsafe(text), context)
        return text

    def json(self) -> Any:
        self.check()
        return json.loads(self.out)


def run(*args: str, env: dict[str, str] | None = None) -> Ran:
    """`dxroadmap ARGS…` in this process (stdout encodes strictly, as a UTF-8 terminal does)."""
    result = CliRunner().invoke(app, list(args), env={**ENV, **GIT_ENV, **(env or {})}, catch_exceptions=False)
    no_crash(result.exit_code, result.stdout_bytes, result.stderr_bytes)
    return Ran(args, result.exit_code, result.stdout_bytes, result.stderr_bytes or b"")


def spawn(*args: str | bytes, cwd: Path) -> Ran:
    """The installed `dxroadmap ARGS…` (arguments may be bytes: a name as the shell passes it)."""
    argv = [os.fsencode(DXROADMAP), *(a if isinstance(a, bytes) else os.fsencode(a) for a in args)]
    done = subprocess.run(argv, cwd=cwd, env=SUB_ENV | GIT_ENV, capture_output=True, timeout=60, check=False)
    no_crash(done.returncode, done.stdout, done.stderr)
    return Ran(args, done.returncode, done.stdout, done.stderr)


# --- building folders ---------------------------------------------------------------------------


def put(root: Path, name: bytes, text: str) -> None:
    path = os.path.join(os.fsencode(root), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(text.encode())


def repository(top: Path, names: Iterable[bytes], broken: Iterable[bytes] = ()) -> Path:
    """`top/roadmaps` with the seed plan, a valid roadmap at each name and an invalid file at each `broken`."""
    root = top / "roadmaps"
    root.mkdir(parents=True)
    (root / "_plan.yaml").write_text(SEED_PLAN, encoding="utf-8")
    for name in names:
        put(root, name + b".yaml", ROADMAP)
    for name in broken:
        put(root, name + b".yml", "- x\n")
    return root


def git(top: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(top), *args],
        env={**SUB_ENV, **GIT_ENV, "GIT_CEILING_DIRECTORIES": str(top.parent)},
        capture_output=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 0, (args, done.stderr)
    return os.fsdecode(done.stdout)


def commit_all(top: Path) -> str:
    if not (top / ".git").exists():
        git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "roadmaps")
    return git(top, "rev-parse", "HEAD").strip()


def shown(name: bytes) -> str:
    """The id of a file at `name` (without extension) as every output shows it."""
    return clean(name_text(os.fsdecode(name)))


def check_xlsx(path: Path) -> list[str]:
    """The workbook's XML holds only what XML 1.0 allows and nothing `unsafe`; openpyxl opens it. Its texts."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith((".xml", ".rels")):
                xml = archive.read(member).decode("utf-8")
                assert not _NOT_XML.search(xml), (member, _NOT_XML.findall(xml))
                assert unsafe(xml, allowed="\t\n\r") == [], (member, unsafe(xml, allowed="\t\n\r"))
    book = load_workbook(path)
    texts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            texts += [cell.value for cell in row if isinstance(cell.value, str)]
    return texts


def check_exports(root: Path, out: Path, *extra: str) -> dict[str, str]:
    """Every export format written under `out`; each file safe. The texts by format (xlsx: its cells)."""
    texts = {}
    for fmt in ("xlsx", "csv", "json", "markdown", "html"):
        target = out / f"report.{fmt}"
        run("export", "--format", fmt, "-o", str(target), "--dir", str(root), "--as-of", AS_OF, *extra).check()
        if fmt == "xlsx":
            texts[fmt] = "\n".join(check_xlsx(target))
            continue
        text = target.read_bytes().decode("utf-8").removeprefix("\ufeff")
        assert unsafe(text, allowed="\t\n\r") == [], (fmt, unsafe(text, allowed="\t\n\r"))
        texts[fmt] = text
    texts["json-stdout"] = run("export", "--format", "json", "-o", "-", "--dir", str(root), "--as-of", AS_OF).check()
    return texts


def every_report(root: Path, project: str) -> dict[tuple[str, ...], Ran]:
    """What every reading command prints, in every format (in-process)."""
    ran = {}
    for command in ("validate", "status", "slipping", "history", "show"):
        for fmt in ("table", "json", "csv", "markdown"):
            args = (command, *([project] if command == "show" else []), "--format", fmt)
            ran[args] = run(*args, "--dir", str(root), "--as-of", AS_OF)
    return ran


# --- the sanitiser ------------------------------------------------------------------------------


def test_every_hidden_character_of_this_python_is_escaped() -> None:
    """`clean` and `json_text` know every control, format, separator, surrogate and non-character of the
    Unicode version this Python has (a newer Python may add format characters)."""
    hidden = [chr(c) for c in range(0x110000) if chr(c) not in "\t\n" and unicodedata.category(chr(c)) in _HIDDEN]
    hidden += [chr(c) for c in range(0x110000) if _noncharacter(c)]
    text = "".join(hidden)
    assert unsafe(clean(text)) == []
    assert clean(clean(text)) == clean(text)  # printable: cleaning twice changes nothing
    dumped = json_text(json.dumps(text, ensure_ascii=False))
    dumped.encode("utf-8")  # no lone surrogate left
    assert unsafe(dumped) == []
    surrogates = "".join(c for c in text if unicodedata.category(c) == "Cs")
    others = "".join(c for c in text if unicodedata.category(c) != "Cs")
    assert json.loads(json_text(json.dumps(others, ensure_ascii=False))) == others  # the same data
    assert json.loads(json_text(json.dumps(surrogates, ensure_ascii=False))) == clean(surrogates)  # as shown


def test_a_byte_that_is_not_utf8_is_shown_as_the_byte() -> None:
    name = os.fsdecode(SJIS)
    assert clean(name) == name_text(name) == "\\x93\\xfa\\x96{"
    assert json.loads(json_text(json.dumps({"id": name}, ensure_ascii=False))) == {"id": "\\x93\\xfa\\x96{"}
    assert clean("\x1b\u202e\ufffe\ufdd0\U0001fffe\ud800") == "\\x1b\\u202e\\ufffe\\ufdd0\\U0001fffe\\ud800"
    assert name_text("か\u3099") == "が"


# --- control characters in names ------------------------------------------------------------------


def test_control_characters_in_names_reach_no_output(tmp_path: Path) -> None:
    root = repository(tmp_path, [CONTROL, FOLDER, NONCHAR], broken=[BROKEN])
    first = commit_all(tmp_path)
    control = shown(CONTROL)
    assert control == "esc\\x1b[31mred\\x07bel\\x9bcsi\\u202ertl"
    recorded = spawn("record", control, *RECORD, "--commit", cwd=tmp_path)
    assert recorded.code == 0 and control in recorded.check(), recorded
    assert "\x1b" not in git(tmp_path, "log", "-1", "--format=%s")  # the commit message is the tool's text
    ids = {os.fsdecode(CONTROL), os.fsdecode(FOLDER), os.fsdecode(NONCHAR)}
    for args, ran in every_report(root, control).items():
        text = ran.check()  # safe, exit 0 or 1
        fmt = args[-1]
        if fmt == "json":
            data = json.loads(ran.out)
            if args[0] == "status":
                assert {p["id"] for p in data["projects"]} == ids, args
            if args[0] == "history":
                assert {e["project"] for e in data} == ids, args
            if args[0] == "show":
                assert data["id"] == os.fsdecode(CONTROL), args
        elif args[0] in ("status", "history") and fmt == "csv":
            assert control in text, (args, text)
        if args[0] in ("validate", "status", "slipping") and fmt in ("table", "csv"):
            assert "broken\\x1b[2J\\x85.yml" in text, (args, text)
    since = run("status", "--since", first, "--format", "csv", "--dir", str(root), "--as-of", AS_OF)
    assert control in since.check()
    texts = check_exports(root, tmp_path)
    assert control in texts["csv"] and control in texts["html"] and "\\ufffe" in texts["markdown"]
    assert {p["id"] for p in json.loads(texts["json"])["projects"]} == ids
    xlsx = texts["xlsx"]
    assert control in xlsx and "nc\\ufffe\\ufdd0\\U0001fffe" in xlsx, xlsx
    # the installed command, writing to real pipes
    for args in (("status",), ("history",), ("validate",), ("show", control)):
        spawn(*args, "--as-of", AS_OF, cwd=tmp_path).check()


# --- names that are not UTF-8 -----------------------------------------------------------------------


def test_a_shift_jis_name_works_in_every_command(tmp_path: Path) -> None:
    root = repository(tmp_path, [SJIS, SJIS_FOLDER], broken=[SJIS_BROKEN])
    first = commit_all(tmp_path)
    sjis, folder = shown(SJIS), shown(SJIS_FOLDER)
    assert (sjis, folder) == ("\\x93\\xfa\\x96{", "\\x95\\x94/\\x8cv\\x89\\xe6")
    # named as shown, or by its bytes as a shell passes them
    for name in (sjis, SJIS):
        ran = spawn("show", name, "--format", "json", "--as-of", AS_OF, cwd=tmp_path)
        data = ran.json()
        assert ran.code == 0 and (data["id"], data["name"]) == (sjis, NAME), ran
    assert spawn("record", folder, *RECORD, "--dry-run", cwd=tmp_path).code == 0
    recorded = spawn("record", sjis, *RECORD, "--commit", cwd=tmp_path)
    assert recorded.code == 0 and sjis in recorded.check(), recorded
    for args, ran in every_report(root, sjis).items():
        text = ran.check()
        if args[0] in ("validate", "status", "slipping"):
            unescaped = text.replace("\\\\", "\\")  # JSON and Markdown escape the backslash
            assert ran.code == 1 and "\\x89\\xf3.yml" in unescaped, (args, text)  # the invalid file, as shown
        if args[-1] == "json" and args[0] == "status":
            assert {p["id"] for p in json.loads(ran.out)["projects"]} == {sjis, folder}
        if args[-1] == "json" and args[0] == "history":
            events = json.loads(ran.out)
            assert {e["project"] for e in events} == {sjis, folder}
            assert any(e["project"] == sjis and e["text"] == "実装モデル導入試験" for e in events), events
    only = run("history", sjis, "--format", "json", "--dir", str(root), "--as-of", AS_OF).json()
    assert isinstance(only, list) and only and {e["project"] for e in only} == {sjis}
    since = run("status", "--since", first, "--format", "json", "--dir", str(root), "--as-of", AS_OF).json()
    assert isinstance(since, dict) and {p["id"] for p in since["projects"]} == {sjis, folder}
    texts = check_exports(root, tmp_path)
    assert sjis in texts["xlsx"] and sjis in texts["csv"] and sjis in texts["html"]
    paths = sorted(p["path"] for p in json.loads(texts["json"])["projects"])
    assert [path.endswith(f"/{name}.yaml") for path, name in zip(paths, sorted([sjis, folder]), strict=True)] == [1, 1]
    for args in (("status",), ("slipping",), ("validate",), ("history",), ("status", "--format", "csv")):
        spawn(*args, "--as-of", AS_OF, cwd=tmp_path).check()


# --- normalisation ------------------------------------------------------------------------------------


def test_an_nfd_name_is_found_by_its_nfc_id(tmp_path: Path) -> None:
    nfd = "か\u3099/ぱ".replace("ぱ", "は\u309a")  # folder and file, as macOS writes them
    root = repository(tmp_path, [nfd.encode()])
    commit_all(tmp_path)
    nfc = unicodedata.normalize("NFC", nfd)
    assert nfc == "が/ぱ"
    shown_json = run("show", nfc, "--format", "json", "--dir", str(root), "--as-of", AS_OF).json()
    assert isinstance(shown_json, dict) and shown_json["id"] == nfc
    assert spawn("show", nfc, "--as-of", AS_OF, cwd=tmp_path).code == 0
    assert spawn("show", "ぱ", "--as-of", AS_OF, cwd=tmp_path).code == 0  # a part of the id, typed in NFC
    assert run("record", nfc, *RECORD, "--commit", "--dir", str(root)).code == 0
    history = run("history", nfc, "--format", "json", "--dir", str(root), "--as-of", AS_OF).json()
    assert isinstance(history, list) and {e["project"] for e in history} == {nfc}
    status = run("status", "--format", "json", "--dir", str(root), "--as-of", AS_OF).json()
    assert isinstance(status, dict) and [p["id"] for p in status["projects"]] == [nfc]
    for spelling in (nfc, nfd):  # `new` will not make a second file of the same id
        made = run("new", spelling, *NEW, "--dir", str(root))
        assert made.code == 1 and "exists" in made.check(), made
    assert sorted(os.listdir(os.fsencode(root))) == [b"_plan.yaml", nfd.split("/")[0].encode()]


def test_names_that_differ_only_in_normalisation_are_a_duplicate_id(tmp_path: Path) -> None:
    root = repository(tmp_path, ["か\u3099".encode(), "が".encode()])
    for command in ("validate", "status"):
        ran = run(command, "--format", "json", "--dir", str(root), "--as-of", AS_OF)
        assert ran.code == 1
        data = ran.json()
        assert isinstance(data, dict)
        assert [p["code"] for p in data["invalid"]] == ["duplicate-id"], data["invalid"]
    ran = run("validate", "--dir", str(root))
    assert ran.code == 1 and "duplicate-id" in ran.check() and "が" in ran.check()


def test_new_writes_names_that_every_output_shows_as_they_are(tmp_path: Path) -> None:
    root = repository(tmp_path, [])
    for name in (os.fsdecode(SJIS), "a\u202eb", "a\x9bb", "a\ufffeb", "a\u200bb"):
        made = run("new", name, *NEW, "--dir", str(root))
        assert made.code == 1 and "not a project id" in made.check(), made
    assert run("new", "か\u3099", *NEW, "--dir", str(root)).code == 0  # typed in NFD, written in NFC
    assert sorted(os.listdir(root)) == ["_plan.yaml", "が.yaml"]


# --- random bytes as names ---------------------------------------------------------------------------

_PIECES = [
    b"\x1b[31m", b"\x07", b"\xc2\x9b", "\u202e".encode(), b"\x93\xfa", b"\xff", "か\u3099".encode(), "が".encode(),
    "\ufffe".encode(), "\ufdd0".encode(), b"\xed\xa0\x80", b"\n", b"\r", b"\t", b"\\", b" ", b"[bold]", b".yaml", b"a",
]  # fmt: skip
NAMES = (
    st.lists(st.one_of(st.binary(min_size=1, max_size=4), st.sampled_from(_PIECES)), min_size=1, max_size=6)
    .map(b"".join)
    .filter(lambda n: b"/" not in n and b"\0" not in n and not n.startswith((b".", b"_")) and len(n) <= 200)
)


def test_random_bytes_as_names() -> None:
    """Any name (a valid roadmap, and an invalid file beside it): exit 0 or 1, no internal error, nothing
    unsafe in any output, the id as names are made; the xlsx opens and holds only what XML allows."""

    @fuzz_settings(share=12)
    @given(name=NAMES)
    def any_name(name: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="dxroadmap-names-") as folder:
            top = Path(folder)
            root = repository(top, [name], broken=[name + b"-broken"])
            commit_all(top)
            where = ("--dir", str(root), "--as-of", AS_OF)
            for args in (("validate",), ("status",), ("slipping",), ("history",), ("status", "--format", "json")):
                ran = run(*args, *where)
                ran.check()
                assert ran.code == (0 if args[0] == "history" else 1), ran  # the invalid file
            data = run("export", "--format", "json", "-o", "-", *where).json()
            assert [p["id"] for p in data["projects"]] == [name_text(os.fsdecode(name))]
            target = top / "report.xlsx"
            run("export", "--format", "xlsx", "-o", str(target), *where).check()
            assert shown(name) in check_xlsx(target)

    any_name()


def test_the_quick_search_of_json_text_misses_no_character_it_escapes() -> None:
    """`json_text` looks for a wide superset first; every character its precise pattern escapes is in it."""
    from dxroadmap import safe

    missed = [
        hex(code)
        for code in range(0x110000)
        if safe._JSON_INVISIBLE.match(chr(code)) and not safe._JSON_MAYBE_INVISIBLE.match(chr(code))
    ]
    assert missed == []
