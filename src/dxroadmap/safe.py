"""Text from files made safe to show: no control or format character reaches a terminal.

Rich markup is handled by the renderers (file text goes into `rich.text.Text`, never parsed);
this removes what no renderer should pass on: ESC and other C0/C1 controls (but tab and
newline), and Unicode format characters such as bidi overrides, shown instead as `\\x1b` or
`\\u202e` so a reader sees that something was there.
"""

from __future__ import annotations

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
