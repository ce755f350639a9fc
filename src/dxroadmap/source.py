"""Reading a YAML file into plain data plus the position of every key and value.

Two ways, one result. Plain files (no anchors, aliases, tags or deep nesting: nearly all) are
composed by libyaml through PyYAML and walked into data and positions. Everything else goes
through the C-accelerated event parser of ruamel.yaml, from whose events this module builds
the data with an explicit stack (no recursion, so no nesting can crash it), refusing what a
roadmap never needs: anchors and aliases, tags naming objects, duplicate keys, absurd nesting.
Scalars are resolved by the YAML 1.2 core schema either way (tests/test_source.py checks that
both ways agree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.reader import ReaderError

from dxroadmap.i18n import t
from dxroadmap.problems import Problem
from dxroadmap.yaml_syntax import explain as explain_syntax

MAX_BYTES = 1 << 20  # 1 MiB: real roadmaps are a few KB
MAX_DEPTH = 24  # a roadmap nests 7 levels deep
Key = str | int
Path = tuple[Key, ...]

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")} | {
    "!"
}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9_]+|0o[0-7_]+|0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$")
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?$"
)
_MAY_RESOLVE = frozenset("0123456789+-.~nNtTfF")
_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)


def plain_is_text(value: str) -> bool:
    """Whether `value` written as a plain scalar reads back as that text (not a number, date, …)."""
    return not (
        _NULL.match(value)
        or _BOOL.match(value)
        or _INT.match(value)
        or _FLOAT.match(value)
        or _DATE.match(value)
        or _TIMESTAMP.match(value)
    )


class SourceError(Exception):
    """The file cannot be read as YAML data; `problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Positions:
    """1-based (line, column) of each value and each mapping key, by path of keys/indexes.

    `ends` holds where each value's own text ends (for a block collection: where its last item
    ends, so trailing comments and blank lines are not part of it); `flow` the collections
    written in flow style (`[a, b]`, `{k: v}`). Edits insert text at these positions.
    """

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    ends: dict[Path, tuple[int, int]] = field(default_factory=dict)
    flow: set[Path] = field(default_factory=set)


@dataclass
class Document:
    """The data of one file; the positions of its keys and values are worked out when first asked for.

    Most files are valid and read only to be judged, so the fast path skips positions until an
    error needs one or an edit is made.
    """

    path: str
    text: str
    data: Any
    known_positions: Positions | None = None

    @property
    def positions(self) -> Positions:
        if self.known_positions is None:
            self.known_positions = _load(self.text, self.path, with_positions=True).positions
        return self.known_positions


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (a BOM is accepted) or a `SourceError` that says how to fix the encoding."""
    if len(raw) > MAX_BYTES:
        raise SourceError(
            Problem(path, 1, 1, "too-large", t("source.too_large", size=f"{len(raw):,}", limit=f"{MAX_BYTES:,}"))
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        guess, encoding = (t("source.guess_utf16"), "UTF-16") if utf16 else (t("source.guess_sjis"), "CP932")
        raise SourceError(
            Problem(
                path, line, column, "not-utf8",
                t("source.not_utf8", guess=guess, encoding=encoding),
            )
        ) from None  # fmt: skip
    if "\x1b$" in text or "\x1b(" in text:  # the escapes of ISO-2022-JP (JIS), 7-bit and so valid UTF-8
        head = text[: text.index("\x1b")]
        line, column = head.count("\n") + 1, len(head) - (head.rfind("\n") + 1) + 1
        raise SourceError(
            Problem(path, line, column, "not-utf8", t("source.not_utf8", guess="ISO-2022-JP", encoding="ISO-2022-JP"))
        )
    if "\x00" in text:
        head = text[: text.index("\x00")]
        raise SourceError(
            Problem(
                path,
                head.count("\n") + 1,
                len(head) - (head.rfind("\n") + 1) + 1,
                "binary",
                t("source.binary"),
            )
        )
    return text


def load(text: str, path: str) -> Document:
    """Parse one YAML document into data (positions when asked); raise `SourceError` on the first problem."""
    if marker := _CONFLICT.search(text):
        line = text.count("\n", 0, marker.start()) + 1
        raise SourceError(Problem(path, line, 1, "conflict-marker", t("source.conflict")))
    return _load(text, path, with_positions=False)


def _load(text: str, path: str, with_positions: bool) -> Document:
    fast = _fast_load(text, path, with_positions)
    if fast is not None:
        return fast
    builder = _Builder(path)
    try:
        for event in _parser().parse(text):
            builder.feed(event)
    except MarkedYAMLError as exc:
        raise SourceError(syntax_problem(text, path, exc)) from None
    except ReaderError as exc:
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")  # the C reader counts bytes
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        reason = t("source.control_characters") if "characters are not allowed" in str(exc.reason) else exc.reason
        raise SourceError(
            Problem(
                path, line, column, "yaml-syntax", t("source.character", code=f"{exc.character:04X}", reason=reason)
            )
        ) from None
    except YAMLError as exc:
        raise SourceError(Problem(path, 1, 1, "yaml-syntax", t("source.syntax", what=exc))) from None
    if builder.documents == 0 or builder.result is None:
        raise SourceError(Problem(path, 1, 1, "empty-file", t("source.empty")))
    return Document(path, text, builder.result, builder.positions)


def syntax_problem(text: str, path: str, exc: Any) -> Problem:
    """The `yaml-syntax` problem for a marked parser error of ruamel.yaml or PyYAML (the same for both).

    Only the error's texts and marks are used, so both read paths word the same error the same way.
    """

    def mark(which: str) -> tuple[int, int] | None:
        found = getattr(exc, which, None)
        return (found.line, found.column) if found is not None else None

    problem, context = getattr(exc, "problem", None), getattr(exc, "context", None)
    explained = explain_syntax(
        text,
        str(problem) if problem else None,
        str(context) if context else None,
        mark("problem_mark"),
        mark("context_mark"),
    )
    return Problem(path, explained.line, explained.column, "yaml-syntax", explained.message)


# --- the fast path: libyaml's C composer (PyYAML), for files with nothing unusual ------------
#
# It builds the same data and positions as the event builder below, about three times faster,
# but only for text without anchors, aliases or tags (no '&', '*', '!') and without deep
# nesting (the C composer recurses). Anything else, and anything it refuses, goes the exact way.

_DEEP = re.compile(r"^ {160}", re.MULTILINE)


class _Fallback(Exception):
    """The fast path declines; the event builder decides (and words any error)."""


def _fast_load(text: str, path: str, with_positions: bool = True) -> Document | None:
    if _CLoader is None or any(c in text for c in "&*!") or text.count("[") + text.count("{") > 400:
        return None
    if _DEEP.search(text):
        return None
    try:
        node = _compose(text, Loader=_CLoader)
        if node is None:
            return None
        positions = Positions() if with_positions else None
        data, _end = _walk(node, (), positions, path, 0)
    except (_Fallback, _YAMLError, SourceError, RecursionError):
        return None
    return Document(path, text, data, positions)


def _mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _walk(
    node: Any, here: Path, positions: Positions | None, path: str, depth: int
) -> tuple[Any, tuple[int, int] | None]:
    """The data of `node`, and where its text ends; positions recorded when `positions` is given.

    This runs for every value of every file, so it avoids work: no paths without positions.
    """
    if depth > MAX_DEPTH:
        raise _Fallback
    kind = type(node)
    if kind is _ScalarNode:
        value = node.value
        if positions is None and not node.style and value and value[0] not in _MAY_RESOLVE:
            return value, None  # a plain word, as most values are (what `_scalar` would return)
        end = None
        if positions is not None:
            positions.values[here] = _mark(node.start_mark)
            positions.ends[here] = end = _mark(node.end_mark)
        return _scalar(node, path), end
    last: tuple[int, int] | None = None
    if kind is _SequenceNode:
        items: list[Any] = []
        for i, child in enumerate(node.value):
            value, last = _walk(child, (*here, i) if positions is not None else here, positions, path, depth + 1)
            items.append(value)
        result: Any = items
    elif kind is _MappingNode:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not _ScalarNode:
                raise _Fallback
            key = key_node.value
            if key_node.style or not key or key[0] in _MAY_RESOLVE:  # else a plain word (see `_scalar`)
                key = _scalar(key_node, path)
            if key in mapping:
                raise _Fallback
            if positions is not None:
                positions.keys[(*here, key)] = _mark(key_node.start_mark)
                mapping[key], last = _walk(value_node, (*here, key), positions, path, depth + 1)
            else:
                mapping[key], last = _walk(value_node, here, None, path, depth + 1)
        result = mapping
    else:
        raise _Fallback
    if positions is None:
        return result, None
    start = positions.values[here] = _mark(node.start_mark)
    if node.flow_style:
        positions.flow.add(here)
        end = _mark(node.end_mark)
    else:
        end = last or start
    positions.ends[here] = end
    return result, end


try:
    from yaml import CSafeLoader
    from yaml import YAMLError as _YAMLError
    from yaml import compose as _compose
    from yaml.nodes import MappingNode as _MappingNode
    from yaml.nodes import ScalarNode as _ScalarNode
    from yaml.nodes import SequenceNode as _SequenceNode

    class _CLoader(CSafeLoader):
        """libyaml's composer without PyYAML's YAML 1.1 tag resolution: `_scalar` resolves (YAML 1.2)."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None  # no tag: `_scalar` resolves plain scalars itself

except ImportError:  # pragma: no cover - PyYAML without libyaml: the event builder does it all
    _CLoader = None  # type: ignore[assignment,misc,unused-ignore]
    _YAMLError = Exception  # type: ignore[assignment,misc,unused-ignore]


def parser_versions() -> str:
    """The versions of both YAML readers (what they accept and how they word errors may change)."""
    import ruamel.yaml

    try:
        import yaml

        pyyaml = yaml.__version__
    except ImportError:  # pragma: no cover - the fast path is off
        pyyaml = "none"
    return f"ruamel.yaml {ruamel.yaml.__version__}, PyYAML {pyyaml}"


_yaml: YAML | None = None


def _parser() -> YAML:
    global _yaml
    if _yaml is None:
        _yaml = YAML(typ="safe", pure=False)
    return _yaml


def _scalar(event: ScalarEvent | Any, path: str) -> Any:
    value: str = event.value
    tag = str(event.tag) if event.tag is not None else None
    plain = event.style in (None, "") and tag is None
    if tag is not None and tag not in _ALLOWED_TAGS:
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        raise SourceError(Problem(path, line, column, "yaml-tag", t("source.tag", tag=tag)))
    kind = tag[len(_CORE) :] if tag and tag.startswith(_CORE) else ("resolve" if plain else "str")
    if kind == "resolve" and value and value[0] not in _MAY_RESOLVE:
        return value  # most plain scalars are words, and only these first characters can start anything else
    if kind == "resolve":
        if _NULL.match(value):
            return None
        if _BOOL.match(value):
            return value.lower() == "true"
        if _INT.match(value) and any(c.isdigit() for c in value):
            kind = "int"
        elif _FLOAT.match(value) and value not in {".", "-", "+"}:
            kind = "float"
        elif _DATE.match(value) or _TIMESTAMP.match(value):
            kind = "timestamp"
        else:
            return value
    try:
        if kind == "int":
            digits = value.replace("_", "")
            return (
                int(digits, 8 if digits.startswith("0o") else 16 if digits.startswith("0x") else 10)
                if digits[:2] in ("0o", "0x")
                else int(digits)
            )
        if kind == "float":
            lowered = value.replace("_", "").lower()
            return float(lowered.replace(".inf", "inf").replace(".nan", "nan"))
        if kind == "timestamp":
            if _DATE.match(value):
                y, m, d = (int(p) for p in value.split("-"))
                return date(y, m, d)
            return datetime.fromisoformat(
                re.sub(r"[ \t]+", "T", value, count=1).replace("Z", "+00:00").replace(" ", "")
            )
        if kind == "bool":
            return value.lower() == "true"
        if kind == "null":
            return None
    except ValueError:
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        raise SourceError(
            Problem(path, line, column, "bad-value", t("source.bad_scalar", value=repr(value), kind=kind))
        ) from None
    return value


_NO_KEY: Any = object()


@dataclass
class _Frame:
    """An open mapping or sequence; a mapping remembers the key whose value comes next."""

    container: dict[Any, Any] | list[Any]
    path: Path
    flow: bool
    start: tuple[int, int]
    key: Any = _NO_KEY
    key_at: tuple[int, int] = (1, 1)
    last_end: tuple[int, int] | None = None


class _Builder:
    """Builds data from parser events, keeping positions, refusing aliases, duplicates and depth."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.positions = Positions()
        self.result: Any = None
        self.documents = 0
        self.stack: list[_Frame] = []

    def _where(self, event: Any) -> tuple[int, int]:
        return event.start_mark.line + 1, event.start_mark.column + 1

    def _fail(self, event: Any, code: str, message: str) -> SourceError:
        line, column = self._where(event)
        return SourceError(Problem(self.path, line, column, code, message))

    def feed(self, event: Any) -> None:
        if isinstance(event, AliasEvent):
            raise self._fail(event, "alias", t("source.alias", name=event.anchor))
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise self._fail(event, "alias", t("source.anchor", name=anchor))
        if isinstance(event, ScalarEvent):
            path = self._add(_scalar(event, self.path), event)
            self._ended(path, (event.end_mark.line + 1, event.end_mark.column + 1), is_key=path == self._key_path())
        elif isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            tag = str(event.tag) if event.tag is not None else None
            if tag is not None and tag not in _ALLOWED_TAGS:
                raise self._fail(event, "yaml-tag", t("source.tag", tag=tag))
            if len(self.stack) >= MAX_DEPTH:
                raise self._fail(event, "too-deep", t("source.too_deep", depth=MAX_DEPTH))
            container: Any = {} if isinstance(event, MappingStartEvent) else []
            path = self._add(container, event)
            flow = bool(event.flow_style)
            if flow:
                self.positions.flow.add(path)
            self.stack.append(_Frame(container, path, flow, self._where(event)))
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            frame = self.stack.pop()
            # a block collection ends where its last item ends, not at the next token
            flow_end = (event.end_mark.line + 1, event.end_mark.column + 1) if frame.flow else None
            end = flow_end or frame.last_end or frame.start
            self._ended(frame.path, end, is_key=False)
        elif type(event).__name__ == "DocumentStartEvent":
            self.documents += 1
            if self.documents > 1:
                raise self._fail(event, "yaml-syntax", t("source.second_document"))

    def _key_path(self) -> Path | None:
        """The path a scalar just added as a mapping key reports (its parent's), else None."""
        if self.stack and self.stack[-1].key is not _NO_KEY:
            return self.stack[-1].path
        return None

    def _ended(self, path: Path, end: tuple[int, int], is_key: bool) -> None:
        if not is_key:
            self.positions.ends[path] = end
        if self.stack:
            self.stack[-1].last_end = end

    def _add(self, value: Any, event: Any) -> Path:
        where = self._where(event)
        if not self.stack:
            self.result = value
            self.positions.values[()] = where
            return ()
        frame = self.stack[-1]
        container, parent = frame.container, frame.path
        if isinstance(container, list):
            path: Path = (*parent, len(container))
            container.append(value)
            self.positions.values[path] = where
            return path
        if frame.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise self._fail(event, "wrong-type", t("source.complex_key"))
            if value in container:
                first = self.positions.keys[(*parent, value)]
                raise self._fail(event, "duplicate-key", t("source.duplicate_key", key=value, line=first[0]))
            frame.key, frame.key_at = value, where
            return parent
        path = (*parent, frame.key)
        container[frame.key] = value
        self.positions.keys[path] = frame.key_at
        self.positions.values[path] = where
        frame.key = _NO_KEY
        return path


def locate(data: Any, positions: Positions, loc: tuple[Any, ...], at_key: bool = False) -> tuple[int, int]:
    """The position of the deepest part of `loc` present in `data`.

    `loc` is a validation error's location: keys and indexes, with extra parts (union tags,
    `[key]`) that are not in the data and are skipped. An int part on a mapping whose keys are
    fiscal years written another way (`R5`) is matched by the year it means.
    """
    from dxroadmap.fiscal import FiscalError, parse_year

    path: Path = ()
    current = data
    for part in loc:
        if part == "[key]":
            at_key = True
            continue
        if isinstance(current, dict):
            key: Any = part
            if key not in current and isinstance(part, int):
                for candidate in current:
                    try:
                        if parse_year(candidate) == part:
                            key = candidate
                            break
                    except FiscalError:
                        continue
            if key not in current:
                continue
            path, current = (*path, key), current[key]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path, current = (*path, part), current[part]
    if at_key and path in positions.keys:
        return positions.keys[path]
    while path and path not in positions.values:
        path = path[:-1]
    return positions.values.get(path, (1, 1))
