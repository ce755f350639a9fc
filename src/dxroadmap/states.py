"""The states of targets, initiatives and projects, and the outlooks an owner gives (DESIGN.md §5).

The one vocabulary every module uses: the rules (`progress`) produce these members, the renderers
key their marks, words and colours by them (`tests/test_states.py` checks that every map covers
every member), and `schema` takes the enums of `schemas/portfolio.schema.json` from them.

Both are `StrEnum`s: a member is equal to, hashes as and is written (`json`, `csv`, f-strings) as
its value, so JSON, CSV and the cache hold the same text as plain strings would.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """A target's state (all but UNREPORTED), an initiative's or a project's (the worst of its parts).

    Declared worst first: the order of DESIGN.md §5 ("missed > slipping > unreported > open > …").
    """

    MISSED = "missed"  # 未達: not achieved and its fiscal year is over
    SLIPPING = "slipping"  # 遅延: not achieved, due date passed (or a KPI behind pace), its year not over
    UNREPORTED = "unreported"  # 未報告: an initiative with no actual for the last report period
    OPEN = "open"  # 進行中: not achieved, not yet due, its year has started
    PLANNED = "planned"  # 予定: its fiscal year has not started
    DONE_LATE = "done_late"  # 達成(遅れ): achieved after its due date
    DONE = "done"  # 達成: achieved by its due date


class Outlook(StrEnum):
    """An owner's outlook (見通し, or the one an entry's 評価 implies)."""

    ON_TRACK = "on_track"  # 順調
    AT_RISK = "at_risk"  # 注意
    OFF_TRACK = "off_track"  # 困難

    @property
    def written(self) -> str:
        """The word a roadmap file writes under 見通し: 順調, 注意 or 困難."""
        return _WRITTEN[self]


_WRITTEN = {Outlook.ON_TRACK: "順調", Outlook.AT_RISK: "注意", Outlook.OFF_TRACK: "困難"}
OUTLOOK_OF_WORD = {word: outlook for outlook, word in _WRITTEN.items()}  # 順調 -> Outlook.ON_TRACK, …
