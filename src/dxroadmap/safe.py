"""Text from files made safe to show: no control or format character reaches a terminal.

Rich markup is handled by the renderers (file text goes into `rich.text.Text`, never parsed);
this removes what no renderer should pass on: ESC and other C0/C1 controls (but tab and
newline), and Unicode format characters such as bidi overrides, shown instead as `\\x1b` or
`\\u202e` so a reader sees that something was there.
"""

from __future__ import annotations

import re
import unicodedata


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(
        _visible(c) if c not in "\t\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text
    )


# Control (C1, DEL) and format characters that JSON leaves raw: bidi overrides, zero-width
# characters, the BOM, tags. Escaping them keeps the parsed JSON identical to the file's text.
_JSON_INVISIBLE = re.compile(
    "[\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # a surrogate pair, as JSON writes characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(dumped: str) -> str:
    """JSON text with invisible and control characters escaped: same data, nothing acts on a terminal."""
    return _JSON_INVISIBLE.sub(_json_escape, dumped)
