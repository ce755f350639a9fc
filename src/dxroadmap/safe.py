"""Untrusted text made safe to show: the one sanitiser of every output, for every piece of text
the tool did not write itself — file contents, file and folder names, ids, paths, git metadata.

Rich markup is handled by the renderers (file text goes into `rich.text.Text`, never parsed);
`clean` removes what no renderer should pass on: ESC and other C0/C1 controls (but tab and
newline), Unicode format characters such as bidi overrides, line and paragraph separators,
non-characters (U+FFFE, U+FDD0…) and lone surrogates, shown instead as `\\x1b`, `\\u202e`,
`\\ufffe` so a reader sees that something was there. What `clean` returns is printable text
that every encoder of UTF-8 and every XML 1.0 writer (xlsx) accepts.

A name that is not valid UTF-8 (a Shift_JIS name from a zip made on Japanese Windows) reaches
Python as a lone surrogate per undecodable byte (`os.fsdecode`); it is shown as the byte,
`\\x93`. `name_text` turns a name into the text of an id that way, in NFC.

Where each output uses it: terminal, CSV and Markdown `clean` (Markdown escaped besides);
HTML `clean` then HTML-escaped; xlsx `clean` (so nothing XML 1.0 forbids is written); JSON
`json_text` (escapes, so the parsed data is the text itself; a name's undecodable byte is the
text `\\x93`, as everywhere else).
"""

from __future__ import annotations

import re
import unicodedata

_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))  # controls, format characters, surrogates, separators


def _visible(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8, as `os.fsdecode` gives it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _noncharacter(code: int) -> bool:
    """U+FDD0–U+FDEF and the last two code points of every plane (U+FFFE, U+1FFFF…): never text."""
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _hidden(char: str) -> bool:
    category = unicodedata.category(char)
    return char not in "\t\n" and (category in _HIDDEN or (category == "Cn" and _noncharacter(ord(char))))


def clean(text: str) -> str:
    """`text` with every character that could act on a terminal, hide itself or break an encoder shown escaped."""
    if text.isprintable():
        return text
    return "".join(_visible(c) if _hidden(c) else c for c in text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def name_text(name: str) -> str:
    """A file or folder name (or a path of them) as text, the way ids are made: NFC, and each byte
    that is not UTF-8 as `\\x93` (other controls are left to `clean`, as in any text).

    macOS writes names in NFD (`か\\u3099`), everyone types NFC (`が`): one id for both.
    """
    if name.isascii():
        return name
    if _SURROGATE.search(name):
        name = _SURROGATE.sub(lambda match: _visible(match.group()), name)
    return unicodedata.normalize("NFC", name)


# Control (C1, DEL) and format characters that JSON leaves raw: bidi overrides, zero-width
# characters, the BOM, tags, non-characters. Escaping them keeps the parsed JSON identical to the
# file's text. A lone surrogate (a byte of a name that is not UTF-8) cannot be written as UTF-8:
# it becomes the text `\\x93` that every other output shows.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane | 0xFFFE) + chr(plane | 0xFFFF) for plane in range(0, 0x110000, 0x10000)
)
_JSON_INVISIBLE = re.compile(
    f"[\ud800-\udfff{_NONCHARACTERS}"
    "\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\\" + _visible(match.group())  # `\\x93` in JSON: the text `\x93`
    if code > 0xFFFF:  # a surrogate pair, as JSON writes characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


# A superset of _JSON_INVISIBLE made of a few wide ranges: a fifth of its cost to search, and a
# document with none of these characters (nearly every one) needs no more than this search.
_JSON_MAYBE_INVISIBLE = re.compile(
    "[\x7f-\x9f\u00ad\u0600-\u070f\u0890-\u08e2\u180e\u200b-\u206f\ud800-\udfff\ufdd0-\ufdef"
    "\ufeff-\uffff\U00010000-\U0010ffff]"
)


def json_text(dumped: str) -> str:
    """JSON text with invisible and control characters escaped: same data, nothing acts on a terminal."""
    if _JSON_MAYBE_INVISIBLE.search(dumped) is None:
        return dumped
    return _JSON_INVISIBLE.sub(_json_escape, dumped)
