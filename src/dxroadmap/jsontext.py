"""JSON as `json.dumps(value, ensure_ascii=False, indent=2)` writes it, faster: what fits on one level is
written by CPython's C encoder, only the nesting by Python. Every indented JSON text of the tool (the status
JSON the cache keeps, the JSON output) is written by `indented`, so all of them are alike byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)  # CPython's C encoder, when there
_encode_text = json.encoder.encode_basestring
_CONTAINERS = (dict, list, tuple)


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


@cache
def _flat(level: int) -> Callable[[Any, int], list[str]]:
    """The C encoder writing a container of scalars with its items on lines of their own, indented for `level` + 1."""
    separator = ",\n" + "  " * (level + 1)
    return _c_make_encoder(None, _not_json, _encode_text, None, ": ", separator, False, False, True)  # type: ignore[no-any-return]


def indented(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)`: the same text, faster.

    Python's encoder writes indented JSON in Python. Here every list or mapping that holds no list
    or mapping (a KPI, the flags) is written by the C encoder in one call, its item separator being
    the line break and indent of its items; and a run of such mappings in a list (the targets) in
    one call too, the line breaks between them put right after. (A raw line break is never inside
    a JSON string: those the C encoder writes are its separators.)
    """
    if _c_make_encoder is None:  # pragma: no cover - not CPython
        return json.dumps(value, ensure_ascii=False, indent=2)
    out: list[str] = []
    _indent(value, 0, out)
    return "".join(out)


def _nested(value: Any) -> bool:
    for item in value.values() if isinstance(value, dict) else value:  # noqa: SIM110 -- a loop: no generator
        if isinstance(item, _CONTAINERS):
            return True
    return False


def _indent(value: Any, level: int, out: list[str]) -> None:
    if type(value) is str:
        out.append(_encode_text(value))
        return
    mapping = isinstance(value, dict)
    if not mapping and not isinstance(value, (list, tuple)):
        out.append("".join(_flat(level)(value, 0)))
        return
    if not value:
        out.append("{}" if mapping else "[]")
        return
    inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
    if not _nested(value):  # nothing nested: one call of the C encoder
        text = "".join(_flat(level)(value, 0))
        out.append(text[0] + inner + text[1:-1] + outer + text[-1])
        return
    if mapping:
        if not all(type(k) is str for k in value):  # keys made text: Python's own way
            out.append(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", outer))
            return
        two = _two_levels(value, level)
        if two is not None:
            out.append(two)
            return
        out.append("{")
        separator = inner
        for key, item in value.items():
            out.append(separator + _encode_text(key) + ": ")
            separator = "," + inner
            _indent(item, level + 1, out)
        out.append(outer + "}")
        return
    out.append("[")
    separator = inner
    run: list[dict[Any, Any]] = []  # mappings of scalars in a row: written in one call
    for item in value:
        if type(item) is dict and item and not _nested(item):
            run.append(item)
            continue
        if run:
            out.append(separator + _mappings(run, level + 1))
            separator, run = "," + inner, []
        out.append(separator)
        separator = "," + inner
        two = _two_levels(item, level + 1) if type(item) is dict and all(type(k) is str for k in item) else None
        if two is not None:
            out.append(two)
        else:
            _indent(item, level + 1, out)
    if run:
        out.append(separator + _mappings(run, level + 1))
    out.append(outer + "]")


def _two_levels(value: dict[str, Any], level: int) -> str | None:
    """A mapping at `level` whose values are scalars or containers of scalars (a target with its KPI): one call of
    the C encoder, the items of its containers then moved a level in. None: it holds more than that."""
    if not value:
        return None
    spans = []  # the separators each item holds: those of a container of scalars, one fewer than its items
    for item in value.values():
        if isinstance(item, _CONTAINERS):
            if _nested(item):
                return None
            spans.append(len(item) - 1 if item else 0)
        else:
            spans.append(0)
    inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
    deeper = "\n" + "  " * (level + 2)
    parts = "".join(_flat(level)(value, 0))[1:-1].split("," + inner)
    items, at = [], 0
    for (key, item), span in zip(value.items(), spans, strict=True):
        text = parts[at] if not span else ("," + deeper).join(parts[at : at + span + 1])
        at += span + 1
        if isinstance(item, _CONTAINERS) and item:  # its brackets on lines of their own
            head = len(_encode_text(key)) + 3  # `"key": [`
            text = text[:head] + deeper + text[head:-1] + inner + text[-1]
        items.append(text)
    return "{" + inner + ("," + inner).join(items) + outer + "}"


def _mappings(run: list[dict[Any, Any]], level: int) -> str:
    """Non-empty mappings of scalars, items of a list, at `level`: one call of the C encoder, then their line breaks."""
    text = "".join(_flat(level)(run, 0))  # [{"k": v,<sep>"k": v},<sep>{…}] with <sep> the break of their items
    inner, own = "\n" + "  " * (level + 1), "\n" + "  " * level
    body = text[2:-2].replace("}," + inner + "{", own + "}," + own + "{" + inner) if len(run) > 1 else text[2:-2]
    return "{" + inner + body + own + "}"
