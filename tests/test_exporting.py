"""`export`'s route without the command line: the format chosen (`options.export_format`), the portfolio loaded
and built (`exporting.build`: what the command writes, byte for byte), written where `-o` says (`exporting.write`),
and refused before any work where it cannot be (`exporting.refuse_unwritable`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer

from dxroadmap import exporting, i18n, portfolio
from dxroadmap.options import ExportFormat, export_format
from dxroadmap.problems import StoreError
from tests.conftest import AS_OF, SAMPLE_FILES, Run

PROJECTS = len([name for name in SAMPLE_FILES if not Path(name).name.startswith("_")])  # not the plan


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages read below are the English ones, whatever a test before left set."""
    before = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def _scope(repo: Path) -> portfolio.Scope:
    return portfolio.Scope((repo / "roadmaps",), date.fromisoformat(AS_OF))


def test_the_format_is_the_one_asked_for_or_the_one_the_extension_says() -> None:
    assert export_format("out.xlsx", None, None) is ExportFormat.xlsx
    assert export_format("out.HTM", None, None) is ExportFormat.html
    assert export_format("out.xlsx", ExportFormat.markdown, None) is ExportFormat.markdown
    assert export_format("-", ExportFormat.json, "R8") is ExportFormat.json
    for output, format, since, hint in [
        ("out.txt", None, None, "--format"),  # the extension says nothing
        ("-", ExportFormat.xlsx, None, "-o"),  # a workbook is not written to stdout
        ("-", ExportFormat.site, None, "-o"),  # nor a site
        ("out.csv", None, "R8", "--since"),  # CSV has nowhere to mark what changed
    ]:
        with pytest.raises(typer.BadParameter) as refused:
            export_format(output, format, since)
        assert refused.value.param_hint == hint


@pytest.mark.parametrize("kind", ["markdown", "json", "csv"])
def test_what_is_built_is_what_the_command_writes(run: Run, sample_repo: Path, kind: str) -> None:
    written = run("export", "-o", "-", "-f", kind, "--as-of", AS_OF, cwd=sample_repo).stdout_bytes
    content, count, problems = exporting.build(kind, _scope(sample_repo), i18n.Words("en"), None, None, None, bom=True)
    built = content if isinstance(content, bytes) else b"".join(content)  # JSON comes in pieces, as it is made
    assert built == written
    assert (count, problems) == (PROJECTS, [])
    if kind == "json":
        assert len(json.loads(built)["projects"]) == count


def test_a_document_and_a_site_are_written_and_said(
    sample_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scope, words = _scope(sample_repo), i18n.Words("en")
    document = tmp_path / "report.md"
    content, count, _ = exporting.build("markdown", scope, words, None, None, None, bom=True)
    exporting.write(str(document), "markdown", content, count)
    assert document.read_bytes() == content
    site = tmp_path / "site"
    files, count, _ = exporting.build("site", scope, words, None, None, None, bom=True)
    exporting.write(str(site), "site", files, count)
    assert {name for name, _ in files} <= {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout holds a document only when `-o -` asks for it
    said = captured.err.splitlines()  # what was written, where; outside git, why the site marks no changes
    assert said[0].startswith("wrote ") and said[0].endswith(f"report.md (markdown, {PROJECTS} projects)")
    assert said[1].startswith("dxroadmap: warning: ")
    assert said[2].startswith("wrote the site into ") and said[2].endswith(
        f"site ({len(files)} files, {PROJECTS} projects)"
    )


def test_outputs_that_cannot_be_written_are_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(StoreError):
        exporting.refuse_unwritable(str(tmp_path / "a-file"), "site")  # a file where the site's folder goes
    with pytest.raises(StoreError):
        exporting.refuse_unwritable(str(tmp_path), "markdown")  # a folder where a document goes
    exporting.refuse_unwritable("-", "json")
    exporting.refuse_unwritable(str(tmp_path / "new.xlsx"), "xlsx")
    exporting.refuse_unwritable(str(tmp_path / "new-site"), "site")
