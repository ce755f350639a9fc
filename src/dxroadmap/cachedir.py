"""Where the caches live (the portfolio's, the review log's, the replayed outputs'). `os` only: `replay`
reads it before anything else is imported (not even `pathlib`)."""

from __future__ import annotations

import os

RACY_NS = 2_000_000_000  # a file changed this recently may change again within its stamp's clock tick (as git's racy)


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
