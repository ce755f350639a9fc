"""Problems in users' files as values: where, a stable code, and a one-line message.

Codes are part of the contract (a FAQ or a CI filter can name them); the README lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

CODES: dict[str, str] = {
    "unreadable": "the file or folder cannot be read",
    "not-utf8": "the file is not UTF-8 (Shift_JIS / CP932 from a Japanese editor, say)",
    "empty-file": "the file holds nothing",
    "too-large": "the file is larger than any real roadmap",
    "binary": "the file holds NUL bytes: not text",
    "conflict-marker": "a git conflict marker is left in the file",
    "yaml-syntax": "the file is not well-formed YAML",
    "duplicate-key": "a key appears twice in one mapping",
    "alias": "YAML anchors and aliases (&x, *x) are refused",
    "yaml-tag": "a YAML tag other than the plain types (!!python/…, !custom)",
    "too-deep": "nesting deeper than any roadmap",
    "not-mapping": "the top level is not a mapping of keys",
    "unknown-key": "a key the format does not have",
    "missing-key": "a key the format requires is absent",
    "wrong-type": "a value of the wrong kind (a list where text goes, …)",
    "bad-value": "a value outside what the key accepts",
    "date-as-text": "YAML read an unquoted date where text goes",
    "bad-year": "a fiscal year that cannot be read",
    "duplicate-year": "two keys name the same fiscal year",
    "year-out-of-period": "a fiscal year outside the plan's period",
    "bad-quarter": "a quarter other than Q1–Q4",
    "unknown-field": "政策分野 names no field of the plan",
    "unknown-focus": "取組方針 names no focus area of the project's field",
    "unknown-target": "達成 names no target of that initiative in that year or before",
    "duplicate-initiative": "two initiatives of one project have the same name",
    "duplicate-id": "two files give the same project id (a.yaml and a.yml)",
    "outside-root": "a link in the roadmaps directory that leads out of it: not followed",
    "undated-actual": "an actual without 四半期, 半期 or 日付 in a fiscal year not yet over (warning)",
    "duplicate-entry": "the same actual, or a second value of one KPI, twice in one period (warning)",
}
WARNINGS = frozenset({"year-out-of-period", "undated-actual", "duplicate-entry"})
"""Codes that are warnings: printed by `validate` in the same shape, never making a file invalid."""


class StoreError(Exception):
    """A request that cannot be served (no roadmaps directory, unknown project): one line, exit 1."""


class RequestError(StoreError):
    """An option whose value cannot be served (a period in the future, two `--dir`): a usage error, exit 2.

    Found by a service rather than by the option's parser; the command line names `option`.
    """

    def __init__(self, option: str | None, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file; line and column are 1-based."""

    path: str
    line: int
    column: int
    code: str
    message: str

    @property
    def warning(self) -> bool:
        return self.code in WARNINGS

    def __str__(self) -> str:
        # one line, always: a line break in file text quoted by the message is shown as \n
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")
        path = self.path.replace("\r", "\\r").replace("\n", "\\n")
        return f"{path}:{self.line}:{self.column}: {self.code} {message}"


@dataclass(frozen=True)
class Finding:
    """A problem found in a validated model: `loc` is the path of keys and indexes to it.

    The loader turns it into a `Problem` by looking the path up among the parser's positions.
    `at_key` points at the key itself rather than its value.
    """

    loc: tuple[str | int, ...]
    code: str
    message: str
    at_key: bool = False


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that make a file invalid (not the warnings)."""
    return [p for p in problems if not p.warning]
