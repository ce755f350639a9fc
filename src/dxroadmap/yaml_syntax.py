"""Wording a YAML syntax error for a person: in their language, on the line at fault, with a hint.

libyaml (both read paths use it) words its errors in English and reports where it *noticed* the
problem, which is often the line after the one at fault: a full-width colon (`担当課：企画`) makes
the line a plain scalar that runs on, and the parser complains about the next line. This module
takes the parser's own texts and marks (no parser objects, so both read paths give the same
answer), looks at the lines near the reported position for the usual causes, and points at the
cause. It translates the parser's text for the common errors and keeps it verbatim otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dxroadmap.i18n import t

# libyaml breaks lines at CR LF, CR, LF, NEL, LS and PS: split the same way so line numbers agree.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_LOOK_BACK = 3  # lines above the reported one that may hold the cause

_INDENT = re.compile(r"[ \t\u3000]*")
# a key at the start of a line (after the indentation and any "- "), as written by hand
_KEY_START = r"^[ \t\u3000]*(?:-[ \t]+)*"
_KEY = r"[^\s:：#'\"{}\[\],&*!|>%@`-][^\s:：]*"
_FULLWIDTH_COLON = re.compile(_KEY_START + r"(?P<key>" + _KEY + r")[ \t\u3000]*(?P<colon>：)")
_NO_SPACE = re.compile(_KEY_START + r"(?P<key>" + _KEY + r")(?P<colon>:)(?P<next>[^\s/:])")
_VALUE_START = re.compile(_KEY_START + r"(?:[^\s'\"#\[{][^#]*?:[ \t]+)?")
_STRUCTURE = re.compile(r"-(?:\s|$)|[^\s#][^\s:：]*[:：](?:\s|$)")  # "- item" or "key:" after the indentation


@dataclass(frozen=True)
class Explained:
    """Where a syntax error is (1-based) and its message in the current language."""

    line: int
    column: int
    message: str


def explain(
    text: str,
    problem: str | None,
    context: str | None,
    problem_at: tuple[int, int] | None,
    context_at: tuple[int, int] | None,
) -> Explained:
    """The error libyaml reported (its texts; 0-based line and column marks), worded for a person."""
    lines = _LINE_BREAK.split(text)
    problem_text, context_text = problem or "", context or ""
    at = problem_at or context_at or (0, 0)
    where = context_at or at
    kind = _kind(problem_text, context_text)

    if kind == "quote" and context_at is not None:
        quote = _char(lines, context_at)
        return _at(context_at, t("yaml.unclosed_quote", quote=quote if quote in "'\"" else '"'))
    if kind == "escape":  # at the backslash (libyaml) or the character after it (the pure-Python scanner)
        backslash = (at[0], at[1] - 1) if _char(lines, at) != "\\" and _char(lines, (at[0], at[1] - 1)) == "\\" else at
        return _at(backslash, t("yaml.escape"))
    if kind == "flow" and context_at is not None and _unclosed_bracket(_line(lines, context_at[0]), context_at[1]):
        return _cause(context_at[0] + 1, context_at[1] + 1, "bracket", _line(lines, context_at[0]))

    first = [where[0]] if kind in ("no_colon", "flow") else []
    for index in _candidates(first, at[0], len(lines)):
        found = _find_cause(_line(lines, index), with_bracket=kind in ("no_value", "end", "flow"))
        if found is not None:
            name, column = found
            return _cause(index + 1, column, name, _line(lines, index))

    if kind == "no_colon":
        return _at(where, t("yaml.no_colon"))
    if kind == "mapping_here":
        keyless = _keyless_line_above(lines, at)
        return _at(keyless, t("yaml.no_colon")) if keyless else _at(at, t("yaml.mapping_here"))
    if kind == "tab":
        return _at(at, t("yaml.tab"))
    if kind == "bad_start":
        char = _char(lines, at)
        return _at(at, t("yaml.tab") if char == "\t" else t("yaml.bad_start", char=_shown(char)))
    if kind == "indicator":  # the "*", "&", "!", "%", "|" or ">" that began what the parser took for YAML syntax
        return _at(where, t("yaml.bad_start", char=_shown(_char(lines, where))))
    if kind == "colon_in_flow":
        return _at(at, t("yaml.colon_in_flow"))
    if kind == "document_end":
        return _document_end(lines, at)
    if kind == "sequence_here":
        return _at(at, t("yaml.sequence_here"))
    if kind == "no_key":
        before = _line(lines, at[0])[: at[1]].rstrip(" \t")
        return _at(at, t("yaml.after_quote") if before.endswith(("'", '"')) else t("yaml.no_key"))
    if kind == "no_dash":
        return _at(at, t("yaml.no_dash"))
    if kind == "flow":
        close = "}" if "}" in problem_text or "mapping" in context_text else "]"
        return _at(at, t("yaml.flow", close=close))
    if kind == "no_value":
        return _at(at, t("yaml.no_value"))
    if kind == "end":
        return _at(at, t("yaml.end"))
    verbatim = f"{problem_text} ({context_text})" if problem_text and context_text else problem_text or context_text
    return _at(at, verbatim.strip() or "?")


# (kind, pattern on the problem text, pattern on the context text or None): libyaml's wording, and the
# pure-Python scanner's where it differs.
_KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...] = tuple(
    (kind, re.compile(problem), re.compile(context) if context else None)
    for kind, problem, context in (
        ("quote", r"end of stream|document (?:separator|indicator)", r"quoted scalar"),
        ("escape", r"unknown escape character", None),
        ("tab", r"tab character", None),
        ("mapping_here", r"mapping values are not allowed", None),
        ("no_colon", r"could not find expected ':'", None),
        ("sequence_here", r"sequence entries are not allowed", None),
        ("indicator", r".", r"while (?:scanning|parsing) an? (?:alias|anchor|tag|directive|block scalar)"),
        ("colon_in_flow", r"found unexpected ':'", None),
        ("document_end", r"expected <document start>", None),
        ("bad_start", r"cannot start any token|mapping keys are not allowed", None),
        ("flow", r"expected ',' or '[\]}]'", None),
        ("no_key", r"expected key|expected <block end>", None),
        ("no_dash", r"expected '-' indicator", None),
        ("no_value", r"expected (?:the )?node content", None),
        ("end", r"unexpected end of stream", None),
    )
)


def _keyless_line_above(lines: list[str], at: tuple[int, int]) -> tuple[int, int] | None:
    """Where a line with no "key:" begins, when the parser read it and the next line's key as one text.

    `stray` then `事業名: x` is the plain scalar "stray 事業名" followed by ": ": the fault is the
    line above, which has no colon, not the colon the parser stopped at.
    """
    head = _line(lines, at[0])[: at[1]]
    if not head.strip() or re.search(r":(?:\s|$)", head):
        return None
    index = at[0] - 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    if index < 0:
        return None
    above = lines[index]
    if above.lstrip().startswith("#") or re.search(r"[:：](?:\s|$)| #", above):
        return None
    start = re.match(_KEY_START, above)
    return index, start.end() if start else 0


def _document_end(lines: list[str], at: tuple[int, int]) -> Explained:
    """More YAML after what the parser took for the whole document: usually a first line with no "key:"."""
    for index in range(min(at[0], len(lines))):
        line = lines[index].strip(" \t\ufeff")
        if not line or line.startswith(("#", "%", "---")):
            continue
        if index < at[0] and not re.search(r":(?:\s|$)", line):
            found = _find_cause(lines[index], with_bracket=True)
            if found is not None:
                return _cause(index + 1, found[1], found[0], lines[index])
            return _at((index, len(lines[index]) - len(lines[index].lstrip())), t("yaml.no_colon"))
        break
    return _at(at, t("yaml.document_end"))


def _kind(problem: str, context: str) -> str | None:
    for kind, on_problem, on_context in _KINDS:
        if on_problem.search(problem) and (on_context is None or on_context.search(context)):
            return kind
    return None


def _candidates(first: list[int], reported: int, count: int) -> list[int]:
    """Line indexes to look at for a cause: `first`, the reported line, then the few above it."""
    order: list[int] = []
    for index in [*first, *range(reported, reported - _LOOK_BACK - 1, -1)]:
        if 0 <= index < count and index not in order:
            order.append(index)
    return order


def _find_cause(line: str, with_bracket: bool) -> tuple[str, int] | None:
    """The usual cause of a syntax error on `line`, and its 1-based column, if there is one."""
    indent = _INDENT.match(line)
    lead = indent.group() if indent else ""
    rest = line[len(lead) :]
    if "\t" in lead and rest and not rest.startswith("#"):
        return "tab", lead.index("\t") + 1
    if "\u3000" in lead and _STRUCTURE.match(rest):
        return "fullwidth_space", lead.index("\u3000") + 1
    if match := _FULLWIDTH_COLON.match(line):
        return "fullwidth_colon", match.start("colon") + 1
    if (match := _NO_SPACE.match(line)) and not (match["key"][-1].isdigit() and match["next"].isdigit()):
        return "no_space", match.start("colon") + 1
    start = _VALUE_START.match(line)
    position = start.end() if start else 0
    if position < len(line) and line[position] in "'\"" and _unclosed_quote(line, position):
        return "quote", position + 1
    if with_bracket and position < len(line) and line[position] in "[{" and _unclosed_bracket(line, position):
        return "bracket", position + 1
    return None


def _cause(line_no: int, column: int, name: str, line: str) -> Explained:
    index = column - 1
    if name == "fullwidth_colon":
        key = _FULLWIDTH_COLON.match(line)
        message = t("yaml.fullwidth_colon", key=key["key"] if key else "")
    elif name == "no_space":
        key = _NO_SPACE.match(line)
        message = t("yaml.no_space", key=key["key"] if key else "")
    elif name == "quote":
        message = t("yaml.unclosed_quote", quote=line[index])
    elif name == "bracket":
        message = t("yaml.unclosed_bracket", bracket=line[index], close="]" if line[index] == "[" else "}")
    else:  # tab, fullwidth_space
        message = t(f"yaml.{name}")
    return Explained(line_no, column, t("source.syntax", what=message))


def _unclosed_quote(line: str, start: int) -> bool:
    """Whether the quote opening at `start` is not closed on `line`."""
    quote, i = line[start], start + 1
    while i < len(line):
        char = line[i]
        if quote == '"' and char == "\\":
            i += 2
            continue
        if char == quote:
            if quote == "'" and line[i + 1 : i + 2] == "'":  # '' is a quote inside single quotes
                i += 2
                continue
            return False
        i += 1
    return True


def _unclosed_bracket(line: str, start: int) -> bool:
    """Whether the `[` or `{` at `start` is not closed on `line` (quotes and a trailing comment skipped)."""
    if start >= len(line) or line[start] not in "[{":
        return False
    depth, i = 0, start
    while i < len(line):
        char = line[i]
        if char in "'\"":
            if _unclosed_quote(line, i):
                return True
            i = _quote_end(line, i)
        elif char == "#" and line[i - 1 : i] in (" ", "\t"):
            break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return False
        i += 1
    return depth > 0


def _quote_end(line: str, start: int) -> int:
    """The index of the quote closing the one at `start` (known to be closed on `line`)."""
    quote, i = line[start], start + 1
    while i < len(line):
        if quote == '"' and line[i] == "\\":
            i += 2
            continue
        if line[i] == quote:
            if quote == "'" and line[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i
        i += 1
    return len(line)


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def _char(lines: list[str], at: tuple[int, int]) -> str:
    line = _line(lines, at[0])
    return line[at[1]] if 0 <= at[1] < len(line) else ""


def _shown(char: str) -> str:
    """A character as it can be printed: itself, or U+XXXX for controls, format characters, blanks."""
    if not char:
        return "?"
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return f"U+{ord(char):04X}"
    return char


def _at(mark: tuple[int, int], what: str) -> Explained:
    return Explained(mark[0] + 1, mark[1] + 1, t("source.syntax", what=what))
