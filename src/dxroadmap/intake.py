"""Reading answered forms back: .xlsx workbooks (openpyxl) and .csv files, as untrusted input.

What comes back by mail may be anything. Before openpyxl sees a workbook: its size is limited; an
OLE container (an encrypted workbook, or an old .xls) is refused; as a zip, its number of parts
and the size each expands to (actually read, not as declared) are limited; macro parts (.xlsm) and
XML with a DOCTYPE (entity expansion) are refused. Then openpyxl reads values only: a formula is
never evaluated; its value saved by the office suite is used (with a warning), and one with no
saved value is refused. Links to other workbooks are not followed.

The form sheet is found by the hidden row of column keys (any sheet name, any column order), each
answer row by its hidden identification (any row order, blank rows and notes around it). This
module reads cells; `importing` judges them. Every location is `workbook!sheet!F12`.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from dxroadmap import forms
from dxroadmap.i18n import t
from dxroadmap.safe import clean

MAX_FILE_BYTES = 20 << 20  # a form of a few hundred rows is tens of KB
MAX_CSV_BYTES = 5 << 20
MAX_ENTRIES = 500  # parts in the zip (Excel writes about 15, LibreOffice about 20)
MAX_PART_BYTES = 50 << 20  # one part, expanded
MAX_TOTAL_BYTES = 100 << 20  # all parts, expanded
MAX_RATIO = 200  # expanded / compressed, for a part larger than 1 MiB expanded
MAX_SHEETS = 50
MAX_ROWS = 10_000
MAX_COLUMNS = 100
KEY_ROWS = 30  # the hidden key row is looked for among a sheet's first rows
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary: an encrypted workbook, or .xls
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float, bool, datetime, date, time or None: as the file holds it
    where: str  # `workbook!sheet!F12`
    formula: bool = False


@dataclass
class Answers:
    """One answered form as read: its rows by column key, and what was wrong with the file as a whole."""

    path: Path
    shown: str  # the file as locations name it
    kind: str  # "xlsx" | "csv"
    sheet: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # the hidden sheet's identification (xlsx)
    columns: dict[str, int] = field(default_factory=dict)  # column key -> 1-based column
    rows: list[dict[str, Cell]] = field(default_factory=list)  # the form's rows, in the file's order
    epoch: datetime | None = None  # of date serials (1900 or 1904)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def where(self, column: int, row: int) -> str:
        cell = f"{get_column_letter(column)}{row}"
        return f"{self.shown}!{self.sheet}!{cell}" if self.sheet is not None else f"{self.shown}!{cell}"

    @property
    def place(self) -> str:
        """The form as a whole: `workbook!sheet`."""
        return f"{self.shown}!{self.sheet}" if self.sheet is not None else self.shown


def read(path: Path, shown: str | None = None) -> Answers:
    """The answers in `path` (.xlsx or .csv); whatever is wrong with the file is in `problems`."""
    answers = Answers(path, clean(shown if shown is not None else path.name), "csv")
    suffix = path.suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        answers.problems.append(f"{answers.shown}: {t('import.macro')}")
        return answers
    if suffix not in (".xlsx", ".csv"):
        answers.problems.append(f"{answers.shown}: {t('import.unknown_kind', suffix=clean(suffix or path.name))}")
        return answers
    limit = MAX_CSV_BYTES if suffix == ".csv" else MAX_FILE_BYTES
    try:
        data = _read_limited(path, limit)
    except OSError as exc:
        answers.problems.append(f"{answers.shown}: {t('store.unreadable', reason=exc.strerror or exc)}")
        return answers
    if len(data) > limit:
        answers.problems.append(f"{answers.shown}: {t('import.too_large', size=f'{len(data):,}+', limit=f'{limit:,}')}")
        return answers
    if suffix == ".csv":
        _read_csv(data, answers)
    else:
        answers.kind = "xlsx"
        _read_xlsx(data, answers)
    return answers


def _read_limited(path: Path, limit: int) -> bytes:
    """At most `limit + 1` bytes of a regular file (a FIFO or a device is refused, not waited on)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, t("store.not_regular"))
        chunks, remaining = [], limit + 1
        while remaining > 0 and (chunk := os.read(fd, min(remaining, 1 << 20))):
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# --- csv -----------------------------------------------------------------------------------------


def _read_csv(data: bytes, answers: Answers) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        answers.problems.append(f"{answers.shown}: {t('import.csv_not_utf8')}")
        return
    grid: list[list[object]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(grid) >= MAX_ROWS:
                break
            grid.append([value if value != "" else None for value in row[:MAX_COLUMNS]])
    except csv.Error as exc:
        answers.problems.append(f"{answers.shown}: {t('store.unreadable', reason=exc)}")
        return
    found = _key_row(grid)
    if found is None:
        answers.problems.append(f"{answers.shown}: {t('import.not_a_form')}")
        return
    _take_rows(answers, grid, set(), found)


# --- xlsx ----------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, answers: Answers) -> None:
    if data.startswith(OLE_MAGIC):
        answers.problems.append(f"{answers.shown}: {t('import.encrypted')}")
        return
    refusal = _check_zip(data)
    if refusal is not None:
        answers.problems.append(f"{answers.shown}: {refusal}")
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on extensions it does not read
            sheets, epoch = _grids(data)
            answers.epoch = epoch
    except Exception as exc:  # anything openpyxl cannot make sense of: the file is refused, not the tool
        reason = clean(f"{type(exc).__name__}: {exc}")
        answers.problems.append(f"{answers.shown}: {t('import.not_xlsx', reason=reason)}")
        return
    for _, grid, _ in sheets:
        if grid and grid[0] and grid[0][0] == forms.FORMAT:
            answers.meta = {
                str(row[0]): "" if len(row) < 2 or row[1] is None else str(row[1])
                for row in grid
                if row and isinstance(row[0], str)
            }
    found = [(name, grid, cells, row) for name, grid, cells in sheets if (row := _key_row(grid)) is not None]
    if not found:
        answers.problems.append(f"{answers.shown}: {t('import.not_a_form')}")
        return
    if len(found) > 1:
        names = ", ".join(clean(name) for name, *_ in found)
        answers.problems.append(f"{answers.shown}: {t('import.two_forms', count=len(found), sheets=names)}")
        return
    name, grid, formula_cells, key_row = found[0]
    answers.sheet = clean(name)
    _take_rows(answers, grid, formula_cells, key_row)


def _check_zip(data: bytes) -> str | None:
    """Why the zip must not reach openpyxl, or None: too many parts, a part or the whole too large when
    actually expanded (a declared size may lie), a macro part, XML with a DOCTYPE."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return t("import.not_xlsx", reason=clean(str(exc)))
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            return t("import.too_many_entries", count=len(infos), limit=MAX_ENTRIES)
        total = 0
        for info in infos:
            name = info.filename
            if "vba" in name.lower() and name.lower().endswith(".bin"):  # xl/vbaProject.bin: macros
                return t("import.macro")
            if info.file_size > MAX_PART_BYTES or total + info.file_size > MAX_TOTAL_BYTES:
                return t("import.zip_bomb", name=clean(name), limit=f"{MAX_PART_BYTES:,}")
            try:
                size, head = _expanded(archive, info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as exc:
                return t("import.not_xlsx", reason=clean(f"{name}: {exc}"))
            except _TooLarge:
                return t("import.zip_bomb", name=clean(name), limit=f"{MAX_PART_BYTES:,}")
            total += size
            if total > MAX_TOTAL_BYTES:
                return t("import.zip_bomb", name=clean(name), limit=f"{MAX_TOTAL_BYTES:,}")
            if size > 1 << 20 and size > MAX_RATIO * max(1, info.compress_size):
                return t("import.zip_bomb", name=clean(name), limit=f"{MAX_RATIO}x")
            if head is not None and b"<!doctype" in head.lower():
                return t("import.doctype", name=clean(name))
            if name == "[Content_Types].xml" and head is not None and b"macroenabled" in head.lower():
                return t("import.macro")
    return None


class _TooLarge(Exception):
    pass


def _expanded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, bytes | None]:
    """The size a part really expands to, read in pieces and stopped at the limit; an XML part's bytes."""
    size = 0
    keep = info.filename.lower().endswith(_XML_SUFFIXES)
    pieces: list[bytes] = []
    with archive.open(info) as part:
        while chunk := part.read(1 << 20):
            size += len(chunk)
            if size > MAX_PART_BYTES:
                raise _TooLarge
            if keep:
                pieces.append(chunk)
    return size, b"".join(pieces) if keep else None


Grid = list[list[object]]


def _grids(data: bytes) -> tuple[list[tuple[str, Grid, set[tuple[int, int]]]], datetime]:
    """Each worksheet's cells and the (row, column) of its formula cells, within the limits; the date epoch.

    Read once as written; a formula cell is then given the value saved with it (a second reading, only
    of a workbook that holds formulas), never evaluated.
    """
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    out: list[tuple[str, Grid, set[tuple[int, int]]]] = []
    for ws in book.worksheets[:MAX_SHEETS]:
        grid: Grid = []
        cells: set[tuple[int, int]] = set()
        for r, row in enumerate(ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS), 1):
            grid.append([cell.value for cell in row])
            cells.update((r, c) for c, cell in enumerate(row, 1) if getattr(cell, "data_type", None) == "f")
        out.append((str(ws.title), grid, cells))
    epoch = book.epoch
    book.close()
    if any(cells for _, _, cells in out):
        saved = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        for (_, grid, cells), ws in zip(out, saved.worksheets[:MAX_SHEETS], strict=True):
            if cells:
                values = list(ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True))
                for r, c in cells:
                    grid[r - 1][c - 1] = (
                        values[r - 1][c - 1] if r - 1 < len(values) and c - 1 < len(values[r - 1]) else None
                    )
        saved.close()
    return out, epoch


def _key_row(grid: Grid) -> int | None:
    """The 1-based row holding the column keys (`id.form` and `id.project` among them), if any."""
    for r, row in enumerate(grid[:KEY_ROWS], 1):
        texts = {value.strip() for value in row if isinstance(value, str)}
        if {"id.form", "id.project"} <= texts:
            return r
    return None


def _take_rows(answers: Answers, grid: Grid, formula_cells: set[tuple[int, int]], key_row: int) -> None:
    keys = grid[key_row - 1]
    answers.columns = {
        value.strip(): c for c, value in enumerate(keys, 1) if isinstance(value, str) and value.strip() in forms.KEYS
    }
    mark_column = answers.columns["id.form"]
    for r in range(key_row + 1, len(grid) + 1):
        row = grid[r - 1]
        cells: dict[str, Cell] = {}
        for key, c in answers.columns.items():
            value = row[c - 1] if c - 1 < len(row) else None
            formula = (r, c) in formula_cells
            cells[key] = Cell(value, answers.where(c, r), formula)
        if all(blank(cell.value) for cell in cells.values()) and not any(cell.formula for cell in cells.values()):
            continue  # a blank row
        mark = row[mark_column - 1] if mark_column - 1 < len(row) else None
        if isinstance(mark, str) and mark.strip().startswith(forms.FORMAT):
            for cell in cells.values():
                if cell.formula:
                    _formula(answers, cell)
            answers.rows.append(cells)
        elif r != key_row + 1 and any(not blank(cells[k].value) for k in forms.INPUTS if k in cells):
            answers.warnings.append(f"{answers.where(1, r)}: {t('import.not_form_row')}")


def _formula(answers: Answers, cell: Cell) -> None:
    if blank(cell.value):
        answers.problems.append(f"{cell.where}: {t('import.formula_no_value')}")
    else:
        answers.warnings.append(f"{cell.where}: {t('import.formula_cached', value=clean(str(cell.value)))}")


def blank(value: object) -> bool:
    """Whether a cell holds nothing (or only white space)."""
    return value is None or (isinstance(value, str) and not value.strip())
