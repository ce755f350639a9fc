"""Words and labels in Japanese and English, and the choice between them.

The language comes from `--lang`, else `DXROADMAP_LANG`, else the locale as other command-line
tools read it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): Japanese for `ja*`, else English.
JSON keys, state values in JSON and problem codes never change with the language.
"""

from __future__ import annotations

import os

from dxroadmap.states import Outlook, State

LANGS = ("ja", "en")

# The word of each state (DESIGN.md §5), (Japanese, English): `words(state)`.
STATE_WORDS: dict[State, tuple[str, str]] = {
    State.DONE: ("達成", "done"),
    State.DONE_LATE: ("達成(遅れ)", "done late"),
    State.SLIPPING: ("遅延", "slipping"),
    State.MISSED: ("未達", "missed"),
    State.OPEN: ("進行中", "open"),
    State.PLANNED: ("予定", "planned"),
    State.UNREPORTED: ("未報告", "unreported"),
}
# The word of each outlook, (Japanese, English): `words(outlook)`.
OUTLOOK_WORDS: dict[Outlook, tuple[str, str]] = {
    Outlook.ON_TRACK: ("順調", "on track"),
    Outlook.AT_RISK: ("注意", "at risk"),
    Outlook.OFF_TRACK: ("困難", "off track"),
}

# key -> (Japanese, English)
_WORDS: dict[str, tuple[str, str]] = {
    **{state.value: pair for state, pair in STATE_WORDS.items()},
    **{outlook.value: pair for outlook, pair in OUTLOOK_WORDS.items()},
    "optimistic": ("楽観", "optimistic"),
    "reported": ("報告済", "reported"),
    "recorded": ("記録しました {where}: {initiative} ({path})", "recorded {where}: {initiative} ({path})"),
    # labels
    "project": ("事業", "Project"),
    "projects": ("事業", "projects"),
    "field": ("政策分野", "Field"),
    "owner": ("担当課", "Owner"),
    "name": ("事業名", "Name"),
    "summary": ("概要", "Summary"),
    "focus": ("取組方針", "Focus"),
    "initiative": ("取組", "Initiative"),
    "targets": ("目標", "Targets"),
    "actuals": ("実績", "Actuals"),
    "target": ("目標", "Target"),
    "year": ("年度", "Year"),
    "due": ("期限", "Due"),
    "days_late": ("遅れ日数", "Days late"),
    "state": ("状態", "State"),
    "explained": ("理由の有無", "Explained"),
    "outlook": ("見通し", "Outlook"),
    "progress": ("進捗", "Progress"),
    "done_due_total": ("達成/期限到来/全体", "Done/Due/Total"),
    "flags": ("要注意", "Flags"),
    "total": ("合計", "Total"),
    "as_of": ("基準日", "As of"),
    "last_quarter": ("直近の四半期", "Last quarter"),
    "next_meeting": ("次回会議", "Next meeting"),
    "none": ("なし", "none"),
    "yes": ("あり", "yes"),
    "no": ("なし", "no"),
    "invalid_files": ("読み込めないファイル", "Invalid files"),
    "legend": ("凡例", "Legend"),
    "nothing_slipping": ("遅延・未達・未報告はありません", "Nothing is slipping, missed or unreported."),
    "no_projects": ("事業がありません", "No projects."),
    "valid": ("問題はありません", "valid"),
    "checked": ("{files}件のファイルを検査: 問題{problems}件", "checked {files} file(s): {problems} problem(s)"),
    "and_warnings": ("、警告{warnings}件", ", {warnings} warning(s)"),
    "kind": ("種別", "Kind"),
    "quarter": ("四半期", "Quarter"),
    "not_reported": ("{period}の実績なし", "no actual for {period}"),
    "half_1": ("上期", "H1"),
    "half_2": ("下期", "H2"),
    "outside_period": ("計画期間外", "outside the plan's period"),
    "baseline": ("基準値", "baseline"),
    "direction_down": ("減少", "lower is better"),
    "reason": ("理由", "Reason"),
    "rating": ("評価", "Rating"),
    "last_report_period": ("直近の報告期間", "Last report period"),
    "achieves": ("達成", "achieves"),
    # the parts of a change in the review log (`changes.PARTS`; in Japanese, the file's own words)
    "detail_target_value": ("目標値 {value}", "target value {value}"),
    "detail_due": ("期限 {value}", "due {value}"),
    "detail_year_end": ("期限 年度末", "due by the year end"),
    "since": ("{when}以降", "Since {when}"),
    "since_summary_records": ("実績{n}件", "{n} recorded"),
    "since_summary_states": ("状態変化{n}", "{n} states changed"),
    "since_summary_replanned": ("計画変更{n}", "{n} re-planned"),
    "no_change": ("変化なし", "no change"),
    "date": ("日付", "Date"),
    "commit": ("コミット", "Commit"),
    "author": ("記録者", "Author"),
    "change": ("内容", "Change"),
    "record": ("実績記録", "record"),
    "target_added": ("目標追加", "target added"),
    "target_moved": ("年度変更", "target moved"),
    "target_changed": ("目標変更", "target changed"),
    "target_dropped": ("目標削除", "target dropped"),
    "no_history": ("記録はありません", "Nothing in the review log."),
    "summary_sheet": ("全体", "Summary"),
    "slipping_sheet": ("遅延一覧", "Slipping"),
    "report_title": ("進捗報告", "Progress report"),
    "by_field": ("分野別の目標の状態", "Target states by field"),
    "projects_heading": ("事業別ロードマップ", "Roadmaps by project"),
    "only_flagged": ("要注意の事業だけを表示", "Show only projects with flags"),
    "generated": ("dxroadmap {version} で作成", "Made with dxroadmap {version}"),
    "kpi": ("指標", "KPI"),
    "achieved_in": ("達成年度", "Achieved in"),
    "kpi_value": ("指標の値", "KPI value"),
    "behind_pace": ("進捗の遅れ", "behind pace"),
    "more_items": (
        "ほか {count} 件(すべて表示: --all、または --format csv / json)",
        "and {count} more (all of them: --all, or --format csv / json)",
    ),
    "reading": ("ロードマップを読み込み中", "Reading roadmaps"),
    "more_projects": (
        "{count} 事業のうち状態の悪い {shown} 事業を表示(合計はすべての事業。すべて表示: --all、"
        "または --field / --owner で絞る、--format csv / json)",
        "The worst {shown} of {count} projects are shown; totals count them all (every row: --all, "
        "or narrow with --field / --owner; --format csv / json have every project)",
    ),
    # --- review and publish (issue 16): what changed since a review, KPI trends, the site
    "slipping_heading": ("遅延・未達・未報告", "Slipping, missed and unreported"),
    "slipping_count": (
        "遅延・未達・未報告 ({n})",
        "Slipping ({n}): targets late or missed, initiatives unreported",
    ),
    "changes_heading": ("前回からの変更", "Changes since the last review"),
    "changes_since": ("前回からの変更 ({when}以降)", "Changes since {when}"),
    "changes_none": ("変更はありません", "Nothing has changed."),
    "changes_missing": ("前回からの変更は示せません: {reason}", "No changes can be shown: {reason}"),
    "changes_legend": ("{mark} = {when}以降の変更", "{mark} = changed since {when}"),
    "project_state": ("事業の状態", "project state"),
    "initiative_state": ("取組の状態", "initiative state"),
    "target_state": ("目標の状態", "target state"),
    "state_changed": ("状態変化", "state changed"),
    "new_actual": ("新しい実績", "new actual"),
    "kpi_trends": ("指標の推移", "KPI trends"),
    "trend_title": ("{kpi}の推移", "{kpi} over time"),
    "trend": ("推移", "trend"),
    "reported_values": ("実績値", "reported values"),
    "year_targets": ("年度ごとの目標", "each year's target"),
    "pace_line": ("ペース(基準値から目標への直線)", "pace (a straight line from the baseline to the target)"),
    "pace": ("ペース", "pace"),
    "monitored_indicator": ("観測指標(目標なし)", "monitored indicator (no target)"),
    "values": ("数値", "values"),
    "value": ("値", "value"),
    "site_home": ("トップ", "Home"),
    "site_nav": ("サイト内の移動", "Site navigation"),
    "skip_to_content": ("本文へ移動", "Skip to the content"),
    "plan_heading": ("計画", "The plan"),
    "plan_title": ("計画名", "Plan"),
    "plan_period": ("計画期間", "Period"),
    "fields_heading": ("政策分野と取組方針", "Fields and focus areas"),
    "replan_history": ("計画変更の履歴", "Re-planning history"),
    "no_replans": ("計画変更はありません", "No target has been re-planned."),
    "no_review_log": (
        "git の記録がないため計画変更の履歴はありません",
        "No review log (not in git): no re-planning history.",
    ),
    "all_changes": ("変更の一覧へ", "All changes"),
    "project_count": ("{count} 事業", "{count} projects"),
}


def resolve(explicit: str | None = None) -> str:
    if explicit in LANGS:
        return explicit
    chosen = os.environ.get("DXROADMAP_LANG", "")
    if chosen in LANGS:
        return chosen
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "ja" if value.split(":")[0].lower().startswith("ja") else "en"
    return "en"


def lang_in_argv(argv: list[str]) -> str | None:
    """The value of the last `--lang X` or `--lang=X` on a command line (before `--`), if any.

    Read before the command line is parsed, so that `--help` (which Typer answers at once) and the
    words of the framework speak it too, wherever `--lang` stands.
    """
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--lang="):
            found = arg.removeprefix("--lang=")
    return found if found in LANGS else None


class Words:
    """Looks words up in one language: `words("missed")`, `words("checked", files=3, problems=0)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._index = LANGS.index(lang)

    def __call__(self, key: str, /, **values: object) -> str:
        text = _WORDS[key][self._index]
        return text.format(**values) if values else text


# The language of messages built by the core (problems, refusals): set once by the command line.
_current = [resolve()]


def set_language(lang: str) -> None:
    _current[0] = lang if lang in LANGS else "en"


def language() -> str:
    return _current[0]


def t(key: str, /, **values: object) -> str:
    """A message of `catalog.MESSAGES` in the current language, with its placeholders filled."""
    from dxroadmap.catalog import MESSAGES

    text = MESSAGES[key][LANGS.index(_current[0])]
    return text.format(**values) if values else text


def template(key: str) -> str:
    """A message with its placeholders left for someone else to fill (Pydantic's custom errors)."""
    from dxroadmap.catalog import MESSAGES

    return MESSAGES[key][LANGS.index(_current[0])]
