"""Where the caches live (the portfolio's, the review log's, the replayed outputs'), and how they tell a file
unchanged: its stamp, unless it is racy. `os` only: `replay` reads it before anything else is imported (not
even `pathlib`)."""

from __future__ import annotations

import os

RACY_NS = 2_000_000_000  # a file changed this recently may change again within its stamp's clock tick (as git's racy)

Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def stamp(path: str) -> Stamp | None:
    """What a file (or folder) looks like without reading it; None: it cannot be looked at (absent)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def racy(seen: Stamp, now: int) -> bool:
    """Changed so recently before `now` that another change within the same clock tick would leave the stamp as
    it is (the ctime, which no program can set back, moves on every change)."""
    return now - max(seen[1], seen[2]) <= RACY_NS


def cache_dir() -> str | None:
    """`$DXROADMAP_CACHE_DIR`, else `$XDG_CACHE_HOME/dxroadmap`, else `~/.cache/dxroadmap`; None: off.

    An `XDG_CACHE_HOME` that is not absolute is ignored, as the XDG Base Directory spec says (it
    would put the cache in whatever folder the command runs in); without a home folder, no cache.
    """
    if os.environ.get("DXROADMAP_NO_CACHE"):
        return None
    explicit = os.environ.get("DXROADMAP_CACHE_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dxroadmap") if os.path.isabs(base) else None
