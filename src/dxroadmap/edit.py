"""Adding an actual to a roadmap's text without touching any other byte.

ruamel.yaml's round-trip dump normalises indentation and moves comments, so it cannot keep a
file byte for byte. Instead the new entry is written as text and inserted at a position the
parser reports (after the last item of the year, before a later year, at the end of the
initiative), in the file's own indentation, year-key style and line endings. The only line
that may change is a flow list such as `R5: [ニーズ調査]`, which gains `, {…}` before its `]`.
The caller re-parses the result and checks that exactly the entry was added.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dxroadmap import fiscal
from dxroadmap.i18n import t
from dxroadmap.source import Document, Path, plain_is_text


class EditError(Exception):
    """The file's layout does not allow a safe insertion; nothing is written."""


@dataclass(frozen=True)
class Entry:
    """One actual, in the order its keys are written."""

    quarter: int | None = None
    half: int | None = None  # 1 上期, 2 下期
    date: date | None = None
    text: str | None = None
    achieves: tuple[str, ...] = ()
    kpi: str | None = None
    value: int | float | None = None
    reason: str | None = None
    outlook: str | None = None  # 順調 / 注意 / 困難
    rating: str | None = None  # a symbol of the plan's 評価区分

    def pairs(self) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = [
            ("四半期", fiscal.quarter_label(self.quarter) if self.quarter else None),
            ("半期", ("上期", "下期")[self.half - 1] if self.half else None),
            ("日付", self.date),
            ("内容", self.text),
            ("達成", list(self.achieves) or None),
            ("指標", self.kpi),
            ("値", self.value),
            ("理由", self.reason),
            ("見通し", self.outlook),
            ("評価", self.rating),
        ]
        return [(k, v) for k, v in pairs if v is not None]


# --- writing YAML values ----------------------------------------------------------------

_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"


def scalar(value: Any, flow: bool = False) -> str:
    """A YAML scalar that reads back as exactly `value`: plain where safe, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    plain = (
        text
        and text == text.strip()
        and text[0] not in _INDICATORS
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and text.isprintable()
        and not (flow and any(c in text for c in ",[]{}:?#"))
        and plain_is_text(text)
    )
    return text if plain else _double_quoted(text)


# Characters YAML does not allow raw in a file (outside its printable set): written as escapes.
_NOT_PRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _double_quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)  # JSON escapes are YAML double-quoted escapes
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v, flow=True) for v in value) + "]"
    return scalar(value)


def flow_entry(entry: Entry) -> str:
    return "{" + ", ".join(f"{k}: {_flow_value(v)}" for k, v in entry.pairs()) + "}"


def _flow_value(value: Any) -> str:
    return _value(value) if isinstance(value, list) else scalar(value, flow=True)


def block_entry(entry: Entry, dash_indent: int) -> list[str]:
    """`- 四半期: Q2` and the further keys aligned under the first."""
    pad = " " * dash_indent
    lines = []
    for i, (key, value) in enumerate(entry.pairs()):
        lines.append(f"{pad}{'- ' if i == 0 else '  '}{key}: {_value(value)}")
    return lines


# --- the file's own style ---------------------------------------------------------------

_STYLES: list[tuple[re.Pattern[str], str]] = [  # a 平成 key is the same style as its 令和 spelling
    (re.compile(r"^[RH]\d+$"), "R{n}"),
    (re.compile(r"^(?:令和|平成)(?:\d+|元)年度$"), "令和{n}年度"),
    (re.compile(r"^(?:令和|平成)(?:\d+|元)年$"), "令和{n}年"),
    (re.compile(r"^(?:令和|平成)(?:\d+|元)$"), "令和{n}"),
    (re.compile(r"^FY\d{4}$"), "FY{y}"),
    (re.compile(r"^\d{4}年度\((?:令和|平成)(?:\d+|元)年度\)$"), "{y}年度(令和{n}年度)"),
    (re.compile(r"^(?:令和|平成)(?:\d+|元)年度\(\d{4}年度\)$"), "令和{n}年度({y}年度)"),
    (re.compile(r"^\d{4}年度$"), "{y}年度"),
]


def _style_of(key: Any) -> str | None:
    if isinstance(key, int) and not isinstance(key, bool):
        return "{y}"
    if isinstance(key, str):
        text = fiscal.normalize(key)
        return next((style for pattern, style in _STYLES if pattern.match(text)), None)
    return None


def year_key_style(data: Any) -> str:
    """The most common spelling of the year keys in a roadmap's 目標 and 実績 (default `R5`)."""
    styles: Counter[str] = Counter()
    for initiative in data.get("取組", []) if isinstance(data, dict) else []:
        if not isinstance(initiative, dict):
            continue
        for section in ("目標", "実績"):
            years = initiative.get(section)
            if isinstance(years, dict):
                styles.update(s for s in map(_style_of, years) if s)
    return styles.most_common(1)[0][0] if styles else "R{n}"


def year_key(year: int, style: str) -> str:
    """The key of `year` in a style; a year before 令和 in its 平成 form (`H30`, `平成30年度`)."""
    if year > fiscal.REIWA_OFFSET or "{n}" not in style:
        return style.format(y=year, n=year - fiscal.REIWA_OFFSET)
    return style.replace("令和", "平成").replace("R{n}", "H{n}").format(y=year, n=year - fiscal.HEISEI_OFFSET)


class _Text:
    """The file as lines, with conversions between 1-based positions and offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.starts = [0]
        for match in re.finditer("\n", text):
            self.starts.append(match.end())

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1

    def line(self, number: int) -> str:
        start = self.starts[number - 1]
        end = self.starts[number] if number < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def after_line_of(self, end: tuple[int, int]) -> int:
        """The offset just past the line holding the last character before `end`."""
        line, column = end
        if column == 1 and line > 1:
            line -= 1
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def insert_lines(self, offset: int, lines: Sequence[str]) -> str:
        nl = self.newline
        if offset == len(self.text) and self.text and not self.text.endswith("\n"):
            block = nl + nl.join(lines)  # the file had no final newline, and still has none
        else:
            block = "".join(line + nl for line in lines)
        return self.text[:offset] + block + self.text[offset:]

    def insert(self, offset: int, fragment: str) -> str:
        return self.text[:offset] + fragment + self.text[offset:]


def _year_keys(doc: Document) -> list[Path]:
    """Paths of the year keys of every initiative's 目標 and 実績, in file order."""
    return [p for p in doc.positions.keys if len(p) == 4 and p[0] == "取組" and p[2] in ("目標", "実績")]


def _nested_indent(doc: Document, default: int = 2) -> int:
    """How far the file indents year keys under 目標/実績 (the indentation of its mappings)."""
    for path in _year_keys(doc):
        owner = doc.positions.keys.get(path[:3])
        if owner is not None and path[:3] not in doc.positions.flow:
            return doc.positions.keys[path][1] - owner[1]
    return default


def _dash_offset(doc: Document, default: int = 2) -> int:
    """How far the file indents `- ` under a year key (0 for indentless sequences)."""
    for path in _year_keys(doc):
        if path in doc.positions.flow or not isinstance(_get(doc.data, path), list) or not _get(doc.data, path):
            continue
        line, column = doc.positions.values[path]  # a block sequence starts at its first dash
        key = doc.positions.keys[path]
        if line > key[0]:
            return column - key[1]
    return default


_BARE_KEY_LINE = re.compile(r":[ \t]*(?:#.*)?$")


# --- the insertion ----------------------------------------------------------------------


def add_actuals(text: str, doc: Document, initiative: int, year: int, entries: Sequence[Entry]) -> str:
    """`text` with `entries` appended to 実績 of year `year` of initiative number `initiative`."""
    if not entries:
        raise EditError(t("edit.nothing"))
    lines = _Text(text)
    root = doc.data
    init_path: Path = ("取組", initiative)
    init = root["取組"][initiative]
    if init_path in doc.positions.flow or ("取組",) in doc.positions.flow:
        raise EditError(t("edit.flow_initiative"))
    actuals_path: Path = (*init_path, "実績")
    actuals = init.get("実績")
    dash = _dash_offset(doc)
    if isinstance(actuals, dict) and actuals_path in doc.positions.flow:
        key = _find_year(actuals, year)
        if key is not None:
            return _into_year(lines, doc, (*actuals_path, key), entries, dash)
        end = doc.positions.ends[actuals_path]
        close = lines.offset(*end) - 1
        last = max((doc.positions.ends[(*actuals_path, k)] for k in actuals), default=None)
        at = lines.offset(*last) if last else close
        fragment = (
            f"{', ' if actuals else ''}{year_key(year, year_key_style(root))}: [{', '.join(map(flow_entry, entries))}]"
        )
        return lines.insert(at, fragment)
    if isinstance(actuals, dict) and actuals:
        key = _find_year(actuals, year)
        if key is not None:
            return _into_year(lines, doc, (*actuals_path, key), entries, dash)
        return _new_year(lines, doc, actuals_path, actuals, year, entries, dash)
    if "実績" in init and actuals in (None, {}, []) and actuals_path not in doc.positions.flow:
        # `実績:` with nothing after it: the year goes on the lines below
        key_line, key_col = doc.positions.keys[actuals_path]
        indent = key_col - 1 + _nested_indent(doc)
        block = _year_block(doc, year, entries, indent, dash)
        if _BARE_KEY_LINE.search(lines.line(key_line)):
            return lines.insert_lines(lines.after_line_of((key_line + 1, 1)), block)
        raise EditError(t("edit.explicit_empty"))
    if "実績" in init:
        raise EditError(t("edit.not_years"))
    # no 実績 yet: it goes after the initiative's last line, at the column of its keys
    name_col = doc.positions.keys[(*init_path, "名称")][1]
    block = [f"{' ' * (name_col - 1)}実績:"]
    block += _year_block(doc, year, entries, name_col - 1 + _nested_indent(doc), dash)
    return lines.insert_lines(lines.after_line_of(doc.positions.ends[init_path]), block)


def _find_year(years: dict[Any, Any], year: int) -> Any:
    for key in years:
        try:
            if fiscal.parse_year(key) == year:
                return key
        except fiscal.FiscalError:
            continue
    return None


def _year_block(doc: Document, year: int, entries: Sequence[Entry], indent: int, dash: int) -> list[str]:
    lines = [f"{' ' * indent}{year_key(year, year_key_style(doc.data))}:"]
    for entry in entries:
        lines += block_entry(entry, indent + dash)
    return lines


def _into_year(lines: _Text, doc: Document, path: Path, entries: Sequence[Entry], dash: int) -> str:
    value = _get(doc.data, path)
    if path in doc.positions.flow:
        if not isinstance(value, list):
            raise EditError(t("edit.flow_mapping_year"))
        end = doc.positions.ends[path]
        at = lines.offset(*doc.positions.ends[(*path, len(value) - 1)]) if value else lines.offset(*end) - 1
        return lines.insert(at, ("" if not value else ", ") + ", ".join(map(flow_entry, entries)))
    if isinstance(value, list) and value:
        indent = doc.positions.values[path][1] - 1  # the column of the dashes
        as_flow = all(isinstance(item, dict) and (*path, i) in doc.positions.flow for i, item in enumerate(value))
        block: list[str] = []
        for entry in entries:
            block += [f"{' ' * indent}- {flow_entry(entry)}"] if as_flow else block_entry(entry, indent)
        return lines.insert_lines(lines.after_line_of(doc.positions.ends[path]), block)
    key_line, key_col = doc.positions.keys[path]
    if value is None and _BARE_KEY_LINE.search(lines.line(key_line)):
        block = []
        for entry in entries:
            block += block_entry(entry, key_col - 1 + dash)
        return lines.insert_lines(lines.after_line_of((key_line + 1, 1)), block)
    if isinstance(value, str | int | float) and path not in doc.positions.flow:
        # `R5: ニーズ調査` (one item without a list): that one line becomes a flow list
        first, last = lines.offset(*doc.positions.values[path]), lines.offset(*doc.positions.ends[path])
        original = lines.text[first:last]
        return lines.text[:first] + f"[{original}, {', '.join(map(flow_entry, entries))}]" + lines.text[last:]
    raise EditError(t("edit.year_neither"))


def _get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _new_year(
    lines: _Text, doc: Document, parent: Path, years: dict[Any, Any], year: int, entries: Sequence[Entry], dash: int
) -> str:
    """A new year key in a block mapping of years, in year order."""
    keys = list(years)
    indent = doc.positions.keys[(*parent, keys[0])][1] - 1
    block = _year_block(doc, year, entries, indent, dash)
    later = [k for k in keys if _year_or_none(k) is not None and _year_or_none(k) > year]  # type: ignore[operator]
    if later:
        line = doc.positions.keys[(*parent, later[0])][0]
        while line > 1 and lines.line(line - 1).strip().startswith("#"):
            line -= 1  # comments just above a year key belong to it
        return lines.insert_lines(lines.starts[line - 1], block)
    return lines.insert_lines(lines.after_line_of(doc.positions.ends[parent]), block)


def _year_or_none(key: Any) -> int | None:
    try:
        return fiscal.parse_year(key)
    except fiscal.FiscalError:
        return None
