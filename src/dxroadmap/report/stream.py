"""JSON written as it is made: a national roll-up never sits in memory as one string.

Every JSON output of the tool goes through here, so every one is escaped the same way
(`safe.json_text`: nothing in it can act on a terminal) and indented the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from dxroadmap.jsontext import indented
from dxroadmap.safe import json_text


@dataclass(frozen=True)
class Each:
    """`[convert(item) for item in items]`, made a thousand items at a time as `write` writes it: the JSON objects
    of a long list (the 120,000 slip items of a national roll-up) never all exist at once."""

    items: Sequence[Any]
    convert: Callable[[Any], Any]


def write(data: Any, out: TextIO) -> None:
    """`json.dumps(data, ensure_ascii=False, indent=2)`, escaped, and a newline, written piece by piece: a long
    list (the review log) or `Each` a thousand items at a time, each piece by the C encoder (`jsontext.indented`)."""
    if isinstance(data, Each):
        items, convert = data.items, data.convert
    elif type(data) is list:
        items, convert = data, None
    else:
        out.write(json_text(indented(data)) + "\n")
        return

    def part(start: int) -> list[Any]:
        chunk = items[start : start + ITEMS]
        return [convert(item) for item in chunk] if convert is not None else list(chunk)

    if len(items) <= ITEMS:
        out.write(json_text(indented(part(0))) + "\n")
        return
    for start in range(0, len(items), ITEMS):
        text = indented(part(start))  # `[\n  …\n]`: the items without their brackets
        out.write(json_text(("[" if start == 0 else ",") + text[1:-2]))
    out.write("\n]\n")


ITEMS = 1000  # the items of a list written at a time


def write_list(
    head: dict[str, Any], key: str, items: Iterable[str] | Iterable[bytes], tail: dict[str, Any], out: TextIO
) -> None:
    """`{**head, key: [*items], **tail}` as `write` writes it, an item at a time (the same bytes).

    Items in UTF-8 (as the cache holds them) go to the stream's bytes as they are, in blocks of 64 KiB.
    """
    buffer = getattr(out, "buffer", None)
    if buffer is None or getattr(out, "encoding", "").lower().replace("-", "") != "utf8":
        for piece in pieces(head, [(key, items)], lambda: tail):
            out.write(piece if isinstance(piece, str) else piece.decode())
        return
    out.flush()
    pending: list[bytes] = []
    size = 0
    for piece in pieces(head, [(key, items)], lambda: tail):
        chunk = piece.encode() if isinstance(piece, str) else piece
        pending.append(chunk)
        size += len(chunk)
        if size > 1 << 16:
            buffer.write(b"".join(pending))
            pending, size = [], 0
    buffer.write(b"".join(pending))
    buffer.flush()


def pieces(
    head: dict[str, Any],
    lists: Sequence[tuple[str, Iterable[str] | Iterable[bytes]]],
    tail: Callable[[], dict[str, Any]],
) -> Iterator[str | bytes]:
    """The JSON of `{**head, key: [*items] for each list, **tail()}` as `write` writes it, in pieces.

    The items are JSON texts as `json_text(json.dumps(item, ensure_ascii=False, indent=2))` writes
    them (or those texts in UTF-8: then so are their pieces); they are indented here (JSON text has
    no raw newline but between its tokens).
    """

    def dumped(value: Any) -> str:
        return json_text(json.dumps(value, ensure_ascii=False, indent=2))

    yield dumped(head)[:-2] + ",\n" if head else "{\n"
    for n, (key, items) in enumerate(lists):
        yield (",\n  " if n else "  ") + dumped(key) + ": ["
        first = True
        for item in items:
            if isinstance(item, bytes):
                yield (b"\n    " if first else b",\n    ") + item.replace(b"\n", b"\n    ")
            else:
                yield ("\n    " if first else ",\n    ") + item.replace("\n", "\n    ")
            first = False
        yield "]" if first else "\n  ]"
    rest = tail()
    yield "," + dumped(rest)[1:] + "\n" if rest else "\n}\n"
